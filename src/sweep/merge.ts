/**
 * `gossip-sim merge`: joins the results files of one plan (slices, reruns, a queue's output) into
 * one line per run, and checks them. Every line must belong to the same plan (exit 2 naming the
 * files otherwise). A key in several files is fine when its metrics are identical (at-least-once
 * delivery): one line is kept. A key whose metrics differ between files is a determinism bug, since
 * a run's metrics are a function of its options and seed alone (exit 1, naming the key, the files
 * and the metric). With --plan, runs of the plan that no file holds are reported too (exit 1).
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { CliIo } from '../cli.js';
import { checkWritable } from '../output-file.js';
import { EXIT_FAILURE, EXIT_USAGE, ExitCode } from '../bench/exit.js';
import { metricDifference } from '../bench/sweep.js';
import { OptionError } from '../errors.js';
import { checkHtmlPath } from '../report/commands.js';
import { writeSweepReport } from '../report/sweep-report.js';
import { aggregate, AGGREGATE_METRICS, type AggregateMetric } from './aggregate.js';
import { readPlan } from './plan.js';
import { readResultFile, type ResultLine } from './results.js';
import { describeRun } from './run.js';
import { DEFAULT_TABLE_METRICS, formatAggregates, MERGE_FORMATS, type MergeFormat } from './table.js';

/** The flags of `gossip-sim merge`. */
export interface MergeFlags {
  plan?: string;
  out?: string;
  format?: string;
  metrics?: string;
  report?: string;
}

/** A key whose metrics differ between two files. */
export interface Conflict {
  readonly key: string;
  readonly line: ResultLine;
  readonly files: readonly [string, string];
  /** The first metric that differs: `sent 999999 vs 999998`. */
  readonly difference: string;
}

/** What the files hold together. */
export interface Merged {
  readonly plan: string | null;
  /** One line per key, in plan order. */
  readonly lines: ResultLine[];
  /** Lines whose key an earlier line already had, with identical metrics. */
  readonly duplicates: number;
  readonly conflicts: Conflict[];
}

/** Most missing runs listed one per line; the rest are counted. */
const MAX_LISTED = 10;

/** Merges the lines of `files` (read already, in order). Throws `ExitCode` 2 when they are of different plans. */
export function mergeFiles(files: readonly { path: string; lines: readonly ResultLine[] }[]): Merged {
  const plans = new Map<string, string[]>();
  for (const file of files) {
    for (const plan of new Set(file.lines.map((l) => l.plan))) plans.set(plan, [...(plans.get(plan) ?? []), file.path]);
  }
  if (plans.size > 1) {
    const which = [...plans.entries()].map(([plan, paths]) => `${paths.join(', ')} (plan ${plan})`).join('; ');
    throw new ExitCode(EXIT_USAGE, `merge: the files belong to different plans: ${which}; merge the files of one plan at a time`);
  }
  const kept = new Map<string, { line: ResultLine; path: string }>();
  const conflicts: Conflict[] = [];
  let duplicates = 0;
  for (const file of files) {
    for (const line of file.lines) {
      const first = kept.get(line.key);
      if (first === undefined) {
        kept.set(line.key, { line, path: file.path });
        continue;
      }
      const difference = metricDifference(first.line.metrics, line.metrics);
      if (difference === null) duplicates++;
      else conflicts.push({ key: line.key, line, files: [first.path, file.path], difference });
    }
  }
  const lines = [...kept.values()].map((k) => k.line).sort((a, b) => a.index - b.index);
  return { plan: [...plans.keys()][0] ?? null, lines, duplicates, conflicts };
}

