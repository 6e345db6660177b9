// Hand-worked cases for regions in the two oracles (test/support/spec-oracle.ts for announce,
// push, pull, push-pull; test/support/rumor-oracle.ts for rumor), derived by reasoning from
// docs/semantics.md "## Regions: latency and loss per pair of regions" (with "Randomness", "Faults:
// partitions", "Metrics" and the protocol sections), not from the oracles' output. Most cases are
// chosen so that every peer choice is forced (N = 2, or a single candidate), so they hold for every
// seed; where a hash decides (fraction groups, a latency range, a loss), the test computes that hash
// itself from the formula of "Randomness" below and derives the outcome from it.
import { describe, expect, it } from 'vitest';
import { oracleSimulate, type OracleInput, type RegionsInput } from './support/spec-oracle.js';
import { rumorOracle, type RegionsInput as RumorRegionsInput } from './support/rumor-oracle.js';
import { hash, identities, LATENCY, LOSS, membership, PARTITION, REGION, rumor as rumorInput, SEEDS, TWO32, withoutLoad } from './support/fault-cases.js';

// The hash of docs/semantics.md "Randomness" is written out again in ./support/fault-cases.ts, so
// that the expectations do not borrow it from either oracle.

/** Rumor inputs of these cases default to the messages model (regions need it). */
function rumor(partial: Parameters<typeof rumorInput>[0]): ReturnType<typeof rumorInput> {
  return rumorInput({ contact: 'messages', ...partial });
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

/** Every pair (a, b), a <= b, of regions 0 .. G. */
function allPairs(G: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a <= G; a++) for (let b = a; b <= G; b++) out.push([a, b]);
  return out;
}

