/**
 * `--trace FILE`: the per-tick series and per-host completion ticks and load of a run, as CSV or JSON.
 *
 * CSV keeps two tables apart rather than forcing them into one: `FILE.csv` has one row per tick and
 * `FILE.hosts.csv` beside it one row per host, so each loads as-is in a spreadsheet or data frame.
 * JSON holds both in one document.
 */
import { extname } from 'node:path';
import { OptionError } from '../errors.js';
import { writeOutput } from '../output-file.js';
import { formatLatency, type SimulationOptions } from '../options.js';
import { rawHostLoad, type SimulationOutcome } from '../result.js';
import { LOAD_BYTES, LOAD_RECEIVED, LOAD_SENT } from '../load.js';

/** The formats `--trace` writes, chosen by the file's extension. */
export type TraceFormat = 'csv' | 'json';

/** The fields of a run a trace is made of. */
export type TraceSource = Pick<SimulationOutcome, 'series' | 'hostCompletionTicks' | 'lastTick' | 'endReason'> & {
  readonly options: SimulationOptions;
};

/** Identifies the JSON trace document; bump `TRACE_VERSION` on any incompatible change. */
export const TRACE_FORMAT = 'gossip-sim-trace';
export const TRACE_VERSION = 1;

/** The per-tick table's header, in column order. */
export const TICK_COLUMNS = ['tick', 'sent', 'delivered', 'complete', 'coverage', 'live'] as const;
/** The per-host table's header; `completion_tick` is empty for a host that never completed. */
export const HOST_COLUMNS = ['host', 'completion_tick'] as const;
/** The per-host table's load columns, after HOST_COLUMNS, when the run counted per-host load. */
export const HOST_LOAD_COLUMNS = ['sent', 'received', 'bytes'] as const;

/** The format of `--trace path`, or an `OptionError` naming the flag when the extension is neither. */
export function traceFormatOf(path: string, flag = '--trace'): TraceFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  throw new OptionError(flag, JSON.stringify(path), 'a file name ending in .csv or .json (the extension picks the format)');
}

/** Where the per-host table of a CSV trace goes: `trace.csv` → `trace.hosts.csv`. */
export function hostsCsvPathOf(path: string): string {
  return `${path.slice(0, path.length - extname(path).length)}.hosts.csv`;
}

/** The per-tick CSV table, header included, one line per tick from 0 to the last tick. Allocates. */
export function tickCsvOf(source: TraceSource): string {
  const { sent, delivered, complete, coverage, live } = source.series;
  const lines: string[] = [TICK_COLUMNS.join(',')];
  for (let t = 0; t < complete.length; t++) {
    lines.push(`${t},${sent[t] ?? 0},${delivered[t] ?? 0},${complete[t] ?? 0},${coverage[t] ?? 0},${live[t] ?? source.options.hosts}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The per-host CSV table, header included, one line per host id. Allocates. */
export function hostCsvOf(source: TraceSource): string {
  const load = rawHostLoad(source);
  if (load === undefined) {
    const lines: string[] = [HOST_COLUMNS.join(',')];
    source.hostCompletionTicks.forEach((tick, host) => lines.push(`${host},${tick ?? ''}`));
    return `${lines.join('\n')}\n`;
  }
  const n = source.hostCompletionTicks.length;
  const lines: string[] = [[...HOST_COLUMNS, ...HOST_LOAD_COLUMNS].join(',')];
  source.hostCompletionTicks.forEach((tick, host) => lines.push(`${host},${tick ?? ''},${load[LOAD_SENT * n + host]},${load[LOAD_RECEIVED * n + host]},${load[LOAD_BYTES * n + host]}`));
  return `${lines.join('\n')}\n`;
}

/** The JSON trace document: options for context, the series as columns, the completion ticks. */
export function traceJsonOf(source: TraceSource): Record<string, unknown> {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    options: { ...source.options, latency: formatLatency(source.options.latency) },
    endReason: source.endReason,
    lastTick: source.lastTick,
    series: {
      tick: Array.from(source.series.complete, (_, t) => t),
      sent: source.series.sent,
      delivered: source.series.delivered,
      complete: source.series.complete,
      coverage: source.series.coverage,
      live: source.series.live,
    },
    hostCompletionTicks: source.hostCompletionTicks,
    ...hostLoadColumns(source),
  };
}

/** The per-host load as three columns by host id (`hostLoad` of the JSON trace), when the run counted it. Allocates. */
function hostLoadColumns(source: TraceSource): { hostLoad?: { sent: number[]; received: number[]; bytes: number[] } } {
  const load = rawHostLoad(source);
  if (load === undefined) return {};
  const n = source.hostCompletionTicks.length;
  const column = (slot: number): number[] => Array.from(load.subarray(slot * n, (slot + 1) * n));
  return { hostLoad: { sent: column(LOAD_SENT), received: column(LOAD_RECEIVED), bytes: column(LOAD_BYTES) } };
}

/**
 * Writes the trace of `source` to `path` (CSV or JSON by extension; CSV also writes the per-host
 * table beside it) and resolves to the paths written. Throws `OptionError` on another extension.
 */
export async function writeTrace(source: TraceSource, path: string): Promise<string[]> {
  const format = traceFormatOf(path);
  if (format === 'json') {
    await writeOutput(path, `${JSON.stringify(traceJsonOf(source))}\n`, 'trace');
    return [path];
  }
  const hostsPath = hostsCsvPathOf(path);
  await writeOutput(path, tickCsvOf(source), 'trace');
  await writeOutput(hostsPath, hostCsvOf(source), 'trace');
  return [path, hostsPath];
}
