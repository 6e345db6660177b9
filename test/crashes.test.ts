/**
 * Crashes (docs/semantics.md "Faults: crashes"): the behaviours the fault model promises, each
 * checked on the reference engine and the parallel engine, and the identities that hold under
 * crashes. The metric-by-metric agreement with the independent oracle is in faults-engines.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type Result } from '../src/index.js';

/** The deterministic part of a result. */
function metricsOf(r: Result): unknown {
  const { wallSeconds, diagnostics, threads, engine, options, ...rest } = r as unknown as Record<string, unknown>;
  void wallSeconds; void diagnostics; void threads; void engine; void options;
  return { ...rest, hostCompletionTicks: r.hostCompletionTicks };
}

function identities(r: Result): void {
  expect(r.sent).toBe(r.delivered + r.lost + r.inFlight);
  expect(r.processed + r.ignored + r.dropped).toBe(r.delivered);
  expect(r.series.live.length).toBe(r.lastTick + 1);
  expect(r.series.live[r.lastTick]).toBe(r.live);
}

describe('crashes (docs/semantics.md "Faults: crashes")', () => {
  it('crash-recover with kept state re-converges, after the hosts are back, on every periodic protocol', async () => {
    for (const protocol of ['push', 'pull', 'push-pull'] as const) {
      const crashes = [{ at: 2, recover: 14, fraction: 0.3 }];
      const reference = await simulate({ protocol, hosts: 150, crashes, engine: 'reference' });
      expect(reference.converged, protocol).toBe(true);
      expect(reference.ticks!, protocol).toBeGreaterThanOrEqual(14);
      expect(reference.live).toBe(150);
      expect(reference.dropped, protocol).toBeGreaterThan(0);
      expect(Math.min(...reference.series.live), protocol).toBeLessThan(150);
      identities(reference);
      expect(metricsOf(await simulate({ protocol, hosts: 150, crashes, threads: 2 }))).toEqual(metricsOf(reference));
    }
  });

  it('announce has no retries: sets dropped at down hosts are never resent, and the run stalls only after the recover', async () => {
    const crashes = [{ at: 2, recover: 14, fraction: 0.3 }];
    const r = await simulate({ hosts: 150, crashes, engine: 'reference' });
    expect(r.converged).toBe(false);
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBeGreaterThanOrEqual(14);
    expect(r.dropped).toBeGreaterThan(0);
    identities(r);
    expect(metricsOf(await simulate({ hosts: 150, crashes, threads: 3 }))).toEqual(metricsOf(r));
  });

  it('the fault timeline plays out: a run converged before a recover runs on to it', async () => {
    const free = await simulate({ protocol: 'push', hosts: 100, view: 'full', engine: 'reference' });
    // One host down from tick 1 to tick 60: the live hosts are complete long before.
    const r = await simulate({ protocol: 'push', hosts: 100, view: 'full', crashes: [{ at: 1, recover: 60, hosts: '7' }], engine: 'reference' });
    expect(free.ticks!).toBeLessThan(40);
    expect(r.converged).toBe(true);
    expect(r.lastTick).toBeGreaterThanOrEqual(60);
    expect(r.series.live.slice(1, 60).every((live) => live === 99)).toBe(true);
    expect(r.series.live[60]).toBe(100);
  });

  it('a host down from tick 0 for good is never learnt in view full: no convergence, coverage below 1', async () => {
    for (const protocol of ['push', 'pull', 'push-pull'] as const) {
      const r = await simulate({ protocol, hosts: 60, view: 'full', maxTicks: 60, crashes: [{ at: 0, hosts: '59' }], threads: 2 });
      expect(r.converged, protocol).toBe(false);
      expect(r.endReason).toBe('max-ticks');
      expect(r.live).toBe(59);
      // Every live host knows the other 59 and never host 59: 59 of 60 ids each.
      expect(r.coverage).toBeCloseTo(59 / 60, 12);
      identities(r);
    }
  });

  it('announce with host 0 crashed brings nobody in: every announcement is dropped and the run stalls', async () => {
    for (const engine of [{ engine: 'reference' as const }, { threads: 3 }]) {
      const r = await simulate({ hosts: 80, crashes: [{ at: 0, hosts: '0' }], ...engine });
      expect(r.endReason).toBe('stalled');
      expect(r.sent).toBe(79);
      expect(r.dropped).toBe(79);
      expect(r.processed).toBe(0);
      expect(r.live).toBe(79);
      expect(r.coverage).toBeCloseTo(1 / 80, 12);
      identities(r);
    }
  });

  it('a host down from tick 0 that recovers starts then: announce brings it in late', async () => {
    const r = await simulate({ hosts: 40, crashes: [{ at: 0, recover: 9, hosts: '5..9' }], engine: 'reference' });
    expect(r.converged).toBe(true);
    expect(r.ticks!).toBeGreaterThan(9);
    // Nobody can know hosts 5..9 before they announce themselves at tick 9.
    const completions = r.hostCompletionTicks.filter((t): t is number => t !== null);
    expect(Math.min(...completions)).toBeGreaterThanOrEqual(10);
    expect(metricsOf(await simulate({ hosts: 40, crashes: [{ at: 0, recover: 9, hosts: '5..9' }], threads: 2 }))).toEqual(metricsOf(r));
  });

  it('a crash after the last tick, or none at all, changes nothing; one after convergence keeps the run going to it', async () => {
    const free = await simulate({ protocol: 'push-pull', hosts: 120, latency: '1..3', loss: 0.1, engine: 'reference' });
    const maxTicks = free.lastTick + 5;
    const late = await simulate({ protocol: 'push-pull', hosts: 120, latency: '1..3', loss: 0.1, maxTicks, crashes: [{ at: maxTicks + 1, fraction: 0.5 }], engine: 'reference' });
    const after = await simulate({ protocol: 'push-pull', hosts: 120, latency: '1..3', loss: 0.1, crashes: [{ at: free.lastTick + 3, fraction: 0.5 }], engine: 'reference' });
    expect(after.lastTick).toBe(free.lastTick + 3);
    expect(after.converged).toBe(true);
    expect(after.live).toBeLessThan(120);
    expect(after.series.live.slice(0, free.lastTick + 3)).toEqual(free.series.live.concat([120, 120]));
    const none = await simulate({ protocol: 'push-pull', hosts: 120, latency: '1..3', loss: 0.1, crashes: [], engine: 'reference' });
    expect(metricsOf(late)).toEqual(metricsOf(free));
    expect(metricsOf(none)).toEqual(metricsOf(free));
    expect(free.dropped).toBe(0);
    expect(free.live).toBe(120);
    expect(free.series.live.every((live) => live === 120)).toBe(true);
  });

  it('fraction crashes take about their share of the hosts, drawn per crash index', async () => {
    const r = await simulate({ protocol: 'push', hosts: 20_000, view: 'full', maxTicks: 3, crashes: [{ at: 1, fraction: 0.25 }, { at: 2, fraction: 0.25 }], threads: 2 });
    const once = 20_000 - r.series.live[1]!;
    const both = 20_000 - r.series.live[2]!;
    expect(once / 20_000).toBeCloseTo(0.25, 1);
    // Two independent draws: about 1 - 0.75^2 = 43.75% down, not 25% (the same hosts) nor 50%.
    expect(both / 20_000).toBeCloseTo(0.4375, 1);
    expect(r.series.live[0]).toBe(20_000);
  });

  it('overlapping crashes hold a host until the last of them lets it go', async () => {
    const r = await simulate({ protocol: 'pull', hosts: 30, maxTicks: 12, crashes: [{ at: 2, recover: 6, hosts: '0..9' }, { at: 4, recover: 9, hosts: '5..14' }], engine: 'reference' });
    expect(r.series.live.slice(0, 11)).toEqual([30, 30, 20, 20, 15, 15, 20, 20, 20, 30, 30]);
  });
});

