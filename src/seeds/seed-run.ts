/** One seed's run as `--seeds` keeps it: a Result without its bulky per-tick and per-host arrays. */
import type { Result } from '../simulate.js';

/**
 * A finished run of one seed. `series` and `hostCompletionTicks` are dropped as soon as the run
 * ends (in the worker, before its result is copied back): 100,000 seeds of 20,000 hosts would
 * otherwise hold 2 billion completion ticks. Everything else of the Result is kept, including
 * the protocol's own metrics when it has them.
 */
export type SeedRun = Omit<Result, 'series' | 'hostCompletionTicks'> & { readonly seed: number };

/** `result` without its series and completion ticks, labelled with its seed. Allocates. */
export function seedRunOf(result: Result, seed: number): SeedRun {
  // Rest siblings of a destructuring are not "unused" to tsc: the two arrays are dropped by name.
  const { series, hostCompletionTicks, ...rest } = result;
  return { ...rest, seed };
}
