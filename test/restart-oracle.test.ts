// Hand-worked cases for crashes that lose state (`state: "initial"`) in the membership oracle
// (test/support/spec-oracle.ts: announce, push, pull, push-pull), derived by reasoning
// from docs/semantics.md "### Crashes that lose state" (with "## Faults: crashes", "How a run ends",
// "Metrics", "Per-tick series and per-host completion ticks" and "Per-host load"), not from the
// oracle's output.
//
// The rules used: at the crash tick `at`, before anything else of that tick, every host of the
// crash gets its initial K(h) and L(h) (view full: [h]; view known: [h, 0], [0] for host 0), down
// or not; messages it sent before still carry what it had when it sent them; its sequence numbers
// and load counters go on; at tick 0 nothing changes. complete, coverage, the series and converged
// count it as it now is; hostCompletionTicks[h] is the last tick at whose end h became complete
// (null if h is not complete at the end); spreadTicks keeps its definition (the first tick at
// whose end every host knew host 0). Every other crash rule is unchanged (a crash holds its hosts
// down at ticks at .. recover-1, its at and recover hold the run's end, ticks = lastTick).
//
// Most cases are chosen so that every peer choice is forced (N = 2 under view full, view known
// while a host knows one other host, pull's pulls teaching nothing new to a host that knows the
// puller): their expected values hold for every seed. Where a hash decides, the test computes it
// with the formula of "Randomness" (./support/fault-cases.ts) and works out the outcome itself.
//
// Notation: latency 1 and no loss unless said; `a->b [..]` is a message with its snapshot; F the
// fanout; "held until T": no converged or stalled end before the run's last crash tick T.
//
// Readings taken where the docs are open (marked DOCS: in the oracle): a host whose initial state
// is already complete (host 1 of N = 2 under view known, N = 1) is unchanged by losing it and stays
// complete without a break; a
// `state` other than "keep" or "initial" is an error; the reset applies to every host the crash
// names, in list order, and a host reset twice in one tick is reset once.
import { describe, expect, it } from 'vitest';
import { oracleSimulate, type ChurnInput, type CrashInput, type OracleInput, type OracleResult } from './support/spec-oracle.js';
import { CRASH, faultIdentities, hash, membership, PEER, range, rep, SEEDS, TWO32, withoutLoad } from './support/fault-cases.js';

/** The same crash with state "initial" / "keep". */
const lose = (c: CrashInput): CrashInput => ({ ...c, state: 'initial' });
const keep = (c: CrashInput): CrashInput => ({ ...c, state: 'keep' });

/** The fault identities, and what holds for the periodic protocols: nothing ignored, ticks = lastTick when converged. */
function restartIdentities(r: OracleResult): void {
  faultIdentities(r);
  expect(r.ignored).toBe(0);
  expect(r.converged).toBe(r.endReason === 'converged');
  if (r.converged) expect(r.ticks).toBe(r.lastTick);
  else expect(r.ticks).toBeNull();
}

/** The result with other completion ticks: what the keep run must equal, cases where only they differ. */
const withCompletion = (r: OracleResult, hostCompletionTicks: (number | null)[]): OracleResult => ({ ...r, hostCompletionTicks });

