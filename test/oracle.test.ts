// Cross-checks the reference engine against an independent, naive reading of SPEC.md
// (test/support/spec-oracle.ts) on a seeded sample of small random configurations.
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/index.js';
import { mix32, oracleSimulate, type OracleInput, type OracleResult } from './support/spec-oracle.js';

const SAMPLE_SEED = 20240601;
const SAMPLE_SIZE = 300;

type Protocol = OracleInput['protocol'];
const PROTOCOLS: Protocol[] = ['announce', 'push', 'pull', 'push-pull'];
const LATENCIES: [number, number][] = [[1, 1], [2, 2], [3, 3], [1, 2], [1, 5], [2, 4]];
const LOSSES = [0, 0.1, 0.4];
const SEEDS = [1, 2, 7, 12345, 0xdeadbeef];

interface Config {
  input: OracleInput;
  /** What is passed to simulate(); fanout/view only for periodic protocols. */
  options: Record<string, unknown>;
  /** latency as a string or number, for the failure message */
  latencyText: string | number;
}

function makeConfig(i: number): Config {
  // Deterministic pick of every dimension from a counter hash of (SAMPLE_SEED, i, dim).
  const pick = (dim: number, n: number): number => mix32((mix32((mix32(SAMPLE_SEED) ^ i) >>> 0) ^ dim) >>> 0) % n;
  const hosts = 1 + pick(1, 30);
  const protocol = PROTOCOLS[pick(2, PROTOCOLS.length)]!;
  const periodic = protocol !== 'announce';
  const fanout = periodic ? 1 + pick(3, 3) : 1;
  const view: OracleInput['view'] = periodic && pick(4, 2) === 1 ? 'full' : 'known';
  const [latencyMin, latencyMax] = LATENCIES[pick(5, LATENCIES.length)]!;
  const loss = LOSSES[pick(6, LOSSES.length)]!;
  const seed = SEEDS[pick(7, SEEDS.length)]!;
  const maxTicks = pick(8, 3) === 0 ? pick(9, 16) : 100000;
  // Constant latency is passed as a number (the documented `--latency D` form), ranges as "LO..HI".
  const latencyText: string | number = latencyMin === latencyMax ? latencyMin : `${latencyMin}..${latencyMax}`;
  const input: OracleInput = { hosts, protocol, fanout, view, latencyMin, latencyMax, loss, seed, maxTicks };
  const options: Record<string, unknown> = { hosts, protocol, latency: latencyText, loss, seed, maxTicks, engine: 'reference' };
  if (periodic) {
    options.fanout = fanout;
    options.view = view;
  }
  return { input, options, latencyText };
}

const METRIC_KEYS = [
  'converged', 'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'inFlight', 'entries',
  'spreadTicks', 'coverage', 'endReason', 'lastTick', 'hostCompletionTicks', 'series', 'load',
] as const satisfies readonly (keyof OracleResult)[];

function pickCompared(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of METRIC_KEYS) out[k] = r[k];
  return out;
}

async function compare(cfg: Config): Promise<void> {
  const expected = oracleSimulate(cfg.input);
  const actual = (await simulate(cfg.options as never)) as unknown as Record<string, unknown>;
  expect(pickCompared(actual), `config ${JSON.stringify(cfg.options)}`).toEqual(pickCompared(expected as never));
}

describe('reference engine agrees with an independent reading of SPEC.md', () => {
  it(`matches the oracle on ${SAMPLE_SIZE} seeded random small configurations (sample seed ${SAMPLE_SEED})`, async () => {
    for (let i = 0; i < SAMPLE_SIZE; i++) await compare(makeConfig(i));
  }, 120_000);

  it('matches the oracle on 200 hosts, announce, latency 1..3', async () => {
    await compare({
      input: { hosts: 200, protocol: 'announce', fanout: 1, view: 'known', latencyMin: 1, latencyMax: 3, loss: 0, seed: 1, maxTicks: 100000 },
      options: { hosts: 200, protocol: 'announce', latency: '1..3', loss: 0, seed: 1, maxTicks: 100000, engine: 'reference' },
      latencyText: '1..3',
    });
  }, 120_000);

  it('matches the oracle on 300 hosts, push-pull, fanout 2, loss 0.1', async () => {
    await compare({
      input: { hosts: 300, protocol: 'push-pull', fanout: 2, view: 'known', latencyMin: 1, latencyMax: 1, loss: 0.1, seed: 3, maxTicks: 100000 },
      options: { hosts: 300, protocol: 'push-pull', fanout: 2, view: 'known', latency: 1, loss: 0.1, seed: 3, maxTicks: 100000, engine: 'reference' },
      latencyText: 1,
    });
  }, 120_000);

  it('matches the oracle on the worked-example configurations of SPEC.md', async () => {
    for (const [hosts, protocol] of [[1, 'announce'], [2, 'announce'], [100, 'announce'], [100, 'push']] as const) {
      await compare({
        input: { hosts, protocol, fanout: 1, view: 'known', latencyMin: 1, latencyMax: 1, loss: 0, seed: 1, maxTicks: 100000 },
        options: { hosts, protocol, latency: 1, loss: 0, seed: 1, maxTicks: 100000, engine: 'reference' },
        latencyText: 1,
      });
    }
  }, 120_000);
});
