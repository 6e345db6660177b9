/**
 * `run --seeds`: the seed list, the statistics, and that every seed's run on the pool is the run
 * `run --seed K` gives. The pool's workers run compiled code: `npm run build` first (`npm test`
 * does).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../src/errors.js';
import { METRIC_NAMES } from '../src/result.js';
import { aggregateRuns, parseSeeds, planSeeds, runSeeds, statisticsOf, MAX_SEEDS, POOL_MAX_HOSTS, type SeedRun } from '../src/seeds/index.js';
import { runMain } from './support/run-main.js';

const WORKER = fileURLToPath(new URL('../dist/workers/seeds.js', import.meta.url));
/** A configuration whose metrics differ from seed to seed (loss and a latency range). */
const CONFIG = ['--hosts', '200', '--protocol', 'push', '--loss', '0.1', '--latency', '1..3'] as const;
const SEEDS = [1, 2, 3, 4, 5] as const;

beforeAll(() => {
  if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` first (\`npm test\` builds before running vitest)`);
});

function rejection(text: string): OptionError {
  try {
    parseSeeds(text);
  } catch (error) {
    if (error instanceof OptionError) return error;
    throw error;
  }
  throw new Error(`parseSeeds(${JSON.stringify(text)}) accepted it`);
}

describe('parseSeeds', () => {
  it.each([
    ['1..5', [1, 2, 3, 4, 5]],
    ['1,5,9', [1, 5, 9]],
    ['1..3,20,30..32', [1, 2, 3, 20, 30, 31, 32]],
    [' 7 ', [7]],
    ['0..0', [0]],
    ['4294967294..4294967295', [4294967294, 4294967295]],
    ['3, 1 .. 2', [3, 1, 2]],
  ])('accepts %j in the order given', (text, seeds) => {
    expect(parseSeeds(text)).toEqual(seeds);
  });

  it('accepts exactly MAX_SEEDS seeds', () => {
    expect(parseSeeds(`1..${MAX_SEEDS}`)).toHaveLength(MAX_SEEDS);
  });

  it.each([
    ['', /empty/],
    ['1,,2', /empty/],
    ['1,', /empty/],
    ['5..1', /reversed/],
    ['1,1', /1 is listed twice/],
    ['1..3,2', /2 is listed twice/],
    ['1.5', /integers from 0 to 4294967295/],
    ['-1', /integers from 0 to 4294967295/],
    ['a..b', /integers from 0 to 4294967295/],
    ['1..2..3', /integers from 0 to 4294967295/],
    ['4294967296', /too large/],
    ['99999999999999999999', /too large/],
    [`0..${MAX_SEEDS}`, /at most 100000 seeds/],
    ['0..4294967295', /at most 100000 seeds/],
  ])('rejects %j naming --seeds, the value and what is allowed', (text, allowed) => {
    const error = rejection(text);
    expect(error.option).toBe('--seeds');
    expect(error.message).toMatch(/^--seeds: got ".*", expected /);
    expect(error.allowed).toMatch(allowed);
  });
});

