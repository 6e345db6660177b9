/**
 * The sweep: every configuration is validated first (bad input fails before any run), then run as
 * its own child process `node dist/src/cli.js run ... --json` (fresh heap, no JIT or pool state
 * carried over, peak RSS counted by the OS for that process alone): `warmup` runs that are recorded
 * but not summarised, then `repeat` measured runs. The CPU-scaling control is measured before and
 * after the runs, in the same process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { checkMemory } from '../engines/memory.js';
import { formatLatency, resolveOptions, type SimulationInput, type SimulationOptions } from '../options.js';
import { METRIC_NAMES } from '../result.js';
import { ScalingControl, type ControlResult, type ControlSettings } from './control.js';
import { collectEnvironment } from './environment.js';
import { EXIT_USAGE, ExitCode } from './exit.js';
import { builtCli, packageInfo, packageRoot } from './paths.js';
import {
  RESULTS_KIND, SCHEMA_VERSION,
  type BenchMetrics, type BenchOptions, type BenchResults, type ConfigurationResult, type Sample, type SkippedConfiguration,
} from './schema.js';
import { median, spreadOf } from './stats.js';

/** One configuration to measure: validated options and the exact arguments of its runs. */
export interface Configuration {
  /** Every option in a fixed order; matches configurations across result files. */
  readonly id: string;
  readonly options: SimulationOptions;
  /** Arguments after `gossip-sim`, `--json` included. */
  readonly args: readonly string[];
  readonly oversubscribed: boolean;
}

/** The axes of a sweep (lists) and the options shared by every configuration. */
export interface SweepGrid {
  readonly protocols: readonly NonNullable<SimulationInput['protocol']>[];
  readonly hosts: readonly number[];
  readonly threads: readonly number[];
  /** Other `run` options; `fanout` and `view` are given to the periodic protocols only. */
  readonly common?: Omit<SimulationInput, 'protocol' | 'hosts' | 'threads'>;
}

/**
 * Expands a grid into its inputs: protocol, then hosts, then threads (so the thread counts of one
 * workload are adjacent in tables). `fanout` and `view` go to push, pull and push-pull only.
 */
export function gridInputs(grid: SweepGrid): SimulationInput[] {
  const inputs: SimulationInput[] = [];
  const { fanout, view, ...rest } = grid.common ?? {};
  for (const protocol of grid.protocols) {
    for (const hosts of grid.hosts) {
      for (const threads of grid.threads) {
        const input: SimulationInput = { ...rest, protocol, hosts, threads };
        if (protocol !== 'announce') {
          if (fanout !== undefined) input.fanout = fanout;
          if (view !== undefined) input.view = view;
        }
        inputs.push(input);
      }
    }
  }
  return inputs;
}

/**
 * Validates every input with `resolveOptions` (throws `OptionError`, naming the option, on the
 * first bad one) and turns it into a configuration. Allocates.
 */
export function configurationsOf(inputs: readonly SimulationInput[], scenario?: string): Configuration[] {
  const seen = new Set<string>();
  const configurations: Configuration[] = [];
  for (const input of inputs) {
    const options = resolveOptions(input);
    const id = configurationId(options) + (scenario === undefined ? '' : `/scenario=${scenario}`);
    if (seen.has(id)) continue;
    seen.add(id);
    // A scenario's file goes to every run: its events, and its options that `runArgs` leaves out (rumor's).
    const args = scenario === undefined ? runArgs(options) : [...runArgs(options).slice(0, -1), '--scenario', scenario, '--json'];
    configurations.push({ id, options, args, oversubscribed: options.engine === 'parallel' && options.threads > availableParallelism() });
  }
  return configurations;
}

/** What to do with a configuration whose memory estimate does not fit this machine. */
export type UnfitPolicy = 'fail' | 'skip';

/**
 * Checks each parallel configuration's memory plan before anything runs. 'fail' throws
 * `ExitCode(2)` naming the configuration; 'skip' leaves it out and says why.
 */