// ---------------------------------------------------------------------------------------------
describe('both hosts of a 2-host view full run lose their state at 3 and are back at 5', () => {
  // View full, N = 2: every choice is the other host, so every case holds for every seed.
  // Ticks 0 .. 2 are the run without faults: at 1 each host learns the other (complete at 1). At 3
  // both are reset to [h] and down: they drop what was sent at 2 and send nothing; at 4 nothing
  // arrives. At 5 both are up knowing only themselves (coverage 1/2, nobody complete: the share
  // drops back to tick 0's) and nothing arrives (nothing was sent at 4); their step is the same as
  // at tick 0. At 6 they learn each other again: complete at 6, converged (held until 5).
  // spreadTicks stays 1 (the first tick at whose end every host knew host 0), although host 1
  // forgot host 0 at 3. With `keep` both are complete when back at 5: converged at 5.
  const crash: CrashInput = { at: 3, recover: 5, hosts: '0..1' };
  for (const F of [1, 2]) {
    for (const seed of SEEDS) {
      it(`push, F = ${F}, seed ${seed}: complete again at 6, spreadTicks still 1`, () => {
        // Tick 0: 0->1 F [0], 1->0 F [1]. 1, 2: each handles F, pushes F [h, o]. 3: 2F dropped.
        // 5: F [h] each. 6: each handles F [o], complete, pushes F [h, o] (in flight).
        // sent 2F * 5 = 10F; delivered 2F (1) + 2F (2) + 2F (3, dropped) + 2F (6) = 8F.
        // entries 2F + 4F + 4F + 2F + 4F = 16F. Per host: sent 5F, received 4F (dropped ones
        // included), bytes 4 * (F + 2F + 2F + F + 2F) = 32F: the counters go on across the crash.
        const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', fanout: F, seed, crashes: [lose(crash)] }));
        expect(r).toEqual({
          converged: true, ticks: 6, sent: 10 * F, delivered: 8 * F, processed: 6 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 2 * F,
          live: 2, inFlight: 2 * F, entries: 16 * F, spreadTicks: 1, coverage: 1, endReason: 'converged', lastTick: 6, hostCompletionTicks: [6, 6],
          series: {
            sent: [2 * F, 2 * F, 2 * F, 0, 0, 2 * F, 2 * F], delivered: [0, 2 * F, 2 * F, 2 * F, 0, 0, 2 * F], complete: [0, 2, 2, 0, 0, 0, 2],
            coverage: [1 / 2, 1, 1, 0, 0, 1 / 2, 1], live: [2, 2, 2, 0, 0, 2, 2],
          },
          load: {
            sent: { p50: 5 * F, p95: 5 * F, max: 5 * F }, received: { p50: 4 * F, p95: 4 * F, max: 4 * F }, bytes: { p50: 32 * F, p95: 32 * F, max: 32 * F },
          },
        });
        restartIdentities(r);
        // keep: back complete at 5, converged there; sent 8F, delivered 6F, entries 14F.
        const k = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', fanout: F, seed, crashes: [keep(crash)] }));
        expect(withoutLoad(k)).toEqual({
          converged: true, ticks: 5, sent: 8 * F, delivered: 6 * F, processed: 4 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 2 * F,
          live: 2, inFlight: 2 * F, entries: 14 * F, spreadTicks: 1, coverage: 1, endReason: 'converged', lastTick: 5, hostCompletionTicks: [1, 1],
          series: {
            sent: [2 * F, 2 * F, 2 * F, 0, 0, 2 * F], delivered: [0, 2 * F, 2 * F, 2 * F, 0, 0], complete: [0, 2, 2, 0, 0, 2],
            coverage: [1 / 2, 1, 1, 0, 0, 1], live: [2, 2, 2, 0, 0, 2],
          },
        });
      });
    }
    it(`pull, F = ${F}: the pulls at 5 carry [h] only, complete again at 6`, () => {
      // Tick 0: each pulls F [h]. 1: each handles F pulls [o] (learns o: complete at 1), replies F
      // [h, o], pulls F [h]. 2: F replies (nothing new) and F pulls: F replies, F pulls. 3: 4F
      // dropped. 5: each pulls F [h]. 6: each handles F pulls [o], complete, replies F, pulls F.
      // sent 2F + 4F + 4F + 2F + 4F = 16F; delivered 2F + 4F + 4F + 2F = 12F (4F dropped);
      // entries: pulls 1 id, replies 2: 2F + 6F + 6F + 2F + 6F = 22F.
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'pull', view: 'full', fanout: F, crashes: [lose(crash)] }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 6, sent: 16 * F, delivered: 12 * F, processed: 8 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 4 * F,
        live: 2, inFlight: 4 * F, entries: 22 * F, spreadTicks: 1, coverage: 1, endReason: 'converged', lastTick: 6, hostCompletionTicks: [6, 6],
        series: {
          sent: [2 * F, 4 * F, 4 * F, 0, 0, 2 * F, 4 * F], delivered: [0, 2 * F, 4 * F, 4 * F, 0, 0, 2 * F], complete: [0, 2, 2, 0, 0, 0, 2],
          coverage: [1 / 2, 1, 1, 0, 0, 1 / 2, 1], live: [2, 2, 2, 0, 0, 2, 2],
        },
      });
      restartIdentities(r);
    });
    it(`push-pull, F = ${F}: as pull, but every message carries a log`, () => {
      // As pull with pushes for pulls: tick 0 F pushes [h] each; 1: F replies [h, o] and F pushes
      // [h, o] each; 2: the same; 3: 4F dropped; 5: F pushes [h]; 6: F replies, F pushes, 2 ids.
      // entries 2F + 8F + 8F + 2F + 8F = 28F.
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push-pull', view: 'full', fanout: F, crashes: [lose(crash)] }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 6, sent: 16 * F, delivered: 12 * F, processed: 8 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 4 * F,
        live: 2, inFlight: 4 * F, entries: 28 * F, spreadTicks: 1, coverage: 1, endReason: 'converged', lastTick: 6, hostCompletionTicks: [6, 6],
        series: {
          sent: [2 * F, 4 * F, 4 * F, 0, 0, 2 * F, 4 * F], delivered: [0, 2 * F, 4 * F, 4 * F, 0, 0, 2 * F], complete: [0, 2, 2, 0, 0, 0, 2],
          coverage: [1 / 2, 1, 1, 0, 0, 1 / 2, 1], live: [2, 2, 2, 0, 0, 2, 2],
        },
      });
      restartIdentities(r);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('messages sent before the crash carry the old set', () => {
  it('pull, view known, 3 hosts, latency 2: host 0 forgets everything at 4 for good, its tick-3 reply still completes host 1 at 5', () => {
    // L(0) = [0], L(1) = [1, 0], L(2) = [2, 0]; every message takes 2 ticks. Hosts 1 and 2 pull 0
    // (their only candidate) while they know {h, 0}; a pull carries [h]. Host 0's own pulls carry
    // [0] (nothing new for anyone) and go to a = choice at 2, b = choice at 3, among [1, 2].
    // 0, 1: 1->0 [1], 2->0 [2] (each tick). 2: host 0 handles the tick-0 pulls: 0->1 reply [0,1],
    //   0->2 reply [0,1,2] (complete at 2); pulls a. Hosts 1, 2 pull 0. 3: host 0 handles the tick-1
    //   pulls: replies [0,1,2] to 1 and to 2; pulls b. Hosts 1, 2 pull 0.
    // 4: host 0 gets [0] and is down for good: drops the two tick-2 pulls. Host 1: reply [0,1]
    //   (nothing new), a pull from 0 if a = 1 (replies [1,0]); pulls 0. Host 2: reply [0,1,2]:
    //   complete at 4; a pull from 0 if a = 2 (replies [2,0,1]); pulls someone.
    // 5: host 0 drops the two tick-3 pulls. Host 1 handles the reply host 0 sent at 3, before its
    //   crash: [0,1,2], what host 0 had then (it now has [0]); host 1 learns 2: complete at 5; a pull
    //   from 0 if b = 1 (replies [1,0,2]). Host 2: reply [0,1,2], a pull if b = 2 (reply [2,0,1]).
    //   Both steps pull. Live {1, 2} complete at 5 >= 4 (last crash tick): converged.
    // Host 0 never comes back and has lost its state: never complete again, null.
    // sent 2 + 2 + 5 + 5 + 3 + 3 = 20; delivered 2 + 2 + 5 + 5 = 14 (4 dropped); in flight the 6
    // of ticks 4 and 5. entries 2 + 2 + 8 + 9 + (a = 2 ? 5 : 4) + 5.
    // With keep, host 0 (down for good, sending nothing) keeps [0,1,2]: the same run, completion 2.
    for (const seed of [...SEEDS, 3, 4, 5, 6]) {
      const a = 1 + (hash(seed, PEER, 0, 2, 0) % 2);
      const crash: CrashInput = { at: 4, hosts: '0' };
      const r = oracleSimulate(membership({ hosts: 3, protocol: 'pull', latencyMin: 2, latencyMax: 2, seed, crashes: [lose(crash)] }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 5, sent: 20, delivered: 14, processed: 10, ignored: 0, lost: 0, partitioned: 0, dropped: 4, live: 2,
        inFlight: 6, entries: 30 + (a === 2 ? 1 : 0), spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 5, hostCompletionTicks: [null, 5, 4],
        series: {
          sent: [2, 2, 5, 5, 3, 3], delivered: [0, 0, 2, 2, 5, 5], complete: [0, 0, 1, 1, 1, 2],
          coverage: [5 / 9, 5 / 9, 7 / 9, 7 / 9, 5 / 6, 1], live: [3, 3, 3, 3, 2, 2],
        },
      });
      restartIdentities(r);
      const k = oracleSimulate(membership({ hosts: 3, protocol: 'pull', latencyMin: 2, latencyMax: 2, seed, crashes: [keep(crash)] }));
      expect(k).toEqual(withCompletion(r, [2, 5, 4]));
    }
  });
  it('push, view full, 2 hosts, latency 3: both reset at 6, back at 7, the pushes of tick 4 complete them at 7', () => {
    // 0 .. 2: 0->1 [0], 1->0 [1] (arriving 3 ticks later). 3: each learns the other (complete at 3),
    // pushes [h,o]; 4, 5 the same. 6: both reset to [h] and down: drop the pushes of tick 3. 7: both
    // up, they handle the pushes of tick 4, sent with the whole set: complete at 7, converged (held
    // until 7). In flight: the pushes of 5 and 7.
    // sent 2 * 7 = 14; delivered 2 (3) + 2 + 2 + 2 (6, dropped) + 2 = 10; entries 6 + 12 + 4 = 22.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', latencyMin: 3, latencyMax: 3, crashes: [lose({ at: 6, recover: 7, hosts: '0,1' })] }));
    expect(withoutLoad(r)).toEqual({
      converged: true, ticks: 7, sent: 14, delivered: 10, processed: 8, ignored: 0, lost: 0, partitioned: 0, dropped: 2, live: 2,
      inFlight: 4, entries: 22, spreadTicks: 3, coverage: 1, endReason: 'converged', lastTick: 7, hostCompletionTicks: [7, 7],
      series: {
        sent: [2, 2, 2, 2, 2, 2, 0, 2], delivered: [0, 0, 0, 2, 2, 2, 2, 2], complete: [0, 0, 0, 2, 2, 2, 0, 2],
        coverage: [1 / 2, 1 / 2, 1 / 2, 1, 1, 1, 0, 1], live: [2, 2, 2, 2, 2, 2, 0, 2],
      },
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('view known: a host that comes back knows itself and the seed again', () => {
  it('push, 2 hosts, the seed reset at 2 and back at 4: complete again at 4 (keep: 1)', () => {
    // L(0) = [0], L(1) = [1, 0] (complete at 0). 0: 1->0 F [1,0]. 1: host 0 learns 1 (complete at
    // 1), pushes F [0,1]; host 1 pushes F. 2: host 0 is reset to [0] and down: drops F. Host 1
    // handles F, pushes F. 3: host 0 drops F; host 1 pushes F. 4: host 0 up knowing only itself
    // handles the F pushes of 3: complete at 4, pushes F (its only candidate is 1 again); host 1
    // got nothing (host 0 sent nothing at 3), pushes F. Converged at 4 (held until 4).
    // sent 7F, delivered 5F, dropped 2F, in flight 2F, every message 2 ids.
    for (const F of [1, 2, 3]) {
      const crash: CrashInput = { at: 2, recover: 4, hosts: '0' };
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', fanout: F, crashes: [lose(crash)] }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 4, sent: 7 * F, delivered: 5 * F, processed: 3 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 2 * F, live: 2,
        inFlight: 2 * F, entries: 14 * F, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [4, 0],
        series: { sent: [F, 2 * F, F, F, 2 * F], delivered: [0, F, 2 * F, F, F], complete: [1, 2, 1, 1, 2], coverage: [3 / 4, 1, 1, 1, 1], live: [2, 2, 1, 1, 2] },
      });
      const k = oracleSimulate(membership({ hosts: 2, protocol: 'push', fanout: F, crashes: [keep(crash)] }));
      expect(k).toEqual(withCompletion(r, [1, 0]));
    }
  });
  it('push-pull, 2 hosts, the seed reset at 2 and back at 4: complete again at 4', () => {
    // 0: 1->0 [1,0]. 1: host 0 learns 1 (complete at 1), replies [0,1], pushes [0,1]; host 1 pushes.
    // 2: host 0 reset, down, drops 1. Host 1 handles the reply and the push (replies [1,0]), pushes.
    // 3: host 0 drops 2; host 1 pushes. 4: host 0 ([0]) handles the push of 3: complete at 4,
    // replies, pushes; host 1 pushes. sent 1 + 3 + 2 + 1 + 3 = 10, delivered 1 + 3 + 2 + 1 = 7.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'push-pull', crashes: [lose({ at: 2, recover: 4, hosts: '0' })] }));
    expect(withoutLoad(r)).toEqual({
      converged: true, ticks: 4, sent: 10, delivered: 7, processed: 4, ignored: 0, lost: 0, partitioned: 0, dropped: 3, live: 2,
      inFlight: 3, entries: 20, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [4, 0],
      series: { sent: [1, 3, 2, 1, 3], delivered: [0, 1, 3, 2, 1], complete: [1, 2, 1, 1, 2], coverage: [3 / 4, 1, 1, 1, 1], live: [2, 2, 1, 1, 2] },
    });
  });
  it('pull, 3 hosts, host 2 reset at 5 and back at 7: it completes at 7, 8 or 9 as host 1 happens to pull it', () => {
    // Without the crash (every choice that matters is forced): 0: 1->0 [1], 2->0 [2]. 1: host 0
    // learns 1 then 2 (complete at 1), replies [0,1] to 1 and [0,1,2] to 2. 2: host 2 learns 1
    // (complete at 2). 3: host 1 gets the reply [0,1,2] to its tick-1 pull (complete at 3).
    // With the crash: host 2 is [2, 0] from 5, down at 5 and 6 (it sends nothing then). At 7 it is
    // up: what arrives was sent at 6, a pull [0] from host 0 (nothing new) and a pull [1] from host
    // 1 if host 1, which knows everyone since 3, chose it at 6: candidate r % 2 of [0, 2],
    // r = rand(seed, PEER, 1, 6, 0). Then host 2 knows {2, 0, 1}: complete at 7. Else it pulls 0 (its
    // only candidate) at 7; at 8 it learns 1 if host 1 chose it at 7; else at 9 it gets host 0's
    // reply [0,1,2] to its pull of 7. Hosts 0 and 1 stay complete (1 and 3). Held until 7; converged
    // when host 2 is complete again. At the end of 7 with host 2 not complete yet the coverage
    // share drops to (3 + 3 + 2) / 9, with 2 of 3 live hosts complete.
    const seen = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const h1PicksHost2 = (t: number): boolean => hash(seed, PEER, 1, t, 0) % 2 === 1;
      const back = h1PicksHost2(6) ? 7 : h1PicksHost2(7) ? 8 : 9;
      seen.add(back);
      const crash: CrashInput = { at: 5, recover: 7, hosts: '2' };
      const r = oracleSimulate(membership({ hosts: 3, protocol: 'pull', seed, crashes: [lose(crash)] }));
      expect(r).toMatchObject({ converged: true, endReason: 'converged', ticks: back, lastTick: back, hostCompletionTicks: [1, 3, back], live: 3, spreadTicks: 0 });
      expect(r.series.live).toEqual([3, 3, 3, 3, 3, 2, 2, ...rep(back - 6, 3)]);
      expect(r.series.complete).toEqual([0, 1, 2, 3, 3, 2, 2, ...rep(back - 7, 2), 3]);
      expect(r.series.coverage).toEqual([5 / 9, 7 / 9, 8 / 9, 1, 1, 1, 1, ...rep(back - 7, 8 / 9), 1]);
      restartIdentities(r);
      // keep: host 2 is back complete at 7; converged at 7 with its first completion tick.
      const k = oracleSimulate(membership({ hosts: 3, protocol: 'pull', seed, crashes: [keep(crash)] }));
      expect(k).toMatchObject({ converged: true, lastTick: 7, hostCompletionTicks: [1, 3, 2] });
      // Up to tick 6 (host 2 still down) the two runs are the same.
      for (const key of ['sent', 'delivered', 'complete', 'coverage', 'live'] as const) expect(r.series[key].slice(0, 7)).toEqual(k.series[key].slice(0, 7));
    }
    expect([...seen].sort()).toEqual([7, 8, 9]);
  });
  it('pull, 4 hosts, hosts 1..3 reset at 5 and back at 7: every one pulls the seed and completes at 9', () => {
    // Without the crash: 0: h->0 [h] for h = 1, 2, 3. 1: host 0 learns 1, 2, 3 in that order
    // (complete at 1) and replies [0,1], [0,1,2], [0,1,2,3]. 2: host 3 complete; hosts 1 and 2 pulled
    // 0 again at 1, host 0 replies [0,1,2,3] at 2, so at 3 they are complete (a pull host 1 or 2 gets
    // teaches at most its sender, and 1 is not complete at 2: it only has [1,0] and maybe the
    // seed's [0]). Hosts 1..3 reset to [h, 0] at 5; down at 5 and 6 (they send nothing). At 7 what
    // reaches them is a pull [0] from the seed (nothing new); each pulls the seed, its only
    // candidate; at 8 the seed replies [0,1,2,3] to the three, and they pull it again; at 9 all three
    // are complete. Nobody learns anything earlier: hosts 1..3 only pull the seed until 9, and the
    // seed's pulls carry [0]. Held until 7; converged at 9.
    for (const seed of SEEDS) {
      const crash: CrashInput = { at: 5, recover: 7, hosts: '1..3' };
      const r = oracleSimulate(membership({ hosts: 4, protocol: 'pull', seed, crashes: [lose(crash)] }));
      expect(r).toMatchObject({ converged: true, ticks: 9, lastTick: 9, hostCompletionTicks: [1, 9, 9, 9], live: 4 });
      expect(r.series.live).toEqual([4, 4, 4, 4, 4, 1, 1, 4, 4, 4]);
      expect(r.series.complete).toEqual([0, 1, 2, 4, 4, 1, 1, 1, 1, 4]);
      // live {0} at 5, 6: 4 / (1 * 4); at 7 and 8: (4 + 2 + 2 + 2) / 16.
      expect(r.series.coverage.slice(3)).toEqual([1, 1, 1, 1, 10 / 16, 10 / 16, 1]);
      // Ticks 7, 8, 9: each of 1..3 sends one pull a tick (plus a reply to the seed's pull when
      // chosen at the tick before), and the seed one pull a tick, three replies at 8 and 9.
      expect(r.series.sent.slice(7)).toEqual([4 + 1, 4 + 3 + 1, 4 + 3 + 1]);
      restartIdentities(r);
      const k = oracleSimulate(membership({ hosts: 4, protocol: 'pull', seed, crashes: [keep(crash)] }));
      expect(k).toMatchObject({ converged: true, lastTick: 7, hostCompletionTicks: [1, 3, 3, 2] });
    }
  });
  it('push-pull, 4 hosts, hosts 1..3 reset at 5 and back at 7: the one the seed pushed at 6 completes at 7', () => {
    // Hosts 1..3 come back at 7 with [h, 0], as above; what reaches them was sent at 6 by the seed,
    // which knows everyone: one push [0,1,2,3] to x = candidate r % 3 of [1,2,3], r =
    // rand(seed, PEER, 0, 6, 0). So x is complete at 7 (it replies to the seed, and pushes to
    // candidate rand(seed, PEER, x, 7, 0) % 3 of the others). Every other y pushes [y, 0] to the seed
    // at 7 (forced). At 8 y completes if the seed pushed it at 7 or x did; else at 9 with the seed's
    // reply [0,1,2,3] to its push of 7.
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const x = 1 + (hash(seed, PEER, 0, 6, 0) % 3);
      const seedAt7 = 1 + (hash(seed, PEER, 0, 7, 0) % 3);
      const others = [0, 1, 2, 3].filter((h) => h !== x);
      const xAt7 = others[hash(seed, PEER, x, 7, 0) % 3]!;
      const expected: (number | null)[] = [1, 0, 0, 0];
      for (const y of [1, 2, 3]) expected[y] = y === x ? 7 : y === seedAt7 || y === xAt7 ? 8 : 9;
      const last = Math.max(...(expected as number[]));
      seen.add(expected.join(','));
      const r = oracleSimulate(membership({ hosts: 4, protocol: 'push-pull', seed, crashes: [lose({ at: 5, recover: 7, hosts: '1..3' })] }));
      expect(r.hostCompletionTicks.slice(1), `seed ${seed}`).toEqual(expected.slice(1));
      expect(r).toMatchObject({ converged: true, ticks: last, lastTick: last });
      expect(r.series.complete[7]).toBe(2);
      restartIdentities(r);
    }
    expect(seen.size).toBeGreaterThan(3);
  });
  it('push, 3 hosts, hosts 1 and 2 reset at 4 and back at 6: the host the seed pushes at 5 completes first', () => {
    // Back at 6 with [h, 0], hosts 1 and 2 push the seed (forced) until complete. The seed (complete,
    // kept) pushes [0,1,2] to x(t) = 1 + rand(seed, PEER, 0, t, 0) % 2. What was sent at 5 reaches
    // x(5) at 6: complete at 6. The other one, y, completes at 7 if x(6) = y or host x(5) pushed it
    // at 6 (candidate rand(seed, PEER, x, 6, 0) % 2 of [0, y]: 1 means y), else later; the run
    // converges when y is complete, and at 6 its share is (3 + 3 + 2) / 9.
    for (let seed = 1; seed <= 30; seed++) {
      const x5 = 1 + (hash(seed, PEER, 0, 5, 0) % 2);
      const y = 3 - x5;
      const atSeven = 1 + (hash(seed, PEER, 0, 6, 0) % 2) === y || hash(seed, PEER, x5, 6, 0) % 2 === 1;
      const r = oracleSimulate(membership({ hosts: 3, protocol: 'push', seed, crashes: [lose({ at: 4, recover: 6, hosts: '1,2' })] }));
      expect(r.hostCompletionTicks[x5], `seed ${seed}`).toBe(6);
      expect(r.series.coverage[6]).toBe(8 / 9);
      expect(r.series.complete[6]).toBe(2);
      if (atSeven) expect(r.hostCompletionTicks[y]).toBe(7);
      else expect(r.hostCompletionTicks[y]).toBeGreaterThan(7);
      expect(r).toMatchObject({ converged: true, lastTick: r.hostCompletionTicks[y] });
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('a host whose initial state is already complete loses nothing', () => {
  // DOCS reading: host 1 of N = 2 under view known starts with [1, 0], its log can only ever be
  // that, so losing its state changes nothing: it stays complete, completion tick 0.
  for (const protocol of ['push', 'pull', 'push-pull'] as const) {
    it(`${protocol}, 2 hosts, view known: host 1 reset at 2, back at 4, gives the keep result exactly`, () => {
      for (const F of [1, 2]) {
        const crash: CrashInput = { at: 2, recover: 4, hosts: '1' };
        const r = oracleSimulate(membership({ hosts: 2, protocol, fanout: F, crashes: [lose(crash)] }));
        expect(r).toEqual(oracleSimulate(membership({ hosts: 2, protocol, fanout: F, crashes: [keep(crash)] })));
        expect(r.hostCompletionTicks).toEqual([1, 0]);
      }
    });
  }
  it('one host: losing its state at 3 for good, the run has no live host and never converges', () => {
    const r = oracleSimulate(membership({ hosts: 1, protocol: 'push', maxTicks: 6, crashes: [lose({ at: 3, hosts: '0' })] }));
    // Held until 3; at 0 .. 2 the one host is complete (but the run may not end before 3); from 3
    // A(t) is empty, so it is not converged; max-ticks. Host 0 is still {0}: complete, tick 0.
    expect(r).toMatchObject({ endReason: 'max-ticks', lastTick: 6, converged: false, live: 0, coverage: 0, hostCompletionTicks: [0] });
  });
});

// ---------------------------------------------------------------------------------------------
describe('a crash without recover may lose state too', () => {
  it('pull, view known, 2 hosts: the seed loses its state at 3 for good; the live host converges, the seed is never complete', () => {
    // 0: 1->0 pull [1]. 1: host 0 learns 1 (complete at 1), replies [0,1], pulls 1 [0]; host 1
    // pulls 0. 2: host 0 handles the pull: replies [0,1], pulls [0]; host 1 handles the reply and
    // the pull (replies [1,0]), pulls. 3: host 0 is [0] and down for good: drops host 1's two
    // messages of 2; host 1 handles host 0's two of 2: replies, pulls. A(3) = {1} complete, held
    // until 3: converged at 3. Host 0 is not complete at the end: null (keep: 1).
    // sent 1 + 3 + 4 + 2 = 10; delivered 1 + 3 + 4 = 8; entries 1 + 4 + 6 + 3 = 14.
    const crash: CrashInput = { at: 3, hosts: '0' };
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'pull', crashes: [lose(crash)] }));
    expect(withoutLoad(r)).toEqual({
      converged: true, ticks: 3, sent: 10, delivered: 8, processed: 6, ignored: 0, lost: 0, partitioned: 0, dropped: 2, live: 1,
      inFlight: 2, entries: 14, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 3, hostCompletionTicks: [null, 0],
      series: { sent: [1, 3, 4, 2], delivered: [0, 1, 3, 4], complete: [1, 2, 2, 1], coverage: [3 / 4, 1, 1, 1], live: [2, 2, 2, 1] },
    });
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'pull', crashes: [keep(crash)] }))).toEqual(withCompletion(r, [1, 0]));
  });
  it('push, view full, 2 hosts: host 1 loses its state at 6 for good; held until 6, host 1 null', () => {
    // Converged at 1 without the crash; held until 6. 6: host 1 reset and down: drops host 0's push
    // of 5; host 0 handles host 1's push of 5 and pushes (in flight). A(6) = {0}: converged at 6.
    // sent 2 * 6 + 1 = 13; delivered 2 * 6 = 12 (1 dropped); entries 2 + 4 * 5 + 2 = 24.
    const crash: CrashInput = { at: 6, hosts: '1' };
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', crashes: [lose(crash)] }));
    expect(withoutLoad(r)).toEqual({
      converged: true, ticks: 6, sent: 13, delivered: 12, processed: 11, ignored: 0, lost: 0, partitioned: 0, dropped: 1, live: 1,
      inFlight: 1, entries: 24, spreadTicks: 1, coverage: 1, endReason: 'converged', lastTick: 6, hostCompletionTicks: [1, null],
      series: { sent: [2, 2, 2, 2, 2, 2, 1], delivered: [0, 2, 2, 2, 2, 2, 2], complete: [0, 2, 2, 2, 2, 2, 1], coverage: [1 / 2, 1, 1, 1, 1, 1, 1], live: [2, 2, 2, 2, 2, 2, 1] },
    });
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', crashes: [keep(crash)] }))).toEqual(withCompletion(r, [1, 1]));
  });
  it('a recover beyond --max-ticks: the host is still down and reset at the end, null', () => {
    // push view full 2 hosts, host 1 reset at 3, back at 50 > --max-ticks 8: held until 3 only;
    // A = {0} complete from 3: converged at 3 with host 1 null.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', maxTicks: 8, crashes: [lose({ at: 3, recover: 50, hosts: '1' })] }));
    expect(r).toMatchObject({ endReason: 'converged', lastTick: 3, live: 1, hostCompletionTicks: [1, null], series: { complete: [0, 2, 2, 1], live: [2, 2, 2, 1] } });
  });
});

