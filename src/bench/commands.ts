/**
 * The `bench` and `compare` subcommands, which register.ts adds to the CLI's commander program
 * (and loads only when one runs); their actions end with a non-zero status by throwing `ExitCode` (src/bench/exit.ts),
 * which `main()` turns into its return value. Usage errors are `OptionError`s (exit 2), as for `run`.
 *
 * `runBench` is also the hook for reports: it returns the results object that `--out` writes.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { CliIo } from '../cli.js';
import { OptionError } from '../errors.js';
import { checkWritable, OutputWriteError } from '../output-file.js';
import { DEFAULTS, PROTOCOLS, resolveOptions, type Protocol, type SimulationInput } from '../options.js';
import { loadScenario } from '../scenario.js';
import { compareResults, DEFAULT_THRESHOLD, parseThreshold, readResults, type Comparison } from './compare.js';
import { BENCH_FORMATS, formatBenchMarkdown, formatBenchText, formatComparisonMarkdown, formatComparisonText, githubBenchmark, type BenchFormat } from './format.js';
import { ProgressLine } from './progress.js';
import type { BenchResults, SkippedConfiguration } from './schema.js';
import { configurationsOf, gridInputs, preflight, runSweep, type Configuration, type UnfitPolicy } from './sweep.js';

/** The flags of `gossip-sim bench`, as commander hands them over (text). */
export interface BenchFlags {
  scenario?: string;
  rumorMode?: string;
  rumorFeedback?: string;
  rumorStop?: string;
  rumorK?: string;
  rumorSources?: string;
  contact?: string;
  hosts?: string;
  threads?: string;
  protocol?: string;
  fanout?: string;
  view?: string;
  latency?: string;
  loss?: string;
  seed?: string;
  maxTicks?: string;
  engine?: string;
  maxMemory?: string;
  repeat?: string;
  warmup?: string;
  out?: string;
  format?: string;
  label?: string;
  report?: string;
  cpuHog?: boolean;
}

/** The flags of `gossip-sim compare`. */
export interface CompareFlags {
  threshold?: string;
  format?: string;
}

import { DEFAULT_REPEAT, DEFAULT_WARMUP } from './defaults.js';
export { DEFAULT_REPEAT, DEFAULT_WARMUP } from './defaults.js';
const MAX_REPEAT = 1000;
const MAX_WARMUP = 100;

/** A validated bench command: what to run and where to write. */
export interface BenchPlan {
  readonly configurations: Configuration[];
  readonly skipped: SkippedConfiguration[];
  readonly repeat: number;
  readonly warmup: number;
  readonly out: string | null;
  readonly formats: BenchFormat[];
  readonly label: string | null;
  readonly argv: string[];
  /** Run one busy process beside the sweep (`--cpu-hog`). */
  readonly cpuHog: boolean;
}

/**
 * Validates every flag and every configuration (throws `OptionError`, or `ExitCode(2)` for a
 * configuration that cannot fit in memory under policy 'fail') before anything runs.
 */
