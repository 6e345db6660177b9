/**
 * The regression verdict between two bench results files.
 *
 * Semantics and speed are judged apart. The simulation metrics of a configuration are
 * deterministic, so any difference at all is a change of semantics. Times and memory are noisy, so
 * a measure is a regression only when BOTH
 *   1. its median got worse by more than the threshold t (default 10%): current > baseline·(1 + t),
 *      and
 *   2. the samples say it is real: the one-sided Mann-Whitney U test rejects "no difference" at
 *      p <= 0.05.
 * With 3 samples per side, no overlap at all is exactly p = 0.05 (1 ordering in 20); with 5 or
 * more the test also accepts a slight overlap. A median beyond the threshold whose samples do not
 * pass (2) is reported as "noise". With fewer samples than the test needs to ever reach p <= 0.05
 * (1 or 2 per side: even samples wholly apart give p >= 1/6), the measure is "too few samples":
 * neither a regression nor a pass, and when nothing else is wrong `compare` exits 2 (no verdict)
 * rather than pass a CI gate on evidence it cannot weigh. Improvements are judged the same way,
 * mirrored: baseline > current·(1 + t).
 *
 * Exit codes: 0 no regression; 1 a regression or a change of semantics; 2 no verdict (unreadable
 * input, no configuration in common, or too few samples to judge a change beyond the threshold).
 */
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors.js';
import { formatRate } from '../summary.js';
import { EXIT_OK, EXIT_REGRESSION, EXIT_USAGE, ExitCode } from './exit.js';
import { formatChange, formatPercent, formatTimes } from './format.js';
import { parseResults, SchemaError, type BenchResults, type ConfigurationResult } from './schema.js';
import { mannWhitney, median, separation } from './stats.js';
import { describeConfiguration } from './sweep.js';

/** Significance level of the Mann-Whitney U test. */
export const ALPHA = 0.05;
export { DEFAULT_THRESHOLD } from './defaults.js';
import { DEFAULT_THRESHOLD } from './defaults.js';

export type Direction = 'smaller is better' | 'bigger is better' | 'must be identical';
/**
 * identical / CHANGED: simulation metrics. REGRESSION / improvement / unchanged / noise: gated
 * measures. info: derived figures shown for context, never gated (they follow the wall time).
 */
export type Verdict = 'identical' | 'CHANGED' | 'REGRESSION' | 'improvement' | 'unchanged' | 'noise' | 'too few samples' | 'info';

/** One line of the comparison table. */
export interface ComparisonRow {
  readonly configuration: string;
  readonly metric: string;
  readonly direction: Direction;
  readonly baseline: string;
  readonly current: string;
  /** Relative change of the median (or value), e.g. "+12.3%"; "" for unchanged identities. */
  readonly change: string;
  readonly verdict: Verdict;
  /** Why: "no overlap", "U test p = 0.008", "samples overlap (p = 0.35)". */
  readonly detail: string;
}

/** Everything `compare` found. */
export interface Comparison {
  readonly threshold: number;
  readonly rows: ComparisonRow[];
  /** Ids of configurations in one file only (reported, not fatal). */
  readonly onlyInBaseline: string[];
  readonly onlyInCurrent: string[];
  /** One line per changed simulation metric. */
  readonly semanticChanges: string[];
  /** One line per regression. */
  readonly regressions: string[];
  readonly improvements: string[];
  /** One line per measure beyond the threshold that had too few samples to be judged. */
  readonly undecided: string[];
  /** Context: different machines, different controls. */
  readonly notes: string[];
  /** 0: nothing wrong; 1: a regression or a change of semantics; 2: nothing compared, or too few samples. */
  readonly exitCode: typeof EXIT_OK | typeof EXIT_REGRESSION | typeof EXIT_USAGE;
}

/**
 * Parses `--threshold`: a percentage such as `10%` or `10` (the % sign is optional), from 0 to
 * 1000. Returns a fraction (0.1). Throws `OptionError`.
 */
export function parseThreshold(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(text);
  const percent = m === null ? Number.NaN : Number(m[1]);
  if (!(percent >= 0 && percent <= 1000)) throw new OptionError('--threshold', JSON.stringify(text), 'a percentage from 0% to 1000%, e.g. 10%');
  return percent / 100;
}

/**
 * Reads and validates a results file. Every failure (missing, unreadable, not JSON, not the schema,
 * duplicate configurations) is an `ExitCode(2)` with one line naming the file and what to do.
 */
