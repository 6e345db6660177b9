/** The library entry point: `simulate(options)`; the CLI is a thin layer over it. */
import { runParallel, type ParallelControls } from './engines/parallel/engine.js';
import { runReference } from './engines/reference.js';
import { chooseThreads } from './engines/parallel/threads.js';
import { resolveOptions, type SimulationInput, type SimulationOptions } from './options.js';
import type { EngineOutput, RunDiagnostics, SimulationOutcome } from './result.js';

/** A finished run: the outcome of SPEC.md plus how it was computed and how long it took. */
export interface Result extends SimulationOutcome {
  readonly options: SimulationOptions;
  readonly engine: SimulationOptions['engine'];
  readonly threads: number;
  /** Wall time of the simulation itself (engine start-up included), in seconds. */
  readonly wallSeconds: number;
  /** True when the run was interrupted (signal) before it ended by itself. */
  readonly partial: boolean;
  /** Engine-dependent figures (memory, kernels, why this thread count); not part of the deterministic outcome. */
  readonly diagnostics: RunDiagnostics & { readonly threadChoice: string };
}

/**
 * Extra controls of a run that are not simulation options: an AbortSignal (stops at the next tick
 * boundary, the result is then `partial`), a progress callback, and test-only fault hooks. The
 * reference engine honours the signal and the progress callback.
 */
export type RunControls = ParallelControls;

/**
 * Validates `input` (throws `OptionError`, a RangeError, naming the option on bad input) and runs
 * the simulation with the chosen engine.
 */
export async function simulate(input: SimulationInput = {}, controls: RunControls = {}): Promise<Result> {
  const options = resolveOptions(input);
  checkControls(controls);
  const started = performance.now();
  const { outcome, diagnostics } = await runEngine(options, controls);
  injectedDelay();
  const wallSeconds = (performance.now() - started) / 1000;
  const threads = options.engine === 'reference' ? 1 : options.threads;
  const threadChoice = options.engine === 'reference' ? 'the reference engine runs on one thread'
    : isGiven(input, 'threads') ? `given: threads ${options.threads}` : `chosen: ${chooseThreads(options).reason}`;
  return {
    ...outcome, options, engine: options.engine, threads, wallSeconds, partial: outcome.endReason === 'interrupted',
    diagnostics: { ...diagnostics, threadChoice },
  };
}

function isGiven(input: SimulationInput, key: keyof SimulationInput): boolean {
  return typeof input === 'object' && input !== null && (input as Record<string, unknown>)[key] !== undefined;
}

/** Validates `simulate()`'s second argument at the boundary, like the options. */
function checkControls(controls: unknown): asserts controls is RunControls {
  if (typeof controls !== 'object' || controls === null) {
    throw new TypeError(`simulate(): controls: got ${String(controls)}, expected an object such as { signal, onProgress }`);
  }
  const c = controls as Record<string, unknown>;
  if (c['signal'] !== undefined && !(c['signal'] instanceof AbortSignal)) {
    throw new TypeError('simulate(): controls.signal: expected an AbortSignal (from an AbortController)');
  }
  if (c['onProgress'] !== undefined && typeof c['onProgress'] !== 'function') {
    throw new TypeError('simulate(): controls.onProgress: expected a function (progress) => void');
  }
  const heap = c['workerHeapMb'];
  if (heap !== undefined && (typeof heap !== 'number' || !Number.isInteger(heap) || heap < 16 || heap > 65536)) {
    throw new RangeError(`simulate(): controls.workerHeapMb: got ${String(heap)}, expected an integer from 16 to 65536`);
  }
  const interval = c['progressIntervalMs'];
  if (interval !== undefined && (typeof interval !== 'number' || !(interval >= 10))) {
    throw new RangeError(`simulate(): controls.progressIntervalMs: got ${String(interval)}, expected a number >= 10`);
  }
}

/**
 * Test-only: GOSSIP_SIM_TEST_DELAY_MS busy-waits inside the measured wall time, so regression tests
 * can make a build that is really slower without changing what it computes.
 */
function injectedDelay(): void {
  const ms = Number(process.env['GOSSIP_SIM_TEST_DELAY_MS'] ?? 0);
  if (!(ms > 0)) return;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy wait: a slower build burns CPU, it does not sleep
  }
}

async function runEngine(options: SimulationOptions, controls: RunControls): Promise<EngineOutput> {
  switch (options.engine) {
    case 'reference':
      return runReference(options, controls);
    case 'parallel':
      return runParallel(options, controls);
  }
}
