/**
 * A small text chart of hosts complete per tick, appended to the human summary of `run` on a
 * terminal. Block characters in eighths give 8 levels per row, so 8 rows resolve 64 levels.
 */
import type { SimulationOutcome } from '../result.js';
import type { SimulationOptions } from '../options.js';

/** Partial blocks from one eighth to a full cell; index 0 is an empty cell. */
const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** Size of a terminal chart. */
export interface TerminalChartSize {
  /** Text rows of the plot area (default 8). */
  readonly rows?: number;
  /** Most columns of the plot area (default 60); longer series are downsampled to fit. */
  readonly columns?: number;
}

/**
 * Downsamples a cumulative series to at most `columns` values: column j covers ticks
 * ⌊j·n/columns⌋ to ⌊(j+1)·n/columns⌋ − 1 and holds the value at its last tick (the series never
 * decreases, so that is the bucket's maximum). Also returns ticks per column (1 when not
 * downsampled, otherwise n/columns, possibly fractional). Allocates.
 */
export function downsampleCumulative(values: readonly number[], columns: number): { values: number[]; ticksPerColumn: number } {
  const n = values.length;
  if (n <= columns) return { values: [...values], ticksPerColumn: 1 };
  const out: number[] = [];
  for (let j = 0; j < columns; j++) out.push(values[Math.floor(((j + 1) * n) / columns) - 1] ?? 0);
  return { values: out, ticksPerColumn: n / columns };
}

/**
 * Renders `values` (e.g. hosts complete per tick) against `max` as a block chart with a y axis
 * labelled 0 and `max` and an x axis labelled with the first and last tick. Allocates.
 */
export function formatTerminalChart(values: readonly number[], max: number, title: string, size: TerminalChartSize = {}): string {
  const rows = Math.max(1, Math.floor(size.rows ?? 8));
  const columns = Math.max(1, Math.floor(size.columns ?? 60));
  if (values.length === 0) return `${title}: no ticks run`;
  const sampled = downsampleCumulative(values, columns);
  // Short series get wider columns so a 3-tick run is still readable.
  const width = Math.max(1, Math.min(3, Math.floor(columns / sampled.values.length)));
  const levels = rows * 8;
  const heights = sampled.values.map((v) => {
    if (!(max > 0) || v <= 0) return 0;
    return Math.max(1, Math.min(levels, Math.round((v / max) * levels)));
  });

  const top = String(max);
  const labelWidth = Math.max(top.length, 1);
  const lines: string[] = [];
  const lastTick = values.length - 1;
  const per = sampled.ticksPerColumn;
  const step = per === 1 ? '' : `, ${Number.isInteger(per) ? per : per.toFixed(1)} ticks per column`;
  lines.push(`${' '.repeat(labelWidth + 1)}${title} (ticks 0 to ${lastTick}${step})`);
  for (let r = 0; r < rows; r++) {
    const base = (rows - 1 - r) * 8;
    let line = '';
    for (const h of heights) line += (BLOCKS[Math.max(0, Math.min(8, h - base))] ?? ' ').repeat(width);
    const label = r === 0 ? top : r === rows - 1 ? '0' : '';
    lines.push(`${label.padStart(labelWidth)} ${r === 0 || r === rows - 1 ? '┤' : '│'}${line.trimEnd()}`);
  }
  const plotWidth = heights.length * width;
  lines.push(`${' '.repeat(labelWidth + 1)}└${'─'.repeat(plotWidth)}`);
  const first = '0';
  const last = String(lastTick);
  const gap = Math.max(1, plotWidth - first.length - last.length);
  lines.push(`${' '.repeat(labelWidth + 2)}${first}${lastTick > 0 ? `${' '.repeat(gap)}${last}` : ''}`);
  return lines.join('\n');
}

/** The terminal chart of hosts complete per tick of a run, as `run` appends it on a terminal. */
export function completionChartOf(result: Pick<SimulationOutcome, 'series'> & { readonly options: Pick<SimulationOptions, 'hosts'> }): string {
  return formatTerminalChart(result.series.complete, result.options.hosts, 'hosts complete per tick');
}
