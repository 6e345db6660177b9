/**
 * Partitions, regions and crashes on every engine and thread count against the independent oracles
 * (test/support/spec-oracle.ts, test/support/rumor-oracle.ts, written from docs/semantics.md
 * alone): a seeded random sample of membership and rumor runs, each with one to three random
 * partitions (id groups or fraction groups, healing or not) and, in about half, random regions
 * with links of their own latency and loss, compared metric by metric; and membership runs with
 * random crashes (id ranges or fractions, recovering or not, keeping or losing state), some with
 * partitions too, and with random churn (leaves, joins, reserved hosts), some with crashes too;
 * and rumor runs with the same crashes and churn, in both contact models.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/index.js';
import { runSimulation } from '../src/simulate.js';
import { TINY_RING } from './support/engines.js';
import { testSeed, TestRandom } from './support/random.js';
import { rumorOracle, type RumorOracleInput } from './support/rumor-oracle.js';
import { oracleSimulate, type ChurnInput, type CrashInput, type OracleInput, type PartitionInput, type RegionsInput } from './support/spec-oracle.js';

const ENGINES = [
  { engine: 'reference' },
  { engine: 'parallel', threads: 1 },
  { engine: 'parallel', threads: 2 },
  { engine: 'parallel', threads: 3 },
  { engine: 'parallel', threads: 4 },
  { engine: 'parallel', threads: 7 },
] as const;

const KEYS = [
  'converged', 'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'partitioned', 'inFlight', 'entries',
  'spreadTicks', 'coverage', 'endReason', 'lastTick', 'hostCompletionTicks', 'series',
] as const;

function pick(r: Record<string, unknown>, extra: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [...KEYS, ...extra]) out[k] = r[k];
  return out;
}

/** One to three partitions over `hosts` hosts: id groups (disjoint ranges) or fractions, some healing. */
function randomPartitions(r: TestRandom, hosts: number): PartitionInput[] {
  const count = r.int(1, 3);
  const list: PartitionInput[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.pick([0, 0, 1, 2, 4]);
    const heal = r.chance(0.6) ? at + r.int(1, 8) : null;
    let groups: PartitionInput['groups'];
    if (r.chance(0.5) && hosts >= 2) {
      // Cut points split 0 .. hosts-1 into ranges; some ranges become groups, the rest is "the rest".
      const cuts = [...new Set([r.int(1, hosts - 1), r.int(1, hosts - 1)])].sort((a, b) => a - b);
      const bounds = [0, ...cuts, hosts];
      groups = [];
      for (let g = 0; g + 1 < bounds.length; g++) {
        if (g > 0 && r.chance(0.3)) continue;
        const lo = bounds[g]!;
        const hi = bounds[g + 1]! - 1;
        groups.push({ hosts: lo === hi ? String(lo) : `${lo}..${hi}` });
      }
    } else {
      groups = r.pick([[{ fraction: 0.5 }], [{ fraction: 0.3 }, { fraction: 0.3 }], [{ fraction: 0.9 }], [{ fraction: 0.25 }, { fraction: 0.25 }, { fraction: 0.5 }]]);
    }
    list.push({ at, heal, groups });
  }
  return list;
}

