// Per-host load in both oracles (test/support/spec-oracle.ts, test/support/rumor-oracle.ts),
// docs/semantics.md "### Per-host load" (under "## Metrics"): for each host h, sent(h) (messages h
// sent, lost and cut ones included; synchronous rumor contacts h made count as sent by h),
// received(h) (messages delivered to h, handled, ignored or dropped; a synchronous contact made to
// h counts as received by h unless a partition cut it) and bytes(h) = 4 * s over the messages h
// sent (0 for rumor); `load = { sent, received, bytes }`, each `{ p50, p95, max }` over all N hosts,
// pq the value at rank ceil(q * N) (from 1) in ascending order, max the largest. Synchronous rumor
// contacts are counted too: rumorOracleCountedLoad gives the load by the bullets of that section,
// and it is `load` itself in both contact models.
//
// The expected values below are worked out by hand from the docs (the "Worked trace", the protocol
// sections, "Faults: partitions", "Faults: crashes", the rumor contact models), not read off the
// oracles. Every case is chosen so that its per-host counts tell the right reading from the likely
// wrong ones (received without ignored or dropped messages, sent without lost or cut ones, a cut
// contact counted as received, bytes without the lost messages' ids).
//
// Notation: `a->b [..]` is a message with its snapshot; latency 1 and no loss unless said.
import { describe, expect, it } from 'vitest';
import { oracleSimulate, loadQuantiles, type OracleInput, type OracleResult } from './support/spec-oracle.js';
import { rumorOracle, rumorOracleCountedLoad, type RumorOracleInput, type RumorOracleResult } from './support/rumor-oracle.js';
import { hash, LOSS, membership, rumor, SEEDS, TWO32 } from './support/fault-cases.js';

interface Q {
  p50: number;
  p95: number;
  max: number;
}
interface Load {
  sent: Q;
  received: Q;
  bytes: Q;
}

/**
 * Nearest-rank quantiles of per-host values, written again here (floating-point ceil, a different
 * spelling from the oracles' integer ranks), so a hand-derived list of per-host values can be
 * turned into the expected `{ p50, p95, max }`.
 */
function nearestRank(values: number[]): Q {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => v[Math.ceil(q * v.length) - 1]!;
  return { p50: at(0.5), p95: at(0.95), max: Math.max(...v) };
}

/** The expected load from hand-derived per-host values sent(h), received(h), bytes(h). */
function loadOf(sent: number[], received: number[], bytes: number[]): Load {
  return { sent: nearestRank(sent), received: nearestRank(received), bytes: nearestRank(bytes) };
}