/** Runs `gossip-sim merge`: reads, checks, writes --out and --report, prints the table. */
export async function runMerge(paths: readonly string[], flags: MergeFlags, io: CliIo): Promise<void> {
  const format = (flags.format ?? 'text') as MergeFormat;
  if (!MERGE_FORMATS.includes(format)) throw new OptionError('--format', JSON.stringify(flags.format), `one of ${MERGE_FORMATS.join(', ')}`);
  const metrics = flags.metrics === undefined ? DEFAULT_TABLE_METRICS : parseMetrics(flags.metrics);
  const out = flags.out === undefined ? null : checkWritable('--out', flags.out);
  if (flags.report !== undefined) {
    checkHtmlPath(flags.report, '--report');
    checkWritable('--report', flags.report);
  }
  const plan = flags.plan === undefined ? null : readPlan(flags.plan);
  // Notes go to stdout beside the text table, to stderr when stdout is Markdown or CSV.
  const note = (line: string): void => (format === 'text' ? io.stdout(`${line}\n`) : io.stderr(`gossip-sim: ${line}\n`));

  const files = paths.map((path) => {
    if (!existsSync(path)) throw new ExitCode(EXIT_USAGE, `merge: ${path}: no such file`);
    const file = readResultFile(path);
    if (file.truncated !== null) io.stderr(`gossip-sim: merge: ${path}: line ${file.truncated.line} is cut short (an interrupted write) and is ignored\n`);
    return file;
  });
  const merged = mergeFiles(files);
  if (plan !== null && merged.plan !== null && merged.plan !== plan.hash) {
    throw new ExitCode(EXIT_USAGE, `merge: the files are of plan ${merged.plan}, but ${plan.file} is plan ${plan.hash}: give the plan the sweeps ran`);
  }
  const have = new Set(merged.lines.map((l) => l.key));
  const missing = plan === null ? [] : plan.runs.filter((r) => !have.has(r.key));

  const aggregates = aggregate(merged.lines);
  const planNote = merged.plan === null ? 'no runs' : `plan ${merged.plan}`;
  note(`merge: ${merged.lines.length} runs of ${planNote} from ${paths.length} file${paths.length === 1 ? '' : 's'}, ${aggregates.length} configurations` +
    `${merged.duplicates === 0 ? '' : `; ${merged.duplicates} duplicate lines with identical metrics, one of each kept`}` +
    `${plan === null ? ' (no --plan: missing runs are not checked)' : `; ${missing.length === 0 ? 'none' : missing.length} of the plan's ${plan.runs.length} runs missing`}`);
  io.stdout(formatAggregates(aggregates, metrics, format));

  if (out !== null) {
    writeFileSync(out, merged.lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    note(`merge: wrote ${flags.out} (${merged.lines.length} lines)`);
  }
  if (flags.report !== undefined) {
    await writeSweepReport(flags.report, { aggregates, metrics, plan: merged.plan, files: paths, lines: merged.lines });
    note(`merge: wrote ${flags.report}`);
  }

  for (const c of merged.conflicts) {
    io.stderr(`gossip-sim: merge: run ${describeRun(c.line)} has different metrics in ${c.files[0]} and ${c.files[1]}: ${c.difference}\n`);
  }
  for (const r of missing.slice(0, MAX_LISTED)) io.stderr(`gossip-sim: merge: missing run ${r.index}: ${describeRun(r)}\n`);
  if (missing.length > MAX_LISTED) io.stderr(`gossip-sim: merge: ... and ${missing.length - MAX_LISTED} more missing runs\n`);
  if (merged.conflicts.length > 0) {
    throw new ExitCode(EXIT_FAILURE, `merge: ${merged.conflicts.length} run${merged.conflicts.length === 1 ? ' has' : 's have'} different metrics in different files (above): a run's metrics depend on its options and seed only, so this is a determinism bug or an edited file`);
  }
  if (missing.length > 0) {
    throw new ExitCode(EXIT_FAILURE, `merge: ${missing.length} of ${plan!.runs.length} runs of ${plan!.file} are in none of the files (above): rerun the sweeps (or slices) that hold them; they resume`);
  }
}

/** Parses --metrics: a comma-separated list of aggregated metric names. */
export function parseMetrics(text: string): AggregateMetric[] {
  const items = text.split(',').map((s) => s.trim());
  for (const m of items) {
    if (!(AGGREGATE_METRICS as readonly string[]).includes(m)) throw new OptionError('--metrics', JSON.stringify(m), `a comma-separated list of ${AGGREGATE_METRICS.join(', ')}`);
  }
  return [...new Set(items)] as AggregateMetric[];
}