/** Two or three regions (id ranges or fractions) with a few links of random latency and loss. */
function randomRegions(r: TestRandom, hosts: number): RegionsInput {
  const groups: RegionsInput['groups'] = r.chance(0.5) && hosts >= 3
    ? [{ hosts: `0..${Math.floor(hosts / 3)}` }, { hosts: `${Math.floor(hosts / 3) + 1}..${Math.floor((2 * hosts) / 3)}` }]
    : r.pick([[{ fraction: 0.5 }], [{ fraction: 0.3 }, { fraction: 0.4 }]]);
  const regions = groups.length + 1;
  const links: RegionsInput['links'] = [];
  const seen = new Set<string>();
  for (let i = 0; i < r.int(1, 3); i++) {
    const a = r.int(0, regions - 1);
    const b = r.int(0, regions - 1);
    const key = `${Math.min(a, b)},${Math.max(a, b)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const lo = r.int(1, 4);
    links.push({ between: [a, b], latency: r.chance(0.5) ? lo : `${lo}..${lo + r.int(0, 3)}`, ...(r.chance(0.5) ? { loss: r.pick([0, 0.2, 0.5]) } : {}) });
  }
  return { groups, links };
}

/** The run options of a random membership configuration, faults aside: protocol, hosts, fanout, view, latency, loss, seed, max ticks. */
function randomMembership(r: TestRandom): OracleInput {
  const protocol = r.pick(['announce', 'push', 'pull', 'push-pull'] as const);
  const hosts = r.int(2, 40);
  const periodic = protocol !== 'announce';
  return {
    hosts, protocol,
    fanout: periodic ? r.int(1, 3) : 1,
    view: periodic && r.chance(0.5) ? 'full' : 'known',
    latencyMin: 1, latencyMax: r.pick([1, 1, 2, 3]),
    loss: r.pick([0, 0, 0.1]),
    seed: r.next(),
    maxTicks: r.pick([5, 20, 60]),
  };
}

/**
 * Runs a membership configuration on every engine and thread count and expects each to agree with
 * the oracle on every compared metric (the faults' own included); returns the oracle's.
 */
async function expectAgreement(input: OracleInput, index: number, tinyRings = false): Promise<Record<string, unknown>> {
  const extra = ['dropped', 'live', 'load'];
  const expected = pick(oracleSimulate(input) as unknown as Record<string, unknown>, extra);
  const options: Record<string, unknown> = {
    protocol: input.protocol, hosts: input.hosts, latency: `${input.latencyMin}..${input.latencyMax}`, loss: input.loss, seed: input.seed, maxTicks: input.maxTicks,
    ...(input.partitions === undefined ? {} : { partitions: input.partitions }),
    ...(input.regions === undefined ? {} : { regions: input.regions }),
    ...(input.crashes === undefined ? {} : { crashes: input.crashes }),
    ...(input.churn === undefined ? {} : { churn: input.churn }),
    ...(input.protocol === 'announce' ? {} : { fanout: input.fanout, view: input.view }),
  };
  for (const engine of ENGINES) {
    const actual = (await simulate({ ...options, ...engine } as never)) as unknown as Record<string, unknown>;
    expect(pick(actual, extra), `config #${index} ${JSON.stringify({ ...options, ...engine })}`).toEqual(expected);
  }
  if (tinyRings) {
    // The ring-full back-pressure path too (producers wait for space at these sizes).
    const actual = (await runSimulation({ ...options, engine: 'parallel', threads: 3 } as never, {}, { ringCapacity: TINY_RING })) as unknown as Record<string, unknown>;
    expect(pick(actual, extra), `config #${index} ${JSON.stringify(options)}, 3 threads, rings of ${TINY_RING}`).toEqual(expected);
  }
  return expected;
}

describe('partitions and regions: every engine and thread count agrees with the oracles', () => {
  const seed = testSeed();

  it(`membership protocols: 24 random configurations with partitions and regions (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let cut = 0;
    for (let index = 0; index < 24; index++) {
      const r = new TestRandom(seed, 200_000 + index);
      const base = randomMembership(r);
      const input: OracleInput = {
        ...base,
        partitions: randomPartitions(r, base.hosts),
        ...(r.chance(0.5) ? { regions: randomRegions(r, base.hosts) } : {}),
      };
      const expected = await expectAgreement(input, index);
      if ((expected['partitioned'] as number) > 0) cut++;
    }
    expect(cut).toBeGreaterThan(8);
  }, 120_000);

  it(`rumor: 24 random configurations with partitions (and regions, messages model), both contact models and views (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let cut = 0;
    for (let index = 0; index < 24; index++) {
      const r = new TestRandom(seed, 300_000 + index);
      const base = randomRumor(r);
      const input: RumorOracleInput = {
        ...base,
        partitions: randomPartitions(r, base.hosts),
        ...(base.contact === 'messages' && r.chance(0.5) ? { regions: randomRegions(r, base.hosts) } : {}),
      };
      const expected = await expectRumorAgreement(input, index);
      if ((expected['partitioned'] as number) > 0) cut++;
    }
    expect(cut).toBeGreaterThan(8);
  }, 120_000);
});

/** A random rumor run of 2 to 60 hosts: any mode, stop rule, contact model and view. */
function randomRumor(r: TestRandom): RumorOracleInput {
  const hosts = r.int(2, 60);
  const contact = r.pick(['synchronous', 'messages'] as const);
  return {
    hosts,
    mode: r.pick(['push', 'pull', 'push-pull'] as const),
    feedback: r.pick(['feedback', 'blind'] as const),
    stop: r.pick(['counter', 'coin'] as const),
    k: r.pick([1, 2, 3]),
    sources: r.int(1, Math.min(3, hosts)),
    fanout: r.pick([1, 1, 2]),
    seed: r.next(),
    maxTicks: r.pick([6, 40, 300]),
    contact,
    latencyMin: 1,
    latencyMax: contact === 'messages' ? r.pick([1, 2, 3]) : 1,
    loss: contact === 'messages' ? r.pick([0, 0.1]) : 0,
    view: r.chance(0.3) ? 'known' : 'full',
  };
}