export function readResults(path: string, role: 'BASELINE' | 'CURRENT'): BenchResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code ?? (error instanceof Error ? error.message : String(error));
    throw new ExitCode(EXIT_USAGE, `compare: cannot read ${role} ${path}: ${why} (give the --out file of a \`gossip-sim bench\` run)`, { cause: error });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ExitCode(EXIT_USAGE, `compare: ${role} ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let results: BenchResults;
  try {
    results = parseResults(doc);
  } catch (error) {
    if (error instanceof SchemaError) throw new ExitCode(EXIT_USAGE, `compare: ${role} ${path}: ${error.message}`, { cause: error });
    throw error;
  }
  const ids = new Set<string>();
  for (const c of results.configurations) {
    if (ids.has(c.id)) throw new ExitCode(EXIT_USAGE, `compare: ${role} ${path}: configuration ${c.id} appears twice`);
    ids.add(c.id);
  }
  return results;
}

/** Compares `current` against `baseline` with relative threshold `threshold` (0.1 = 10%). */
export function compareResults(baseline: BenchResults, current: BenchResults, threshold = DEFAULT_THRESHOLD): Comparison {
  const rows: ComparisonRow[] = [];
  const semanticChanges: string[] = [];
  const regressions: string[] = [];
  const improvements: string[] = [];
  const undecided: string[] = [];
  const byId = new Map(baseline.configurations.map((c) => [c.id, c]));
  const currentIds = new Set(current.configurations.map((c) => c.id));

  for (const cur of current.configurations) {
    const base = byId.get(cur.id);
    if (base === undefined) continue;
    const name = describeConfiguration(cur.options);
    for (const row of semanticRows(name, base, cur)) {
      rows.push(row);
      if (row.verdict === 'CHANGED') semanticChanges.push(`${name}: ${row.metric} changed from ${row.baseline} to ${row.current}`);
    }
    for (const row of measureRows(name, base, cur, threshold)) {
      rows.push(row);
      if (row.verdict === 'REGRESSION') regressions.push(`${name}: ${row.metric} ${row.change} (${row.baseline} -> ${row.current}; ${row.detail})`);
      if (row.verdict === 'improvement') improvements.push(`${name}: ${row.metric} ${row.change} (${row.detail})`);
      if (row.verdict === 'too few samples') undecided.push(`${name}: ${row.metric} ${row.change} (${row.detail})`);
    }
  }
  const onlyInBaseline = baseline.configurations.filter((c) => !currentIds.has(c.id)).map((c) => c.id);
  const onlyInCurrent = current.configurations.filter((c) => !byId.has(c.id)).map((c) => c.id);
  const bad = semanticChanges.length > 0 || regressions.length > 0;
  // A gate must not pass on nothing: no configuration in common, or changes it could not weigh.
  const noVerdict = rows.length === 0 || undecided.length > 0;
  return {
    threshold,
    rows,
    onlyInBaseline,
    onlyInCurrent,
    semanticChanges,
    regressions,
    improvements,
    undecided,
    notes: contextNotes(baseline, current),
    exitCode: bad ? EXIT_REGRESSION : noVerdict ? EXIT_USAGE : EXIT_OK,
  };
}

function semanticRows(name: string, base: ConfigurationResult, cur: ConfigurationResult): ComparisonRow[] {
  const keys = [...new Set([...Object.keys(base.metrics), ...Object.keys(cur.metrics)])];
  return keys.map((metric) => {
    const b = (base.metrics as unknown as Record<string, unknown>)[metric];
    const c = (cur.metrics as unknown as Record<string, unknown>)[metric];
    const same = Object.is(b, c);
    const change = same ? '' : typeof b === 'number' && typeof c === 'number' ? delta(c - b) : 'differs';
    return {
      configuration: name, metric, direction: 'must be identical', baseline: show(b), current: show(c), change,
      verdict: same ? 'identical' : 'CHANGED', detail: same ? '' : 'deterministic metric differs: change of semantics',
    };
  });
}

interface Measure {
  readonly metric: string;
  readonly values: (c: ConfigurationResult) => number[] | null;
  /** Shown as value / scale, with `unit`. */
  readonly unit: string;
  readonly scale: number;
}

/** The measures gated by the noise-aware rule, all smaller-is-better. */
const GATED: readonly Measure[] = [
  { metric: 'wall time (simulation)', values: (c) => c.samples.map((s) => s.wallSeconds), unit: 's', scale: 1 },
  { metric: 'wall time (process)', values: (c) => c.samples.map((s) => s.processSeconds), unit: 's', scale: 1 },
  {
    metric: 'peak RSS',
    values: (c) => (c.samples.every((s) => s.peakRssBytes !== null) ? c.samples.map((s) => s.peakRssBytes!) : null),
    unit: 'MiB',
    scale: 2 ** 20,
  },
];

function measureRows(name: string, base: ConfigurationResult, cur: ConfigurationResult, threshold: number): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const m of GATED) {
    const b = m.values(base);
    const c = m.values(cur);
    if (b === null || c === null || b.length === 0 || c.length === 0) continue;
    rows.push({ configuration: name, metric: m.metric, direction: 'smaller is better', ...judge(b, c, threshold, m.unit, m.scale) });
  }
  const info = (metric: string, b: number | null, c: number | null, format: (x: number) => string): void => {
    if (b === null || c === null) return;
    rows.push({ configuration: name, metric, direction: 'bigger is better', baseline: format(b), current: format(c), change: relative(b, c), verdict: 'info', detail: '' });
  };
  info('messages/s', base.summary.messagesPerSecond, cur.summary.messagesPerSecond, formatRate);
  info('ticks/s', base.summary.ticksPerSecond, cur.summary.ticksPerSecond, formatRate);
  if (cur.options.threads > 1) info('speedup vs 1 thread', base.summary.speedup, cur.summary.speedup, formatTimes);
  return rows;
}

/** Applies the rule of this module's comment to one smaller-is-better measure. */
export function judge(
  base: readonly number[],
  cur: readonly number[],
  threshold: number,
  unit = '',
  scale = 1,
): Pick<ComparisonRow, 'baseline' | 'current' | 'change' | 'verdict' | 'detail'> {
  const mb = median(base);
  const mc = median(cur);
  const change = mb > 0 ? (mc - mb) / mb : mc > 0 ? Number.POSITIVE_INFINITY : 0;
  // Worse when cur/base > 1 + t, better when base/cur > 1 + t: a threshold of 500% can then
  // flag a 6× speed-up as well as a 6× slowdown (a relative change can never fall below -100%).
  const worse = mc > mb * (1 + threshold);
  const better = mb > mc * (1 + threshold);
  const test = mannWhitney(cur, base);
  const side = separation(cur, base);
  let verdict: Verdict = 'unchanged';
  let detail = '';
  if (worse || better) {
    const p = worse ? test.pGreater : test.pLess;
    const apart = worse ? side === 'above' : side === 'below';
    const floor = smallestP(base.length, cur.length);
    if (p <= ALPHA) {
      verdict = worse ? 'REGRESSION' : 'improvement';
      detail = apart ? `no overlap (U test p = ${p.toPrecision(2)})` : `U test p = ${p.toPrecision(2)}`;
    } else if (floor > ALPHA) {
      verdict = 'too few samples';
      detail = `${base.length} and ${cur.length} samples: the U test cannot reach p <= ${ALPHA} ` +
        `(at best p = ${floor.toPrecision(2)}); measure at least 3 runs a side (bench --repeat 3)`;
    } else {
      verdict = 'noise';
      detail = `beyond ${formatPercent(threshold)} but samples overlap (U test p = ${p.toPrecision(2)})`;
    }
  }
  return { baseline: summary(base, unit, scale), current: summary(cur, unit, scale), change: formatChange(change), verdict, detail };
}

/**
 * The smallest one-sided p-value the exact U test can give with samples of sizes m and n: one
 * ordering in C(m + n, m), when the samples lie wholly apart.
 */
export function smallestP(m: number, n: number): number {
  let orderings = 1;
  for (let i = 1; i <= Math.min(m, n); i++) orderings = (orderings * (m + n - Math.min(m, n) + i)) / i;
  return 1 / orderings;
}

/** Differences of machine or runtime between the files, and of their CPU-scaling controls. */
function contextNotes(baseline: BenchResults, current: BenchResults): string[] {
  const notes: string[] = [];
  const a = baseline.environment;
  const b = current.environment;
  const fields = ['cpuModel', 'cores', 'availableParallelism', 'node', 'platform', 'arch'] as const;
  const differ = fields.filter((f) => a[f] !== b[f]).map((f) => `${f} ${JSON.stringify(a[f])} vs ${JSON.stringify(b[f])}`);
  if (differ.length > 0) notes.push(`the files come from different machines or runtimes (${differ.join('; ')}): time and memory changes may be the machine's`);
  for (const c of current.control) {
    const before = baseline.control.find((x) => x.threads === c.threads);
    if (before === undefined) continue;
    const ratio = c.speedup.median / before.speedup.median;
    if (ratio < 0.85 || ratio > 1 / 0.85) {
      notes.push(`the CPU-scaling control at ${c.threads} threads moved from ${formatTimes(before.speedup.median)} to ${formatTimes(c.speedup.median)}: the machine scaled differently, so speedups are not comparable`);
    }
  }
  return notes;
}

/** `0.191 [0.182–0.261] s`: median, then range, in value / scale. */
function summary(values: readonly number[], unit: string, scale: number): string {
  const s = [...values].sort((x, y) => x - y);
  const f = (x: number): string => significant(x / scale);
  return `${f(median(s))} [${f(s[0]!)}–${f(s[s.length - 1]!)}]${unit === '' ? '' : ` ${unit}`}`;
}

/** Four significant digits, without exponent for ordinary magnitudes. */
function significant(x: number): string {
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(4))) : x.toPrecision(4);
}

/** A signed absolute difference, e.g. `+1` or `-0.0002`: semantic changes may be tiny. */
function delta(d: number): string {
  return `${d > 0 ? '+' : ''}${Number(d.toPrecision(6))}`;
}

function relative(b: number, c: number): string {
  return formatChange(b !== 0 ? (c - b) / Math.abs(b) : c === 0 ? 0 : Number.POSITIVE_INFINITY);
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'absent';
}
