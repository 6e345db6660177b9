/** The human summary of a run, as `gossip-sim run` prints it without `--json`. */
import { formatBytes } from './errors.js';
import { hasDownHosts } from './faults.js';
import { formatLatency } from './options.js';
import type { Result } from './simulate.js';
import { formatCount } from './numbers.js';

export { formatCount };

/** Formats a rate per second with an SI suffix, e.g. `12.3 M`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  const units = ['', ' k', ' M', ' G', ' T'];
  let v = perSecond;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v >= 100 || u === 0 ? 0 : 1)}${units[u]}`;
}

/** Simulated messages per second of wall time (messages sent, lost ones included). */
export function messagesPerSecond(result: Result): number {
  return result.wallSeconds > 0 ? result.sent / result.wallSeconds : Number.POSITIVE_INFINITY;
}

/** The compact multi-line summary of a run. Allocates. */
export function formatSummary(result: Result): string {
  const o = result.options;
  const setup = [
    `${formatCount(o.hosts)} hosts`,
    o.protocol,
    ...(o.protocol === 'announce' ? [] : [`fanout ${o.fanout}`, `view ${o.view}`]),
    ...(o.protocol === 'rumor' && o.contact === 'synchronous' ? [] : [`latency ${formatLatency(o.latency)}`, `loss ${o.loss}`]),
    `seed ${o.seed}`,
    ...(o.partitions === undefined ? [] : [`${o.partitions.length} partition${o.partitions.length === 1 ? '' : 's'}`]),
    ...(o.regions === undefined ? [] : [`${o.regions.groups.length + 1} regions, ${o.regions.links.length} link${o.regions.links.length === 1 ? '' : 's'}`]),
    ...(o.crashes === undefined ? [] : [`${o.crashes.length} crash${o.crashes.length === 1 ? '' : 'es'}`]),
    ...(o.churn === undefined ? [] : [`churn (leave ${o.churn.leave}, join ${o.churn.join})`]),
  ].join(', ');
  const engine = o.engine === 'reference' ? 'reference engine' : `parallel engine, ${result.threads} thread${result.threads === 1 ? '' : 's'}`;
  const why: Record<Result['endReason'], string> = {
    converged: '',
    stalled: 'stalled (nothing in flight)',
    'max-ticks': 'max ticks reached',
    interrupted: 'interrupted, metrics are partial',
  };
  const outcome = result.converged
    ? `converged at tick ${result.ticks}`
    : `not converged: ${why[result.endReason]} after tick ${result.lastTick}`;
  if (o.protocol === 'rumor') {
    const rumorOutcome = result.endReason === 'stalled'
      ? `the rumor stopped spreading after tick ${result.lastTick} (${o.view === 'known' ? 'no host hot, or none with anyone to contact' : 'no host hot'})`
      : outcome;
    return formatRumorSummary(result, setup, engine, rumorOutcome);
  }
  const spread = result.spreadTicks === null ? 'some host does not know host 0 yet' : `every host knew host 0 from tick ${result.spreadTicks}`;
  const lines = [
    `gossip-sim: ${setup} (${engine})`,
    `  outcome    ${outcome}; ${spread}`,
    `  messages   sent ${formatCount(result.sent)}, processed ${formatCount(result.processed)}, ` +
      `ignored ${formatCount(result.ignored)}, lost ${formatCount(result.lost)}${partitionedText(result)}, in flight ${formatCount(result.inFlight)}`,
    completionLine(result),
    ...crashLines(result),
    ...loadLines(result),
    `  carried    ${formatCount(result.entries)} host ids (${formatBytes(result.entries * 4)} as 32-bit ids)`,
    `  coverage   ${(result.coverage * 100).toFixed(2)}% of all (${!hasDownHosts(result.options) ? 'host' : 'live host'}, known host) pairs`,
    `  wall time  ${result.wallSeconds.toFixed(3)} s, ${formatRate(messagesPerSecond(result))} simulated messages/s`,
  ];
  return lines.join('\n');
}