export function planBench(flags: BenchFlags, unfit: UnfitPolicy = 'fail'): BenchPlan {
  // A scenario's options are defaults under the flags; its events apply to every configuration.
  const scenario = flags.scenario === undefined ? undefined : loadScenario(flags.scenario);
  const fileOptions = scenario?.options ?? {};
  const engine = flags.engine ?? fileOptions.engine ?? DEFAULTS.engine;
  const protocols = list('--protocol', flags.protocol ?? fileOptions.protocol ?? DEFAULTS.protocol, `protocols (${PROTOCOLS.join(', ')})`, 'announce,push');
  for (const p of protocols) {
    if (!(PROTOCOLS as readonly string[]).includes(p)) throw new OptionError('--protocol', JSON.stringify(p), `one of ${PROTOCOLS.join(', ')}`);
  }
  if (!protocols.some((p) => p !== 'announce')) {
    // No periodic protocol takes them: announce's own rule decides (its defaults are accepted).
    resolveOptions({
      protocol: 'announce',
      ...(flags.fanout === undefined ? {} : { fanout: numeric(flags.fanout) }),
      ...(flags.view === undefined ? {} : { view: flags.view }),
    });
  }
  const hosts = list('--hosts', flags.hosts ?? String(fileOptions.hosts ?? DEFAULTS.hosts), 'host counts', '1000,5000').map(numeric);
  let threads: (number | string)[];
  if (flags.threads !== undefined) {
    // resolveOptions holds the rule for --engine reference (one thread), as for `run`.
    threads = list('--threads', flags.threads, 'thread counts', '1,2').map(numeric);
  } else {
    threads = engine === 'reference' ? [1] : fileOptions.threads !== undefined ? [fileOptions.threads] : [...new Set([1, availableParallelism()])];
  }
  const { protocol: _p, hosts: _h, threads: _t, ...fileRest } = fileOptions;
  void _p; void _h; void _t;
  const common: Omit<SimulationInput, 'protocol' | 'hosts' | 'threads'> = { ...fileRest, engine: engine as NonNullable<SimulationInput['engine']> };
  if (scenario !== undefined && scenario.partitions.length > 0) common.partitions = scenario.partitions;
  if (scenario?.regions !== undefined) common.regions = scenario.regions;
  if (scenario !== undefined && scenario.crashes.length > 0) common.crashes = scenario.crashes;
  if (scenario?.churn !== undefined) common.churn = scenario.churn;
  if (flags.fanout !== undefined) common.fanout = numeric(flags.fanout) as number;
  if (flags.view !== undefined) common.view = flags.view as NonNullable<SimulationInput['view']>;
  if (flags.latency !== undefined) common.latency = flags.latency;
  if (flags.loss !== undefined) common.loss = numeric(flags.loss) as number;
  if (flags.seed !== undefined) common.seed = numeric(flags.seed) as number;
  if (flags.maxTicks !== undefined) common.maxTicks = numeric(flags.maxTicks) as number;
  if (flags.maxMemory !== undefined) common.maxMemory = flags.maxMemory;
  // Rumor's variant: resolveOptions refuses these for the other protocols, naming the flag.
  const rumorFlags = { rumorMode: flags.rumorMode, rumorFeedback: flags.rumorFeedback, rumorStop: flags.rumorStop, contact: flags.contact, rumorSources: flags.rumorSources };
  for (const [key, value] of Object.entries(rumorFlags)) if (value !== undefined) (common as Record<string, unknown>)[key] = value;
  if (flags.rumorK !== undefined) common.rumorK = numeric(flags.rumorK) as number;

  const repeat = flags.repeat === undefined ? DEFAULT_REPEAT : integerFlag('--repeat', flags.repeat, 1, MAX_REPEAT);
  const warmup = flags.warmup === undefined ? DEFAULT_WARMUP : integerFlag('--warmup', flags.warmup, 0, MAX_WARMUP);
  const formats = flags.format === undefined ? [] : parseFormats(flags.format);
  const out = flags.out === undefined ? null : resultsPath(flags.out);
  if (out === null && formats.length > 1) {
    throw new OptionError('--format', JSON.stringify(flags.format), 'one format without --out (it replaces the table on stdout), or --out FILE to write several');
  }
  if (flags.report !== undefined) checkWritable('--report', flags.report);

  // Numbers stay numbers and text stays text, so resolveOptions names the option and the value.
  const inputs = gridInputs({
    protocols: protocols as Protocol[],
    hosts: hosts as number[],
    threads: threads as number[],
    common,
  });
  const { run, skipped } = preflight(configurationsOf(inputs, scenario === undefined ? undefined : resolve(scenario.file)), unfit);
  return { configurations: run, skipped, repeat, warmup, out, formats, label: flags.label ?? null, argv: argvOf(flags), cpuHog: flags.cpuHog === true };
}

/**
 * Runs `gossip-sim bench` with `flags`: validates, sweeps, prints the table (or the one --format
 * without --out) on stdout, writes --out and its companions, and returns the results object.
 * The hook for reports (`bench --report`): call this and render what it returns.
 */
export async function runBench(flags: BenchFlags, io: CliIo): Promise<BenchResults> {
  const plan = planBench(flags);
  return runPlan(plan, io);
}

