/**
 * `gossip-sim run --seeds LIST`: the run's configuration once per seed, printed as one aggregate
 * (a table of mean, sd, 95% CI and n per metric, or with --json one JSON object). Exit codes as
 * `run`: 0, 2 usage, 3 a run did not converge under --require-convergence, 130 interrupted (the
 * runs finished so far are still printed). src/cli.ts passes in what it owns (its io, `jsonOf`),
 * so this module imports nothing from it at run time.
 */
import { renderTable } from '../bench/format.js';
import { EXIT_INTERRUPTED, EXIT_NOT_CONVERGED, EXIT_OK, EXIT_USAGE, ExitCode } from '../bench/exit.js';
import type { CliIo } from '../cli.js';
import { formatLatency, type SimulationInput } from '../options.js';
import type { Result } from '../simulate.js';
import { formatCount } from '../summary.js';
import { SweepProgress } from '../sweep/progress.js';
import { formatNumber } from '../sweep/table.js';
import type { MetricAggregate } from './aggregate.js';
import { parseSeeds } from './parse.js';
import { runSeeds, type SeedsOutcome, type SeedsPlan } from './run.js';
import type { SeedRun } from './seed-run.js';

/** The flags of `run` that `--seeds` reads (src/cli.ts RunFlags has them all). */
export interface SeedsFlags {
  readonly seed?: string | undefined;
  readonly json?: boolean | undefined;
  readonly trace?: string | undefined;
  readonly report?: string | undefined;
  readonly requireConvergence?: boolean | undefined;
}

