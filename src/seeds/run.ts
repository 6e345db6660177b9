/**
 * `runSeeds`: one configuration run once per seed, aggregated. Small runs go to a pool of worker
 * threads, one run per core at a time (src/seeds/pool.ts); large runs go one after another in
 * this process, each with the engine's normal thread choice. Every run's metrics are those of
 * `simulate()` with that seed, whichever way it is computed (the engines are cross-checked to
 * give identical metrics for every thread count).
 */
import { availableParallelism } from 'node:os';
import { checkMemory, memoryBudget } from '../engines/memory.js';
import { chooseThreads } from '../engines/parallel/threads.js';
import { MemoryLimitError, OptionError, SeedRunError } from '../errors.js';
import { defaultThreads, resolveOptions, type SimulationInput, type SimulationOptions } from '../options.js';
import { simulate, type Result } from '../simulate.js';
import { aggregateRuns, type SeedsAggregate } from './aggregate.js';
import { MAX_SEED, MAX_SEEDS } from './parse.js';
import { runOnPool } from './pool.js';
import { seedRunOf, type SeedRun } from './seed-run.js';
import { formatCount } from '../numbers.js';

/**
 * The largest run that goes to the pool. Up to here runs are short enough that one per core (no
 * barriers, no idle shards) beats one at a time on every core, and small enough to hold one per
 * core at once; above it a run's state reaches GiBs (pull 20,000 keeps about 4 GiB of logs) and
 * a run lasts long enough for the engine's own thread choice to pay.
 */
export const POOL_MAX_HOSTS = 20_000;

/** How the seeds are run: on the pool, `workers` at a time, or one after another here. */
export interface SeedsPlan {
  readonly mode: 'pool' | 'serial';
  /** Runs at once. */
  readonly workers: number;
  /** Why, for the summary line and --json readers. */
  readonly reason: string;
  /** The options every run gets but its seed (on the pool: one thread per run). */
  readonly input: SimulationInput;
  /** Resolved options of the first seed's run, as each run will have them but for the seed. */
  readonly options: SimulationOptions;
}

/** Controls of `runSeeds`: an AbortSignal (no new runs; the runs finished so far) and progress. */
export interface SeedsControls {
  readonly signal?: AbortSignal | undefined;
  /** Called whenever a run starts or ends: runs finished and running. */
  readonly onProgress?: ((finished: number, running: number) => void) | undefined;
}

/** What `runSeeds` returns. */
export interface SeedsOutcome {
  /** Per metric over the finished runs (src/seeds/aggregate.ts). */
  readonly aggregate: SeedsAggregate;
  /** The finished runs in the order of `seeds`, each with its seed. */
  readonly runs: SeedRun[];
  /** True when the signal stopped it before every seed had run (an interrupted run is left out). */
  readonly partial: boolean;
  readonly plan: SeedsPlan;
}

/**
 * Decides how `seeds` run. Validates `input` (OptionError on bad input, as `simulate()`) and
 * refuses a run that would not fit in memory (MemoryLimitError) before anything starts.
 */
export function planSeeds(input: SimulationInput, seeds: readonly number[], cores = availableParallelism()): SeedsPlan {
  const options = resolveOptions({ ...input, seed: seeds[0] ?? 0 });
  const serial = (reason: string): SeedsPlan => {
    checkMemory(options);
    return { mode: 'serial', workers: 1, reason, input, options };
  };
  if (seeds.length < 2) return serial('one seed');
  if (cores < 2) return serial('one core');
  if (options.hosts > POOL_MAX_HOSTS) return serial(`more than ${formatCount(POOL_MAX_HOSTS)} hosts: one run at a time on the engine's threads`);
  if (input.threads !== undefined && options.threads !== 1) return serial(`--threads ${options.threads} given: one run at a time on its threads`);
  // On the pool a run keeps its engine and, on the parallel engine, takes one thread; given no
  // --threads, a run that would have chosen one anyway is passed on untouched (same options and
  // threadChoice as a single `run`). The parallel engine on one thread, not the reference engine,
  // is the default here because it is much cheaper per run, measured on this project's 2-core
  // machine (Node 20.20.2, 2026-12-03, a shared machine at load 2-3), 1,000 hosts:
  //   per run, warm, in-process     push 0.023-0.031 s (reference 0.051-0.064 s)
  //                                 announce 0.17 s (reference 1.5-2.2 s)
  //   pool of 2 workers, 8 seeds    push 0.85 / 1.24 s (reference 0.82 / 1.55 s)
  //                                 announce 1.84 / 1.92 s (reference 12.5 / 18.8 s)
  // Its one cost: each worker starts a shard worker of its own on its first run (a fresh pool of 2
  // ran 2 seeds of 10 hosts in 0.37-0.46 s, 0.17-0.24 s with the reference engine). The whole
  // pool's start-up is about 1.4 s of CPU, 0.7 s of wall time, paid once; a run then costs what it
  // costs in-process (push 1,000: 15.7 ms of CPU a run on the pool, 15.8 ms in-process), so the
  // pool pays from a few seeds per worker: push 1,000, 400 seeds: 4.18 s, one after another 4.94 s
  // (the other core half taken by another job); announce 1,000, 8 seeds: 1.84 s against 3.34 s.
  const oneThread = options.engine === 'parallel' && options.threads !== 1 ? { ...input, threads: 1 } : input;
  const single = resolveOptions({ ...oneThread, seed: options.seed });
  // The pool runs `workers` of them at once: each must fit the budget alongside the others.
  let estimate: number;
  try {
    estimate = checkMemory(single);
  } catch (error) {
    // On one thread it does not fit: the usual thread choice gets its own verdict, serially.
    if (error instanceof MemoryLimitError) return serial('memory for one run at a time');
    throw error;
  }
  const byMemory = Math.floor(memoryBudget(single) / estimate);
  const workers = Math.max(1, Math.min(cores, seeds.length, byMemory));
  if (workers < 2) return serial('memory for one run at a time');
  return { mode: 'pool', workers, reason: `${workers} runs at a time, one thread each`, input: oneThread, options: single };
}

