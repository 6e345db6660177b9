/**
 * The tables of `merge`: one row per configuration, with each chosen metric's mean, 95% confidence
 * interval and standard deviation over its seeds, as a terminal table (cli-table3) or Markdown
 * (both through src/bench/format.ts), or CSV with every metric in raw numbers. Allocates.
 */
import { renderMarkdown, renderTable, type Grid } from '../bench/format.js';
import type { MeanInterval } from '../bench/stats.js';
import { formatBytes } from '../errors.js';
import { formatCount } from '../summary.js';
import type { RunOptions } from './key.js';
import { AGGREGATE_METRICS, OPTION_FIELDS, varyingOptions, type AggregateMetric, type ConfigurationAggregate } from './aggregate.js';

export { MERGE_FORMATS, type MergeFormat } from './defaults.js';
import type { MergeFormat } from './defaults.js';

/** Metrics of the tables and the report unless --metrics says otherwise. */
export const DEFAULT_TABLE_METRICS: readonly AggregateMetric[] = ['ticks', 'sent', 'coverage', 'wallSeconds'];

/** A number for a table: integers and values from 1,000 with thousands separators, others to 4 significant digits. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x) || Math.abs(x) >= 1000) return formatCount(Math.round(x));
  return String(Number(x.toPrecision(4)));
}

/** An option as tables show it: `-` for the fanout and view of announce, which has neither. */
export function optionText(options: RunOptions, field: keyof RunOptions): string {
  return options.protocol === 'announce' && (field === 'fanout' || field === 'view') ? '-' : String(options[field]);
}

/** `mean ± half-width (sd S)`, `, n=K` when fewer runs than the configuration's have a value. */
export function formatInterval(s: MeanInterval | null, runs: number, metric: AggregateMetric): string {
  if (s === null) return 'n/a';
  const f = metric === 'peakRssBytes' ? formatBytes : formatNumber;
  const n = s.n < runs ? `, n=${s.n}` : '';
  if (s.sd === null || s.high === null) return `${f(s.mean)}${n === '' ? '' : ` (${n.slice(2)})`}`;
  return `${f(s.mean)} ± ${f(s.high - s.mean)} (sd ${f(s.sd)}${n})`;
}

/** The grid of the text and Markdown tables. */
export function aggregateGrid(aggregates: readonly ConfigurationAggregate[], metrics: readonly AggregateMetric[]): Grid {
  const varying = varyingOptions(aggregates);
  const head = [...varying, 'seeds', 'converged', ...metrics.map((m) => `${m}: mean ± 95% CI`)];
  const rows = aggregates.map((a) => [
    ...varying.map((f) => optionText(a.options, f)),
    String(a.seeds.length),
    `${a.converged}/${a.seeds.length}`,
    ...metrics.map((m) => formatInterval(a.stats[m], a.seeds.length, m)),
  ]);
  return { head, rows };
}

/** The table on stdout in `format`, a newline at its end. */
export function formatAggregates(aggregates: readonly ConfigurationAggregate[], metrics: readonly AggregateMetric[], format: MergeFormat): string {
  if (format === 'csv') return aggregateCsv(aggregates);
  const grid = aggregateGrid(aggregates, metrics);
  return `${format === 'markdown' ? renderMarkdown(grid) : renderTable(grid)}\n`;
}

/**
 * CSV (RFC 4180): every option, then per metric its n, mean, sd and the 95% interval's bounds;
 * empty cells where there is no value.
 */
export function aggregateCsv(aggregates: readonly ConfigurationAggregate[]): string {
  const head = ['configuration', ...OPTION_FIELDS, 'seeds', 'converged'];
  for (const m of AGGREGATE_METRICS) head.push(`${m}_n`, `${m}_mean`, `${m}_sd`, `${m}_ci95_low`, `${m}_ci95_high`);
  const rows = aggregates.map((a) => {
    const row: (string | number | null)[] = [a.id, ...OPTION_FIELDS.map((f) => a.options[f]), a.seeds.length, a.converged];
    for (const m of AGGREGATE_METRICS) {
      const s = a.stats[m];
      row.push(s?.n ?? 0, s?.mean ?? null, s?.sd ?? null, s?.low ?? null, s?.high ?? null);
    }
    return row;
  });
  return [head, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