export function preflight(
  configurations: readonly Configuration[],
  policy: UnfitPolicy,
): { readonly run: Configuration[]; readonly skipped: SkippedConfiguration[] } {
  const run: Configuration[] = [];
  const skipped: SkippedConfiguration[] = [];
  for (const configuration of configurations) {
    try {
      checkMemory(configuration.options);
      run.push(configuration);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (policy === 'fail') throw new ExitCode(EXIT_USAGE, `${describeConfiguration(configuration.options)}: ${reason}`, { cause: error });
      skipped.push({ id: configuration.id, reason });
    }
  }
  return { run, skipped };
}

/** The stable key of a configuration. */
export function configurationId(o: SimulationOptions): string {
  return (
    `${o.protocol}/hosts=${o.hosts}/threads=${o.threads}/engine=${o.engine}/latency=${formatLatency(o.latency)}` +
    `/loss=${o.loss}/seed=${o.seed}/fanout=${o.fanout}/view=${o.view}/maxTicks=${o.maxTicks}` +
    (o.protocol === 'rumor'
      ? `/rumor=${o.rumorMode},${o.rumorFeedback},${o.rumorStop},k=${o.rumorK},sources=${String(o.rumorSources)},${o.contact}`
      : '')
  );
}

/** A short human name: `announce, 1000 hosts, 2 threads`. */
export function describeConfiguration(o: Pick<BenchOptions, 'protocol' | 'hosts' | 'threads' | 'engine'>): string {
  const engine = o.engine === 'reference' ? 'reference engine' : `${o.threads} thread${o.threads === 1 ? '' : 's'}`;
  return `${o.protocol}, ${o.hosts} hosts, ${engine}`;
}

/** The arguments after `gossip-sim` of one run of `o`, `--json` included. */
export function runArgs(o: SimulationOptions): string[] {
  const args = [
    'run', '--hosts', String(o.hosts), '--protocol', o.protocol, '--threads', String(o.threads), '--engine', o.engine,
    '--latency', formatLatency(o.latency), '--loss', String(o.loss), '--seed', String(o.seed), '--max-ticks', String(o.maxTicks),
  ];
  if (o.protocol !== 'announce') args.push('--fanout', String(o.fanout), '--view', o.view);
  if (o.protocol === 'rumor') {
    const sources = typeof o.rumorSources === 'number' ? String(o.rumorSources) : (o.rumorSources ?? []).join(',');
    args.push('--rumor-mode', o.rumorMode!, '--rumor-feedback', o.rumorFeedback!, '--rumor-stop', o.rumorStop!, '--rumor-k', String(o.rumorK!), '--rumor-sources', sources, '--contact', o.contact!);
  }
  // The budget changes the checkpoint interval (speed and memory), not the outcome: not in the id.
  if (o.maxMemory !== null) args.push('--max-memory', String(o.maxMemory));
  args.push('--json');
  return args;
}

/** Where the sweep is, for a progress display. */
export interface SweepProgress {
  readonly phase: 'control' | 'run';
  /** 1-based index of the configuration being run (0 during the control). */
  readonly configuration: number;
  readonly configurations: number;
  readonly label: string;
  /** 1-based run within the configuration, warm-up runs first. */
  readonly run: number;
  readonly runs: number;
  /** Seconds since the sweep started, when this was reported. */
  readonly elapsedSeconds: number;
  /** Estimated seconds left (from the runs so far); null before any run finished. */
  readonly remainingSeconds: number | null;
}

/** How to run a sweep. */
export interface SweepSettings {
  readonly repeat: number;
  readonly warmup: number;
  readonly label?: string | null;
  /** The bench's own command line, recorded in the results. */
  readonly argv: readonly string[];
  /** Configurations left out by `preflight`, recorded in the results. */
  readonly skipped?: readonly SkippedConfiguration[];
  readonly control?: ControlSettings;
  readonly onProgress?: (progress: SweepProgress) => void;
  /** Environment of the child processes (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Keep one busy process running beside every run and the control (`bench --cpu-hog`). */
  readonly cpuHog?: boolean;
}

/**
 * One process that spins on a core until killed: how a run behaves when another process takes a
 * core (a CI neighbour, a noisy VM). Killed when the sweep ends; it also dies with this process,
 * since it watches its parent.
 */
function startCpuHog(): ChildProcess {
  const parent = process.pid;
  const code = `let n = 0; for (;;) { if ((++n & 0xffffff) === 0) { try { process.kill(${parent}, 0); } catch { process.exit(0); } } }`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  child.unref();
  return child;
}

