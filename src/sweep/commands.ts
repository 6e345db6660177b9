/**
 * The `sweep`, `worker` and `merge` subcommands (docs/scale-out.md), which register.ts adds to the
 * CLI's commander program (and loads only when one runs); like `bench`, their actions end with a non-zero status by
 * throwing `ExitCode`, and usage errors are `OptionError`s (exit 2, one line naming the option or
 * the file and JSON path, the value and what is allowed).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { CliIo } from '../cli.js';
import { integerFlag } from '../bench/commands.js';
import { checkWritable } from '../output-file.js';
import { collectEnvironment } from '../bench/environment.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, ExitCode } from '../bench/exit.js';
import { OptionError } from '../errors.js';
import { builtCli } from '../bench/paths.js';
import { preflight } from '../bench/sweep.js';
import { runLocal, type LocalOutcome } from './local.js';
import { readPlan, type Plan, type PlanRun } from './plan.js';
import { SweepProgress } from './progress.js';
import { checkQueueName, DEFAULT_ATTEMPTS, defaultQueueName, parseRedisUrl, runQueueSweep } from './queue.js';
import { readResultFile, repairForAppend, ResultWriter } from './results.js';
import { concurrencyFor, describeRun, runContext, threadsOf, type RunSpec } from './run.js';
import { inSlice, resolveSlice, type Slice } from './slice.js';
import { DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS, runWorker } from './worker.js';

/** The flags of `gossip-sim sweep`, as commander hands them over (text). */
export interface SweepFlags {
  out?: string;
  index?: string;
  count?: string;
  concurrency?: string;
  queue?: string;
  queueName?: string;
  attempts?: string;
  dryRun?: boolean;
}

/** The flags of `gossip-sim worker`. */
export interface WorkerFlags {
  plan?: string;
  queueName?: string;
  concurrency?: string;
  lockDuration?: string;
  stalledInterval?: string;
}

const MAX_CONCURRENCY = 1024;
const MAX_ATTEMPTS = 100;
const MAX_INTERVAL_MS = 86_400_000;

