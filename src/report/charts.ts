/**
 * The Vega-Lite specs of every report chart, with their data inline.
 *
 * Each chart has exactly one layer named `points` (rendered as `<g class="… points_marks">`) with
 * one mark per row of the chart's data, and says how many rows that is in `points`; lines, rules
 * and error bars are drawn by other layers. The browser test counts marks against `points`.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TickSeries } from '../result.js';

/** Name of the layer that draws one mark per data point; Vega gives its group `points_marks`. */
export const POINTS_LAYER = 'points';

/** Most points a per-tick series is drawn with; longer runs are drawn in buckets of ticks. */
export const MAX_SERIES_POINTS = 400;

/** Most bars of the completion-tick histogram. */
export const MAX_HISTOGRAM_BINS = 60;

/** A chart ready to render: its spec, the text around it and its number of data points. */
export interface Chart {
  /** Stable id, used as the HTML element id (`chart-<id>`). */
  readonly id: string;
  readonly title: string;
  /** One or two sentences under the chart: what is drawn, how it was sampled. */
  readonly caption: string;
  /** Rows of the `points` layer's data, hence marks in its SVG. */
  readonly points: number;
  readonly spec: TopLevelSpec;
}

const WIDTH = 560;
const HEIGHT = 240;

/** A run's convergence curve as the comparison charts take it. */
export interface LabelledSeries {
  readonly label: string;
  readonly hosts: number;
  readonly series: Pick<TickSeries, 'complete' | 'coverage'>;
}

/** A range of ticks drawn as one point: ticks `first` to `last` inclusive. */
export interface Bucket {
  readonly first: number;
  readonly last: number;
}

/**
 * Splits ticks 0..n-1 into at most `max` buckets of (nearly) equal width; one bucket per tick
 * when n <= max. Allocates.
 */
export function tickBuckets(n: number, max: number = MAX_SERIES_POINTS): Bucket[] {
  const count = Math.min(n, max);
  const buckets: Bucket[] = [];
  for (let j = 0; j < count; j++) {
    buckets.push({ first: Math.floor((j * n) / count), last: Math.floor(((j + 1) * n) / count) - 1 });
  }
  return buckets;
}

function samplingNote(n: number, buckets: number, how: string): string {
  return buckets === n ? 'One point per tick.' : `${n} ticks drawn as ${buckets} points, each ${how} over about ${(n / buckets).toFixed(1)} ticks.`;
}

const tickAxis = { title: 'tick', tickMinStep: 1, format: 'd' } as const;

const seriesColor = (title: string | null): Record<string, unknown> => ({
  field: 'series',
  type: 'nominal',
  title,
  sort: null,
  // A few columns at most: a long legend row would widen the SVG and shrink the whole chart.
  legend: { orient: 'bottom', direction: 'horizontal', columns: 3, labelLimit: 240 },
});

/** A line per series over ticks, with a `points` layer of one mark per row. */
function lineWithPoints(rows: Record<string, unknown>[], y: Record<string, unknown>, color: Record<string, unknown>): TopLevelSpec {
  return {
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    encoding: { x: { field: 'tick', type: 'quantitative', axis: tickAxis }, y, color },
    layer: [
      { name: 'curve', mark: { type: 'line', strokeWidth: 2 } },
      { name: POINTS_LAYER, mark: { type: 'point', filled: true, size: 22, opacity: 1 } },
    ],
  } as TopLevelSpec;
}

/** A spec without its width and height (a layer inside a sized one). */
function withoutSize(spec: TopLevelSpec): Record<string, unknown> {
  const { width: _w, height: _h, ...inner } = spec as unknown as Record<string, unknown>;
  void _w; void _h;
  return inner;
}

/** A fault event drawn on a chart: a dashed rule at its tick, labelled. */
export interface ChartEvent {
  readonly tick: number;
  readonly label: string;
}

/**
 * Hosts complete and coverage, both in percent, against ticks (and hosts live, under crashes);
 * fault events (a partition's start and heal, a crash and its recovery) as labelled dashed rules
 * at their ticks.
 */
