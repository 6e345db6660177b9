/** The report of one run (`run --report FILE.html`): convergence, messages, completion ticks, tables. */
import { formatBytes } from '../errors.js';
import { hasDownHosts } from '../faults.js';
import { formatLatency } from '../options.js';
import type { Result } from '../simulate.js';
import { formatCount, rumorSourcesText } from '../summary.js';
import { completionHistogram, convergenceChart, messagesChart, type ChartEvent } from './charts.js';
import { renderPage, type Table } from './html.js';
import { CHART_LIBRARIES } from './svg.js';

/** Credits the libraries, so a reader knows what drew the charts. */
export function footerText(command: string): string {
  return `Made by ${command}. Charts: ${CHART_LIBRARIES}, in Node; the page loads nothing.`;
}

/** What happened, in a few words: "converged at tick 17", "stalled after tick 40". */
export function outcomeText(converged: boolean, ticks: number | null, endReason: string, lastTick: number): string {
  if (converged) return `converged at tick ${ticks ?? lastTick}`;
  const why = endReason === 'stalled' ? 'stalled' : endReason === 'interrupted' ? 'interrupted' : 'max ticks reached';
  return `not converged (${why}) after tick ${lastTick}`;
}

function optionsTable(result: Result): Table {
  const o = result.options;
  const periodic = o.protocol !== 'announce';
  const rows: string[][] = [
    ['hosts', formatCount(o.hosts)],
    ['protocol', o.protocol],
    ...(periodic ? [['fanout', String(o.fanout)], ['view', o.view]] : []),
    ['latency', `${formatLatency(o.latency)} tick${o.latency.max === 1 ? '' : 's'}`],
    ['loss', String(o.loss)],
    ['seed', String(o.seed)],
    ['max ticks', formatCount(o.maxTicks)],
    ['engine', result.engine === 'reference' ? 'reference' : `parallel, ${result.threads} thread${result.threads === 1 ? '' : 's'}`],
    ...(o.partitions ?? []).map((p, i) => [
      `partition ${i}`,
      `ticks ${p.at} to ${p.heal === null ? 'the end' : p.heal - 1}: ${p.groups.map((g) => ('hosts' in g ? g.hosts : `${g.fraction * 100}%`)).join(' | ')} | the rest`,
    ]),
    ...(o.crashes ?? []).map((c, i) => [
      `crash ${i}`,
      `ticks ${c.at} to ${c.recover === null ? 'the end' : c.recover - 1}: ${'hosts' in c ? `hosts ${c.hosts}` : `${c.fraction * 100}% of the hosts`} down, then back with their state`,
    ]),
    ...(o.churn === undefined ? [] : [[
      'churn',
      `ticks ${o.churn.at} to ${o.churn.until === null ? 'the end' : o.churn.until - 1}: leave ${o.churn.leave}, join ${o.churn.join} per host and tick` +
        (o.churn.reserve === 0 ? '' : `; hosts ${o.hosts - o.churn.reserve}..${o.hosts - 1} new, joining over the run`),
    ]]),
    ...(o.regions === undefined ? [] : [[
      'regions',
      `${o.regions.groups.map((g, r) => `${r}: ${'hosts' in g ? g.hosts : `${g.fraction * 100}%`}`).join(', ')}, ${o.regions.groups.length}: the rest; ` +
        (o.regions.links.map((l) => `${l.between[0]}-${l.between[1]} latency ${formatLatency(l.latency)} loss ${l.loss}`).join(', ') || 'no links'),
    ]]),
  ];
  return { caption: 'Options', head: ['option', 'value'], rows };
}

