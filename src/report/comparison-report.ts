/** The comparison page of `gossip-sim report a.json b.json ...`: convergence curves overlaid. */
import { basename } from 'node:path';
import { formatCount } from '../summary.js';
import { comparisonCharts } from './charts.js';
import { renderPage, type Table } from './html.js';
import { footerText, outcomeText } from './run-report.js';
import { labelsOf, type SavedRun } from './saved-run.js';

function runsTable(runs: readonly SavedRun[], labels: readonly string[]): Table {
  const rows = runs.map((run, i) => {
    const o = run.options;
    const periodic = o['protocol'] !== 'announce';
    const lastTick = run.series.complete.length - 1;
    return [
      labels[i] ?? '',
      basename(run.path),
      String(o['protocol'] ?? '?'),
      formatCount(run.hosts),
      periodic ? String(o['fanout'] ?? '') : '',
      periodic ? String(o['view'] ?? '') : '',
      String(o['latency'] ?? ''),
      String(o['loss'] ?? ''),
      String(o['seed'] ?? ''),
      outcomeText(run.converged, run.ticks, run.endReason, lastTick),
      run.spreadTicks === null ? 'never' : String(run.spreadTicks),
      formatCount(run.sent),
      `${(run.coverage * 100).toFixed(2)} %`,
      run.wallSeconds === null ? '' : `${run.wallSeconds.toFixed(3)} s`,
    ];
  });
  return {
    caption: 'Runs: options and metrics',
    head: ['run', 'file', 'protocol', 'hosts', 'fanout', 'view', 'latency', 'loss', 'seed', 'outcome', 'spread ticks', 'sent', 'coverage', 'wall time'],
    rows,
    wide: true,
  };
}

/** The HTML page overlaying the convergence curves of `runs`, each labelled by its options. */
export async function renderComparisonReport(runs: readonly SavedRun[]): Promise<string> {
  const labels = labelsOf(runs);
  const charts = comparisonCharts(runs.map((run, i) => ({ label: labels[i] ?? run.path, hosts: run.hosts, series: run.series })));
  return renderPage({
    title: `gossip-sim: ${runs.length} run${runs.length === 1 ? '' : 's'} compared`,
    subtitle: [labels.join(' · ')],
    charts,
    tables: [runsTable(runs, labels)],
    footer: footerText('gossip-sim report'),
  });
}
