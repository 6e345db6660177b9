// Hand-worked cases for crashes in the membership oracle (test/support/spec-oracle.ts: announce,
// push, pull, push-pull), derived by reasoning from docs/semantics.md "## Faults: crashes" (with
// "Order within a tick", the protocol sections, "Randomness", "How a run ends", "Metrics" and
// "Per-tick series"), not from the oracle's output. Most cases are chosen so that every peer choice
// is forced (N = 2, or N = 3 under view known while a host knows only the seed), so the expected
// values hold for every seed; where a case depends on a hash (fraction crashes, loss), the test
// computes that hash itself with the formula of "Randomness" (./support/fault-cases.ts) and works
// out the outcome from it.
//
// Notation: latency 1 and no loss unless said otherwise; `a->b [..]` is a message with its
// snapshot; F is the fanout; "hold until T" is the fault-timeline rule (no converged or stalled
// end before the run's last crash tick T).
//
// Reading taken for `ticks` (marked DOCS: in the oracle): the tick at which the last host became
// complete, i.e. the largest non-null hostCompletionTicks entry. Under crashes that can be below
// lastTick (a run whose live hosts were complete before its last crash tick converges at that tick).
import { describe, expect, it } from 'vitest';
import { oracleSimulate, type CrashInput, type OracleInput } from './support/spec-oracle.js';
import { CRASH, faultIdentities, hash, identities, LOSS, membership, PEER, range, rep, SEEDS, TWO32, withoutLoad } from './support/fault-cases.js';