/** Sweeps a validated plan and writes its outputs. */
export async function runPlan(plan: BenchPlan, io: CliIo): Promise<BenchResults> {
  const progress = new ProgressLine(io.stderr, io.stderrIsTTY);
  let results: BenchResults;
  try {
    results = await runSweep(plan.configurations, {
      repeat: plan.repeat,
      warmup: plan.warmup,
      label: plan.label,
      argv: plan.argv,
      skipped: plan.skipped,
      cpuHog: plan.cpuHog,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.finish();
  }
  writeOutputs(results, plan, io);
  return results;
}

/** Writes the stdout report and the files of `plan`. */
export function writeOutputs(results: BenchResults, plan: Pick<BenchPlan, 'out' | 'formats'>, io: CliIo): void {
  const render: Record<BenchFormat, () => string> = {
    json: () => `${JSON.stringify(results, null, 2)}\n`,
    markdown: () => formatBenchMarkdown(results),
    github: () => `${JSON.stringify(githubBenchmark(results), null, 2)}\n`,
  };
  if (plan.out === null) {
    const only = plan.formats[0];
    io.stdout(only === undefined ? formatBenchText(results) : render[only]());
    if (only !== undefined && (results.issues.length > 0 || results.skipped.length > 0)) {
      for (const s of results.skipped) io.stderr(`gossip-sim: bench: skipped ${s.id}: ${s.reason}\n`);
      for (const i of results.issues) io.stderr(`gossip-sim: bench: ISSUE: ${i}\n`);
    }
    return;
  }
  // The table goes out first: a file that cannot be written late (disk full) loses nothing shown.
  io.stdout(formatBenchText(results));
  const files: [string, string][] = [[plan.out, render.json()]];
  if (plan.formats.includes('markdown')) files.push([companion(plan.out, '.md'), render.markdown()]);
  if (plan.formats.includes('github')) files.push([companion(plan.out, '.github.json'), render.github()]);
  for (const [file, text] of files) {
    try {
      writeFileSync(file, text);
    } catch (cause) {
      throw new OutputWriteError(`could not write the bench results to ${file} (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    }
  }
  io.stdout(`wrote ${files.map(([file]) => file).join(', ')}\n`);
}

/**
 * `--out`: a `.json` file that can be written now. Its companions replace the extension:
 * `results.json` -> `results.md` / `results.github.json`.
 */
export function resultsPath(path: string): string {
  if (!/\.json$/i.test(path)) {
    throw new OptionError('--out', JSON.stringify(path), 'a file name ending in .json (--format markdown,github writes FILE.md and FILE.github.json beside it)');
  }
  return checkWritable('--out', path);
}

/** `results.json` -> `results.md` / `results.github.json`. */
export function companion(out: string, suffix: string): string {
  return join(dirname(out), `${basename(out).replace(/\.json$/i, '')}${suffix}`);
}

/**
 * Runs `gossip-sim compare`: reads both files (ExitCode(2) when one is missing or invalid), prints
 * the table and the verdict on stdout, and returns the comparison (exitCode 0 or 1).
 */
export function runCompare(baselinePath: string, currentPath: string, flags: CompareFlags, io: CliIo): Comparison {
  const threshold = flags.threshold === undefined ? DEFAULT_THRESHOLD : parseThreshold(flags.threshold);
  const format = flags.format ?? 'text';
  if (format !== 'text' && format !== 'markdown') throw new OptionError('--format', JSON.stringify(format), 'one of text, markdown');
  const baseline = readResults(baselinePath, 'BASELINE');
  const current = readResults(currentPath, 'CURRENT');
  const comparison = compareResults(baseline, current, threshold);
  io.stdout(format === 'markdown' ? formatComparisonMarkdown(comparison) : formatComparisonText(comparison));
  return comparison;
}

// ---- flag parsing ---------------------------------------------------------------------------

/** Numbers stay numbers, anything else is passed on as text so the validator can name it. */
function numeric(text: string): number | string {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : text.trim();
}

/** Splits a comma-separated list; empty items and repeats are usage errors. */
function list(flag: string, text: string, what: string, example: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new OptionError(flag, JSON.stringify(text), `a comma-separated list of ${what}, e.g. ${example}`);
  if (new Set(items).size !== items.length) throw new OptionError(flag, JSON.stringify(text), `a list without repeated values, e.g. ${example}`);
  return items;
}

/** Parses an integer flag from `min` to `max`; throws `OptionError`. */
export function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = numeric(text);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionError(flag, JSON.stringify(text), `an integer from ${min} to ${max}`);
  }
  return value;
}

/** Parses `--format`: a comma-separated list of json, markdown, github. */
export function parseFormats(text: string): BenchFormat[] {
  const items = list('--format', text, `formats (${BENCH_FORMATS.join(', ')})`, 'json,markdown');
  for (const f of items) {
    if (!(BENCH_FORMATS as readonly string[]).includes(f)) throw new OptionError('--format', JSON.stringify(f), `one of ${BENCH_FORMATS.join(', ')}`);
  }
  return items as BenchFormat[];
}

/** The bench command line as given, for the record. */
function argvOf(flags: BenchFlags): string[] {
  const argv = ['bench'];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || value === false) continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    argv.push(...(value === true ? [flag] : [flag, String(value)]));
  }
  return argv;
}
