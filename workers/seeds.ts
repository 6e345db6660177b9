/**
 * The piscina worker of `--seeds`: each task is one seed's run of a configuration, computed by
 * `simulate()` in this thread. With the parallel engine on one thread, this worker starts that
 * engine's shard worker on its first task and keeps it for the next ones (src/engines/parallel/
 * engine.ts keeps pools by thread count, per thread).
 */
import { simulate } from '../src/simulate.js';
import type { SeedAnswer, SeedTask } from '../src/seeds/pool.js';
import { seedRunOf } from '../src/seeds/seed-run.js';
import { STOP_POLL_MS, stopRaised } from '../src/seeds/stop-flag.js';

/** The piscina task: run `input` with `seed`; null when the stop flag was raised first or midway. */
export default async function seedTask({ input, seed, stop }: SeedTask): Promise<SeedAnswer> {
  if (stopRaised(stop)) return null;
  const abort = new AbortController();
  const poll = setInterval(() => {
    if (stopRaised(stop)) abort.abort(new Error('stopped'));
  }, STOP_POLL_MS);
  try {
    const result = await simulate({ ...input, seed }, { signal: abort.signal });
    // A run cut short has the metrics of its last whole tick: not a sample of this configuration.
    return result.partial ? null : seedRunOf(result, seed);
  } finally {
    clearInterval(poll);
  }
}