function metricsTable(result: Result): Table {
  const o = result.options;
  const rows: string[][] = [
    ['outcome', outcomeText(result.converged, result.ticks, result.endReason, result.lastTick)],
    ['ticks', result.ticks === null ? 'never' : String(result.ticks)],
    ['spread ticks', result.spreadTicks === null ? 'never' : String(result.spreadTicks)],
    ['sent', formatCount(result.sent)],
    ['delivered', formatCount(result.delivered)],
    ['processed', formatCount(result.processed)],
    ['ignored', formatCount(result.ignored)],
    ['lost', formatCount(result.lost)],
    ...(o.partitions === undefined ? [] : [['cut by partitions', formatCount(result.partitioned)]]),
    ...(!hasDownHosts(o) ? [] : [['dropped at down hosts', formatCount(result.dropped)], ['hosts live at the end', formatCount(result.live)]]),
    ['in flight', formatCount(result.inFlight)],
    ...(result.load === null ? [] : [
      ['per host: messages sent, median / 95% / max', [result.load.sent.p50, result.load.sent.p95, result.load.sent.max].map(formatCount).join(' / ')],
      ['per host: messages received, median / 95% / max', [result.load.received.p50, result.load.received.p95, result.load.received.max].map(formatCount).join(' / ')],
      ['per host: bytes sent, median / 95% / max', [result.load.bytes.p50, result.load.bytes.p95, result.load.bytes.max].map((b) => formatBytes(b)).join(' / ')],
    ]),
    ['entries', formatCount(result.entries)],
    ['coverage', `${(result.coverage * 100).toFixed(2)} %`],
    ['50% / 95% / 99% of hosts complete by tick', [result.completionQuantiles.p50, result.completionQuantiles.p95, result.completionQuantiles.p99].map((t) => (t === null ? 'never' : String(t))).join(' / ')],
    ['wall time', `${result.wallSeconds.toFixed(3)} s`],
  ];
  return { caption: 'Metrics', head: ['metric', 'value'], rows };
}

/** A rumor run's variant and the paper's metrics (Demers et al. 1987), as `run --json` names them. */
function rumorTable(result: Result): Table | undefined {
  const o = result.options;
  const m = result.protocolMetrics;
  if (o.protocol !== 'rumor' || m === undefined) return undefined;
  const value = (key: string, digits: number): string => {
    const v = m[key];
    return v === null || v === undefined ? 'n/a' : digits === 0 ? formatCount(v) : v.toFixed(digits);
  };
  const rows: string[][] = [
    ['variant', `${o.rumorMode}, ${o.rumorFeedback}, ${o.rumorStop} k = ${o.rumorK}, ${o.contact} contacts`],
    ['sources', rumorSourcesText(o)],
    ['residue (s)', value('residue', 6)],
    ['traffic (m)', value('traffic', 3)],
    ['tAve', value('tAve', 2)],
    ['tLast', value('tLast', 0)],
    ['reached', value('reached', 0)],
    ['updates and replies', value('updates', 0)],
    ['requests', value('requests', 0)],
    ['feedback', value('feedback', 0)],
  ];
  return { caption: 'Rumor mongering (Demers et al. 1987)', head: ['metric', 'value'], rows };
}

/** The run's fault events for the charts: each partition's start and heal. */
function faultEvents(result: Result): ChartEvent[] {
  return [
    ...(result.options.partitions ?? []).flatMap((p, i) => [
      { tick: p.at, label: `partition ${i}` },
      ...(p.heal === null ? [] : [{ tick: p.heal, label: `partition ${i} heals` }]),
    ]),
    ...(result.options.crashes ?? []).flatMap((c, i) => [
      { tick: c.at, label: `crash ${i}` },
      ...(c.recover === null ? [] : [{ tick: c.recover, label: `crash ${i} recovers` }]),
    ]),
    ...(result.options.churn === undefined ? [] : [
      { tick: result.options.churn.at, label: 'churn starts' },
      ...(result.options.churn.until === null ? [] : [{ tick: result.options.churn.until, label: 'churn stops' }]),
    ]),
  ];
}

/** The HTML page of one run. Renders every chart (tens of milliseconds). */
export async function renderRunReport(result: Result): Promise<string> {
  const o = result.options;
  return renderPage({
    title: `gossip-sim run: ${o.protocol}, ${formatCount(o.hosts)} hosts`,
    subtitle: [
      `${outcomeText(result.converged, result.ticks, result.endReason, result.lastTick)}; ` +
        `${formatCount(result.sent)} messages sent; seed ${o.seed}${result.partial ? '; partial run (interrupted)' : ''}`,
    ],
    charts: [convergenceChart(result.series, o.hosts, faultEvents(result)), messagesChart(result.series), completionHistogram(result.hostCompletionTicks)],
    tables: [optionsTable(result), ...[rumorTable(result)].filter((t): t is Table => t !== undefined), metricsTable(result)],
    footer: footerText('gossip-sim run --report'),
  });
}
