/** The report of `gossip-sim bench --report FILE.html`: wall time, speedup and memory charts. */
import { describeEnvironment } from '../bench/environment.js';
import { parseResults, type BenchResults } from '../bench/schema.js';
import { formatBytes } from '../errors.js';
import { formatCount, formatRate } from '../summary.js';
import { memoryChart, speedupChart, wallTimeChart, type BenchPoint, type ControlPoint } from './charts.js';
import { renderPage, type Table } from './html.js';
import { footerText } from './run-report.js';

/** The chart inputs of a bench results file: one point per configuration, one control per thread count. */
export function benchPointsOf(results: BenchResults): { points: BenchPoint[]; controls: ControlPoint[] } {
  const points = results.configurations.map((c) => ({
    protocol: c.options.protocol,
    hosts: c.options.hosts,
    threads: c.options.threads,
    medianSeconds: c.summary.wallSeconds.median,
    minSeconds: c.summary.wallSeconds.min,
    maxSeconds: c.summary.wallSeconds.max,
    peakRssBytes: c.summary.peakRssBytes === null ? null : c.summary.peakRssBytes.median,
    speedup: c.summary.speedup,
  }));
  const controls = results.control.map((c) => ({ threads: c.threads, median: c.speedup.median, min: c.speedup.min, max: c.speedup.max }));
  return { points, controls };
}

const times = (x: number | null): string => (x === null ? '' : `${x.toFixed(2)}×`);

function configurationsTable(results: BenchResults): Table {
  const rows = results.configurations.map((c) => {
    const s = c.summary;
    const o = c.options;
    return [
      o.protocol,
      formatCount(o.hosts),
      `${o.threads}${c.oversubscribed ? ' (oversubscribed)' : ''}`,
      `${s.wallSeconds.median.toFixed(3)} s`,
      `${s.wallSeconds.min.toFixed(3)}–${s.wallSeconds.max.toFixed(3)} s`,
      s.messagesPerSecond === null ? '' : formatRate(s.messagesPerSecond),
      s.peakRssBytes === null ? '' : formatBytes(s.peakRssBytes.median),
      times(s.speedup),
      s.efficiency === null ? '' : `${(s.efficiency * 100).toFixed(0)} %`,
      times(s.controlSpeedup),
      String(c.samples.length),
    ];
  });
  return {
    caption: 'Configurations',
    head: ['protocol', 'hosts', 'threads', 'wall (median)', 'wall (min–max)', 'messages/s', 'peak RSS', 'speedup', 'efficiency', 'control', 'samples'],
    rows,
    wide: true,
  };
}

/**
 * The HTML page of a bench results file. Validates `bench` against the results schema first
 * (throws `SchemaError` naming the first violation).
 */
export async function renderBenchReport(bench: unknown): Promise<string> {
  const results = parseResults(bench);
  const { points, controls } = benchPointsOf(results);
  const tables: Table[] = [configurationsTable(results)];
  if (results.skipped.length > 0) {
    tables.push({ caption: 'Skipped configurations', head: ['configuration', 'reason'], rows: results.skipped.map((s) => [s.id, s.reason]), wide: true });
  }
  if (results.issues.length > 0) {
    tables.push({ caption: 'Issues found while measuring', head: ['issue'], rows: results.issues.map((i) => [i]), wide: true });
  }
  return renderPage({
    title: `gossip-sim bench: ${results.configurations.length} configuration${results.configurations.length === 1 ? '' : 's'}`,
    subtitle: [
      describeEnvironment(results.environment),
      `${results.settings.repeat} measured run${results.settings.repeat === 1 ? '' : 's'} per configuration after ${results.settings.warmup} warm-up; each run its own process.`,
    ],
    charts: [wallTimeChart(points), speedupChart(points, controls), memoryChart(points)],
    tables,
    footer: footerText(`${results.tool.name} ${results.tool.version} bench --report`),
  });
}
