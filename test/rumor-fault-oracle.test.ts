// Hand-worked cases for crashes and churn in the `rumor` oracle (test/support/rumor-oracle.ts),
// derived by reasoning from docs/semantics.md ("Faults: crashes", "Faults: churn", "Faults under
// `rumor`", the `rumor` section and its contact models, "How a rumor run ends", "Metrics",
// "Per-host load", "Randomness"), not from the oracle's output. Most cases use N = 2 under view
// `full` (each host's only peer is the other: c = r % 1 = 0) or N <= 3 under view `known` while a
// host has one candidate, so every peer choice is forced and the expected values hold for every
// seed; where a case depends on a hash (fraction crashes, churn draws), the test computes the hash
// itself with the formula of "Randomness".
//
// Notation: `a->b` is a contact (synchronous) or message (messages model); "hold until T" is the
// fault timeline (no converged or stalled end before the run's last fault tick T); c(x) is the
// counter; defaults are push, feedback, counter, k = 2, source 0, fanout 1, latency 1, no loss.
import { describe, expect, it } from 'vitest';
import {
  rumorOracle,
  rumorOracleCountedLoad,
  type ChurnInput,
  type CrashInput,
  type RumorContact,
  type RumorFeedback,
  type RumorMode,
  type RumorOracleInput,
  type RumorStop,
  type RumorView,
} from './support/rumor-oracle.js';
import { checkedRumor, HashGen, CHURN, CRASH, hash, rep, rumor, rumorIdentities, SEEDS, TWO32 } from './support/fault-cases.js';

const MODES: readonly RumorMode[] = ['push', 'pull', 'push-pull'];
const CONTACTS: readonly RumorContact[] = ['synchronous', 'messages'];
/** A full oracle input from a partial one; defaults as docs/semantics.md gives them. */
const input = rumor;
/** The oracle's result, checked against the identities every run satisfies. */
const check = checkedRumor;

