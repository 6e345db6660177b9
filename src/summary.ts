/** The human summary of a run, as `gossip-sim run` prints it without `--json`. */
import { formatBytes } from './errors.js';
import { formatLatency } from './options.js';
import type { Result } from './simulate.js';

const count = new Intl.NumberFormat('en-US');

/** Formats `n` with thousands separators. */
export function formatCount(n: number): string {
  return count.format(n);
}

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
    `latency ${formatLatency(o.latency)}`,
    `loss ${o.loss}`,
    `seed ${o.seed}`,
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
  const spread = result.spreadTicks === null ? 'some host does not know host 0 yet' : `every host knew host 0 from tick ${result.spreadTicks}`;
  const lines = [
    `gossip-sim: ${setup} (${engine})`,
    `  outcome    ${outcome}; ${spread}`,
    `  messages   sent ${formatCount(result.sent)}, processed ${formatCount(result.processed)}, ` +
      `ignored ${formatCount(result.ignored)}, lost ${formatCount(result.lost)}, in flight ${formatCount(result.inFlight)}`,
    `  carried    ${formatCount(result.entries)} host ids (${formatBytes(result.entries * 4)} as 32-bit ids)`,
    `  coverage   ${(result.coverage * 100).toFixed(2)}% of all (host, known host) pairs`,
    `  wall time  ${result.wallSeconds.toFixed(3)} s, ${formatRate(messagesPerSecond(result))} simulated messages/s`,
  ];
  return lines.join('\n');
}
