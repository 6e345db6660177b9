/** The report of `gossip-sim merge --report FILE.html`: each chosen metric's mean and 95% CI per configuration. */
import { collectEnvironment, describeEnvironment } from '../bench/environment.js';
import { packageInfo } from '../bench/paths.js';
import { AGGREGATE_METRICS, labelOf, varyingOptions, type AggregateMetric, type ConfigurationAggregate } from '../sweep/aggregate.js';
import type { ResultLine } from '../sweep/results.js';
import { aggregateGrid } from '../sweep/table.js';
import { intervalChart, type IntervalPoint } from './charts.js';
import { checkHtmlPath } from './commands.js';
import { renderPage, type Table } from './html.js';
import { footerText } from './run-report.js';
import { writeOutput } from '../output-file.js';

/** What the page shows. */
export interface SweepReportInput {
  readonly aggregates: readonly ConfigurationAggregate[];
  /** One chart per metric, in this order. */
  readonly metrics: readonly AggregateMetric[];
  readonly plan: string | null;
  readonly files: readonly string[];
  readonly lines: readonly ResultLine[];
}

/** The points of `metric`'s chart: configurations with a value for it. */
export function intervalPointsOf(aggregates: readonly ConfigurationAggregate[], metric: AggregateMetric): IntervalPoint[] {
  const varying = varyingOptions(aggregates);
  const points: IntervalPoint[] = [];
  for (const a of aggregates) {
    const s = a.stats[metric];
    if (s !== null) points.push({ label: labelOf(a, varying), mean: s.mean, low: s.low, high: s.high, n: s.n });
  }
  return points;
}

/** The HTML page of merged sweep results. */
export async function renderSweepReport(input: SweepReportInput): Promise<string> {
  const { aggregates } = input;
  const grid = aggregateGrid(aggregates, AGGREGATE_METRICS);
  const table: Table = {
    caption: 'Configurations: mean ± half-width of the 95% confidence interval (standard deviation) over seeds',
    head: grid.head,
    rows: grid.rows,
    wide: true,
  };
  const machines = new Set(input.lines.map((l) => `${l.environment.cpuModel}, ${l.environment.cores} cores, Node ${l.environment.node}`));
  return renderPage({
    title: `gossip-sim sweep: ${input.lines.length} runs, ${aggregates.length} configuration${aggregates.length === 1 ? '' : 's'}`,
    subtitle: [
      `Plan ${input.plan ?? '(none)'}, merged from ${input.files.join(', ')}.`,
      `Runs made on: ${[...machines].join('; ') || 'no runs'}. Merged on: ${describeEnvironment(collectEnvironment())}.`,
    ],
    charts: input.metrics.map((m) => intervalChart(m, intervalPointsOf(aggregates, m))),
    tables: [table],
    footer: footerText(`${packageInfo().name} ${packageInfo().version} merge --report`),
  });
}

/** Writes the report of `input` to `path` (.html). */
export async function writeSweepReport(path: string, input: SweepReportInput): Promise<void> {
  checkHtmlPath(path, '--report');
  await writeOutput(path, await renderSweepReport(input), 'report');
}
