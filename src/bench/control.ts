/**
 * The CPU-scaling control: the same pure arithmetic loop (xorshift, no memory traffic, no
 * synchronisation) on 1 worker thread and then on N at once, each doing the same amount of work.
 * Its speedup N·t1/tN is what this machine gives N threads at that moment, with nothing of the
 * simulator in it. A simulator speedup of 1.3× beside a control of 1.95× is the simulator's; beside
 * a control of 1.05× it is the machine's (a shared or throttled core). MEASUREMENTS.md saw the
 * control on 2 vCPUs fall from 1.95× to ~1.0× for ten minutes: hence it is measured before and
 * after every sweep, in the same run.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { spreadOf, type Spread } from './stats.js';

/** One measurement of the control at N threads. */
export interface ControlSample {
  /** Measured before or after the sweep's runs. */
  readonly phase: 'before' | 'after';
  /** Seconds for one worker to do one unit of work. */
  readonly oneSeconds: number;
  /** Seconds for N workers to do one unit each, all started together. */
  readonly manySeconds: number;
  /** N · oneSeconds / manySeconds: N for perfect scaling. */
  readonly speedup: number;
}

/** The control at one thread count. */
export interface ControlResult {
  readonly threads: number;
  /** More threads than `os.availableParallelism()`. */
  readonly oversubscribed: boolean;
  readonly samples: ControlSample[];
  /** Over all samples, before and after. */
  readonly speedup: Spread;
  /** Median speedup / threads: 1 for perfect scaling. */
  readonly efficiency: number;
}

/** How long one unit of work takes on one thread, and how many samples per phase. */
export interface ControlSettings {
  /** Target seconds of one unit (default 0.1). */
  readonly unitSeconds?: number;
  /** Samples per thread count and phase (default 3). */
  readonly samples?: number;
}

/**
 * The worker: runs `iterations` rounds of xorshift32 and answers with the accumulator (so the loop
 * cannot be optimised away). CommonJS, evaluated from this string: no file to ship or resolve.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (iterations) => {
  let x = 0x9e3779b9 | 0;
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    acc = (acc + (x & 0xffff)) | 0;
  }
  parentPort.postMessage(acc);
});
`;

/** Workers of the control, started once and reused by every phase. */
export class ScalingControl {
  private readonly workers: Worker[];
  private iterations = 0;
  private readonly unitSeconds: number;
  private readonly samplesPerPhase: number;
  private readonly results = new Map<number, ControlSample[]>();

  /** Starts max(threadCounts) workers. Call `close()` when done. */
  constructor(readonly threadCounts: readonly number[], settings: ControlSettings = {}) {
    this.unitSeconds = settings.unitSeconds ?? 0.1;
    this.samplesPerPhase = settings.samples ?? 3;
    const most = Math.max(1, ...threadCounts);
    this.workers = Array.from({ length: most }, () => new Worker(WORKER_SOURCE, { eval: true }));
  }

  /** Measures every thread count > 1 once per sample; the first call also calibrates the unit. */
  async measure(phase: 'before' | 'after'): Promise<void> {
    if (this.iterations === 0) await this.calibrate();
    for (let s = 0; s < this.samplesPerPhase; s++) {
      for (const n of this.threadCounts) {
        if (n < 2) continue;
        const oneSeconds = await this.timeUnits(1);
        const manySeconds = await this.timeUnits(n);
        const sample: ControlSample = { phase, oneSeconds, manySeconds, speedup: (n * oneSeconds) / manySeconds };
        const list = this.results.get(n) ?? [];
        list.push(sample);
        this.results.set(n, list);
      }
    }
  }

  /** Results so far, one per thread count > 1, ascending. Allocates. */
  report(): ControlResult[] {
    return [...this.results.entries()]
      .sort(([a], [b]) => a - b)
      .map(([threads, samples]) => {
        const speedup = spreadOf(samples.map((s) => s.speedup));
        return { threads, oversubscribed: threads > availableParallelism(), samples, speedup, efficiency: speedup.median / threads };
      });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Warms every worker's JIT, then sizes a unit to about `unitSeconds` on one worker. */
  private async calibrate(): Promise<void> {
    const probe = 2_000_000;
    await Promise.all(this.workers.map((w) => run(w, probe)));
    let seconds = 0;
    let iterations = probe;
    while (seconds < 0.02) {
      iterations *= 2;
      const started = performance.now();
      await run(this.workers[0]!, iterations);
      seconds = (performance.now() - started) / 1000;
    }
    this.iterations = Math.max(1, Math.round((iterations * this.unitSeconds) / seconds));
  }

  /** Seconds for `n` workers to do one unit each, started together. */
  private async timeUnits(n: number): Promise<number> {
    const started = performance.now();
    await Promise.all(this.workers.slice(0, n).map((w) => run(w, this.iterations)));
    return (performance.now() - started) / 1000;
  }
}

/** The next message of `worker`; rejects if the worker fails first. */
export function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (message: T): void => {
      worker.off('error', onError);
      resolve(message);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
}

function run(worker: Worker, iterations: number): Promise<number> {
  const answer = nextMessage<number>(worker);
  worker.postMessage(iterations);
  return answer;
}
