/**
 * Small runs of `--seeds` on a piscina pool: one worker per core, each running one seed at a time
 * with `simulate()` in its own thread (workers/seeds.ts). The pool starts once per `--seeds`
 * invocation, so 400 runs cost one start-up per worker, not 400; it is destroyed at the end.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { SeedRunError } from '../errors.js';
import type { SimulationInput } from '../options.js';
import type { SeedRun } from './seed-run.js';
import { createStopFlag, raiseStop, stopRaised } from './stop-flag.js';

/** One task: the configuration, the seed to run it with, and the shared stop flag. */
export interface SeedTask {
  readonly input: SimulationInput;
  readonly seed: number;
  /** See src/seeds/stop-flag.ts; the same buffer for every task of a pool. */
  readonly stop: Int32Array;
}

/** What a task answers: the run, or null when the stop flag stopped it (nothing to keep). */
export type SeedAnswer = SeedRun | null;

/** How the pool runs and reports. */
export interface PoolSettings {
  readonly workers: number;
  readonly signal?: AbortSignal | undefined;
  /** Called whenever a run starts or ends. */
  readonly onProgress?: ((finished: number, running: number) => void) | undefined;
}

/** The compiled worker: dist/workers/seeds.js, from dist/src/seeds/ (built) or src/seeds/ (tsx, vitest). */
function seedWorkerFile(): string {
  for (const rel of ['../../workers/seeds.js', '../../dist/workers/seeds.js']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the compiled seeds worker (dist/workers/seeds.js) is missing; run `npm run build`');
}

/**
 * Runs `input` once per seed on `settings.workers` workers, launching in the order of `seeds`.
 * Returns one entry per seed, in that order: its run, or null for a seed that an abort left unrun
 * or stopped midway (a run cut short is dropped, never aggregated). A failed run stops the others
 * and is rethrown as SeedRunError.
 */
export async function runOnPool(input: SimulationInput, seeds: readonly number[], settings: PoolSettings): Promise<SeedAnswer[]> {
  const workers = Math.max(1, Math.min(settings.workers, seeds.length));
  const pool = new Piscina<SeedTask, SeedAnswer>({
    filename: seedWorkerFile(),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    // Between tasks the worker's event loop must keep running: its parallel engine keeps a shard
    // pool of its own, and piscina's 'sync' mode would block that loop in Atomics.wait.
    atomics: 'disabled',
  });
  // A worker that dies outside a task is replaced by piscina; failures in a task arrive through it.
  pool.on('error', () => undefined);
  const stop = createStopFlag();
  const onAbort = (): void => raiseStop(stop);
  settings.signal?.addEventListener('abort', onAbort, { once: true });
  if (settings.signal?.aborted === true) onAbort();

  const answers: SeedAnswer[] = new Array<SeedAnswer>(seeds.length).fill(null);
  let next = 0;
  let running = 0;
  let finished = 0;
  let failure: SeedRunError | null = null;
  const report = (): void => settings.onProgress?.(finished, running);
  // One lane per worker, each awaiting its task before taking the next seed: nothing waits in
  // piscina's queue, so an abort stops every seed that has not started.
  const lane = async (): Promise<void> => {
    while (next < seeds.length && !stopRaised(stop)) {
      const index = next++;
      const seed = seeds[index]!;
      running++;
      report();
      try {
        const answer = await pool.run({ input, seed, stop });
        if (answer !== null) {
          answers[index] = answer;
          finished++;
        }
      } catch (error) {
        failure ??= new SeedRunError(seed, error);
        raiseStop(stop);
      } finally {
        running--;
        report();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, lane));
  } finally {
    settings.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
  if (failure !== null) throw failure;
  return answers;
}