// ---------------------------------------------------------------------------------------------
describe('regions that change nothing', () => {
  // docs/semantics.md "Worked trace" and "Worked examples" (latency 1, seed 1).
  const worked: [number, OracleInput['protocol'], number, number, number, number, number, number][] = [
    [2, 'announce', 3, 2, 2, 0, 5, 2],
    [3, 'announce', 8, 7, 5, 2, 17, 3],
    [100, 'announce', 9999, 5148, 5049, 99, 504999, 3],
    [100, 'push', 1799, 1699, 1699, 0, 105224, 17],
  ];
  for (const [hosts, protocol, sent, delivered, processed, ignored, entries, ticks] of worked) {
    it(`${hosts} hosts ${protocol}: regions without links, or links no message uses or equal to the run's, give the documented numbers`, () => {
      const absent = oracleSimulate(membership({ hosts, protocol }));
      expect([absent.sent, absent.delivered, absent.processed, absent.ignored, absent.entries, absent.ticks]).toEqual([sent, delivered, processed, ignored, entries, ticks]);
      const variants: RegionsInput[] = [
        // No links: every pair takes the run's latency 1 and loss 0.
        { groups: [{ hosts: '0' }], links: [] },
        { groups: [{ hosts: '0' }, { hosts: `1..${hosts - 1}` }], links: [] },
        { groups: [{ fraction: 0.5 }], links: [] },
        // Every host in region 0, a link [0, 0] equal to the run's defaults (given, half given, or
        // not given at all, or as the range "1..1", which is the constant 1), and links to the
        // empty rest (region 1), which no message uses.
        { groups: [{ hosts: `0..${hosts - 1}` }], links: [{ between: [0, 0], latency: 1, loss: 0 }] },
        { groups: [{ hosts: `0..${hosts - 1}` }], links: [{ between: [0, 0], latency: '1..1' }, { between: [0, 1], latency: 50, loss: 0.9 }] },
        { groups: [{ hosts: `0..${hosts - 1}` }], links: [{ between: [0, 0] }, { between: [1, 1], latency: '7..9' }] },
        // Fraction 1: threshold floor(2^32) exceeds every u(h), every host in region 0.
        { groups: [{ fraction: 1 }], links: [{ between: [1, 0], latency: 5, loss: 0.5 }, { between: [1, 1], loss: 0.7 }] },
        // The last host alone in the rest (region 1): it never sends to itself, so [1, 1] is unused.
        { groups: [{ hosts: `0..${hosts - 2}` }], links: [{ between: [1, 1], latency: 9, loss: 0.99 }] },
      ];
      for (const regions of variants) expect(oracleSimulate(membership({ hosts, protocol, regions }))).toEqual(absent);
    });
  }

  it('membership, lossy and ranged: links equal to the run\'s on every pair are the run (same draws (f, t, k))', () => {
    for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
      for (const seed of SEEDS) {
        const cfg = membership({ hosts: 12, protocol, fanout: protocol === 'announce' ? 1 : 2, latencyMin: 1, latencyMax: 3, loss: 0.2, seed, maxTicks: 40 });
        const absent = oracleSimulate(cfg);
        const groups: RegionsInput['groups'] = [{ hosts: '0..3' }, { hosts: '4,6,8' }];
        expect(oracleSimulate({ ...cfg, regions: { groups, links: [] } })).toEqual(absent);
        expect(oracleSimulate({ ...cfg, regions: { groups: [{ fraction: 0.3 }, { fraction: 0.3 }], links: [] } })).toEqual(absent);
        const same = allPairs(2).map(([a, b]) => ({ between: [a, b] as [number, number], latency: '1..3', loss: 0.2 }));
        expect(oracleSimulate({ ...cfg, regions: { groups, links: same } })).toEqual(absent);
        // The run's own values given on the run, moved onto every link: the same run.
        const moved = allPairs(2).map(([a, b]) => ({ between: [b, a] as [number, number], latency: '1..3', loss: 0.2 }));
        expect(oracleSimulate({ ...cfg, latencyMin: 1, latencyMax: 1, loss: 0, regions: { groups, links: moved } })).toEqual(absent);
      }
    }
  });

  it('rumor, messages model: no links, or every link equal to the run\'s, is the run', () => {
    for (const mode of ['push', 'pull', 'push-pull'] as const) {
      for (const view of ['full', 'known'] as const) {
        for (const seed of [1, 12345]) {
          const cfg = rumor({ hosts: 15, mode, view, seed, fanout: 2, sources: [0, 3], latencyMin: 1, latencyMax: 3, loss: 0.2 });
          const absent = rumorOracle(cfg);
          const groups: RumorRegionsInput['groups'] = [{ hosts: '0..4' }, { hosts: '10..14' }];
          expect(rumorOracle({ ...cfg, regions: { groups, links: [] } })).toEqual(absent);
          const links = allPairs(2).map(([a, b]) => ({ between: [a, b] as [number, number], latency: '1..3', loss: 0.2 }));
          expect(rumorOracle({ ...cfg, latencyMin: 2, latencyMax: 2, loss: 0.5, regions: { groups, links } })).toEqual(absent);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('membership push on 2 hosts, constant latency 4 on the cross link', () => {
  // Host 1 alone in region 0, host 0 in the rest (region 1); the link [1, 0] is [0, 1] (both
  // directions): every message between the two hosts takes 4 ticks instead of the run's 1.
  const regions: RegionsInput = { groups: [{ hosts: '1' }], links: [{ between: [1, 0], latency: 4 }] };
  for (const seed of SEEDS) {
    it(`view known, seed ${seed}: host 0 hears of 1 at tick 4 instead of 1`, () => {
      // L(0) = [0], L(1) = [1, 0]; host 1 is complete from tick 0 (N = 2). Host 0 knows nobody, so
      // it sends nothing until it learns 1. Host 1's only candidate is 0: it pushes [1, 0] every
      // tick. Tick 0's push arrives at tick 4 (latency 1: tick 1). Tick 4: host 0 merges, knows 1,
      // complete; its step pushes [0, 1]; host 1 pushes again: 2 sent. Converged at tick 4.
      // sent 1 + 1 + 1 + 1 + 2 = 6, delivered 1, in flight 5, entries 2 per push = 12.
      const plain = oracleSimulate(membership({ hosts: 2, protocol: 'push', seed }));
      expect(plain).toMatchObject({ ticks: 1, sent: 3, delivered: 1, series: { delivered: [0, 1] } });
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', seed, regions }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 4, sent: 6, delivered: 1, processed: 1, ignored: 0, lost: 0, partitioned: 0, dropped: 0, live: 2, inFlight: 5,
        entries: 12, spreadTicks: 0, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [4, 0],
        series: { sent: [1, 1, 1, 1, 2], delivered: [0, 0, 0, 0, 1], complete: [1, 1, 1, 1, 2], coverage: [0.75, 0.75, 0.75, 0.75, 1], live: [2, 2, 2, 2, 2] },
      });
      // The same with the constant given as "4..4", or with both hosts in one region whose own link
      // is 4 (a link [0, 1] to the empty rest changing nothing).
      expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', seed, regions: { groups: [{ hosts: '1' }], links: [{ between: [0, 1], latency: '4..4' }] } }))).toEqual(r);
      expect(oracleSimulate(membership({
        hosts: 2, protocol: 'push', seed,
        regions: { groups: [{ hosts: '0..1' }], links: [{ between: [0, 0], latency: 4 }, { between: [0, 1], latency: 2 }] },
      }))).toEqual(r);
      // The cross link's latency, not the run's: a run latency of 7 changes nothing.
      expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', seed, latencyMin: 7, latencyMax: 7, regions }))).toEqual(r);
    });
    it(`view full, seed ${seed}: both pushes of every tick take 4 ticks; both complete at tick 4`, () => {
      // View full: L(h) = [h] for both, each host's only peer is the other. Ticks 0..3: each pushes
      // [h] (1 id). Tick 4: each receives the other's tick-0 push, complete; each step pushes
      // [h, other] (2 ids). sent 10, delivered 2, in flight 8, entries 8 + 4.
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', seed, regions }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 4, sent: 10, delivered: 2, processed: 2, ignored: 0, lost: 0, partitioned: 0, dropped: 0, live: 2, inFlight: 8,
        entries: 12, spreadTicks: 4, coverage: 1, endReason: 'converged', lastTick: 4, hostCompletionTicks: [4, 4],
        series: { sent: [2, 2, 2, 2, 2], delivered: [0, 0, 0, 0, 2], complete: [0, 0, 0, 0, 2], coverage: [0.5, 0.5, 0.5, 0.5, 1], live: [2, 2, 2, 2, 2] },
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
/**
 * The documented outcome of push, view full, 2 hosts (each host's only peer is the other, one
 * message per host per tick, k = 0) when every message takes latency LO..HI and loss P, with the
 * hash of "Randomness": message of h at tick t is lost iff rand(seed, LOSS, h, t, 0) < floor(P 2^32),
 * else arrives at t + LO + rand(seed, LATENCY, h, t, 0) % (HI - LO + 1) (no hash when LO = HI).
 * Host 1 - h becomes complete at the first arrival of a message from h; the run converges when
 * both are, or stops at maxTicks. A host's pushes carry 1 id before it is complete, 2 from the tick
 * it completes on (deliveries come before its step).
 */
function predictPushFull2(seed: number, lo: number, hi: number, loss: number, maxTicks: number) {
  const threshold = Math.floor(loss * TWO32);
  const fate = (h: number, t: number): number | null => {
    if (hash(seed, LOSS, h, t, 0) < threshold) return null;
    return t + (lo === hi ? lo : lo + (hash(seed, LATENCY, h, t, 0) % (hi - lo + 1)));
  };
  // completeAt[x]: first arrival at x of a message from 1 - x, over every send tick <= maxTicks.
  const completeAt: (number | null)[] = [null, null];
  for (let t = 0; t <= maxTicks; t++) {
    for (const h of [0, 1]) {
      const a = fate(h, t);
      const x = 1 - h;
      if (a !== null && (completeAt[x] === null || a < completeAt[x]!)) completeAt[x] = a;
    }
  }
  const both = completeAt[0] !== null && completeAt[1] !== null ? Math.max(completeAt[0]!, completeAt[1]!) : null;
  const lastTick = both !== null && both <= maxTicks ? both : maxTicks;
  const done = (x: number): number | null => (completeAt[x] !== null && completeAt[x]! <= lastTick ? completeAt[x]! : null);
  let lost = 0;
  let delivered = 0;
  let entries = 0;
  const seriesDelivered = range(lastTick + 1, () => 0);
  for (let t = 0; t <= lastTick; t++) {
    for (const h of [0, 1]) {
      const c = done(h);
      entries += c !== null && t >= c ? 2 : 1;
      const a = fate(h, t);
      if (a === null) lost++;
      else if (a <= lastTick) {
        delivered++;
        seriesDelivered[a]!++;
      }
    }
  }
  const sent = 2 * (lastTick + 1);
  const known = (t: number): number => [0, 1].reduce((s, x) => s + (done(x) !== null && done(x)! <= t ? 2 : 1), 0);
  return {
    converged: lastTick === both,
    lastTick,
    sent,
    lost,
    delivered,
    inFlight: sent - lost - delivered,
    entries,
    hostCompletionTicks: [done(0), done(1)],
    spreadTicks: done(1),
    series: {
      sent: range(lastTick + 1, () => 2),
      delivered: seriesDelivered,
      complete: range(lastTick + 1, (t) => [0, 1].filter((x) => done(x) !== null && done(x)! <= t).length),
      coverage: range(lastTick + 1, (t) => known(t) / 4),
    },
  };
}

function expectPrediction(r: ReturnType<typeof oracleSimulate>, p: ReturnType<typeof predictPushFull2>): void {
  expect(r).toMatchObject({
    converged: p.converged, endReason: p.converged ? 'converged' : 'max-ticks', lastTick: p.lastTick, ticks: p.converged ? p.lastTick : null,
    sent: p.sent, lost: p.lost, partitioned: 0, delivered: p.delivered, processed: p.delivered, ignored: 0, inFlight: p.inFlight,
    entries: p.entries, hostCompletionTicks: p.hostCompletionTicks, spreadTicks: p.spreadTicks, series: p.series,
  });
  identities(r);
}

describe('membership push, view full, 2 hosts in two regions: the cross link\'s draws', () => {
  const cross = (link: Omit<RegionsInput['links'][number], 'between'>): RegionsInput => ({
    groups: [{ hosts: '0' }, { hosts: '1' }],
    // Region 2 (the rest) is empty; its links carry nothing.
    links: [{ between: [0, 1], ...link }, { between: [2, 2], latency: 1000 }, { between: [0, 0], loss: 0.5 }],
  });

  it('latency "2..5" on the cross link (run: latency 1, loss 0.3): each message takes 2 + rand(LATENCY, f, t, 0) % 4, lost by the run\'s loss', () => {
    let ranged = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const p = predictPushFull2(seed, 2, 5, 0.3, 200);
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', seed, loss: 0.3, maxTicks: 200, regions: cross({ latency: '2..5' }) }));
      expectPrediction(r, p);
      if (p.series.delivered.some((d, t) => d > 0 && t > 0)) ranged++;
    }
    expect(ranged).toBeGreaterThan(0);
  });

  it('loss 0.99 on the only cross-region link (run: loss 0): most messages lost, deliveries exactly where rand(LOSS, f, t, 0) >= floor(0.99 * 2^32)', () => {
    let converged = 0;
    let lostTotal = 0;
    let sentTotal = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const p = predictPushFull2(seed, 1, 1, 0.99, 400);
      const r = oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', seed, maxTicks: 400, regions: cross({ loss: 0.99 }) }));
      expectPrediction(r, p);
      if (p.converged) converged++;
      lostTotal += p.lost;
      sentTotal += p.sent;
      // The link's loss is the run's would-be loss with the same draws.
      expect(oracleSimulate(membership({ hosts: 2, protocol: 'push', view: 'full', seed, maxTicks: 400, loss: 0.99 }))).toEqual(r);
    }
    // The sample exercises both outcomes (some seeds converge within 400 ticks, some may not) and
    // loses about 99% of what it sends.
    expect(converged).toBeGreaterThan(0);
    expect(lostTotal / sentTotal).toBeGreaterThan(0.97);
  });

  it('loss 0.5 and latency "1..3" on the link, run latency 6 and loss 0.9: only the link\'s apply', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = predictPushFull2(seed, 1, 3, 0.5, 100);
      const r = oracleSimulate(membership({
        hosts: 2, protocol: 'push', view: 'full', seed, latencyMin: 6, latencyMax: 6, loss: 0.9, maxTicks: 100,
        regions: cross({ latency: '1..3', loss: 0.5 }),
      }));
      expectPrediction(r, p);
    }
  });
});

describe('membership announce on 2 hosts, loss 0.99 on the cross link', () => {
  it('the run follows the two loss draws rand(LOSS, 1, 0, 0) and rand(LOSS, 0, 1, 0)', () => {
    // Tick 0: 1 -> 0 [1], k = 0. Lost: stalled at tick 0 (sent 1, lost 1). Else tick 1: host 0
    // appends 1, complete, sends 0 -> 1 [0, 1] (k = 0 of host 0 at tick 1). Lost: nothing in
    // flight, stalled at tick 1 (sent 2, lost 1). Else the 2-host trace: converged at tick 2 with
    // sent 3, the last message in flight.
    const threshold = Math.floor(0.99 * TWO32);
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 3000; seed++) {
      const r = oracleSimulate(membership({
        hosts: 2, protocol: 'announce', seed,
        regions: { groups: [{ hosts: '1' }], links: [{ between: [0, 1], loss: 0.99 }] },
      }));
      if (hash(seed, LOSS, 1, 0, 0) < threshold) {
        outcomes.add('first lost');
        expect(r).toMatchObject({ endReason: 'stalled', lastTick: 0, sent: 1, lost: 1, delivered: 0, inFlight: 0, entries: 1, hostCompletionTicks: [null, null] });
      } else if (hash(seed, LOSS, 0, 1, 0) < threshold) {
        outcomes.add('second lost');
        expect(r).toMatchObject({ endReason: 'stalled', lastTick: 1, sent: 2, lost: 1, delivered: 1, inFlight: 0, entries: 3, hostCompletionTicks: [1, null] });
      } else {
        outcomes.add('converged');
        expect(r).toMatchObject({ endReason: 'converged', lastTick: 2, sent: 3, lost: 0, delivered: 2, inFlight: 1, entries: 5, hostCompletionTicks: [1, 2] });
      }
    }
    expect(outcomes.has('first lost')).toBe(true);
    expect(outcomes.has('second lost')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('membership announce on 3 hosts in two regions, latency 2 inside region 0 and 3 across', () => {
  // Region 0 = {0, 1}, region 1 = {2}. a->b [..] is a set with its snapshot; d its latency.
  //
  // | tick | host handles           | appends | sends                          | arrives |
  // | 0    | (start)                |         | 1->0 [1] (d 2), 2->0 [2] (d 3) | 2, 3    |
  // | 2    | 0: from 1 [1]          | 1       | 0->1 [0,1] (d 2)               | 4       |
  // | 3    | 0: from 2 [2]          | 2       | 0->2 [0,1,2] (d 3)             | 6       | 0 complete, stops
  // | 4    | 1: from 0 [0,1]        | 0       | 1->0 [1,0] (d 2)               | 6       |
  // | 6    | 0: from 1              |         |                                |         | ignored
  // | 6    | 2: from 0 [0,1,2]      | 0, 1    | 2->0 [2,0] (d 3), 2->1 [2,0,1] (d 3) | 9 | 2 complete
  // | 9    | 0: from 2              |         |                                |         | ignored
  // | 9    | 1: from 2 [2,0,1]      | 2       | 1->2 [1,0,2] (d 3)             | 12      | 1 complete: converged
  //
  // sent 8, delivered 7, processed 5, ignored 2, entries 1+1+2+3+2+2+3+3 = 17, in flight 1:
  // the numbers of the documented 3-host trace, spread over 9 ticks instead of 3.
  const expected = {
    converged: true, ticks: 9, sent: 8, delivered: 7, processed: 5, ignored: 2, lost: 0, partitioned: 0, dropped: 0, live: 3, inFlight: 1,
    entries: 17, spreadTicks: 6, coverage: 1, endReason: 'converged', lastTick: 9, hostCompletionTicks: [3, 9, 6],
    series: {
      sent: [2, 0, 1, 1, 1, 0, 2, 0, 0, 1],
      delivered: [0, 0, 1, 1, 1, 0, 2, 0, 0, 2],
      complete: [0, 0, 0, 1, 1, 1, 2, 2, 2, 3],
      coverage: [3 / 9, 3 / 9, 4 / 9, 5 / 9, 6 / 9, 6 / 9, 8 / 9, 8 / 9, 8 / 9, 9 / 9],
      live: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
    },
  };
  for (const seed of SEEDS) {
    it(`seed ${seed}: the trace above, however the regions and links are spelt`, () => {
      const spellings: RegionsInput[] = [
        { groups: [{ hosts: '0,1' }], links: [{ between: [0, 0], latency: 2 }, { between: [0, 1], latency: 3 }] },
        { groups: [{ hosts: '0..1' }, { hosts: '2' }], links: [{ between: [1, 0], latency: '3..3' }, { between: [0, 0], latency: '2..2' }, { between: [2, 2], latency: 99 }] },
        // Regions swapped: {2} is region 0, {0, 1} the rest, region 1. [0, 0] is unused (host 2
        // never sends to itself).
        { groups: [{ hosts: '2' }], links: [{ between: [1, 1], latency: 2 }, { between: [0, 1], latency: 3 }, { between: [0, 0], latency: 50 }] },
      ];
      for (const regions of spellings) expect(withoutLoad(oracleSimulate(membership({ hosts: 3, protocol: 'announce', seed, regions })))).toEqual(expected);
      // The run's latency 2 as the default of [0, 0], the link [0, 1] 3.
      expect(withoutLoad(oracleSimulate(membership({
        hosts: 3, protocol: 'announce', seed, latencyMin: 2, latencyMax: 2,
        regions: { groups: [{ hosts: '0,1' }], links: [{ between: [0, 1], latency: 3 }] },
      })))).toEqual(expected);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('fraction groups of regions draw u(h) = rand(seed, REGION = 6, h, 0, 0)', () => {
  it('push, view full, 2 hosts, [{fraction 0.5}]: latency 2 inside region 0, 3 inside the rest, 4 across', () => {
    // Region 0: u(h) < floor(0.5 * 2^32) = 2^31; the rest (region 1): u(h) >= 2^31. With latency d
    // on every message between the two hosts, both pushes of tick 0 arrive at tick d and both
    // complete there: converged at tick d (the view-full trace above, with 4 replaced by d).
    const outcomes = new Set<number>();
    let streamMatters = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const region = (h: number, stream: number): number => (hash(seed, stream, h, 0, 0) < TWO32 / 2 ? 0 : 1);
      const d = (r0: number, r1: number): number => (r0 !== r1 ? 4 : r0 === 0 ? 2 : 3);
      const expected = d(region(0, REGION), region(1, REGION));
      if (expected !== d(region(0, PARTITION), region(1, PARTITION))) streamMatters++;
      outcomes.add(expected);
      const r = oracleSimulate(membership({
        hosts: 2, protocol: 'push', view: 'full', seed,
        regions: { groups: [{ fraction: 0.5 }], links: [{ between: [0, 0], latency: 2 }, { between: [1, 1], latency: 3 }, { between: [0, 1], latency: 4 }] },
      }));
      expect(r).toMatchObject({
        endReason: 'converged', ticks: expected, sent: 2 * (expected + 1), delivered: 2, inFlight: 2 * expected,
        hostCompletionTicks: [expected, expected], series: { delivered: range(expected + 1, (t) => (t === expected ? 2 : 0)) },
      });
    }
    expect([...outcomes].sort((a, b) => a - b)).toEqual([2, 3, 4]);
    expect(streamMatters).toBeGreaterThan(0);
  });

  it('fraction groups [0.25, 0.25, 0.25] are the id groups their thresholds give (push-pull, 12 hosts)', () => {
    // Thresholds floor(0.25 * 2^32) = 2^30, 2^31, 3 * 2^30; u(h) >= 3 * 2^30 is the rest, region 3.
    const links: RegionsInput['links'] = [
      { between: [0, 1], latency: 3 },
      { between: [2, 1], latency: '2..4', loss: 0.1 },
      { between: [0, 3], loss: 0.3 },
      { between: [2, 2], latency: 2 },
      { between: [3, 3], latency: '1..5' },
    ];
    let compared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const members: number[][] = [[], [], [], []];
      for (let h = 0; h < 12; h++) members[Math.min(3, Math.floor(hash(seed, REGION, h, 0, 0) / 2 ** 30))]!.push(h);
      // An id group must name at least one id, so only seeds whose three groups are all non-empty
      // have an id spelling.
      if (members.slice(0, 3).some((m) => m.length === 0)) continue;
      compared++;
      const cfg = membership({ hosts: 12, protocol: 'push-pull', fanout: 2, seed, maxTicks: 60, loss: 0.05 });
      const byFraction = oracleSimulate({ ...cfg, regions: { groups: [{ fraction: 0.25 }, { fraction: 0.25 }, { fraction: 0.25 }], links } });
      const byIds = oracleSimulate({ ...cfg, regions: { groups: members.slice(0, 3).map((m) => ({ hosts: m.join(',') })), links } });
      expect(byFraction).toEqual(byIds);
    }
    expect(compared).toBeGreaterThan(10);
  });
});

// ---------------------------------------------------------------------------------------------
describe('partitions come first: a cut message takes no link', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: push, view full, 2 hosts, {0} | {1} for ticks 0..2, cross link latency 4: converged at tick 7`, () => {
      // Ticks 0, 1, 2: both pushes cut (6 partitioned). Tick 3's pushes pass and take the link's 4
      // ticks: both complete at tick 7. Every tick 2 sent: 16; delivered 2 (at tick 7); in flight
      // the 8 sent at ticks 4..7.
      const r = oracleSimulate(membership({
        hosts: 2, protocol: 'push', view: 'full', seed,
        partitions: [{ at: 0, heal: 3, groups: [{ hosts: '0' }] }],
        regions: { groups: [{ hosts: '0' }], links: [{ between: [0, 1], latency: 4 }] },
      }));
      expect(r).toMatchObject({
        endReason: 'converged', ticks: 7, lastTick: 7, sent: 16, lost: 6, partitioned: 6, delivered: 2, inFlight: 8,
        hostCompletionTicks: [7, 7], series: { sent: range(8, () => 2), delivered: [0, 0, 0, 0, 0, 0, 0, 2] },
      });
      identities(r);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('rumor, messages model, N = 2 (view full: each host\'s only peer is the other), cross link latency 4', () => {
  const regions: RumorRegionsInput = { groups: [{ hosts: '0' }], links: [{ between: [0, 1], latency: 4 }] };
  for (const seed of SEEDS) {
    it(`seed ${seed}: push, blind, counter k = 1: the update reaches 1 at tick 4, the answer arrives at tick 8`, () => {
      // Tick 0: host 0 (hot) pushes an update (arrives at 4); blind: it sent one, a counting tick,
      // c = 1 = k: it loses interest. Ticks 1..3: nobody hot, nothing sent, an update in flight.
      // Tick 4: host 1 receives it, recv(1) = 4, hot; its step pushes an update to 0 (arrives at
      // 8), c = 1: loses interest. Ticks 5..7: nothing sent. Tick 8: host 0 receives it (knew it).
      // Nobody hot, nothing in flight: converged at lastTick 8. (Latency 1: lastTick 2.)
      const plain = rumorOracle(rumor({ hosts: 2, seed, feedback: 'blind', k: 1 }));
      expect(plain).toMatchObject({ lastTick: 2, series: { delivered: [0, 1, 1] } });
      const r = rumorOracle(rumor({ hosts: 2, seed, feedback: 'blind', k: 1, regions }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 4, sent: 2, delivered: 2, processed: 2, ignored: 0, lost: 0, partitioned: 0, dropped: 0, live: 2, inFlight: 0,
        entries: 0, spreadTicks: 4, coverage: 1, endReason: 'converged', lastTick: 8, hostCompletionTicks: [0, 4],
        series: {
          sent: [1, 0, 0, 0, 1, 0, 0, 0, 0],
          delivered: [0, 0, 0, 0, 1, 0, 0, 0, 1],
          complete: [1, 1, 1, 1, 2, 2, 2, 2, 2],
          coverage: [0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1],
          live: [2, 2, 2, 2, 2, 2, 2, 2, 2],
        },
        protocolMetrics: { residue: 0, traffic: 1, tAve: 4, tLast: 4, reached: 2, updates: 2, requests: 0, feedback: 0 },
      });
      // Run latency 4 without regions is the same run.
      expect(rumorOracle(rumor({ hosts: 2, seed, feedback: 'blind', k: 1, latencyMin: 4, latencyMax: 4 }))).toEqual(r);
    });

    it(`seed ${seed}: push, feedback, counter k = 1: feedback takes the link too, interest is lost 8 ticks after the contact`, () => {
      // Host h's messages all take 4 ticks. U = update, F+ = feedback new, F = feedback knew.
      // Ticks 0..3: host 0 pushes U (arrive 4..7); no feedback yet, nothing counts.
      // Tick 4: host 1 gets U (new): recv 4, sends F+ (arr 8), its step U (arr 8). Host 0: U.
      // Ticks 5..7: host 1 gets U (knew): F, then U; host 0: U.
      // Tick 8: host 0 gets F+ (necessary) and U: sends F; step U; c(0) = 0. Host 1 gets U: F, U.
      // Tick 9: host 0 gets F (unnecessary) and U: F; step U; c(0) = 1: loses interest. Host 1: F, U.
      // Ticks 10, 11: host 0 ignores F, answers U with F, sends no U. Host 1: F, U.
      // Tick 12: host 1 gets F (host 0's of tick 8: unnecessary) and U: F; step U; c(1) = 1: loses
      // interest. Host 0: ignores F, answers U with F.
      // Tick 13: host 1 ignores F, answers host 0's last U (of tick 9) with F. Host 0: F.
      // Ticks 14..16: host 1 ignores host 0's F; host 0 answers host 1's U (of 10..12) with F.
      // After tick 16 no U is in flight and nobody is hot: converged. In flight: host 0's F of
      // ticks 13..16 and host 1's F of tick 13.
      // Host 0 sent U at 0..9 (10) and F at 8..16 (9); host 1 U at 4..12 (9) and F at 4..13 (10).
      // Ignored: host 0 the F it got at 10..16 (7), host 1 the F it got at 13..16 (4).
      const r = rumorOracle(rumor({ hosts: 2, seed, feedback: 'feedback', k: 1, regions }));
      expect(withoutLoad(r)).toEqual({
        converged: true, ticks: 4, sent: 38, delivered: 33, processed: 22, ignored: 11, lost: 0, partitioned: 0, dropped: 0, live: 2, inFlight: 5,
        entries: 0, spreadTicks: 4, coverage: 1, endReason: 'converged', lastTick: 16, hostCompletionTicks: [0, 4],
        series: {
          sent: [1, 1, 1, 1, 3, 3, 3, 3, 4, 4, 3, 3, 3, 2, 1, 1, 1],
          delivered: [0, 0, 0, 0, 1, 1, 1, 1, 3, 3, 3, 3, 4, 4, 3, 3, 3],
          complete: [1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
          coverage: [0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
          live: new Array<number>(17).fill(2),
        },
        protocolMetrics: { residue: 0, traffic: 9.5, tAve: 4, tLast: 4, reached: 2, updates: 19, requests: 0, feedback: 19 },
      });
      identities(r);
    });
  }

  it('loss 0.99 on the cross link: the source\'s updates reach host 1 at the first tick t with rand(LOSS, 0, t, 0) >= floor(0.99 * 2^32)', () => {
    // Push, blind, counter k = 1000 (nobody loses interest within the test's ticks), latency 1. Host
    // 0 is alone in its step's k = 0 at every tick (it receives nothing before host 1 knows, and
    // host 1 sends nothing while susceptible), so host 1's recv is t0 + 1 for the first such t0.
    const threshold = Math.floor(0.99 * TWO32);
    for (let seed = 1; seed <= 10; seed++) {
      let t0 = 0;
      while (hash(seed, LOSS, 0, t0, 0) < threshold) t0++;
      const M = t0 + 1;
      const r = rumorOracle(rumor({
        hosts: 2, seed, feedback: 'blind', k: 1000, maxTicks: M,
        regions: { groups: [{ hosts: '1' }], links: [{ between: [1, 0], loss: 0.99 }] },
      }));
      expect(r.hostCompletionTicks).toEqual([0, t0 + 1]);
      // Lost: host 0's updates of ticks 0 .. t0 - 1, and of tick M those of hosts 0 and 1 (both
      // hot then, each k = 0) that the draw loses.
      const lostAtM = [0, 1].filter((h) => hash(seed, LOSS, h, M, 0) < threshold).length;
      expect(r.lost).toBe(t0 + lostAtM);
      expect(r.series.sent.slice(0, t0 + 1)).toEqual(range(t0 + 1, () => 1));
    }
  });

  it('synchronous contacts with regions are an error ("with rumor they require --contact messages")', () => {
    const noLinks: RumorRegionsInput = { groups: [{ hosts: '0' }], links: [] };
    for (const regions of [noLinks, { groups: [{ hosts: '0' }], links: [{ between: [0, 1] as [number, number], latency: 4 }] }]) {
      expect(() => rumorOracle(rumor({ hosts: 2, contact: 'synchronous', regions }))).toThrow();
    }
    // Without regions, synchronous is fine.
    expect(rumorOracle(rumor({ hosts: 2, contact: 'synchronous' })).endReason).toBe('converged');
  });
});

// ---------------------------------------------------------------------------------------------
describe('malformed regions are rejected by both oracles', () => {
  // N = 4. One id group: G = 1, regions 0 and 1 (the rest).
  const g1: RegionsInput['groups'] = [{ hosts: '0,1' }];
  const bad: [string, unknown][] = [
    ['region above G', { groups: g1, links: [{ between: [0, 2], latency: 2 }] }],
    ['negative region', { groups: g1, links: [{ between: [-1, 0] }] }],
    ['region not a whole number', { groups: g1, links: [{ between: [0.5, 1] }] }],
    ['between with one region', { groups: g1, links: [{ between: [0] }] }],
    ['between with three regions', { groups: g1, links: [{ between: [0, 1, 1] }] }],
    ['the same pair twice, both orders', { groups: g1, links: [{ between: [0, 1], latency: 2 }, { between: [1, 0], latency: 2 }] }],
    ['the same pair twice, same order', { groups: g1, links: [{ between: [1, 1] }, { between: [1, 1] }] }],
    ['latency 0', { groups: g1, links: [{ between: [0, 1], latency: 0 }] }],
    ['latency 2.5', { groups: g1, links: [{ between: [0, 1], latency: 2.5 }] }],
    ['latency "3.."', { groups: g1, links: [{ between: [0, 1], latency: '3..' }] }],
    ['latency "5..3"', { groups: g1, links: [{ between: [0, 1], latency: '5..3' }] }],
    ['latency "0..2"', { groups: g1, links: [{ between: [0, 1], latency: '0..2' }] }],
    ['latency "4" (neither D nor LO..HI)', { groups: g1, links: [{ between: [0, 1], latency: '4' }] }],
    ['latency over 1e9', { groups: g1, links: [{ between: [0, 1], latency: 1000000001 }] }],
    ['loss 1', { groups: g1, links: [{ between: [0, 1], loss: 1 }] }],
    ['negative loss', { groups: g1, links: [{ between: [0, 1], loss: -0.1 }] }],
    ['loss NaN', { groups: g1, links: [{ between: [0, 1], loss: Number.NaN }] }],
    ['unknown link field', { groups: g1, links: [{ between: [0, 1], latancy: 2 }] }],
    ['overlapping id groups', { groups: [{ hosts: '0..2' }, { hosts: '2,3' }], links: [] }],
    ['id not below N', { groups: [{ hosts: '0..4' }], links: [] }],
    ['mixed id and fraction groups', { groups: [{ hosts: '0' }, { fraction: 0.5 }], links: [] }],
    ['fraction 0', { groups: [{ fraction: 0 }], links: [] }],
    ['fractions summing over 1', { groups: [{ fraction: 0.6 }, { fraction: 0.6 }], links: [] }],
    ['empty id item', { groups: [{ hosts: '0,,1' }], links: [] }],
    ['no links list', { groups: g1 }],
  ];
  for (const [what, regions] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => oracleSimulate(membership({ hosts: 4, protocol: 'push', maxTicks: 2, regions: regions as RegionsInput }))).toThrow();
      expect(() => rumorOracle(rumor({ hosts: 4, maxTicks: 2, regions: regions as RumorRegionsInput }))).toThrow();
    });
  }
  it('accepts the rest as a region number, a link to itself, and no groups at all (every host in region 0)', () => {
    const ok: RegionsInput[] = [
      { groups: g1, links: [{ between: [1, 1], latency: 2 }, { between: [0, 0] }, { between: [1, 0], loss: 0 }] },
      { groups: [], links: [{ between: [0, 0], latency: '1..1' }] },
    ];
    for (const regions of ok) {
      expect(oracleSimulate(membership({ hosts: 4, protocol: 'push', maxTicks: 2, regions })).lastTick).toBeLessThanOrEqual(2);
      expect(rumorOracle(rumor({ hosts: 4, maxTicks: 2, regions })).lastTick).toBeLessThanOrEqual(2);
    }
    // No groups: a link [0, 1] names a region that does not exist (G = 0).
    expect(() => oracleSimulate(membership({ hosts: 4, protocol: 'push', maxTicks: 2, regions: { groups: [], links: [{ between: [0, 1] }] } }))).toThrow();
  });
});
