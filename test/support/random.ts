/**
 * Seeded generation of small test configurations. Counter-based like the simulator itself
 * (SPEC.md "Randomness"): value `n` of configuration `i` is `rand(seed, TEST_STREAM, i, n, 0)`,
 * so configuration `i` of a seed is the same whatever else is generated or in which order.
 */
import { rand, type Protocol, type SimulationInput } from '../../src/index.js';

/** A stream tag no simulator stream uses (those are 1, 2, 3). */
const TEST_STREAM = 0x7e57;

/** The seed of randomised tests: `GOSSIP_SIM_TEST_SEED` if set, else a fixed default. */
export function testSeed(fallback = 20240601): number {
  const text = process.env['GOSSIP_SIM_TEST_SEED'];
  if (text === undefined || text === '') return fallback;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`GOSSIP_SIM_TEST_SEED: got ${JSON.stringify(text)}, expected an integer from 0 to 4294967295`);
  }
  return seed;
}

/** A small deterministic generator of values for configuration `index` of `seed`. */
export class TestRandom {
  private counter = 0;

  constructor(
    readonly seed: number,
    readonly index: number,
  ) {}

  /** The next unsigned 32-bit value. */
  next(): number {
    return rand(this.seed, TEST_STREAM, this.index, this.counter++, 0);
  }

  /** An integer in `lo ..= hi`. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }

  /** True with probability about `p`. */
  chance(p: number): boolean {
    return this.next() < p * 4294967296;
  }

  /** One element of a non-empty list (which may itself hold `undefined`, meaning "leave unset"). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty list');
    return items[this.next() % items.length] as T;
  }
}

const PROTOCOL_CHOICES: readonly Protocol[] = ['announce', 'push', 'pull', 'push-pull'];
const LATENCY_CHOICES: readonly (SimulationInput['latency'] | undefined)[] = [
  undefined, 1, 2, 3, '1', '2..3', '1..4', '1..2', { min: 1, max: 3 },
];
const LOSS_CHOICES: readonly (number | undefined)[] = [undefined, 0, 0, 0.05, 0.3];

/**
 * Configuration `index` of `seed`: small (1..40 hosts) and quick, spread over every protocol, view,
 * fanout, latency model and loss rate; about a quarter stop early at a small `maxTicks` (0..20) so
 * that max-ticks endings are covered. Announce never gets `fanout` or `view` (a usage error there).
 * Periodic runs are capped at 2,000 ticks so a test can never hang.
 */
export function randomConfig(seed: number, index: number): SimulationInput {
  const r = new TestRandom(seed, index);
  const config: SimulationInput = {};
  config.hosts = r.chance(0.15) ? r.int(1, 3) : r.chance(0.5) ? r.int(4, 12) : r.int(13, 40);
  const protocol = r.pick(PROTOCOL_CHOICES);
  if (protocol !== 'announce' || r.chance(0.5)) config.protocol = protocol;
  if (protocol !== 'announce') {
    const view = r.pick(['known', 'full', undefined] as const);
    if (view !== undefined) config.view = view;
    if (r.chance(0.6)) config.fanout = r.int(1, 3);
  }
  const latency = r.pick(LATENCY_CHOICES);
  if (latency !== undefined) config.latency = latency;
  const loss = r.pick(LOSS_CHOICES);
  if (loss !== undefined) config.loss = loss;
  if (r.chance(0.7)) config.seed = r.next();
  if (r.chance(0.25)) config.maxTicks = r.int(0, 20);
  else if (protocol !== 'announce') config.maxTicks = 2000;
  return config;
}

/** The context of a randomised assertion: enough to rerun exactly this case. */
export function describeCase(seed: number, index: number, config: SimulationInput): string {
  return `GOSSIP_SIM_TEST_SEED=${seed} config #${index}: ${JSON.stringify(config)}`;
}
