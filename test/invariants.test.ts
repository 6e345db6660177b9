/**
 * Properties every run satisfies (SPEC.md "Metrics", "The end of a run"), checked over a few hundred
 * small seeded random configurations on every engine, plus specific behaviours at the edges.
 *
 * Rerun a failing case with the seed printed in its message: GOSSIP_SIM_TEST_SEED=<seed>; widen the
 * search with GOSSIP_SIM_TEST_CONFIGS=<count>.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULTS, SET_PROTOCOLS, resolveOptions, simulate, VIEWS,
  type Protocol, type Result, type SimulationInput,
} from '../src/index.js';
import { ENGINE_VARIANTS, type EngineVariant } from './support/engines.js';
import { describeCase, randomConfig, testSeed } from './support/random.js';

const SEED = testSeed();
const CONFIG_COUNT = configCount(250);
/** How many of the configurations are also run with threads 1 and 3. */
const THREADS_CHECKED = Math.min(CONFIG_COUNT, 100);

interface Case {
  readonly index: number;
  readonly config: SimulationInput;
  /** Printed with every failed assertion: seed, index and configuration. */
  readonly context: string;
}

interface Run extends Case {
  readonly result: Result;
}

const CASES: readonly Case[] = Array.from({ length: CONFIG_COUNT }, (_, index) => {
  const config = randomConfig(SEED, index);
  return { index, config, context: describeCase(SEED, index, config) };
});

function configCount(fallback: number): number {
  const text = process.env['GOSSIP_SIM_TEST_CONFIGS'];
  if (text === undefined || text === '') return fallback;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`GOSSIP_SIM_TEST_CONFIGS: got ${JSON.stringify(text)}, expected a positive integer`);
  }
  return count;
}