/** When 50%, 95% and 99% of the hosts were complete: "complete 50% of hosts by tick 4, 95% by tick 7, 99% never". */
function completionLine(result: Result): string {
  const q = result.completionQuantiles;
  const by = (t: number | null): string => (t === null ? 'never' : `by tick ${t}`);
  const every = !hasDownHosts(result.options) ? '' : ' (of every host, down ones included)';
  return `  complete   50% of hosts ${by(q.p50)}, 95% ${by(q.p95)}, 99% ${by(q.p99)}${every}`;
}

/** Per-host load: messages sent and received and bytes sent per host, median / 95th percentile / max. */
function loadLines(result: Result): string[] {
  const l = result.load;
  if (l === null) return [];
  const q = (f: { p50: number; p95: number; max: number }, format: (x: number) => string): string => `${format(f.p50)} / ${format(f.p95)} / ${format(f.max)}`;
  return [`  per host   sent ${q(l.sent, formatCount)}, received ${q(l.received, formatCount)}, bytes sent ${q(l.bytes, formatBytes)} (median / 95% / max)`];
}


/** A run with crashes: hosts live at the end, the messages dropped at down hosts; nothing otherwise. */
function crashLines(result: Result): string[] {
  if (!hasDownHosts(result.options)) return [];
  return [`  down       ${formatCount(result.live)} of ${formatCount(result.options.hosts)} hosts live at the end; ${formatCount(result.dropped)} messages dropped at down hosts (outcome and coverage are over live hosts)`];
}

/** " (N cut by partitions)" after the lost count of a run with partitions. */
function partitionedText(result: Result): string {
  return result.options.partitions === undefined ? '' : ` (${formatCount(result.partitioned)} cut by partitions)`;
}

/** A rumor run's sources as the summary and the report name them: "1 (hosts 0..0)", "0,17,42". */
export function rumorSourcesText(o: Result['options']): string {
  return typeof o.rumorSources === 'number' ? `${o.rumorSources} (hosts 0..${o.rumorSources - 1})` : (o.rumorSources ?? []).join(',');
}

/** The summary of a rumor run: its variant, the paper's metrics (Demers et al. 1987) and the messages by kind. */
function formatRumorSummary(result: Result, setup: string, engine: string, outcome: string): string {
  const o = result.options;
  const m = result.protocolMetrics ?? {};
  const num = (key: string, digits: number): string => {
    const v = m[key];
    return v === null || v === undefined ? 'n/a' : v.toFixed(digits);
  };
  const sources = rumorSourcesText(o);
  const reached = m['reached'] ?? 0;
  const lines = [
    `gossip-sim: ${setup} (${engine})`,
    `  variant    ${o.rumorMode}, ${o.rumorFeedback}, ${o.rumorStop} k = ${o.rumorK}, ${o.contact} contacts, sources ${sources}`,
    `  outcome    ${outcome}; ${formatCount(reached)} of ${formatCount(o.hosts)} hosts reached`,
    `  paper      residue s ${num('residue', 6)}, traffic m ${num('traffic', 3)}, t_ave ${num('tAve', 2)}, t_last ${num('tLast', 0)}`,
    completionLine(result),
    ...loadLines(result),
    `  messages   sent ${formatCount(result.sent)}: updates and replies ${formatCount(m['updates'] ?? 0)}, requests ${formatCount(m['requests'] ?? 0)}, ` +
      `feedback ${formatCount(m['feedback'] ?? 0)}; ignored ${formatCount(result.ignored)}, lost ${formatCount(result.lost)}${partitionedText(result)}, in flight ${formatCount(result.inFlight)}`,
    `  wall time  ${result.wallSeconds.toFixed(3)} s, ${formatRate(messagesPerSecond(result))} simulated messages/s`,
  ];
  return lines.join('\n');
}