/** A measured run failed: the child exited with a non-zero status or printed no valid result. */
export class BenchRunError extends Error {
  override readonly name = 'BenchRunError';
}

/** Runs every configuration and returns the results (schema version 1). */
export async function runSweep(configurations: readonly Configuration[], settings: SweepSettings): Promise<BenchResults> {
  const root = packageRoot();
  const cli = builtCli(root);
  if (!existsSync(cli)) {
    throw new BenchRunError(`${cli} is missing: run \`npm run build\` first (every measured run starts the built CLI)`);
  }
  const environment = collectEnvironment(settings.label ?? null, root);
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const runsPer = settings.warmup + settings.repeat;

  const controlThreads = [...new Set(configurations.filter((c) => c.options.engine === 'parallel' && c.options.threads > 1).map((c) => c.options.threads))].sort((a, b) => a - b);
  const control = controlThreads.length > 0 ? new ScalingControl(controlThreads, settings.control) : null;
  const report = (phase: 'control' | 'run', index: number, label: string, run: number, remainingSeconds: number | null): void =>
    settings.onProgress?.({ phase, configuration: index + 1, configurations: configurations.length, label, run, runs: runsPer, elapsedSeconds: elapsed(), remainingSeconds });

  const measured: { configuration: Configuration; warmup: Sample[]; samples: Sample[]; docs: RunDocument[] }[] = [];
  const durations: number[] = [];
  // A neighbour that takes a core for the whole sweep, control included (see startCpuHog).
  const hog = settings.cpuHog === true ? startCpuHog() : null;
  try {
    if (control !== null) {
      report('control', -1, 'CPU-scaling control (before)', 0, null);
      await control.measure('before');
    }
    for (let index = 0; index < configurations.length; index++) {
      const configuration = configurations[index]!;
      const label = describeConfiguration(configuration.options);
      const warmup: Sample[] = [];
      const samples: Sample[] = [];
      const docs: RunDocument[] = [];
      const own: number[] = [];
      for (let run = 0; run < runsPer; run++) {
        report('run', index, label, run + 1, estimateRemaining(own, durations, runsPer - run, (configurations.length - index - 1) * runsPer));
        const { doc, processSeconds } = await runChild(cli, configuration.args, label, { cwd: root, env: settings.env ?? process.env });
        const sample: Sample = { wallSeconds: doc.wallSeconds, processSeconds, peakRssBytes: doc.peakRssBytes, serialSeconds: doc.serialSeconds, barrierWaitShare: doc.barrierWaitShare };
        own.push(processSeconds);
        durations.push(processSeconds);
        if (run < settings.warmup) warmup.push(sample);
        else {
          samples.push(sample);
          docs.push(doc);
        }
      }
      measured.push({ configuration, warmup, samples, docs });
    }
    if (control !== null) {
      report('control', configurations.length, 'CPU-scaling control (after)', 0, 0);
      await control.measure('after');
    }
  } finally {
    hog?.kill('SIGKILL');
    await control?.close();
  }

  const controlResults = control?.report() ?? [];
  const issues: string[] = [];
  const results: ConfigurationResult[] = measured.map(({ configuration, warmup, samples, docs }) => {
    const first = docs[0]!;
    for (const doc of docs.slice(1)) {
      const difference = metricDifference(first.metrics, doc.metrics);
      if (difference !== null) issues.push(`${describeConfiguration(configuration.options)}: the simulation metrics differ between runs of the same options (${difference})`);
    }
    return {
      id: configuration.id,
      options: benchOptions(configuration.options),
      args: [...configuration.args],
      oversubscribed: configuration.oversubscribed,
      metrics: first.metrics,
      diagnostics: first.diagnostics,
      warmup,
      samples,
      summary: { ...summarise(first.metrics, samples), speedup: null, efficiency: null, controlSpeedup: null },
    };
  });
  const withScaling = results.map((r) => withSpeedup(r, results, controlResults));
  issues.push(...crossThreadIssues(withScaling));

  return {
    schemaVersion: SCHEMA_VERSION,
    kind: RESULTS_KIND,
    tool: packageInfo(root),
    environment,
    settings: { repeat: settings.repeat, warmup: settings.warmup, argv: [...settings.argv], ...(settings.cpuHog === true ? { cpuHog: true } : {}) },
    control: controlResults,
    configurations: withScaling,
    skipped: [...(settings.skipped ?? [])],
    issues,
  };
}

