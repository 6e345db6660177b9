// Hand-worked cases for churn in the membership oracle (test/support/spec-oracle.ts: announce,
// push, pull, push-pull), derived by reasoning from docs/semantics.md "## Faults: churn" (with
// "Faults: crashes", whose down-host rules churn shares, "Randomness", "How a run ends", "Metrics"
// and "Per-tick series"), not from the oracle's output. Every peer choice is forced (N = 2 under
// view full, or view known while a host knows one other host; N = 1 makes none), so the expected
// values hold for every seed except where a churn draw decides: there the test computes the draw
// itself with the formula of "Randomness" (./support/fault-cases.ts) and works out the outcome.
//
// Notation: latency 1 and no loss unless said otherwise; `a->b [..]` is a message with its
// snapshot; "hold until T" is the fault-timeline rule (no converged or stalled end before T).
// Draws: host h at tick t draws rand(seed, CHURN, h, t, 0) to leave and rand(seed, CHURN, h, t, 1)
// to join; leave (join) 1 has threshold 2^32, so every drawing host leaves (joins).
//
// Readings taken where the docs are open (marked DOCS: in the oracle): a host that leaves at t is
// down at t; a left host held by a crash still draws its join; `at` counts for the timeline only
// when at most --max-ticks, like `until`; a churn with leave 0, join 0 and reserve 0 holds nothing
// (so its metrics are exactly those without churn); the stall exception needs only join > 0, R > 0
// and at <= t + 1 < until.
import { describe, expect, it } from 'vitest';
import { oracleSimulate, type ChurnInput, type CrashInput, type OracleInput } from './support/spec-oracle.js';
import { CHURN, faultIdentities, hash, identities, membership, range, rep, SEEDS, TWO32, withoutLoad } from './support/fault-cases.js';


const leaves = (seed: number, h: number, t: number, p: number): boolean => hash(seed, CHURN, h, t, 0) < Math.floor(p * TWO32);
const joins = (seed: number, h: number, t: number, q: number): boolean => hash(seed, CHURN, h, t, 1) < Math.floor(q * TWO32);


// A counter-based pick of random configurations (no generator state, no engine code).
const PROTOCOLS: OracleInput['protocol'][] = ['announce', 'push', 'pull', 'push-pull'];
function picker(sample: number, i: number): { int: (lo: number, hi: number) => number; next: () => number } {
  let n = 0;
  const next = (): number => hash(sample, 0xc4a2, i, n++, 0);
  return { next, int: (lo, hi) => lo + (next() % (hi - lo + 1)) };
}
function baseConfig(sample: number, i: number): { cfg: OracleInput; int: (lo: number, hi: number) => number } {
  const { int, next } = picker(sample, i);
  const hosts = int(1, 14);
  const protocol = PROTOCOLS[i % 4]!;
  const periodic = protocol !== 'announce';
  const [latencyMin, latencyMax] = ([[1, 1], [2, 2], [1, 3], [1, 2]] as [number, number][])[int(0, 3)]!;
  const crashes: CrashInput[] = int(0, 2) === 0 ? [] : range(int(1, 2), (): number => 0).map((): CrashInput => {
    const at = int(0, 6);
    const recover = int(0, 2) === 0 ? null : at + int(1, 8);
    const lo = int(0, hosts - 1);
    const hi = int(lo, hosts - 1);
    return { at, recover, hosts: lo === hi ? String(lo) : `${lo}..${hi}` };
  });
  const partitions: OracleInput['partitions'] = int(0, 4) === 0 ? [{ at: int(0, 3), heal: int(0, 1) ? null : 6, groups: [{ fraction: 0.5 }] }] : [];
  const cfg = membership({
    hosts, protocol, fanout: periodic ? int(1, 3) : 1, view: periodic && int(0, 1) === 1 ? 'full' : 'known',
    latencyMin, latencyMax, loss: [0, 0, 0.1, 0.3][int(0, 3)]!, seed: next(), maxTicks: int(0, 3) === 0 ? int(0, 12) : 200,
    crashes, partitions,
  });
  return { cfg, int };
}

