// Helpers of the hand-worked fault tests (partition, region, crash, churn, restart and the rumor
// fault oracle tests): the documented hash written out again (docs/semantics.md "Randomness"), so
// that a test can predict a draw without the simulator's code, input builders for both oracles,
// and the counting identities every result must satisfy.
import { expect } from 'vitest';
import { rumorOracle, type RumorOracleInput, type RumorOracleResult } from './rumor-oracle.js';
import type { OracleInput } from './spec-oracle.js';

function mix(x0: number): number {
  let x = x0 >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** rand(seed, stream, a, b, c) of docs/semantics.md. */
export function hash(seed: number, stream: number, a: number, b: number, c: number): number {
  return mix(mix(mix(mix(mix(seed) ^ stream) ^ a) ^ b) ^ c);
}

/** The documented streams, and 2^32. */
export const LATENCY = 1;
export const PEER = 2;
export const LOSS = 3;
export const PARTITION = 5;
export const REGION = 6;
export const CRASH = 7;
export const CHURN = 8;
export const TWO32 = 4294967296;

/** [f(0), .., f(n - 1)], and n copies of v. */
export const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
export const rep = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

/**
 * A small generator of random test configurations from the documented hash, on a stream no
 * simulator decision uses (draw n of case `index` is hash(seed, 0x5eed, index, n, 0)).
 */
export class HashGen {
  private n = 0;
  constructor(private readonly seed: number, private readonly index: number) {}
  next(): number {
    return hash(this.seed, 0x5eed, this.index, this.n++, 0);
  }
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < Math.floor(p * TWO32);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next() % xs.length]!;
  }
}

/** Seeds the forced-choice cases are checked under. */
export const SEEDS = [1, 2, 7, 12345, 4294967295];

/** A membership oracle input with the documented defaults. */
export function membership(partial: Partial<OracleInput> & { hosts: number; protocol: OracleInput['protocol'] }): OracleInput {
  return { fanout: 1, view: 'known', latencyMin: 1, latencyMax: 1, loss: 0, seed: 1, maxTicks: 100000, ...partial };
}

/** A rumor oracle input with the documented defaults (contact model as given, synchronous if not). */
export function rumor(partial: Partial<RumorOracleInput> & { hosts: number }): RumorOracleInput {
  return {
    mode: 'push', feedback: 'feedback', stop: 'counter', k: 2, sources: 1, fanout: 1, seed: 1, maxTicks: 100000,
    contact: 'synchronous', latencyMin: 1, latencyMax: 1, loss: 0,
    ...partial,
  };
}

/** sent = delivered + lost + inFlight, processed + ignored = delivered, partitioned <= lost. */
export function identities(r: { sent: number; delivered: number; lost: number; inFlight: number; processed: number; ignored: number; partitioned: number }): void {
  expect(r.sent).toBe(r.delivered + r.lost + r.inFlight);
  expect(r.processed + r.ignored).toBe(r.delivered);
  expect(r.partitioned).toBeLessThanOrEqual(r.lost);
}

/**
 * An oracle result without its per-host load, for literal expectations written before the load
 * existed (test/load-oracle.test.ts checks the load itself).
 */
export function withoutLoad<T extends object>(r: T): Omit<T, 'load'> {
  const { load: _load, ...rest } = r as T & { load?: unknown };
  void _load;
  return rest;
}

/** What faultIdentities reads of a result (both oracles' results have it). */
interface FaultCounts {
  sent: number; delivered: number; lost: number; inFlight: number; processed: number; ignored: number; dropped: number; partitioned: number;
  lastTick: number; live: number; coverage: number;
  series: { sent: number[]; delivered: number[]; live: number[]; coverage: number[] };
}

/**
 * The fault identities (docs/semantics.md "Faults: crashes"): processed + ignored + dropped =
 * delivered, the series add up and end where the totals do.
 */
export function faultIdentities(r: FaultCounts): void {
  expect(r.sent).toBe(r.delivered + r.lost + r.inFlight);
  expect(r.processed + r.ignored + r.dropped).toBe(r.delivered);
  expect(r.partitioned).toBeLessThanOrEqual(r.lost);
  expect(r.series.sent.reduce((a, b) => a + b, 0)).toBe(r.sent);
  expect(r.series.delivered.reduce((a, b) => a + b, 0)).toBe(r.delivered);
  expect(r.series.live.length).toBe(r.lastTick + 1);
  expect(r.series.live[r.lastTick]).toBe(r.live);
  expect(r.coverage).toBe(r.series.coverage[r.lastTick]);
}

/** The identities of "Metrics" and "Per-tick series" that every rumor run of N hosts satisfies, faults or not. */
export function rumorIdentities(r: RumorOracleResult, N: number): void {
  faultIdentities(r);
  expect(r.dropped).toBeLessThanOrEqual(r.delivered);
  expect(r.sent).toBe(r.protocolMetrics.updates + r.protocolMetrics.requests + r.protocolMetrics.feedback);
  expect(r.entries).toBe(0);
  for (const s of [r.series.sent, r.series.delivered, r.series.complete, r.series.coverage]) expect(s.length).toBe(r.lastTick + 1);
  for (let t = 0; t <= r.lastTick; t++) {
    const live = r.series.live[t]!;
    expect(live).toBeGreaterThanOrEqual(0);
    expect(live).toBeLessThanOrEqual(N);
    expect(r.series.complete[t]!).toBeLessThanOrEqual(live);
    expect(r.series.coverage[t]).toBe(live === 0 ? 0 : r.series.complete[t]! / live);
  }
  // reached, residue: the hosts whose (last) recv is not none, the non-null completion ticks.
  const reached = r.hostCompletionTicks.filter((x) => x !== null).length;
  expect(r.hostCompletionTicks.length).toBe(N);
  expect(r.protocolMetrics.reached).toBe(reached);
  expect(r.protocolMetrics.residue).toBe((N - reached) / N);
  expect(r.protocolMetrics.traffic).toBe(r.protocolMetrics.updates / N);
  expect(r.converged).toBe(r.endReason === 'converged');
  expect(r.converged).toBe(r.ticks !== null);
  if (r.ticks !== null) {
    expect(r.ticks).toBeLessThanOrEqual(r.lastTick);
    expect(r.ticks).toBe(Math.max(0, ...r.hostCompletionTicks.filter((x): x is number => x !== null)));
  }
}

/** The rumor oracle's result for `i`, checked against rumorIdentities. */
export function checkedRumor(i: RumorOracleInput): RumorOracleResult {
  const r = rumorOracle(i);
  rumorIdentities(r, i.hosts);
  return r;
}
