/**
 * The engines every engine-level test runs against. One shared suite (STYLE.md rule 10): tests
 * loop over this list with `describe.each`, never name an engine themselves.
 */
import type { EngineName } from '../../src/index.js';

/** One engine configuration under test: a label for test names and the options that select it. */
export interface EngineVariant {
  readonly label: string;
  readonly input: { readonly engine: EngineName; readonly threads?: number };
}

export const ENGINE_VARIANTS: readonly EngineVariant[] = [
  { label: 'reference', input: { engine: 'reference' } },
  // Thread counts of the parallel engine: 3 and 7 do not divide most host counts, 3, 4 and 7 are
  // more threads than this machine's cores.
  { label: 'parallel, 1 thread', input: { engine: 'parallel', threads: 1 } },
  { label: 'parallel, 2 threads', input: { engine: 'parallel', threads: 2 } },
  { label: 'parallel, 3 threads', input: { engine: 'parallel', threads: 3 } },
  { label: 'parallel, 4 threads', input: { engine: 'parallel', threads: 4 } },
  { label: 'parallel, 7 threads', input: { engine: 'parallel', threads: 7 } },
];
