// Hand-worked cases for the `rumor` oracle (test/support/rumor-oracle.ts) under view `known`,
// derived by reasoning from docs/semantics.md ("Peer choice", "View `known`", rule 2 of "How a
// rumor run ends, and its metrics"), not from the oracle's output. Every case below is chosen so
// that each peer choice is forced (a single candidate) or does not affect the counts, so the
// expected values hold for every seed.
import { describe, expect, it } from 'vitest';
import { rumorOracle, type RumorOracleInput } from './support/rumor-oracle.js';

/** A full oracle input from a partial one; defaults as docs/semantics.md gives them. */
function input(partial: Partial<RumorOracleInput> & { hosts: number }): RumorOracleInput {
  return {
    mode: 'push', feedback: 'feedback', stop: 'counter', k: 2, sources: 1, fanout: 1, seed: 1, maxTicks: 100000,
    contact: 'synchronous', latencyMin: 1, latencyMax: 1, loss: 0,
    ...partial,
  };
}

const SEEDS = [1, 2, 7, 12345, 4294967295];

describe('rumor oracle, view known: a push from host 0 alone (host 0 knows nobody)', () => {
  // Host 0 has no candidate, so it makes no contact; in push only a hot host contacts, so nobody
  // ever does. Tick 0: nothing (synchronous: no contacts; messages: host 0's step has no
  // candidate). Tick 1: same, so rule 2 ends the run: stalled, only host 0 reached.
  for (const contact of ['synchronous', 'messages'] as const) {
    for (const seed of SEEDS) {
      it(`${contact}, seed ${seed}: stalled at lastTick 1 with reached 1 and nothing sent`, () => {
        const r = rumorOracle(input({ hosts: 5, view: 'known', contact, seed, sources: [0] }));
        expect(r.endReason).toBe('stalled');
        expect(r.converged).toBe(false);
        expect(r.ticks).toBeNull();
        expect(r.lastTick).toBe(1);
        expect(r.protocolMetrics.reached).toBe(1);
        expect(r.protocolMetrics.residue).toBe(4 / 5);
        expect(r.protocolMetrics.tAve).toBeNull();
        expect(r.protocolMetrics.tLast).toBeNull();
        expect(r.sent).toBe(0);
        expect(r.delivered).toBe(0);
        expect(r.inFlight).toBe(0);
        expect(r.hostCompletionTicks).toEqual([0, null, null, null, null]);
        expect(r.series).toEqual({ sent: [0, 0], delivered: [0, 0], complete: [1, 1], coverage: [0.2, 0.2], live: [5, 5] });
      });
    }
  }
});