describe('churn (docs/semantics.md "Faults: churn")', () => {
  it('churn at rate 0 gives exactly the fault-free metrics, on every protocol and engine', async () => {
    for (const protocol of ['announce', 'push', 'pull', 'push-pull'] as const) {
      const base = { protocol, hosts: 90, latency: '1..3', loss: 0.05, maxTicks: 200, ...(protocol === 'announce' ? {} : { fanout: 2 }) };
      const free = await simulate({ ...base, engine: 'reference' });
      for (const engine of [{ engine: 'reference' as const }, { threads: 1 }, { threads: 3 }]) {
        const still = await simulate({ ...base, churn: { at: 0, leave: 0, join: 0 }, ...engine });
        expect(metricsOf(still), `${protocol} ${JSON.stringify(engine)}`).toEqual(metricsOf(free));
      }
    }
  });

  it('steady churn keeps about leave / (leave + join) of the hosts away, and a run that stops churning re-converges', async () => {
    const churn = { at: 1, until: 40, leave: 0.05, join: 0.2 };
    const r = await simulate({ protocol: 'push', hosts: 4000, view: 'full', churn, threads: 2 });
    // The stationary share of hosts away is 0.05 / 0.25 = 20%; by tick 30 the chain is near it.
    const away = 1 - r.series.live[30]! / 4000;
    expect(away).toBeGreaterThan(0.15);
    expect(away).toBeLessThan(0.25);
    expect(r.lastTick).toBeGreaterThanOrEqual(40);
    identities(r);
    // Joins of probability 1 bring every host back the tick after it left; once churn stops (tick
    // 12) the hosts that left at tick 11 stay down, and the live hosts converge.
    const back = await simulate({ protocol: 'push', hosts: 400, view: 'full', churn: { at: 1, until: 12, leave: 0.05, join: 1 }, engine: 'reference' });
    expect(back.converged).toBe(true);
    expect(back.live).toBeLessThan(400);
    expect(back.series.live.slice(11).every((live) => live === back.live)).toBe(true);
  });

  it('reserved hosts are down from tick 0 and start when they join: announce brings them in', async () => {
    const r = await simulate({ hosts: 100, churn: { at: 0, until: 30, leave: 0, join: 0.2, reserve: 20 }, engine: 'reference' });
    expect(r.series.live[0]).toBeLessThan(100);
    expect(r.series.live[0]).toBeGreaterThanOrEqual(80);
    expect(r.converged).toBe(true);
    expect(r.live).toBe(100);
    // No host can know a reserved host before it joins and announces itself.
    const firstFull = r.series.live.findIndex((live) => live === 100);
    expect(r.ticks!).toBeGreaterThan(firstFull);
    expect(metricsOf(await simulate({ hosts: 100, churn: { at: 0, until: 30, leave: 0, join: 0.2, reserve: 20 }, threads: 3 }))).toEqual(metricsOf(r));
  });
});