/** Runs a rumor configuration on every engine and thread count against the rumor oracle; returns the oracle's metrics. */
async function expectRumorAgreement(input: RumorOracleInput, index: number): Promise<Record<string, unknown>> {
  const extra = ['protocolMetrics', 'load', 'dropped', 'live'];
  const expected = pick(rumorOracle(input) as unknown as Record<string, unknown>, extra);
  const options: Record<string, unknown> = {
    protocol: 'rumor', hosts: input.hosts, rumorMode: input.mode, rumorFeedback: input.feedback, rumorStop: input.stop, rumorK: input.k,
    rumorSources: input.sources, fanout: input.fanout, seed: input.seed, maxTicks: input.maxTicks, contact: input.contact, view: input.view,
    ...(input.partitions === undefined ? {} : { partitions: input.partitions }),
    ...(input.regions === undefined ? {} : { regions: input.regions }),
    ...(input.crashes === undefined ? {} : { crashes: input.crashes }),
    ...(input.churn === undefined ? {} : { churn: input.churn }),
    ...(input.contact === 'messages' ? { latency: `${input.latencyMin}..${input.latencyMax}`, loss: input.loss } : {}),
  };
  for (const engine of ENGINES) {
    const actual = (await simulate({ ...options, ...engine } as never)) as unknown as Record<string, unknown>;
    expect(pick(actual, extra), `config #${index} ${JSON.stringify({ ...options, ...engine })}`).toEqual(expected);
  }
  return expected;
}

/** One to three crashes over `hosts` hosts: id ranges or fractions, some recovering; with `losing`, most lose their hosts' state. */
function randomCrashes(r: TestRandom, hosts: number, losing = false): CrashInput[] {
  const list: CrashInput[] = [];
  for (let i = 0, count = r.int(1, 3); i < count; i++) {
    const at = r.pick([0, 0, 1, 2, 3, 5]);
    const recover = r.chance(0.6) ? at + r.int(1, 10) : null;
    if (r.chance(0.5)) {
      const lo = r.int(0, hosts - 1);
      const hi = Math.min(hosts - 1, lo + r.int(0, Math.max(1, Math.floor(hosts / 4))));
      list.push({ at, recover, hosts: lo === hi ? String(lo) : `${lo}..${hi}` });
    } else {
      list.push({ at, recover, fraction: r.pick([0.1, 0.25, 0.5, 1]) });
    }
    if (losing && r.chance(0.7)) list[list.length - 1] = { ...list[list.length - 1]!, state: 'initial' };
  }
  return list;
}

/** Random churn: leaves, joins (or none), for a while or for ever, sometimes with reserved hosts. */
function randomChurn(r: TestRandom, hosts: number): ChurnInput {
  const at = r.pick([0, 0, 1, 3]);
  return {
    at,
    until: r.chance(0.6) ? at + r.int(1, 15) : null,
    leave: r.pick([0, 0.05, 0.1, 0.3]),
    join: r.pick([0, 0.2, 0.5, 1]),
    reserve: r.chance(0.4) ? r.int(1, Math.max(1, Math.floor(hosts / 3))) : 0,
  };
}