// ---------------------------------------------------------------------------------------------
describe('leave 0 and join 0: the metrics of the run without churn', () => {
  it('on 300 random configurations of all four protocols (crashes and partitions included), at and until anywhere', () => {
    let held = 0;
    for (let i = 0; i < 300; i++) {
      const { cfg, int } = baseConfig(0x0c0, i);
      const at = int(0, 60);
      const until = int(0, 2);
      const churn: ChurnInput = { at, leave: 0, ...(until === 0 ? {} : { until: until === 1 ? null : at + int(1, 80) }), ...(int(0, 1) ? { join: 0, reserve: 0 } : {}) };
      const plain = oracleSimulate(cfg);
      const r = oracleSimulate({ ...cfg, churn });
      expect(r, JSON.stringify({ ...cfg, churn })).toEqual(plain);
      // Cases where a hold from at or until would have changed the ending, had it applied.
      if (plain.endReason !== 'max-ticks' && at > plain.lastTick) held++;
    }
    expect(held).toBeGreaterThan(50);
  });
  it('the documented worked examples, with churn {at: 0, leave: 0} and {at: 7, until: 9, leave: 0, join: 0}', () => {
    const worked: [number, OracleInput['protocol'], number, number, number, number, number, number][] = [
      [1, 'announce', 0, 0, 0, 0, 0, 0],
      [2, 'announce', 3, 2, 2, 0, 5, 2],
      [3, 'announce', 8, 7, 5, 2, 17, 3],
      [100, 'push', 1799, 1699, 1699, 0, 105224, 17],
    ];
    for (const [hosts, protocol, sent, delivered, processed, ignored, entries, ticks] of worked) {
      for (const churn of [{ at: 0, leave: 0 }, { at: 7, until: 9, leave: 0, join: 0 }] as ChurnInput[]) {
        const r = oracleSimulate(membership({ hosts, protocol, churn }));
        expect([r.sent, r.delivered, r.processed, r.ignored, r.entries, r.ticks, r.lastTick]).toEqual([sent, delivered, processed, ignored, entries, ticks, ticks]);
        expect([r.dropped, r.live, r.endReason]).toEqual([0, hosts, 'converged']);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('leaving: the host draws rand(seed, CHURN, h, t, 0) and drops from then on', () => {
  it('push, view full, 2 hosts, churn only at tick 3 (until 4), leave 0.5: outcome from the two draws', () => {
    // Tick 0: 0->1 [0], 1->0 [1]. 1: both merge, complete at 1, push [h, other]. 2: the same.
    // Converged from tick 1, but held until 4 (until). Tick 3: host h leaves iff its c = 0 draw is
    // below floor(0.5 * 2^32); no join, and churn stops at 4, so a host that left stays down.
    // - Nobody leaves: ticks 3 and 4 as 1 and 2; converged at 4. sent 10, delivered 8, in flight 2,
    //   entries 2 + 8 * 2.
    // - Host a leaves (b stays): at 3 a drops b's tick-2 push and takes no step; b handles a's tick-2
    //   push and pushes to a. At 4 a drops it; b gets nothing and pushes. A(4) = {b}, complete:
    //   converged at 4. sent 8, delivered 7 (2 dropped), in flight 1, entries 2 + 6 * 2.
    // - Both leave: at 3 both tick-2 pushes are dropped, and nothing happens again; A is empty, so
    //   the run never converges (periodic protocols never stall): max-ticks 10, coverage 0.
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', seed, maxTicks: 10, churn: { at: 3, until: 4, leave: 0.5 } }));
      const l = [leaves(seed, 0, 3, 0.5), leaves(seed, 1, 3, 0.5)];
      seen.add(l.map(Number).join(''));
      const common = { ignored: 0, lost: 0, partitioned: 0, spreadTicks: 1, hostCompletionTicks: [1, 1] };
      if (!l[0] && !l[1]) {
        expect(withoutLoad(r)).toEqual({
          ...common, converged: true, ticks: 4, sent: 10, delivered: 8, processed: 8, dropped: 0, live: 2, inFlight: 2, entries: 18, coverage: 1,
          endReason: 'converged', lastTick: 4,
          series: { sent: rep(5, 2), delivered: [0, 2, 2, 2, 2], complete: [0, 2, 2, 2, 2], coverage: [1 / 2, 1, 1, 1, 1], live: rep(5, 2) },
        });
      } else if (l[0] !== l[1]) {
        expect(withoutLoad(r)).toEqual({
          ...common, converged: true, ticks: 4, sent: 8, delivered: 7, processed: 5, dropped: 2, live: 1, inFlight: 1, entries: 14, coverage: 1,
          endReason: 'converged', lastTick: 4,
          series: { sent: [2, 2, 2, 1, 1], delivered: [0, 2, 2, 2, 1], complete: [0, 2, 2, 1, 1], coverage: [1 / 2, 1, 1, 1, 1], live: [2, 2, 2, 1, 1] },
        });
      } else {
        expect(withoutLoad(r)).toEqual({
          ...common, converged: false, ticks: null, sent: 6, delivered: 6, processed: 4, dropped: 2, live: 0, inFlight: 0, entries: 10, coverage: 0,
          endReason: 'max-ticks', lastTick: 10,
          series: { sent: [2, 2, 2, ...rep(8, 0)], delivered: [0, 2, 2, 2, ...rep(7, 0)], complete: [0, 2, 2, ...rep(8, 0)], coverage: [1 / 2, 1, 1, ...rep(8, 0)], live: [2, 2, 2, ...rep(8, 0)] },
        });
      }
      faultIdentities(r);
    }
    expect(seen).toEqual(new Set(['00', '01', '10', '11']));
  });
  it('leave 1 takes every up host at `at`: a host that leaves at tick 0 never starts', () => {
    // Announce, 3 hosts, churn {at: 0, leave: 1}: at tick 0 every host leaves before its start, so
    // nobody ever sends; nothing in flight, stall not blocked (join 0): stalled at 0 with A empty.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', churn: { at: 0, leave: 1 } }));
    expect(r).toMatchObject({ endReason: 'stalled', lastTick: 0, sent: 0, live: 0, coverage: 0, series: { live: [0], complete: [0] } });
    // Push, view known, 3 hosts, leave 1 at tick 2: ticks 0 and 1 as without churn, then all down.
    const p = oracleSimulate(membership({ hosts: 3, protocol: 'push', maxTicks: 6, churn: { at: 2, leave: 1 } }));
    expect(p.series.live).toEqual([3, 3, 0, 0, 0, 0, 0]);
    expect(p.series.sent.slice(2)).toEqual([0, 0, 0, 0, 0]);
    expect(p).toMatchObject({ endReason: 'max-ticks', live: 0, inFlight: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('joining: a host that has left draws rand(seed, CHURN, h, t, 1), and only that', () => {
  it('push, view full, 2 hosts, churn {at: 1, until: 3, leave: 1, join 0.5}: both leave at 1, each joins at 2 by its own draw', () => {
    // Tick 0: 0->1 [0], 1->0 [1]. 1: both leave (threshold 2^32): both pushes dropped, no steps.
    // 2: each host has left and draws only its join (c = 1); a joiner is up at 2, gets nothing
    // (nothing was sent at 1) and pushes [h]: it still knows only itself. From 3 no draws (until 3),
    // held until 3.
    // - Both join: at 3 each learns the other, complete at 3: converged. sent 6, delivered 4 (2
    //   dropped), in flight 2, entries 1+1+1+1+2+2.
    // - Only a joins: a pushes [a] at every tick from 2; b is down for good and drops each one from
    //   3 on; A = {a}, incomplete: max-ticks 8. sent 2 + 7, delivered 2 + 6, all dropped.
    // - Nobody joins: A is empty from 1: max-ticks, sent 2, both dropped.
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', seed, maxTicks: 8, churn: { at: 1, until: 3, leave: 1, join: 0.5 } }));
      const j = [joins(seed, 0, 2, 0.5), joins(seed, 1, 2, 0.5)];
      seen.add(j.map(Number).join(''));
      const common = { ignored: 0, lost: 0, partitioned: 0 };
      if (j[0] && j[1]) {
        expect(withoutLoad(r)).toEqual({
          ...common, converged: true, ticks: 3, sent: 6, delivered: 4, processed: 2, dropped: 2, live: 2, inFlight: 2, entries: 8, coverage: 1,
          spreadTicks: 3, endReason: 'converged', lastTick: 3, hostCompletionTicks: [3, 3],
          series: { sent: [2, 0, 2, 2], delivered: [0, 2, 0, 2], complete: [0, 0, 0, 2], coverage: [1 / 2, 0, 1 / 2, 1], live: [2, 0, 2, 2] },
        });
      } else if (j[0] || j[1]) {
        expect(withoutLoad(r)).toEqual({
          ...common, converged: false, ticks: null, sent: 9, delivered: 8, processed: 0, dropped: 8, live: 1, inFlight: 1, entries: 9, coverage: 1 / 2,
          spreadTicks: null, endReason: 'max-ticks', lastTick: 8, hostCompletionTicks: [null, null],
          series: { sent: [2, 0, ...rep(7, 1)], delivered: [0, 2, 0, ...rep(6, 1)], complete: rep(9, 0), coverage: [1 / 2, 0, ...rep(7, 1 / 2)], live: [2, 0, ...rep(7, 1)] },
        });
      } else {
        expect(withoutLoad(r)).toEqual({
          ...common, converged: false, ticks: null, sent: 2, delivered: 2, processed: 0, dropped: 2, live: 0, inFlight: 0, entries: 2, coverage: 0,
          spreadTicks: null, endReason: 'max-ticks', lastTick: 8, hostCompletionTicks: [null, null],
          series: { sent: [2, ...rep(8, 0)], delivered: [0, 2, ...rep(7, 0)], complete: rep(9, 0), coverage: [1 / 2, ...rep(8, 0)], live: [2, ...rep(8, 0)] },
        });
      }
      faultIdentities(r);
    }
    expect(seen).toEqual(new Set(['00', '01', '10', '11']));
  });
  it('one host, leave 1 and join 1: it alternates, and a host that joins at t does not also leave at t', () => {
    // N = 1 sends nothing. Tick 0: up, not left: leaves (down). 1: left: draws only its join: up.
    // 2: leaves ... From until on it stays as it was at until - 1. Held until `until`.
    for (const protocol of ['announce', 'push'] as const) {
      const odd = oracleSimulate(membership({ hosts: 1, protocol, maxTicks: 20, churn: { at: 0, until: 6, leave: 1, join: 1 } }));
      expect(odd).toMatchObject({ endReason: 'converged', lastTick: 6, live: 1, series: { live: [0, 1, 0, 1, 0, 1, 1], complete: [0, 1, 0, 1, 0, 1, 1] } });
      // until 7: down at 6 (left), never back: max-ticks with nobody up.
      const even = oracleSimulate(membership({ hosts: 1, protocol, maxTicks: 20, churn: { at: 0, until: 7, leave: 1, join: 1 } }));
      expect(even).toMatchObject({ endReason: protocol === 'announce' ? 'stalled' : 'max-ticks', live: 0, converged: false });
      expect(even.series.live).toEqual([0, 1, 0, 1, 0, 1, ...rep(even.lastTick - 5, 0)]);
      // Announce stalls at 7, the first tick it may end (nothing in flight; join > 0 but R = 0).
      if (protocol === 'announce') expect(even.lastTick).toBe(7);
      else expect(even.lastTick).toBe(20);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('reserved hosts: N-R .. N-1 have left from tick 0, and start at their first join', () => {
  it('announce, 3 hosts, reserve 1, churn {at: 0, leave: 0, join: 0.3}: host 2 announces itself at its first join J', () => {
    // J = the first tick with rand(seed, CHURN, 2, J, 1) < floor(0.3 * 2^32). Hosts 0 and 1 never
    // leave (leave 0). Before J nothing can converge (nobody knows 2), and the run may not stall
    // (churn acts at every next tick, join > 0, R = 1).
    // J = 0: the documented 3-host trace. J >= 4: tick 0: 1->0 [1]. 1: host 0 appends 1, 0->1 [0,1].
    // 2: host 1 appends 0, 1->0 [1,0]. 3: host 0 merges it, nothing new. Idle until J: host 2's
    // start, 2->0 [2]. J+1: host 0 appends 2 (complete, stops), 0->2 [0,1,2]. J+2: host 2 appends 0,
    // 1: 2->0 [2,0], 2->1 [2,0,1], complete. J+3: host 0 ignores [2,0]; host 1 appends 2, 1->2
    // [1,0,2], complete: converged. The same as a crash holding host 2 over [0, J) in every case.
    const seen = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      let J = 0;
      while (!joins(seed, 2, J, 0.3)) J++;
      seen.add(J === 0 ? '0' : J < 4 ? '1..3' : '4+');
      const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', seed, churn: { at: 0, leave: 0, join: 0.3, reserve: 1 } }));
      if (J === 0) {
        expect(r).toEqual(oracleSimulate(membership({ hosts: 3, protocol: 'announce', seed })));
        expect(r).toMatchObject({ sent: 8, delivered: 7, ticks: 3, hostCompletionTicks: [1, 3, 2] });
      } else {
        expect(r).toEqual(oracleSimulate(membership({ hosts: 3, protocol: 'announce', seed, crashes: [{ at: 0, recover: J, hosts: '2' }] })));
      }
      if (J >= 4) {
        const idle = J - 4;
        expect(withoutLoad(r)).toEqual({
          converged: true, ticks: J + 3, sent: 8, delivered: 7, processed: 6, ignored: 1, lost: 0, partitioned: 0, dropped: 0, live: 3,
          inFlight: 1, entries: 17, spreadTicks: J + 2, coverage: 1, endReason: 'converged', lastTick: J + 3, hostCompletionTicks: [J + 1, J + 3, J + 2],
          series: {
            sent: [1, 1, 1, 0, ...rep(idle, 0), 1, 1, 2, 1],
            delivered: [0, 1, 1, 1, ...rep(idle, 0), 0, 1, 1, 2],
            complete: [0, 0, 0, 0, ...rep(idle, 0), 0, 1, 2, 3],
            coverage: [2 / 6, 3 / 6, 4 / 6, 4 / 6, ...rep(idle, 4 / 6), 5 / 9, 6 / 9, 8 / 9, 1],
            live: [...rep(J, 2), 3, 3, 3, 3],
          },
        });
      }
    }
    expect(seen).toEqual(new Set(['0', '1..3', '4+']));
  });
  it('push, 2 hosts, reserve 1, churn {at: 3, leave: 0, join: 1}: host 1 is down until 3, with the initial state', () => {
    // View known: host 1 starts knowing {1, 0} (complete from tick 0), host 0 knows nobody: nothing
    // is sent before 3 (host 1 is down, host 0 has no candidate). 3: host 1 joins, pushes [1,0].
    // 4: host 0 learns 1 (complete), pushes [0,1]; host 1 pushes [1,0]: converged at 4.
    const known = oracleSimulate(membership({ hosts: 2, protocol: 'push', churn: { at: 3, leave: 0, join: 1, reserve: 1 } }));
    expect(withoutLoad(known)).toEqual({
      converged: true, ticks: 4, sent: 3, delivered: 1, processed: 1, ignored: 0, lost: 0, partitioned: 0, dropped: 0, live: 2, inFlight: 2,
      entries: 6, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [4, 0],
      series: { sent: [0, 0, 0, 1, 2], delivered: [0, 0, 0, 0, 1], complete: [0, 0, 0, 1, 2], coverage: [1 / 2, 1 / 2, 1 / 2, 3 / 4, 1], live: [1, 1, 1, 2, 2] },
    });
    // View full: host 1 starts [1]. Host 0 pushes [0] to 1 at every tick; those arriving at 1 and 2
    // are dropped; at 3 host 1 is up and handles the tick-2 push (complete), pushes [1,0]. 4: host 0
    // merges it (complete): converged.
    const full = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', churn: { at: 3, leave: 0, join: 1, reserve: 1 } }));
    expect(withoutLoad(full)).toEqual({
      converged: true, ticks: 4, sent: 7, delivered: 5, processed: 3, ignored: 0, lost: 0, partitioned: 0, dropped: 2, live: 2, inFlight: 2,
      entries: 10, spreadTicks: 3, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [4, 3],
      series: { sent: [1, 1, 1, 2, 2], delivered: [0, 1, 1, 1, 2], complete: [0, 0, 0, 1, 2], coverage: [1 / 2, 1 / 2, 1 / 2, 3 / 4, 1], live: [1, 1, 1, 2, 2] },
    });
  });
  it('pull and push-pull, 2 hosts, reserve 1, join 1 at 2: the reserved host counts as a host of the run', () => {
    // View known. Host 1 down at 0 and 1; host 0 has no candidate. 2: host 1 joins and sends 1->0
    // ([1] for pull, [1,0] for push-pull). 3: host 0 learns 1 (complete) and replies [0,1]; it also
    // sends its own periodic message to 1; host 1 sends again: converged at 3.
    for (const protocol of ['pull', 'push-pull'] as const) {
      const r = oracleSimulate(membership({ hosts: 2, protocol, churn: { at: 2, until: 3, leave: 0, join: 1, reserve: 1 } }));
      expect(r).toMatchObject({
        converged: true, ticks: 3, lastTick: 3, sent: 4, delivered: 1, processed: 1, dropped: 0, inFlight: 3, hostCompletionTicks: [3, 0],
        series: { live: [1, 1, 2, 2], complete: [0, 0, 1, 2], sent: [0, 0, 1, 3] },
      });
    }
  });
  it('a reserved host that never joins keeps the run from converging (complete means knowing all N)', () => {
    // Push, view full, 3 hosts, reserve 1, join 0: hosts 0 and 1 meet at once but never learn 2.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'push', view: 'full', maxTicks: 15, churn: { at: 0, leave: 0, reserve: 1 } }));
    expect(r).toMatchObject({ converged: false, endReason: 'max-ticks', lastTick: 15, live: 2, coverage: 4 / 6, hostCompletionTicks: [null, null, null] });
    expect(r.series.live).toEqual(rep(16, 2));
    expect(r.dropped).toBeGreaterThan(0);
    faultIdentities(r);
  });
});

// ---------------------------------------------------------------------------------------------
describe('churn and crashes on the same host', () => {
  it('one host, crash [2, 5), churn {at: 0, leave: 1, join: 1}: a host held only by the crash draws nothing', () => {
    // 0: leaves. 1: joins. 2, 3, 4: crash-held and not left: no draw, down. 5: recovered, up, not
    // left: draws its leave and leaves. 6: joins. 7: leaves. 8: joins. Until 9: it stays up: held
    // until 9, converged there. (Had it drawn while crash-held it would have left at 2, joined at 3,
    // left at 4 and joined at 5.)
    const r = oracleSimulate(membership({ hosts: 1, protocol: 'push', maxTicks: 30, crashes: [{ at: 2, recover: 5, hosts: '0' }], churn: { at: 0, until: 9, leave: 1, join: 1 } }));
    expect(r).toMatchObject({ endReason: 'converged', lastTick: 9, ticks: 9, live: 1, series: { live: [0, 1, 0, 0, 0, 0, 1, 0, 1, 1] } });
    // Until 10: it left at 9 and stays down for good.
    const gone = oracleSimulate(membership({ hosts: 1, protocol: 'push', maxTicks: 30, crashes: [{ at: 2, recover: 5, hosts: '0' }], churn: { at: 0, until: 10, leave: 1, join: 1 } }));
    expect(gone).toMatchObject({ endReason: 'max-ticks', lastTick: 30, live: 0 });
    expect(gone.series.live).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 1, ...rep(22, 0)]);
  });
  it('one host, crash [1, 4), churn {at: 0, leave: 1, join: 1}: a left host under a crash draws its join, and stays down', () => {
    // 0: leaves. 1: has left: draws its join and joins, but the crash holds it: down. 2, 3: crash
    // only: no draw. 4: up, not left: leaves. 5: joins. 6: leaves. 7: joins. Until 8: up, converged.
    // (Had the join waited for the crash's end, it would have joined at 4.)
    const r = oracleSimulate(membership({ hosts: 1, protocol: 'announce', maxTicks: 30, crashes: [{ at: 1, recover: 4, hosts: '0' }], churn: { at: 0, until: 8, leave: 1, join: 1 } }));
    expect(r).toMatchObject({ endReason: 'converged', lastTick: 8, live: 1, series: { live: [0, 0, 0, 0, 0, 1, 0, 1, 1] } });
  });
  it('push, view full, 2 hosts, host 1 crashed over [0, 5), churn {at: 0, until: 5, leave: 0.5}: only host 0 draws', () => {
    // Host 1 draws nothing at 0..4 (crash only), and churn is over when it recovers at 5: it never
    // leaves. Host 0 leaves at t0 = the first t in 0..4 with a c = 0 draw below the threshold, if any.
    // - Host 0 stays: the crash case "host 1 down [0, R)" with R = 5: host 0 pushes [0] each tick,
    //   ticks 1..4 dropped; 5: host 1 handles it (complete), pushes [1,0]; 6: host 0 complete:
    //   converged at 6. sent 9, delivered 7 (4 dropped), entries 12.
    // - Host 0 leaves at t0: it pushed at 0 .. t0-1, all dropped by host 1 (down until 5). From 5
    //   host 1 alone is up, knows only itself and pushes [1] to the gone host 0 forever: max-ticks.
    const M = 12;
    const seen = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      let t0: number | null = null;
      for (let t = 0; t <= 4 && t0 === null; t++) if (leaves(seed, 0, t, 0.5)) t0 = t;
      seen.add(String(t0));
      const input = membership({ hosts: 2, protocol: 'push', view: 'full', seed, maxTicks: M, crashes: [{ at: 0, recover: 5, hosts: '1' }], churn: { at: 0, until: 5, leave: 0.5 } });
      const r = oracleSimulate(input);
      if (t0 === null) {
        const { churn: _churn, ...withoutChurn } = input;
        expect(r).toEqual(oracleSimulate(withoutChurn));
        expect(r).toMatchObject({ endReason: 'converged', lastTick: 6, sent: 9, delivered: 7, dropped: 4, entries: 12, hostCompletionTicks: [6, 5] });
      } else {
        expect(withoutLoad(r)).toEqual({
          converged: false, ticks: null, sent: t0 + M - 4, delivered: t0 + M - 5, processed: 0, ignored: 0, lost: 0, partitioned: 0, dropped: t0 + M - 5,
          live: 1, inFlight: 1, entries: t0 + M - 4, spreadTicks: null, coverage: 1 / 2, endReason: 'max-ticks', lastTick: M, hostCompletionTicks: [null, null],
          series: {
            sent: [...rep(t0, 1), ...rep(5 - t0, 0), ...rep(M - 4, 1)],
            delivered: [0, ...rep(t0, 1), ...rep(5 - t0, 0), ...rep(M - 5, 1)],
            complete: rep(M + 1, 0),
            coverage: [...rep(t0, 1 / 2), ...rep(5 - t0, 0), ...rep(M - 4, 1 / 2)],
            live: [...rep(t0, 1), ...rep(5 - t0, 0), ...rep(M - 4, 1)],
          },
        });
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(seen).toContain('null');
    expect(seen).toContain('0');
  });
  it('a host crash-held at `at` draws nothing there: push, 2 hosts, host 0 crashed at tick 1, churn {at: 1, until: 2, leave: 1}', () => {
    // View full. 0: 0->1 [0], 1->0 [1]. 1: host 0 is crashed (no draw), host 1 is up and leaves: both
    // tick-0 pushes dropped. From 2 no churn: host 1 has left for good; host 0 is back at 3 (crash
    // [1, 3)), knowing only itself, and pushes [0] to host 1 forever (dropped): max-ticks 8.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', maxTicks: 8, crashes: [{ at: 1, recover: 3, hosts: '0' }], churn: { at: 1, until: 2, leave: 1 } }));
    expect(r).toMatchObject({
      endReason: 'max-ticks', lastTick: 8, sent: 2 + 6, delivered: 2 + 5, dropped: 7, processed: 0, inFlight: 1, live: 1, coverage: 1 / 2,
      series: { live: [2, 0, 0, 1, 1, 1, 1, 1, 1], sent: [2, 0, 0, 1, 1, 1, 1, 1, 1] },
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('the fault timeline plays out from churn, and the stall rule', () => {
  it('announce, 2 hosts (converged at 2): a churn at 50 holds the run to 50 when at <= --max-ticks', () => {
    // Non-inert churn (join 0.5, nobody ever leaves). The trace: converged at 2, 1->0 [1,0] ignored
    // at 3; then nothing in flight, held until 50 (neither converged nor stalled before).
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', churn: { at: 50, leave: 0, join: 0.5 } }));
    expect(r).toMatchObject({ endReason: 'converged', lastTick: 50, ticks: 50, sent: 3, delivered: 3, ignored: 1, inFlight: 0, live: 2, hostCompletionTicks: [1, 2] });
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'announce', maxTicks: 50, churn: { at: 50, leave: 0, join: 0.5 } }))).toMatchObject({ endReason: 'converged', lastTick: 50 });
    // at beyond --max-ticks: no hold, as without churn.
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'announce', maxTicks: 49, churn: { at: 50, leave: 0, join: 0.5 } }))).toMatchObject({ endReason: 'converged', lastTick: 2 });
    // Inert churn (leave 0, join 0): no hold at all.
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'announce', churn: { at: 50, leave: 0, join: 0 } }))).toMatchObject({ endReason: 'converged', lastTick: 2 });
  });
  it('until holds the run when at most --max-ticks; beyond it, only at does', () => {
    // Push, view known, 2 hosts: converged at 1 without churn. Churn {at: 0, until: 30, leave: 0,
    // join: 0.5}: nobody leaves, held until 30.
    const churn: ChurnInput = { at: 0, until: 30, leave: 0, join: 0.5 };
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', churn }))).toMatchObject({ endReason: 'converged', lastTick: 30, sent: 1 + 60, live: 2 });
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', maxTicks: 30, churn }))).toMatchObject({ endReason: 'converged', lastTick: 30 });
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', maxTicks: 29, churn }))).toMatchObject({ endReason: 'converged', lastTick: 1 });
    // until beyond --max-ticks but at within: held until at.
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', maxTicks: 29, churn: { ...churn, at: 7 } }))).toMatchObject({ endReason: 'converged', lastTick: 7 });
  });
  it('announce, 2 hosts, reserve 1, churn {at: 0, until: 6, leave: 0, join: 0.25}: converged, held, or stalled at 6', () => {
    // J = host 1's first join tick (c = 1 draws at 0..5). Host 1 starts at J: 1->0 [1]; J+1: host 0
    // appends 1 (complete), 0->1 [0,1]; J+2: host 1 appends 0 (complete), 1->0 [1,0].
    // - J + 2 >= 6: converged at J + 2 with 1->0 [1,0] in flight.
    // - J + 2 < 6: held until 6; [1,0] is ignored at J + 3 (host 0 stopped): converged at 6.
    // - No join: nothing is ever sent. While churn acts at the next tick the run may not stall, and it
    //   is held until 6 anyway; at 6 churn no longer acts (nor at 7): stalled at 6, host 0 alone up.
    const seen = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      let J: number | null = null;
      for (let t = 0; t < 6 && J === null; t++) if (joins(seed, 1, t, 0.25)) J = t;
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', seed, churn: { at: 0, until: 6, leave: 0, join: 0.25, reserve: 1 } }));
      if (J === null) {
        seen.add('stalled');
        expect(r).toMatchObject({ endReason: 'stalled', lastTick: 6, sent: 0, live: 1, coverage: 1 / 2, hostCompletionTicks: [null, null], series: { live: rep(7, 1) } });
      } else if (J + 2 >= 6) {
        seen.add('late');
        expect(r).toMatchObject({ endReason: 'converged', lastTick: J + 2, ticks: J + 2, sent: 3, delivered: 2, inFlight: 1, hostCompletionTicks: [J + 1, J + 2] });
        expect(r.series.live).toEqual([...rep(J, 1), 2, 2, 2]);
      } else {
        seen.add('held');
        expect(r).toMatchObject({ endReason: 'converged', lastTick: 6, ticks: 6, sent: 3, delivered: 3, ignored: 1, inFlight: 0, hostCompletionTicks: [J + 1, J + 2] });
      }
      faultIdentities(r);
    }
    expect(seen).toEqual(new Set(['stalled', 'late', 'held']));
  });
  it('no stall while a reserved host may still join: churn for ever, join 0.1, announce waits for the join', () => {
    // Announce, 2 hosts, reserve 1, churn {at: 0, leave: 0, join: 0.1} (no until). Nothing is in
    // flight before host 1's first join J, but churn acts at every next tick: no stall. Converged
    // at J + 2 (the 2-host trace shifted by J).
    let longWait = 0;
    for (const seed of [...SEEDS, ...range(30, (i) => 100 + i)]) {
      let J = 0;
      while (!joins(seed, 1, J, 0.1)) J++;
      if (J >= 3) longWait++;
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', seed, churn: { at: 0, leave: 0, join: 0.1, reserve: 1 } }));
      expect(r).toMatchObject({ endReason: 'converged', lastTick: J + 2, ticks: J + 2, sent: 3, delivered: 2, entries: 5, hostCompletionTicks: [J + 1, J + 2] });
      expect(r.series.sent).toEqual([...rep(J, 0), 1, 1, 1]);
    }
    expect(longWait).toBeGreaterThan(5);
  });
  it('the stall exception needs join > 0 and R > 0', () => {
    // Announce, 3 hosts, host 0 crashed for good from 0: the crash case, stalled at 1 (both
    // announcements dropped). With churn {at: 0, leave: 0, join: 0.5} and R = 0: still stalled at 1.
    const crashes: CrashInput[] = [{ at: 0, hosts: '0' }];
    const plain = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes }));
    expect(plain).toMatchObject({ endReason: 'stalled', lastTick: 1 });
    expect(oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes, churn: { at: 0, leave: 0, join: 0.5 } }))).toEqual(plain);
    // R = 1 and join > 0: never stalled while churn acts; host 2 joins at some J, its announcement
    // is dropped too, and nobody can ever complete: max-ticks.
    const waiting = oracleSimulate(membership({ hosts: 3, protocol: 'announce', maxTicks: 40, crashes, churn: { at: 0, leave: 0, join: 0.5, reserve: 1 } }));
    expect(waiting).toMatchObject({ endReason: 'max-ticks', lastTick: 40, sent: 2, delivered: 2, dropped: 2, live: 2 });
    // R = 1 and join 0: host 2 never joins and nothing blocks the stall: stalled at 1, live {1}.
    expect(oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes, churn: { at: 0, leave: 0, reserve: 1 } }))).toMatchObject({ endReason: 'stalled', lastTick: 1, sent: 1, dropped: 1, live: 1 });
    // With an until, the exception ends with churn: stalled at 10 (held until 10 anyway).
    expect(oracleSimulate(membership({ hosts: 3, protocol: 'announce', seed: 3, crashes, churn: { at: 0, until: 10, leave: 0, join: 0.5, reserve: 1 } }))).toMatchObject({ endReason: 'stalled', lastTick: 10 });
  });
});

