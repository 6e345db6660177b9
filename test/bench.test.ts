/**
 * `gossip-sim bench`: statistics, option validation, the results schema, and a real (tiny) sweep
 * whose every run is a child process of the built CLI. Run `npm run build` first (`npm test` does).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidsWhere } from './support/cli-process.js';
import { runMain, type Outcome } from './support/run-main.js';
import { planBench, type BenchFlags } from '../src/bench/commands.js';
import { ScalingControl } from '../src/bench/control.js';
import { collectEnvironment } from '../src/bench/environment.js';
import { builtCli } from '../src/bench/paths.js';
import { BENCH_RESULTS_SCHEMA, parseResults, SchemaError, validate, type BenchResults } from '../src/bench/schema.js';
import { mannWhitney, median, quantile, separation, spreadOf } from '../src/bench/stats.js';
import { OptionError } from '../src/errors.js';

/** Runs the bench/compare commands in-process through the CLI's own `main()`. */
const gossip = runMain;

let dir = '';
beforeAll(() => {
  if (!existsSync(builtCli())) throw new Error(`${builtCli()} is missing: run \`npm run build\` first (every bench run starts the built CLI)`);
  dir = mkdtempSync(join(tmpdir(), 'gossip-bench-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('statistics', () => {
  it('computes medians, interpolated quantiles and spreads', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([10, 20], 0.9)).toBeCloseTo(19);
    expect(spreadOf([5, 1, 9])).toEqual({ median: 5, min: 1, max: 9 });
    expect(() => median([])).toThrow(RangeError);
  });

  it('tells disjoint samples from overlapping ones', () => {
    expect(separation([4, 5, 6], [1, 2, 3])).toBe('above');
    expect(separation([1, 2], [3, 4])).toBe('below');
    expect(separation([1, 3], [2, 4])).toBe('overlap');
  });

  it('gives the exact Mann-Whitney p-values of complete separation: 1/C(m+n, m)', () => {
    const three = mannWhitney([4, 5, 6], [1, 2, 3]);
    expect(three).toMatchObject({ u: 9, exact: true });
    expect(three.pGreater).toBeCloseTo(1 / 20, 12);
    expect(three.pLess).toBe(1);
    expect(mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).pGreater).toBeCloseTo(1 / 252, 12);
    // One inversion among 5 vs 5: U = 24, P(U >= 24) = 2/252.
    expect(mannWhitney([5.5, 7, 8, 9, 10], [1, 2, 3, 4, 6]).pGreater).toBeCloseTo(2 / 252, 12);
  });

  it('falls back to the normal approximation with ties, and reports no difference for equal samples', () => {
    const tied = mannWhitney([1, 2, 2, 3], [2, 2, 3, 3]);
    expect(tied.exact).toBe(false);
    expect(tied.pGreater).toBeGreaterThan(0.5);
    expect(mannWhitney([5, 5, 5], [5, 5, 5]).pGreater).toBe(1);
  });
});