/**
 * Runs `input` with each of `seeds` (see parseSeeds) and aggregates every metric. On abort, no
 * new run starts, runs in progress stop within milliseconds and are left out, and the outcome
 * holds the runs finished so far with `partial: true`.
 */
export async function runSeeds(input: SimulationInput, seeds: readonly number[], controls: SeedsControls = {}): Promise<SeedsOutcome> {
  checkSeeds(seeds);
  const plan = planSeeds(input, seeds);
  const answers = plan.mode === 'pool'
    ? await runOnPool(plan.input, seeds, { workers: plan.workers, signal: controls.signal, onProgress: controls.onProgress })
    : await runSerially(plan.input, seeds, controls);
  const note = threadNote(input, plan);
  const runs: SeedRun[] = [];
  for (const run of answers) {
    if (run !== null) runs.push(note === null ? run : { ...run, diagnostics: { ...run.diagnostics, threadChoice: note } });
  }
  return { aggregate: aggregateRuns(runs), runs, partial: runs.length < seeds.length, plan };
}

/**
 * A pool run told to take one thread says "given: threads 1" on its own; this says who gave it.
 * Null when the run's own threadChoice is already true.
 */
function threadNote(input: SimulationInput, plan: SeedsPlan): string | null {
  if (plan.mode !== 'pool' || plan.options.engine !== 'parallel' || input.threads !== undefined || plan.input.threads === undefined) return null;
  const own = chooseThreads(plan.options, defaultThreads());
  return `--seeds: one thread per run, ${plan.workers} runs at a time (a single run would take ${own.threads}: ${own.reason})`;
}

/** The seeds one after another in this process; stops at the first interrupted run. */
async function runSerially(input: SimulationInput, seeds: readonly number[], controls: SeedsControls): Promise<(SeedRun | null)[]> {
  const answers: (SeedRun | null)[] = [];
  for (const seed of seeds) {
    if (controls.signal?.aborted === true) break;
    controls.onProgress?.(answers.length, 1);
    let result: Result;
    try {
      result = await simulate({ ...input, seed }, { signal: controls.signal });
    } catch (error) {
      // Bad options or a run that cannot fit are the configuration's fault, not this seed's.
      if (error instanceof OptionError || error instanceof MemoryLimitError) throw error;
      throw new SeedRunError(seed, error);
    }
    if (result.partial) break;
    answers.push(seedRunOf(result, seed));
    controls.onProgress?.(answers.length, 0);
  }
  return answers;
}

/** Validates `runSeeds()`'s seeds at the boundary: what parseSeeds returns for some text. */
function checkSeeds(seeds: unknown): asserts seeds is readonly number[] {
  if (!Array.isArray(seeds) || seeds.length === 0 || seeds.length > MAX_SEEDS) {
    throw new RangeError(`runSeeds(): seeds: expected an array of 1 to ${MAX_SEEDS} seeds (parseSeeds('1..400') makes one)`);
  }
  const seen = new Set<number>();
  for (const seed of seeds as unknown[]) {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED || seen.has(seed)) {
      throw new RangeError(`runSeeds(): seeds: got ${String(seed)}, expected distinct integers from 0 to ${MAX_SEED}`);
    }
    seen.add(seed);
  }
}
