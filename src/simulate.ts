/** The library entry point: `simulate(options)`; the CLI is a thin layer over it. */
import { runReference } from './engines/reference.js';
import { resolveOptions, type SimulationInput, type SimulationOptions } from './options.js';
import type { SimulationOutcome } from './result.js';

/** A finished run: the outcome of SPEC.md plus how it was computed and how long it took. */
export interface Result extends SimulationOutcome {
  readonly options: SimulationOptions;
  readonly engine: SimulationOptions['engine'];
  readonly threads: number;
  /** Wall time of the simulation itself (engine start-up included), in seconds. */
  readonly wallSeconds: number;
}

/** Extra controls of a run that are not simulation options. */
export interface RunControls {
  /** Stops the run; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Validates `input` (throws `OptionError`, a RangeError, naming the option on bad input) and runs
 * the simulation with the chosen engine.
 */
export async function simulate(input: SimulationInput = {}, controls: RunControls = {}): Promise<Result> {
  const options = resolveOptions(input);
  const started = performance.now();
  const outcome = await runEngine(options, controls);
  const wallSeconds = (performance.now() - started) / 1000;
  const threads = options.engine === 'reference' ? 1 : options.threads;
  return { ...outcome, options, engine: options.engine, threads, wallSeconds };
}

async function runEngine(options: SimulationOptions, controls: RunControls): Promise<SimulationOutcome> {
  switch (options.engine) {
    case 'reference':
      return runReference(options, controls.signal);
    case 'parallel':
      // Until the parallel engine lands, the reference computes the same outcome.
      return runReference(options, controls.signal);
  }
}