/** What src/cli.ts hands over. */
export interface SeedsCommandContext {
  readonly io: CliIo;
  readonly setExit: (code: number) => void;
  /** The run's options from its flags (cli.ts `inputOf`); validated here. */
  readonly input: SimulationInput;
  /** `--timeout`, parsed (cli.ts): it stops the whole set of runs. */
  readonly timeoutSeconds: number | undefined;
  /** One run's `run --json` document (cli.ts `jsonOf`). */
  readonly jsonOf: (result: Result) => Record<string, unknown>;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
const NO_SERIES: Result['series'] = { sent: [], delivered: [], complete: [], coverage: [], live: [] };

/** Runs `run --seeds seedsText` with the other flags of `run`. */
export async function runSeedsCommand(seedsText: string, flags: SeedsFlags, context: SeedsCommandContext): Promise<void> {
  const { io } = context;
  if (flags.seed !== undefined) {
    throw new ExitCode(EXIT_USAGE, `--seed ${flags.seed} and --seeds ${seedsText}: give one of them (--seeds runs every seed it lists)`);
  }
  for (const [flag, value] of [['--trace', flags.trace], ['--report', flags.report]] as const) {
    if (value !== undefined) {
      throw new ExitCode(EXIT_USAGE, `${flag} takes one run, not --seeds: drop ${flag}, or run the seed to look at alone with --seed K ${flag} ${value}`);
    }
  }
  const seeds = parseSeeds(seedsText);
  const stop = new AbortController();
  const release = stopOnSignals(stop, context.timeoutSeconds);
  const progress = flags.json === true ? null : new SweepProgress(io, seeds.length, 0, 'seeds');
  const started = performance.now();
  let outcome: SeedsOutcome;
  try {
    outcome = await runSeeds(context.input, seeds, {
      signal: stop.signal,
      onProgress: progress === null ? undefined : (finished, running) => progress.set(finished, running),
    });
  } finally {
    release();
    progress?.stop();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  if (flags.json === true) io.stdout(`${JSON.stringify(seedsJsonOf(outcome, seeds, wallSeconds, context.jsonOf))}\n`);
  else io.stdout(formatSeeds(outcome, seedsText, seeds.length, wallSeconds));

  const unconverged = outcome.runs.filter((r) => !r.converged).length;
  if (outcome.partial) {
    const why = stop.signal.reason instanceof Error ? stop.signal.reason.message : 'interrupted';
    io.stderr(`gossip-sim: ${why}: ${outcome.runs.length} of ${seeds.length} runs finished; the aggregate above covers those (a run cut short is left out)\n`);
    context.setExit(EXIT_INTERRUPTED);
  } else if (flags.requireConvergence === true && unconverged > 0) {
    io.stderr(`gossip-sim: ${unconverged} of ${seeds.length} runs did not converge and --require-convergence was given\n`);
    context.setExit(EXIT_NOT_CONVERGED);
  } else {
    context.setExit(EXIT_OK);
  }
}

/**
 * Aborts `stop` on SIGINT, SIGTERM (`timeout`, CI cancellation) or after `timeoutSeconds`, as
 * `run` does. Returns the function that removes the handlers.
 */
function stopOnSignals(stop: AbortController, timeoutSeconds: number | undefined): () => void {
  const onSignal = (signal: NodeJS.Signals): void => stop.abort(new Error(`interrupted (${signal})`));
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  const timer = timeoutSeconds === undefined ? undefined
    : setTimeout(() => stop.abort(new Error(`--timeout ${timeoutSeconds} s reached`)), timeoutSeconds * 1000);
  return () => {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    if (timer !== undefined) clearTimeout(timer);
  };
}

/**
 * The JSON document of `run --seeds --json`. Each run is `run --json`'s document plus its `seed`,
 * without `series` and `hostCompletionTicks` (per tick and per host: a run's --json has them).
 * Allocates.
 */
export function seedsJsonOf(
  outcome: SeedsOutcome,
  seeds: readonly number[],
  wallSeconds: number,
  jsonOf: (result: Result) => Record<string, unknown>,
): Record<string, unknown> {
  const { seed, ...options } = outcome.plan.options;
  return {
    aggregate: outcome.aggregate,
    runs: outcome.runs.map((run) => runJsonOf(run, jsonOf)),
    options: { ...options, latency: formatLatency(options.latency) },
    seeds: { count: seeds.length, first: seeds[0] ?? null, last: seeds[seeds.length - 1] ?? null },
    wallSeconds,
    partial: outcome.partial,
  };
}

function runJsonOf(run: SeedRun, jsonOf: (result: Result) => Record<string, unknown>): Record<string, unknown> {
  const { series, hostCompletionTicks, ...doc } = jsonOf({ ...run, series: NO_SERIES, hostCompletionTicks: [] });
  return { seed: run.seed, ...doc };
}

/** The human form: the configuration, the table of metrics, and one line of runs and wall time. */
export function formatSeeds(outcome: SeedsOutcome, seedsText: string, requested: number, wallSeconds: number): string {
  const head = ['metric', 'mean', 'sd', '95% CI', 'n'];
  const rows = Object.entries(outcome.aggregate).map(([name, a]) => [name, ...cellsOf(a)]);
  const runs = outcome.runs.length;
  const done = `${formatCount(runs)}${runs < requested ? ` of ${formatCount(requested)}` : ''} run${requested === 1 ? '' : 's'}`;
  return `gossip-sim: ${configurationOf(outcome.plan, seedsText)}\n` +
    `${renderTable({ head, rows })}\n` +
    `${done} in ${wallSeconds.toFixed(2)} s wall time (${outcome.plan.reason})\n`;
}

function cellsOf(a: MetricAggregate): string[] {
  if (a.mean === null) return ['n/a', 'n/a', 'n/a', '0'];
  return [formatNumber(a.mean), formatNumber(a.sd), `${formatNumber(a.ci95[0])} .. ${formatNumber(a.ci95[1])}`, formatCount(a.n)];
}

/** `1,000 hosts, push, fanout 1, view known, latency 1, loss 0, seeds 1..400 (parallel engine, 1 thread)`. */
function configurationOf(plan: SeedsPlan, seedsText: string): string {
  const o = plan.options;
  const list = seedsText.length > 40 ? `${seedsText.slice(0, 37)}...` : seedsText;
  const parts = [
    `${formatCount(o.hosts)} hosts`,
    o.protocol,
    ...(o.protocol === 'announce' ? [] : [`fanout ${o.fanout}`, `view ${o.view}`]),
    `latency ${formatLatency(o.latency)}`,
    `loss ${o.loss}`,
    `seeds ${list.trim()}`,
  ];
  const engine = o.engine === 'reference' ? 'reference engine' : `parallel engine, ${o.threads} thread${o.threads === 1 ? '' : 's'} per run`;
  return `${parts.join(', ')} (${engine})`;
}