export function convergenceChart(series: TickSeries, hosts: number, events: readonly ChartEvent[] = []): Chart {
  const n = series.complete.length;
  const buckets = tickBuckets(n);
  const rows: Record<string, unknown>[] = [];
  for (const { last } of buckets) rows.push({ tick: last, series: 'hosts complete', percent: ((series.complete[last] ?? 0) / hosts) * 100 });
  for (const { last } of buckets) rows.push({ tick: last, series: 'coverage', percent: (series.coverage[last] ?? 0) * 100 });
  // Under crashes or churn, the hosts up at each tick too (drawn only when some host was ever down).
  const someDown = series.live.some((live) => live < hosts);
  if (someDown) for (const { last } of buckets) rows.push({ tick: last, series: 'hosts live', percent: ((series.live[last] ?? 0) / hosts) * 100 });
  const curves = lineWithPoints(rows, { field: 'percent', type: 'quantitative', title: 'percent', scale: { domain: [0, 100] } }, seriesColor(null));
  // Only events within the ticks run: a rule beyond the last tick would stretch the axis.
  const shown = events.filter((e) => e.tick <= n - 1);
  const spec = shown.length === 0 ? curves : ({
    width: WIDTH,
    height: HEIGHT,
    layer: [
      withoutSize(curves),
      {
        name: 'events',
        data: { values: shown.map((e) => ({ tick: e.tick, event: e.label })) },
        encoding: { x: { field: 'tick', type: 'quantitative' } },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 3], color: '#7f7f7f' } },
          { mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color: '#555' }, encoding: { y: { value: 0 }, text: { field: 'event' } } },
        ],
      },
    ],
  } as unknown as TopLevelSpec);
  return {
    id: 'convergence',
    title: someDown ? 'Convergence under crashes: hosts live, live hosts complete and coverage per tick' : 'Convergence: hosts complete and coverage per tick',
    caption:
      (someDown
        ? `Hosts up (as a share of ${hosts}), live hosts that know every host (as a share of ${hosts}) and coverage over live hosts (their known ids out of live hosts × N) `
        : `Hosts that know every host (as a share of ${hosts}) and coverage (known (host, host) pairs out of N²) `) +
      `at the end of each tick. ${samplingNote(n, buckets.length, 'the value at its last tick')}` +
      (shown.length === 0 ? '' : ` Dashed lines: the fault events (${shown.map((e) => `${e.label} at tick ${e.tick}`).join(', ')}).`),
    points: rows.length,
    spec,
  };
}

/** Messages sent and delivered per tick. */
export function messagesChart(series: TickSeries): Chart {
  const n = series.sent.length;
  const buckets = tickBuckets(n);
  const mean = (values: readonly number[], b: Bucket): number => {
    let sum = 0;
    for (let t = b.first; t <= b.last; t++) sum += values[t] ?? 0;
    return sum / (b.last - b.first + 1);
  };
  const rows: Record<string, unknown>[] = [];
  for (const b of buckets) rows.push({ tick: b.last, series: 'sent', messages: mean(series.sent, b) });
  for (const b of buckets) rows.push({ tick: b.last, series: 'delivered', messages: mean(series.delivered, b) });
  return {
    id: 'messages',
    title: 'Messages per tick',
    caption: `Messages sent (lost ones included) and delivered during each tick. ${samplingNote(n, buckets.length, 'the mean per tick')}`,
    points: rows.length,
    spec: lineWithPoints(rows, { field: 'messages', type: 'quantitative', title: 'messages per tick' }, seriesColor(null)),
  };
}

/** Bin width for `range` integer ticks in at most `maxBins` bins: 1, 2, 5, 10, 20, 50, ... */
export function binWidthOf(range: number, maxBins: number = MAX_HISTOGRAM_BINS): number {
  for (let decade = 1; ; decade *= 10) {
    for (const m of [1, 2, 5]) {
      if (Math.ceil(range / (m * decade)) <= maxBins) return m * decade;
    }
  }
}