/** Every rumor contact model and mode, at small size. */
const RUMOR_VARIANTS = (['synchronous', 'messages'] as const).flatMap((contact) =>
  (['push', 'pull', 'push-pull'] as const).map((rumorMode) => ({ protocol: 'rumor' as const, contact, rumorMode })));

describe('faults under rumor (docs/semantics.md "Faults under `rumor`")', () => {
  it('churn at rate 0 gives exactly the fault-free metrics, in every contact model and mode', async () => {
    for (const variant of RUMOR_VARIANTS) {
      const base = { ...variant, hosts: 400, maxTicks: 300, ...(variant.contact === 'messages' ? { latency: '1..3', loss: 0.05 } : {}) };
      const free = await simulate({ ...base, engine: 'reference' });
      for (const engine of [{ engine: 'reference' as const }, { threads: 2 }]) {
        const still = await simulate({ ...base, churn: { at: 0, until: 20, leave: 0, join: 0 }, ...engine });
        expect(metricsOf(still), `${JSON.stringify(variant)} ${JSON.stringify(engine)}`).toEqual(metricsOf(free));
      }
    }
  });

  it('a source down from tick 0 knows the update and spreads it only once it is up', async () => {
    for (const variant of RUMOR_VARIANTS) {
      const options = { ...variant, hosts: 300, crashes: [{ at: 0, recover: 8, hosts: '0' }] };
      const r = await simulate({ ...options, engine: 'reference' });
      const what = JSON.stringify(variant);
      // The source knows at tick 0; nobody else can learn it before the source's first contacts at tick 8.
      expect(r.hostCompletionTicks[0], what).toBe(0);
      const others = r.hostCompletionTicks.slice(1).filter((t): t is number => t !== null);
      expect(others.length, what).toBeGreaterThan(200);
      expect(Math.min(...others), what).toBeGreaterThanOrEqual(8);
      expect(r.series.live.slice(0, 8).every((live) => live === 299), what).toBe(true);
      identities(r);
      expect(metricsOf(await simulate({ ...options, threads: 3 })), what).toEqual(metricsOf(r));
    }
  });

  it('hot hosts crashed for good do not keep the run going: it ends over the live hosts, and they count as unreached if they were', async () => {
    for (const variant of RUMOR_VARIANTS) {
      const options = { ...variant, hosts: 2000, maxTicks: 5000, crashes: [{ at: 3, fraction: 0.2 }] };
      const r = await simulate({ ...options, engine: 'reference' });
      const what = JSON.stringify(variant);
      expect(r.endReason, what).not.toBe('max-ticks');
      expect(r.lastTick, what).toBeLessThan(200);
      expect(r.live, what).toBeLessThan(1700);
      expect(r.live, what).toBeGreaterThan(1500);
      expect(r.dropped, what).toBeGreaterThan(0);
      // Coverage is over the live hosts only.
      expect(r.coverage, what).toBeCloseTo(r.series.complete[r.lastTick]! / r.live, 12);
      identities(r);
      expect(metricsOf(await simulate({ ...options, threads: 2 })), what).toEqual(metricsOf(r));
    }
  });

  it('a down hot host keeps the run going while churn can bring it back', async () => {
    // Every host leaves at tick 5 (leave 1), and joins again with probability 0.1 per tick until tick 60.
    const options = { protocol: 'rumor' as const, rumorMode: 'push' as const, hosts: 200, churn: { at: 5, until: 60, leave: 1, join: 0.1 }, maxTicks: 1000 };
    const r = await simulate({ ...options, engine: 'reference' });
    expect(r.lastTick).toBeGreaterThanOrEqual(60);
    expect(r.series.live[5]).toBe(0);
    identities(r);
    expect(metricsOf(await simulate({ ...options, threads: 2 }))).toEqual(metricsOf(r));
  });
});

