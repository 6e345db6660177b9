/**
 * How bench results and comparisons are written: the text table on stdout (cli-table3, no
 * colours), a Markdown table, and the `customSmallerIsBetter` array of github-action-benchmark.
 * Every function here allocates; none of it is on a measured path.
 */
import Table from 'cli-table3';
import { formatBytes } from '../errors.js';
import { formatCount, formatRate } from '../summary.js';
import type { Comparison } from './compare.js';
import { describeEnvironment } from './environment.js';
import type { BenchResults, ConfigurationResult, Sample } from './schema.js';
import { median, type Spread } from './stats.js';
import { describeConfiguration } from './sweep.js';

export { BENCH_FORMATS, type BenchFormat } from './defaults.js';

/** A table as header and rows of cells. */
export interface Grid {
  readonly head: string[];
  readonly rows: string[][];
}

/** A ratio as `1.87×`. */
export function formatTimes(x: number): string {
  return `${x.toFixed(2)}×`;
}

/** A relative change as `+12.3%` / `-4.0%`. */
export function formatChange(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+inf%' : '-inf%';
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}

/** A fraction as a percentage without trailing zeros: 0.1 -> `10%`. */
export function formatPercent(x: number): string {
  return `${+(x * 100).toFixed(2)}%`;
}

function spreadText(s: Spread, format: (x: number) => string): string {
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

const plainSeconds = (x: number): string => (x < 10 ? x.toFixed(3) : x.toFixed(1));

/** The options that are not sweep axes but differ between configurations (shown per row then). */
function varyingOptions(results: BenchResults): (keyof ConfigurationResult['options'])[] {
  const keys = ['engine', 'latency', 'loss', 'seed', 'fanout', 'view', 'maxTicks'] as const;
  return keys.filter((k) => new Set(results.configurations.map((c) => c.options[k])).size > 1);
}

/** The options every configuration shares, as one line. */
function sharedOptions(results: BenchResults): string {
  const first = results.configurations[0];
  if (first === undefined) return '';
  const varying = new Set(varyingOptions(results));
  const o = first.options;
  const parts: string[] = [];
  if (!varying.has('engine')) parts.push(`engine ${o.engine}`);
  if (!varying.has('latency')) parts.push(`latency ${o.latency}`);
  if (!varying.has('loss')) parts.push(`loss ${o.loss}`);
  if (!varying.has('seed')) parts.push(`seed ${o.seed}`);
  if (!varying.has('maxTicks')) parts.push(`max ticks ${o.maxTicks}`);
  if (results.configurations.some((c) => c.options.protocol !== 'announce')) {
    if (!varying.has('fanout')) parts.push(`fanout ${o.fanout}`);
    if (!varying.has('view')) parts.push(`view ${o.view}`);
  }
  return parts.join(', ');
}

/**
 * Median of the runs' phases before the first tick (allocation, worker start-up, first touch of
 * memory); "n/a" for the reference engine and older files.
 */
function serialText(samples: readonly Sample[]): string {
  const values = samples.map((x) => x.serialSeconds).filter((x): x is number => typeof x === 'number');
  return values.length === 0 ? 'n/a' : plainSeconds(median(values));
}

/**
 * Median share of the shards' tick time spent waiting at barriers for each other; "n/a" for the
 * reference engine and older files.
 */
function waitText(samples: readonly Sample[]): string {
  const values = samples.map((x) => x.barrierWaitShare).filter((x): x is number => typeof x === 'number');
  return values.length === 0 ? 'n/a' : `${(median(values) * 100).toFixed(0)}%`;
}

/** The per-configuration table of a bench run. */
export function benchGrid(results: BenchResults): Grid {
  const varying = varyingOptions(results);
  const head = [
    'protocol', 'hosts', 'threads', 'wall s, median (min–max)', 'start s', 'barrier wait', 'process s', 'messages/s', 'ticks/s', 'peak RSS',
    'speedup', 'efficiency', 'control', 'note',
  ];
  if (varying.length > 0) head.splice(3, 0, 'options');
  const rows = results.configurations.map((c) => {
    const s = c.summary;
    const base = c.options.engine === 'reference' || c.options.threads === 1;
    const row = [
      c.options.protocol,
      formatCount(c.options.hosts),
      c.options.engine === 'reference' ? 'reference' : String(c.options.threads),
      spreadText(s.wallSeconds, plainSeconds),
      serialText(c.samples),
      waitText(c.samples),
      plainSeconds(s.processSeconds.median),
      s.messagesPerSecond === null ? 'n/a' : formatRate(s.messagesPerSecond),
      s.ticksPerSecond === null ? 'n/a' : formatRate(s.ticksPerSecond),
      s.peakRssBytes === null ? 'n/a' : formatBytes(s.peakRssBytes.median),
      base ? 'base' : s.speedup === null ? 'no 1-thread run' : formatTimes(s.speedup),
      base || s.efficiency === null ? '' : `${(s.efficiency * 100).toFixed(0)}%`,
      base || s.controlSpeedup === null ? '' : formatTimes(s.controlSpeedup),
      c.oversubscribed ? 'oversubscribed' : '',
    ];
    if (varying.length > 0) row.splice(3, 0, varying.map((k) => `${k} ${c.options[k]}`).join(', '));
    return row;
  });
  return { head, rows };
}

/** Renders a grid with cli-table3, without colours (stdout may be a file or a CI log). */
export function renderTable(grid: Grid): string {
  const table = new Table({ head: grid.head, style: { head: [], border: [], compact: true } });
  for (const row of grid.rows) table.push(row);
  return table.toString();
}

/** Renders a grid as a GitHub-flavoured Markdown table. */
export function renderMarkdown(grid: Grid): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(grid.head), line(grid.head.map(() => '---')), ...grid.rows.map(line)].join('\n');
}