// ---------------------------------------------------------------------------------------------
describe('identities on a seeded sample of random configurations with random churn', () => {
  /** Hosts down by a crash at t (id-range crashes only), from the docs' rule. */
  function crashDownAt(cfg: OracleInput, h: number, t: number): boolean {
    return (cfg.crashes ?? []).some((c) => {
      if (!(c.at <= t && t < (c.recover ?? Infinity))) return false;
      const [lo, hi] = c.hosts!.split('..').map(Number) as [number, number | undefined];
      return h >= lo && h <= (hi ?? lo);
    });
  }
  /** series.live from the docs' churn rule, computed here independently of the oracle. */
  function liveSeries(cfg: OracleInput, churn: ChurnInput, ticks: number): number[] {
    const N = cfg.hosts;
    const R = churn.reserve ?? 0;
    const left = range(N, (h) => (h >= N - R ? 1 : 0));
    const out: number[] = [];
    for (let t = 0; t < ticks; t++) {
      const acts = churn.at <= t && t < (churn.until ?? Infinity);
      let live = 0;
      for (let h = 0; h < N; h++) {
        const crashed = crashDownAt(cfg, h, t);
        if (acts && left[h]) {
          if (joins(cfg.seed, h, t, churn.join ?? 0)) left[h] = 0;
        } else if (acts && !crashed) {
          if (leaves(cfg.seed, h, t, churn.leave)) left[h] = 1;
        }
        if (!crashed && !left[h]) live++;
      }
      out.push(live);
    }
    return out;
  }
  it('sent = delivered + lost + inFlight, processed + ignored + dropped = delivered, live hosts and endings, on 400 configurations', () => {
    const endings = new Set<string>();
    let churned = 0;
    for (let i = 0; i < 400; i++) {
      const { cfg, int } = baseConfig(0xc4, i);
      const at = int(0, 6);
      const churn: ChurnInput = {
        at, until: int(0, 2) === 0 ? null : at + int(1, 10), leave: [0, 0.05, 0.2, 0.5, 1][int(0, 4)]!, join: [0, 0.1, 0.5, 1][int(0, 3)]!,
        reserve: int(0, 2) === 0 ? 0 : int(0, Math.min(cfg.hosts - 1, 3)),
      };
      const input = { ...cfg, churn };
      const where = JSON.stringify(input);
      const r = oracleSimulate(input);
      identities({ ...r, ignored: r.ignored + r.dropped });
      faultIdentities(r);
      if (cfg.protocol !== 'announce') expect(r.ignored, where).toBe(0);
      expect(r.entries, where).toBeGreaterThanOrEqual(r.sent);
      if (cfg.loss === 0) expect(r.lost, where).toBe(r.partitioned);
      expect(r.converged, where).toBe(r.endReason === 'converged');
      expect(r.ticks !== null, where).toBe(r.converged);
      if (r.converged) {
        expect(r.ticks, where).toBe(r.lastTick);
        expect(r.live, where).toBeGreaterThan(0);
        expect(r.series.complete[r.lastTick], where).toBe(r.live);
      }
      expect(r.series.live, where).toEqual(liveSeries(cfg, churn, r.lastTick + 1));
      for (let t = 0; t <= r.lastTick; t++) expect(r.series.complete[t]!, where).toBeLessThanOrEqual(r.series.live[t]!);
      // The timeline plays out: an ending other than max-ticks is at or after every crash tick and
      // churn's at and until that are at most --max-ticks.
      const inert = churn.leave === 0 && churn.join === 0 && churn.reserve === 0;
      const marks = [...(cfg.crashes ?? []).flatMap((c) => [c.at, c.recover ?? -1]), ...(inert ? [] : [churn.at, churn.until ?? -1])];
      const hold = Math.max(-1, ...marks.filter((x) => x <= cfg.maxTicks));
      if (r.endReason === 'max-ticks') expect(r.lastTick, where).toBe(cfg.maxTicks);
      else expect(r.lastTick, where).toBeGreaterThanOrEqual(hold);
      if (r.endReason === 'stalled') {
        expect(cfg.protocol, where).toBe('announce');
        expect(r.inFlight, where).toBe(0);
        const actsNext = churn.at <= r.lastTick + 1 && r.lastTick + 1 < (churn.until ?? Infinity);
        expect(churn.join! > 0 && churn.reserve! > 0 && actsNext, where).toBe(false);
      }
      endings.add(`${cfg.protocol} ${r.endReason}`);
      if (r.series.live.some((x) => x < cfg.hosts)) churned++;
    }
    expect(churned).toBeGreaterThan(200);
    for (const e of ['announce converged', 'announce stalled', 'announce max-ticks', 'push converged', 'pull converged', 'push-pull converged', 'push max-ticks']) expect(endings).toContain(e);
  });
});