describe('crashes: every engine and thread count agrees with the oracle', () => {
  const seed = testSeed();

  it(`membership protocols: 28 random configurations with crashes, some with partitions (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let dropped = 0;
    for (let index = 0; index < 28; index++) {
      const r = new TestRandom(seed, 400_000 + index);
      const base = randomMembership(r);
      const input: OracleInput = {
        ...base,
        crashes: randomCrashes(r, base.hosts),
        ...(r.chance(0.3) ? { partitions: randomPartitions(r, base.hosts) } : {}),
      };
      const expected = await expectAgreement(input, index);
      if ((expected['dropped'] as number) > 0) dropped++;
    }
    expect(dropped).toBeGreaterThan(8);
  }, 120_000);

  it(`membership protocols: 24 random configurations with churn, some with crashes (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let dropped = 0;
    for (let index = 0; index < 24; index++) {
      const r = new TestRandom(seed, 500_000 + index);
      const base = randomMembership(r);
      const input: OracleInput = { ...base, churn: randomChurn(r, base.hosts), ...(r.chance(0.3) ? { crashes: randomCrashes(r, base.hosts) } : {}) };
      const expected = await expectAgreement(input, index);
      if ((expected['dropped'] as number) > 0) dropped++;
    }
    expect(dropped).toBeGreaterThan(6);
  }, 120_000);

  it(`push, pull, push-pull: 24 random configurations with crashes that lose state (some with churn or partitions) (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let wiped = 0;
    for (let index = 0; index < 24; index++) {
      const r = new TestRandom(seed, 800_000 + index);
      let base = randomMembership(r);
      // announce has a test of its own below.
      if (base.protocol === 'announce') base = { ...base, protocol: r.pick(['push', 'pull', 'push-pull'] as const), fanout: r.int(1, 3), view: r.chance(0.5) ? 'full' : 'known' };
      const crashes = randomCrashes(r, base.hosts, true);
      if (crashes.some((c) => c.state === 'initial' && c.at > 0)) wiped++;
      const input: OracleInput = {
        ...base,
        crashes,
        ...(r.chance(0.3) ? { churn: randomChurn(r, base.hosts) } : {}),
        ...(r.chance(0.3) ? { partitions: randomPartitions(r, base.hosts) } : {}),
      };
      await expectAgreement(input, index);
    }
    expect(wiped).toBeGreaterThan(6);
  }, 120_000);

  it(`announce: 20 random configurations with crashes that lose state (some with churn or partitions), tiny rings too (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    // Larger than the other samples, with latency ranges: a wiped host's messages sent before its
    // crash are still in flight (they carry its old log) when it relearns, and it sends its new one.
    let differs = 0;
    for (let index = 0; index < 20; index++) {
      const r = new TestRandom(seed, 850_000 + index);
      const hosts = r.int(2, 120);
      const base: OracleInput = { ...randomMembership(r), protocol: 'announce', fanout: 1, view: 'known', hosts, latencyMax: r.pick([1, 2, 3, 4]), maxTicks: 60 };
      // Crashes at ticks 1 .. 8, while logs grow, most recovering (a wiped host that never comes
      // back only counts as not complete).
      const crashes = randomCrashes(r, hosts, true).map((c) => {
        const at = r.int(1, 8);
        return { ...c, state: 'initial' as const, at, recover: r.chance(0.8) ? at + r.int(1, 6) : null };
      });
      const input: OracleInput = {
        ...base,
        crashes,
        ...(r.chance(0.25) ? { churn: randomChurn(r, hosts) } : {}),
        ...(r.chance(0.25) ? { partitions: randomPartitions(r, hosts) } : {}),
      };
      const expected = await expectAgreement(input, index, true);
      const kept = oracleSimulate({ ...input, crashes: crashes.map((c) => ({ ...c, state: 'keep' as const })) });
      if (JSON.stringify(pick(kept as unknown as Record<string, unknown>, ['dropped', 'live', 'load'])) !== JSON.stringify(expected)) differs++;
    }
    expect(differs).toBeGreaterThan(10);
  }, 120_000);

  it(`rumor: 30 random configurations with crashes and churn (some with partitions), both contact models and views (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let dropped = 0;
    for (let index = 0; index < 30; index++) {
      const r = new TestRandom(seed, 600_000 + index);
      const base = randomRumor(r);
      const crashes = r.chance(0.7) ? randomCrashes(r, base.hosts) : undefined;
      const input: RumorOracleInput = {
        ...base,
        ...(crashes === undefined ? {} : { crashes }),
        ...(crashes === undefined || r.chance(0.4) ? { churn: randomChurn(r, base.hosts) } : {}),
        ...(r.chance(0.25) ? { partitions: randomPartitions(r, base.hosts) } : {}),
      };
      const expected = await expectRumorAgreement(input, index);
      if ((expected['dropped'] as number) > 0) dropped++;
    }
    expect(dropped).toBeGreaterThan(8);
  }, 120_000);

  it(`rumor: 24 random configurations with crashes that lose state (some with churn), both contact models and views (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let wiped = 0;
    for (let index = 0; index < 24; index++) {
      const r = new TestRandom(seed, 700_000 + index);
      const base = randomRumor(r);
      const crashes = randomCrashes(r, base.hosts, true);
      if (crashes.some((c) => c.state === 'initial' && c.at > 0)) wiped++;
      const input: RumorOracleInput = { ...base, crashes, ...(r.chance(0.3) ? { churn: randomChurn(r, base.hosts) } : {}) };
      await expectRumorAgreement(input, index);
    }
    expect(wiped).toBeGreaterThan(6);
  }, 120_000);
});
