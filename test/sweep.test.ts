/**
 * `gossip-sim sweep` on this machine and `gossip-sim merge`: plans and their schema, run keys,
 * slices, the results file (resume, a cut-short line, SIGINT), and merging slices back into the
 * unsliced sweep. Every run is a child process of the built CLI: run `npm run build` first
 * (`npm test` does). Plans are tiny reference-engine runs, so the file stays a few seconds.
 */
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childPids, startCli } from './support/cli-process.js';
import { runMain } from './support/run-main.js';
import { packageRoot } from '../src/bench/paths.js';
import { meanInterval, studentTQuantile } from '../src/bench/stats.js';
import { compileChart, intervalChart } from '../src/report/index.js';
import { MAX_FANOUT, MAX_HOSTS, MAX_LATENCY, MAX_THREADS, MAX_TICKS } from '../src/options.js';
import { canonicalJson, parsePlan, readResultFile, resolveSlice, inSlice, schemaPath, type ResultLine } from '../src/sweep/index.js';

const root = packageRoot();
let dir = '';
beforeAll(() => {
  const built = join(root, 'dist', 'src', 'sweep', 'commands.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (sweeps start the built CLI)`);
  dir = mkdtempSync(join(tmpdir(), 'gossip-sweep-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `plan` to a file in the test folder and returns its path. */
function planFile(name: string, plan: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(plan, null, 2));
  return path;
}

function linesOf(path: string): ResultLine[] {
  return readResultFile(path).lines;
}

/** 2 configurations x 3 seeds of tiny reference-engine runs. */
const SIX_RUNS = { seeds: [1, 2, 3], entries: [{ protocol: ['push'], hosts: [20, 30], engine: ['reference'] }] };

describe('plans', () => {
  it('give {} and explicitly written defaults the same keys and plan hash', () => {
    const implicit = parsePlan({ seeds: [1, 2], entries: [{}] }, 'a.json');
    const explicit = parsePlan({
      seeds: [1, 2],
      entries: [{ hosts: [1000], protocol: ['announce'], latency: ['1'], loss: [0], maxTicks: [100000], threads: [1], engine: ['parallel'] }],
    }, 'b.json');
    expect(explicit.runs.map((r) => r.key)).toEqual(implicit.runs.map((r) => r.key));
    expect(explicit.hash).toBe(implicit.hash);
    expect(implicit.runs[0]!.key).toMatch(/^[0-9a-f]{16}$/);
    const other = parsePlan({ seeds: [1, 2], entries: [{ latency: [2] }] }, 'c.json');
    expect(other.runs[0]!.key).not.toBe(implicit.runs[0]!.key);
    expect(new Set(implicit.runs.map((r) => r.key)).size).toBe(2);
  });

  it('write canonical JSON: keys sorted at every level, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('expand entries in plan order, seeds innermost, announce once whatever the fanout and view lists', () => {
    const plan = parsePlan({ seeds: { first: 5, count: 2 }, entries: [{ protocol: ['announce', 'push'], hosts: [10], fanout: [1, 2] }, { hosts: [10], seeds: [9] }] }, 'p.json');
    expect(plan.runs.map((r) => [r.index, r.options.protocol, r.options.fanout, r.seed])).toEqual([
      [0, 'announce', 1, 5], [1, 'announce', 1, 6], [2, 'push', 1, 5], [3, 'push', 1, 6], [4, 'push', 2, 5], [5, 'push', 2, 6], [6, 'announce', 1, 9],
    ]);
    expect(plan.runs[0]!.args).not.toContain('--fanout');
    expect(plan.runs[4]!.args).toEqual(expect.arrayContaining(['--fanout', '2', '--threads', '1', '--json']));
    // A run listed by two entries is run once.
    expect(parsePlan({ seeds: [1], entries: [{}, { hosts: [1000] }] }, 'p.json')).toMatchObject({ repeats: 1, runs: [{ index: 0 }] });
  });

  const invalid: [string, unknown, string][] = [
    ['a host count out of range', { seeds: [1], entries: [{ hosts: [100, 0] }] }, 'entries[0].hosts[1]: got 0, expected an integer from 1 to 1048576'],
    ['a host count that is not a number', { seeds: [1], entries: [{ hosts: ['many'] }] }, 'entries[0].hosts[0]: got "many", expected an integer from 1 to 1048576'],
    ['a latency range LO > HI', { seeds: [1], entries: [{ latency: ['3..1'] }] }, 'entries[0].latency[0]: got "3..1", expected LO <= HI'],
    ['a misspelt option', { seeds: [1], entries: [{ host: [10] }] }, 'entries[0].host: got [10], expected no field "host"; the known fields are hosts, protocol'],
    ['a negative seed', { seeds: [1, -1], entries: [{}] }, 'seeds[1]: got -1, expected an integer seed from 0 to 4294967295'],
    ['no seeds', { entries: [{}] }, 'seeds: got nothing, expected the seeds of every entry that lists none'],
    ['a repeated value', { seeds: [1], entries: [{ protocol: ['push', 'push'] }] }, 'entries[0].protocol: got ["push","push"], expected a non-empty list of distinct protocols (no value twice)'],
    ['a fanout for announce only', { seeds: [1], entries: [{ fanout: [2] }] }, 'entries[0].fanout: got [2], expected a periodic protocol (push, pull or push-pull) in entries[0].protocol'],
    ['a scenario file', { seeds: [1], entries: [{ scenario: 'partition.json' }] }, 'entries[0].scenario: got "partition.json", expected no scenario: scenario files are not supported yet'],
    ['a list that is not a list', { seeds: [1], entries: [{ loss: 0.1 }] }, 'entries[0].loss: got 0.1, expected a non-empty list of distinct loss probabilities'],
  ];
  it.each(invalid)('refuse %s with exit 2 and one line naming the file, the JSON path, the value and what is allowed', async (_name, plan, message) => {
    const path = planFile('bad.json', plan);
    const { code, stdout, stderr } = await runMain(['sweep', path, '--out', join(dir, 'never.jsonl')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`gossip-sim: ${path}: ${message}`)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);
  });

  it('refuse a file that is not JSON, naming it', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "seeds": [1], ');
    const { code, stderr } = await runMain(['sweep', path, '--out', join(dir, 'never.jsonl')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^gossip-sim: ${path}: \\(top level\\): got text that is not JSON, expected a JSON sweep plan`));
  });

  it('have a schema whose bounds are the ones resolveOptions enforces', () => {
    const schema = JSON.parse(readFileSync(schemaPath('sweep-plan'), 'utf8')) as { definitions: { entry: { properties: Record<string, { items: { maximum?: number } }> } } };
    const max = (field: string): number | undefined => schema.definitions.entry.properties[field]!.items.maximum;
    expect([max('hosts'), max('fanout'), max('latency'), max('maxTicks'), max('threads')]).toEqual([MAX_HOSTS, MAX_FANOUT, MAX_LATENCY, MAX_TICKS, MAX_THREADS]);
  });

  it('include the example of docs/scale-out.md, which validates against the schema', () => {
    const doc = readFileSync(join(root, 'docs', 'scale-out.md'), 'utf8');
    const block = /```json\n([\s\S]*?)```/.exec(doc);
    expect(block).not.toBeNull();
    const plan = parsePlan(JSON.parse(block![1]!), 'docs/scale-out.md');
    expect(plan.runs.length).toBeGreaterThan(10);
  });
});

describe('slices', () => {
  it('deal runs round robin: slice I of N holds the runs r with r % N = I, and the slices partition the plan', () => {
    const runs = Array.from({ length: 10 }, (_, index) => ({ index }));
    const slices = [0, 1, 2].map((index) => inSlice(runs, { index, count: 3, source: 'test' }).map((r) => r.index));
    expect(slices).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(inSlice(runs, null)).toHaveLength(10);
  });

  it('come from --index/--count, a Slurm array (minus SLURM_ARRAY_TASK_MIN) or a Kubernetes Indexed Job', () => {
    expect(resolveSlice({ index: '2', count: '4' }, {})).toMatchObject({ index: 2, count: 4 });
    expect(resolveSlice({}, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' })).toMatchObject({ index: 2, count: 8, source: 'Slurm array' });
    expect(resolveSlice({}, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })).toMatchObject({ index: 0, count: 2 });
    expect(resolveSlice({}, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '3' })).toMatchObject({ index: 2, count: 3 });
    expect(resolveSlice({ count: '5' }, { JOB_COMPLETION_INDEX: '4' })).toMatchObject({ index: 4, count: 5, source: 'Kubernetes Indexed Job' });
    // The options win over the environment.
    expect(resolveSlice({ index: '0', count: '2' }, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' })).toMatchObject({ index: 0 });
    expect(resolveSlice({}, {})).toBeNull();
  });

  const refused: [string, { index?: string; count?: string }, NodeJS.ProcessEnv, string][] = [
    ['an index not below the count', { index: '2', count: '2' }, {}, '--index: got 2, expected a slice index from 0 to 1 (2 slices'],
    ['--index without --count', { index: '1' }, {}, '--index: got "1", expected --count N beside it'],
    ['--count without an index', { count: '3' }, {}, '--count: got "3", expected --index I beside it, or SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX'],
    ['JOB_COMPLETION_INDEX without --count', {}, { JOB_COMPLETION_INDEX: '1' }, 'JOB_COMPLETION_INDEX: got "1", expected --count N too'],
    ['a Slurm array without its count', {}, { SLURM_ARRAY_TASK_ID: '1' }, 'SLURM_ARRAY_TASK_COUNT: got "", expected an integer from 1'],
    ['a negative index', { index: '-1', count: '2' }, {}, '--index: got "-1", expected an integer from 0'],
  ];
  it.each(refused)('refuse %s, naming what is wrong or missing', (_name, flags, env, message) => {
    expect(() => resolveSlice(flags, env)).toThrow(message);
  });

  it('are listed by --dry-run without running anything', async () => {
    const { code, stdout } = await runMain(['sweep', planFile('six.json', SIX_RUNS), '--dry-run', '--index', '1', '--count', '2']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/: 6 runs; slice 1 of 2 \(--index\/--count\): 3 runs$/);
    expect(stdout.split('\n').slice(1, -1).map((l) => l.split('\t')[0])).toEqual(['1', '3', '5']);
  });
});

describe('usage errors of sweep, worker and merge', () => {
  const cases: [string, (plan: string) => string[], RegExp][] = [
    ['a sweep without --out', (plan) => ['sweep', plan], /^gossip-sim: --out: got nothing, expected a results file FILE\.jsonl/],
    ['--queue-name without --queue', (plan) => ['sweep', plan, '--out', join(dir, 'x.jsonl'), '--queue-name', 'q'], /^gossip-sim: --queue-name: got "q", expected --queue REDIS-URL beside it/],
    ['--concurrency with --queue', (plan) => ['sweep', plan, '--out', join(dir, 'x.jsonl'), '--queue', 'redis://127.0.0.1:1', '--concurrency', '2'], /^gossip-sim: --concurrency: got "2", expected no --concurrency with --queue/],
    ['a queue URL that is not redis://', (plan) => ['sweep', plan, '--out', join(dir, 'x.jsonl'), '--queue', 'http://host:6379'], /^gossip-sim: --queue: got "http:\/\/host:6379", expected a Redis URL redis:\/\/HOST:PORT/],
    ['a queue name with a colon', (plan) => ['sweep', plan, '--out', join(dir, 'x.jsonl'), '--queue', 'redis://127.0.0.1:1', '--queue-name', 'a:b'], /^gossip-sim: --queue-name: got "a:b", expected letters, digits/],
    ['a worker with neither --plan nor --queue-name', () => ['worker', 'redis://127.0.0.1:1'], /^gossip-sim: --plan\/--queue-name: got neither, expected one of them/],
    ['a zero --concurrency', (plan) => ['sweep', plan, '--out', join(dir, 'x.jsonl'), '--concurrency', '0'], /^gossip-sim: --concurrency: got "0", expected an integer from 1 to 1024/],
    ['an unknown merge format', () => ['merge', join(dir, 'none.jsonl'), '--format', 'xml'], /^gossip-sim: --format: got "xml", expected one of text, markdown, csv/],
    ['an unknown merge metric', () => ['merge', join(dir, 'none.jsonl'), '--metrics', 'sent,speed'], /^gossip-sim: --metrics: got "speed", expected a comma-separated list of ticks, sent/],
    ['a missing results file', () => ['merge', join(dir, 'none.jsonl')], /^gossip-sim: merge: .*none\.jsonl: no such file/],
  ];
  it.each(cases)('refuse %s: exit 2, one line naming the option, the value and what is allowed', async (_name, argv, message) => {
    const { code, stdout, stderr } = await runMain(argv(planFile('usage.json', SIX_RUNS)));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('confidence intervals', () => {
  it('use Student t quantiles, exact to the printed tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047, 6);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.3026527, 6);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2621572, 6);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0422725, 6);
    expect(studentTQuantile(0.975, 1000)).toBeCloseTo(1.9623391, 6);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451, 6);
  });

  it('give mean, sample sd and mean ∓ t·sd/√n, and no interval for one value', () => {
    const s = meanInterval([1, 2, 3]);
    expect(s).toMatchObject({ n: 3, mean: 2, sd: 1 });
    expect(s.high! - s.mean).toBeCloseTo(4.3026527 / Math.sqrt(3), 6);
    expect(meanInterval([5])).toEqual({ n: 1, mean: 5, sd: null, low: null, high: null });
  });
});

describe('a local sweep (child processes of the built CLI)', () => {
  let plan = '';
  let whole = '';
  let slice0 = '';
  let slice1 = '';
  let tty = '';

  beforeAll(async () => {
    plan = planFile('six.json', SIX_RUNS);
    whole = join(dir, 'whole.jsonl');
    slice0 = join(dir, 'slice0.jsonl');
    slice1 = join(dir, 'slice1.jsonl');
    const run = await runMain(['sweep', plan, '--out', whole, '--concurrency', '2'], true);
    tty = run.stderr;
    expect(run.code, run.stderr).toBe(0);
    for (const [index, out] of [[0, slice0], [1, slice1]] as const) {
      const s = await runMain(['sweep', plan, '--out', out, '--index', String(index), '--count', '2', '--concurrency', '2']);
      expect(s.code, s.stderr).toBe(0);
      expect(s.stderr).toBe('');
      expect(s.stdout).toMatch(new RegExp(`^sweep: slice ${index} of 2: 3 of 3 runs in `));
    }
  });

  it('writes one line per run: key, plan, options, seed, metrics, timings, peak RSS and the environment', () => {
    const lines = linesOf(whole);
    const expected = parsePlan(SIX_RUNS, plan);
    expect(lines.map((l) => l.key).sort()).toEqual(expected.runs.map((r) => r.key).sort());
    for (const line of lines) {
      expect(line.plan).toBe(expected.hash);
      expect(Object.keys(line.metrics)).toEqual(['converged', 'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'inFlight', 'entries', 'spreadTicks', 'coverage', 'endReason', 'lastTick']);
      expect(line.options).toMatchObject({ protocol: 'push', engine: 'reference', threads: 1, latency: '1' });
      expect(line.metrics.converged).toBe(true);
      expect(line.processSeconds).toBeGreaterThan(line.wallSeconds);
      expect(line.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(line.environment).toMatchObject({ node: process.version, cores: expect.any(Number) });
      expect(line.runner).toMatch(/^.+:\d+$/);
    }
  });

  it('draws a progress bar with runs done and remaining on a terminal, and none elsewhere', () => {
    expect(tty).toContain('sweep [');
    expect(tty).toMatch(/\d\/6 runs, \d running/);
    expect(tty).toContain('elapsed');
  });

  it('merges two --index/--count slices into the unsliced sweep, key for key, metrics identical', async () => {
    const merged = join(dir, 'merged.jsonl');
    const { code, stdout, stderr } = await runMain(['merge', slice0, slice1, '--plan', plan, '--out', merged]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("6 runs of plan ");
    expect(stdout).toContain("none of the plan's 6 runs missing");
    const byKey = (lines: ResultLine[]): Record<string, unknown> => Object.fromEntries(lines.map((l) => [l.key, l.metrics]));
    expect(byKey(linesOf(merged))).toEqual(byKey(linesOf(whole)));
    expect(linesOf(merged).map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps one line of a duplicate with identical metrics (at-least-once delivery)', async () => {
    const { code, stdout } = await runMain(['merge', whole, slice0, slice1]);
    expect(code).toBe(0);
    expect(stdout).toContain('6 duplicate lines with identical metrics, one of each kept');
  });

  it('reports a doctored slice whose metric differs, naming the key, the files and the metric (exit 1)', async () => {
    const doctored = join(dir, 'doctored.jsonl');
    const lines = linesOf(slice1);
    const changed = { ...lines[0]!, metrics: { ...lines[0]!.metrics, sent: lines[0]!.metrics.sent + 1 } };
    writeFileSync(doctored, [changed, ...lines.slice(1)].map((l) => `${JSON.stringify(l)}\n`).join(''));
    const { code, stderr } = await runMain(['merge', whole, doctored]);
    expect(code).toBe(1);
    expect(stderr).toContain(`run ${changed.key} (`);
    expect(stderr).toContain(`has different metrics in ${whole} and ${doctored}: sent ${lines[0]!.metrics.sent} vs ${changed.metrics.sent}`);
    expect(stderr).toContain('determinism bug');
  });

  it('refuses files of different plans (exit 2, naming the files) and lists the runs missing from the plan (exit 1)', async () => {
    const other = join(dir, 'other-plan.jsonl');
    writeFileSync(other, linesOf(slice1).map((l) => `${JSON.stringify({ ...l, plan: '0123456789abcdef' })}\n`).join(''));
    const mixed = await runMain(['merge', slice0, other]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(new RegExp(`different plans: ${slice0} \\(plan [0-9a-f]{16}\\); ${other} \\(plan 0123456789abcdef\\)`));
    const partial = await runMain(['merge', slice0, '--plan', plan]);
    expect(partial.code).toBe(1);
    expect(partial.stderr.match(/missing run \d+: /g)).toHaveLength(3);
    expect(partial.stderr).toContain('3 of 6 runs of');
  });

  it('prints each configuration\'s mean, 95% CI and sd over seeds as Markdown and CSV', async () => {
    const markdown = await runMain(['merge', whole, '--format', 'markdown', '--metrics', 'sent,ticks']);
    expect(markdown.code).toBe(0);
    const rows = markdown.stdout.trimEnd().split('\n');
    expect(rows[0]).toBe('| hosts | seeds | converged | sent: mean ± 95% CI | ticks: mean ± 95% CI |');
    expect(rows[1]).toBe('| --- | --- | --- | --- | --- |');
    expect(rows).toHaveLength(4);
    const sent = linesOf(whole).filter((l) => l.options.hosts === 20).map((l) => l.metrics.sent);
    const mean = sent.reduce((a, b) => a + b, 0) / sent.length;
    expect(rows[2]).toMatch(new RegExp(`^\\| 20 \\| 3 \\| 3/3 \\| ${mean.toLocaleString('en-US', { maximumFractionDigits: 0 })}`));
    expect(markdown.stderr).toContain('gossip-sim: merge: 6 runs of plan');

    const csv = await runMain(['merge', whole, '--format', 'csv']);
    const [head, first] = csv.stdout.split('\r\n');
    expect(head).toMatch(/^configuration,protocol,hosts,fanout,view,latency,loss,maxTicks,engine,threads,seeds,converged,ticks_n,ticks_mean,ticks_sd,ticks_ci95_low,ticks_ci95_high,sent_n,/);
    const cells = Object.fromEntries(head!.split(',').map((name, i) => [name, first!.split(',')[i]]));
    expect(Number(cells['sent_mean'])).toBeCloseTo(mean, 9);
    expect(cells['sent_n']).toBe('3');
  });

  it('writes an HTML report with one interval chart per metric, a mark per configuration', async () => {
    const report = join(dir, 'sweep.html');
    const { code } = await runMain(['merge', whole, '--report', report, '--metrics', 'ticks,wallSeconds']);
    expect(code).toBe(0);
    const html = readFileSync(report, 'utf8');
    for (const id of ['chart-sweep-ticks', 'chart-sweep-wallSeconds']) {
      const figure = html.slice(html.indexOf(`id="${id}" data-points="2"`), html.indexOf('</figure>', html.indexOf(`id="${id}"`)));
      const points = figure.slice(figure.indexOf('points_marks'));
      expect(points.slice(0, points.indexOf('</g>')).match(/<path/g), id).toHaveLength(2);
    }
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('draws interval charts that compile without Vega-Lite warnings, with and without intervals', async () => {
    const chart = intervalChart('sent', [{ label: 'push', mean: 10, low: 8, high: 12, n: 3 }, { label: 'pull', mean: 4, low: null, high: null, n: 1 }]);
    expect(chart.points).toBe(2);
    expect(chart.caption).toContain('1 configuration has a single seed and no bar');
    expect((await compileChart(chart.spec)).warnings).toEqual([]);
  });

  it('resumes: a rerun skips the keys already in the file and drops a cut-short last line', async () => {
    const resumed = join(dir, 'resumed.jsonl');
    copyFileSync(slice0, resumed);
    const before = readFileSync(resumed, 'utf8');
    appendFileSync(resumed, '{"key":"0123');
    const { code, stdout, stderr } = await runMain(['sweep', plan, '--out', resumed, '--concurrency', '2']);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/resumed\.jsonl: dropped line 4, cut short/);
    expect(stdout).toMatch(/6 of 6 runs in .*: 3 run now, 2 at a time, in [\d.]+ s; 3 were there already/);
    const text = readFileSync(resumed, 'utf8');
    expect(text.startsWith(before)).toBe(true);
    expect(new Set(linesOf(resumed).map((l) => l.key)).size).toBe(6);
    expect(linesOf(resumed)).toHaveLength(6);
  });

  it('refuses a results file of another plan instead of mixing plans', async () => {
    const { code, stderr } = await runMain(['sweep', planFile('one.json', { seeds: [1], entries: [{ hosts: [10], engine: ['reference'] }] }), '--out', whole]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^gossip-sim: --out: got ".*whole\.jsonl", expected a results file of this plan/);
  });

  it('leaves a valid file of the finished runs on SIGINT, kills its children, exits 130, and a rerun resumes', async () => {
    const out = join(dir, 'interrupted.jsonl');
    // Each run busy-waits 500 ms inside the child, so the sweep is surely mid-run when interrupted.
    const sweep = startCli(['sweep', plan, '--out', out, '--concurrency', '2'], { GOSSIP_SIM_TEST_DELAY_MS: '500' });
    const deadline = Date.now() + 30_000;
    // Interrupt once a run has finished and others are running (between two runs the sweep may
    // briefly have no child: wait for the next).
    let children: number[] = [];
    while (Date.now() < deadline) {
      if (existsSync(out) && readFileSync(out, 'utf8').includes('\n')) {
        children = childPids(sweep.child.pid!);
        if (children.length > 0) break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(children.length).toBeGreaterThan(0);
    sweep.child.kill('SIGINT');
    const { code } = await sweep.exited;
    expect(code, sweep.stderr()).toBe(130);
    for (const pid of children) expect(() => process.kill(pid, 0), `child ${pid} still alive`).toThrow();
    const done = linesOf(out).length;
    expect(readResultFile(out).truncated).toBeNull();
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(6);
    expect(sweep.stderr()).toMatch(new RegExp(`interrupted \\(SIGINT\\): ${done} of 6 runs in .*interrupted\\.jsonl; rerun the same command to resume`));
    const rerun = await runMain(['sweep', plan, '--out', out, '--concurrency', '2']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`${done} were there already`);
    expect(new Set(linesOf(out).map((l) => l.key)).size).toBe(6);
  });
});