describe('rumor oracle, view known, synchronous pull from source 0', () => {
  // N = 5, fanout 1. Tick 1: host 0 (K = {0}) makes no contact; hosts 1..4 (K = {h, 0}) each
  // request from 0, their only candidate; 0 is hot, so it replies to each: 4 requests, 4 replies,
  // every host gets recv = 1. All 4 replies are necessary, so c(0) is reset and 0 stays hot. At the
  // end of tick 1, K(0) gains 1..4.
  for (const seed of SEEDS) {
    it(`N = 5, seed ${seed}, max-ticks 1: every host reached at tick 1, 4 requests and 4 replies`, () => {
      const r = rumorOracle(input({ hosts: 5, mode: 'pull', view: 'known', seed, sources: [0], maxTicks: 1 }));
      expect(r.endReason).toBe('max-ticks');
      expect(r.converged).toBe(false);
      expect(r.lastTick).toBe(1);
      expect(r.sent).toBe(8);
      expect(r.delivered).toBe(8);
      expect(r.processed).toBe(8);
      expect(r.ignored).toBe(0);
      expect(r.inFlight).toBe(0);
      expect(r.entries).toBe(0);
      expect(r.protocolMetrics.requests).toBe(4);
      expect(r.protocolMetrics.updates).toBe(4);
      expect(r.protocolMetrics.feedback).toBe(0);
      expect(r.protocolMetrics.traffic).toBe(4 / 5);
      expect(r.protocolMetrics.reached).toBe(5);
      expect(r.protocolMetrics.tAve).toBe(1);
      expect(r.protocolMetrics.tLast).toBe(1);
      expect(r.spreadTicks).toBe(1);
      expect(r.hostCompletionTicks).toEqual([0, 1, 1, 1, 1]);
      expect(r.series.sent).toEqual([0, 8]);
      expect(r.series.complete).toEqual([1, 5]);
    });

    // Tick 2: every host is hot at the start. Host 0 (K = {0..4}) requests from some p in 1..4,
    // which replies; hosts 1..4 (K still {h, 0}: nobody but 0 was contacted) request from 0, which
    // replies: 5 requests + 5 replies, whatever p is. With k = 2 nobody loses interest yet.
    it(`N = 5, seed ${seed}, max-ticks 2: tick 2 adds 5 requests and 5 replies`, () => {
      const r = rumorOracle(input({ hosts: 5, mode: 'pull', view: 'known', seed, sources: [0], maxTicks: 2 }));
      expect(r.endReason).toBe('max-ticks');
      expect(r.lastTick).toBe(2);
      expect(r.sent).toBe(18);
      expect(r.protocolMetrics.requests).toBe(9);
      expect(r.protocolMetrics.updates).toBe(9);
      expect(r.series.sent).toEqual([0, 8, 10]);
      expect(r.series.delivered).toEqual([0, 8, 10]);
      expect(r.series.complete).toEqual([1, 5, 5]);
    });
  }

  // N = 2: tick 1 as above (1 request, 1 reply, recv(1) = 1; K(0) gains 1). Tick 2: host 0
  // requests from 1 (its only candidate), 1 replies; host 1 requests from 0, 0 replies. Both
  // replies are unnecessary, so both hosts count the tick.
  it('N = 2, k = 1: both lose interest at tick 2, converged with 3 requests and 3 replies', () => {
    const r = rumorOracle(input({ hosts: 2, mode: 'pull', view: 'known', k: 1, sources: [0] }));
    expect(r.endReason).toBe('converged');
    expect(r.converged).toBe(true);
    expect(r.ticks).toBe(1);
    expect(r.lastTick).toBe(2);
    expect(r.sent).toBe(6);
    expect(r.protocolMetrics.requests).toBe(3);
    expect(r.protocolMetrics.updates).toBe(3);
    expect(r.series.sent).toEqual([0, 2, 4]);
    expect(r.hostCompletionTicks).toEqual([0, 1]);
  });

  it('N = 2, k = 2: tick 3 repeats tick 2, converged at lastTick 3 with 10 messages', () => {
    const r = rumorOracle(input({ hosts: 2, mode: 'pull', view: 'known', k: 2, sources: [0] }));
    expect(r.endReason).toBe('converged');
    expect(r.ticks).toBe(1);
    expect(r.lastTick).toBe(3);
    expect(r.sent).toBe(10);
    expect(r.protocolMetrics.requests).toBe(5);
    expect(r.protocolMetrics.updates).toBe(5);
    expect(r.series.sent).toEqual([0, 2, 4, 4]);
  });

  // Push-pull, N = 3: tick 1 as for pull (hosts 1, 2 are not hot, so they request: 2 requests,
  // 2 replies). Tick 2: all hot; host 0 sends an update to some p, which replies; hosts 1, 2 send
  // updates to 0, which replies to each: 6 updates.
  it('push-pull, N = 3, max-ticks 2: 2 requests, then 8 updates in all', () => {
    const r = rumorOracle(input({ hosts: 3, mode: 'push-pull', view: 'known', sources: [0], maxTicks: 2 }));
    expect(r.endReason).toBe('max-ticks');
    expect(r.sent).toBe(10);
    expect(r.protocolMetrics.requests).toBe(2);
    expect(r.protocolMetrics.updates).toBe(8);
    expect(r.series.sent).toEqual([0, 4, 6]);
    expect(r.hostCompletionTicks).toEqual([0, 1, 1]);
  });
});

describe('rumor oracle, view known, synchronous push from source 3 in N = 4', () => {
  // Tick 1: host 3 (K = {3, 0}) sends an update to 0: necessary, recv(0) = 1, c(3) reset; K(0)
  // gains 3 at the end of the tick. Tick 2: 3 -> 0 and 0 -> 3 (each has one candidate), both
  // unnecessary. Hosts 1 and 2 never know and never contact, and nobody learns them.
  it('feedback, counter k = 2: both lose interest at tick 3, stalled with 5 updates', () => {
    const r = rumorOracle(input({ hosts: 4, view: 'known', sources: [3], k: 2 }));
    expect(r.endReason).toBe('stalled');
    expect(r.converged).toBe(false);
    expect(r.lastTick).toBe(3);
    expect(r.sent).toBe(5);
    expect(r.protocolMetrics.updates).toBe(5);
    expect(r.protocolMetrics.requests).toBe(0);
    expect(r.protocolMetrics.reached).toBe(2);
    expect(r.protocolMetrics.residue).toBe(0.5);
    expect(r.protocolMetrics.traffic).toBe(5 / 4);
    expect(r.protocolMetrics.tAve).toBe(1);
    expect(r.protocolMetrics.tLast).toBe(1);
    expect(r.spreadTicks).toBeNull();
    expect(r.coverage).toBe(0.5);
    expect(r.hostCompletionTicks).toEqual([1, null, null, 0]);
    expect(r.series.sent).toEqual([0, 1, 2, 2]);
    expect(r.series.complete).toEqual([1, 2, 2, 2]);
  });

  it('feedback, counter k = 1: both lose interest at tick 2', () => {
    const r = rumorOracle(input({ hosts: 4, view: 'known', sources: [3], k: 1 }));
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(2);
    expect(r.sent).toBe(3);
    expect(r.series.sent).toEqual([0, 1, 2]);
  });

  // Blind: tick 1 counts for host 3 (c = 1); tick 2: host 3 reaches c = 2 and is removed, host 0
  // c = 1; tick 3: only host 0 sends (to 3), c = 2, removed.
  it('blind, counter k = 2: host 3 stops after tick 2, host 0 after tick 3', () => {
    const r = rumorOracle(input({ hosts: 4, view: 'known', sources: [3], k: 2, feedback: 'blind' }));
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(3);
    expect(r.sent).toBe(4);
    expect(r.series.sent).toEqual([0, 1, 2, 1]);
    expect(r.hostCompletionTicks).toEqual([1, null, null, 0]);
  });
});

