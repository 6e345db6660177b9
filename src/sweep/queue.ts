/**
 * A sweep through a Redis-backed BullMQ queue: this side enqueues the runs (job id = run key, so
 * enqueuing twice is a no-op and a job finished by an earlier invocation is collected, not run
 * again) and writes each result to the results file as it arrives; `gossip-sim worker` processes
 * take the runs (src/sweep/worker.ts).
 *
 * Delivery is at least once: a worker that dies mid-run loses its lock, BullMQ's stalled-job check
 * puts the run back, another worker runs it. Results are idempotent by key: a line is written
 * only for a key not yet in the file, so each key is in the file exactly once.
 *
 * Results arrive through QueueEvents ("completed", subscribed before anything is enqueued so none
 * is missed) and, as a safety net for events lost to a reconnect or to the event stream's
 * trimming, by asking Redis for the state of every pending key every few seconds.
 */
import { connect } from 'node:net';
import type { ConnectionOptions, Queue } from 'bullmq';
import { OptionError } from '../errors.js';
import { EXIT_FAILURE, ExitCode } from '../bench/exit.js';
import { lineProblem, type ResultLine, type ResultWriter } from './results.js';
import type { FailedRun, LocalOutcome } from './local.js';
import type { RunSpec } from './run.js';

/** The name of every job: one run. */
export const JOB_NAME = 'run';

/** Seconds to wait for Redis before giving up. */
export const CONNECT_TIMEOUT_SECONDS = 10;

/** Jobs added, or states asked for, per round trip to Redis: bounded so a plan of 100,000 runs is not one command. */
const BATCH = 1000;

/** How often the pending keys are checked against Redis, besides the events. */
const RECONCILE_MS = 5000;

export { DEFAULT_ATTEMPTS } from './defaults.js';

/**
 * BullMQ, loaded when a queue is used: it takes about 170 ms to load, and every `gossip-sim run`
 * (each run of a sweep is one) loads this module through the CLI.
 */
export function loadBullmq(): Promise<typeof import('bullmq')> {
  return import('bullmq');
}

/** `redis://[user:password@]HOST[:PORT][/DB]` (or `rediss://` for TLS) as connection options. */
export function parseRedisUrl(text: string, flag: string): ConnectionOptions & { readonly host: string; readonly port: number } {
  const allowed = 'a Redis URL redis://HOST:PORT (or rediss:// for TLS, with optional user:password@ and /DB)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OptionError(flag, JSON.stringify(text), allowed);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') throw new OptionError(flag, JSON.stringify(text), allowed);
  const db = url.pathname === '' || url.pathname === '/' ? 0 : Number(url.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0) throw new OptionError(flag, JSON.stringify(text), `${allowed}; /DB is a database number`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    db,
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // Blocking connections (workers, events) must retry forever; BullMQ requires null here.
    maxRetriesPerRequest: null,
  };
}

/** The queue of a plan unless --queue-name says otherwise: `gossip-sim-PLANHASH`. */
export function defaultQueueName(planHash: string): string {
  return `gossip-sim-${planHash}`;
}

/** Checks a --queue-name: BullMQ keys are `bull:NAME:...`, so no colon. */
export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name)) {
    throw new OptionError('--queue-name', JSON.stringify(name), 'letters, digits, ".", "_" and "-" (1 to 200 of them)');
  }
  return name;
}

/**
 * Opens and closes a TCP connection to the Redis server, rejecting with `ExitCode` 1 naming it if
 * that fails within CONNECT_TIMEOUT_SECONDS. BullMQ itself would retry a refused connection
 * forever (right for a server that restarts mid-sweep, wrong for a typo in the URL).
 */
export async function probeRedis(connection: { readonly host: string; readonly port: number }, url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: connection.host, port: connection.port });
    const fail = (why: string): void => {
      socket.destroy();
      reject(new ExitCode(EXIT_FAILURE, `cannot reach Redis at ${url} (${why}): is redis-server running there, and reachable from here?`));
    };
    socket.setTimeout(CONNECT_TIMEOUT_SECONDS * 1000, () => fail(`no answer within ${CONNECT_TIMEOUT_SECONDS} s`));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}

/** Resolves when `ready` does, or rejects naming the Redis server after CONNECT_TIMEOUT_SECONDS (a server that never answers as Redis). */
export async function connected(ready: Promise<unknown>, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ExitCode(EXIT_FAILURE, `Redis at ${url} did not get ready within ${CONNECT_TIMEOUT_SECONDS} s (a password or TLS setting missing from the URL?)`)),
      CONNECT_TIMEOUT_SECONDS * 1000,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Seconds `closeQuietly` gives a BullMQ object to close cleanly before it drops the connection. */
const CLOSE_SECONDS = 5;

/**
 * Closes a BullMQ queue, worker or event listener: cleanly if it can within CLOSE_SECONDS, else by
 * dropping its connections (close() waits for a connection that may never come back, and a
 * reconnecting client would keep the process alive).
 */
export async function closeQuietly(target: { close(): Promise<void>; disconnect(): Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_SECONDS * 1000);
  });
  const closed = await Promise.race([target.close().then(() => 'closed' as const, () => 'late' as const), late]);
  clearTimeout(timer);
  // Not awaited: disconnecting a client that never connected can leave its promise pending.
  if (closed === 'late') void target.disconnect().catch(() => undefined);
}

/** Logs a connection error once per distinct message (ioredis reports every retry). */
export function errorLogger(log: ((line: string) => void) | undefined, what: string): (error: Error) => void {
  let last = '';
  return (error) => {
    if (error.message === last) return;
    last = error.message;
    log?.(`${what}: ${error.message} (retrying)`);
  };
}

