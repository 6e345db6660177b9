// Cross-checks the engines' `rumor` protocol against an independent, naive reading of
// docs/semantics.md (test/support/rumor-oracle.ts): hand-picked configurations on the reference
// engine, a seeded random sample on every engine and thread count, and 1- and 2-host edge cases.
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/index.js';
import { testSeed, TestRandom } from './support/random.js';
import {
  rumorOracle,
  type RumorContact,
  type RumorFeedback,
  type RumorMode,
  type RumorOracleInput,
  type RumorOracleResult,
  type RumorStop,
  type RumorView,
} from './support/rumor-oracle.js';

const MODES: readonly RumorMode[] = ['push', 'pull', 'push-pull'];
const FEEDBACKS: readonly RumorFeedback[] = ['feedback', 'blind'];
const STOPS: readonly RumorStop[] = ['counter', 'coin'];
const CONTACTS: readonly RumorContact[] = ['synchronous', 'messages'];
const COMBINATIONS = MODES.length * FEEDBACKS.length * STOPS.length * CONTACTS.length; // 24

interface EngineUnderTest {
  readonly label: string;
  readonly options: { readonly engine: 'reference' | 'parallel'; readonly threads?: number };
}

const ENGINES: readonly EngineUnderTest[] = [
  { label: 'reference', options: { engine: 'reference' } },
  { label: 'parallel, 1 thread', options: { engine: 'parallel', threads: 1 } },
  { label: 'parallel, 2 threads', options: { engine: 'parallel', threads: 2 } },
  { label: 'parallel, 3 threads', options: { engine: 'parallel', threads: 3 } },
  { label: 'parallel, 4 threads', options: { engine: 'parallel', threads: 4 } },
  { label: 'parallel, 7 threads', options: { engine: 'parallel', threads: 7 } },
];
const REFERENCE_ONLY = ENGINES.slice(0, 1);

const COMPARED_KEYS = [
  'converged', 'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'inFlight', 'entries',
  'spreadTicks', 'coverage', 'endReason', 'lastTick', 'hostCompletionTicks', 'series', 'protocolMetrics',
] as const satisfies readonly (keyof RumorOracleResult)[];

function pickCompared(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of COMPARED_KEYS) out[key] = r[key];
  return out;
}

/** A full oracle input from a partial one; defaults as docs/semantics.md gives them. */
function input(partial: Partial<RumorOracleInput> & { hosts: number }): RumorOracleInput {
  return {
    mode: 'push', feedback: 'feedback', stop: 'counter', k: 2, sources: 1, fanout: 1, seed: 1, maxTicks: 100000,
    contact: 'synchronous', latencyMin: 1, latencyMax: 1, loss: 0,
    ...partial,
  };
}

/** The public-API options of an oracle input (latency and loss only for `messages`). */
function toOptions(i: RumorOracleInput): Record<string, unknown> {
  const options: Record<string, unknown> = {
    protocol: 'rumor',
    hosts: i.hosts,
    rumorMode: i.mode,
    rumorFeedback: i.feedback,
    rumorStop: i.stop,
    rumorK: i.k,
    rumorSources: i.sources,
    contact: i.contact,
    fanout: i.fanout,
    seed: i.seed,
    maxTicks: i.maxTicks,
    view: i.view ?? 'full',
  };
  if (i.contact === 'messages') {
    options.latency = i.latencyMin === i.latencyMax ? i.latencyMin : `${i.latencyMin}..${i.latencyMax}`;
    options.loss = i.loss;
  }
  return options;
}

async function compare(i: RumorOracleInput, engines: readonly EngineUnderTest[] = REFERENCE_ONLY, context = ''): Promise<RumorOracleResult> {
  const expected = pickCompared(rumorOracle(i) as unknown as Record<string, unknown>);
  const options = toOptions(i);
  for (const engine of engines) {
    const actual = (await simulate({ ...options, ...engine.options } as never)) as unknown as Record<string, unknown>;
    expect(pickCompared(actual), `${engine.label} ${context} ${JSON.stringify(options)}`).toEqual(expected);
  }
  return expected as unknown as RumorOracleResult;
}