describe('rumor oracle, view known, messages model', () => {
  // Push from source 3, N = 4, latency 1, feedback, counter k = 2 (host 3's sequence numbers in
  // brackets where the delivery order matters):
  //   t0: 3 -> 0 update.
  //   t1: 0 handles it (learns 3, recv(0) = 1, feedback new -> 3); 0 steps: update -> 3 (its
  //       only candidate, already learned this tick); 3 steps: update -> 0.      sent 3
  //   t2: 0 handles 3's update: knew -> feedback knew; steps: update -> 3; no marks.
  //       3 handles feedback new (necessary) and 0's update (knew -> feedback knew); steps:
  //       update -> 0; c(3) = 0.                                                 sent 4
  //   t3: each handles a feedback knew (unnecessary) and an update (-> feedback knew), steps an
  //       update; c = 1 each.                                                    sent 4
  //   t4: the same; c = 2: both removed after their step.                        sent 4
  //   t5: each ignores a feedback knew (no longer hot), handles an update (-> feedback knew),
  //       sends nothing at its step. No host hot, no update in flight: stalled.  sent 2
  it('push from source 3 in N = 4: stalled at tick 5 with 2 feedbacks still in flight', () => {
    const r = rumorOracle(input({ hosts: 4, view: 'known', contact: 'messages', sources: [3] }));
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(5);
    expect(r.sent).toBe(18);
    expect(r.delivered).toBe(16);
    expect(r.processed).toBe(14);
    expect(r.ignored).toBe(2);
    expect(r.lost).toBe(0);
    expect(r.inFlight).toBe(2);
    expect(r.protocolMetrics.updates).toBe(9);
    expect(r.protocolMetrics.feedback).toBe(9);
    expect(r.protocolMetrics.requests).toBe(0);
    expect(r.protocolMetrics.reached).toBe(2);
    expect(r.hostCompletionTicks).toEqual([1, null, null, 0]);
    expect(r.series).toEqual({
      sent: [1, 3, 4, 4, 4, 2],
      delivered: [0, 1, 3, 4, 4, 4],
      complete: [1, 2, 2, 2, 2, 2],
      coverage: [0.25, 0.5, 0.5, 0.5, 0.5, 0.5],
      live: [4, 4, 4, 4, 4, 4],
    });
  });

  // Pull from source 0, N = 5, latency 1, feedback:
  //   t0: hosts 1..4 request from 0 (host 0 has no candidate).                   sent 4
  //   t1: 0 handles the 4 requests (learning 1..4) and replies to each [seq 0..3]; its step
  //       already sees the new set: a request to some p [seq 4]; hosts 1..4 request from 0.
  //                                                                              sent 9
  //   t2: 0 handles 4 requests -> 4 replies, steps a request (5). p handles 0's reply first
  //       (recv = 2, hot, feedback new) and then 0's request (hot now: reply), steps a request
  //       (3). The other three handle the reply (feedback new), step a request (2 each).
  //                                                                              sent 14
  for (const seed of SEEDS) {
    it(`pull from source 0 in N = 5, seed ${seed}, max-ticks 1: host 0 requests at tick 1`, () => {
      const r = rumorOracle(input({ hosts: 5, mode: 'pull', view: 'known', contact: 'messages', seed, sources: [0], maxTicks: 1 }));
      expect(r.endReason).toBe('max-ticks');
      expect(r.sent).toBe(13);
      expect(r.delivered).toBe(4);
      expect(r.processed).toBe(4);
      expect(r.inFlight).toBe(9);
      expect(r.protocolMetrics.requests).toBe(9);
      expect(r.protocolMetrics.updates).toBe(4);
      expect(r.protocolMetrics.reached).toBe(1);
      expect(r.series.sent).toEqual([4, 9]);
      expect(r.series.delivered).toEqual([0, 4]);
    });

    it(`pull from source 0 in N = 5, seed ${seed}, max-ticks 2: every host reached at tick 2`, () => {
      const r = rumorOracle(input({ hosts: 5, mode: 'pull', view: 'known', contact: 'messages', seed, sources: [0], maxTicks: 2 }));
      expect(r.endReason).toBe('max-ticks');
      expect(r.sent).toBe(27);
      expect(r.delivered).toBe(13);
      expect(r.processed).toBe(13);
      expect(r.ignored).toBe(0);
      expect(r.inFlight).toBe(14);
      expect(r.protocolMetrics.requests).toBe(14);
      expect(r.protocolMetrics.updates).toBe(9);
      expect(r.protocolMetrics.feedback).toBe(4);
      expect(r.protocolMetrics.reached).toBe(5);
      expect(r.protocolMetrics.tAve).toBe(2);
      expect(r.spreadTicks).toBe(2);
      expect(r.hostCompletionTicks).toEqual([0, 2, 2, 2, 2]);
      expect(r.series.sent).toEqual([4, 9, 14]);
      expect(r.series.delivered).toEqual([0, 4, 9]);
      expect(r.series.complete).toEqual([1, 1, 5]);
    });
  }

  // Push, sources 0 and 1, N = 2, blind, counter k = 1, every message lost: t0: host 1 sends 0
  // an update (lost), counts the tick and stops; host 0 has no candidate. t1: host 0 still has no
  // candidate (a lost message teaches nothing), host 1 is not hot: nothing sent, nothing in
  // flight, every host knows: rule 2, converged.
  it('a lost message teaches nothing: rule 2 ends the run converged at tick 1', () => {
    const r = rumorOracle(input({
      hosts: 2, view: 'known', contact: 'messages', sources: [0, 1], feedback: 'blind', k: 1, loss: 1,
    }));
    expect(r.endReason).toBe('converged');
    expect(r.converged).toBe(true);
    expect(r.ticks).toBe(0);
    expect(r.lastTick).toBe(1);
    expect(r.sent).toBe(1);
    expect(r.lost).toBe(1);
    expect(r.delivered).toBe(0);
    expect(r.inFlight).toBe(0);
    expect(r.protocolMetrics.updates).toBe(1);
    expect(r.protocolMetrics.tAve).toBeNull();
    expect(r.protocolMetrics.tLast).toBeNull();
    expect(r.spreadTicks).toBe(0);
    expect(r.series.sent).toEqual([1, 0]);
  });

  // The same without loss: t1: host 0 handles 1's update (learns 1), steps an update to 1, counts
  // and stops. t2: host 1 handles it; nobody hot, nothing in flight: rule 1, converged.
  it('the same run without loss: host 0 learns host 1 and answers, converged at tick 2', () => {
    const r = rumorOracle(input({
      hosts: 2, view: 'known', contact: 'messages', sources: [0, 1], feedback: 'blind', k: 1, loss: 0,
    }));
    expect(r.endReason).toBe('converged');
    expect(r.ticks).toBe(0);
    expect(r.lastTick).toBe(2);
    expect(r.sent).toBe(2);
    expect(r.delivered).toBe(2);
    expect(r.processed).toBe(2);
    expect(r.series.sent).toEqual([1, 1, 0]);
  });
});

