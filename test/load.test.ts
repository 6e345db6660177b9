/**
 * The per-host load summary (src/load.ts): nearest-rank p50 and p95 and the max, from a sorted
 * copy up to 32,768 hosts and above by histogram for small whole values and by selection for large
 * ones, against a plain sort.
 */
import { describe, expect, it } from 'vitest';
import { hostLoadOf } from '../src/load.js';
import { TestRandom, testSeed } from './support/random.js';

function naive(values: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.ceil(q * sorted.length) - 1]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}

describe('hostLoadOf', () => {
  const seed = testSeed();
  it(`matches a plain sort on random counters, small and huge, with ties (GOSSIP_SIM_TEST_SEED=${seed})`, () => {
    for (let c = 0; c < 200; c++) {
      const r = new TestRandom(seed, 900_000 + c);
      // Both sides of the sorted copy's limit (32,768 hosts).
      const n = c % 8 === 0 ? r.int(32_769, 40_000) : r.int(1, 300);
      // Small counts (histogram), byte totals past the histogram's limit (selection), many ties.
      const spread = r.pick([1, 3, 50, 5_000_000, 4e12]);
      const figures = [0, 1, 2].map(() => Array.from({ length: n }, () => 4 * Math.floor(r.next() / 4294967296 * spread)));
      const load = new Float64Array(3 * n);
      figures.forEach((f, slot) => load.set(f, slot * n));
      const got = hostLoadOf(load, n);
      expect(got.sent, `case ${c}`).toEqual(naive(figures[0]!));
      expect(got.received, `case ${c}`).toEqual(naive(figures[1]!));
      expect(got.bytes, `case ${c}`).toEqual(naive(figures[2]!));
    }
  });

  it('leaves the counters as they were', () => {
    const load = Float64Array.from([5, 1, 9, 9, 1, 5, 8e9, 1, 3]);
    const copy = load.slice();
    expect(hostLoadOf(load, 3)).toEqual({ sent: { p50: 5, p95: 9, max: 9 }, received: { p50: 5, p95: 9, max: 9 }, bytes: { p50: 3, p95: 8e9, max: 8e9 } });
    expect(load).toEqual(copy);
  });
});
