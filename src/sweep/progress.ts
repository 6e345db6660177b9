/**
 * The progress bar of a sweep on stderr (cli-progress): runs done of the runs this invocation
 * covers, runs in progress, elapsed time and an estimate of the time left from the rate of this
 * invocation's finished runs. Drawn on a terminal only; a log file or CI capture gets nothing.
 */
import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';
import { clock } from '../bench/progress.js';

// Loaded when a bar is drawn, not with the CLI that every run of a sweep starts.
const require = createRequire(import.meta.url);

/** Where the bar writes. */
export interface ProgressOutput {
  readonly stderr: (text: string) => void;
  readonly stderrIsTTY: boolean;
}

/** A redrawing bar: `sweep [=====-----] 12/36 runs, 2 running, 0:41 elapsed, about 1:22 left`. */
export class SweepProgress {
  private readonly bar: cliProgressTypes.SingleBar | null;
  private running = 0;
  private done: number;

  /** `label` starts the line: `sweep`, or `seeds` for `run --seeds`. */
  constructor(output: ProgressOutput, readonly total: number, done: number, label = 'sweep') {
    this.done = done;
    if (!output.stderrIsTTY || total === 0) {
      this.bar = null;
      return;
    }
    const cliProgress = require('cli-progress') as typeof cliProgressTypes;
    // cli-progress writes to a stream; this one forwards to the CLI's stderr function.
    const stream = { isTTY: true, columns: process.stderr.columns ?? 100, write: (text: string) => (output.stderr(text), true) };
    this.bar = new cliProgress.SingleBar({
      stream: stream as unknown as NodeJS.WritableStream,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      // The whole invocation's rate: runs take seconds each, a short window would jump about.
      etaBuffer: 10_000,
      format: (options, params, payload: { running: number }) => {
        const bar = cliProgress.Format.BarFormat(params.progress, options);
        const elapsed = (Date.now() - params.startTime) / 1000;
        const eta = typeof params.eta === 'number' && Number.isFinite(params.eta) && params.value > done ? `, about ${clock(params.eta)} left` : '';
        return `${label} [${bar}] ${params.value}/${params.total} runs, ${payload.running} running, ${clock(elapsed)} elapsed${eta}`;
      },
    });
    this.bar.start(total, done, { running: 0 });
  }

  /** A run started. */
  started(): void {
    this.running++;
    this.bar?.update(this.done, { running: this.running });
  }

  /** A run ended; `finished` when it produced a result line. */
  ended(finished: boolean): void {
    this.running--;
    if (finished) this.done++;
    this.bar?.update(this.done, { running: this.running });
  }

  /** Sets the count of finished runs (the queue collector learns them from Redis). */
  set(done: number, running: number): void {
    this.done = done;
    this.running = running;
    this.bar?.update(done, { running });
  }

  /** Clears the bar. */
  stop(): void {
    this.bar?.stop();
  }
}