describe('crashes that lose state (docs/semantics.md "Crashes that lose state")', () => {
  it('a host that loses its state is incomplete again and completes later; with state kept it stays complete', async () => {
    for (const protocol of ['push', 'pull', 'push-pull'] as const) {
      const base = { protocol, hosts: 80, view: 'full' as const, engine: 'reference' as const };
      const free = await simulate(base);
      const at = free.ticks! + 1;
      const keep = await simulate({ ...base, crashes: [{ at, recover: at + 3, hosts: '10..19' }] });
      const lose = await simulate({ ...base, crashes: [{ at, recover: at + 3, hosts: '10..19', state: 'initial' as const }] });
      for (let h = 10; h < 20; h++) {
        expect(keep.hostCompletionTicks[h], protocol).toBe(free.hostCompletionTicks[h]);
        expect(lose.hostCompletionTicks[h]!, protocol).toBeGreaterThanOrEqual(at + 3);
      }
      expect(lose.hostCompletionTicks[5], protocol).toBe(free.hostCompletionTicks[5]);
      expect(lose.converged, protocol).toBe(true);
      // The coverage of the tick after the recover counts the wiped hosts' near-empty sets.
      expect(lose.series.coverage[at + 3]!, protocol).toBeLessThan(keep.series.coverage[at + 3]!);
      expect(lose.series.live[at]!, protocol).toBe(70);
      identities(lose);
      for (const threads of [1, 3]) expect(metricsOf(await simulate({ ...base, engine: 'parallel', threads, crashes: [{ at, recover: at + 3, hosts: '10..19', state: 'initial' as const }] })), `${protocol} ${threads}`).toEqual(metricsOf(lose));
    }
  });

  it('state lost at tick 0 changes nothing; hosts that never come back count as incomplete', async () => {
    const base = { protocol: 'push-pull' as const, hosts: 60, latency: '1..3', engine: 'reference' as const };
    const keep0 = await simulate({ ...base, crashes: [{ at: 0, recover: 5, hosts: '3..9' }] });
    const lose0 = await simulate({ ...base, crashes: [{ at: 0, recover: 5, hosts: '3..9', state: 'initial' as const }] });
    expect(metricsOf(lose0)).toEqual(metricsOf(keep0));
    const gone = await simulate({ ...base, crashes: [{ at: 40, hosts: '3..9', state: 'initial' as const }] });
    expect(gone.converged).toBe(true);
    for (let h = 3; h <= 9; h++) expect(gone.hostCompletionTicks[h]).toBeNull();
    expect(gone.live).toBe(53);
  });

  it('rumor: a host that loses its state forgets the update and may receive it again', async () => {
    for (const variant of RUMOR_VARIANTS) {
      const options = { ...variant, hosts: 500, crashes: [{ at: 6, recover: 7, fraction: 0.5, state: 'initial' as const }] };
      const keep = await simulate({ ...options, crashes: [{ at: 6, recover: 7, fraction: 0.5 }], engine: 'reference' });
      const lose = await simulate({ ...options, engine: 'reference' });
      const what = JSON.stringify(variant);
      // Back at tick 7, the wiped hosts do not know the update (a few may receive it again at once).
      expect(lose.series.complete[7]!, what).toBeLessThan(keep.series.complete[7]!);
      // Hosts that knew before the crash and received it again have a completion tick past the crash.
      const again = lose.hostCompletionTicks.filter((t, h) => t !== null && t >= 7 && keep.hostCompletionTicks[h] !== null && keep.hostCompletionTicks[h]! < 6);
      expect(again.length, what).toBeGreaterThan(0);
      identities(lose);
      expect(metricsOf(await simulate({ ...options, threads: 3 })), what).toEqual(metricsOf(lose));
    }
  });

  it('announce: hosts that lose their state after convergence know only themselves for good (no repair, no second start)', async () => {
    // 200 hosts converge at tick 3 (latency 1); hosts 21..40 lose their state at 4 and are back
    // at 6. Nothing is in flight by then and nobody newly learns them, so they stay at [h]: the
    // run stalls at 6 with coverage (180 * 200 + 20) / 200^2. With "keep" it converges at 6.
    const options = { hosts: 200, crashes: [{ at: 4, recover: 6, hosts: '21..40', state: 'initial' as const }] };
    const lose = await simulate({ ...options, engine: 'reference' });
    const keep = await simulate({ ...options, crashes: [{ at: 4, recover: 6, hosts: '21..40' }], engine: 'reference' });
    expect(keep.endReason).toBe('converged');
    expect(keep.lastTick).toBe(6);
    expect(lose.endReason).toBe('stalled');
    expect(lose.lastTick).toBe(6);
    expect(lose.coverage).toBe((180 * 200 + 20) / (200 * 200));
    expect(lose.series.complete).toEqual([0, 1, 2, 200, 180, 180, 180]);
    expect(lose.hostCompletionTicks).toEqual(keep.hostCompletionTicks.map((t, h) => (h >= 21 && h <= 40 ? null : t)));
    expect(lose.sent).toBe(keep.sent);
    identities(lose);
    for (const threads of [1, 3]) expect(metricsOf(await simulate({ ...options, threads })), `threads ${threads}`).toEqual(metricsOf(lose));
  });
});
