/**
 * The aggregate of one configuration over its seeds: for each numeric metric the mean, the sample
 * standard deviation and the 95% confidence interval of the mean, through the same statistics as
 * a sweep's (src/bench/stats.ts: Student's t with n - 1 degrees of freedom, computed, not tabled).
 */
import { meanInterval } from '../bench/stats.js';
import { METRIC_NAMES } from '../result.js';
import type { SeedRun } from './seed-run.js';

/**
 * One metric over the runs that have a value for it (`ticks`, `spreadTicks` and protocol metrics
 * can be null in a run). `sd` is the sample standard deviation (n - 1 in the denominator), 0 for
 * n = 1; `ci95` is mean ∓ t(0.975, n - 1) · sd / √n, the point [mean, mean] for n = 1 (one run
 * says nothing about spread). With n = 0 every figure is null.
 */
export type MetricAggregate =
  | { readonly n: number; readonly mean: number; readonly sd: number; readonly ci95: readonly [number, number] }
  | { readonly n: 0; readonly mean: null; readonly sd: null; readonly ci95: null };

/** The metrics of a `--seeds` aggregate by name, in table order. */
export type SeedsAggregate = Record<string, MetricAggregate>;

/** A run's protocol-specific metrics, when its protocol reports any (an optional field of Result). */
function protocolMetricsOf(run: SeedRun): Readonly<Record<string, number | null>> {
  return (run as { protocolMetrics?: Readonly<Record<string, number | null>> }).protocolMetrics ?? {};
}

/**
 * The metric names a set of runs is aggregated over, in order: SPEC.md's (`converged` as 0/1),
 * `lastTick`, `partitioned`, `dropped`, `live`, the completion quantiles, then every protocol
 * metric in the order the runs first name it. Allocates.
 */
export function aggregateNames(runs: readonly SeedRun[]): string[] {
  const names = new Set<string>([...METRIC_NAMES, 'lastTick', 'partitioned', 'dropped', 'live', ...QUANTILE_NAMES]);
  for (const run of runs) for (const name of Object.keys(protocolMetricsOf(run))) names.add(name);
  return [...names];
}

/** Numeric fields of a run beside SPEC.md's metrics that are aggregated as they are. */
const OWN_NAMES = ['lastTick', 'partitioned', 'dropped', 'live'] as const satisfies readonly (keyof SeedRun)[];

/** The completion-tick quantiles, aggregated as metrics of their own. */
const QUANTILE_KEYS: Readonly<Record<string, 'p50' | 'p95' | 'p99'>> = { completionP50: 'p50', completionP95: 'p95', completionP99: 'p99' };
const QUANTILE_NAMES = Object.keys(QUANTILE_KEYS);

/** The value of metric `name` in `run`: null where the run has none. */
export function valueOf(run: SeedRun, name: string): number | null {
  if (name === 'converged') return run.converged ? 1 : 0;
  if ((METRIC_NAMES as readonly string[]).includes(name) || (OWN_NAMES as readonly string[]).includes(name)) {
    return run[name as Exclude<(typeof METRIC_NAMES)[number], 'converged'> | (typeof OWN_NAMES)[number]];
  }
  const quantile = QUANTILE_KEYS[name];
  if (quantile !== undefined) return run.completionQuantiles?.[quantile] ?? null;
  const value = protocolMetricsOf(run)[name];
  return typeof value === 'number' ? value : null;
}

/** Aggregates every metric of `runs` (see `aggregateNames`). Allocates. */
export function aggregateRuns(runs: readonly SeedRun[]): SeedsAggregate {
  const aggregate: SeedsAggregate = {};
  for (const name of aggregateNames(runs)) {
    const values: number[] = [];
    for (const run of runs) {
      const v = valueOf(run, name);
      if (v !== null) values.push(v);
    }
    aggregate[name] = statisticsOf(values);
  }
  return aggregate;
}

/** Mean, sd and 95% interval of `values` (see MetricAggregate). */
export function statisticsOf(values: readonly number[]): MetricAggregate {
  if (values.length === 0) return { n: 0, mean: null, sd: null, ci95: null };
  const s = meanInterval(values, 0.95);
  return { n: s.n, mean: s.mean, sd: s.sd ?? 0, ci95: [s.low ?? s.mean, s.high ?? s.mean] };
}
