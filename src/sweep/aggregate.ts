/**
 * Aggregates of a sweep per configuration (a run's options without its seed) over its seeds: for
 * each numeric metric the mean, the sample standard deviation and the 95% confidence interval of
 * the mean from Student's t with n - 1 degrees of freedom (src/bench/stats.ts). A metric that is
 * null in some runs (ticks and spreadTicks of a run that did not converge) is aggregated over the
 * runs that have it, and says so with its own n.
 */
import { meanInterval, type MeanInterval } from '../bench/stats.js';
import { configurationKey, type RunOptions } from './key.js';
import type { ResultLine } from './results.js';

/** The numeric metrics that are aggregated, in table order: SPEC.md's, then the timings. */
export const AGGREGATE_METRICS = [
  'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'inFlight', 'entries', 'spreadTicks', 'coverage', 'lastTick',
  'wallSeconds', 'processSeconds', 'peakRssBytes',
] as const;
export type AggregateMetric = (typeof AGGREGATE_METRICS)[number];

/** The option fields of a configuration, in the order tables show them. */
export const OPTION_FIELDS = ['protocol', 'hosts', 'fanout', 'view', 'latency', 'loss', 'maxTicks', 'engine', 'threads'] as const satisfies readonly (keyof RunOptions)[];

/** One configuration over its seeds. */
export interface ConfigurationAggregate {
  /** configurationKey of the options. */
  readonly id: string;
  readonly options: RunOptions;
  /** Seeds in plan order. */
  readonly seeds: number[];
  /** Runs that converged. */
  readonly converged: number;
  /** Per metric; null when no run has a value for it. */
  readonly stats: Record<AggregateMetric, MeanInterval | null>;
  /** The smallest plan index of its runs: configurations are listed in plan order. */
  readonly firstIndex: number;
}

/** The value of `metric` in `line`; null where the run has none. */
export function metricOf(line: ResultLine, metric: AggregateMetric): number | null {
  switch (metric) {
    case 'wallSeconds':
    case 'processSeconds':
    case 'peakRssBytes':
      return line[metric];
    default:
      return line.metrics[metric];
  }
}

/** Groups `lines` (one per run) by configuration, in plan order. Allocates. */
export function aggregate(lines: readonly ResultLine[]): ConfigurationAggregate[] {
  const groups = new Map<string, ResultLine[]>();
  for (const line of [...lines].sort((a, b) => a.index - b.index)) {
    const id = configurationKey(line.options);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [line]);
    else group.push(line);
  }
  return [...groups.entries()].map(([id, group]) => {
    const stats = {} as Record<AggregateMetric, MeanInterval | null>;
    for (const metric of AGGREGATE_METRICS) {
      const values = group.map((l) => metricOf(l, metric)).filter((v): v is number => v !== null);
      stats[metric] = values.length === 0 ? null : meanInterval(values);
    }
    return {
      id,
      options: group[0]!.options,
      seeds: group.map((l) => l.seed),
      converged: group.filter((l) => l.metrics.converged).length,
      stats,
      firstIndex: group[0]!.index,
    };
  });
}

/** The option fields whose values differ between configurations (protocol and hosts if none do). */
export function varyingOptions(aggregates: readonly ConfigurationAggregate[]): (keyof RunOptions)[] {
  const varying = OPTION_FIELDS.filter((f) => new Set(aggregates.map((a) => String(a.options[f]))).size > 1);
  return varying.length > 0 ? varying : ['protocol', 'hosts'];
}

/** A configuration's name from the fields that vary: `protocol push, hosts 1000, loss 0.1`. */
export function labelOf(a: ConfigurationAggregate, varying: readonly (keyof RunOptions)[]): string {
  const shown = a.options.protocol === 'announce' ? varying.filter((f) => f !== 'fanout' && f !== 'view') : varying;
  return shown.map((f) => `${f} ${a.options[f]}`).join(', ');
}