/**
 * Configuration `index` of the random sample: the first 24 cover every mode x feedback x stop x
 * contact combination once, the rest pick them at random; hosts, k, sources (a count or a list),
 * fanout, seed, latency and loss are random, and about a quarter stop at a tiny maxTicks.
 */
function randomInput(seed: number, index: number, view: RumorView = 'full'): RumorOracleInput {
  const r = new TestRandom(seed, index + (view === 'known' ? 100_000 : 0));
  let mode: RumorMode;
  let feedback: RumorFeedback;
  let stop: RumorStop;
  let contact: RumorContact;
  if (index < COMBINATIONS) {
    mode = MODES[index % 3]!;
    feedback = FEEDBACKS[Math.floor(index / 3) % 2]!;
    stop = STOPS[Math.floor(index / 6) % 2]!;
    contact = CONTACTS[Math.floor(index / 12) % 2]!;
  } else {
    mode = r.pick(MODES);
    feedback = r.pick(FEEDBACKS);
    stop = r.pick(STOPS);
    contact = r.pick(CONTACTS);
  }
  const hosts = r.chance(0.15) ? r.int(150, 400) : r.chance(0.5) ? r.int(2, 12) : r.int(13, 80);
  const k = r.pick([1, 1, 2, 2, 3, 4, 6]);
  let sources: number | number[];
  if (r.chance(0.5)) {
    sources = r.int(1, Math.min(hosts, 4));
  } else {
    const count = r.int(1, Math.min(hosts, 4));
    const list: number[] = [];
    while (list.length < count) {
      const id = r.int(0, hosts - 1);
      if (!list.includes(id)) list.push(id);
    }
    sources = list;
  }
  const fanout = r.pick([1, 1, 2, 3]);
  const s = r.chance(0.5) ? r.pick([1, 2, 7, 12345, 0xdeadbeef]) : r.next();
  const maxTicks = r.chance(0.25) ? r.int(0, 6) : 2000;
  let latencyMin = 1;
  let latencyMax = 1;
  let loss = 0;
  if (contact === 'messages') {
    [latencyMin, latencyMax] = r.pick([[1, 1], [2, 2], [1, 2], [1, 4], [2, 5]] as [number, number][]);
    loss = r.pick([0, 0, 0.1, 0.3]);
  }
  return { hosts, mode, feedback, stop, k, sources, fanout, seed: s, maxTicks, contact, latencyMin, latencyMax, loss, view };
}