// ---------------------------------------------------------------------------------------------
describe('churn input checks', () => {
  const base = { hosts: 4, protocol: 'push' as const };
  const bad: [string, ChurnInput][] = [
    ['a leave above 1', { at: 0, leave: 1.5 }],
    ['a negative leave', { at: 0, leave: -0.1 }],
    ['a join above 1', { at: 0, leave: 0.1, join: 2 }],
    ['a reserve of every host', { at: 0, leave: 0.1, reserve: 4 }],
    ['a negative reserve', { at: 0, leave: 0.1, reserve: -1 }],
    ['a fractional reserve', { at: 0, leave: 0.1, reserve: 1.5 }],
    ['until before at', { at: 5, until: 2, leave: 0.1 }],
    ['until equal to at', { at: 5, until: 5, leave: 0.1 }],
    ['a negative at', { at: -1, leave: 0.1 }],
  ];
  for (const [what, churn] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => oracleSimulate(membership({ ...base, churn }))).toThrow();
    });
  }
  it('accepts until: null as for ever, and the defaults join 0 and reserve 0', () => {
    const a = oracleSimulate(membership({ ...base, maxTicks: 8, churn: { at: 2, until: null, leave: 0.3 } }));
    const b = oracleSimulate(membership({ ...base, maxTicks: 8, churn: { at: 2, leave: 0.3, join: 0, reserve: 0 } }));
    expect(a).toEqual(b);
  });
});
