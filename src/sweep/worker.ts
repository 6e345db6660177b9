/**
 * `gossip-sim worker`: takes runs from a sweep's BullMQ queue, `concurrency` at a time, each as a
 * child process (a crash or an out-of-memory kill takes the child, not the worker, and the
 * worker's event loop stays free to renew its job locks while a run computes).
 *
 * A worker that dies (SIGKILL, a lost machine) stops renewing its locks; after `lockDuration` its
 * runs count as stalled and the stalled-job check of any live worker, every `stalledInterval`,
 * puts them back in the queue for another worker. A worker asked to stop (SIGINT, SIGTERM) takes
 * no new run, kills the runs in progress and hands them back at once (without using an attempt),
 * then exits 0.
 */
import type { ConnectionOptions, Job } from 'bullmq';
import { closeQuietly, connected, errorLogger, JOB_NAME, loadBullmq, probeRedis } from './queue.js';
import type { ResultLine } from './results.js';
import { argsOf, describeRun, executeRun, type RunContext, type RunSpec } from './run.js';

export { DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS } from './defaults.js';

/** How a worker runs. */
export interface WorkerSettings {
  readonly url: string;
  readonly connection: ConnectionOptions & { readonly host: string; readonly port: number };
  readonly queueName: string;
  readonly concurrency: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly context: RunContext;
  /** Aborting it stops the worker as SIGINT does. */
  readonly signal: AbortSignal;
  /** One line for stderr. */
  readonly log: (line: string) => void;
}

/** What a worker did before it stopped. */
export interface WorkerOutcome {
  readonly finished: number;
  readonly failed: number;
  readonly handedBack: number;
}

/** Runs a worker until `signal` is aborted. */
export async function runWorker(settings: WorkerSettings): Promise<WorkerOutcome> {
  await probeRedis(settings.connection, settings.url);
  const { UnrecoverableError, WaitingError, Worker } = await loadBullmq();
  const { context, log } = settings;
  const outcome = { finished: 0, failed: 0, handedBack: 0 };
  let stopping = false;
  const processJob = async (job: Job<RunSpec, ResultLine>, token?: string, signal?: AbortSignal): Promise<ResultLine> => {
    const spec = job.data;
    if (job.name !== JOB_NAME) throw new UnrecoverableError(`job ${job.id} is not a gossip-sim run (name ${JSON.stringify(job.name)})`);
    try {
      argsOf(spec);
    } catch (error) {
      // A job of another version or an edited one fails at once: retrying cannot help.
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    const name = describeRun(spec);
    log(`run ${name}: started (attempt ${job.attemptsMade + 1})`);
    try {
      const line = await executeRun(spec, context, signal);
      outcome.finished++;
      log(`run ${spec.key}: finished in ${line.processSeconds.toFixed(2)} s`);
      return line;
    } catch (error) {
      if (stopping) {
        // Back to the queue for another worker, without using one of the job's attempts.
        await job.moveToWait(token);
        outcome.handedBack++;
        log(`run ${spec.key}: handed back to the queue`);
        throw new WaitingError();
      }
      outcome.failed++;
      log(`run ${spec.key}: failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  };
  const worker = new Worker<RunSpec, ResultLine>(settings.queueName, processJob, {
    connection: settings.connection,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    autorun: false,
  });
  worker.on('error', errorLogger(log, 'Redis'));
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    log('stopping: no new runs; the runs in progress are killed and handed back to the queue');
    worker.cancelAllJobs('the worker is stopping');
  };
  try {
    await connected(worker.waitUntilReady(), settings.url);
    if (settings.signal.aborted) return outcome;
    settings.signal.addEventListener('abort', stop, { once: true });
    log(`taking runs from queue ${settings.queueName} at ${settings.url}, ${settings.concurrency} at a time (Ctrl-C or SIGTERM stops)`);
    // run() resolves when close() ends its loop; close() below is what this worker waits for.
    worker.run().catch((error: unknown) => log(`the worker stopped: ${error instanceof Error ? error.message : String(error)}`));
    await new Promise<void>((resolve) => {
      if (settings.signal.aborted) resolve();
      else settings.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    settings.signal.removeEventListener('abort', stop);
    await closeQuietly(worker);
  }
  return outcome;
}