describe('rumor oracle, view known: one host', () => {
  for (const contact of ['synchronous', 'messages'] as const) {
    it(`${contact}: converged at tick 0 (rule 3)`, () => {
      const r = rumorOracle(input({ hosts: 1, view: 'known', contact }));
      expect(r.endReason).toBe('converged');
      expect(r.lastTick).toBe(0);
      expect(r.ticks).toBe(0);
      expect(r.sent).toBe(0);
    });
  }
});

describe('rumor oracle, view full: an absent view is view full', () => {
  const configs: (Partial<RumorOracleInput> & { hosts: number })[] = [
    { hosts: 40, mode: 'push-pull', seed: 7 },
    { hosts: 25, mode: 'push', feedback: 'blind', stop: 'coin', k: 3, sources: [3, 17] },
    { hosts: 30, mode: 'pull', contact: 'messages', latencyMin: 1, latencyMax: 3, loss: 0.1, seed: 99, fanout: 2 },
    { hosts: 20, mode: 'push-pull', contact: 'messages', feedback: 'feedback', stop: 'counter', k: 1, seed: 3 },
  ];
  for (const config of configs) {
    it(`${config.mode} ${config.contact ?? 'synchronous'} N = ${config.hosts}`, () => {
      const absent = rumorOracle(input(config));
      const full = rumorOracle(input({ ...config, view: 'full' }));
      expect(full).toEqual(absent);
    });
  }
});