// ---------------------------------------------------------------------------------------------
describe('no faults: crashes absent, [], and churn that is no churn at all give today\'s result', () => {
  const configs: (Partial<RumorOracleInput> & { hosts: number })[] = [
    { hosts: 40, mode: 'push-pull', seed: 7 },
    { hosts: 25, mode: 'push', feedback: 'blind', stop: 'coin', k: 3, sources: [3, 17] },
    { hosts: 30, mode: 'pull', contact: 'messages', latencyMin: 1, latencyMax: 3, loss: 0.1, seed: 99, fanout: 2 },
    { hosts: 20, mode: 'push-pull', contact: 'messages', k: 1, seed: 3, view: 'known', sources: 3 },
    { hosts: 12, mode: 'pull', view: 'known', maxTicks: 4 },
  ];
  for (const config of configs) {
    it(`${config.mode} ${config.contact ?? 'synchronous'} N = ${config.hosts}: dropped 0, live N, and [] / no-churn equal`, () => {
      const plain = check(input(config));
      expect(plain.dropped).toBe(0);
      expect(plain.live).toBe(config.hosts);
      expect(plain.series.live).toEqual(rep(plain.lastTick + 1, config.hosts));
      expect(check(input({ ...config, crashes: [] }))).toEqual(plain);
      // "Churn with leave = 0, join = 0 and no reserve is no churn at all (it holds no timeline
      // either): it gives the metrics of the run without churn", even with a late `at`/`until`.
      for (const churn of [{ at: 0, leave: 0 }, { at: 50, until: 60, leave: 0, join: 0, reserve: 0 }] as ChurnInput[]) {
        expect(check(input({ ...config, churn }))).toEqual(plain);
      }
    });
  }

  it('a crash entirely after --max-ticks changes nothing (no host down, no fault tick held)', () => {
    // Fault-free N = 2 synchronous push, blind, k = 1: t1 0->1 (necessary, recv(1) = 1), 0
    // counts and stops; t2 1->0 (unnecessary), 1 stops; converged at 2. --max-ticks 15 is below
    // every fault tick, so the run has no last fault tick.
    const base = { hosts: 2, feedback: 'blind' as const, k: 1, maxTicks: 15 };
    const plain = check(input(base));
    expect([plain.endReason, plain.lastTick, plain.sent]).toEqual(['converged', 2, 2]);
    for (const crash of [{ at: 20, hosts: '1' }, { at: 16, recover: 30, hosts: '0,1' }, { at: 40, fraction: 1 }] as CrashInput[]) {
      expect(check(input({ ...base, crashes: [crash] }))).toEqual(plain);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('synchronous model, N = 2 (each host\'s only peer is the other)', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: a crashed source that recovers knows the update at tick 0 and spreads it only after recovery`, () => {
      // Source 0 down at 0..2 (recover 3): hold until 3. recv(0) = 0 and 0 is hot even while down
      // ("Start": the initial state, down or not). t0: no contacts (live {1}, who does not know:
      // complete 0, coverage 0). t1, t2: 0 is down and makes no contact; 1 is not hot (push).
      // t3: 0->1 necessary, recv(1) = 3, c(0) = 0. t4: 0->1 and 1->0 unnecessary, c = 1 each.
      // t5: again, c = 2: both removed; no host hot: converged at 5.
      const r = check(input({ hosts: 2, seed, crashes: [{ at: 0, recover: 3, hosts: '0' }] }));
      expect(r.endReason).toBe('converged');
      expect(r.ticks).toBe(3);
      expect(r.lastTick).toBe(5);
      expect([r.sent, r.delivered, r.processed, r.dropped, r.lost, r.inFlight]).toEqual([5, 5, 5, 0, 0, 0]);
      expect(r.hostCompletionTicks).toEqual([0, 3]);
      expect(r.spreadTicks).toBe(3);
      expect(r.protocolMetrics).toMatchObject({ reached: 2, residue: 0, updates: 5, tAve: 3, tLast: 3 });
      expect(r.live).toBe(2);
      expect(r.series).toEqual({
        sent: [0, 0, 0, 1, 2, 2],
        delivered: [0, 0, 0, 1, 2, 2],
        complete: [0, 0, 0, 2, 2, 2],
        coverage: [0, 0, 0, 1, 1, 1],
        live: [1, 1, 1, 2, 2, 2],
      });
    });
  }

  it('a permanently crashed hot host does not keep the run going after the last fault tick (blind)', () => {
    // Blind, k = 2. t1: 0->1 necessary, recv(1) = 1, c(0) = 1. Crash of 0 at 2, for good (last
    // fault tick 2). t2: 0 makes no contact; 1->0 is dropped (sent, delivered, dropped); blind, it
    // counts: c(1) = 1. After t2, 0 is hot but down with no recover to come: it does not count as
    // hot; 1 is hot. t3: 1->0 dropped, c(1) = 2: removed. No host counts as hot: converged over
    // the live host 1, which knows.
    const r = check(input({ hosts: 2, feedback: 'blind', crashes: [{ at: 2, hosts: '0' }] }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(3);
    expect(r.ticks).toBe(1);
    expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([3, 3, 1, 2]);
    expect(r.protocolMetrics.updates).toBe(3);
    expect(r.live).toBe(1);
    expect(r.series).toEqual({
      sent: [0, 1, 1, 1], delivered: [0, 1, 1, 1], complete: [1, 2, 1, 1], coverage: [0.5, 1, 1, 1], live: [2, 2, 1, 1],
    });
  });

  it('with feedback, updates dropped at a down host are neither necessary nor unnecessary: the sender stays hot', () => {
    // Feedback, k = 2, crash of 0 at 2 for good. t1: 0->1 necessary (c(0) = 0, recv(1) = 1).
    // From t2 on, 1->0 every tick is dropped: no necessary and no unnecessary update, so c(1)
    // stays 0 and 1 is hot for ever: max-ticks at 10.
    const r = check(input({ hosts: 2, maxTicks: 10, crashes: [{ at: 2, hosts: '0' }] }));
    expect(r.endReason).toBe('max-ticks');
    expect(r.ticks).toBeNull();
    expect(r.lastTick).toBe(10);
    expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([10, 10, 1, 9]);
    expect(r.protocolMetrics.updates).toBe(10);
    expect(r.protocolMetrics.traffic).toBe(5);
    expect(r.coverage).toBe(1);
    expect(r.series.live).toEqual([2, 2, ...rep(9, 1)]);
    expect(r.series.delivered).toEqual([0, ...rep(10, 1)]);
  });

  it('a host down for the whole run is not live, and the run converges over the live hosts', () => {
    // Host 1 down from 0 for good (last fault tick 0). Blind, k = 1. t1: 0->1 dropped; blind, it
    // counts: 0 removed. No host hot: converged, every live host (0) knows. reached 1, residue 1/2;
    // ticks is the last recv over every host that received (0); tLast and tAve null (only the source).
    const r = check(input({ hosts: 2, feedback: 'blind', k: 1, crashes: [{ at: 0, hosts: '1' }] }));
    expect(r.endReason).toBe('converged');
    expect(r.ticks).toBe(0);
    expect(r.lastTick).toBe(1);
    expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([1, 1, 0, 1]);
    expect(r.protocolMetrics).toMatchObject({ reached: 1, residue: 0.5, updates: 1, traffic: 0.5, tAve: null, tLast: null });
    expect(r.hostCompletionTicks).toEqual([0, null]);
    expect(r.spreadTicks).toBeNull();
    expect(r.coverage).toBe(1);
    expect(r.live).toBe(1);
    expect(r.series).toEqual({ sent: [0, 1], delivered: [0, 1], complete: [1, 1], coverage: [1, 1], live: [1, 1] });
  });

  it('pull: a request to a down host is sent, delivered and dropped, and gets no reply', () => {
    // Pull, k = 1, source 0 down at 1 (recover 2). t1: 0 makes no contact; 1 requests 0: dropped.
    // t2: 0 requests 1 (not hot: no reply); 1 requests 0, which replies: necessary, recv(1) = 2,
    // c(0) = 0. t3: each requests the other and each replies: both unnecessary, both stop:
    // converged at 3.
    const i = input({ hosts: 2, mode: 'pull', k: 1, crashes: [{ at: 1, recover: 2, hosts: '0' }] });
    const r = check(i);
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(3);
    expect(r.ticks).toBe(2);
    expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([8, 8, 7, 1]);
    expect(r.protocolMetrics).toMatchObject({ requests: 5, updates: 3, feedback: 0 });
    expect(r.hostCompletionTicks).toEqual([0, 2]);
    expect(r.series).toEqual({
      sent: [0, 1, 3, 4], delivered: [0, 1, 3, 4], complete: [1, 0, 2, 2], coverage: [0.5, 0, 1, 1], live: [2, 1, 2, 2],
    });
    // "Per-host load": as counted, 0 sent requests at 2, 3 and
    // replies at 2, 3 (4); 1 sent requests at 1, 2, 3 and a reply at 3 (4). Received: 0 got the
    // dropped request, two requests and a reply (4); 1 got two requests and two replies (4).
    expect(r.load).toEqual(rumorOracleCountedLoad(i));
    expect(rumorOracleCountedLoad(i)).toEqual({ sent: { p50: 4, p95: 4, max: 4 }, received: { p50: 4, p95: 4, max: 4 }, bytes: { p50: 0, p95: 0, max: 0 } });
  });

  it('push-pull: updates to a down host are dropped with no reply, then the usual exchange', () => {
    // Push-pull, feedback, k = 1; host 1 down at 1..2 (recover 3). t1, t2: 0->1 update dropped
    // (neither: c(0) stays 0); 1 makes no contact. t3: 0->1 update necessary (recv(1) = 3), 1 was
    // not hot at the start, so no reply; 1 (not hot) requests 0, which replies: necessary too.
    // t4: 0->1 update and 1's reply, 1->0 update and 0's reply: all unnecessary; both stop.
    const r = check(input({ hosts: 2, mode: 'push-pull', k: 1, crashes: [{ at: 1, recover: 3, hosts: '1' }] }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(4);
    expect(r.ticks).toBe(3);
    expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([9, 9, 7, 2]);
    expect(r.protocolMetrics).toMatchObject({ updates: 8, requests: 1, traffic: 4 });
    expect(r.series).toEqual({
      sent: [0, 1, 1, 3, 4], delivered: [0, 1, 1, 3, 4], complete: [1, 1, 1, 2, 2], coverage: [0.5, 1, 1, 1, 1], live: [2, 1, 1, 2, 2],
    });
  });

  it('the fault timeline: no converged end before the last fault tick, and the bound --max-ticks sets', () => {
    // Fault-free, blind k = 1 converges at 2 (see above). A crash of host 1 at 10..11 (recover 12)
    // holds the run until 12: ticks 3..12 send nothing (rule 2 would end it at 3). At 12 every
    // host is up and knows: converged, ticks still 1.
    const r = check(input({ hosts: 2, feedback: 'blind', k: 1, crashes: [{ at: 10, recover: 12, hosts: '1' }] }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(12);
    expect(r.ticks).toBe(1);
    expect(r.sent).toBe(2);
    expect(r.series.sent).toEqual([0, 1, 1, ...rep(10, 0)]);
    expect(r.series.live).toEqual([...rep(10, 2), 1, 1, 2]);
    // --max-ticks 11: the recover tick 12 is beyond it, so the last fault tick is 10; at 10 host 1
    // is down and the live host 0 knows: converged at 10 with live 1.
    const m = check(input({ hosts: 2, feedback: 'blind', k: 1, maxTicks: 11, crashes: [{ at: 10, recover: 12, hosts: '1' }] }));
    expect([m.endReason, m.lastTick, m.live, m.ticks]).toEqual(['converged', 10, 1, 1]);
  });

  it('the fault timeline holds a stalled end too, and every host down gives stalled with live 0', () => {
    // Source 0 down from 1 for good; host 1 down at 2..4 (recover 5): last fault tick 5. Nothing
    // is ever sent (0 is down from tick 1, 1 is never hot). At 5: 0 is hot but down and nothing
    // recovers after 5, so no host counts as hot: stalled (1 is live and does not know).
    const r = check(input({ hosts: 2, crashes: [{ at: 1, hosts: '0' }, { at: 2, recover: 5, hosts: '1' }] }));
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(5);
    expect(r.sent).toBe(0);
    expect(r.live).toBe(1);
    expect(r.series).toEqual({
      sent: rep(6, 0), delivered: rep(6, 0), complete: [1, 0, 0, 0, 0, 0], coverage: [0.5, 0, 0, 0, 0, 0], live: [2, 1, 0, 0, 0, 1],
    });
    // A fraction 1 crash takes every host down (rand < floor(1 * 2^32) = 2^32 always): at tick 0
    // no host is live, the down hot source cannot come back: stalled "also when no host is live".
    const all = check(input({ hosts: 3, crashes: [{ at: 0, fraction: 1 }] }));
    expect([all.endReason, all.lastTick, all.live, all.coverage, all.sent]).toEqual(['stalled', 0, 0, 0, 0]);
    expect(all.series.complete).toEqual([0]);
    expect(all.protocolMetrics.reached).toBe(1);
  });

  it('a contact both cut by a partition and made to a down host is cut, not dropped', () => {
    // Partition {0} | {1} from 0 for ever; host 1 down for good. Blind, k = 1. t1: 0->1 is cut
    // (sent, lost, partitioned; never delivered, so not dropped); 0 stops. Converged over host 0.
    const r = check(input({
      hosts: 2, feedback: 'blind', k: 1, partitions: [{ at: 0, groups: [{ hosts: '0' }] }], crashes: [{ at: 0, hosts: '1' }],
    }));
    expect(r.endReason).toBe('converged');
    expect([r.sent, r.lost, r.partitioned, r.delivered, r.dropped]).toEqual([1, 1, 1, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('messages model, N = 2', () => {
  it('push, blind: an update dropped at a down host is no longer in flight, and the run stalls after the hold', () => {
    // Blind, k = 1; host 1 down at 1..2 (recover 3). t0: 0->1 update, 0 stops. t1: 1 is down: the
    // update is delivered and dropped. t2: nothing. t3: 1 is up; nobody hot, no update in flight:
    // stalled (held until 3).
    const r = check(input({ hosts: 2, contact: 'messages', feedback: 'blind', k: 1, crashes: [{ at: 1, recover: 3, hosts: '1' }] }));
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(3);
    expect([r.sent, r.delivered, r.processed, r.ignored, r.dropped, r.inFlight]).toEqual([1, 1, 0, 0, 1, 0]);
    expect(r.hostCompletionTicks).toEqual([0, null]);
    expect(r.series).toEqual({
      sent: [1, 0, 0, 0], delivered: [0, 1, 0, 0], complete: [1, 1, 1, 1], coverage: [0.5, 1, 1, 0.5], live: [2, 1, 1, 2],
    });
  });

  it('a message sent to a down host that is up again by its arrival is handled', () => {
    // Latency 2, blind k = 1; host 1 down at 0..1 (recover 2). t0: 0->1 update (arrives 2), 0
    // stops. t2: 1 is up, receives (recv(1) = 2), steps 1->0 (arrives 4), stops. t4: 0 handles it:
    // nothing in flight, nobody hot: converged.
    const r = check(input({
      hosts: 2, contact: 'messages', latencyMin: 2, latencyMax: 2, feedback: 'blind', k: 1, crashes: [{ at: 0, recover: 2, hosts: '1' }],
    }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(4);
    expect(r.ticks).toBe(2);
    expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([2, 2, 2, 0]);
    expect(r.hostCompletionTicks).toEqual([0, 2]);
    expect(r.series.live).toEqual([1, 1, 2, 2, 2]);
    expect(r.series.delivered).toEqual([0, 0, 1, 0, 1]);
  });

  it('push, blind k = 2: a hot host that goes down keeps its counter and takes no step', () => {
    // Host 0 down at 1..2 (recover 3). t0: 0->1, c(0) = 1. t1: 1 receives (recv 1), steps 1->0,
    // c(1) = 1. t2: 0 is down: 1's update is dropped; 1 steps 1->0, c(1) = 2: removed. t3: 0 is up,
    // handles 1's update (knew), steps 0->1 (still hot, c(0) = 1 kept), c(0) = 2: removed; an update
    // is in flight. t4: 1 handles it; nobody hot, nothing in flight: converged.
    const r = check(input({ hosts: 2, contact: 'messages', feedback: 'blind', crashes: [{ at: 1, recover: 3, hosts: '0' }] }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(4);
    expect(r.ticks).toBe(1);
    expect([r.sent, r.delivered, r.processed, r.dropped, r.inFlight]).toEqual([4, 4, 3, 1, 0]);
    expect(r.protocolMetrics).toMatchObject({ updates: 4, traffic: 2, feedback: 0 });
    expect(r.series).toEqual({
      sent: [1, 1, 1, 1, 0], delivered: [0, 1, 1, 1, 1], complete: [1, 1, 1, 2, 2], coverage: [0.5, 1, 1, 1, 1], live: [2, 1, 1, 2, 2],
    });
    // load: sent 0: t0, t3 (2); 1: t1, t2 (2). received: 0: t2 (dropped), t3 (2); 1: t1, t4 (2).
    expect(r.load).toEqual({ sent: { p50: 2, p95: 2, max: 2 }, received: { p50: 2, p95: 2, max: 2 }, bytes: { p50: 0, p95: 0, max: 0 } });
  });

  it('push with feedback: every update dropped, no feedback ever comes, the sender stays hot to max-ticks', () => {
    // Host 1 down from 1 for good. t0..t5: 0->1 each tick; each arrives at a down 1 and is dropped
    // (no receive, no feedback), so 0 gets no mark and never settles.
    const r = check(input({ hosts: 2, contact: 'messages', k: 1, maxTicks: 5, crashes: [{ at: 1, hosts: '1' }] }));
    expect(r.endReason).toBe('max-ticks');
    expect([r.sent, r.delivered, r.dropped, r.inFlight, r.protocolMetrics.feedback]).toEqual([6, 5, 5, 1, 0]);
    expect(r.series.live).toEqual([2, 1, 1, 1, 1, 1]);
  });

  it('pull with the source down at 0..1: the first request is dropped, max-ticks 3', () => {
    // Feedback, k = 1, host 0 down at 0, 1 (recover 2).
    //   t0: 1 requests 0.                                                          sent 1
    //   t1: 0 is down: the request is dropped. 1 requests 0.                       sent 1
    //   t2: 0 handles 1's request (hot): reply; steps a request to 1. 1 steps a request.
    //                                                                              sent 3
    //   t3: 0 handles 1's request: reply; steps a request. 1 handles 0's reply (recv 3, feedback
    //       new), then 0's request (hot now): reply; steps a request.             sent 5
    const r = check(input({ hosts: 2, mode: 'pull', contact: 'messages', k: 1, maxTicks: 3, crashes: [{ at: 0, recover: 2, hosts: '0' }] }));
    expect(r.endReason).toBe('max-ticks');
    expect([r.sent, r.delivered, r.processed, r.ignored, r.dropped, r.inFlight]).toEqual([10, 5, 4, 0, 1, 5]);
    expect(r.protocolMetrics).toMatchObject({ requests: 6, updates: 3, feedback: 1 });
    expect(r.hostCompletionTicks).toEqual([0, 3]);
    expect(r.series).toEqual({
      sent: [1, 1, 3, 5], delivered: [0, 1, 1, 3], complete: [0, 0, 1, 2], coverage: [0, 0, 0.5, 1], live: [1, 1, 2, 2],
    });
  });

  it('push-pull, blind: requests ignored and an update dropped; stalled with requests in flight', () => {
    // Blind, k = 1; host 1 down at 1 (recover 2).
    //   t0: 0 (hot) -> 1 update, 0 stops; 1 (not hot) requests 0.                  sent 2
    //   t1: 0 ignores 1's request (not hot), steps a request to 1; 1 is down: 0's update dropped.
    //                                                                              sent 1
    //   t2: 0 steps a request; 1 ignores 0's request, steps a request. Nobody hot, no update or
    //       reply in flight: stalled with 2 requests in flight.                     sent 2
    const r = check(input({ hosts: 2, mode: 'push-pull', contact: 'messages', feedback: 'blind', k: 1, crashes: [{ at: 1, recover: 2, hosts: '1' }] }));
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(2);
    expect([r.sent, r.delivered, r.processed, r.ignored, r.dropped, r.inFlight]).toEqual([5, 3, 0, 2, 1, 2]);
    expect(r.protocolMetrics).toMatchObject({ updates: 1, requests: 4, reached: 1 });
    expect(r.series).toEqual({
      sent: [2, 1, 2], delivered: [0, 2, 1], complete: [1, 1, 1], coverage: [0.5, 1, 0.5], live: [2, 1, 2],
    });
  });

  it('push with feedback: a `new` feedback dropped at a down host never resets its counter', () => {
    // Feedback, counter k = 1; host 0 down at 2 (recover 3).
    //   t0: 0->1 update.                                                           sent 1
    //   t1: 0 steps 0->1. 1 receives (recv 1): feedback new ->0; steps 1->0.         sent 3
    //   t2: 0 is down: 1's feedback new and update are dropped. 1 handles 0's update: feedback
    //       knew ->0; steps 1->0.                                                  sent 2
    //   t3: 0 handles feedback knew (unnecessary) and 1's update (feedback knew ->1); steps 0->1;
    //       settles: unnecessary only, c(0) = 1: removed. 1 steps 1->0.            sent 3
    //   t4: 0 handles 1's update (feedback knew ->1), no step. 1 handles feedback knew
    //       (unnecessary) and 0's update (feedback knew ->0), steps 1->0, removed. sent 3
    //   t5: 0 ignores 1's feedback, handles its update (feedback knew ->1); 1 ignores 0's feedback.
    //       Nobody hot, only a feedback in flight: converged.                      sent 1
    const r = check(input({ hosts: 2, contact: 'messages', k: 1, crashes: [{ at: 2, recover: 3, hosts: '0' }] }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(5);
    expect(r.ticks).toBe(1);
    expect([r.sent, r.delivered, r.processed, r.ignored, r.dropped, r.inFlight]).toEqual([13, 12, 8, 2, 2, 1]);
    expect(r.protocolMetrics).toMatchObject({ updates: 7, feedback: 6, requests: 0 });
    expect(r.series).toEqual({
      sent: [1, 3, 2, 3, 3, 1], delivered: [0, 1, 3, 2, 3, 3], complete: [1, 2, 1, 2, 2, 2], coverage: [0.5, 1, 1, 1, 1, 1], live: [2, 2, 1, 2, 2, 2],
    });
  });

  it('a lost message to a down host is lost, not dropped', () => {
    // Loss 1 (threshold 2^32: every message lost); host 1 down for good. t0: 0->1 lost, 0 stops
    // (blind). Nobody hot, nothing in flight: converged over host 0.
    const r = check(input({ hosts: 2, contact: 'messages', feedback: 'blind', k: 1, loss: 1, crashes: [{ at: 0, hosts: '1' }] }));
    expect([r.endReason, r.lastTick, r.sent, r.lost, r.delivered, r.dropped, r.live]).toEqual(['converged', 0, 1, 1, 0, 0, 1]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('view known: a dropped contact teaches nothing', () => {
  for (const seed of SEEDS) {
    it(`synchronous pull, N = 3, seed ${seed}: host 0 has no candidate after requests dropped at it`, () => {
      // K(0) = {0}, K(1) = {1, 0}, K(2) = {2, 0}; host 0 down at 1 (recover 2). t1: 1 and 2 request
      // 0: both dropped, so K(0) gains nothing. t2: 0 still has no candidate (no contact); 1 and 2
      // request 0, which replies to each: necessary, recv = 2. Had the dropped requests taught 0,
      // it would have made a request at 2 too.
      const r = check(input({ hosts: 3, mode: 'pull', view: 'known', seed, maxTicks: 2, crashes: [{ at: 1, recover: 2, hosts: '0' }] }));
      expect(r.endReason).toBe('max-ticks');
      expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([6, 6, 4, 2]);
      expect(r.protocolMetrics).toMatchObject({ requests: 4, updates: 2 });
      expect(r.hostCompletionTicks).toEqual([0, 2, 2]);
      expect(r.series).toEqual({
        sent: [0, 2, 4], delivered: [0, 2, 4], complete: [1, 0, 3], coverage: [1 / 3, 0, 1], live: [3, 2, 3],
      });
    });
  }

  it('messages push, sources 0 and 1: host 0 never learns host 1 from a dropped update (rule 2 ends it)', () => {
    // Blind, k = 1; host 0 down at 1 (recover 2). t0: 0 has no candidate; 1->0 update, 1 stops.
    // t1: 0 is down: dropped, learns nothing. t2: 0 is up, hot, still with no candidate: nothing
    // sent, nothing in flight, no down host: rule 2, converged (both know).
    const r = check(input({
      hosts: 2, view: 'known', contact: 'messages', sources: [0, 1], feedback: 'blind', k: 1, crashes: [{ at: 1, recover: 2, hosts: '0' }],
    }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(2);
    expect([r.sent, r.delivered, r.dropped, r.processed]).toEqual([1, 1, 1, 0]);
    expect(r.series.sent).toEqual([1, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('churn', () => {
  it('join > 0 for ever keeps a down hot host counting as hot (to max-ticks); until bounds it', () => {
    // Source 0 down from 1 for good. Churn with leave 0 (nobody ever leaves) and join 0.5 for ever:
    // "churn with join > 0 acts at a tick in t + 1 .. --max-ticks" at every t < 6, so the down hot
    // host 0 counts as hot: rule 1 does not fire, rule 2 does not apply. At t = 6 = --max-ticks no
    // tick is left in 7 .. 6, so 0 no longer counts: rule 1 (checked before rule 4) ends the run
    // stalled at 6, not max-ticks.
    const crashes: CrashInput[] = [{ at: 1, hosts: '0' }];
    const forever = check(input({ hosts: 2, maxTicks: 6, crashes, churn: { at: 0, leave: 0, join: 0.5 } }));
    expect([forever.endReason, forever.lastTick, forever.sent, forever.live]).toEqual(['stalled', 6, 0, 1]);
    // Without churn: last fault tick 1, and at 1 nothing can bring 0 back: stalled at 1.
    const none = check(input({ hosts: 2, maxTicks: 6, crashes }));
    expect([none.endReason, none.lastTick]).toEqual(['stalled', 1]);
    // Churn until 4 acts at 0..3: last fault tick 4 (its until); at 4 churn acts at no later tick.
    const bounded = check(input({ hosts: 2, maxTicks: 6, crashes, churn: { at: 0, until: 4, leave: 0, join: 0.5 } }));
    expect([bounded.endReason, bounded.lastTick]).toEqual(['stalled', 4]);
  });

  it('a reserved host is down until it joins, then it is reached; updates to it before are dropped', () => {
    // N = 2, reserve 1: host 1 has left from tick 0. Churn at 2, leave 0, join 1: at tick 2 host 1
    // draws its join, rand < floor(1 * 2^32) always: up from 2; host 0 draws leave, never (0).
    // Hold until 2. t1: 0->1 dropped (neither; c(0) = 0). t2: 0->1 necessary, recv(1) = 2. t3, t4:
    // both unnecessary; both stop at 4: converged.
    const r = check(input({ hosts: 2, churn: { at: 2, leave: 0, join: 1, reserve: 1 } }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(4);
    expect(r.ticks).toBe(2);
    expect([r.sent, r.delivered, r.processed, r.dropped]).toEqual([6, 6, 5, 1]);
    expect(r.hostCompletionTicks).toEqual([0, 2]);
    expect(r.spreadTicks).toBe(2);
    expect(r.series).toEqual({
      sent: [0, 1, 1, 2, 2], delivered: [0, 1, 1, 2, 2], complete: [1, 1, 2, 2, 2], coverage: [1, 1, 1, 1, 1], live: [1, 1, 2, 2, 2],
    });
  });

  it('a reserved source knows the update at tick 0 and spreads it once it joins', () => {
    // Source 1 is reserved (recv(1) = 0, hot, down). Churn at 3, join 1. t1, t2: nothing (1 is down,
    // 0 not hot). t3: 1 joins; 1->0 necessary, recv(0) = 3; blind k = 1: 1 stops. t4: 0 (hot since
    // 3) -> 1 unnecessary; blind: 0 stops. Converged at 4.
    const r = check(input({ hosts: 2, sources: [1], feedback: 'blind', k: 1, churn: { at: 3, leave: 0, join: 1, reserve: 1 } }));
    expect(r.endReason).toBe('converged');
    expect(r.lastTick).toBe(4);
    expect(r.ticks).toBe(3);
    expect(r.sent).toBe(2);
    expect(r.hostCompletionTicks).toEqual([3, 0]);
    expect(r.protocolMetrics).toMatchObject({ reached: 2, tAve: 3, tLast: 3 });
    expect(r.series).toEqual({
      sent: [0, 0, 0, 1, 1], delivered: [0, 0, 0, 1, 1], complete: [0, 0, 0, 2, 2], coverage: [0, 0, 0, 1, 1], live: [1, 1, 1, 2, 2],
    });
  });

  it('a reserved host that never joins is never live (join 0 is still churn when there is a reserve)', () => {
    // leave 0, join 0, reserve 1 is not "no churn at all": host 1 is away for the whole run.
    // Blind k = 1: t1 0->1 dropped, 0 stops: converged over host 0.
    const r = check(input({ hosts: 2, feedback: 'blind', k: 1, churn: { at: 0, leave: 0, reserve: 1 } }));
    expect([r.endReason, r.lastTick, r.sent, r.dropped, r.live, r.ticks]).toEqual(['converged', 1, 1, 1, 1, 0]);
    expect(r.series.live).toEqual([1, 1]);
    expect(r.hostCompletionTicks).toEqual([0, null]);
  });

  it('leave 1 from tick 2: every up host leaves and is down at that very tick', () => {
    // Push-pull so that every up host contacts every tick. Churn at 2, leave 1 (every up host
    // leaves at 2, rand < 2^32), join 0: from 2 on nobody is live. Last fault tick 2. t1: 0->1
    // update necessary (recv(1) = 1), 1 requests 0, 0 replies (necessary). At 2 nobody contacts;
    // the hot hosts are down and nothing brings them back (join 0): stalled with live 0.
    const r = check(input({ hosts: 2, mode: 'push-pull', churn: { at: 2, leave: 1 } }));
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(2);
    expect(r.series.live).toEqual([2, 2, 0]);
    expect(r.series.sent).toEqual([0, 3, 0]);
    expect([r.live, r.coverage]).toEqual([0, 0]);
  });

  it('churn draws follow "Faults: churn" tick by tick (hash worked here), with a crash holding some hosts', () => {
    // N = 12, seed 5; churn at 1 until 7, leave 0.3, join 0.4, reserve 2; crash of 2..3 at 2..4.
    // Worked out here from the rules: crashes first, then a host that has left draws only c = 1,
    // any other up host only c = 0, a crash-held host that has not left draws nothing.
    const N = 12;
    const seed = 5;
    const maxTicks = 12;
    const leaveT = Math.floor(0.3 * TWO32);
    const joinT = Math.floor(0.4 * TWO32);
    const left = Array.from({ length: N }, (_, h) => h >= N - 2);
    const expectedLive: number[] = [];
    for (let t = 0; t <= maxTicks; t++) {
      const crashed = (h: number): boolean => (h === 2 || h === 3) && t >= 2 && t < 5;
      if (t >= 1 && t < 7) {
        for (let h = 0; h < N; h++) {
          if (left[h]) left[h] = !(hash(seed, CHURN, h, t, 1) < joinT);
          else if (!crashed(h)) left[h] = hash(seed, CHURN, h, t, 0) < leaveT;
        }
      }
      expectedLive.push(left.filter((l, h) => !l && !crashed(h)).length);
    }
    // Pull under view full with fanout 1 and k = 1000: hosts never lose interest, so the run goes
    // to max-ticks and the series covers every tick.
    const r = check(input({
      hosts: N, seed, mode: 'pull', k: 1000, maxTicks, churn: { at: 1, until: 7, leave: 0.3, join: 0.4, reserve: 2 },
      crashes: [{ at: 2, recover: 5, hosts: '2..3' }],
    }));
    expect(r.endReason).toBe('max-ticks');
    expect(r.series.live).toEqual(expectedLive);
    // Every up host makes one request per tick (t >= 1), so each tick sends at least live requests.
    for (let t = 1; t <= maxTicks; t++) expect(r.series.sent[t]!).toBeGreaterThanOrEqual(expectedLive[t]!);
    expect(expectedLive.some((x) => x < N - 2)).toBe(true); // the case does exercise leaves
  });
});

// ---------------------------------------------------------------------------------------------
describe('fraction crashes, one host, validation', () => {
  it('a fraction crash takes down exactly the hosts whose CRASH hash is below floor(f * 2^32), with index i', () => {
    const N = 30;
    for (const seed of [1, 9, 4242]) {
      // Crash 0 (hosts "29", never met below) and crash 1 (fraction 0.4, index i = 1) from tick 0.
      const downs = Array.from({ length: N }, (_, h) => h === 29 || hash(seed, CRASH, h, 1, 0) < Math.floor(0.4 * TWO32));
      const live = downs.filter((d) => !d).length;
      const r = check(input({ hosts: N, seed, mode: 'pull', k: 1000, maxTicks: 3, crashes: [{ at: 0, hosts: '29' }, { at: 0, fraction: 0.4 }] }));
      expect(r.series.live).toEqual(rep(4, live));
      // Pull: each live host requests once per tick; requests to the down ones are dropped, and
      // no down host sends anything.
      expect(r.series.sent[0]).toBe(0);
      expect(r.protocolMetrics.requests).toBe(3 * live);
      expect(live).toBeGreaterThan(0);
      expect(live).toBeLessThan(N - 1);
    }
  });

  it('one host: held to the last fault tick, then rule 2; down for good: rule 1 stalls it before rule 3', () => {
    // N = 1, host 0 down at 3..4: held until 5; at 5 it is up, hot, sends nothing: rule 2, converged.
    const a = check(input({ hosts: 1, crashes: [{ at: 3, recover: 5, hosts: '0' }] }));
    expect([a.endReason, a.lastTick, a.live, a.ticks]).toEqual(['converged', 5, 1, 0]);
    expect(a.series.live).toEqual([1, 1, 1, 0, 0, 1]);
    // Down from 0 for good: at 0 the hot host is down and cannot come back; rule 1 (first) stalls.
    const b = check(input({ hosts: 1, crashes: [{ at: 0, hosts: '0' }] }));
    expect([b.endReason, b.lastTick, b.live]).toEqual(['stalled', 0, 0]);
    // Churn leave 1, join 0.5 for ever: 0 leaves at 0 but counts as hot (it may join at 1), so rule
    // 1 does not fire; rule 3 "whatever is down": converged at 0 with live 0.
    const c = check(input({ hosts: 1, churn: { at: 0, leave: 1, join: 0.5 } }));
    expect([c.endReason, c.lastTick, c.live]).toEqual(['converged', 0, 0]);
  });

  it('rejects malformed crashes and churn', () => {
    const bad: Partial<RumorOracleInput>[] = [
      { crashes: [{ at: 1 }] },
      { crashes: [{ at: 1, hosts: '0', fraction: 0.5 }] },
      { crashes: [{ at: 3, recover: 3, hosts: '0' }] },
      { crashes: [{ at: 0, hosts: '0..4' }] },
      { crashes: [{ at: 0, fraction: 0 }] },
      { crashes: [{ at: 0, fraction: 1.5 }] },
      { churn: { at: 2, until: 2, leave: 0.1 } },
      { churn: { at: 0, leave: 0.1, reserve: 4 } },
      { churn: { at: 0, leave: -0.1 } },
    ];
    for (const b of bad) expect(() => rumorOracle(input({ hosts: 4, ...b }))).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
describe('properties over many seeds', () => {
  function randomInput(index: number): RumorOracleInput {
    const g = new HashGen(20240601, index);
    const hosts = g.chance(0.2) ? g.int(1, 3) : g.chance(0.7) ? g.int(4, 25) : g.int(26, 70);
    const contact = g.pick(CONTACTS);
    const maxTicks = g.chance(0.3) ? g.int(0, 8) : g.int(10, 80);
    const crashes: CrashInput[] = [];
    const nCrashes = g.int(0, 3);
    for (let i = 0; i < nCrashes; i++) {
      const at = g.int(0, 20);
      const crash: CrashInput = { at };
      if (g.chance(0.6)) crash.recover = at + g.int(1, 10);
      if (g.chance(0.5)) crash.fraction = g.pick([0.1, 0.3, 0.5, 1]);
      else {
        const lo = g.int(0, hosts - 1);
        crash.hosts = g.chance(0.5) ? `${lo}` : `${lo}..${g.int(lo, hosts - 1)}`;
      }
      crashes.push(crash);
    }
    const i: RumorOracleInput = {
      hosts,
      mode: g.pick(MODES),
      feedback: g.pick<RumorFeedback>(['feedback', 'blind']),
      stop: g.pick<RumorStop>(['counter', 'coin']),
      k: g.pick([1, 2, 3, 5]),
      sources: g.int(1, Math.min(hosts, 3)),
      fanout: g.pick([1, 1, 2]),
      seed: g.next(),
      maxTicks,
      contact,
      latencyMin: 1,
      latencyMax: contact === 'messages' ? g.pick([1, 2, 4]) : 1,
      loss: contact === 'messages' ? g.pick([0, 0, 0.2]) : 0,
      view: g.pick<RumorView>(['full', 'full', 'known']),
      crashes,
    };
    if (g.chance(0.4)) {
      const at = g.int(0, 10);
      const churn: ChurnInput = { at, leave: g.pick([0, 0.05, 0.2]), join: g.pick([0, 0.3, 1]) };
      if (g.chance(0.5)) churn.until = at + g.int(1, 15);
      if (g.chance(0.4)) churn.reserve = g.int(0, hosts - 1);
      i.churn = churn;
    }
    if (g.chance(0.15)) i.partitions = [{ at: g.int(0, 5), heal: g.chance(0.5) ? null : g.int(6, 12), groups: [{ fraction: 0.5 }] }];
    return i;
  }

  /** The run's last fault tick, from the docs (null: none). */
  function lastFaultTick(i: RumorOracleInput): number | null {
    const ticks: number[] = [];
    for (const c of i.crashes ?? []) ticks.push(c.at, ...(c.recover === undefined || c.recover === null ? [] : [c.recover]));
    const ch = i.churn;
    if (ch !== undefined && !(ch.leave === 0 && (ch.join ?? 0) === 0 && (ch.reserve ?? 0) === 0)) {
      ticks.push(ch.at, ...(ch.until === undefined || ch.until === null ? [] : [ch.until]));
    }
    const within = ticks.filter((t) => t <= i.maxTicks);
    return within.length === 0 ? null : Math.max(...within);
  }

  const COUNT = 400;
  it(`identities, the fault timeline and live hosts hold on ${COUNT} random runs with crashes and churn`, () => {
    const ends = new Set<string>();
    let withDrops = 0;
    for (let index = 0; index < COUNT; index++) {
      const i = randomInput(index);
      const r = rumorOracle(i);
      const ctx = `#${index} ${JSON.stringify(i)}`;
      try {
        rumorIdentities(r, i.hosts);
        ends.add(r.endReason);
        if (r.dropped > 0) withDrops++;
        // Synchronous: nothing in flight, and only cut contacts are lost.
        if (i.contact === 'synchronous') {
          expect(r.inFlight).toBe(0);
          expect(r.lost).toBe(r.partitioned);
        }
        if (i.loss === 0) expect(r.lost).toBe(r.partitioned);
        // The fault timeline plays out.
        const T = lastFaultTick(i);
        if (r.endReason !== 'max-ticks' && T !== null) expect(r.lastTick).toBeGreaterThanOrEqual(T);
        if (r.endReason === 'max-ticks') expect(r.lastTick).toBe(i.maxTicks);
        // Converged: every live host knows (N = 1: rule 3, whatever is down).
        if (r.converged && i.hosts > 1) {
          expect(r.live).toBeGreaterThan(0);
          expect(r.series.complete[r.lastTick]).toBe(r.live);
        }
        // Sources know the update at tick 0, down or not, reserved or not.
        const sources = typeof i.sources === 'number' ? Array.from({ length: i.sources }, (_, x) => x) : i.sources;
        for (const s of sources) expect(r.hostCompletionTicks[s]).toBe(0);
        // No host is live and nothing can be handled or sent at a tick with every host down.
        for (let t = 0; t <= r.lastTick; t++) if (r.series.live[t] === 0) expect(r.series.sent[t]).toBe(0);
        // Crashes only (no churn): a non-source host never receives the update at a tick it is down.
        if (i.churn === undefined) {
          const crashes = i.crashes ?? [];
          for (let h = 0; h < i.hosts; h++) {
            const recv = r.hostCompletionTicks[h];
            if (recv === null || recv === undefined || sources.includes(h)) continue;
            const downAt = crashes.some((c, ci) => {
              const names = c.hosts !== undefined
                ? c.hosts.split(',').some((item) => {
                  const [lo, hi] = item.split('..').map(Number);
                  return h >= lo! && h <= (hi ?? lo)!;
                })
                : hash(i.seed, CRASH, h, ci, 0) < Math.floor(c.fraction! * TWO32);
              return names && c.at <= recv && (c.recover === undefined || c.recover === null || recv < c.recover);
            });
            expect(downAt).toBe(false);
          }
        }
        // Per-host load counts every message, dropped ones as received.
        const load = rumorOracleCountedLoad(i);
        for (const q of [load.sent, load.received]) {
          expect(q.p50).toBeLessThanOrEqual(q.p95);
          expect(q.p95).toBeLessThanOrEqual(q.max);
        }
        expect(load.received.max * i.hosts).toBeGreaterThanOrEqual(r.delivered);
        expect(load.sent.max * i.hosts).toBeGreaterThanOrEqual(r.sent);
        expect(r.load).toEqual(load);
      } catch (e) {
        throw new Error(`${ctx}: ${(e as Error).message}`);
      }
    }
    expect(ends).toContain('converged');
    expect(ends).toContain('stalled');
    expect(ends).toContain('max-ticks');
    expect(withDrops).toBeGreaterThan(20);
  });

  it('runs of 200 hosts x 200 ticks finish well under a second', () => {
    const started = Date.now();
    const r = rumorOracle(input({
      hosts: 200, mode: 'push-pull', contact: 'messages', latencyMin: 1, latencyMax: 3, k: 1000, maxTicks: 200,
      crashes: [{ at: 5, recover: 50, fraction: 0.2 }, { at: 100, hosts: '0..19' }], churn: { at: 10, until: 150, leave: 0.05, join: 0.3, reserve: 10 },
    }));
    expect(r.lastTick).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