// ---------------------------------------------------------------------------------------------
describe('tick 0, overlaps and repeated losses', () => {
  it('state "initial" at tick 0 gives exactly the keep result (forced cases and hashed ones)', () => {
    const cases: OracleInput[] = [
      membership({ hosts: 2, protocol: 'push', view: 'full', crashes: [{ at: 0, recover: 3, hosts: '1' }] }),
      membership({ hosts: 3, protocol: 'pull', crashes: [{ at: 0, recover: 4, hosts: '0' }] }),
      membership({ hosts: 3, protocol: 'push', maxTicks: 20, crashes: [{ at: 0, hosts: '2' }] }),
    ];
    // (Hosts 3 and 4 are down for good from tick 0: under view full nobody ever learns them, so these
    // runs end at --max-ticks 60.)
    for (const seed of SEEDS) {
      for (const protocol of ['push', 'pull', 'push-pull'] as const) {
        for (const view of ['known', 'full'] as const) {
          cases.push(membership({ hosts: 12, protocol, view, seed, fanout: 2, maxTicks: 60, latencyMin: 1, latencyMax: 3, loss: 0.1, crashes: [{ at: 0, recover: 5, fraction: 0.5 }, { at: 0, hosts: '3..4' }] }));
        }
      }
    }
    for (const cfg of cases) {
      const k = oracleSimulate({ ...cfg, crashes: cfg.crashes!.map(keep) });
      expect(oracleSimulate({ ...cfg, crashes: cfg.crashes!.map(lose) }), JSON.stringify(cfg)).toEqual(k);
      expect(oracleSimulate(cfg)).toEqual(k);
    }
  });
  it('a loss while already down is applied all the same: keep [2, 8) with initial [4, 6) reads as initial [2, 8)', () => {
    // push view full 2 hosts, host 1 down [2, 8) and reset (at 2 or at 4: it learns nothing while
    // down). 0: pushes [h]. 1: both complete, push [h, o]. 2: host 1 down: drops the push of 1;
    // host 0 handles host 1's push of 1. 3 .. 7: host 1 drops host 0's push of the tick before.
    // 8: host 1 ([1]) handles host 0's push of 7: complete at 8 (the later tick); pushes; host 0
    // pushes. Held until 8: converged at 8. sent 2 + 2 + 6 * 1 + 2 = 12; delivered 2 + 2 + 5 + 1
    // = 10 (6 dropped); entries 2 + 4 + 12 + 4 = 22.
    const expected = {
      converged: true, ticks: 8, sent: 12, delivered: 10, processed: 4, ignored: 0, lost: 0, partitioned: 0, dropped: 6, live: 2,
      inFlight: 2, entries: 22, spreadTicks: 1, coverage: 1, endReason: 'converged', lastTick: 8, hostCompletionTicks: [1, 8],
      series: {
        sent: [2, 2, 1, 1, 1, 1, 1, 1, 2], delivered: [0, 2, 2, 1, 1, 1, 1, 1, 1], complete: [0, 2, 1, 1, 1, 1, 1, 1, 2],
        coverage: [1 / 2, 1, 1, 1, 1, 1, 1, 1, 1], live: [2, 2, 1, 1, 1, 1, 1, 1, 2],
      },
    };
    const base = { hosts: 2, protocol: 'push' as const, view: 'full' as const };
    const overlap = oracleSimulate(membership({ ...base, crashes: [{ at: 2, recover: 8, hosts: '1' }, lose({ at: 4, recover: 6, hosts: '1' })] }));
    const whole = oracleSimulate(membership({ ...base, crashes: [lose({ at: 2, recover: 8, hosts: '1' })] }));
    expect(withoutLoad(whole)).toEqual(expected);
    expect(overlap).toEqual(whole);
    // keep both: the same messages (host 1 pushes [1,0] at 8 either way), host 1 complete since 1.
    const kept = oracleSimulate(membership({ ...base, crashes: [{ at: 2, recover: 8, hosts: '1' }, { at: 4, recover: 6, hosts: '1' }] }));
    expect(kept).toEqual(withCompletion(whole, [1, 1]));
  });
  it('two losses of one host: the completion tick is the one after the last; a later keep crash does not reset it', () => {
    // push view full 2 hosts. Host 1 reset at 2 (down 2, 3), complete again at 4 (handles host 0's
    // push of 3); reset at 6 (down 6, 7), complete again at 8. Converged at 8 (held until 8).
    // sent 2+2+1+1+2+2+1+1+2 = 14; delivered 2+2+1+1+2+2+1+1 = 12 (4 dropped); entries 26.
    const base = { hosts: 2, protocol: 'push' as const, view: 'full' as const };
    const twice = oracleSimulate(membership({ ...base, crashes: [lose({ at: 2, recover: 4, hosts: '1' }), lose({ at: 6, recover: 8, hosts: '1' })] }));
    expect(withoutLoad(twice)).toEqual({
      converged: true, ticks: 8, sent: 14, delivered: 12, processed: 8, ignored: 0, lost: 0, partitioned: 0, dropped: 4, live: 2,
      inFlight: 2, entries: 26, spreadTicks: 1, coverage: 1, endReason: 'converged', lastTick: 8, hostCompletionTicks: [1, 8],
      series: {
        sent: [2, 2, 1, 1, 2, 2, 1, 1, 2], delivered: [0, 2, 2, 1, 1, 2, 2, 1, 1], complete: [0, 2, 1, 1, 2, 2, 1, 1, 2],
        coverage: [1 / 2, 1, 1, 1, 1, 1, 1, 1, 1], live: [2, 2, 1, 1, 2, 2, 1, 1, 2],
      },
    });
    const thenKeep = oracleSimulate(membership({ ...base, crashes: [lose({ at: 2, recover: 4, hosts: '1' }), keep({ at: 6, recover: 8, hosts: '1' })] }));
    expect(thenKeep).toEqual(withCompletion(twice, [1, 4]));
    const keepThen = oracleSimulate(membership({ ...base, crashes: [keep({ at: 2, recover: 4, hosts: '1' }), lose({ at: 6, recover: 8, hosts: '1' })] }));
    expect(keepThen).toEqual(withCompletion(twice, [1, 8]));
  });
  it('a state-losing crash beyond --max-ticks changes nothing', () => {
    for (const protocol of ['push', 'pull', 'push-pull'] as const) {
      const cfg = membership({ hosts: 6, protocol, view: 'full', maxTicks: 10, seed: 3 });
      const a = oracleSimulate({ ...cfg, crashes: [lose({ at: 11, recover: 12, fraction: 1 })] });
      const b = oracleSimulate({ ...cfg, crashes: [keep({ at: 11, recover: 12, fraction: 1 })] });
      expect(a).toEqual(b);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('announce on 3 hosts (the worked trace of docs/semantics.md), latency 1', () => {
  // The fault-free trace: tick 0 1->0 [1], 2->0 [2]; 1: 0 appends 1 (0->1 [0,1]) and 2
  // (0->2 [0,1,2]), complete; 2: 1 appends 0 (1->0 [1,0]), 2 appends 0, 1 (2->0 [2,0],
  // 2->1 [2,0,1]), complete; 3: 0 ignores both, 1 appends 2 (1->2 [1,0,2]), complete: converged.
  // No choice is drawn (announce sends to the hosts it learns): every case holds for every seed.
  it('host 2 loses its state at 3 (back at 4): an old log in flight still teaches, and the wiped host handles messages again', () => {
    // 3: host 2 is reset to [2] (no longer complete) and down; nothing is delivered to it. 0
    // ignores 1->0 [1,0] and 2->0 [2,0]; 1 handles 2->1 [2,0,1], sent before the crash with the
    // old log: appends 2, complete at 3, sends 1->2 [1,0,2]. Live {0, 1}, both complete, but the
    // run is held until its last crash tick 4. 4: host 2 is up, does not start again, and, no
    // longer complete, handles 1->2 [1,0,2]: appends 1 (2->1 [2,1]) then 0 (2->0 [2,1,0]),
    // complete at 4: converged at 4.
    // sent 2+2+3+1+2 = 10; delivered 0+2+2+3+1 = 8; processed 2+2+1+1 = 6, ignored 2; entries
    // (1+1)+(2+3)+(2+2+3)+3+(2+3) = 22. Per host sent 0: 2, 1: 1+1+1 = 3, 2: 1+2+2 = 5; received
    // 0: 2+2 = 4, 1: 1+1 = 2, 2: 1+1 = 2; bytes 4 * ids: 0: 4 * 5 = 20, 1: 4 * (1+2+3) = 24,
    // 2: 4 * (1+2+3+2+3) = 44.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes: [lose({ at: 3, recover: 4, hosts: '2' })] }));
    expect(r).toEqual({
      converged: true, ticks: 4, sent: 10, delivered: 8, processed: 6, ignored: 2, lost: 0, partitioned: 0, dropped: 0,
      live: 3, inFlight: 2, entries: 22, spreadTicks: 2, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [1, 3, 4],
      series: { sent: [2, 2, 3, 1, 2], delivered: [0, 2, 2, 3, 1], complete: [0, 1, 2, 2, 3], coverage: [1 / 3, 5 / 9, 8 / 9, 1, 1], live: [3, 3, 3, 2, 3] },
      load: { sent: { p50: 3, p95: 5, max: 5 }, received: { p50: 2, p95: 4, max: 4 }, bytes: { p50: 24, p95: 44, max: 44 } },
    });
    faultIdentities(r);
    // keep: host 2 is still complete at 4 and ignores 1->2: sent 8, ignored 3, completion [1, 3, 2].
    const k = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes: [keep({ at: 3, recover: 4, hosts: '2' })] }));
    expect(withoutLoad(k)).toEqual({
      converged: true, ticks: 4, sent: 8, delivered: 8, processed: 5, ignored: 3, lost: 0, partitioned: 0, dropped: 0,
      live: 3, inFlight: 0, entries: 17, spreadTicks: 2, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [1, 3, 2],
      series: { sent: [2, 2, 3, 1, 0], delivered: [0, 2, 2, 3, 1], complete: [0, 1, 2, 2, 3], coverage: [1 / 3, 5 / 9, 8 / 9, 1, 1], live: [3, 3, 3, 2, 3] },
    });
  });
  it('the seed loses its state at 2 (back at 3): it relearns from the answers in flight and sends its new log', () => {
    // 2: host 0 is reset to [0] and down (nothing arrives for it). 1 appends 0 (1->0 [1,0]); 2
    // appends 0, 1 (2->0 [2,0], 2->1 [2,0,1]), complete. 3: host 0 is up and no longer complete:
    // it handles [1,0] (appends 1: 0->1 [0,1]) and [2,0] (appends 2: 0->2 [0,1,2]), complete at 3;
    // 1 handles [2,0,1] (appends 2: 1->2 [1,0,2]), complete at 3: converged at 3, the last crash tick.
    // sent 2+2+3+3 = 10, delivered 0+2+2+3 = 7, all processed; entries 2+5+7+8 = 22.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes: [lose({ at: 2, recover: 3, hosts: '0' })] }));
    expect(withoutLoad(r)).toEqual({
      converged: true, ticks: 3, sent: 10, delivered: 7, processed: 7, ignored: 0, lost: 0, partitioned: 0, dropped: 0,
      live: 3, inFlight: 3, entries: 22, spreadTicks: 2, coverage: 1, endReason: 'converged', lastTick: 3, hostCompletionTicks: [3, 3, 2],
      series: { sent: [2, 2, 3, 3], delivered: [0, 2, 2, 3], complete: [0, 1, 1, 3], coverage: [1 / 3, 5 / 9, 5 / 6, 1], live: [3, 3, 2, 3] },
    });
    faultIdentities(r);
  });
  it('losing state at tick 0, or beyond --max-ticks, changes nothing', () => {
    const cfg = membership({ hosts: 5, protocol: 'announce', maxTicks: 10 });
    for (const crash of [{ at: 0, recover: 2, hosts: '1..3' }, { at: 11, recover: 12, fraction: 1 }] as CrashInput[]) {
      expect(oracleSimulate({ ...cfg, crashes: [lose(crash)] })).toEqual(oracleSimulate({ ...cfg, crashes: [keep(crash)] }));
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('input checks', () => {
  it('keep, written out, is the default, for announce too', () => {
    for (const crash of [{ at: 0, hosts: '1' }, { at: 5, recover: 9, hosts: '0..2' }, { at: 2, fraction: 0.5 }, { at: 1000, hosts: '1' }] as CrashInput[]) {
      expect(oracleSimulate(membership({ hosts: 4, protocol: 'announce', crashes: [keep(crash)] }))).toEqual(oracleSimulate(membership({ hosts: 4, protocol: 'announce', crashes: [crash] })));
    }
  });
  it('rejects a state other than "keep" or "initial"', () => {
    for (const state of ['Initial', 'reset', '', null, 0]) {
      expect(() => oracleSimulate(membership({ hosts: 4, protocol: 'push', crashes: [{ at: 1, hosts: '1', state } as unknown as CrashInput] }))).toThrow(/state/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('properties on seeded random configurations with state-losing crashes', () => {
  const SAMPLE = 0x2e57a;
  const PROTOCOLS = ['push', 'pull', 'push-pull'] as const;
  function picker(i: number): { int: (lo: number, hi: number) => number; next: () => number } {
    let n = 0;
    const next = (): number => hash(SAMPLE, 0x1417, i, n++, 0);
    return { next, int: (lo, hi) => lo + (next() % (hi - lo + 1)) };
  }
  function config(i: number, withChurn: boolean): OracleInput {
    const { int, next } = picker(i);
    const hosts = int(1, 14);
    const crashes: CrashInput[] = range(int(1, 3), () => 0).map((): CrashInput => {
      const at = int(0, 8);
      const state = int(0, 2) === 0 ? 'keep' : 'initial';
      const base: CrashInput = int(0, 2) === 0 ? { at, state } : { at, recover: at + int(1, 8), state };
      if (int(0, 1) === 0) {
        const lo = int(0, hosts - 1);
        const hi = int(lo, hosts - 1);
        return { ...base, hosts: lo === hi ? String(lo) : `${lo}..${hi}` };
      }
      return { ...base, fraction: [0.2, 0.5, 0.9, 1][int(0, 3)]! };
    });
    const [latencyMin, latencyMax] = ([[1, 1], [2, 2], [1, 3], [1, 2]] as [number, number][])[int(0, 3)]!;
    const churn: ChurnInput | undefined = withChurn && int(0, 1) === 1 ? { at: int(0, 5), until: int(6, 15), leave: 0.2, join: 0.4 } : undefined;
    return membership({
      hosts, protocol: PROTOCOLS[i % 3]!, fanout: int(1, 3), view: int(0, 1) === 1 ? 'full' : 'known', latencyMin, latencyMax,
      loss: [0, 0, 0.1, 0.3][int(0, 3)]!, seed: next(), maxTicks: int(0, 3) === 0 ? int(0, 12) : 150, crashes,
      ...(churn === undefined ? {} : { churn }),
    });
  }
  /** Hosts crash i names, from the docs' rules (not the oracle's). */
  function names(cfg: OracleInput, i: number, h: number): boolean {
    const c = cfg.crashes![i]!;
    if (c.hosts !== undefined) {
      const [lo, hi] = c.hosts.split('..').map(Number) as [number, number | undefined];
      return h >= lo && h <= (hi ?? lo);
    }
    return hash(cfg.seed, CRASH, h, i, 0) < Math.floor(c.fraction! * TWO32);
  }
  const holdsAt = (cfg: OracleInput, i: number, h: number, t: number): boolean => {
    const c = cfg.crashes![i]!;
    return names(cfg, i, h) && c.at <= t && t < (c.recover ?? Infinity);
  };
  const downAt = (cfg: OracleInput, h: number, t: number): boolean => cfg.crashes!.some((_, i) => holdsAt(cfg, i, h, t));
  /** Whether a host's initial state is incomplete (everything but N = 1 and host 1 of N = 2 known). */
  const initialIncomplete = (cfg: OracleInput, h: number): boolean => !(cfg.hosts === 1 || (cfg.view === 'known' && cfg.hosts === 2 && h === 1));

  it('identities, coverage in [0, 1], and completion ticks that follow "complete without a break since", on 600 configurations', () => {
    let lossesSeen = 0;
    let nullAtEnd = 0;
    for (let i = 0; i < 600; i++) {
      const withChurn = i % 2 === 1;
      const cfg = config(i, withChurn);
      const where = JSON.stringify(cfg);
      const r = oracleSimulate(cfg);
      restartIdentities(r);
      for (let t = 0; t <= r.lastTick; t++) {
        expect(r.series.coverage[t]!, where).toBeGreaterThanOrEqual(0);
        expect(r.series.coverage[t]!, where).toBeLessThanOrEqual(1);
        expect(r.series.complete[t]!, where).toBeLessThanOrEqual(r.series.live[t]!);
      }
      for (let h = 0; h < cfg.hosts; h++) {
        const c = r.hostCompletionTicks[h]!;
        if (c !== null) expect(c, where).toBeLessThanOrEqual(r.lastTick);
        cfg.crashes!.forEach((crash, ci) => {
          if (crash.state !== 'initial' || !names(cfg, ci, h) || crash.at > r.lastTick || !initialIncomplete(cfg, h)) return;
          lossesSeen++;
          // At the end of its crash tick the host is down with its initial state: not complete, so
          // if it is complete at the end it became so after the crash tick.
          if (c !== null) expect(c, where).toBeGreaterThan(crash.at);
          // Still held by that crash at the end: it has learned nothing since, not complete.
          if (holdsAt(cfg, ci, h, r.lastTick)) {
            expect(c, where).toBeNull();
            nullAtEnd++;
          }
        });
      }
      if (!withChurn) {
        // Non-null exactly for the hosts complete at the end, seen on the live ones: the live hosts
        // with a completion tick are the live hosts complete at the end of lastTick.
        const liveDone = range(cfg.hosts, (h) => h).filter((h) => !downAt(cfg, h, r.lastTick) && r.hostCompletionTicks[h] !== null).length;
        expect(liveDone, where).toBe(r.series.complete[r.lastTick]);
      }
    }
    expect(lossesSeen).toBeGreaterThan(300);
    expect(nullAtEnd).toBeGreaterThan(50);
  });

  it('the state-losing run and the keep run agree until the first recovery of a host that lost its state', () => {
    let compared = 0;
    let neverBack = 0;
    for (let i = 0; i < 400; i++) {
      const cfg = config(i, false);
      const where = JSON.stringify(cfg);
      const r = oracleSimulate(cfg);
      const k = oracleSimulate({ ...cfg, crashes: cfg.crashes!.map(keep) });
      // Until T, every host that lost its state is still down since its loss: the live hosts, and
      // everything they send and receive, are the same in both runs.
      const T = Math.min(Infinity, ...cfg.crashes!.filter((c) => c.state === 'initial').map((c) => c.recover ?? Infinity));
      const upTo = Math.min(T, r.lastTick + 1, k.lastTick + 1);
      for (const key of ['sent', 'delivered', 'complete', 'coverage', 'live'] as const) expect(r.series[key].slice(0, upTo), where).toEqual(k.series[key].slice(0, upTo));
      // Before the first crash tick that loses anything the states are the same, down hosts too.
      const firstLoss = Math.min(Infinity, ...cfg.crashes!.filter((c) => c.state === 'initial' && c.at > 0).map((c) => c.at));
      if (k.spreadTicks !== null && k.spreadTicks < firstLoss) expect(r.spreadTicks, where).toBe(k.spreadTicks);
      if (T > Math.max(r.lastTick, k.lastTick)) {
        // No host that lost its state is ever back: only the completion ticks (and perhaps
        // spreadTicks, over every host) can differ, and a host never reset keeps its tick.
        neverBack++;
        expect({ ...r, hostCompletionTicks: null, spreadTicks: null }, where).toEqual({ ...k, hostCompletionTicks: null, spreadTicks: null });
        for (let h = 0; h < cfg.hosts; h++) {
          const reset = cfg.crashes!.some((c, ci) => c.state === 'initial' && c.at > 0 && c.at <= r.lastTick && names(cfg, ci, h));
          if (!reset || !initialIncomplete(cfg, h)) expect(r.hostCompletionTicks[h], where).toBe(k.hostCompletionTicks[h]);
        }
      }
      compared++;
    }
    expect(compared).toBe(400);
    expect(neverBack).toBeGreaterThan(50);
  });

  it('every crash at tick 0, or every state "keep": exactly the keep (default) result', () => {
    for (let i = 0; i < 200; i++) {
      const cfg = config(i, i % 2 === 1);
      const atZero = { ...cfg, crashes: cfg.crashes!.map((c) => ({ ...c, at: 0 })) };
      const plain = oracleSimulate({ ...atZero, crashes: atZero.crashes.map(({ state: _s, ...c }) => c) });
      expect(oracleSimulate({ ...atZero, crashes: atZero.crashes.map(lose) }), JSON.stringify(atZero)).toEqual(plain);
      expect(oracleSimulate({ ...cfg, crashes: cfg.crashes!.map(keep) })).toEqual(oracleSimulate({ ...cfg, crashes: cfg.crashes!.map(({ state: _s, ...c }) => c) }));
    }
  });

  it('100 hosts for 100 ticks with state-losing crashes run well under a second', () => {
    for (const protocol of PROTOCOLS) {
      const start = performance.now();
      const r = oracleSimulate(membership({
        hosts: 100, protocol, view: 'full', fanout: 2, latencyMin: 1, latencyMax: 3, loss: 0.1, maxTicks: 100, seed: 9,
        crashes: [lose({ at: 5, recover: 30, fraction: 0.3 }), lose({ at: 40, fraction: 0.1 }), lose({ at: 60, recover: 99, hosts: '0..9' })],
      }));
      const ms = performance.now() - start;
      expect(r.lastTick).toBeGreaterThanOrEqual(99);
      expect(ms).toBeLessThan(1000);
    }
  });
});