/** Runs `input`, adding the case's context to any error so a crash names its configuration. */
async function run(sim: EngineVariant['simulate'], input: SimulationInput, context: string): Promise<Result> {
  try {
    return await sim(input);
  } catch (error) {
    throw new Error(`simulate() failed for ${context}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A result without what legitimately differs between runs and engines: timing, engine, threads. */
function outcomeOf(result: Result): Record<string, unknown> {
  return {
    ...result,
    wallSeconds: null,
    diagnostics: null,
    engine: null,
    threads: null,
    options: { ...result.options, engine: null, threads: null },
  };
}

/** Reference outcomes by case index, computed once and shared by every variant. */
const referenceOutcomes = new Map<number, Promise<Record<string, unknown>>>();
function referenceOutcome(c: Case): Promise<Record<string, unknown>> {
  let outcome = referenceOutcomes.get(c.index);
  if (outcome === undefined) {
    outcome = run(simulate, { ...c.config, engine: 'reference' }, c.context).then(outcomeOf);
    referenceOutcomes.set(c.index, outcome);
  }
  return outcome;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function isPeriodic(protocol: Protocol): boolean {
  return protocol !== 'announce';
}

describe.each(ENGINE_VARIANTS)('invariants over random configurations on the $label engine', ({ input, simulate }) => {
  let runs: Run[] = [];

  beforeAll(async () => {
    runs = [];
    for (const c of CASES) runs.push({ ...c, result: await run(simulate, { ...c.config, ...input }, c.context) });
  });

  it(`runs ${CONFIG_COUNT} configurations of seed ${SEED} that reach every protocol, view, latency shape, loss and end`, () => {
    // The sample must reach what the invariants below are about: a generator that lost a
    // protocol, a view, latency ranges, loss or an end reason would make them pass vacuously.
    if (CONFIG_COUNT < 100) return;
    const o = runs.map((r) => r.result.options);
    expect(new Set(o.map((x) => x.protocol))).toEqual(new Set(SET_PROTOCOLS));
    expect(new Set(o.filter((x) => isPeriodic(x.protocol)).map((x) => x.view))).toEqual(new Set(VIEWS));
    expect(o.some((x) => x.latency.min < x.latency.max)).toBe(true);
    expect(o.some((x) => x.latency.min === x.latency.max && x.latency.min > 1)).toBe(true);
    expect(o.some((x) => x.loss > 0)).toBe(true);
    expect(o.some((x) => x.fanout > 1)).toBe(true);
    expect(new Set(runs.map((r) => r.result.endReason))).toEqual(new Set(['converged', 'stalled', 'max-ticks']));
  });

  it('reports the resolved options and the engine it ran', () => {
    for (const { config, result, context } of runs) {
      expect(result.options, context).toEqual(resolveOptions({ ...config, ...input }));
      expect(result.engine, context).toBe(input.engine);
      expect(result.wallSeconds, context).toBeGreaterThanOrEqual(0);
    }
  });

  it('sent = delivered + lost + inFlight', () => {
    for (const { result: r, context } of runs) expect(r.delivered + r.lost + r.inFlight, context).toBe(r.sent);
  });

  it('processed + ignored = delivered', () => {
    for (const { result: r, context } of runs) expect(r.processed + r.ignored, context).toBe(r.delivered);
  });

  it('periodic protocols never ignore a message (hosts never stop)', () => {
    for (const { result: r, context } of runs) {
      if (isPeriodic(r.options.protocol)) expect(r.ignored, context).toBe(0);
    }
  });

  it('no message is lost when loss is 0', () => {
    for (const { result: r, context } of runs) {
      if (r.options.loss === 0) expect(r.lost, context).toBe(0);
    }
  });

  it('every message carries at least its sender: entries >= sent', () => {
    for (const { result: r, context } of runs) expect(r.entries, context).toBeGreaterThanOrEqual(r.sent);
  });

  it('converged ⇔ coverage 1 ⇔ endReason converged, with ticks = lastTick', () => {
    for (const { result: r, context } of runs) {
      expect(r.coverage === 1, context).toBe(r.converged);
      expect(r.endReason === 'converged', context).toBe(r.converged);
      if (r.converged) expect(r.ticks, context).toBe(r.lastTick);
    }
  });

  it('a run that did not converge has ticks null', () => {
    for (const { result: r, context } of runs) {
      if (!r.converged) expect(r.ticks, context).toBeNull();
    }
  });

  it('only announce stalls, and only with nothing in flight', () => {
    for (const { result: r, context } of runs) {
      if (r.endReason !== 'stalled') continue;
      expect(r.options.protocol, context).toBe('announce');
      expect(r.inFlight, context).toBe(0);
    }
  });

  it('a run never goes past maxTicks and ends there unless it converged or stalled', () => {
    for (const { result: r, context } of runs) {
      expect(r.lastTick, context).toBeLessThanOrEqual(r.options.maxTicks);
      if (r.endReason === 'max-ticks') expect(r.lastTick, context).toBe(r.options.maxTicks);
    }
  });

  it('the per-tick series cover ticks 0 .. lastTick and add up to sent and delivered', () => {
    for (const { result: r, context } of runs) {
      const { series } = r;
      for (const values of [series.sent, series.delivered, series.complete, series.coverage]) {
        expect(values, context).toHaveLength(r.lastTick + 1);
      }
      expect(sum(series.sent), context).toBe(r.sent);
      expect(sum(series.delivered), context).toBe(r.delivered);
    }
  });

  it('nothing is delivered before the shortest latency (tick 0 has no deliveries)', () => {
    for (const { result: r, context } of runs) {
      const early = r.series.delivered.slice(0, r.options.latency.min);
      expect(early, context).toEqual(early.map(() => 0));
    }
  });

  it('series.complete is non-decreasing, counts hosts complete by each tick, ends at the complete hosts', () => {
    for (const { result: r, context } of runs) {
      const complete = r.series.complete;
      for (let t = 1; t < complete.length; t++) expect(complete[t]!, context).toBeGreaterThanOrEqual(complete[t - 1]!);
      for (let t = 0; t < complete.length; t++) {
        const byTick = r.hostCompletionTicks.filter((at) => at !== null && at <= t).length;
        expect(complete[t], `${context} tick ${t}`).toBe(byTick);
      }
      expect(complete.at(-1), context).toBe(r.hostCompletionTicks.filter((at) => at !== null).length);
    }
  });

  it('series.coverage is non-decreasing and ends at coverage', () => {
    for (const { result: r, context } of runs) {
      const coverage = r.series.coverage;
      for (let t = 1; t < coverage.length; t++) expect(coverage[t]!, context).toBeGreaterThanOrEqual(coverage[t - 1]!);
      expect(coverage.at(-1), context).toBe(r.coverage);
      expect(r.coverage, context).toBeGreaterThan(0);
      expect(r.coverage, context).toBeLessThanOrEqual(1);
    }
  });

  it('hostCompletionTicks has one entry per host, none after lastTick, the latest at ticks when converged', () => {
    for (const { result: r, context } of runs) {
      expect(r.hostCompletionTicks, context).toHaveLength(r.options.hosts);
      const done = r.hostCompletionTicks.filter((at): at is number => at !== null);
      for (const at of done) {
        expect(at, context).toBeGreaterThanOrEqual(0);
        expect(at, context).toBeLessThanOrEqual(r.lastTick);
      }
      if (r.converged) {
        expect(done, context).toHaveLength(r.options.hosts);
        expect(Math.max(...done), context).toBe(r.ticks);
      }
    }
  });

  it('spreadTicks is within the run and not after convergence; null only if not converged', () => {
    for (const { result: r, context } of runs) {
      if (r.spreadTicks === null) {
        expect(r.converged, context).toBe(false);
        continue;
      }
      expect(r.spreadTicks, context).toBeGreaterThanOrEqual(0);
      expect(r.spreadTicks, context).toBeLessThanOrEqual(r.lastTick);
      if (r.ticks !== null) expect(r.spreadTicks, context).toBeLessThanOrEqual(r.ticks);
    }
  });

  it('announce sends one announcement per non-seed host and one message per appended host: sent = Σ|K(h)| − 1', () => {
    // Logs start as [h]; every append by a merge sends exactly one `set` (lost or not).
    for (const { result: r, context } of runs) {
      if (r.options.protocol !== 'announce') continue;
      const n = r.options.hosts;
      expect(r.sent, context).toBe(Math.round(r.coverage * n * n) - 1);
    }
  });

  it('push with the full view sends fanout messages per host every tick', () => {
    for (const { result: r, context } of runs) {
      const o = r.options;
      if (o.protocol !== 'push' || o.view !== 'full' || o.hosts < 2) continue;
      expect(r.series.sent, context).toEqual(r.series.sent.map(() => o.hosts * o.fanout));
    }
  });

  it('identical options give identical results', async () => {
    for (const { config, result, context } of runs) {
      const again = await run(simulate, { ...config, ...input }, context);
      expect({ ...again, wallSeconds: 0, diagnostics: null }, context).toEqual({ ...result, wallSeconds: 0, diagnostics: null });
    }
  });

  it('gives the reference engine\'s outcome', async () => {
    for (const c of runs) expect(outcomeOf(c.result), c.context).toEqual(await referenceOutcome(c));
  });

  it('every metric is independent of the thread count (the parallel engine on threads 1 and 3)', async () => {
    // Always the parallel engine: the reference runs on one thread only, and comparing it with
    // itself could not fail.
    for (const { config, result, context } of runs.slice(0, THREADS_CHECKED)) {
      for (const threads of [1, 3]) {
        const other = await run(simulate, { ...config, engine: 'parallel', threads }, context);
        expect(outcomeOf(other), `${context} threads ${threads}`).toEqual(outcomeOf(result));
      }
    }
  });
});

describe.each(ENGINE_VARIANTS)('edge behaviours on the $label engine', ({ input, simulate }) => {
  const periodicSetups = SET_PROTOCOLS.filter(isPeriodic).flatMap((protocol) =>
    VIEWS.map((view) => ({ protocol, view, label: `${protocol}, view ${view}` })),
  );
  const everySetup: readonly { readonly label: string; readonly input: SimulationInput }[] = [
    { label: 'announce', input: { protocol: 'announce' } },
    ...periodicSetups.map((s) => ({ label: s.label, input: { protocol: s.protocol, view: s.view, fanout: 2 } })),
  ];

  it.each(everySetup)('one host converges at tick 0 with zero messages ($label)', async (setup) => {
    for (const extra of [{}, { latency: '1..4', loss: 0.3, seed: 7 }] as const) {
      const r = await simulate({ ...input, ...setup.input, ...extra, hosts: 1 });
      expect(r.converged).toBe(true);
      expect(r.endReason).toBe('converged');
      expect(r.ticks).toBe(0);
      expect(r.lastTick).toBe(0);
      expect(r.spreadTicks).toBe(0);
      expect([r.sent, r.delivered, r.processed, r.ignored, r.lost, r.inFlight, r.entries]).toEqual([0, 0, 0, 0, 0, 0, 0]);
      expect(r.coverage).toBe(1);
      expect(r.hostCompletionTicks).toEqual([0]);
      expect(r.series).toEqual({ sent: [0], delivered: [0], complete: [1], coverage: [1], live: [1] });
    }
  });

  it.each(everySetup)('maxTicks 0 runs only tick 0 ($label)', async (setup) => {
    const hosts = 10;
    const r = await simulate({ ...input, ...setup.input, hosts, maxTicks: 0 });
    expect(r.lastTick).toBe(0);
    expect(r.endReason).toBe('max-ticks');
    expect(r.converged).toBe(false);
    expect(r.ticks).toBeNull();
    expect(r.delivered).toBe(0);
    expect(r.series.sent).toEqual([r.sent]);
    // Tick 0 is the start: announcements to the seed, or the first periodic step.
    const fanout = setup.input.fanout ?? 1;
    const expected = r.options.protocol === 'announce' ? hosts - 1
      : r.options.view === 'full' ? hosts * fanout
      : (hosts - 1) * fanout; // known view: only host 0 has no candidate at tick 0
    expect(r.sent).toBe(expected);
    expect(r.inFlight).toBe(expected);
  });

  it.each([1, 2, 3, 5, 10, 37, 100])('announce with constant latency 1 and %i hosts sends N*N − 1 messages', async (hosts) => {
    const r = await simulate({ ...input, hosts, latency: 1 });
    expect(r.converged).toBe(true);
    expect(r.sent).toBe(hosts * hosts - 1);
  });

  it('a run that has not converged by maxTicks ends there with endReason max-ticks', async () => {
    const r = await simulate({ ...input, hosts: 40, protocol: 'push', maxTicks: 3 });
    expect(r.endReason).toBe('max-ticks');
    expect(r.lastTick).toBe(3);
    expect(r.converged).toBe(false);
    expect(r.ticks).toBeNull();
  });

  it('announce stalls once lost messages leave nothing in flight', async () => {
    const r = await simulate({ ...input, hosts: 20, loss: 0.3, seed: 1 });
    expect(r.endReason).toBe('stalled');
    expect(r.converged).toBe(false);
    expect(r.inFlight).toBe(0);
    expect(r.lost).toBeGreaterThan(0);
    expect(r.lastTick).toBeLessThan(DEFAULTS.maxTicks);
  });

  it('with the known view every host knows the seed from tick 0 (spreadTicks 0)', async () => {
    for (const protocol of ['push', 'pull', 'push-pull'] as const) {
      const r = await simulate({ ...input, hosts: 30, protocol, view: 'known' });
      expect(r.spreadTicks, protocol).toBe(0);
    }
  });

  it('with the known view a non-seed host of two is complete from tick 0 (it starts knowing itself and the seed)', async () => {
    for (const protocol of ['push', 'pull', 'push-pull'] as const) {
      const r = await simulate({ ...input, hosts: 2, protocol });
      expect(r.hostCompletionTicks[1], protocol).toBe(0);
      expect(r.series.complete[0], protocol).toBe(1);
      expect(r.converged, protocol).toBe(true);
    }
  });
});