describe('the statistics of a --seeds aggregate', () => {
  it('mean, sample sd (n - 1) and the Student-t 95% interval of the mean', () => {
    const s = statisticsOf([1, 2, 3, 4]);
    const sd = Math.sqrt(((1.5 ** 2) * 2 + (0.5 ** 2) * 2) / 3);
    expect(s.n).toBe(4);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(sd, 12);
    // t(0.975, 3) = 3.182446305 (printed tables).
    const h = 3.182446305 * sd / 2;
    expect(s.ci95![0]).toBeCloseTo(2.5 - h, 8);
    expect(s.ci95![1]).toBeCloseTo(2.5 + h, 8);
  });

  it('one value: sd 0 and the interval a point; no value: nulls and n 0', () => {
    expect(statisticsOf([7])).toEqual({ n: 1, mean: 7, sd: 0, ci95: [7, 7] });
    expect(statisticsOf([])).toEqual({ n: 0, mean: null, sd: null, ci95: null });
  });

  it('aggregates converged as 0/1, nullable metrics over the runs that have them, lastTick and protocol metrics', () => {
    const base = { ticks: 5, sent: 10, delivered: 9, processed: 9, ignored: 0, lost: 1, inFlight: 0, entries: 20, spreadTicks: 0, coverage: 1, lastTick: 5, partitioned: 0, dropped: 3, live: 7 };
    const runs = [
      { ...base, seed: 1, converged: true, completionQuantiles: { p50: 2, p95: 4, p99: 5 }, protocolMetrics: { residue: 0.25, tLast: null } },
      { ...base, seed: 2, converged: false, ticks: null, lastTick: 9, completionQuantiles: { p50: 4, p95: null, p99: null }, protocolMetrics: { residue: 0.75, tLast: 3 } },
    ] as unknown as SeedRun[];
    const a = aggregateRuns(runs);
    expect(a['dropped']).toEqual({ n: 2, mean: 3, sd: 0, ci95: [3, 3] });
    expect(a['live']).toMatchObject({ n: 2, mean: 7 });
    expect(Object.keys(a)).toEqual([...METRIC_NAMES, 'lastTick', 'partitioned', 'dropped', 'live', 'completionP50', 'completionP95', 'completionP99', 'residue', 'tLast']);
    expect(a['completionP50']).toMatchObject({ n: 2, mean: 3 });
    expect(a['completionP95']).toEqual({ n: 1, mean: 4, sd: 0, ci95: [4, 4] });
    expect(a['converged']).toMatchObject({ n: 2, mean: 0.5 });
    expect(a['ticks']).toEqual({ n: 1, mean: 5, sd: 0, ci95: [5, 5] });
    expect(a['lastTick']).toMatchObject({ n: 2, mean: 7 });
    expect(a['residue']).toMatchObject({ n: 2, mean: 0.5 });
    expect(a['tLast']).toMatchObject({ n: 1, mean: 3 });
  });
});

describe('how seeds are run', () => {
  it('small runs go to the pool, one thread each; --threads above 1 and large runs go one after another', () => {
    const pool = planSeeds({ hosts: 300 }, [1, 2, 3], 2);
    expect(pool).toMatchObject({ mode: 'pool', workers: 2 });
    expect(pool.options.threads).toBe(1);
    expect(planSeeds({ hosts: 300, threads: 2 }, [1, 2, 3], 2).mode).toBe('serial');
    expect(planSeeds({ hosts: 300, threads: 1 }, [1, 2, 3], 2).mode).toBe('pool');
    expect(planSeeds({ hosts: POOL_MAX_HOSTS + 1, protocol: 'push' }, [1, 2], 2).mode).toBe('serial');
    expect(planSeeds({ hosts: 300 }, [1], 2).mode).toBe('serial');
    expect(planSeeds({ hosts: 300 }, [1, 2], 1).mode).toBe('serial');
  });

  it('an abort stops launching: the runs finished so far, in seed order, partial', async () => {
    const seeds = Array.from({ length: 40 }, (_, i) => i + 1);
    const stop = new AbortController();
    const outcome = await runSeeds({ hosts: 300, protocol: 'push' }, seeds, {
      signal: stop.signal,
      onProgress: (finished) => {
        if (finished >= 1) stop.abort();
      },
    });
    expect(outcome.partial).toBe(true);
    expect(outcome.runs.length).toBeGreaterThanOrEqual(1);
    expect(outcome.runs.length).toBeLessThan(seeds.length);
    const got = outcome.runs.map((r) => r.seed);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(outcome.aggregate['sent']!.n).toBe(outcome.runs.length);
  });

  it('an AbortSignal aborted before the start runs nothing', async () => {
    const outcome = await runSeeds({ hosts: 100 }, [1, 2, 3], { signal: AbortSignal.abort() });
    expect(outcome).toMatchObject({ partial: true, runs: [] });
    expect(outcome.aggregate['sent']).toEqual({ n: 0, mean: null, sd: null, ci95: null });
  });
});