describe('rumor: the reference engine agrees with an independent reading of docs/semantics.md', () => {
  describe.each(CONTACTS)('contact %s', (contact) => {
    const latency = contact === 'messages' ? { latencyMin: 1, latencyMax: 3 } : {};
    it.each(MODES)('matches the oracle in mode %s on hand-picked configurations', async (mode) => {
      await compare(input({ hosts: 100, mode, contact }));
      await compare(input({ hosts: 100, mode, contact, feedback: 'blind', stop: 'coin', k: 3, seed: 7 }));
      await compare(input({ hosts: 60, mode, contact, feedback: 'feedback', stop: 'coin', k: 1, fanout: 2, sources: [0, 5], ...latency }));
      await compare(input({ hosts: 120, mode, contact, feedback: 'blind', stop: 'counter', k: 4, sources: 3, seed: 0xdeadbeef, ...latency }));
      await compare(input({ hosts: 50, mode, contact, k: 3, fanout: 3, sources: [49], maxTicks: 4, ...latency }));
      if (contact === 'messages') {
        await compare(input({ hosts: 80, mode, contact, k: 2, loss: 0.1, latencyMin: 1, latencyMax: 3, seed: 3 }));
        await compare(input({ hosts: 80, mode, contact, feedback: 'blind', stop: 'coin', k: 2, loss: 0.3, latencyMin: 2, latencyMax: 2 }));
      }
    });
  });

  describe.each(CONTACTS)('view known, contact %s', (contact) => {
    it.each(MODES)('matches the oracle in mode %s on hand-picked configurations', async (mode) => {
      const view = 'known';
      await compare(input({ hosts: 100, mode, contact, view }));
      await compare(input({ hosts: 100, mode, contact, view, sources: 10, feedback: 'blind', stop: 'coin', k: 3, seed: 7 }));
      await compare(input({ hosts: 60, mode, contact, view, fanout: 2, sources: [0, 5, 59] }));
      await compare(input({ hosts: 40, mode, contact, view, k: 3, fanout: 3, sources: [39], maxTicks: 6 }));
      if (contact === 'messages') await compare(input({ hosts: 80, mode, contact, view, sources: 4, loss: 0.1, latencyMin: 1, latencyMax: 3, seed: 3 }));
    });
  });

  it('matches the oracle with every rumor option left at its default', async () => {
    const expected = pickCompared(rumorOracle(input({ hosts: 200 })) as unknown as Record<string, unknown>);
    const actual = (await simulate({ protocol: 'rumor', hosts: 200, engine: 'reference' } as never)) as unknown as Record<string, unknown>;
    expect(pickCompared(actual)).toEqual(expected);
  });
});

describe('rumor: every engine and thread count agrees with the oracle on a seeded random sample', () => {
  const seed = testSeed();
  const SAMPLE_SIZE = 48;
  it(`matches the oracle on ${SAMPLE_SIZE} random configurations (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    let maxTicksEnds = 0;
    for (let index = 0; index < SAMPLE_SIZE; index++) {
      const i = randomInput(seed, index);
      const expected = await compare(i, ENGINES, `GOSSIP_SIM_TEST_SEED=${seed} config #${index}:`);
      if (expected.endReason === 'max-ticks') maxTicksEnds++;
    }
    // The sample must exercise the max-ticks end, not only natural ends.
    expect(maxTicksEnds).toBeGreaterThan(0);
  }, 120_000);

  const KNOWN_SAMPLE_SIZE = 16;
  it(`matches the oracle under view known on ${KNOWN_SAMPLE_SIZE} random configurations (GOSSIP_SIM_TEST_SEED=${seed})`, async () => {
    const ends = new Set<string>();
    for (let index = 0; index < KNOWN_SAMPLE_SIZE; index++) {
      const i = randomInput(seed, index, 'known');
      const expected = await compare(i, ENGINES, `GOSSIP_SIM_TEST_SEED=${seed} view known config #${index}:`);
      ends.add(expected.endReason);
    }
    // Both natural ends occur under view known (a rumor that reaches everyone, one that cannot).
    expect(ends).toContain('converged');
    expect(ends).toContain('stalled');
  }, 120_000);
});

describe('rumor: 1-host and 2-host edge cases agree with the oracle on every engine', () => {
  it('1 host, synchronous and messages', async () => {
    for (const contact of CONTACTS) {
      for (const mode of MODES) await compare(input({ hosts: 1, mode, contact, maxTicks: 5 }), ENGINES, '1 host');
    }
  });

  it('2 hosts, every mode, both contact models, one source or both', async () => {
    for (const contact of CONTACTS) {
      for (const mode of MODES) {
        await compare(input({ hosts: 2, mode, contact, maxTicks: 50 }), ENGINES, '2 hosts');
        await compare(input({ hosts: 2, mode, contact, sources: [1], feedback: 'blind', k: 1, maxTicks: 50 }), ENGINES, '2 hosts');
        await compare(input({ hosts: 2, mode, contact, sources: 2, stop: 'coin', k: 3, maxTicks: 50 }), ENGINES, '2 hosts');
      }
    }
  });
});
