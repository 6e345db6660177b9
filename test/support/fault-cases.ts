// Helpers of the hand-worked fault tests (test/partition-oracle.test.ts, test/region-oracle.test.ts):
// the documented hash written out again (docs/semantics.md "Randomness"), so that a test can
// predict a draw without the simulator's code, input builders for both oracles, and the counting
// identities every result must satisfy.
import { expect } from 'vitest';
import type { RumorOracleInput } from './rumor-oracle.js';
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
export const TWO32 = 4294967296;

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