describe('gossip-sim run --seeds', () => {
  it('--json: the aggregate is the mean and sd of the separate runs, each run is `run --seed K` with its seed', async () => {
    const many = await runMain(['run', ...CONFIG, '--seeds', '1..5', '--json']);
    expect(many.stderr).toBe('');
    expect(many.code).toBe(0);
    expect(many.stdout.trimEnd().split('\n')).toHaveLength(1);
    const doc = JSON.parse(many.stdout) as {
      aggregate: Record<string, { mean: number; sd: number; n: number; ci95: [number, number] }>;
      runs: Record<string, unknown>[];
      options: Record<string, unknown>;
      seeds: unknown;
      wallSeconds: number;
      partial: boolean;
    };
    expect(Object.keys(doc)).toEqual(['aggregate', 'runs', 'options', 'seeds', 'wallSeconds', 'partial']);
    expect(doc.seeds).toEqual({ count: 5, first: 1, last: 5 });
    expect(doc.partial).toBe(false);
    expect(doc.options).toMatchObject({ hosts: 200, protocol: 'push', loss: 0.1, latency: '1..3' });
    expect(doc.options).not.toHaveProperty('seed');

    const singles: Record<string, unknown>[] = [];
    for (const seed of SEEDS) {
      const one = await runMain(['run', ...CONFIG, '--seed', String(seed), '--json']);
      expect(one.code).toBe(0);
      singles.push(JSON.parse(one.stdout) as Record<string, unknown>);
    }
    expect(doc.runs.map((r) => r['seed'])).toEqual([...SEEDS]);
    for (const [i, run] of doc.runs.entries()) {
      expect(run).not.toHaveProperty('series');
      expect(run).not.toHaveProperty('hostCompletionTicks');
      const single = singles[i]!;
      for (const name of [...METRIC_NAMES, 'endReason', 'lastTick']) expect(run[name], `seed ${SEEDS[i]} ${name}`).toEqual(single[name]);
      expect(run['options']).toEqual(single['options']);
    }

    const values = (name: string): number[] => singles.map((s) => (name === 'converged' ? (s[name] ? 1 : 0) : (s[name] as number)));
    const sent = values('sent');
    expect(new Set(sent).size, 'the seeds must give different runs for this test to mean something').toBeGreaterThan(1);
    for (const name of ['converged', 'sent', 'delivered', 'lost', 'entries', 'coverage', 'lastTick']) {
      const xs = values(name);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
      const a = doc.aggregate[name]!;
      expect(a.n, name).toBe(5);
      expect(a.mean, name).toBeCloseTo(mean, 9);
      expect(a.sd, name).toBeCloseTo(sd, 9);
      // t(0.975, 4) = 2.776445105 (printed tables); compared relative to the half-width.
      const h = (2.776445105 * sd) / Math.sqrt(5);
      if (h === 0) expect(a.ci95, name).toEqual([a.mean, a.mean]);
      else expect((a.ci95[1] - a.mean) / h, name).toBeCloseTo(1, 8);
      expect(a.mean - a.ci95[0], name).toBeCloseTo(a.ci95[1] - a.mean, 6);
    }
  });

  it('without --json: a table of metric, mean, sd, 95% CI and n, and a line with the runs and the wall time', async () => {
    const { code, stdout, stderr } = await runMain(['run', '--hosts', '100', '--protocol', 'push', '--seeds', '1,2,3']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/metric\s*│\s*mean\s*│\s*sd\s*│\s*95% CI\s*│\s*n/);
    for (const name of [...METRIC_NAMES, 'lastTick']) expect(stdout).toMatch(new RegExp(`│ ${name}\\s`));
    expect(stdout).toMatch(/^3 runs in \d+\.\d\d s wall time/m);
  });

  it.each([
    [['--seed', '3', '--seeds', '1..2'], /--seed 3 and --seeds 1\.\.2/],
    [['--seeds', '5..1'], /--seeds: got "5\.\.1"/],
    [['--seeds', '1..2', '--trace', 'out.json'], /--trace takes one run/],
    [['--seeds', '1..2', '--report', 'out.html'], /--report takes one run/],
  ])('%j exits 2 with one line on stderr', async (args, message) => {
    const { code, stdout, stderr } = await runMain(['run', '--hosts', '20', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