const zeros = (n: number): number[] => new Array(n).fill(0);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------
describe('nearest rank', () => {
  it('p50 and p95 are the values at ranks ceil(q * N) from 1, max the largest', () => {
    // 1..N: the value at rank r is r.
    for (const [n, p50, p95] of [[1, 1, 1], [2, 1, 2], [3, 2, 3], [4, 2, 4], [10, 5, 10], [19, 10, 19], [20, 10, 19], [21, 11, 20], [40, 20, 38], [100, 50, 95], [101, 51, 96]] as const) {
      const values = Array.from({ length: n }, (_, i) => n - i); // descending: the oracle sorts
      expect(loadQuantiles(values), `N = ${n}`).toEqual({ p50, p95, max: n });
      expect(nearestRank(values)).toEqual({ p50, p95, max: n });
    }
    expect(loadQuantiles([0, 0, 7])).toEqual({ p50: 0, p95: 7, max: 7 });
    expect(loadQuantiles([5, 5])).toEqual({ p50: 5, p95: 5, max: 5 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('both oracles: load is present, with its documented shape', () => {
  it('load = { sent, received, bytes }, each { p50, p95, max }, in that key order', () => {
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce' }));
    expect('load' in r).toBe(true);
    expect(Object.keys(r.load)).toEqual(['sent', 'received', 'bytes']);
    for (const q of [r.load.sent, r.load.received, r.load.bytes]) expect(Object.keys(q)).toEqual(['p50', 'p95', 'max']);
    const p = rumorOracle(rumor({ hosts: 3, contact: 'messages' }));
    expect('load' in p).toBe(true);
    expect(Object.keys(p.load!)).toEqual(['sent', 'received', 'bytes']);
    for (const q of [p.load!.sent, p.load!.received, p.load!.bytes]) expect(Object.keys(q)).toEqual(['p50', 'p95', 'max']);
    const c = rumorOracleCountedLoad(rumor({ hosts: 3 }));
    expect(Object.keys(c)).toEqual(['sent', 'received', 'bytes']);
    for (const q of [c.sent, c.received, c.bytes]) expect(Object.keys(q)).toEqual(['p50', 'p95', 'max']);
  });

  it('rumor with --contact synchronous: load is the counted load, in every view and with partitions', () => {
    for (const cfg of [rumor({ hosts: 1 }), rumor({ hosts: 2 }), rumor({ hosts: 5, mode: 'pull', view: 'known' }), rumor({ hosts: 4, partitions: [{ at: 0, groups: [{ hosts: '0' }] }] })]) {
      const r = rumorOracle(cfg);
      expect(r.load).toEqual(rumorOracleCountedLoad(cfg));
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('announce, the worked trace (docs/semantics.md "Worked trace: announce on 2 and 3 hosts")', () => {
  it('1 host: nothing is sent or received', () => {
    const r = oracleSimulate(membership({ hosts: 1, protocol: 'announce' }));
    expect(r.load).toEqual(loadOf([0], [0], [0]));
    expect(r.load).toEqual({ sent: { p50: 0, p95: 0, max: 0 }, received: { p50: 0, p95: 0, max: 0 }, bytes: { p50: 0, p95: 0, max: 0 } });
  });

  it('2 hosts: 1->0 [1], 0->1 [0,1], 1->0 [1,0] (the last still in flight at the end)', () => {
    // sent: host 0 one (tick 1), host 1 two (ticks 0 and 2). received: host 0 the set of tick 0
    // (the tick-2 one is in flight, not delivered), host 1 the set of tick 1.
    // bytes: host 0 4 * 2 = 8, host 1 4 * (1 + 2) = 12.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce' }));
    expect(r.load).toEqual({ sent: { p50: 1, p95: 2, max: 2 }, received: { p50: 1, p95: 1, max: 1 }, bytes: { p50: 8, p95: 12, max: 12 } });
    expect(r.load).toEqual(loadOf([1, 2], [1, 1], [8, 12]));
  });

  it('3 hosts: host 0 receives the two sets it ignores at tick 3 too', () => {
    // Sends (trace table): tick 0 1->0 [1], 2->0 [2]; tick 1 0->1 [0,1], 0->2 [0,1,2]; tick 2
    // 1->0 [1,0], 2->0 [2,0], 2->1 [2,0,1]; tick 3 1->2 [1,0,2] (in flight).
    // sent(0) = 2, sent(1) = 3, sent(2) = 3 (sum 8).
    // received(0) = 2 (tick 1) + 2 (tick 3, ignored) = 4, received(1) = 1 (tick 2) + 1 (tick 3) = 2,
    // received(2) = 1 (tick 2; 1->2 is in flight) (sum 7 = delivered).
    // bytes(0) = 4 * (2 + 3) = 20, bytes(1) = 4 * (1 + 2 + 3) = 24, bytes(2) = 4 * (1 + 2 + 3) = 24
    // (sum 68 = 4 * entries 17).
    // N = 3: p50 is rank 2, p95 rank 3. Not counting the ignored sets would give received
    // [1, 2, 2]: p95 = max = 2.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce' }));
    expect(r.load).toEqual({ sent: { p50: 3, p95: 3, max: 3 }, received: { p50: 2, p95: 4, max: 4 }, bytes: { p50: 24, p95: 24, max: 24 } });
    expect(r.load).toEqual(loadOf([2, 3, 3], [4, 2, 1], [20, 24, 24]));
  });

  it('N = 3 .. 40 and 100 hosts: the closed form of the constant-latency run', () => {
    // No choice is random in announce at latency 1 without loss. Tick 0: every x != 0 sends 0 a
    // set [x]. Tick 1: host 0 appends 1 .. N-1 in sender order and sends x the set [0 .. x]
    // (s = x + 1). Tick 2: host x appends 0, 1, .., x-1 and sends each y < x a set of s = y + 2;
    // host N-1 is complete. Tick 3: host 0 (stopped) ignores the N - 1 sets of tick 2 sent to it;
    // host y appends every x > y, one set from each, sending x its log (s = y + 1 + i for the i-th)
    // and becomes complete with the last: every host is complete, converged at tick 3 (N >= 3).
    // So sent(0) = N - 1, sent(x) = 1 + x + (N - 1 - x) = N; received(0) = 2 (N - 1),
    // received(x) = 1 + (N - 1 - x) = N - x; bytes(0) = 4 * sum (x + 1), bytes(x) = 4 * (1 +
    // sum_{y<x} (y + 2) + sum_{i=1}^{N-1-x} (x + 1 + i)).
    for (const N of [...Array.from({ length: 38 }, (_, i) => i + 3), 100]) {
      const sent = [N - 1, ...Array.from({ length: N - 1 }, () => N)];
      const received = [2 * (N - 1), ...Array.from({ length: N - 1 }, (_, i) => N - (i + 1))];
      const bytes = [4 * sum(Array.from({ length: N - 1 }, (_, i) => i + 2))];
      for (let x = 1; x < N; x++) {
        let s = 1;
        for (let y = 0; y < x; y++) s += y + 2;
        for (let i = 1; i <= N - 1 - x; i++) s += x + 1 + i;
        bytes.push(4 * s);
      }
      const r = oracleSimulate(membership({ hosts: N, protocol: 'announce' }));
      // The closed form matches the run's own totals (docs: sum(sent(h)) = sent, ...).
      expect([r.ticks, r.sent, r.delivered, 4 * r.entries]).toEqual([3, sum(sent), sum(received), sum(bytes)]);
      expect(r.load, `N = ${N}`).toEqual(loadOf(sent, received, bytes));
    }
    // N = 100 spelled out: sent [99, 100 x 99]; received 1 .. 99 and 198 (host 0's 99 handled and
    // 99 ignored sets): rank 50 is 50, rank 95 is 95.
    const r = oracleSimulate(membership({ hosts: 100, protocol: 'announce' }));
    expect(r.load.sent).toEqual({ p50: 100, p95: 100, max: 100 });
    expect(r.load.received).toEqual({ p50: 50, p95: 95, max: 198 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('push on 2 hosts, view known (every choice forced: each host\'s only candidate is the other)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: converges at tick 1`, () => {
      // L(0) = [0], L(1) = [1, 0]. Tick 0: host 0 knows nobody, no choice; host 1 pushes 1->0
      // [1,0]. Tick 1: host 0 merges, complete, then pushes 0->1 [0,1]; host 1 pushes 1->0 [1,0].
      // Converged at the end of tick 1; both tick-1 pushes in flight.
      // sent(0) = 1, sent(1) = 2; received(0) = 1, received(1) = 0; bytes(0) = 8, bytes(1) = 16.
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', seed }));
      expect([r.ticks, r.sent, r.delivered]).toEqual([1, 3, 1]);
      expect(r.load).toEqual({ sent: { p50: 1, p95: 2, max: 2 }, received: { p50: 0, p95: 1, max: 1 }, bytes: { p50: 8, p95: 16, max: 16 } });
    });

    it(`seed ${seed}: a partition {0} | {1} that never heals: cut pushes count as sent and carried, never received`, () => {
      // Every tick t = 0 .. M host 1 pushes 1->0 [1,0]: cut. Host 0 never learns 1: no choice.
      // sent(1) = M + 1, bytes(1) = 8 (M + 1), everything else 0. Not counting cut messages as
      // sent would give sent.max = 0.
      const M = 6;
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', seed, maxTicks: M, partitions: [{ at: 0, groups: [{ hosts: '0' }] }] }));
      expect([r.sent, r.partitioned, r.delivered]).toEqual([M + 1, M + 1, 0]);
      expect(r.load).toEqual({ sent: { p50: 0, p95: M + 1, max: M + 1 }, received: { p50: 0, p95: 0, max: 0 }, bytes: { p50: 0, p95: 8 * (M + 1), max: 8 * (M + 1) } });
    });

    it(`seed ${seed}: loss 0.5: lost pushes count in sent(1) and bytes(1)`, () => {
      // Host 1 pushes 1->0 [1,0] at every tick, message k = 0 of its tick: lost at t when
      // rand(seed, LOSS, 1, t, 0) < floor(0.5 * 2^32). Let t0 be the first tick it is not lost:
      // host 0 merges at t0 + 1, is complete, and pushes once (0->1, lost or not); converged at
      // the end of t0 + 1. sent(1) = t0 + 2, bytes(1) = 8 (t0 + 2); sent(0) = 1, bytes(0) = 8;
      // received(0) = 1, received(1) = 0 (host 0's push is sent in the last tick).
      const threshold = Math.floor(0.5 * TWO32);
      let t0 = 0;
      while (hash(seed, LOSS, 1, t0, 0) < threshold) t0++;
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', seed, loss: 0.5 }));
      expect([r.ticks, r.sent]).toEqual([t0 + 1, t0 + 3]);
      expect(r.load).toEqual(loadOf([1, t0 + 2], [1, 0], [8, 8 * (t0 + 2)]));
    });
  }
  it('the loss case has some seed whose first push is lost (so it checks lost messages)', () => {
    expect(SEEDS.some((seed) => hash(seed, LOSS, 1, 0, 0) < Math.floor(0.5 * TWO32))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('crashes: a down host receives the messages it drops', () => {
  it('announce, 2 hosts, host 0 down at ticks 0 .. 2: the announcement is dropped, and received(0) counts it', () => {
    // Tick 0: host 1 sends 1->0 [1]. Tick 1: host 0 is down: the set is delivered and dropped.
    // Host 0 is up at tick 3 (it has no start of its own in announce); nothing is in flight:
    // stalled at tick 3 (the fault timeline holds until the recover tick).
    // sent(1) = 1, bytes(1) = 4; received(0) = 1 (dropped). Not counting dropped messages would
    // give received.max = 0.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', crashes: [{ at: 0, recover: 3, hosts: '0' }] }));
    expect([r.endReason, r.lastTick, r.delivered, r.dropped]).toEqual(['stalled', 3, 1, 1]);
    expect(r.load).toEqual({ sent: { p50: 0, p95: 1, max: 1 }, received: { p50: 0, p95: 1, max: 1 }, bytes: { p50: 0, p95: 4, max: 4 } });
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: push, view full, 2 hosts, host 0 down for good from tick 0: every push to it is dropped`, () => {
      // View full: L(h) = [h], each host's only peer is the other. Host 1 pushes 1->0 [1] at every
      // tick 0 .. M; host 0 is down: it takes no step and drops every delivery (ticks 1 .. M), so
      // host 1 never learns 0 and the live host is never complete: max-ticks.
      // sent(1) = M + 1, bytes(1) = 4 (M + 1), received(0) = M (all dropped), the rest 0.
      const M = 5;
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', seed, maxTicks: M, crashes: [{ at: 0, hosts: '0' }] }));
      expect([r.endReason, r.dropped, r.processed]).toEqual(['max-ticks', M, 0]);
      expect(r.load).toEqual(loadOf([0, M + 1], [M, 0], [0, 4 * (M + 1)]));
      expect(r.load).toEqual({ sent: { p50: 0, p95: M + 1, max: M + 1 }, received: { p50: 0, p95: M, max: M }, bytes: { p50: 0, p95: 4 * (M + 1), max: 4 * (M + 1) } });
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('rumor, synchronous contacts, as counted (N = 2, view full: each host\'s only peer is the other)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: push, feedback, counter k = 2: 0 -> 1 at tick 1, both push at ticks 2 and 3`, () => {
      // Tick 1: host 0 (hot) sends 1 an update: necessary, recv(1) = 1. Tick 2: both hot, each
      // sends the other an update, both unnecessary: c = 1 each. Tick 3: the same, c = 2: both lose
      // interest; converged at tick 3. sent(0) = 3, sent(1) = 2; received(0) = 2, received(1) = 3.
      const cfg = rumor({ hosts: 2, seed });
      const r = rumorOracle(cfg);
      const load = rumorOracleCountedLoad(cfg);
      expect(r.load).toEqual(load);
      expect([r.endReason, r.lastTick, r.sent, r.delivered]).toEqual(['converged', 3, 5, 5]);
      expect(load).toEqual({ sent: { p50: 2, p95: 3, max: 3 }, received: { p50: 2, p95: 3, max: 3 }, bytes: { p50: 0, p95: 0, max: 0 } });
    });

    it(`seed ${seed}: push with {0} | {1}: the cut update is sent by 0 and received by nobody`, () => {
      // Every tick t = 1 .. M host 0 sends 1 an update: cut (with feedback no tick counts, so host
      // 0 stays hot until max-ticks). sent(0) = M, received(1) = 0: a cut contact is not received.
      const M = 4;
      const cfg = rumor({ hosts: 2, seed, maxTicks: M, partitions: [{ at: 0, groups: [{ hosts: '0' }] }] });
      const r = rumorOracle(cfg);
      const load = rumorOracleCountedLoad(cfg);
      expect(r.load).toEqual(load);
      expect([r.endReason, r.sent, r.partitioned]).toEqual(['max-ticks', M, M]);
      expect(load).toEqual({ sent: { p50: 0, p95: M, max: M }, received: { p50: 0, p95: 0, max: 0 }, bytes: { p50: 0, p95: 0, max: 0 } });
    });

    it(`seed ${seed}: pull, {0} | {1} healing at 3: cut requests are sent, not received; replies are the answerer's`, () => {
      // Ticks 1, 2: 0 -> 1 and 1 -> 0 requests, both cut: sent(0) += 1, sent(1) += 1 each tick.
      // Tick 3: 0 -> 1 request (1 not hot: no reply); 1 -> 0 request, 0 hot: reply 0 -> 1,
      // necessary. Ticks 4, 5: both hot; each requests from the other and gets a reply.
      // sent(0) = 1 + 1 + 2 + 2 + 2 = 8, sent(1) = 1 + 1 + 1 + 2 + 2 = 7 (sum 15 = sent);
      // received(0) = 1 + 2 + 2 = 5, received(1) = 2 + 2 + 2 = 6 (sum 11 = delivered).
      const cfg = rumor({ hosts: 2, seed, mode: 'pull', partitions: [{ at: 0, heal: 3, groups: [{ hosts: '1' }] }] });
      const r = rumorOracle(cfg);
      const load = rumorOracleCountedLoad(cfg);
      expect(r.load).toEqual(load);
      expect([r.endReason, r.lastTick, r.sent, r.delivered, r.lost]).toEqual(['converged', 5, 15, 11, 4]);
      expect(load).toEqual({ sent: { p50: 7, p95: 8, max: 8 }, received: { p50: 5, p95: 6, max: 6 }, bytes: { p50: 0, p95: 0, max: 0 } });
    });
  }

  it('pull, view known, 3 hosts, {0, 1} | {2}: host 2\'s cut requests are sent, host 0 never receives them', () => {
    // Tick 1: host 0 has no candidate; 1 -> 0 request, 0 hot: reply 0 -> 1 (recv(1) = 1); 2 -> 0
    // request: cut. K(0) = {0, 1} from the end of tick 1. Ticks 2, 3: 0 -> 1 request, 1 replies;
    // 1 -> 0 request, 0 replies; 2 -> 0 cut. Both lose interest at tick 3: stalled.
    // sent(0) = 1 + 2 + 2 = 5, sent(1) = 1 + 2 + 2 = 5, sent(2) = 3;
    // received(0) = 1 + 2 + 2 = 5, received(1) = 1 + 2 + 2 = 5, received(2) = 0.
    for (const seed of SEEDS) {
      const cfg = rumor({ hosts: 3, seed, mode: 'pull', view: 'known', sources: [0], partitions: [{ at: 0, groups: [{ hosts: '0..1' }] }] });
      const r = rumorOracle(cfg);
      const load = rumorOracleCountedLoad(cfg);
      expect(r.load).toEqual(load);
      expect([r.endReason, r.sent, r.delivered, r.partitioned]).toEqual(['stalled', 13, 10, 3]);
      expect(load, `seed ${seed}`).toEqual(loadOf([5, 5, 3], [5, 5, 0], [0, 0, 0]));
      expect(load).toEqual({ sent: { p50: 5, p95: 5, max: 5 }, received: { p50: 5, p95: 5, max: 5 }, bytes: { p50: 0, p95: 0, max: 0 } });
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('rumor, messages model (N = 2, view full, latency 1)', () => {
  it('push, blind, counter k = 1, loss 0.5: a lost update counts in its sender\'s sent, in nobody\'s received', () => {
    // Tick 0: host 0 (hot) sends 1 an update, message k = 0 of its tick: lost when
    // rand(seed, LOSS, 0, 0, 0) < floor(0.5 * 2^32) (L0); blind, it sent an update: c(0) = 1 = k,
    // it loses interest. If L0: nobody hot, nothing in flight: stalled at tick 0. Else tick 1: host 1
    // receives it (recv(1) = 1, hot), pushes 1 -> 0 (k = 0 of its tick 1: lost when
    // rand(seed, LOSS, 1, 1, 0) < threshold, L1) and loses interest; if L1 the run ends at tick 1,
    // else host 0 receives it at tick 2 (no step: push and not hot): converged.
    // sent = [1, L0 ? 0 : 1], received = [!L0 && !L1 ? 1 : 0, L0 ? 0 : 1].
    const threshold = Math.floor(0.5 * TWO32);
    const seen = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const L0 = hash(seed, LOSS, 0, 0, 0) < threshold;
      const L1 = !L0 && hash(seed, LOSS, 1, 1, 0) < threshold;
      seen.add(L0 ? 'L0' : L1 ? 'L1' : 'none');
      const r = rumorOracle(rumor({ hosts: 2, seed, contact: 'messages', feedback: 'blind', k: 1, loss: 0.5 }));
      const where = `seed ${seed}`;
      expect([r.endReason, r.lastTick, r.lost], where).toEqual(L0 ? ['stalled', 0, 1] : L1 ? ['converged', 1, 1] : ['converged', 2, 0]);
      expect(r.load, where).toEqual(loadOf([1, L0 ? 0 : 1], [!L0 && !L1 ? 1 : 0, L0 ? 0 : 1], [0, 0]));
    }
    expect(seen).toEqual(new Set(['L0', 'L1', 'none']));
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: push with {0} | {1}: host 0's update of every tick 0 .. M is cut`, () => {
      const M = 4;
      const r = rumorOracle(rumor({ hosts: 2, seed, contact: 'messages', maxTicks: M, partitions: [{ at: 0, groups: [{ hosts: '1' }] }] }));
      expect([r.sent, r.partitioned]).toEqual([M + 1, M + 1]);
      expect(r.load).toEqual(loadOf([M + 1, 0], [0, 0], [0, 0]));
      expect(rumorOracleCountedLoad(rumor({ hosts: 2, seed, contact: 'messages', maxTicks: M, partitions: [{ at: 0, groups: [{ hosts: '1' }] }] }))).toEqual(r.load);
    });

    it(`seed ${seed}: pull, blind, counter k = 2: ignored requests count as received`, () => {
      // Send sequence numbers in brackets. Tick 0: both step: 0 -> 1 request [0], 1 -> 0 request
      // [0]. Tick 1: host 0 handles 1's request, hot: reply 0 -> 1 [1]; step: request 0 -> 1 [2];
      // blind: c(0) = 1. Host 1 handles 0's request, not hot: ignored; step: request 1 -> 0 [1].
      // Tick 2: host 0 handles 1's request: reply [3]; step: request [4]; c(0) = 2: loses interest.
      // Host 1 handles 0's reply [1]: recv(1) = 2, hot; then 0's request [2], hot: reply 1 -> 0
      // [2]; step: request [3]; c(1) = 1. Tick 3: host 0 handles 1's reply (knew) and request
      // (not hot: ignored); step: request [5]. Host 1 handles 0's reply [3] (knew) and request [4]:
      // reply [4]; step: request [5]; c(1) = 2: loses interest. A reply is still in flight.
      // Tick 4: host 0 handles 1's reply (knew) and request (ignored); step: request [6]. Host 1
      // handles 0's request [5]: ignored; step: request [6]. No host hot, no update or reply in
      // flight: converged at tick 4 with two requests in flight.
      // sent(0) = 1 + 2 + 2 + 1 + 1 = 7, sent(1) = 1 + 1 + 2 + 2 + 1 = 7;
      // received(0) = 1 + 1 + 2 + 2 = 6, received(1) = 1 + 2 + 2 + 1 = 6; 4 ignored in all
      // (host 0 two, host 1 two). Without the ignored ones received would be [4, 4].
      const r = rumorOracle(rumor({ hosts: 2, seed, contact: 'messages', mode: 'pull', feedback: 'blind' }));
      expect([r.endReason, r.lastTick, r.sent, r.delivered, r.ignored, r.inFlight]).toEqual(['converged', 4, 14, 12, 4, 2]);
      expect(r.load).toEqual({ sent: { p50: 7, p95: 7, max: 7 }, received: { p50: 6, p95: 6, max: 6 }, bytes: { p50: 0, p95: 0, max: 0 } });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Seeded random samples: quantiles cannot be summed, so instead every result must have ordered,
// whole, non-negative quantiles that are consistent with the run's totals (sum(sent(h)) = sent,
// sum(received(h)) = delivered, sum(bytes(h)) = 4 * entries): with r = ceil(q * N), at least
// N - r + 1 values are >= pq, r values are <= pq and every value is <= max. For N = 1 .. 3 the
// totals pin the quantiles down further: N = 1: p50 = p95 = max = the total; N = 2: p50 is the
// smaller value and p95 = max the larger, so p50 + max = total; N = 3: p95 = max and the smallest
// value, total - p50 - max, lies in 0 .. p50.

const SAMPLE_SEED = 0x10ad;
const SAMPLE_SIZE = 300;

/** Value n of configuration i: rand(SAMPLE_SEED, 0x5a, i, n, 0), by the documented hash. */
class Draw {
  private n = 0;
  constructor(private readonly i: number) {}
  next(): number {
    return hash(SAMPLE_SEED, 0x5a, this.i, this.n++, 0);
  }
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next() % xs.length]!;
  }
}

function checkQuantiles(q: Q, total: number, N: number, where: string): void {
  for (const v of [q.p50, q.p95, q.max]) {
    expect(Number.isInteger(v), where).toBe(true);
    expect(v, where).toBeGreaterThanOrEqual(0);
  }
  expect(q.max, where).toBeGreaterThanOrEqual(q.p95);
  expect(q.p95, where).toBeGreaterThanOrEqual(q.p50);
  const r50 = Math.ceil(0.5 * N);
  const r95 = Math.ceil(0.95 * N);
  expect(total, where).toBeGreaterThanOrEqual(q.max);
  expect(total, where).toBeGreaterThanOrEqual((N - r50 + 1) * q.p50);
  expect(total, where).toBeGreaterThanOrEqual((N - r95 + 1) * q.p95 + 0);
  expect(total, where).toBeLessThanOrEqual(r50 * q.p50 + (N - r50) * q.max);
  expect(total, where).toBeLessThanOrEqual(r95 * q.p95 + (N - r95) * q.max);
  expect(total, where).toBeLessThanOrEqual(N * q.max);
  if (N === 1) expect([q.p50, q.p95, q.max], where).toEqual([total, total, total]);
  if (N === 2) {
    expect(q.p95, where).toBe(q.max);
    expect(q.p50 + q.max, where).toBe(total);
  }
  if (N === 3) {
    expect(q.p95, where).toBe(q.max);
    const smallest = total - q.p50 - q.max;
    expect(smallest, where).toBeGreaterThanOrEqual(0);
    expect(smallest, where).toBeLessThanOrEqual(q.p50);
  }
}

function membershipConfig(i: number): OracleInput {
  const d = new Draw(i);
  const hosts = d.pick([1, 2, 3, 1, 2, 3, d.int(4, 12), d.int(4, 30)]);
  const protocol = d.pick(['announce', 'push', 'pull', 'push-pull'] as const);
  const periodic = protocol !== 'announce';
  const [latencyMin, latencyMax] = d.pick([[1, 1], [2, 2], [1, 3], [1, 2]] as [number, number][]);
  const input: OracleInput = {
    hosts, protocol,
    fanout: periodic ? d.int(1, 3) : 1,
    view: periodic && d.next() % 2 === 1 ? 'full' : 'known',
    latencyMin, latencyMax,
    loss: d.pick([0, 0, 0.1, 0.4]),
    seed: d.pick([1, 2, 7, 12345, d.next()]),
    maxTicks: d.pick([0, 3, 10, 40, 40]),
  };
  const fault = d.int(0, 4);
  if (fault === 1) input.partitions = [{ at: d.int(0, 3), heal: d.pick([null, 5, 9]), groups: [{ fraction: 0.5 }] }];
  if (fault === 2) input.crashes = [{ at: d.int(0, 3), recover: d.pick([null, 6, 12]), fraction: d.pick([0.25, 0.5, 1]) }];
  if (fault === 3) input.churn = { at: d.int(0, 2), leave: d.pick([0.1, 0.3]), join: d.pick([0, 0.5]), reserve: hosts > 2 ? d.int(0, 1) : 0 };
  return input;
}

function rumorConfig(i: number): RumorOracleInput {
  const d = new Draw(100000 + i);
  const hosts = d.pick([1, 2, 3, 1, 2, 3, d.int(4, 12), d.int(4, 40)]);
  const contact = d.pick(['synchronous', 'messages'] as const);
  const input: RumorOracleInput = rumor({
    hosts,
    mode: d.pick(['push', 'pull', 'push-pull'] as const),
    feedback: d.pick(['feedback', 'blind'] as const),
    stop: d.pick(['counter', 'coin'] as const),
    k: d.int(1, 3),
    sources: d.int(1, hosts),
    fanout: d.int(1, 2),
    seed: d.pick([1, 2, 7, 12345, d.next()]),
    maxTicks: d.pick([0, 4, 40, 300]),
    contact,
    view: d.pick(['full', 'known'] as const),
    latencyMin: 1,
    latencyMax: contact === 'messages' ? d.int(1, 3) : 1,
    loss: contact === 'messages' ? d.pick([0, 0.1, 0.3]) : 0,
  });
  if (d.next() % 3 === 0) input.partitions = [{ at: d.int(0, 3), heal: d.pick([null, 6]), groups: [{ fraction: 0.5 }] }];
  return input;
}

describe(`seeded random samples (sample seed ${SAMPLE_SEED}, ${SAMPLE_SIZE} configurations per oracle)`, () => {
  it('membership oracle: ordered quantiles consistent with sent, delivered and 4 * entries', () => {
    let small = 0;
    for (let i = 0; i < SAMPLE_SIZE; i++) {
      const cfg = membershipConfig(i);
      const r: OracleResult = oracleSimulate(cfg);
      const where = `config #${i} ${JSON.stringify(cfg)}`;
      const N = cfg.hosts;
      if (N <= 3) small++;
      checkQuantiles(r.load.sent, r.sent, N, where);
      checkQuantiles(r.load.received, r.delivered, N, where);
      checkQuantiles(r.load.bytes, 4 * r.entries, N, where);
      // Every message carries 1 .. N ids, so N >= bytes(h) / (4 sent(h)) >= 1 for every host; a
      // pointwise bound carries over to every order statistic.
      for (const k of ['p50', 'p95', 'max'] as const) {
        expect(r.load.bytes[k] % 4, where).toBe(0);
        expect(r.load.bytes[k], where).toBeGreaterThanOrEqual(4 * r.load.sent[k]);
        expect(r.load.bytes[k], where).toBeLessThanOrEqual(4 * N * r.load.sent[k]);
      }
    }
    expect(small).toBeGreaterThan(50);
  });

  it('rumor oracle: load is the counted load in both contact models; counted quantiles ordered, consistent with sent and delivered, bytes 0', () => {
    let small = 0;
    for (let i = 0; i < SAMPLE_SIZE; i++) {
      const cfg = rumorConfig(i);
      const r: RumorOracleResult = rumorOracle(cfg);
      const where = `config #${i} ${JSON.stringify(cfg)}`;
      const N = cfg.hosts;
      if (N <= 3) small++;
      const load = rumorOracleCountedLoad(cfg);
      expect(r.load, where).toEqual(load);
      checkQuantiles(load.sent, r.sent, N, where);
      checkQuantiles(load.received, r.delivered, N, where);
      expect(load.bytes, where).toEqual({ p50: 0, p95: 0, max: 0 });
    }
    expect(small).toBeGreaterThan(50);
  });

  it('N = 1: nothing is sent or received, in both oracles and both rumor contact models', () => {
    for (const seed of SEEDS) {
      for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
        const r = oracleSimulate(membership({ hosts: 1, protocol, seed, maxTicks: 5 }));
        expect(r.load).toEqual(loadOf([0], [0], [0]));
      }
      expect(rumorOracle(rumor({ hosts: 1, seed })).load).toEqual(loadOf(zeros(1), zeros(1), zeros(1)));
      expect(rumorOracleCountedLoad(rumor({ hosts: 1, seed }))).toEqual(loadOf(zeros(1), zeros(1), zeros(1)));
      expect(rumorOracle(rumor({ hosts: 1, seed, contact: 'messages' })).load).toEqual(loadOf(zeros(1), zeros(1), zeros(1)));
    }
  });
});