// ---------------------------------------------------------------------------------------------
describe('no crashes: absent and [] are today\'s behaviour', () => {
  // docs/semantics.md "Worked trace" and "Worked examples" (latency 1, seed 1).
  const worked: [number, OracleInput['protocol'], number, number, number, number, number, number][] = [
    [1, 'announce', 0, 0, 0, 0, 0, 0],
    [2, 'announce', 3, 2, 2, 0, 5, 2],
    [3, 'announce', 8, 7, 5, 2, 17, 3],
    [100, 'announce', 9999, 5148, 5049, 99, 504999, 3],
    [100, 'push', 1799, 1699, 1699, 0, 105224, 17],
  ];
  for (const [hosts, protocol, sent, delivered, processed, ignored, entries, ticks] of worked) {
    it(`${hosts} hosts ${protocol} gives the documented numbers with crashes absent and []`, () => {
      const absent = oracleSimulate(membership({ hosts, protocol }));
      const empty = oracleSimulate(membership({ hosts, protocol, crashes: [] }));
      expect(empty).toEqual(absent);
      for (const r of [absent, empty]) {
        expect([r.sent, r.delivered, r.processed, r.ignored, r.entries, r.ticks]).toEqual([sent, delivered, processed, ignored, entries, ticks]);
        expect([r.lost, r.partitioned, r.endReason, r.lastTick]).toEqual([0, 0, 'converged', ticks]);
      }
    });
  }
  it('the 3-host announce trace in full, with crashes []', () => {
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes: [] }));
    expect(r).toMatchObject({ hostCompletionTicks: [1, 3, 2], spreadTicks: 2, inFlight: 1, coverage: 1 });
    expect(r.series).toEqual({ sent: [2, 2, 3, 1], delivered: [0, 2, 2, 3], complete: [0, 1, 2, 3], coverage: [3 / 9, 5 / 9, 8 / 9, 1], live: [3, 3, 3, 3] });
  });
  it('without crashes: dropped 0, live N and series.live N at every tick', () => {
    // "Metrics": dropped is 0 without crashes, live is N; "Per-tick series": live is N.
    for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
      for (const r of [oracleSimulate(membership({ hosts: 5, protocol })), oracleSimulate(membership({ hosts: 5, protocol, crashes: [] }))]) {
        expect(r.dropped).toBe(0);
        expect(r.live).toBe(5);
        expect(r.series.live).toEqual(rep(r.lastTick + 1, 5));
        expect(r.processed + r.ignored).toBe(r.delivered);
      }
    }
  });
  it('a crash entirely after --max-ticks changes nothing but adds dropped 0, live N and series.live', () => {
    // 2-host announce converges at tick 2 (trace). The crash at 10 is beyond --max-ticks 5, so the
    // run has no last crash tick (no at/recover <= 5): nothing is held, and nobody is ever down.
    const plain = oracleSimulate(membership({ hosts: 2, protocol: 'announce', maxTicks: 5 }));
    for (const crash of [{ at: 10, hosts: '1' }, { at: 6, recover: 9, hosts: '0,1' }, { at: 7, fraction: 1 }] as CrashInput[]) {
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', maxTicks: 5, crashes: [crash] }));
      expect(r).toEqual({ ...plain, dropped: 0, live: 2, series: { ...plain.series, live: [2, 2, 2] } });
      expect(r).toMatchObject({ endReason: 'converged', lastTick: 2, ticks: 2, sent: 3 });
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('announce: host 0 down from tick 0 for good', () => {
  // Tick 0: host 0 is down; every other host is up and starts: h->0 [h] (N - 1 sets, 1 entry each).
  // Tick 1: all N - 1 sets reach host 0, which is down: delivered and dropped, not handled, so host 0
  // sends nothing and nobody is brought in. Nothing is in flight; the last crash tick is 0 (the only
  // `at`), so rule 2 applies: stalled at tick 1. Every live host knows only itself: coverage
  // (N - 1) / ((N - 1) * N) = 1 / N. Host 0 knows itself, nobody else knows host 0: spreadTicks null.
  for (const N of [2, 3, 5, 10]) {
    it(`${N} hosts: stalled at tick 1, ${N - 1} sets dropped, nobody complete`, () => {
      for (const hosts of ['0', '0..0', '0,0']) {
        const r = oracleSimulate(membership({ hosts: N, protocol: 'announce', crashes: [{ at: 0, hosts }] }));
        expect(withoutLoad(r)).toEqual({
          converged: false, ticks: null, sent: N - 1, delivered: N - 1, processed: 0, ignored: 0, lost: 0, partitioned: 0,
          dropped: N - 1, live: N - 1, inFlight: 0, entries: N - 1, spreadTicks: null, coverage: 1 / N, endReason: 'stalled',
          lastTick: 1, hostCompletionTicks: rep(N, null as never),
          series: { sent: [N - 1, 0], delivered: [0, N - 1], complete: [0, 0], coverage: [1 / N, 1 / N], live: [N - 1, N - 1] },
        });
        faultIdentities(r);
      }
    });
  }
  it('--max-ticks 0: only tick 0 runs, ends max-ticks with the N - 1 sets in flight', () => {
    // Rule 1: the live hosts 1..N-1 are incomplete; rule 2: N - 1 sets in flight; rule 3: max-ticks.
    const r = oracleSimulate(membership({ hosts: 4, protocol: 'announce', maxTicks: 0, crashes: [{ at: 0, hosts: '0' }] }));
    expect(r).toMatchObject({ endReason: 'max-ticks', lastTick: 0, sent: 3, delivered: 0, dropped: 0, inFlight: 3, live: 3, coverage: 1 / 4 });
  });
  it('host 0 back at tick 5: nothing is left to bring anyone in, stalled at 5 (held until then)', () => {
    // Ticks 0 and 1 as above; ticks 2..4 nothing happens, but the last crash tick is 5 (recover), so
    // the run may not stall before 5. At 5 host 0 is up (its start sends nothing), no deliveries,
    // nothing in flight: stalled, with every host live.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes: [{ at: 0, recover: 5, hosts: '0' }] }));
    expect(r).toMatchObject({
      endReason: 'stalled', lastTick: 5, sent: 2, delivered: 2, dropped: 2, processed: 0, live: 3, coverage: 3 / 9,
      series: { sent: [2, 0, 0, 0, 0, 0], delivered: [0, 2, 0, 0, 0, 0], complete: rep(6, 0), live: [2, 2, 2, 2, 2, 3], coverage: [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 3 / 9] },
    });
    faultIdentities(r);
  });
});

// ---------------------------------------------------------------------------------------------
describe('announce: a non-seed host down from tick 0 starts at its recover tick', () => {
  it('2 hosts, host 1 back at R: the documented 2-host trace shifted by R', () => {
    // Tick 0: host 0 starts (sends nothing), host 1 is down and does not start: nothing in flight,
    // which without the crash would be a stall at tick 0; the run is held until R. Tick R: host 1's
    // start, 1->0 [1]. R + 1: host 0 appends 1, complete, 0->1 [0,1]. R + 2: host 1 appends 0,
    // complete, 1->0 [1,0] (in flight). Converged at R + 2.
    for (const R of [1, 2, 5, 17]) {
      for (const seed of SEEDS) {
        const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', seed, crashes: [{ at: 0, recover: R, hosts: '1' }] }));
        expect(withoutLoad(r)).toEqual({
          converged: true, ticks: R + 2, sent: 3, delivered: 2, processed: 2, ignored: 0, lost: 0, partitioned: 0, dropped: 0, live: 2,
          inFlight: 1, entries: 5, spreadTicks: R + 2, coverage: 1, endReason: 'converged', lastTick: R + 2, hostCompletionTicks: [R + 1, R + 2],
          series: {
            sent: [...rep(R, 0), 1, 1, 1],
            delivered: [...rep(R + 1, 0), 1, 1],
            complete: [...rep(R + 1, 0), 1, 2],
            // t < R: A = {0}, |K(0)| = 1: 1/2. R: (1 + 1)/4. R + 1: (2 + 1)/4. R + 2: 1.
            coverage: [...rep(R, 1 / 2), 1 / 2, 3 / 4, 1],
            live: [...rep(R, 1), 2, 2, 2],
          },
        });
      }
    }
  });
  it('3 hosts, host 2 back at R >= 4: 0 and 1 meet first, then 2 is brought in from its recover tick', () => {
    // Tick 0: 1->0 [1] (host 2 down, no start). 1: host 0 appends 1, 0->1 [0,1]. 2: host 1 appends
    // 0, 1->0 [1,0]. 3: host 0 merges [1,0], nothing new, no send. Nothing is in flight from here,
    // so without the crash the run would stall at 3; it is held until R. R: host 2 starts, 2->0 [2].
    // R + 1: host 0 appends 2 (complete, stops), 0->2 [0,1,2]. R + 2: host 2 appends 0 and 1:
    // 2->0 [2,0], 2->1 [2,0,1]; complete. R + 3: host 0 ignores [2,0] (stopped); host 1 appends 2,
    // 1->2 [1,0,2]; complete: converged.
    // sent 8, entries 1+2+2+1+3+2+3+3 = 17, delivered 7 (ticks 1, 2, 3, R+1, R+2: one each; R+3:
    // two), processed 6, ignored 1, in flight 1.
    for (const R of [4, 6, 11]) {
      const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes: [{ at: 0, recover: R, hosts: '2' }] }));
      const idle = R - 4; // ticks 4 .. R-1
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: R + 3, sent: 8, delivered: 7, processed: 6, ignored: 1, lost: 0, partitioned: 0, dropped: 0, live: 3,
        inFlight: 1, entries: 17, spreadTicks: R + 2, coverage: 1, endReason: 'converged', lastTick: R + 3, hostCompletionTicks: [R + 1, R + 3, R + 2],
        series: {
          sent: [1, 1, 1, 0, ...rep(idle, 0), 1, 1, 2, 1],
          delivered: [0, 1, 1, 1, ...rep(idle, 0), 0, 1, 1, 2],
          complete: [0, 0, 0, 0, ...rep(idle, 0), 0, 1, 2, 3],
          // Live {0, 1} before R: (1+1)/6, then (2+1)/6, (2+2)/6, ...; from R all three.
          coverage: [2 / 6, 3 / 6, 4 / 6, 4 / 6, ...rep(idle, 4 / 6), 5 / 9, 6 / 9, 8 / 9, 1],
          live: [...rep(R, 2), 3, 3, 3, 3],
        },
      });
    }
  });
  it('with loss, the delayed start draws its loss at its own tick R with index k = 0', () => {
    // 2 hosts, loss 0.5, host 1 down [0, R). R: 1->0 [1] is lost iff rand(seed, LOSS, 1, R, 0) <
    // floor(0.5 * 2^32); then nothing is in flight and the run stalls at R. Else R + 1: host 0 sends
    // 0->1 [0,1], lost iff rand(seed, LOSS, 0, R + 1, 0) is below; then it stalls at R + 1. Else
    // R + 2: host 1 completes and sends 1->0 [1,0] (lost or not): converged at R + 2.
    const R = 3;
    const thr = Math.floor(0.5 * TWO32);
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', loss: 0.5, seed, crashes: [{ at: 0, recover: R, hosts: '1' }] }));
      if (hash(seed, LOSS, 1, R, 0) < thr) {
        seen.add('first lost');
        expect(r).toMatchObject({ endReason: 'stalled', lastTick: R, sent: 1, lost: 1, delivered: 0, entries: 1, inFlight: 0 });
      } else if (hash(seed, LOSS, 0, R + 1, 0) < thr) {
        seen.add('second lost');
        expect(r).toMatchObject({ endReason: 'stalled', lastTick: R + 1, sent: 2, lost: 1, delivered: 1, processed: 1, entries: 3, hostCompletionTicks: [R + 1, null] });
      } else {
        seen.add('converged');
        const lastLost = hash(seed, LOSS, 1, R + 2, 0) < thr ? 1 : 0;
        expect(r).toMatchObject({ endReason: 'converged', lastTick: R + 2, ticks: R + 2, sent: 3, lost: lastLost, delivered: 2, inFlight: 1 - lastLost });
      }
      faultIdentities(r);
    }
    expect(seen.size).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------
describe('announce: crashes after the start', () => {
  it('host 1 down at tick 2 for good: the seed alone is live and complete, converged at 2', () => {
    // Tick 0: 1->0 [1]. 1: host 0 appends 1, complete, 0->1 [0,1]. 2: host 1 is down: that set is
    // dropped. Last crash tick 2: A(2) = {0}, complete: converged at 2. Host 1 never completes, so
    // the last host to complete is host 0 at tick 1: ticks 1 (DOCS: the largest completion tick).
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', crashes: [{ at: 2, hosts: '1' }] }));
    expect(withoutLoad(r)).toEqual({
      converged: true, ticks: 2, sent: 2, delivered: 2, processed: 1, ignored: 0, lost: 0, partitioned: 0, dropped: 1, live: 1,
      inFlight: 0, entries: 3, spreadTicks: null, coverage: 1, endReason: 'converged', lastTick: 2, hostCompletionTicks: [1, null],
      series: { sent: [1, 1, 0], delivered: [0, 1, 1], complete: [0, 1, 1], coverage: [1 / 2, 3 / 4, 1], live: [2, 2, 1] },
    });
  });
  it('host 1 down [2, 5): the seed\'s only set to it is dropped; held to 5, then stalled with host 1 incomplete', () => {
    // As above until tick 2. Ticks 2..4: A = {0}, complete, but held until 5. At 5 host 1 is back (it
    // started at tick 0 already: no second start) knowing only itself; nothing is in flight and
    // announce has no retries: stalled. Coverage at 5: (2 + 1) / 4.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', crashes: [{ at: 2, recover: 5, hosts: '1' }] }));
    expect(withoutLoad(r)).toEqual({
      converged: false, ticks: null, sent: 2, delivered: 2, processed: 1, ignored: 0, lost: 0, partitioned: 0, dropped: 1, live: 2,
      inFlight: 0, entries: 3, spreadTicks: null, coverage: 3 / 4, endReason: 'stalled', lastTick: 5, hostCompletionTicks: [1, null],
      series: {
        sent: [1, 1, 0, 0, 0, 0], delivered: [0, 1, 1, 0, 0, 0], complete: [0, 1, 1, 1, 1, 1],
        coverage: [1 / 2, 3 / 4, 1, 1, 1, 3 / 4], live: [2, 2, 1, 1, 1, 2],
      },
    });
  });
  it('a stopped host that is down drops its deliveries instead of ignoring them', () => {
    // The 3-host trace, with host 0 (complete and stopped since tick 1) down at tick 3 only. Its two
    // tick-3 sets (from 1 and 2), ignored in the trace, are dropped; host 1 still completes at 3.
    // Held until 4 (recover): 1->2 [1,0,2] reaches host 2 at 4, stopped: ignored. Converged at 4.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', crashes: [{ at: 3, recover: 4, hosts: '0' }] }));
    expect(r).toMatchObject({
      converged: true, ticks: 4, lastTick: 4, sent: 8, delivered: 8, processed: 5, ignored: 1, dropped: 2, inFlight: 0, entries: 17,
      hostCompletionTicks: [1, 3, 2], series: { live: [3, 3, 3, 2, 3], complete: [0, 1, 2, 2, 3], delivered: [0, 2, 2, 3, 1] },
    });
    faultIdentities(r);
  });
});

// ---------------------------------------------------------------------------------------------
describe('push: a host down mid-run that recovers', () => {
  it('view full, 2 hosts, host 1 down [1, 4): the seed completes alone, host 1 catches up at 4', () => {
    // View full, N = 2: every choice is the other host. Tick 0: 0->1 [0] and 1->0 [1] (F each).
    // 1: host 0 merges [1] (complete at 1), pushes F [0,1]; host 1 is down: drops host 0's F tick-0
    // pushes, and takes no step. 2, 3: host 1 drops F each; host 0 pushes F. Held until 4, though
    // A = {0} is complete from 1. 4: host 1 is up: the F pushes sent at 3 (while it was down) are
    // handled, it learns 0 (complete at 4), pushes F [1,0]; host 0 got nothing (host 1 sent nothing
    // at 3) and pushes F. Converged at 4.
    // sent 2F + 3F + 2F = 7F; delivered 2F + F + F + F = 5F, dropped 3F, processed 2F; in flight 2F;
    // entries 2F * 1 + 5F * 2 = 12F.
    for (const F of [1, 2, 3]) {
      for (const seed of SEEDS) {
        const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', fanout: F, seed, crashes: [{ at: 1, recover: 4, hosts: '1' }] }));
        expect(withoutLoad(r)).toEqual({
          converged: true, ticks: 4, sent: 7 * F, delivered: 5 * F, processed: 2 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 3 * F, live: 2,
          inFlight: 2 * F, entries: 12 * F, spreadTicks: 4, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [1, 4],
          series: {
            sent: [2 * F, F, F, F, 2 * F], delivered: [0, 2 * F, F, F, F], complete: [0, 1, 1, 1, 2],
            coverage: [1 / 2, 1, 1, 1, 1], live: [2, 1, 1, 1, 2],
          },
        });
      }
    }
  });
  it('view full, 2 hosts, host 1 down [0, R): its first step is at R, the seed completes at R + 1', () => {
    // Tick 0: host 0 pushes F [0]; host 1 is down (no step). 1 .. R-1: host 1 drops the F pushes of
    // the tick before; host 0 pushes F [0]. R: host 1 handles F [0] (complete at R), pushes F [1,0];
    // host 0 pushes F [0]. R + 1: host 0 merges [1,0] (complete), host 1 merges [0]: converged.
    // sent F(R + 2) + 2F; delivered F(R - 1) dropped + F + 2F; entries F(R + 1) + 2F + 2F + 2F.
    for (const R of [1, 3, 8]) {
      for (const F of [1, 2]) {
        const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', fanout: F, crashes: [{ at: 0, recover: R, hosts: '1' }] }));
        expect(withoutLoad(r)).toEqual({
          converged: true, ticks: R + 1, sent: F * (R + 4), delivered: F * (R + 2), processed: 3 * F, ignored: 0, lost: 0, partitioned: 0,
          dropped: F * (R - 1), live: 2, inFlight: 2 * F, entries: F * (R + 7), spreadTicks: R, coverage: 1, endReason: 'converged',
          lastTick: R + 1, hostCompletionTicks: [R + 1, R],
          series: {
            sent: [...rep(R, F), 2 * F, 2 * F], delivered: [0, ...rep(R - 1, F), F, 2 * F], complete: [...rep(R, 0), 1, 2],
            coverage: [...rep(R, 1 / 2), 3 / 4, 1], live: [...rep(R, 1), 2, 2],
          },
        });
      }
    }
  });
  it('two overlapping crashes of one host are one down window: [1, 3) and [2, 4) read as [1, 4)', () => {
    const one = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', fanout: 2, crashes: [{ at: 1, recover: 4, hosts: '1' }] }));
    const two = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', fanout: 2, crashes: [{ at: 1, recover: 3, hosts: '1' }, { at: 2, recover: 4, hosts: '1' }] }));
    expect(two).toEqual(one);
  });
});

// ---------------------------------------------------------------------------------------------
describe('push, view known: a permanent crash of a non-seed host', () => {
  it('2 hosts, host 1 down from tick 0: the seed never hears of it, max-ticks with nothing sent', () => {
    // K(0) = {0}: host 0 has no candidate and sends nothing; host 1 never steps. Periodic protocols
    // never stall: max-ticks. Coverage |K(0)| / (1 * 2).
    for (const seed of SEEDS) {
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', seed, maxTicks: 12, crashes: [{ at: 0, hosts: '1' }] }));
      expect(r).toMatchObject({ endReason: 'max-ticks', lastTick: 12, converged: false, ticks: null, sent: 0, delivered: 0, dropped: 0, live: 1, coverage: 1 / 2, hostCompletionTicks: [null, 0], spreadTicks: 0 });
      expect(r.series.live).toEqual(rep(13, 1));
    }
  });
  it('3 hosts, host 2 down from tick 0: nobody ever learns 2, so the live hosts never complete', () => {
    // Host 2 never sends, and its id is only in its own log: nobody learns it. Every choice is forced:
    // host 1's only candidate is 0, host 0's is 1 once it learned it. Tick 0: 1->0 F [1,0]. t >= 1:
    // 0->1 F [0,1] and 1->0 F [1,0]. Up to M: sent F + 2FM, delivered F + 2F(M - 1), in flight 2F,
    // entries 2 * sent, coverage (2 + 2) / (2 * 3) from tick 1 (tick 0: (1 + 2) / 6).
    const M = 15;
    for (const F of [1, 2]) {
      for (const seed of SEEDS) {
        const r = oracleSimulate(membership({ hosts: 3, protocol: 'push', fanout: F, seed, maxTicks: M, crashes: [{ at: 0, hosts: '2' }] }));
        expect(withoutLoad(r)).toEqual({
          converged: false, ticks: null, sent: F + 2 * F * M, delivered: F + 2 * F * (M - 1), processed: F + 2 * F * (M - 1), ignored: 0, lost: 0,
          partitioned: 0, dropped: 0, live: 2, inFlight: 2 * F, entries: 2 * (F + 2 * F * M), spreadTicks: 0, coverage: 4 / 6,
          endReason: 'max-ticks', lastTick: M, hostCompletionTicks: [null, null, null],
          series: {
            sent: [F, ...rep(M, 2 * F)], delivered: [0, F, ...rep(M - 1, 2 * F)], complete: rep(M + 1, 0),
            coverage: [3 / 6, ...rep(M, 4 / 6)], live: rep(M + 1, 2),
          },
        });
      }
    }
  });
  it('3 hosts, host 2 down from tick 2 for good: it announced itself first, so the live hosts converge', () => {
    // Tick 0: 1->0 F [1,0], 2->0 F [2,0] (host 0: no candidate). Tick 1: host 0 merges [1,0] then
    // [2,0]: complete at 1; it pushes F [0,1,2], each to 1 or 2 (candidate r % 2 of [1, 2],
    // r = rand(seed, PEER, 0, t, j)); hosts 1 and 2 push to 0 again. From tick 2 host 2 is down:
    // the seed's pushes to it are dropped. Host 1 completes at t* + 1, t* the first tick >= 1 at
    // which some choice of host 0 is host 1. Last crash tick 2 <= t* + 1 = T: converged at T.
    // Host 2 never learned 1: never complete.
    // sent: host 1 F(T + 1), host 2 2F, host 0 F T; the 2F of tick T (hosts 0 and 1) in flight.
    // entries: host 1 2F T + 3F (its tick-T pushes carry [1,0,2]), host 2 4F, host 0 3F T.
    // dropped: host 0's choices of host 2 at ticks 1 .. t*.
    for (const F of [1, 2]) {
      for (const seed of [...SEEDS, 3, 4, 5, 6, 8, 9, 10, 11]) {
        let tStar = 1;
        const choosesHost1 = (t: number): boolean => range(F, (j) => j).some((j) => hash(seed, PEER, 0, t, j) % 2 === 0);
        while (!choosesHost1(tStar)) tStar++;
        let toHost2 = 0;
        for (let t = 1; t <= tStar; t++) for (let j = 0; j < F; j++) if (hash(seed, PEER, 0, t, j) % 2 === 1) toHost2++;
        const T = tStar + 1;
        const r = oracleSimulate(membership({ hosts: 3, protocol: 'push', fanout: F, seed, crashes: [{ at: 2, hosts: '2' }] }));
        const sent = F * (2 * T + 3);
        expect(r).toMatchObject({
          converged: true, endReason: 'converged', lastTick: T, ticks: T, sent, delivered: sent - 2 * F, inFlight: 2 * F, dropped: toHost2,
          processed: sent - 2 * F - toHost2, ignored: 0, lost: 0, live: 2, entries: 2 * F * T + 3 * F + 4 * F + 3 * F * T,
          hostCompletionTicks: [1, T, null], coverage: 1, spreadTicks: 0,
        });
        expect(r.series.live).toEqual([3, 3, ...rep(T - 1, 2)]);
        faultIdentities(r);
      }
    }
  });
  it('the seed down from tick 0 for good: every host starts knowing it (view known)', () => {
    // 2 hosts: host 1 starts with [1, 0], complete at tick 0; A(0) = {1}; last crash tick 0:
    // converged at tick 0, its F pushes to 0 in flight. Host 0 never completes.
    const two = oracleSimulate(membership({ hosts: 2, protocol: 'push', fanout: 2, crashes: [{ at: 0, hosts: '0' }] }));
    expect(withoutLoad(two)).toEqual({
      converged: true, ticks: 0, sent: 2, delivered: 0, processed: 0, ignored: 0, lost: 0, partitioned: 0, dropped: 0, live: 1, inFlight: 2,
      entries: 4, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 0, hostCompletionTicks: [null, 0],
      series: { sent: [2], delivered: [0], complete: [1], coverage: [1], live: [1] },
    });
    // 3 hosts: hosts 1 and 2 know only {h, 0}, both push only to the down seed: every push is
    // dropped, nobody learns anything: max-ticks. Up to M: sent 2F(M + 1), all but the last tick's
    // 2F dropped.
    const M = 9;
    const F = 2;
    const three = oracleSimulate(membership({ hosts: 3, protocol: 'push', fanout: F, maxTicks: M, crashes: [{ at: 0, hosts: '0' }] }));
    expect(three).toMatchObject({
      endReason: 'max-ticks', lastTick: M, sent: 2 * F * (M + 1), delivered: 2 * F * M, dropped: 2 * F * M, processed: 0, inFlight: 2 * F,
      live: 2, coverage: 4 / 6, hostCompletionTicks: [null, null, null], series: { live: rep(M + 1, 2), complete: rep(M + 1, 0) },
    });
  });
});

// ---------------------------------------------------------------------------------------------
describe('pull and push-pull: forced 2-host cases under view known', () => {
  it('pull, the seed down [1, 3): host 1\'s pulls are dropped, the seed learns 1 at its recover tick', () => {
    // K(0) = {0}, K(1) = {1, 0} (complete at 0). Tick 0: 1->0 F pulls [1]. 1, 2: host 0 down drops
    // F each; host 1 pulls F. A = {1}, complete, but held until 3. 3: host 0 handles F pulls [1]:
    // learns 1 (complete at 3), replies F [0,1]; its step pulls F [0] from 1; host 1 pulls F.
    // Converged at 3. sent 6F, delivered 3F (2F dropped, F processed), in flight 3F;
    // entries 4F (host 1's pulls) + 2F (replies) + F (host 0's pulls).
    for (const F of [1, 3]) {
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'pull', fanout: F, crashes: [{ at: 1, recover: 3, hosts: '0' }] }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 3, sent: 6 * F, delivered: 3 * F, processed: F, ignored: 0, lost: 0, partitioned: 0, dropped: 2 * F, live: 2,
        inFlight: 3 * F, entries: 7 * F, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 3, hostCompletionTicks: [3, 0],
        series: { sent: [F, F, F, 3 * F], delivered: [0, F, F, F], complete: [1, 1, 1, 2], coverage: [3 / 4, 1, 1, 1], live: [2, 1, 1, 2] },
      });
    }
  });
  it('push-pull, host 1 down [1, 3): the seed\'s replies and pushes to it are dropped', () => {
    // Tick 0: 1->0 F pushes [1,0]. 1: host 0 merges (complete at 1), replies F [0,1], pushes F [0,1];
    // host 1 is down. 2: host 1 drops those 2F; host 0 pushes F. Held until 3. 3: host 1 handles
    // the F pushes (nothing new), replies F, pushes F; host 0 got nothing, pushes F. Converged at 3
    // with ticks 1 (the last completion; host 1 was complete from the start).
    // sent F + 2F + F + 3F = 7F; delivered F + 2F + F = 4F, dropped 2F; in flight 3F; 2 ids each.
    for (const F of [1, 2]) {
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push-pull', fanout: F, crashes: [{ at: 1, recover: 3, hosts: '1' }] }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 3, sent: 7 * F, delivered: 4 * F, processed: 2 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 2 * F, live: 2,
        inFlight: 3 * F, entries: 14 * F, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 3, hostCompletionTicks: [1, 0],
        series: { sent: [F, 2 * F, F, 3 * F], delivered: [0, F, 2 * F, F], complete: [1, 1, 1, 2], coverage: [3 / 4, 1, 1, 1], live: [2, 1, 1, 2] },
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('the fault timeline plays out', () => {
  it('push, view known, 2 hosts converged at tick 1; host 1 down [5, 30): the run goes on to 30', () => {
    // Without the crash: converged at 1 (host 1 complete from the start, host 0 at 1). With it, the
    // last crash tick is 30: the run may not end before. Ticks 1..4: 2F pushes each way (2 ids).
    // 5: host 1 down: drops host 0's F tick-4 pushes; host 0 handles host 1's tick-4 pushes (sent
    // before the crash, delivered as usual). 6..29: host 1 drops F each, host 0 receives nothing.
    // 30: host 1 handles host 0's F tick-29 pushes; both push: converged at 30.
    // sent F + 8F + 25F + 2F = 36F; delivered F + 6F + 2F + 24F + F = 34F; dropped 25F.
    for (const F of [1, 2]) {
      for (const seed of SEEDS) {
        const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', fanout: F, seed, crashes: [{ at: 5, recover: 30, hosts: '1' }] }));
        expect(withoutLoad(r)).toEqual({
          converged: true, ticks: 30, sent: 36 * F, delivered: 34 * F, processed: 9 * F, ignored: 0, lost: 0, partitioned: 0, dropped: 25 * F,
          live: 2, inFlight: 2 * F, entries: 72 * F, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 30, hostCompletionTicks: [1, 0],
          series: {
            sent: [F, ...rep(4, 2 * F), ...rep(25, F), 2 * F],
            delivered: [0, F, ...rep(3, 2 * F), 2 * F, ...rep(24, F), F],
            complete: [1, ...rep(4, 2), ...rep(25, 1), 2],
            coverage: [3 / 4, ...rep(30, 1)],
            live: [...rep(5, 2), ...rep(25, 1), 2],
          },
        });
      }
    }
  });
  it('a recover tick beyond --max-ticks does not hold the run: the last crash tick is then the at', () => {
    // Same run, --max-ticks 20: the recover 30 is above it, so the last crash tick is 5 (the at). At
    // the end of 5, A = {0} is complete: converged at 5 with host 1 down.
    // sent F + 8F + F = 10F; delivered F + 6F + 2F = 9F, dropped F (at 5); in flight F.
    const F = 2;
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', fanout: F, maxTicks: 20, crashes: [{ at: 5, recover: 30, hosts: '1' }] }));
    expect(r).toMatchObject({
      converged: true, endReason: 'converged', lastTick: 5, ticks: 5, sent: 10 * F, delivered: 9 * F, dropped: F, inFlight: F, live: 1,
      series: { live: [2, 2, 2, 2, 2, 1], complete: [1, 2, 2, 2, 2, 1] },
    });
    // A recover exactly at --max-ticks counts ("at most --max-ticks"): held to 29, where host 1 is
    // back and handles host 0's tick-28 pushes: converged at 29. With --max-ticks 28 the recover 29
    // is beyond it: the last crash tick is the at 5 again, converged at 5.
    const cut = oracleSimulate(membership({ hosts: 2, protocol: 'push', fanout: F, maxTicks: 29, crashes: [{ at: 5, recover: 29, hosts: '1' }] }));
    expect(cut).toMatchObject({ endReason: 'converged', lastTick: 29, live: 2 });
    const cut2 = oracleSimulate(membership({ hosts: 2, protocol: 'push', fanout: F, maxTicks: 28, crashes: [{ at: 5, recover: 29, hosts: '1' }] }));
    expect(cut2).toMatchObject({ endReason: 'converged', lastTick: 5 });
  });
  it('announce, 2 hosts, host 1 down from tick 50 for good: converged at 2 without it, held to 50', () => {
    // The 2-host trace: both complete at 2, 1->0 [1,0] in flight, ignored at 3 (host 0 stopped).
    // From 3 nothing is in flight, but the last crash tick is 50: neither converged nor stalled
    // before. At 50, A = {0}, complete: converged. ticks = lastTick = 50 (docs: "ticks" under crashes).
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'announce', crashes: [{ at: 50, hosts: '1' }] }));
    expect(r).toMatchObject({
      converged: true, endReason: 'converged', lastTick: 50, ticks: 50, sent: 3, delivered: 3, processed: 2, ignored: 1, dropped: 0, inFlight: 0,
      live: 1, hostCompletionTicks: [1, 2], coverage: 1,
    });
    expect(r.series.live).toEqual([...rep(50, 2), 1]);
    expect(r.series.complete).toEqual([0, 1, ...rep(48, 2), 1]);
    // Under --max-ticks 40 the at 50 is beyond it: no hold, converged at 2 as without the crash.
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'announce', maxTicks: 40, crashes: [{ at: 50, hosts: '1' }] }))).toMatchObject({ endReason: 'converged', lastTick: 2 });
    // --max-ticks 50 exactly: the at counts ("at most --max-ticks"), converged at 50.
    expect(oracleSimulate(membership({ hosts: 2, protocol: 'announce', maxTicks: 50, crashes: [{ at: 50, hosts: '1' }] }))).toMatchObject({ endReason: 'converged', lastTick: 50 });
  });
  it('nobody up: no convergence (A(t) must not be empty), coverage 0', () => {
    // 2 hosts, view full push, both down [0, 4): nothing happens; tick 4 both start stepping:
    // 0->1 [0], 1->0 [1]; tick 5 both complete: converged at 5.
    const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', crashes: [{ at: 0, recover: 4, fraction: 1 }] }));
    expect(r).toMatchObject({ endReason: 'converged', lastTick: 5, ticks: 5, sent: 4, delivered: 2, dropped: 0, hostCompletionTicks: [5, 5] });
    expect(r.series).toEqual({ sent: [0, 0, 0, 0, 2, 2], delivered: [0, 0, 0, 0, 0, 2], complete: [0, 0, 0, 0, 0, 2], coverage: [0, 0, 0, 0, 1 / 2, 1], live: [0, 0, 0, 0, 2, 2] });
    // 1 host down for good from 0: never live, never converged, though it is complete from the start.
    const one = oracleSimulate(membership({ hosts: 1, protocol: 'announce', maxTicks: 3, crashes: [{ at: 0, hosts: '0' }] }));
    expect(one).toMatchObject({ converged: false, endReason: 'stalled', lastTick: 0, live: 0, coverage: 0, hostCompletionTicks: [0], series: { live: [0], complete: [0], coverage: [0] } });
  });
});