/** The control, one line per thread count: `2 threads 1.96× (1.90–1.99; before 1.97×, after 1.95×)`. */
function controlLines(results: BenchResults): string[] {
  return results.control.map((c) => {
    const phase = (p: 'before' | 'after'): string => {
      const xs = c.samples.filter((s) => s.phase === p).map((s) => s.speedup).sort((a, b) => a - b);
      return xs.length === 0 ? 'n/a' : formatTimes(xs[xs.length >>> 1]!);
    };
    return (
      `${c.threads} threads: ${formatTimes(c.speedup.median)} (${formatTimes(c.speedup.min)}–${formatTimes(c.speedup.max)}; ` +
      `before ${phase('before')}, after ${phase('after')}), efficiency ${(c.efficiency * 100).toFixed(0)}%${c.oversubscribed ? ', oversubscribed' : ''}`
    );
  });
}

/** Lines that follow a table: the control, skipped configurations, issues. */
function footer(results: BenchResults): string[] {
  const lines: string[] = [];
  const control = controlLines(results);
  if (control.length > 0) {
    lines.push('CPU-scaling control (pure arithmetic in 1 vs N worker threads; N× is perfect scaling, a low figure means the machine limited the speedup):');
    lines.push(...control.map((l) => `  ${l}`));
  }
  for (const s of results.skipped) lines.push(`skipped ${s.id}: ${s.reason}`);
  for (const issue of results.issues) lines.push(`ISSUE: ${issue}`);
  return lines;
}

function headLines(results: BenchResults): string[] {
  const r = results.settings;
  return [
    `gossip-sim bench: ${describeEnvironment(results.environment)}`,
    `${r.repeat} measured run${r.repeat === 1 ? '' : 's'} per configuration after ${r.warmup} warm-up run${r.warmup === 1 ? '' : 's'}, each its own process; ${sharedOptions(results)}` +
      (r.cpuHog === true ? '; beside a CPU hog (one busy process, control included)' : ''),
  ];
}

/** The text report of `bench` on stdout: head, table, control, notes. */
export function formatBenchText(results: BenchResults): string {
  return [...headLines(results), renderTable(benchGrid(results)), ...footer(results)].join('\n') + '\n';
}

/** The Markdown report of `bench --format markdown`. */
export function formatBenchMarkdown(results: BenchResults): string {
  const [env, settings] = headLines(results);
  const foot = footer(results);
  return [`**${env}**`, '', settings, '', renderMarkdown(benchGrid(results)), ...(foot.length > 0 ? ['', ...foot.map((l) => (l.startsWith('  ') ? `- ${l.trim()}` : l))] : [])].join('\n') + '\n';
}

/** One entry of github-action-benchmark's `customSmallerIsBetter` tool. */
export interface GithubBenchmarkEntry {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly range: string;
  readonly extra: string;
}