/** Histogram of the ticks at which hosts became complete: one bar per bin, empty bins included. */
export function completionHistogram(hostCompletionTicks: readonly (number | null)[]): Chart {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let never = 0;
  for (const t of hostCompletionTicks) {
    if (t === null) never++;
    else {
      if (t < min) min = t;
      if (t > max) max = t;
    }
  }
  const rows: Record<string, unknown>[] = [];
  let width = 1;
  if (never < hostCompletionTicks.length) {
    width = binWidthOf(max - min + 1);
    const start = Math.floor(min / width) * width;
    const counts = new Array<number>(Math.floor((max - start) / width) + 1).fill(0);
    for (const t of hostCompletionTicks) if (t !== null) counts[Math.floor((t - start) / width)]! += 1;
    counts.forEach((hosts, i) => rows.push({ start: start + i * width, end: start + (i + 1) * width, hosts }));
  }
  const neverNote = never === 0 ? 'Every host completed.' : `${never} of ${hostCompletionTicks.length} hosts never completed and are not drawn.`;
  const binNote = width === 1 ? 'One bar per tick: the bar from t to t+1 counts the hosts complete from tick t.' : `Bars ${width} ticks wide.`;
  return {
    id: 'completion',
    title: 'When hosts became complete',
    caption: `Hosts by the tick at which they first knew every host. ${binNote} ${neverNote}`,
    points: rows.length,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      layer: [
        {
          name: POINTS_LAYER,
          mark: { type: 'bar', stroke: '#ffffff', strokeWidth: 0.5 },
          encoding: {
            x: { field: 'start', type: 'quantitative', bin: { binned: true, step: width }, axis: { title: 'completion tick', format: 'd' } },
            x2: { field: 'end' },
            y: { field: 'hosts', type: 'quantitative', title: 'hosts' },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Convergence curves of several runs overlaid: hosts complete and coverage, in percent. */
export function comparisonCharts(runs: readonly LabelledSeries[]): Chart[] {
  const complete: Record<string, unknown>[] = [];
  const coverage: Record<string, unknown>[] = [];
  let sampled = false;
  for (const run of runs) {
    const n = run.series.complete.length;
    const buckets = tickBuckets(n);
    if (buckets.length < n) sampled = true;
    for (const { last } of buckets) {
      complete.push({ tick: last, series: run.label, percent: ((run.series.complete[last] ?? 0) / run.hosts) * 100 });
      coverage.push({ tick: last, series: run.label, percent: (run.series.coverage[last] ?? 0) * 100 });
    }
  }
  const note = sampled
    ? ` Runs longer than ${MAX_SERIES_POINTS} ticks are drawn as ${MAX_SERIES_POINTS} points, each the value at the last tick of its bucket.`
    : ' One point per tick.';
  const y = { field: 'percent', type: 'quantitative', title: 'percent', scale: { domain: [0, 100] } };
  return [
    {
      id: 'compare-complete',
      title: 'Hosts complete per tick',
      caption: `Share of hosts that know every host at the end of each tick, one curve per run.${note}`,
      points: complete.length,
      spec: lineWithPoints(complete, y, seriesColor('run')),
    },
    {
      id: 'compare-coverage',
      title: 'Coverage per tick',
      caption: `Known (host, host) pairs out of N² at the end of each tick, one curve per run.${note}`,
      points: coverage.length,
      spec: lineWithPoints(coverage, y, seriesColor('run')),
    },
  ];
}

/** One benchmarked configuration as the bench charts take it. */
export interface BenchPoint {
  readonly protocol: string;
  readonly hosts: number;
  readonly threads: number;
  /** Median, fastest and slowest wall time over the samples, seconds. */
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** Median peak resident set size over the samples, bytes; `null` when not measured. */
  readonly peakRssBytes: number | null;
  /** Median wall time at 1 thread over this one's; `null` without a 1-thread run to compare with. */
  readonly speedup: number | null;
}

/** The CPU-scaling control at one thread count: pure arithmetic in 1 vs `threads` workers. */
export interface ControlPoint {
  readonly threads: number;
  /** Median, lowest and highest speedup over the control's samples. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

const bottomLegend = { orient: 'bottom', direction: 'horizontal' } as const;
const threadsColor = { field: 'threads', type: 'ordinal', title: 'threads', legend: bottomLegend } as const;
const protocolShape = { field: 'protocol', type: 'nominal', title: 'protocol', legend: bottomLegend } as const;
const hostsAxis = { field: 'hosts', type: 'quantitative', title: 'hosts', scale: { type: 'log' }, axis: { format: '~s' } } as const;

/** Median wall time against hosts, one curve per (protocol, thread count), min–max as error bars. */
export function wallTimeChart(points: readonly BenchPoint[]): Chart {
  const rows = points.map((p) => ({ protocol: p.protocol, hosts: p.hosts, threads: p.threads, median: p.medianSeconds, min: p.minSeconds, max: p.maxSeconds }));
  const y = { field: 'median', type: 'quantitative', title: 'wall time, s (median)', scale: { type: 'log' } };
  return {
    id: 'bench-wall',
    title: 'Wall time against hosts',
    caption: 'Median wall time of each configuration (log–log), one curve per protocol and thread count; the bars span the fastest and slowest sample.',
    points: rows.length,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      encoding: { x: hostsAxis, color: threadsColor },
      layer: [
        { name: 'spread', mark: { type: 'rule' }, encoding: { y: { ...y, field: 'min' }, y2: { field: 'max' } } },
        { name: 'curve', mark: { type: 'line', strokeWidth: 2 }, encoding: { y, detail: { field: 'protocol' }, strokeDash: protocolShape } },
        { name: POINTS_LAYER, mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { y, shape: protocolShape } },
      ],
    } as TopLevelSpec,
  };
}

/** Speedup against threads per (protocol, hosts), with the ideal line and the CPU-scaling control. */
export function speedupChart(points: readonly BenchPoint[], controls: readonly ControlPoint[]): Chart {
  const rows: Record<string, unknown>[] = [];
  for (const p of points) {
    if (p.speedup !== null) rows.push({ threads: p.threads, speedup: p.speedup, series: `${p.protocol}, ${p.hosts} hosts` });
  }
  const controlRows = [...controls]
    .sort((a, b) => a.threads - b.threads)
    .map((c) => ({ threads: c.threads, speedup: c.median, min: c.min, max: c.max, series: 'CPU-scaling control' }));
  rows.push(...controlRows);
  const maxThreads = Math.max(2, ...points.map((p) => p.threads), ...controls.map((c) => c.threads));
  const ideal = [{ threads: 1, speedup: 1 }, { threads: maxThreads, speedup: maxThreads }];
  const x = { field: 'threads', type: 'quantitative', title: 'threads', axis: { tickMinStep: 1, format: 'd' }, scale: { domain: [1, maxThreads] } };
  const y = { field: 'speedup', type: 'quantitative', title: 'speedup over 1 thread', scale: { domainMin: 0 } };
  const color = seriesColor(null);
  return {
    id: 'bench-speedup',
    title: 'Speedup against threads',
    caption:
      'Median wall time at 1 thread over the median at N threads, per protocol and host count. The dashed diagonal is ideal scaling; ' +
      'the CPU-scaling control (pure arithmetic in 1 vs N workers, bars from its lowest to highest sample) is what this machine gave N threads during the same bench.',
    points: rows.length,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { name: 'ideal', data: { values: ideal }, mark: { type: 'line', strokeDash: [6, 4], color: '#8c959f', strokeWidth: 1.5 }, encoding: { x, y } },
        { name: 'spread', data: { values: controlRows }, mark: { type: 'rule' }, encoding: { x, y: { ...y, field: 'min' }, y2: { field: 'max' }, color } },
        { name: 'curve', data: { values: rows }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
        { name: POINTS_LAYER, data: { values: rows }, mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { x, y, color } },
      ],
    } as TopLevelSpec,
  };
}

/** Peak resident memory against hosts, one curve per (protocol, thread count). */
export function memoryChart(points: readonly BenchPoint[]): Chart {
  const rows = points
    .filter((p) => p.peakRssBytes !== null)
    .map((p) => ({ protocol: p.protocol, hosts: p.hosts, threads: p.threads, mib: (p.peakRssBytes ?? 0) / 2 ** 20 }));
  const y = { field: 'mib', type: 'quantitative', title: 'peak RSS, MiB (median)', scale: { type: 'log' } };
  return {
    id: 'bench-memory',
    title: 'Peak memory against hosts',
    caption: 'Median peak resident memory of the measured process (worker threads included) as the operating system counted it (log–log).',
    points: rows.length,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      encoding: { x: hostsAxis, y, color: threadsColor },
      layer: [
        { name: 'curve', mark: { type: 'line', strokeWidth: 2 }, encoding: { detail: { field: 'protocol' }, strokeDash: protocolShape } },
        { name: POINTS_LAYER, mark: { type: 'point', filled: true, size: 50, opacity: 1 }, encoding: { shape: protocolShape } },
      ],
    } as TopLevelSpec,
  };
}

/** One configuration of a sweep as the interval chart takes it: a metric's mean and 95% CI over seeds. */
export interface IntervalPoint {
  /** Unique per configuration: the options that vary in the sweep. */
  readonly label: string;
  readonly mean: number;
  /** Null with a single seed (no interval). */
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
}

/** A metric's mean per configuration with its confidence interval as an error bar, configurations in plan order. */
export function intervalChart(metric: string, points: readonly IntervalPoint[]): Chart {
  const rows = points.map((p) => ({ configuration: p.label, mean: p.mean, low: p.low, high: p.high, n: p.n }));
  const x = { type: 'quantitative', title: `${metric} (mean)`, scale: { zero: false } } as const;
  const single = points.filter((p) => p.low === null).length;
  return {
    id: `sweep-${metric}`,
    title: `${metric} per configuration`,
    caption:
      `Mean of ${metric} over the seeds of each configuration; the bar is the 95% confidence interval of the mean (Student's t, n - 1 degrees of freedom).` +
      `${single === 0 ? '' : ` ${single} configuration${single === 1 ? ' has' : 's have'} a single seed and no bar.`}`,
    points: rows.length,
    spec: {
      // One row per configuration, its label on the left: labels are long, rows are many.
      width: WIDTH,
      height: { step: 22 },
      data: { values: rows },
      encoding: { y: { field: 'configuration', type: 'nominal', sort: null, title: null, axis: { labelLimit: 360 } } },
      layer: [
        { name: 'interval', mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' } } },
        { name: POINTS_LAYER, mark: { type: 'point', filled: true, size: 60, opacity: 1 }, encoding: { x: { ...x, field: 'mean' } } },
      ],
    } as TopLevelSpec,
  };
}