// ---------------------------------------------------------------------------------------------
describe('fraction crashes: membership by rand(seed, CRASH, h, i, 0)', () => {
  it('announce, 3 hosts, two fraction crashes at tick 3 (indices 0 and 1), back at 5: outcome from the hashes', () => {
    // The 3-host trace runs unchanged to tick 2. D = the hosts of crash 0 (fraction f0, index 0) or
    // crash 1 (f1, index 1), down at ticks 3 and 4. Tick 3 deliveries: 1->0 [1,0] and 2->0 [2,0]
    // (host 0 stopped: ignored if up, dropped if down) and 2->1 [2,0,1]: if host 1 is down, dropped,
    // and host 1 never learns 2 (host 2 is stopped, and announce has no retries): stalled at 5 (held
    // until then). If up, host 1 completes at 3 and sends 1->2 [1,0,2], which reaches host 2 at 4:
    // dropped if host 2 is down, else ignored (stopped); converged at 5 (ticks 3).
    const seen = new Set<string>();
    for (const [f0, f1] of [[0.3, 0.3], [0.5, 0.1], [0.15, 0.6], [1, 0.5]] as [number, number][]) {
      for (let seed = 1; seed <= 60; seed++) {
        const down = [0, 1, 2].map((h) => hash(seed, CRASH, h, 0, 0) < Math.floor(f0 * TWO32) || hash(seed, CRASH, h, 1, 0) < Math.floor(f1 * TWO32));
        const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', seed, crashes: [{ at: 3, recover: 5, fraction: f0 }, { at: 3, recover: 5, fraction: f1 }] }));
        const [d0, d1, d2] = down as [boolean, boolean, boolean];
        seen.add(down.map(Number).join(''));
        const downCount = down.filter(Boolean).length;
        const done = [1, d1 ? null : 3, 2];
        expect(r).toMatchObject({
          endReason: d1 ? 'stalled' : 'converged', converged: !d1, lastTick: 5, ticks: d1 ? null : 5,
          sent: d1 ? 7 : 8, entries: d1 ? 14 : 17, delivered: d1 ? 7 : 8, processed: d1 ? 4 : 5,
          dropped: (d0 ? 2 : 0) + (d1 ? 1 : 0) + (!d1 && d2 ? 1 : 0), ignored: (d0 ? 0 : 2) + (!d1 && !d2 ? 1 : 0),
          inFlight: 0, live: 3, coverage: d1 ? 8 / 9 : 1, hostCompletionTicks: done,
        });
        expect(r.series.live).toEqual([3, 3, 3, 3 - downCount, 3 - downCount, 3]);
        expect(r.series.complete).toEqual(range(6, (t) => [0, 1, 2].filter((h) => !(down[h] && (t === 3 || t === 4)) && done[h] !== null && done[h]! <= t).length));
        faultIdentities(r);
      }
    }
    // The hashes spread: many different down sets were met, including none and all.
    expect(seen.size).toBeGreaterThanOrEqual(6);
    expect(seen).toContain('000');
    expect(seen).toContain('111');
  });
  it('fraction 1 takes every host; a crash\'s membership depends on its index', () => {
    const r = oracleSimulate(membership({ hosts: 4, protocol: 'push', maxTicks: 6, crashes: [{ at: 2, recover: 4, fraction: 1 }] }));
    expect(r.series.live).toEqual([4, 4, 0, 0, 4, 4, 4]);
    expect(r.series.coverage[2]).toBe(0);
    expect(r.series.complete[3]).toBe(0);
    // Crash i draws rand(seed, CRASH, h, i, 0): the same fraction as crash 0 and as crash 1 (after a
    // crash that never happens within the run) picks the hosts of the matching index.
    const N = 40;
    for (const seed of SEEDS) {
      for (const [list, i] of [[[{ at: 1, recover: 2, fraction: 0.4 }], 0], [[{ at: 9999, hosts: '0' }, { at: 1, recover: 2, fraction: 0.4 }], 1]] as [CrashInput[], number][]) {
        const q = oracleSimulate(membership({ hosts: N, protocol: 'push', view: 'full', seed, maxTicks: 3, crashes: list }));
        const expectedDown = range(N, (h) => h).filter((h) => hash(seed, CRASH, h, i, 0) < Math.floor(0.4 * TWO32)).length;
        expect(q.series.live).toEqual([N, N - expectedDown, N, N]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('identities on a seeded sample of random configurations with random crashes', () => {
  // A counter-based pick, as the simulator's own hash (no generator state, no engine code).
  const SAMPLE = 0x5eed;
  const PROTOCOLS: OracleInput['protocol'][] = ['announce', 'push', 'pull', 'push-pull'];
  function config(i: number): OracleInput {
    let n = 0;
    const next = (): number => hash(SAMPLE, 0x7e57, i, n++, 0);
    const int = (lo: number, hi: number): number => lo + (next() % (hi - lo + 1));
    const hosts = int(1, 16);
    const protocol = PROTOCOLS[i % 4]!;
    const periodic = protocol !== 'announce';
    const [latencyMin, latencyMax] = ([[1, 1], [2, 2], [1, 3], [1, 2]] as [number, number][])[int(0, 3)]!;
    const crashes: CrashInput[] = Array.from({ length: int(1, 3) }, (): CrashInput => {
      const at = int(0, 6);
      const recover = int(0, 2) === 0 ? null : at + int(1, 8);
      if (int(0, 1) === 0) {
        const lo = int(0, hosts - 1);
        const hi = int(lo, hosts - 1);
        return { at, recover, hosts: lo === hi ? String(lo) : `${lo}..${hi}` };
      }
      return { at, recover, fraction: [0.2, 0.5, 0.9, 1][int(0, 3)]! };
    });
    const partitions: OracleInput['partitions'] = int(0, 4) === 0 ? [{ at: int(0, 3), heal: int(0, 1) ? null : 6, groups: [{ fraction: 0.5 }] }] : [];
    return membership({
      hosts, protocol, fanout: periodic ? int(1, 3) : 1, view: periodic && int(0, 1) === 1 ? 'full' : 'known',
      latencyMin, latencyMax, loss: [0, 0, 0.1, 0.3][int(0, 3)]!, seed: next(), maxTicks: int(0, 3) === 0 ? int(0, 12) : 300,
      crashes, partitions,
    });
  }
  /** Down at t, computed here from the docs' rule, independently of the oracle. */
  function downAt(cfg: OracleInput, h: number, t: number): boolean {
    return cfg.crashes!.some((c, i) => {
      const recover = c.recover ?? Infinity;
      if (!(c.at <= t && t < recover)) return false;
      if (c.hosts !== undefined) {
        const [lo, hi] = c.hosts.split('..').map(Number) as [number, number | undefined];
        return h >= lo && h <= (hi ?? lo);
      }
      return hash(cfg.seed, CRASH, h, i, 0) < Math.floor(c.fraction! * TWO32);
    });
  }
  it('sent = delivered + lost + inFlight, processed + ignored + dropped = delivered, and the crash metrics, on 400 configurations', () => {
    const endings = new Set<string>();
    let droppedRuns = 0;
    for (let i = 0; i < 400; i++) {
      const cfg = config(i);
      const r = oracleSimulate(cfg);
      const where = JSON.stringify(cfg);
      identities({ ...r, ignored: r.ignored + r.dropped });
      faultIdentities(r);
      if (cfg.protocol !== 'announce') expect(r.ignored, where).toBe(0);
      expect(r.entries, where).toBeGreaterThanOrEqual(r.sent);
      if (cfg.loss === 0) expect(r.lost, where).toBe(r.partitioned);
      if (r.endReason === 'stalled') expect(r.inFlight, where).toBe(0);
      expect(r.converged, where).toBe(r.endReason === 'converged');
      expect(r.ticks !== null, where).toBe(r.converged);
      if (r.ticks !== null) expect(r.ticks, where).toBeLessThanOrEqual(r.lastTick);
      // Live hosts per tick, from the crash list alone.
      expect(r.series.live, where).toEqual(range(r.lastTick + 1, (t) => range(cfg.hosts, (h) => h).filter((h) => !downAt(cfg, h, t)).length));
      for (let t = 0; t <= r.lastTick; t++) expect(r.series.complete[t]!, where).toBeLessThanOrEqual(r.series.live[t]!);
      if (r.converged) expect(r.series.complete[r.lastTick], where).toBe(r.live);
      if (r.converged) expect(r.live, where).toBeGreaterThan(0);
      expect(r.coverage, where).toBe(r.series.coverage[r.lastTick]);
      // The timeline plays out: an ending other than max-ticks is at or after the last crash tick.
      const lastCrash = Math.max(-1, ...cfg.crashes!.flatMap((c) => [c.at, c.recover ?? -1]).filter((x) => x <= cfg.maxTicks));
      if (r.endReason !== 'max-ticks') expect(r.lastTick, where).toBeGreaterThanOrEqual(lastCrash);
      else expect(r.lastTick, where).toBe(cfg.maxTicks);
      endings.add(`${cfg.protocol} ${r.endReason}`);
      if (r.dropped > 0) droppedRuns++;
    }
    expect(droppedRuns).toBeGreaterThan(50);
    for (const e of ['announce converged', 'announce stalled', 'push converged', 'pull converged', 'push-pull converged', 'push max-ticks']) expect(endings).toContain(e);
  });
});

// ---------------------------------------------------------------------------------------------
describe('crash input checks', () => {
  const base = { hosts: 4, protocol: 'push' as const };
  const bad: [string, CrashInput][] = [
    ['both hosts and fraction', { at: 0, hosts: '1', fraction: 0.5 }],
    ['neither hosts nor fraction', { at: 0 }],
    ['recover not after at', { at: 3, recover: 3, hosts: '1' }],
    ['an id not below N', { at: 0, hosts: '4' }],
    ['fraction 0', { at: 0, fraction: 0 }],
    ['fraction above 1', { at: 0, fraction: 1.5 }],
    ['a negative at', { at: -1, hosts: '1' }],
    ['an empty host list', { at: 0, hosts: '' }],
  ];
  for (const [what, crash] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => oracleSimulate(membership({ ...base, crashes: [crash] }))).toThrow();
    });
  }
  it('accepts recover: null as never recovering', () => {
    const a = oracleSimulate(membership({ ...base, maxTicks: 8, crashes: [{ at: 2, recover: null, hosts: '3' }] }));
    const b = oracleSimulate(membership({ ...base, maxTicks: 8, crashes: [{ at: 2, hosts: '3' }] }));
    expect(a).toEqual(b);
  });
});
