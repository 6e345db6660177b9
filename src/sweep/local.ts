/**
 * A sweep on this machine: a pool of child processes, `concurrency` at a time, each appending its
 * line to the results file as it finishes. A failed run is reported and left out of the file (a
 * rerun tries it again); the others go on. Aborting `signal` kills the children and stops.
 */
import { BenchRunError } from '../bench/sweep.js';
import { executeRun, type RunContext, type RunSpec } from './run.js';
import type { ResultLine, ResultWriter } from './results.js';

/** A run that did not produce a line, and why. */
export interface FailedRun {
  readonly spec: RunSpec;
  readonly reason: string;
}

/** How a local sweep ended. */
export interface LocalOutcome {
  readonly finished: ResultLine[];
  readonly failed: FailedRun[];
  /** True when `signal` stopped it before every run ended. */
  readonly interrupted: boolean;
}

/** What a local sweep runs and reports to. */
export interface LocalSettings {
  readonly concurrency: number;
  readonly context: RunContext;
  readonly writer: ResultWriter;
  readonly signal: AbortSignal;
  readonly onStart?: (spec: RunSpec) => void;
  readonly onEnd?: (spec: RunSpec, line: ResultLine | null) => void;
}

/**
 * Runs `specs` in order, `concurrency` at once, appending each finished line to the writer. An
 * error other than a failed run (the results file cannot be written) kills the other children
 * and is rethrown once they are gone.
 */
export async function runLocal(specs: readonly RunSpec[], settings: LocalSettings): Promise<LocalOutcome> {
  const finished: ResultLine[] = [];
  const failed: FailedRun[] = [];
  // One signal for the children: the caller's, or this function's own on a fatal error.
  const stop = new AbortController();
  const signal = stop.signal;
  if (settings.signal.aborted) stop.abort(settings.signal.reason);
  else settings.signal.addEventListener('abort', () => stop.abort(settings.signal.reason), { once: true });
  let fatal: { error: unknown } | null = null;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < specs.length && !signal.aborted) {
      const spec = specs[next++]!;
      settings.onStart?.(spec);
      let line: ResultLine | null = null;
      try {
        line = await executeRun(spec, settings.context, signal);
        settings.writer.append(line);
        finished.push(line);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof BenchRunError) failed.push({ spec, reason: error.message });
        else {
          fatal = { error };
          stop.abort(error);
        }
      } finally {
        settings.onEnd?.(spec, line);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, specs.length) }, lane));
  if (fatal !== null) throw (fatal as { error: unknown }).error;
  return { finished, failed, interrupted: settings.signal.aborted && finished.length + failed.length < specs.length };
}