/** What the sweep keeps of one `run --json` document. */
export interface RunDocument {
  readonly metrics: BenchMetrics;
  readonly wallSeconds: number;
  readonly peakRssBytes: number | null;
  /** Serial phases before the first tick, seconds (see `Sample.serialSeconds`). */
  readonly serialSeconds: number | null;
  /** Share of the shards' tick time spent waiting at barriers (see `Sample.barrierWaitShare`). */
  readonly barrierWaitShare: number | null;
  readonly diagnostics: ConfigurationResult['diagnostics'];
}

/** Where and how a child run starts; `signal` kills it (SIGTERM) and rejects with its reason. */
export interface ChildSettings {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/**
 * Runs `node CLI ...args` (a `run ... --json`) as a child process, times it from spawn to exit and
 * reads its result; `label` names the run in errors (`BenchRunError`).
 */
export async function runChild(cli: string, args: readonly string[], label: string, settings: ChildSettings): Promise<{ doc: RunDocument; processSeconds: number }> {
  const { cwd, env, signal: abort } = settings;
  const started = performance.now();
  const { status, signal, stdout, stderr } = await new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...(abort === undefined ? {} : { signal: abort }) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) => reject(abort?.aborted === true ? abort.reason : new BenchRunError(`${label}: cannot start ${process.execPath}: ${error.message}`, { cause: error })));
    child.once('close', (code, sig) => resolve({ status: code, signal: sig, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
  const processSeconds = (performance.now() - started) / 1000;
  if (abort?.aborted === true) throw abort.reason;
  if (status !== 0) {
    const why = signal !== null ? `was killed by ${signal}` : `exited with status ${status}`;
    const detail = stderr.trim().split('\n')[0] ?? '';
    throw new BenchRunError(`${label}: \`gossip-sim ${args.join(' ')}\` ${why}${detail === '' ? '' : `: ${detail}`}`);
  }
  try {
    return { doc: runDocument(JSON.parse(stdout)), processSeconds };
  } catch (error) {
    throw new BenchRunError(`${label}: the run printed no valid --json result (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Picks the metrics and timings out of a `run --json` document, checking their types. */
function runDocument(raw: unknown): RunDocument {
  if (typeof raw !== 'object' || raw === null) throw new TypeError('not a JSON object');
  const doc = raw as Record<string, unknown>;
  const metrics: Record<string, unknown> = {};
  for (const name of [...METRIC_NAMES, 'endReason', 'lastTick'] as const) {
    const value = doc[name];
    if (value === undefined) throw new TypeError(`no "${name}"`);
    metrics[name] = value;
  }
  const wallSeconds = doc['wallSeconds'];
  if (typeof wallSeconds !== 'number') throw new TypeError('no numeric "wallSeconds"');
  // Read defensively: older builds of `run --json` have no diagnostics or no peakRssBytes.
  const diagnostics = (typeof doc['diagnostics'] === 'object' && doc['diagnostics'] !== null ? doc['diagnostics'] : {}) as Record<string, unknown>;
  return {
    metrics: metrics as unknown as BenchMetrics,
    wallSeconds,
    peakRssBytes: numberOrNull(diagnostics['peakRssBytes']),
    serialSeconds: serialSecondsOf(diagnostics['phases']),
    barrierWaitShare: barrierWaitShareOf(diagnostics['barrierWaitSeconds'], diagnostics['phases']),
    diagnostics: {
      kernels: typeof diagnostics['kernels'] === 'string' ? diagnostics['kernels'] : null,
      memoryEstimateBytes: numberOrNull(diagnostics['memoryEstimateBytes']),
      peakPendingMessages: numberOrNull(diagnostics['peakPendingMessages']),
    },
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Allocation and start-up of a run's `diagnostics.phases`, in seconds; null if absent. */
function serialSecondsOf(phases: unknown): number | null {
  if (typeof phases !== 'object' || phases === null) return null;
  const p = phases as Record<string, unknown>;
  const parts = [p['allocateSeconds'], p['startSeconds']];
  return parts.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (parts as number[]).reduce((a, b) => a + b, 0) : null;
}

/** Sum of the shards' barrier waits over shards x tick seconds, in 0..1; null if either is absent. */
function barrierWaitShareOf(waits: unknown, phases: unknown): number | null {
  if (!Array.isArray(waits) || waits.length === 0 || !waits.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) return null;
  const ticks = typeof phases === 'object' && phases !== null ? numberOrNull((phases as Record<string, unknown>)['ticksSeconds']) : null;
  if (ticks === null) return null;
  if (ticks <= 0) return 0;
  const total = (waits as number[]).reduce((a, b) => a + b, 0);
  return Math.min(1, total / (waits.length * ticks));
}

function benchOptions(o: SimulationOptions): BenchOptions {
  return {
    hosts: o.hosts, protocol: o.protocol, fanout: o.fanout, view: o.view, latency: formatLatency(o.latency),
    loss: o.loss, seed: o.seed, maxTicks: o.maxTicks, threads: o.threads, engine: o.engine,
  };
}

function summarise(metrics: BenchMetrics, samples: readonly Sample[]): Omit<ConfigurationResult['summary'], 'speedup' | 'efficiency' | 'controlSpeedup'> {
  const wall = spreadOf(samples.map((s) => s.wallSeconds));
  const rss = samples.map((s) => s.peakRssBytes).filter((r): r is number => r !== null);
  return {
    wallSeconds: wall,
    processSeconds: spreadOf(samples.map((s) => s.processSeconds)),
    peakRssBytes: rss.length === samples.length ? spreadOf(rss) : null,
    messagesPerSecond: wall.median > 0 ? metrics.sent / wall.median : null,
    ticksPerSecond: wall.median > 0 ? (metrics.lastTick + 1) / wall.median : null,
  };
}

/** Adds speedup and efficiency against the 1-thread run of the same workload, and the control. */
function withSpeedup(r: ConfigurationResult, all: readonly ConfigurationResult[], control: readonly ControlResult[]): ConfigurationResult {
  const oneThreadId = r.id.replace(/\/threads=\d+\//, '/threads=1/');
  const one = all.find((c) => c.id === oneThreadId);
  const speedup = one !== undefined && r.summary.wallSeconds.median > 0 ? one.summary.wallSeconds.median / r.summary.wallSeconds.median : null;
  const threads = r.options.engine === 'reference' ? 1 : r.options.threads;
  const controlSpeedup = control.find((c) => c.threads === threads)?.speedup.median ?? null;
  return { ...r, summary: { ...r.summary, speedup, efficiency: speedup === null ? null : speedup / threads, controlSpeedup } };
}

/** The first metric that differs between `a` and `b`, as `name a vs b`; null if none does. */
export function metricDifference(a: BenchMetrics, b: BenchMetrics): string | null {
  for (const key of Object.keys(a) as (keyof BenchMetrics)[]) {
    if (!Object.is(a[key], b[key])) return `${key} ${JSON.stringify(a[key])} vs ${JSON.stringify(b[key])}`;
  }
  return null;
}

/** SPEC.md: the outcome is the same for every engine and thread count. Flags workloads where it is not. */
function crossThreadIssues(results: readonly ConfigurationResult[]): string[] {
  const issues: string[] = [];
  const byWorkload = new Map<string, ConfigurationResult>();
  for (const r of results) {
    const workload = r.id.replace(/\/threads=\d+\/engine=[a-z]+/, '');
    const other = byWorkload.get(workload);
    if (other === undefined) {
      byWorkload.set(workload, r);
      continue;
    }
    const difference = metricDifference(other.metrics, r.metrics);
    if (difference !== null) {
      issues.push(`${describeConfiguration(r.options)} and ${describeConfiguration(other.options)}: the simulation metrics differ (${difference})`);
    }
  }
  return issues;
}

/**
 * Seconds left: the runs left of this configuration at its own mean run time so far (or the
 * overall mean), plus later configurations' runs at the overall mean. Null before any run.
 */
function estimateRemaining(own: readonly number[], all: readonly number[], leftHere: number, leftLater: number): number | null {
  if (all.length === 0) return null;
  const overall = median(all);
  const here = own.length > 0 ? own.reduce((a, b) => a + b, 0) / own.length : overall;
  return leftHere * here + leftLater * overall;
}