/**
 * The `customSmallerIsBetter` array: per configuration its simulation wall time, process wall time
 * and peak RSS (medians; `range` is half the min–max spread).
 */
export function githubBenchmark(results: BenchResults): GithubBenchmarkEntry[] {
  const entries: GithubBenchmarkEntry[] = [];
  const env = results.environment;
  const machine = `${env.cpuModel}, ${env.availableParallelism} CPUs, Node ${env.node}`;
  for (const c of results.configurations) {
    const name = describeConfiguration(c.options);
    const extra = (s: Spread, unit: string, scale: number): string =>
      `median of ${c.samples.length} runs, min ${round(s.min / scale)} ${unit}, max ${round(s.max / scale)} ${unit}` +
      `${c.summary.controlSpeedup === null ? '' : `; speedup ${c.summary.speedup?.toFixed(2) ?? 'n/a'}× beside control ${c.summary.controlSpeedup.toFixed(2)}×`}; ${machine}`;
    const add = (what: string, s: Spread, unit: string, scale: number): void => {
      entries.push({ name: `${name} - ${what}`, unit, value: round(s.median / scale), range: `± ${round((s.max - s.min) / 2 / scale)}`, extra: extra(s, unit, scale) });
    };
    add('simulation wall time', c.summary.wallSeconds, 's', 1);
    add('process wall time', c.summary.processSeconds, 's', 1);
    if (c.summary.peakRssBytes !== null) add('peak RSS', c.summary.peakRssBytes, 'MiB', 2 ** 20);
  }
  return entries;
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

// ---- compare --------------------------------------------------------------------------------

/** The comparison table: every metric with its direction and change. */
export function comparisonGrid(comparison: Comparison): Grid {
  return {
    head: ['configuration', 'metric', 'direction', 'baseline', 'current', 'change', 'verdict', 'why'],
    rows: comparison.rows.map((r) => [r.configuration, r.metric, r.direction, r.baseline, r.current, r.change, r.verdict, r.detail]),
  };
}

/** Lines after the comparison table: configurations in one file only, notes, the verdict. */
export function comparisonSummary(comparison: Comparison): string[] {
  const lines: string[] = [];
  for (const id of comparison.onlyInBaseline) lines.push(`only in BASELINE (not compared): ${id}`);
  for (const id of comparison.onlyInCurrent) lines.push(`only in CURRENT (not compared): ${id}`);
  if (comparison.rows.length === 0) lines.push('no configuration is in both files: nothing was compared (exit 2: compare files of the same sweep)');
  for (const note of comparison.notes) lines.push(`note: ${note}`);
  lines.push(
    `rule: a time or memory measure regresses when its median is worse by more than ${formatPercent(comparison.threshold)} ` +
      'and a one-sided Mann-Whitney U test gives p <= 0.05 (at least 3 samples a side); simulation metrics must be identical',
  );
  for (const s of comparison.semanticChanges) lines.push(`SEMANTIC CHANGE: ${s}`);
  for (const r of comparison.regressions) lines.push(`REGRESSION: ${r}`);
  for (const i of comparison.improvements) lines.push(`improvement: ${i}`);
  for (const u of comparison.undecided) lines.push(`TOO FEW SAMPLES: ${u}`);
  const verdict =
    comparison.semanticChanges.length > 0 && comparison.regressions.length > 0
      ? 'change of semantics and performance regression'
      : comparison.semanticChanges.length > 0
        ? 'change of semantics (simulation metrics differ)'
        : comparison.regressions.length > 0
          ? 'performance regression'
          : comparison.rows.length === 0
            ? 'no verdict: nothing was compared'
            : comparison.undecided.length > 0
              ? 'no verdict: too few samples to judge a change beyond the threshold'
              : 'no regression';
  lines.push(`verdict: ${verdict} (exit ${comparison.exitCode})`);
  return lines;
}

/** The text report of `compare`. */
export function formatComparisonText(comparison: Comparison): string {
  return [renderTable(comparisonGrid(comparison)), ...comparisonSummary(comparison)].join('\n') + '\n';
}

/** The Markdown report of `compare --format markdown` (for a pull-request comment). */
export function formatComparisonMarkdown(comparison: Comparison): string {
  return [renderMarkdown(comparisonGrid(comparison)), '', ...comparisonSummary(comparison).map((l) => `- ${l}`)].join('\n') + '\n';
}