/** What a queue sweep needs. */
export interface QueueSweepSettings {
  readonly url: string;
  readonly connection: ConnectionOptions & { readonly host: string; readonly port: number };
  readonly queueName: string;
  readonly attempts: number;
  readonly writer: ResultWriter;
  readonly signal: AbortSignal;
  /** Called whenever the count of finished or active runs may have changed. */
  readonly onProgress?: (finished: number, active: number) => void;
  /** One line for stderr (a note, e.g. a failed job retried). */
  readonly log?: (line: string) => void;
}

/**
 * Enqueues `specs` (the runs not yet in the results file) and writes each one's result line to the
 * file as it is finished by any worker; resolves when every spec is in the file or failed for
 * good, or `signal` stopped the wait (the jobs stay queued; a rerun collects them).
 */
export async function runQueueSweep(specs: readonly RunSpec[], settings: QueueSweepSettings): Promise<LocalOutcome> {
  await probeRedis(settings.connection, settings.url);
  const { Job, Queue, QueueEvents } = await loadBullmq();
  const pending = new Map(specs.map((s) => [s.key, s]));
  const finished: ResultLine[] = [];
  const failed: FailedRun[] = [];
  const queue = new Queue(settings.queueName, { connection: settings.connection });
  const events = new QueueEvents(settings.queueName, { connection: settings.connection });
  let wake: () => void = () => undefined;
  const changed = (): void => wake();

  const accept = (key: string, value: unknown): void => {
    const spec = pending.get(key);
    if (spec === undefined) return;
    // This plan's own index and hash: the same run may have been enqueued by another plan first.
    const line = { ...(value as ResultLine), plan: spec.plan, index: spec.index };
    const problem = lineProblem(JSON.stringify(line));
    if (problem !== null) {
      pending.delete(key);
      failed.push({ spec, reason: `the worker's result is not a valid result line: ${problem}` });
      changed();
      return;
    }
    settings.writer.append(line);
    pending.delete(key);
    finished.push(line);
    changed();
  };
  const failFor = (key: string, reason: string): void => {
    const spec = pending.get(key);
    if (spec === undefined) return;
    pending.delete(key);
    failed.push({ spec, reason });
    changed();
  };

  queue.on('error', errorLogger(settings.log, 'Redis'));
  events.on('error', errorLogger(settings.log, 'Redis events'));
  try {
    await connected(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), settings.url);
    if (specs.length > 0) {
      settings.log?.(`queueing ${specs.length} runs on queue ${settings.queueName} at ${settings.url}; start workers with: gossip-sim worker ${settings.url} --queue-name ${settings.queueName}`);
    }
    events.on('completed', ({ jobId, returnvalue }) => accept(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => {
      // "failed" is also emitted for an attempt that will be retried: only a job in the failed set is done.
      void queue.getJobState(jobId).then((state) => {
        if (state === 'failed') failFor(jobId, failedReason);
      }, () => undefined);
    });
    // Idempotent: a job id that exists already (queued, running, finished) is left as it is.
    for (let i = 0; i < specs.length; i += BATCH) {
      await queue.addBulk(specs.slice(i, i + BATCH).map((spec) => ({
        name: JOB_NAME,
        data: spec,
        opts: { jobId: spec.key, attempts: settings.attempts, removeOnComplete: false, removeOnFail: false },
      })));
    }
    await reconcile(queue, Job, pending, accept, failFor, settings.log, true);

    const onAbort = (): void => wake();
    settings.signal.addEventListener('abort', onAbort, { once: true });
    try {
      let lastReconcile = performance.now();
      while (pending.size > 0 && !settings.signal.aborted) {
        settings.onProgress?.(finished.length, await queue.getActiveCount());
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
        wake = () => undefined;
        if (performance.now() - lastReconcile > RECONCILE_MS) {
          await reconcile(queue, Job, pending, accept, failFor, settings.log, false);
          lastReconcile = performance.now();
        }
      }
    } finally {
      settings.signal.removeEventListener('abort', onAbort);
    }
    settings.onProgress?.(finished.length, 0);
  } finally {
    await Promise.all([closeQuietly(events), closeQuietly(queue)]);
  }
  return { finished, failed, interrupted: settings.signal.aborted && pending.size > 0 };
}

/**
 * Asks Redis for the state of every pending key: a finished job is collected; a failed one is
 * retried when `retryFailed` (the first look of an invocation: a rerun retries runs that failed
 * before), else reported.
 */
async function reconcile(
  queue: Queue,
  Job: typeof import('bullmq').Job,
  pending: ReadonlyMap<string, RunSpec>,
  accept: (key: string, value: unknown) => void,
  failFor: (key: string, reason: string) => void,
  log: ((line: string) => void) | undefined,
  retryFailed: boolean,
): Promise<void> {
  const keys = [...pending.keys()];
  const states: string[] = [];
  for (let i = 0; i < keys.length; i += BATCH) states.push(...(await Promise.all(keys.slice(i, i + BATCH).map((key) => queue.getJobState(key)))));
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const state = states[i];
    if (state !== 'completed' && state !== 'failed') continue;
    const job = await Job.fromId(queue, key);
    if (job === undefined) continue;
    if (state === 'completed') accept(key, job.returnvalue);
    else if (retryFailed) {
      log?.(`run ${key} had failed in the queue (${job.failedReason}); retrying it`);
      await job.retry('failed');
    } else failFor(key, job.failedReason);
  }
}