/** Runs `gossip-sim sweep`. */
export async function sweepCommand(planFile: string, flags: SweepFlags, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const plan = readPlan(planFile);
  const slice = resolveSlice(flags, env);
  const runs = inSlice(plan.runs, slice);
  const concurrency = flags.concurrency === undefined ? undefined : integerFlag('--concurrency', flags.concurrency, 1, MAX_CONCURRENCY);
  const attempts = flags.attempts === undefined ? DEFAULT_ATTEMPTS : integerFlag('--attempts', flags.attempts, 1, MAX_ATTEMPTS);
  if (flags.queue === undefined) {
    for (const [flag, value] of [['--queue-name', flags.queueName], ['--attempts', flags.attempts]] as const) {
      if (value !== undefined) throw new OptionError(flag, JSON.stringify(value), '--queue REDIS-URL beside it (it applies to queue sweeps only)');
    }
  }
  if (flags.queue !== undefined && flags.concurrency !== undefined) {
    throw new OptionError('--concurrency', JSON.stringify(flags.concurrency), 'no --concurrency with --queue (the workers run the runs: give it to each `gossip-sim worker`)');
  }
  const connection = flags.queue === undefined ? null : parseRedisUrl(flags.queue, '--queue');
  const queueName = checkQueueName(flags.queueName ?? defaultQueueName(plan.hash));
  if (flags.dryRun === true) {
    io.stdout(`${describePlan(plan, slice, runs)}\n${runs.map((r) => `${r.index}\t${describeRun(r)}\n`).join('')}`);
    return;
  }
  if (flags.out === undefined) throw new OptionError('--out', 'nothing', 'a results file FILE.jsonl (it is also what a rerun resumes from)');
  const out = checkWritable('--out', flags.out);

  const file = readResultFile(out);
  const other = file.lines.find((l) => l.plan !== plan.hash);
  if (other !== undefined) {
    throw new OptionError('--out', JSON.stringify(flags.out), `a results file of this plan (${planFile} is plan ${plan.hash}; the file holds runs of plan ${other.plan}): give another file`);
  }
  const dropped = repairForAppend(file);
  if (dropped !== null) io.stderr(`gossip-sim: sweep: ${flags.out}: dropped line ${dropped}, cut short (a run interrupted while it was written); that run runs again\n`);
  const done = new Set(file.lines.map((l) => l.key));
  const pending: RunSpec[] = runs.filter((r) => !done.has(r.key)).map(specOf(plan));
  const already = runs.length - pending.length;

  const cli = builtCli();
  if (connection === null && !existsSync(cli)) throw new ExitCode(EXIT_FAILURE, `${cli} is missing: run \`npm run build\` first (every run starts the built CLI)`);
  // Memory is checked where the runs run: here for a local sweep, by each run on a worker.
  if (connection === null) preflight(runs.filter((r) => !done.has(r.key)).map((r) => ({ id: r.key, options: r.simulation, args: r.args, oversubscribed: false })), 'fail');
  const lanes = concurrency ?? concurrencyFor(Math.max(1, ...pending.map((s) => threadsOf(s.options))), availableParallelism());

  const interrupt = interruptOnSignals();
  const progress = new SweepProgress(io, runs.length, already);
  const writer = new ResultWriter(out);
  const started = performance.now();
  let outcome: LocalOutcome;
  try {
    if (connection === null) {
      outcome = await runLocal(pending, {
        concurrency: lanes,
        context: runContext(collectEnvironment()),
        writer,
        signal: interrupt.signal,
        onStart: () => progress.started(),
        onEnd: (_, line) => progress.ended(line !== null),
      });
    } else {
      outcome = await runQueueSweep(pending, {
        url: flags.queue!,
        connection,
        queueName,
        attempts,
        writer,
        signal: interrupt.signal,
        onProgress: (finished, active) => progress.set(already + finished, active),
        log: (line) => io.stderr(`gossip-sim: sweep: ${line}\n`),
      });
    }
  } finally {
    progress.stop();
    writer.close();
    interrupt.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const inFile = already + outcome.finished.length;
  const where = `${slice === null ? '' : `slice ${slice.index} of ${slice.count}: `}${inFile} of ${runs.length} runs in ${flags.out}`;
  if (outcome.interrupted) {
    const queued = connection === null ? '' : ' (the queued runs stay queued and workers go on with them)';
    throw new ExitCode(EXIT_INTERRUPTED, `sweep: interrupted (${interrupt.reason()}): ${where}${queued}; rerun the same command to resume`);
  }
  for (const f of outcome.failed) io.stderr(`gossip-sim: sweep: run ${describeRun(f.spec)} failed: ${f.reason}\n`);
  const how = connection === null ? `${Math.min(lanes, pending.length)} at a time` : `by the workers of queue ${queueName}`;
  const now = pending.length === 0 ? 'nothing to run' : `${outcome.finished.length} run now, ${how}, in ${seconds.toFixed(1)} s`;
  io.stdout(`sweep: ${where} (plan ${plan.hash}): ${now}; ${already} were there already\n`);
  if (outcome.failed.length > 0) {
    throw new ExitCode(EXIT_FAILURE, `sweep: ${outcome.failed.length} run${outcome.failed.length === 1 ? '' : 's'} failed (above) and are not in ${flags.out}; rerun the same command to retry them`);
  }
}

/** Runs `gossip-sim worker` until SIGINT or SIGTERM. */
export async function workerCommand(url: string, flags: WorkerFlags, io: CliIo): Promise<void> {
  const connection = parseRedisUrl(url, 'redis-url');
  if ((flags.plan === undefined) === (flags.queueName === undefined)) {
    const given = flags.plan === undefined ? 'neither' : 'both';
    throw new OptionError('--plan/--queue-name', given, 'one of them: --plan PLAN.json (to serve its queue, gossip-sim-PLANHASH) or --queue-name NAME');
  }
  const plan = flags.plan === undefined ? null : readPlan(flags.plan);
  const queueName = checkQueueName(plan === null ? flags.queueName! : defaultQueueName(plan.hash));
  const threads = plan === null ? 1 : Math.max(1, ...plan.runs.map((r) => threadsOf(r.options)));
  const concurrency = flags.concurrency === undefined ? concurrencyFor(threads, availableParallelism()) : integerFlag('--concurrency', flags.concurrency, 1, MAX_CONCURRENCY);
  const lockDurationMs = flags.lockDuration === undefined ? DEFAULT_LOCK_DURATION_MS : integerFlag('--lock-duration', flags.lockDuration, 100, MAX_INTERVAL_MS);
  const stalledIntervalMs = flags.stalledInterval === undefined ? DEFAULT_STALLED_INTERVAL_MS : integerFlag('--stalled-interval', flags.stalledInterval, 100, MAX_INTERVAL_MS);
  const cli = builtCli();
  if (!existsSync(cli)) throw new ExitCode(EXIT_FAILURE, `${cli} is missing: run \`npm run build\` first (every run starts the built CLI)`);
  const context = runContext(collectEnvironment());
  const interrupt = interruptOnSignals();
  try {
    const outcome = await runWorker({
      url, connection, queueName, concurrency, lockDurationMs, stalledIntervalMs, context,
      signal: interrupt.signal,
      log: (line) => io.stderr(`gossip-sim: worker ${context.runner}: ${line}\n`),
    });
    io.stderr(`gossip-sim: worker ${context.runner}: stopped (${interrupt.reason()}): ${outcome.finished} runs finished, ${outcome.failed} failed, ${outcome.handedBack} handed back\n`);
  } finally {
    interrupt.dispose();
  }
}

function specOf(plan: Plan): (run: PlanRun) => RunSpec {
  return (run) => ({ key: run.key, plan: plan.hash, index: run.index, options: run.options, seed: run.seed });
}

function describePlan(plan: Plan, slice: Slice | null, runs: readonly PlanRun[]): string {
  const repeats = plan.repeats === 0 ? '' : `, ${plan.repeats} repeated runs left out`;
  const part = slice === null ? '' : `; slice ${slice.index} of ${slice.count} (${slice.source}): ${runs.length} runs`;
  return `plan ${plan.file} (plan ${plan.hash}): ${plan.runs.length} runs${repeats}${part}`;
}

/**
 * An AbortSignal aborted by the first SIGINT or SIGTERM, while installed. A second signal exits at
 * once with 130: the results file is valid at every moment (lines are written whole), so nothing
 * is lost by not waiting for a stuck clean-up.
 */
function interruptOnSignals(): { readonly signal: AbortSignal; reason: () => string; dispose: () => void } {
  const controller = new AbortController();
  let reason = 'stopped';
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = (): void => {
      if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
      reason = name;
      controller.abort(new Error(`interrupted (${name})`));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    reason: () => reason,
    dispose: () => {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
    },
  };
}
