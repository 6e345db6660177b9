/** The library entry point: `simulate(options)`; the CLI is a thin layer over it. */
import { runParallel, type EngineInternals, type ParallelControls } from './engines/parallel/engine.js';
import { runReference } from './engines/reference.js';
import { chooseThreads } from './engines/parallel/threads.js';
import { CHECKPOINT_INTERVALS } from './engines/parallel/layout.js';
import { defaultThreads, resolveOptions, type SimulationInput, type SimulationOptions } from './options.js';
import { assignProperties, completionQuantilesOf, rawCompletionTicks, type CompletionQuantiles, type EngineOutput, type RunDiagnostics, type SimulationOutcome } from './result.js';

/** A finished run: the outcome of SPEC.md plus how it was computed and how long it took. */
export interface Result extends SimulationOutcome {
  readonly options: SimulationOptions;
  readonly engine: SimulationOptions['engine'];
  readonly threads: number;
  /** Wall time of the simulation itself (engine start-up included), in seconds. */
  readonly wallSeconds: number;
  /** True when the run was interrupted (signal) before it ended by itself. */
  readonly partial: boolean;
  /** Ticks by which 50%, 95% and 99% of all hosts were complete (null: never). */
  readonly completionQuantiles: CompletionQuantiles;
  /** Engine-dependent figures (memory, kernels, why this thread count); not part of the deterministic outcome. */
  readonly diagnostics: RunDiagnostics & { readonly threadChoice: string };
}

/**
 * Extra controls of a run that are not simulation options: an AbortSignal (the run stops within
 * milliseconds, the result is then `partial`) and a progress callback. Both engines honour both.
 */
export type RunControls = ParallelControls;

/**
 * Test-only knobs, never part of the public API (src/index.ts does not export them): the parallel
 * engine's (fault injection, worker heap limit, ring capacity) and `delayMs`, a busy wait inside
 * the measured wall time that makes a build really slower without changing what it computes (the
 * CLI sets it from GOSSIP_SIM_TEST_DELAY_MS, for the regression tests of `compare`).
 */
export interface RunInternals extends EngineInternals {
  readonly delayMs?: number | undefined;
}

/**
 * Validates `input` (throws `OptionError`, a RangeError, naming the option on bad input) and runs
 * the simulation with the chosen engine.
 */
export function simulate(input: SimulationInput = {}, controls: RunControls = {}): Promise<Result> {
  return runSimulation(input, controls, {});
}

/** `simulate()` with test-only knobs (see `RunInternals`). */
export async function runSimulation(input: SimulationInput, controls: RunControls, internals: RunInternals): Promise<Result> {
  const options = resolveOptions(input);
  checkControls(controls);
  checkInternals(internals);
  const started = performance.now();
  const { outcome, diagnostics } = await runEngine(options, controls, internals);
  busyWait(internals.delayMs ?? 0);
  const wallSeconds = (performance.now() - started) / 1000;
  const threads = options.engine === 'reference' ? 1 : options.threads;
  const threadChoice = options.engine === 'reference' ? 'the reference engine runs on one thread'
    : isGiven(input, 'threads') ? `given: threads ${options.threads}` : `chosen: ${chooseThreads(options, defaultThreads()).reason}`;
  const raw = rawCompletionTicks(outcome);
  const completionQuantiles = completionQuantilesOf(raw ?? Int32Array.from(outcome.hostCompletionTicks, (t) => t ?? -1));
  // Not a spread: hostCompletionTicks stays a lazy getter (see withLazyCompletionTicks).
  return assignProperties(
    { options, engine: options.engine, threads, wallSeconds, partial: outcome.endReason === 'interrupted', completionQuantiles, diagnostics: { ...diagnostics, threadChoice } },
    outcome,
  ) as Result;
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
  const interval = c['progressIntervalMs'];
  if (interval !== undefined && (typeof interval !== 'number' || !(interval >= 10))) {
    throw new RangeError(`simulate(): controls.progressIntervalMs: got ${String(interval)}, expected a number >= 10`);
  }
}

function checkInternals(internals: RunInternals): void {
  const heap = internals.workerHeapMb;
  if (heap !== undefined && (!Number.isInteger(heap) || heap < 16 || heap > 65536)) {
    throw new RangeError(`runSimulation(): workerHeapMb: got ${String(heap)}, expected an integer from 16 to 65536`);
  }
  const ring = internals.ringCapacity;
  if (ring !== undefined && (!Number.isInteger(ring) || ring < 2 || ring > 1 << 24 || (ring & (ring - 1)) !== 0)) {
    throw new RangeError(`runSimulation(): ringCapacity: got ${String(ring)}, expected a power of two from 2 to 2^24`);
  }
  const interval = internals.checkpointInterval;
  if (interval !== undefined && !(CHECKPOINT_INTERVALS as readonly number[]).includes(interval)) {
    throw new RangeError(`runSimulation(): checkpointInterval: got ${String(interval)}, expected one of ${CHECKPOINT_INTERVALS.join(', ')}`);
  }
  const segments = internals.segments;
  if (segments !== undefined && (!Number.isInteger(segments) || segments < 1)) {
    throw new RangeError(`runSimulation(): segments: got ${String(segments)}, expected a positive integer`);
  }
}

/** Burns CPU for `ms` milliseconds: a slower build burns CPU, it does not sleep. */
function busyWait(ms: number): void {
  if (!(ms > 0)) return;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy wait
  }
}

async function runEngine(options: SimulationOptions, controls: RunControls, internals: EngineInternals): Promise<EngineOutput> {
  switch (options.engine) {
    case 'reference':
      return runReference(options, controls);
    case 'parallel':
      return runParallel(options, controls, internals);
  }
}
