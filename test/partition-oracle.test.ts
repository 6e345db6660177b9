// Hand-worked cases for partitions in the two oracles (test/support/spec-oracle.ts for announce,
// push, pull, push-pull; test/support/rumor-oracle.ts for rumor), derived by reasoning from
// docs/semantics.md "## Faults: partitions" (with "Randomness", "Metrics" and the protocol
// sections), not from the oracles' output. Most cases are chosen so that every peer choice is
// forced (a single candidate, or N = 2), so the expected values hold for every seed; where a case
// depends on a hash (fraction groups, the index k of a message), the test computes that hash itself
// from the formula of "Randomness" below and derives the outcome from it.
import { describe, expect, it } from 'vitest';
import { oracleSimulate, type OracleInput, type PartitionInput } from './support/spec-oracle.js';
import { hash, identities, LOSS, membership, PARTITION, PEER, rumor, SEEDS, TWO32, withoutLoad } from './support/fault-cases.js';
import { rumorOracle, type PartitionInput as RumorPartitionInput } from './support/rumor-oracle.js';

// The hash of docs/semantics.md "Randomness" is written out again in ./support/fault-cases.ts, so
// that the expectations do not borrow it from either oracle.

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

// ---------------------------------------------------------------------------------------------
describe('no partitions: absent and [] are today\'s behaviour', () => {
  // docs/semantics.md "Worked trace" and "Worked examples" (latency 1, seed 1).
  const worked: [number, OracleInput['protocol'], number, number, number, number, number, number][] = [
    [1, 'announce', 0, 0, 0, 0, 0, 0],
    [2, 'announce', 3, 2, 2, 0, 5, 2],
    [3, 'announce', 8, 7, 5, 2, 17, 3],
    [100, 'announce', 9999, 5148, 5049, 99, 504999, 3],
    [100, 'push', 1799, 1699, 1699, 0, 105224, 17],
  ];
  for (const [hosts, protocol, sent, delivered, processed, ignored, entries, ticks] of worked) {
    it(`membership: ${hosts} hosts ${protocol} gives the documented numbers with partitions absent and []`, () => {
      const absent = oracleSimulate(membership({ hosts, protocol }));
      const empty = oracleSimulate(membership({ hosts, protocol, partitions: [] }));
      expect(empty).toEqual(absent);
      for (const r of [absent, empty]) {
        expect([r.sent, r.delivered, r.processed, r.ignored, r.entries, r.ticks]).toEqual([sent, delivered, processed, ignored, entries, ticks]);
        expect(r.lost).toBe(0);
        expect(r.partitioned).toBe(0);
      }
    });
  }
  it('membership: the 3-host trace in full (hostCompletionTicks [1, 3, 2], spreadTicks 2, inFlight 1)', () => {
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', partitions: [] }));
    expect(r.hostCompletionTicks).toEqual([1, 3, 2]);
    expect(r.spreadTicks).toBe(2);
    expect(r.inFlight).toBe(1);
    expect(r.endReason).toBe('converged');
  });
  it('membership: lossy, ranged-latency configurations are the same with partitions absent and []', () => {
    for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
      for (const seed of SEEDS) {
        const cfg = membership({ hosts: 12, protocol, fanout: protocol === 'announce' ? 1 : 2, latencyMin: 1, latencyMax: 3, loss: 0.2, seed, maxTicks: 40 });
        const absent = oracleSimulate(cfg);
        expect(oracleSimulate({ ...cfg, partitions: [] })).toEqual(absent);
        expect(absent.partitioned).toBe(0);
      }
    }
  });

  it('rumor: synchronous push on 2 hosts (no partition) converges at lastTick 3 with 5 messages, none lost', () => {
    // Tick 1: 0 -> 1 update, necessary, recv(1) = 1, c(0) = 0. Tick 2: both hot, 0 -> 1 and 1 -> 0,
    // both unnecessary: c = 1 each. Tick 3: the same, c = 2 = k: both lose interest. Converged.
    for (const seed of SEEDS) {
      const absent = rumorOracle(rumor({ hosts: 2, seed }));
      const empty = rumorOracle(rumor({ hosts: 2, seed, partitions: [] }));
      expect(empty).toEqual(absent);
      expect(absent.endReason).toBe('converged');
      expect(absent.lastTick).toBe(3);
      expect(absent.sent).toBe(5);
      expect(absent.delivered).toBe(5);
      expect(absent.lost).toBe(0);
      expect(absent.partitioned).toBe(0);
      expect(absent.hostCompletionTicks).toEqual([0, 1]);
    }
  });
  it('rumor: both contact models, both views, are the same with partitions absent and []', () => {
    for (const contact of ['synchronous', 'messages'] as const) {
      for (const mode of ['push', 'pull', 'push-pull'] as const) {
        for (const view of ['full', 'known'] as const) {
          for (const seed of [1, 12345]) {
            const cfg = rumor({
              hosts: 15, mode, view, seed, contact, fanout: 2, sources: [0, 3],
              ...(contact === 'messages' ? { latencyMin: 1, latencyMax: 3, loss: 0.2 } : {}),
            });
            const absent = rumorOracle(cfg);
            expect(rumorOracle({ ...cfg, partitions: [] })).toEqual(absent);
            expect(absent.partitioned).toBe(0);
          }
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('membership push, view known, 4 hosts, partition {0, 1} | {2, 3} from tick 0', () => {
  // Start: K(0) = {0}, K(h) = {h, 0}. Every message between {0, 1} and {2, 3} is cut. Hosts 2 and 3
  // can learn a new host only from a message that reaches them, so only from their own side, and
  // only from a host that chose them. 2 knows {2, 0} and 3 knows {3, 0}: each one's only candidate
  // is 0, so neither ever sends to the other, neither ever learns anything, and every message they
  // send (to 0) is cut. Hosts 0 and 1 only hear each other, whose logs hold only 0 and 1. So
  // nobody ever learns a host of the other side, nobody completes: max-ticks.
  //
  // With fanout F (choices with replacement from a single candidate, so all forced):
  // tick 0: 1 -> 0 (F, pass), 2 -> 0 and 3 -> 0 (2F, cut); host 0 has no candidate.
  // tick 1: host 0 receives the F pushes [1, 0], learns 1; its step pushes [0, 1] to 1 (F);
  //         host 1 pushes [1, 0] to 0 (F); 2 and 3 push to 0 (2F, cut).
  // tick t >= 1: 4F sent, 2F cut, 2F delivered at t + 1. Every snapshot is 2 ids (tick 0 too).
  // Up to tick M: sent 3F + 4FM; cut 2F(M + 1); delivered F (tick 1) + 2F(M - 1); in flight 2F
  // (tick M's pass messages); entries 2 * sent; coverage 8/16 (7/16 at the end of tick 0).
  const spellings: PartitionInput['groups'][] = [
    [{ hosts: '0,1' }],
    [{ hosts: ' 0 , 1 ' }],
    [{ hosts: '0..1' }, { hosts: '2..3' }],
    [{ hosts: '2,3' }],
    [{ hosts: '3, 2' }, { hosts: '1..1,0' }],
  ];
  const M = 20;
  for (const fanout of [1, 2]) {
    for (const seed of SEEDS) {
      it(`fanout ${fanout}, seed ${seed}: never heals, never converges, exact counts`, () => {
        const F = fanout;
        const results = spellings.map((groups) =>
          oracleSimulate(membership({ hosts: 4, protocol: 'push', fanout, seed, maxTicks: M, partitions: [{ at: 0, groups }] })),
        );
        for (const r of results) expect(r).toEqual(results[0]);
        const r = results[0]!;
        expect(r.endReason).toBe('max-ticks');
        expect(r.converged).toBe(false);
        expect(r.ticks).toBeNull();
        expect(r.lastTick).toBe(M);
        expect(r.sent).toBe(3 * F + 4 * F * M);
        expect(r.partitioned).toBe(2 * F * (M + 1));
        expect(r.lost).toBe(r.partitioned); // loss 0
        expect(r.delivered).toBe(F + 2 * F * (M - 1));
        expect(r.processed).toBe(r.delivered);
        expect(r.ignored).toBe(0);
        expect(r.inFlight).toBe(2 * F);
        expect(r.entries).toBe(2 * r.sent);
        expect(r.coverage).toBe(0.5);
        expect(r.spreadTicks).toBe(0);
        expect(r.hostCompletionTicks).toEqual([null, null, null, null]);
        expect(r.series.sent).toEqual(range(M + 1, (t) => (t === 0 ? 3 * F : 4 * F)));
        expect(r.series.delivered).toEqual(range(M + 1, (t) => (t === 0 ? 0 : t === 1 ? F : 2 * F)));
        expect(r.series.complete).toEqual(range(M + 1, () => 0));
        expect(r.series.coverage).toEqual(range(M + 1, (t) => (t === 0 ? 7 / 16 : 0.5)));
        identities(r);
      });
    }
  }

  const H = 5;
  for (const seed of SEEDS) {
    it(`seed ${seed}: heal at tick ${H} converges; only ticks 0 .. ${H - 1} are cut`, () => {
      // Ticks 0 .. H-1 as above (2 cut per tick, the tick H-1 ones too although they would arrive
      // at tick H); from tick H nothing is cut. At tick H hosts 2 and 3 still know only {h, 0}, so
      // they push [2, 0] and [3, 0] to 0, delivered at H + 1: host 0 then knows all 4 (it knew 1):
      // complete at H + 1. Hosts 1, 2, 3 need a message from a host that knows all, sent at tick
      // >= H + 1, so the run converges at a tick >= H + 2.
      const healed = oracleSimulate(membership({ hosts: 4, protocol: 'push', seed, partitions: [{ at: 0, heal: H, groups: [{ hosts: '0,1' }] }] }));
      const never = oracleSimulate(membership({ hosts: 4, protocol: 'push', seed, maxTicks: H, partitions: [{ at: 0, groups: [{ hosts: '0,1' }] }] }));
      expect(healed.endReason).toBe('converged');
      expect(healed.converged).toBe(true);
      expect(healed.partitioned).toBe(2 * H);
      expect(healed.lost).toBe(2 * H);
      expect(healed.hostCompletionTicks[0]).toBe(H + 1);
      expect(healed.ticks).toBeGreaterThanOrEqual(H + 2);
      expect(healed.ticks).toBe(healed.lastTick);
      // Ticks 0 .. H send and deliver the same numbers in both runs (at tick H the healed run lets
      // 2 -> 0 and 3 -> 0 through where the other cuts them, but both send 4 and deliver the 2
      // sent at tick H - 1 by 0 and 1).
      expect(healed.series.sent.slice(0, H + 1)).toEqual(never.series.sent);
      expect(healed.series.delivered.slice(0, H + 1)).toEqual(never.series.delivered);
      expect(never.partitioned).toBe(2 * (H + 1));
      identities(healed);
    });
  }

  it('two back-to-back partitions [0, 3) and [3, 5), or overlapping ones, equal one partition [0, 5)', () => {
    for (const seed of SEEDS) {
      const one = oracleSimulate(membership({ hosts: 4, protocol: 'push', seed, partitions: [{ at: 0, heal: 5, groups: [{ hosts: '0,1' }] }] }));
      const twoBackToBack = oracleSimulate(membership({
        hosts: 4, protocol: 'push', seed,
        partitions: [{ at: 0, heal: 3, groups: [{ hosts: '0,1' }] }, { at: 3, heal: 5, groups: [{ hosts: '2..3' }] }],
      }));
      const twoOverlapping = oracleSimulate(membership({
        hosts: 4, protocol: 'push', seed,
        partitions: [{ at: 2, heal: 4, groups: [{ hosts: '0,1' }] }, { at: 0, heal: 5, groups: [{ hosts: '0,1' }] }],
      }));
      expect(twoBackToBack).toEqual(one);
      expect(twoOverlapping).toEqual(one);
      expect(one.partitioned).toBe(10);
    }
  });
});

describe('membership: a message is cut if ANY active partition separates its ends', () => {
  // N = 4, push, view known. Partition 0: {0, 2} | rest {1, 3}; partition 1: {0, 3} | rest {1, 2}.
  // Each alone lets one host reach 0 (2 under partition 0, 3 under partition 1), but together they
  // separate 0 from each of 1, 2, 3. Host 0 knows nobody and nobody ever reaches it, so it never
  // sends; hosts 1..3 know only 0 and send every message to 0: all cut. Every tick: 3 sent, 3 cut.
  for (const seed of SEEDS) {
    it(`seed ${seed}: everything sent is cut, nothing delivered`, () => {
      const M = 10;
      const r = oracleSimulate(membership({
        hosts: 4, protocol: 'push', seed, maxTicks: M,
        partitions: [{ at: 0, groups: [{ hosts: '0,2' }] }, { at: 0, groups: [{ hosts: '0,3' }] }],
      }));
      expect(r.endReason).toBe('max-ticks');
      expect(r.sent).toBe(3 * (M + 1));
      expect(r.lost).toBe(3 * (M + 1));
      expect(r.partitioned).toBe(3 * (M + 1));
      expect(r.delivered).toBe(0);
      expect(r.inFlight).toBe(0);
      expect(r.entries).toBe(6 * (M + 1));
      expect(r.coverage).toBe(7 / 16);
      expect(r.series.sent).toEqual(range(M + 1, () => 3));
      expect(r.series.delivered).toEqual(range(M + 1, () => 0));
      // Partition 0 alone lets host 2 through, so it differs.
      const only0 = oracleSimulate(membership({ hosts: 4, protocol: 'push', seed, maxTicks: M, partitions: [{ at: 0, groups: [{ hosts: '0,2' }] }] }));
      expect(only0.delivered).toBeGreaterThan(0);
    });
  }
});

describe('membership announce on 3 hosts with partitions', () => {
  it('{0} | {1, 2} from tick 0: both announcements cut, stalled at tick 0', () => {
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', partitions: [{ at: 0, groups: [{ hosts: '0' }] }] }));
    expect(r).toMatchObject({
      endReason: 'stalled', lastTick: 0, converged: false, ticks: null, sent: 2, delivered: 0, processed: 0, ignored: 0,
      lost: 2, partitioned: 2, inFlight: 0, entries: 2, coverage: 3 / 9, spreadTicks: null,
      hostCompletionTicks: [null, null, null],
      series: { sent: [2], delivered: [0], complete: [0], coverage: [3 / 9] },
    });
  });
  it('{0} | {1, 2} from tick 1: the tick-0 announcements still arrive at tick 1, host 0\'s answers are cut', () => {
    // Tick 0: 1 -> 0 [1], 2 -> 0 [2], sent before `at`: delivered at tick 1. Tick 1: host 0 appends
    // 1 and sends 0 -> 1 [0, 1] (cut), appends 2 and sends 0 -> 2 [0, 1, 2] (cut); host 0 complete.
    // Nothing in flight: stalled at tick 1. entries 1 + 1 + 2 + 3.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', partitions: [{ at: 1, groups: [{ hosts: '0' }] }] }));
    expect(r).toMatchObject({
      endReason: 'stalled', lastTick: 1, converged: false, ticks: null, sent: 4, delivered: 2, processed: 2, ignored: 0,
      lost: 2, partitioned: 2, inFlight: 0, entries: 7, coverage: 5 / 9, spreadTicks: null,
      hostCompletionTicks: [1, null, null],
      series: { sent: [2, 2], delivered: [0, 2], complete: [0, 1], coverage: [3 / 9, 5 / 9] },
    });
    // announce: sent = N * N * coverage - 1 still holds.
    expect(r.sent).toBe(9 * r.coverage - 1);
  });
  it('{1} | rest {0, 2}: the rest is one group, so 2 and 0 talk; 1 is cut off', () => {
    // Tick 0: 1 -> 0 cut, 2 -> 0 [2] passes. Tick 1: 0 appends 2, sends 0 -> 2 [0, 2]. Tick 2: 2
    // appends 0, sends 2 -> 0 [2, 0]. Tick 3: 0 learns nothing new, sends nothing: stalled.
    const r = oracleSimulate(membership({ hosts: 3, protocol: 'announce', partitions: [{ at: 0, groups: [{ hosts: '1' }] }] }));
    expect(r).toMatchObject({
      endReason: 'stalled', lastTick: 3, sent: 4, delivered: 3, processed: 3, ignored: 0, lost: 1, partitioned: 1,
      inFlight: 0, entries: 6, coverage: 5 / 9, hostCompletionTicks: [null, null, null],
      series: { sent: [2, 1, 1, 0], delivered: [0, 1, 1, 1], complete: [0, 0, 0, 0] },
    });
  });
});

describe('a partition that starts after the run ends changes nothing', () => {
  it('membership: 100 hosts push (ticks 17) with a partition at 18 is the worked example', () => {
    const plain = oracleSimulate(membership({ hosts: 100, protocol: 'push' }));
    const late = oracleSimulate(membership({ hosts: 100, protocol: 'push', partitions: [{ at: 18, groups: [{ hosts: '0..49' }] }] }));
    expect(late).toEqual(plain);
    expect([late.sent, late.delivered, late.entries, late.ticks, late.partitioned]).toEqual([1799, 1699, 105224, 17, 0]);
  });
  it('membership: every protocol, maxTicks M and a partition at M + 1 (id and fraction groups)', () => {
    for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
      for (const seed of SEEDS) {
        const M = 6;
        const cfg = membership({ hosts: 10, protocol, seed, maxTicks: M, latencyMin: 1, latencyMax: 2, loss: 0.1 });
        const plain = oracleSimulate(cfg);
        for (const groups of [[{ hosts: '0..4' }], [{ fraction: 0.5 }]] as PartitionInput['groups'][]) {
          expect(oracleSimulate({ ...cfg, partitions: [{ at: M + 1, groups }] })).toEqual(plain);
          expect(oracleSimulate({ ...cfg, partitions: [{ at: M + 1, heal: M + 5, groups }] })).toEqual(plain);
        }
      }
    }
  });
  it('rumor: both contact models, maxTicks M and a partition at M + 1', () => {
    for (const contact of ['synchronous', 'messages'] as const) {
      for (const mode of ['push', 'pull', 'push-pull'] as const) {
        for (const seed of SEEDS) {
          const M = 5;
          const cfg = rumor({ hosts: 10, mode, contact, seed, maxTicks: M, view: seed % 2 === 0 ? 'known' : 'full' });
          const plain = rumorOracle(cfg);
          const parts: RumorPartitionInput[] = [{ at: M + 1, groups: [{ hosts: '0..4' }] }];
          expect(rumorOracle({ ...cfg, partitions: parts })).toEqual(plain);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('fraction groups', () => {
  it('a single group of fraction 1 holds every host (threshold floor(2^32) = 2^32 > every u): nothing is cut', () => {
    for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
      for (const seed of SEEDS) {
        const cfg = membership({ hosts: 9, protocol, seed, fanout: 2, view: seed % 2 === 0 ? 'full' : 'known', maxTicks: 60 });
        const plain = oracleSimulate(cfg);
        expect(oracleSimulate({ ...cfg, partitions: [{ at: 0, groups: [{ fraction: 1 }] }] })).toEqual(plain);
        expect(plain.partitioned).toBe(0);
      }
    }
    for (const contact of ['synchronous', 'messages'] as const) {
      for (const mode of ['push', 'pull', 'push-pull'] as const) {
        for (const seed of SEEDS) {
          const cfg = rumor({ hosts: 9, mode, contact, seed, fanout: 2 });
          expect(rumorOracle({ ...cfg, partitions: [{ at: 0, groups: [{ fraction: 1 }] }] })).toEqual(rumorOracle(cfg));
        }
      }
    }
  });

  it('push, view full, 2 hosts, partition 1 = [{fraction 0.5}]: cut exactly when u(0) and u(1) fall on different sides of 2^31', () => {
    // Group 0 is u(h) < floor(0.5 * 2^32) = 2^31, the rest u(h) >= 2^31, with
    // u(h) = rand(seed, PARTITION, h, i, 0) and i = 1 (partition 0 is a harmless fraction-1 one).
    // Same side: nothing cut; tick 0: 0 -> 1 [0], 1 -> 0 [1]; tick 1 both complete: converged at
    // tick 1, sent 4 (tick 1's two in flight), delivered 2. Different sides: every message cut,
    // nobody ever learns anything: max-ticks, 2 per tick, all cut.
    const M = 5;
    let sameSide = 0;
    let split = 0;
    let indexMatters = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const side = (h: number, i: number): boolean => hash(seed, PARTITION, h, i, 0) < TWO32 / 2;
      const apart = side(0, 1) !== side(1, 1);
      if (apart !== (side(0, 0) !== side(1, 0))) indexMatters++;
      const r = oracleSimulate(membership({
        hosts: 2, protocol: 'push', view: 'full', seed, maxTicks: M,
        partitions: [{ at: 0, groups: [{ fraction: 1 }] }, { at: 0, groups: [{ fraction: 0.5 }] }],
      }));
      if (apart) {
        split++;
        expect(r).toMatchObject({
          endReason: 'max-ticks', lastTick: M, sent: 2 * (M + 1), lost: 2 * (M + 1), partitioned: 2 * (M + 1),
          delivered: 0, inFlight: 0, coverage: 0.5, hostCompletionTicks: [null, null],
        });
      } else {
        sameSide++;
        expect(r).toMatchObject({
          endReason: 'converged', lastTick: 1, ticks: 1, sent: 4, lost: 0, partitioned: 0, delivered: 2, inFlight: 2,
          coverage: 1, hostCompletionTicks: [1, 1],
        });
      }
    }
    // The sample exercises both outcomes, and some seed where using i = 0 would have been wrong.
    expect(sameSide).toBeGreaterThan(0);
    expect(split).toBeGreaterThan(0);
    expect(indexMatters).toBeGreaterThan(0);
  });

  it('rumor: the same draw with two quarter groups and the rest (synchronous push, N = 2)', () => {
    // Groups [0.25, 0.25]: group 0 u < 2^30, group 1 2^30 <= u < 2^31, the rest u >= 2^31; i = 0.
    // Same group: converged at lastTick 3 with 5 sent, none lost (see the no-partition case above).
    // Different groups: host 0's update is cut at every tick; a cut update is neither necessary nor
    // unnecessary, so with feedback no tick counts and host 0 stays hot: max-ticks at tick 5 with
    // 5 sent, 5 cut.
    let same = 0;
    let apart = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const groupOf = (h: number): number => {
        const u = hash(seed, PARTITION, h, 0, 0);
        return u < TWO32 / 4 ? 0 : u < TWO32 / 2 ? 1 : 2;
      };
      const r = rumorOracle(rumor({ hosts: 2, seed, maxTicks: 5, partitions: [{ at: 0, groups: [{ fraction: 0.25 }, { fraction: 0.25 }] }] }));
      if (groupOf(0) === groupOf(1)) {
        same++;
        expect(r).toMatchObject({ endReason: 'converged', lastTick: 3, sent: 5, lost: 0, partitioned: 0 });
      } else {
        apart++;
        expect(r).toMatchObject({ endReason: 'max-ticks', lastTick: 5, sent: 5, lost: 5, partitioned: 5, delivered: 0 });
      }
    }
    expect(same).toBeGreaterThan(0);
    expect(apart).toBeGreaterThan(0);
  });
});

describe('a cut message keeps its index k among its sender\'s messages of the tick', () => {
  it('push, view full, 3 hosts, fanout 2, loss 0.5, {0} | {1, 2}, tick 0 only: cut, lost and passed as the hashes say', () => {
    // Tick 0 (maxTicks 0): host h makes choices j = 0, 1 with c = rand(seed, PEER, h, 0, j) % 2,
    // peer c < h ? c : c + 1; message j is the sender's k = j. Crossing {0} | {1, 2}: cut (no loss
    // draw). Otherwise lost iff rand(seed, LOSS, h, 0, k) < floor(0.5 * 2^32) = 2^31. Each message
    // carries [h] (view full): entries 6.
    let meaningful = 0;
    for (let seed = 1; seed <= 60; seed++) {
      let cut = 0;
      let lostByLoss = 0;
      for (let h = 0; h < 3; h++) {
        const cutJ: boolean[] = [];
        for (let j = 0; j < 2; j++) {
          const c = hash(seed, PEER, h, 0, j) % 2;
          const p = c < h ? c : c + 1;
          const isCut = (h === 0) !== (p === 0);
          cutJ.push(isCut);
          if (isCut) cut++;
          else if (hash(seed, LOSS, h, 0, j) < TWO32 / 2) lostByLoss++;
        }
        // A cut j = 0 before a passing j = 1 whose loss draw at k = 1 differs from the one at k = 0:
        // an oracle that did not count the cut message would get this one wrong.
        if (cutJ[0] && !cutJ[1] && (hash(seed, LOSS, h, 0, 0) < TWO32 / 2) !== (hash(seed, LOSS, h, 0, 1) < TWO32 / 2)) meaningful++;
      }
      const r = oracleSimulate(membership({
        hosts: 3, protocol: 'push', view: 'full', fanout: 2, loss: 0.5, seed, maxTicks: 0,
        partitions: [{ at: 0, groups: [{ hosts: '0' }] }],
      }));
      expect(r).toMatchObject({
        lastTick: 0, sent: 6, entries: 6, delivered: 0, partitioned: cut, lost: cut + lostByLoss, inFlight: 6 - cut - lostByLoss,
        series: { sent: [6], delivered: [0] },
      });
    }
    expect(meaningful).toBeGreaterThan(0);
  });
});

describe('identities with partitions and loss', () => {
  it('membership: partitioned <= lost, sent = delivered + lost + inFlight; loss 0 gives lost = partitioned', () => {
    for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
      for (const loss of [0, 0.2]) {
        for (const seed of SEEDS) {
          const r = oracleSimulate(membership({
            hosts: 12, protocol, seed, loss, fanout: protocol === 'announce' ? 1 : 2, latencyMin: 1, latencyMax: 3, maxTicks: 50,
            partitions: [
              { at: 1, heal: 9, groups: [{ fraction: 0.3 }, { fraction: 0.3 }] },
              { at: 4, groups: [{ hosts: '0..2, 7' }, { hosts: '9..11' }] },
            ],
          }));
          identities(r);
          if (loss === 0) expect(r.lost).toBe(r.partitioned);
          if (protocol !== 'announce') expect(r.partitioned).toBeGreaterThan(0);
        }
      }
    }
  });
  it('rumor: the same in both contact models', () => {
    for (const contact of ['synchronous', 'messages'] as const) {
      for (const mode of ['push', 'pull', 'push-pull'] as const) {
        for (const loss of contact === 'messages' ? [0, 0.2] : [0]) {
          for (const seed of SEEDS) {
            const r = rumorOracle(rumor({
              hosts: 20, mode, contact, seed, fanout: 2, k: 3, sources: [0, 11],
              ...(contact === 'messages' ? { loss, latencyMin: 1, latencyMax: 3 } : {}),
              partitions: [{ at: 1, heal: 6, groups: [{ hosts: '0..9' }] }, { at: 3, groups: [{ fraction: 0.5 }] }],
            }));
            identities(r);
            if (loss === 0) expect(r.lost).toBe(r.partitioned);
          }
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('rumor, synchronous contacts cut by a partition (N = 2, view full: each host\'s only peer is the other)', () => {
  const apart: RumorPartitionInput[] = [{ at: 0, groups: [{ hosts: '0' }] }];
  for (const seed of SEEDS) {
    it(`seed ${seed}: push, feedback, counter k = 2: the cut update is neither necessary nor unnecessary, the source stays hot: max-ticks`, () => {
      // Every tick t >= 1: host 0 (hot) sends 1 an update: cut. Sent, lost, partitioned, in
      // `updates`; host 1 learns nothing and is not hot, so it makes no push contact. With feedback
      // no tick of host 0 counts (no update was unnecessary), so it stays hot until max-ticks.
      const M = 4;
      const r = rumorOracle(rumor({ hosts: 2, seed, maxTicks: M, partitions: apart }));
      expect(withoutLoad(r)).toEqual({
        converged: false, ticks: null, sent: 4, delivered: 0, processed: 0, ignored: 0, lost: 4, partitioned: 4, dropped: 0, live: 2,
        inFlight: 0, entries: 0, spreadTicks: null, coverage: 0.5, endReason: 'max-ticks', lastTick: 4,
        hostCompletionTicks: [0, null],
        series: { sent: [0, 1, 1, 1, 1], delivered: [0, 0, 0, 0, 0], complete: [1, 1, 1, 1, 1], coverage: [0.5, 0.5, 0.5, 0.5, 0.5], live: [2, 2, 2, 2, 2] },
        protocolMetrics: { residue: 0.5, traffic: 2, tAve: null, tLast: null, reached: 1, updates: 4, requests: 0, feedback: 0 },
      });
    });
    it(`seed ${seed}: push, blind, counter k = 2: every tick with an update counts, stalled at tick 2; blind coin k = 1 stops at tick 1`, () => {
      // Blind: host 0 sent an update at ticks 1 and 2, so both count: c(0) = 2 = k at tick 2.
      const blind = rumorOracle(rumor({ hosts: 2, seed, feedback: 'blind', partitions: apart }));
      expect(blind).toMatchObject({ endReason: 'stalled', lastTick: 2, sent: 2, lost: 2, partitioned: 2, delivered: 0 });
      expect(blind.protocolMetrics).toMatchObject({ updates: 2, traffic: 1, reached: 1 });
      // Coin with k = 1: threshold floor(2^32 / 1) = 2^32 > every draw: interest lost at tick 1.
      const coin = rumorOracle(rumor({ hosts: 2, seed, feedback: 'blind', stop: 'coin', k: 1, partitions: apart }));
      expect(coin).toMatchObject({ endReason: 'stalled', lastTick: 1, sent: 1, lost: 1, partitioned: 1, delivered: 0 });
      expect(coin.protocolMetrics.updates).toBe(1);
    });
    it(`seed ${seed}: pull, never heals: requests are cut, nobody answers, the source stays hot: max-ticks`, () => {
      // Every tick t >= 1: 0 -> 1 request (cut) and 1 -> 0 request (cut); no reply, so host 0 sends
      // no update and its interest never changes.
      const M = 5;
      const r = rumorOracle(rumor({ hosts: 2, seed, mode: 'pull', maxTicks: M, partitions: apart }));
      expect(r).toMatchObject({
        endReason: 'max-ticks', lastTick: M, sent: 10, lost: 10, partitioned: 10, delivered: 0, processed: 0, inFlight: 0,
        hostCompletionTicks: [0, null],
        series: { sent: [0, 2, 2, 2, 2, 2], delivered: [0, 0, 0, 0, 0, 0] },
      });
      expect(r.protocolMetrics).toMatchObject({ updates: 0, requests: 10, traffic: 0, reached: 1 });
    });
    it(`seed ${seed}: pull, heal at 3: converges at lastTick 5 with recv(1) = 3`, () => {
      // Ticks 1, 2: two requests each, cut. Tick 3: 0 -> 1 request (1 not hot: no reply); 1 -> 0
      // request, 0 hot: reply, necessary, recv(1) = 3, c(0) = 0. 3 messages. Tick 4: both hot;
      // each requests from the other and gets a reply; both replies unnecessary: c = 1 each. 4
      // messages. Tick 5: the same, c = 2: both lose interest. Converged, ticks 3.
      const r = rumorOracle(rumor({ hosts: 2, seed, mode: 'pull', partitions: [{ at: 0, heal: 3, groups: [{ hosts: '1' }] }] }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 3, sent: 15, delivered: 11, processed: 11, ignored: 0, lost: 4, partitioned: 4, dropped: 0, live: 2,
        inFlight: 0, entries: 0, spreadTicks: 3, coverage: 1, endReason: 'converged', lastTick: 5,
        hostCompletionTicks: [0, 3],
        series: { sent: [0, 2, 2, 3, 4, 4], delivered: [0, 0, 0, 3, 4, 4], complete: [1, 1, 1, 2, 2, 2], coverage: [0.5, 0.5, 0.5, 1, 1, 1], live: [2, 2, 2, 2, 2, 2] },
        protocolMetrics: { residue: 0, traffic: 2.5, tAve: 3, tLast: 3, reached: 2, updates: 5, requests: 10, feedback: 0 },
      });
    });
    it(`seed ${seed}: push-pull: cut update and cut request, no answers; with feedback the source stays hot, blind it loses interest at tick 2`, () => {
      // Each tick: 0 -> 1 update (cut; counts as an update sent) and 1 -> 0 request (cut; 0 does not
      // answer). Feedback: no tick counts, max-ticks. Blind: c(0) = 1 at tick 1, 2 at tick 2: stalled.
      const M = 4;
      const r = rumorOracle(rumor({ hosts: 2, seed, mode: 'push-pull', maxTicks: M, partitions: apart }));
      expect(r).toMatchObject({ endReason: 'max-ticks', lastTick: M, sent: 8, lost: 8, partitioned: 8, delivered: 0 });
      expect(r.protocolMetrics).toMatchObject({ updates: 4, requests: 4, traffic: 2, reached: 1 });
      const blind = rumorOracle(rumor({ hosts: 2, seed, mode: 'push-pull', feedback: 'blind', partitions: apart }));
      expect(blind).toMatchObject({ endReason: 'stalled', lastTick: 2, sent: 4, lost: 4, partitioned: 4, delivered: 0 });
      expect(blind.protocolMetrics).toMatchObject({ updates: 2, requests: 2, traffic: 1, reached: 1 });
    });
  }
});

describe('rumor, synchronous pull, view known, 3 hosts, {0, 1} | {2}: the cut contact teaches nothing', () => {
  // Tick 1: host 0 (K = {0}) has no candidate. Host 1 requests from 0, 0 hot: reply, necessary,
  // recv(1) = 1, c(0) = 0. Host 2 requests from 0: cut, so 0 does not learn 2. End of tick 1:
  // K(0) = {0, 1}. Tick 2: host 0's only candidate is 1: request, 1 hot: reply (unnecessary);
  // host 1 requests from 0: reply (unnecessary); host 2's request cut. c(0) = c(1) = 1. Tick 3:
  // the same, c = 2: both lose interest; host 2 never knew: stalled. Every choice forced.
  for (const seed of SEEDS) {
    it(`seed ${seed}: stalled at tick 3, host 2 never reached, 3 cut requests`, () => {
      const r = rumorOracle(rumor({ hosts: 3, seed, mode: 'pull', view: 'known', sources: [0], partitions: [{ at: 0, groups: [{ hosts: '0..1' }] }] }));
      expect(withoutLoad(r)).toEqual({
        converged: false, ticks: null, sent: 13, delivered: 10, processed: 10, ignored: 0, lost: 3, partitioned: 3, dropped: 0, live: 3,
        inFlight: 0, entries: 0, spreadTicks: null, coverage: 2 / 3, endReason: 'stalled', lastTick: 3,
        hostCompletionTicks: [0, 1, null],
        series: { sent: [0, 3, 5, 5], delivered: [0, 2, 4, 4], complete: [1, 2, 2, 2], coverage: [1 / 3, 2 / 3, 2 / 3, 2 / 3], live: [3, 3, 3, 3] },
        protocolMetrics: { residue: 1 / 3, traffic: 5 / 3, tAve: 1, tLast: 1, reached: 2, updates: 5, requests: 8, feedback: 0 },
      });
    });
  }
});

describe('rumor, synchronous push, view known, 3 hosts, sources 0 and 1, {1} | {0, 2}: a cut update teaches nothing', () => {
  // Blind loss of interest. K(0) = {0}, K(1) = {1, 0}, K(2) = {2, 0}. Tick 1: host 0 (hot) has no
  // candidate; host 1 (hot) pushes to 0, its only candidate: cut, so 0 does not learn 1; host 2 is
  // not hot. c(1) = 1 (blind: an update sent). Tick 2: the same, c(1) = 2: host 1 loses interest. Tick 3: host 0
  // is still hot but still has no candidate, host 1 is not hot: nothing is sent and nothing is in
  // flight, so rule 2 ends the run; host 2 never knew: stalled. (Had 0 learned 1 from the cut
  // update, it would push to 1 from tick 2 on.)
  for (const seed of SEEDS) {
    it(`seed ${seed}: stalled at tick 3 with 2 cut updates, host 0 never contacts anyone`, () => {
      const r = rumorOracle(rumor({ hosts: 3, seed, view: 'known', feedback: 'blind', sources: [0, 1], partitions: [{ at: 0, groups: [{ hosts: '1' }] }] }));
      expect(withoutLoad(r)).toEqual({
        converged: false, ticks: null, sent: 2, delivered: 0, processed: 0, ignored: 0, lost: 2, partitioned: 2, dropped: 0, live: 3,
        inFlight: 0, entries: 0, spreadTicks: null, coverage: 2 / 3, endReason: 'stalled', lastTick: 3,
        hostCompletionTicks: [0, 0, null],
        series: { sent: [0, 1, 1, 0], delivered: [0, 0, 0, 0], complete: [2, 2, 2, 2], coverage: [2 / 3, 2 / 3, 2 / 3, 2 / 3], live: [3, 3, 3, 3] },
        protocolMetrics: { residue: 1 / 3, traffic: 2 / 3, tAve: null, tLast: null, reached: 2, updates: 2, requests: 0, feedback: 0 },
      });
    });
  }
});

describe('rumor, messages model, N = 2, {0} | {1}, latency 1', () => {
  const apart: RumorPartitionInput[] = [{ at: 0, groups: [{ hosts: '1' }] }];
  for (const seed of SEEDS) {
    it(`seed ${seed}: push with feedback: no feedback ever comes back, the source stays hot: max-ticks`, () => {
      // Every tick t >= 0 host 0 (hot) sends 1 an update: cut. No feedback, so no counting tick.
      const M = 4;
      const r = rumorOracle(rumor({ hosts: 2, seed, contact: 'messages', maxTicks: M, partitions: apart }));
      expect(r).toMatchObject({
        endReason: 'max-ticks', lastTick: M, sent: 5, lost: 5, partitioned: 5, delivered: 0, inFlight: 0,
        hostCompletionTicks: [0, null], series: { sent: [1, 1, 1, 1, 1] },
      });
      expect(r.protocolMetrics).toMatchObject({ updates: 5, feedback: 0, reached: 1 });
    });
    it(`seed ${seed}: push, blind, counter k = 2: the cut updates count as sent, stalled at tick 1`, () => {
      // Tick 0: update cut; blind: h sent an update, a counting tick: c = 1. Tick 1: c = 2.
      const r = rumorOracle(rumor({ hosts: 2, seed, contact: 'messages', feedback: 'blind', partitions: apart }));
      expect(r).toMatchObject({ endReason: 'stalled', lastTick: 1, sent: 2, lost: 2, partitioned: 2, delivered: 0, inFlight: 0 });
    });
    it(`seed ${seed}: pull: both hosts' requests cut every tick, max-ticks`, () => {
      const M = 3;
      const r = rumorOracle(rumor({ hosts: 2, seed, contact: 'messages', mode: 'pull', maxTicks: M, partitions: apart }));
      expect(r).toMatchObject({ endReason: 'max-ticks', lastTick: M, sent: 8, lost: 8, partitioned: 8, delivered: 0, inFlight: 0 });
      expect(r.protocolMetrics.requests).toBe(8);
    });
  }
});

describe('malformed partitions are rejected by both oracles', () => {
  const bad: PartitionInput[][] = [
    [{ at: 0, groups: [{ hosts: '0..2' }, { hosts: '2,3' }] }], // overlap
    [{ at: 0, groups: [{ hosts: '0..4' }] }], // id 4 not below N = 4
    [{ at: 0, groups: [{ hosts: '0' }, { fraction: 0.5 }] }], // mixed
    [{ at: 3, heal: 3, groups: [{ hosts: '0' }] }], // heal not after at
    [{ at: 0, groups: [{ fraction: 0.6 }, { fraction: 0.6 }] }], // sum > 1
    [{ at: 0, groups: [{ fraction: 0 }] }], // fraction not > 0
    [{ at: 0, groups: [{ hosts: '0,,1' }] }], // empty item
    [{ at: 0, groups: [{ hosts: '3..1' }] }], // descending range
  ];
  for (const partitions of bad) {
    it(`rejects ${JSON.stringify(partitions)}`, () => {
      expect(() => oracleSimulate(membership({ hosts: 4, protocol: 'push', maxTicks: 2, partitions }))).toThrow();
      expect(() => rumorOracle(rumor({ hosts: 4, maxTicks: 2, partitions }))).toThrow();
    });
  }
  it('accepts heal: null as never healing', () => {
    const a = oracleSimulate(membership({ hosts: 4, protocol: 'push', maxTicks: 8, partitions: [{ at: 0, heal: null, groups: [{ hosts: '0,1' }] }] }));
    const b = oracleSimulate(membership({ hosts: 4, protocol: 'push', maxTicks: 8, partitions: [{ at: 0, groups: [{ hosts: '0,1' }] }] }));
    expect(a).toEqual(b);
    const c = rumorOracle(rumor({ hosts: 2, mode: 'pull', maxTicks: 4, partitions: [{ at: 0, heal: null, groups: [{ hosts: '0' }] }] }));
    expect(c.partitioned).toBe(8);
  });
});