describe('bench option validation (before any run)', () => {
  const cases: [string, BenchFlags, RegExp][] = [
    ['a host count out of range', { hosts: '1000,0' }, /^--hosts: got 0, expected an integer from 1/],
    ['an empty list item', { hosts: '1000,,5000' }, /^--hosts: got "1000,,5000", expected a comma-separated list/],
    ['a repeated list item', { threads: '1,1' }, /^--threads: got "1,1", expected a list without repeated values/],
    ['an unknown protocol', { protocol: 'announce,gossip' }, /^--protocol: got "gossip", expected one of announce, push, pull, push-pull/],
    ['--fanout without a periodic protocol', { protocol: 'announce', fanout: '2' }, /^--fanout: got 2, expected no --fanout with --protocol announce/],
    ['several thread counts with the reference engine', { engine: 'reference', threads: '1,2' }, /^--threads: got 2, expected 1 \(or no --threads\) with --engine reference/],
    ['more than one thread with the reference engine, as `run` refuses it', { engine: 'reference', threads: '5' }, /^--threads: got 5, expected 1 \(or no --threads\) with --engine reference/],
    ['a bad latency', { latency: '3..1' }, /^--latency: got "3..1"/],
    ['a bad engine', { engine: 'gpu' }, /^--engine: got "gpu", expected one of reference, parallel/],
    ['--repeat 0', { repeat: '0' }, /^--repeat: got "0", expected an integer from 1 to 1000/],
    ['a fractional --warmup', { warmup: '1.5' }, /^--warmup: got "1.5", expected an integer from 0 to 100/],
    ['an unknown format', { format: 'json,xml' }, /^--format: got "xml", expected one of json, markdown, github/],
    ['several formats without --out', { format: 'json,markdown' }, /^--format: got "json,markdown", expected one format without --out/],
    ['--out in a missing folder', { out: '/nonexistent-folder/r.json' }, /^--out: got "\/nonexistent-folder\/r.json", expected a file that can be written \(its folder does not exist\)/],
    ['--out under a path that is a file', { out: '/etc/hostname/r.json' }, /^--out: got "\/etc\/hostname\/r.json", expected a file that can be written/],
    ['--out not ending in .json (its companions replace .json)', { out: 'results.txt' }, /^--out: got "results.txt", expected a file name ending in .json/],
    ['--report in a missing folder', { report: '/nonexistent-folder/r.html' }, /^--report: got "\/nonexistent-folder\/r.html", expected a file that can be written/],
  ];
  it.each(cases)('rejects %s with one line naming the option, the value and what is allowed', (_name, flags, message) => {
    let error: unknown;
    try {
      planBench(flags);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('exits 2 through the command, with nothing on stdout', async () => {
    const { code, stdout, stderr } = await gossip(['bench', '--hosts', 'many']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('gossip-sim: --hosts: got "many", expected an integer from 1 to 1048576\n');
  });

  it('refuses a configuration that cannot fit in memory before running anything, naming it', async () => {
    const { code, stderr } = await gossip(['bench', '--hosts', '2000', '--threads', '1', '--max-memory', '1M']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^gossip-sim: announce, 2000 hosts, 1 thread: this run needs about/);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses a reference-engine configuration that cannot fit before running anything, as a parallel one', () => {
    // The reference engine keeps byte maps, logs and message objects on the heap: about 17 GiB here.
    expect(() => planBench({ hosts: '100,20000', engine: 'reference', maxMemory: '1G' })).toThrow(/^announce, 20000 hosts, reference engine: this run needs about .*over the budget of 1\.00 GiB/);
    const plan = planBench({ hosts: '100,20000', engine: 'reference', maxMemory: '1G' }, 'skip');
    expect(plan.configurations.map((c) => c.options.hosts)).toEqual([100]);
    expect(plan.skipped).toHaveLength(1);
  });

  it('sweeps the cartesian product, thread counts of one workload adjacent, fanout only for periodic protocols', () => {
    const plan = planBench({ hosts: '20,40', threads: '1,2', protocol: 'announce,push', fanout: '2' });
    expect(plan.configurations.map((c) => [c.options.protocol, c.options.hosts, c.options.threads, c.options.fanout])).toEqual([
      ['announce', 20, 1, 1], ['announce', 20, 2, 1], ['announce', 40, 1, 1], ['announce', 40, 2, 1],
      ['push', 20, 1, 2], ['push', 20, 2, 2], ['push', 40, 1, 2], ['push', 40, 2, 2],
    ]);
    expect(plan.repeat).toBe(5);
    expect(plan.warmup).toBe(1);
    const oversubscribed = planBench({ hosts: '20', threads: `1,${availableParallelism() + 1}` }).configurations.map((c) => c.oversubscribed);
    expect(oversubscribed).toEqual([false, true]);
  });

  it('rumor\'s variant flags reach every run of rumor, and are refused for the other protocols', () => {
    const plan = planBench({ protocol: 'rumor', hosts: '500', threads: '1', rumorMode: 'pull', rumorFeedback: 'blind', rumorStop: 'coin', rumorK: '3', rumorSources: '0,9', contact: 'messages' });
    const [c] = plan.configurations;
    expect(c!.options).toMatchObject({ rumorMode: 'pull', rumorFeedback: 'blind', rumorStop: 'coin', rumorK: 3, rumorSources: [0, 9], contact: 'messages' });
    expect(c!.args.join(' ')).toContain('--rumor-mode pull --rumor-feedback blind --rumor-stop coin --rumor-k 3 --rumor-sources 0,9 --contact messages');
    expect(() => planBench({ protocol: 'push', hosts: '50', rumorK: '3' })).toThrow('--rumor-k');
  });

  it('--scenario: the file\'s options are defaults under the flags, and every run gets the file (its events)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossip-sim-bench-scenario-'));
    const file = join(dir, 'split.json');
    writeFileSync(file, JSON.stringify({ options: { protocol: 'rumor', hosts: 500, rumorMode: 'pull' }, events: [{ partition: { at: 1, heal: 5, groups: [{ fraction: 0.5 }] } }] }));
    const plan = planBench({ scenario: file, threads: '1,2', hosts: '300' });
    expect(plan.configurations.map((c) => [c.options.protocol, c.options.hosts, c.options.threads, c.options.rumorMode])).toEqual([
      ['rumor', 300, 1, 'pull'], ['rumor', 300, 2, 'pull'],
    ]);
    // The file's regions are checked against every host count of the sweep before anything runs.
    writeFileSync(file, JSON.stringify({ options: { protocol: 'push', threads: 1 }, regions: { groups: [{ hosts: '0..499' }] } }));
    expect(() => planBench({ scenario: file, hosts: '100' })).toThrow('regions.groups[0].hosts');
    const regional = planBench({ scenario: file, hosts: '1000' });
    expect(regional.configurations.map((c) => [c.options.threads, c.options.regions?.groups])).toEqual([[1, [{ hosts: '0..499' }]]]);
    writeFileSync(file, JSON.stringify({ options: { protocol: 'rumor', hosts: 500, rumorMode: 'pull' }, events: [{ partition: { at: 1, heal: 5, groups: [{ fraction: 0.5 }] } }] }));
    for (const c of plan.configurations) {
      expect(c.options.partitions).toEqual([{ at: 1, heal: 5, groups: [{ fraction: 0.5 }] }]);
      expect(c.args.slice(-3)).toEqual(['--scenario', file, '--json']);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the results schema', () => {
  it('records the environment: Node, CPU, cores, memory, OS, git commit, date', () => {
    const env = collectEnvironment('test label');
    expect(env).toMatchObject({ node: process.version, label: 'test label', cores: expect.any(Number), totalMemoryBytes: expect.any(Number) });
    expect(Date.parse(env.date)).not.toBeNaN();
    if (env.gitCommit !== null) expect(env.gitCommit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('names the path, the expectation and the value of every violation', () => {
    expect(validate({})).toContain('$: missing required field "configurations"');
    const errors = validate({ schemaVersion: 1, kind: 'gossip-sim-bench', configurations: [{ samples: [{ wallSeconds: 'fast' }] }] });
    expect(errors).toContain('$.configurations[0].samples[0].wallSeconds: expected number, got "fast"');
    expect(errors).toContain('$.configurations[0].samples[0]: missing required field "processSeconds"');
    expect(() => parseResults({ schemaVersion: 2 })).toThrow(/reads schema version 1, got 2/);
    expect(() => parseResults([])).toThrow(SchemaError);
  });
});

describe('the CPU-scaling control', () => {
  it('measures N workers of pure arithmetic against one, before and after', async () => {
    const control = new ScalingControl([1, 2], { unitSeconds: 0.02, samples: 2 });
    try {
      await control.measure('before');
      await control.measure('after');
    } finally {
      await control.close();
    }
    const [two, ...rest] = control.report();
    expect(rest).toEqual([]);
    expect(two!.threads).toBe(2);
    expect(two!.samples.map((s) => s.phase)).toEqual(['before', 'before', 'after', 'after']);
    // Whatever the machine gives, 2 workers do 2 units in more than a third of the time of one.
    for (const s of two!.samples) expect(s.speedup).toBeGreaterThan(0.3);
    expect(two!.efficiency).toBeCloseTo(two!.speedup.median / 2, 12);
  });
});

describe('gossip-sim bench (child processes of the built CLI)', () => {
  let results: BenchResults;
  let run: Outcome;
  const over = availableParallelism() + 1;

  beforeAll(async () => {
    run = await gossip([
      'bench', '--hosts', '24', '--threads', `1,2,${over}`, '--repeat', '2', '--warmup', '1',
      '--out', join(dir, 'r.json'), '--format', 'json,markdown,github', '--label', 'vitest',
    ]);
    results = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchResults;
  });

  it('exits 0 and prints the table with speedups, efficiency, the control and oversubscription', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const column of ['wall s, median (min–max)', 'barrier wait', 'process s', 'messages/s', 'ticks/s', 'peak RSS', 'speedup', 'efficiency', 'control']) {
      expect(run.stdout).toContain(column);
    }
    expect(run.stdout).toContain('oversubscribed');
    expect(run.stdout).toMatch(/CPU-scaling control/);
    expect(run.stdout).toContain(`wrote ${join(dir, 'r.json')}, ${join(dir, 'r.md')}, ${join(dir, 'r.github.json')}`);
  });

  it('writes a results file that validates against the documented schema', () => {
    expect(validate(results, BENCH_RESULTS_SCHEMA)).toEqual([]);
    expect(results.environment.label).toBe('vitest');
    expect(results.settings).toMatchObject({ repeat: 2, warmup: 1 });
  });

  it('keeps every sample of every configuration, each its own process with its own peak RSS', () => {
    expect(results.configurations.map((c) => c.options.threads)).toEqual([1, 2, over]);
    for (const c of results.configurations) {
      expect(c.warmup).toHaveLength(1);
      expect(c.samples).toHaveLength(2);
      for (const s of c.samples) {
        expect(s.wallSeconds).toBeGreaterThan(0);
        expect(s.processSeconds).toBeGreaterThan(s.wallSeconds);
        expect(s.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
        // One shard never waits for another; more shards wait some share of their tick time.
        if (c.options.threads === 1) expect(s.barrierWaitShare).toBe(0);
        else {
          expect(s.barrierWaitShare).toBeGreaterThanOrEqual(0);
          expect(s.barrierWaitShare).toBeLessThanOrEqual(1);
        }
      }
      expect(c.metrics).toMatchObject({ converged: true, sent: 24 * 24 - 1 });
      expect(c.args).toContain('--json');
    }
    expect(results.issues).toEqual([]);
  });

  it('computes speedup and efficiency against 1 thread, beside the control at the same thread count', () => {
    const [one, two, many] = results.configurations;
    expect(one!.summary.speedup).toBe(1);
    expect(two!.summary.speedup).toBeCloseTo(one!.summary.wallSeconds.median / two!.summary.wallSeconds.median, 12);
    expect(two!.summary.efficiency).toBeCloseTo(two!.summary.speedup! / 2, 12);
    expect(results.control.map((c) => c.threads)).toEqual([2, over]);
    expect(two!.summary.controlSpeedup).toBe(results.control[0]!.speedup.median);
    expect(many!.oversubscribed).toBe(true);
    expect(results.control[1]!.oversubscribed).toBe(true);
    expect(results.control[0]!.samples.map((s) => s.phase)).toEqual(['before', 'before', 'before', 'after', 'after', 'after']);
  });

  it('writes the Markdown table and the github-action-benchmark customSmallerIsBetter array', () => {
    const markdown = readFileSync(join(dir, 'r.md'), 'utf8');
    expect(markdown).toMatch(/^\| protocol \| hosts \| threads \|/m);
    expect(markdown).toMatch(/^\| --- \|/m);
    const entries = JSON.parse(readFileSync(join(dir, 'r.github.json'), 'utf8')) as Record<string, unknown>[];
    expect(entries).toHaveLength(3 * 3);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(['extra', 'name', 'range', 'unit', 'value']);
      expect(typeof e['value']).toBe('number');
    }
    expect(entries[0]!['name']).toBe('announce, 24 hosts, 1 thread - simulation wall time');
  });
});

describe('--cpu-hog', () => {
  it('runs one busy process beside the sweep, says so in the results and the table, and leaves none behind', async () => {
    const out = join(dir, 'hog.json');
    const marker = 'process.kill(';
    const withMarker = (): number[] => pidsWhere('cmdline', (cmdline) => cmdline.includes(marker));
    const before = withMarker();
    let during: number[] = [];
    const watch = setInterval(() => {
      if (during.length === 0) during = withMarker().filter((p) => !before.includes(p));
    }, 20);
    const run = await gossip(['bench', '--hosts', '300', '--threads', '1', '--repeat', '2', '--warmup', '0', '--cpu-hog', '--out', out]);
    clearInterval(watch);
    expect(run.code, run.stderr).toBe(0);
    expect(during.length).toBe(1);
    expect(run.stdout).toContain('beside a CPU hog (one busy process, control included)');
    const results = parseResults(JSON.parse(readFileSync(out, 'utf8')));
    expect(results.settings.cpuHog).toBe(true);
    expect(results.settings.argv).toContain('--cpu-hog');
    expect(results.settings.argv).not.toContain('true');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(withMarker().filter((p) => !before.includes(p))).toEqual([]);
  }, 60_000);
});

describe('progress', () => {
  it('draws configuration i of n with elapsed time on a terminal only', async () => {
    const quiet = await gossip(['bench', '--hosts', '10', '--engine', 'reference', '--repeat', '1', '--warmup', '0'], false);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const tty = await gossip(['bench', '--hosts', '10,12', '--engine', 'reference', '--repeat', '1', '--warmup', '0'], true);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('configuration 1/2 (announce, 10 hosts, reference engine), run 1/1, elapsed 0:0');
    expect(tty.stderr).toContain('configuration 2/2');
    expect(tty.stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect(tty.stdout).toContain('reference');
  });
});
