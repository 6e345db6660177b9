/**
 * `gossip-sim compare`: the regression verdict. The noise-aware rule is pinned on synthetic
 * samples at the default 10% threshold; the end-to-end cases use real bench files of the built
 * CLI, one of them from a build made really slower by GOSSIP_SIM_TEST_DELAY_MS (a busy wait inside
 * the measured simulation time). Run `npm run build` first (`npm test` does).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain, type Outcome } from './support/run-main.js';
import { compareResults, judge, parseThreshold, smallestP } from '../src/bench/compare.js';
import { builtCli } from '../src/bench/paths.js';
import type { BenchResults } from '../src/bench/schema.js';
import { OptionError } from '../src/errors.js';

/** Runs the bench/compare commands in-process through the CLI's own `main()`. */
const gossip = runMain;

describe('the noise-aware rule at the default threshold (10%)', () => {
  it('flags a slowdown beyond the threshold whose samples do not overlap', () => {
    expect(judge([1.0, 1.02, 0.99], [1.2, 1.25, 1.22], 0.1)).toMatchObject({ verdict: 'REGRESSION', change: '+22.0%' });
  });

  it('calls a median beyond the threshold with overlapping samples noise, not a regression', () => {
    const r = judge([1.0, 1.02, 1.5], [1.2, 1.25, 0.98], 0.1);
    expect(r.verdict).toBe('noise');
    expect(r.detail).toMatch(/samples overlap/);
  });

  it('lets the Mann-Whitney test accept a slight overlap with 5 samples (p = 2/252)', () => {
    expect(judge([1.0, 1.01, 1.02, 1.03, 1.28], [1.25, 1.3, 1.31, 1.32, 1.33], 0.1)).toMatchObject({ verdict: 'REGRESSION' });
  });

  it('ignores disjoint samples whose medians differ by less than the threshold', () => {
    expect(judge([1.0, 1.01, 1.02], [1.05, 1.06, 1.07], 0.1).verdict).toBe('unchanged');
  });

  it('reports a real speed-up as an improvement', () => {
    expect(judge([1.0, 1.02, 0.99], [0.5, 0.52, 0.51], 0.1).verdict).toBe('improvement');
  });

  it('calls one sample a side "too few samples", never a regression, even 20% apart (exact p = 1/2)', () => {
    const r = judge([1.0], [1.2], 0.1);
    expect(r.verdict).toBe('too few samples');
    expect(r.detail).toMatch(/1 and 1 samples: the U test cannot reach p <= 0.05 \(at best p = 0.50\)/);
    expect(judge([1.0, 1.01], [1.2, 1.21], 0.1).verdict).toBe('too few samples'); // at best 1/6
    expect(judge([1.0], [1.05], 0.1).verdict).toBe('unchanged'); // within the threshold, whatever the count
  });

  it('gives the smallest p-value the exact test can reach: one ordering in C(m + n, m)', () => {
    expect(smallestP(1, 1)).toBe(1 / 2);
    expect(smallestP(2, 2)).toBe(1 / 6);
    expect(smallestP(3, 3)).toBeCloseTo(1 / 20, 15);
    expect(smallestP(5, 2)).toBeCloseTo(1 / 21, 15);
    expect(smallestP(2, 5)).toBeCloseTo(1 / 21, 15);
  });

  it('parses thresholds as percentages', () => {
    expect(parseThreshold('10%')).toBeCloseTo(0.1, 12);
    expect(parseThreshold('2.5')).toBeCloseTo(0.025, 12);
    expect(() => parseThreshold('ten')).toThrow(OptionError);
    expect(() => parseThreshold('-5%')).toThrow(/--threshold: got "-5%", expected a percentage from 0% to 1000%/);
  });
});

describe('gossip-sim compare on bench files of the built CLI', () => {
  let dir = '';
  let base = '';
  let again = '';
  let slow = '';
  /**
   * A tiny reference-engine run takes a few milliseconds of simulation time, and on a shared
   * 2-core machine that can double or triple from one run to the next. So the end-to-end cases
   * inject a delay (800 ms) a hundred times the run itself, and judge with a threshold (500%) far
   * above what load alone does to a median of 3 samples and far below what the delay does; the
   * rule at realistic thresholds is pinned on synthetic samples above.
   */
  const THRESHOLD = '500%';
  const bench = (out: string): Promise<Outcome> =>
    gossip(['bench', '--hosts', '30', '--engine', 'reference', '--repeat', '3', '--warmup', '1', '--out', out]);

  beforeAll(async () => {
    if (!existsSync(builtCli())) throw new Error(`${builtCli()} is missing: run \`npm run build\` first`);
    dir = mkdtempSync(join(tmpdir(), 'gossip-compare-'));
    base = join(dir, 'base.json');
    again = join(dir, 'again.json');
    slow = join(dir, 'slow.json');
    expect((await bench(base)).code).toBe(0);
    process.env['GOSSIP_SIM_TEST_DELAY_MS'] = '800';
    try {
      expect((await bench(slow)).code).toBe(0);
    } finally {
      delete process.env['GOSSIP_SIM_TEST_DELAY_MS'];
    }
    expect((await bench(again)).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on two runs of the same code', async () => {
    const { code, stdout, stderr } = await gossip(['compare', base, again, '--threshold', THRESHOLD]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('verdict: no regression (exit 0)');
  });

  it('exits 1 when the current results come from a build that is really slower', async () => {
    const { code, stdout } = await gossip(['compare', base, slow, '--threshold', THRESHOLD]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/REGRESSION: announce, 30 hosts, reference engine: wall time \(simulation\) \+\d+/);
    expect(stdout).toContain('verdict: performance regression (exit 1)');
    // The slower build computes the same thing: no change of semantics.
    expect(stdout).not.toContain('SEMANTIC CHANGE');
  });

  it('reports the same pair the other way round as an improvement, exit 0', async () => {
    const { code, stdout } = await gossip(['compare', slow, base, '--threshold', THRESHOLD]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/improvement: announce, 30 hosts, reference engine: wall time \(simulation\) -\d+/);
  });

  it('exits 1 with a semantic-change message when one simulation metric differs', async () => {
    const doc = JSON.parse(readFileSync(again, 'utf8')) as BenchResults;
    const edited = { ...doc, configurations: doc.configurations.map((c) => ({ ...c, metrics: { ...c.metrics, processed: c.metrics.processed + 1 } })) };
    const file = join(dir, 'edited.json');
    writeFileSync(file, JSON.stringify(edited));
    const { code, stdout } = await gossip(['compare', base, file, '--threshold', THRESHOLD]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/SEMANTIC CHANGE: announce, 30 hosts, reference engine: processed changed from \d+ to \d+/);
    expect(stdout).toContain('verdict: change of semantics (simulation metrics differ) (exit 1)');
    expect(stdout).not.toContain('REGRESSION:');
  });

  it('prints every metric with its direction and change', async () => {
    const { stdout } = await gossip(['compare', base, again, '--threshold', THRESHOLD, '--format', 'markdown']);
    for (const metric of ['converged', 'sent', 'coverage', 'endReason', 'wall time (simulation)', 'wall time (process)', 'peak RSS', 'messages/s']) {
      expect(stdout).toContain(`| ${metric} |`);
    }
    expect(stdout).toContain('| must be identical |');
    expect(stdout).toContain('| smaller is better |');
    expect(stdout).toContain('| bigger is better |');
  });

  it('reports configurations found in one file only without failing, when others are compared', () => {
    const doc = JSON.parse(readFileSync(base, 'utf8')) as BenchResults;
    const renamed = doc.configurations.map((c) => ({ ...c, id: `${c.id}/other` }));
    const comparison = compareResults(doc, { ...doc, configurations: [...doc.configurations, ...renamed] });
    expect(comparison.onlyInBaseline).toEqual([]);
    expect(comparison.onlyInCurrent).toEqual([`${doc.configurations[0]!.id}/other`]);
    expect(comparison.exitCode).toBe(0);
  });

  it('exits 2, no verdict, when the files have no configuration in common: a gate must not pass on nothing', async () => {
    const doc = JSON.parse(readFileSync(base, 'utf8')) as BenchResults;
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...doc, configurations: doc.configurations.map((c) => ({ ...c, id: `${c.id}/other` })) }));
    const run = await gossip(['compare', base, other]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/nothing was compared/);
    expect(run.stdout).toMatch(/verdict: no verdict: nothing was compared \(exit 2\)/);
  });

  it('exits 2, no verdict, for one sample a side 20% apart, and says too few samples', async () => {
    const doc = JSON.parse(readFileSync(base, 'utf8')) as BenchResults;
    const one = (scale: number): BenchResults => ({
      ...doc,
      configurations: doc.configurations.map((c) => ({
        ...c,
        samples: [{ ...c.samples[0]!, wallSeconds: scale, processSeconds: scale }],
      })),
    });
    const a = join(dir, 'one-a.json');
    const b = join(dir, 'one-b.json');
    writeFileSync(a, JSON.stringify(one(1.0)));
    writeFileSync(b, JSON.stringify(one(1.2)));
    const run = await gossip(['compare', a, b]);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toMatch(/REGRESSION/);
    expect(run.stdout).toMatch(/TOO FEW SAMPLES: .*wall time \(simulation\) \+20\.0%/);
    expect(run.stdout).toMatch(/verdict: no verdict: too few samples/);
  });

  it('exits 2 with one line on stderr for a missing, unreadable or invalid file', async () => {
    const missing = await gossip(['compare', base, join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`gossip-sim: compare: cannot read CURRENT ${join(dir, 'missing.json')}: no such file (give the --out file of a \`gossip-sim bench\` run)\n`);

    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'not json');
    expect(await gossip(['compare', notJson, base])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^gossip-sim: compare: BASELINE .* is not JSON: [^\n]*\n$/) });

    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ schemaVersion: 1, kind: 'gossip-sim-bench' }));
    expect(await gossip(['compare', base, wrong])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^gossip-sim: compare: CURRENT .*: not a gossip-sim bench results file \(schema version 1\): \$: missing required field "tool" \(and \d+ more\)\n$/) });

    expect((await gossip(['compare', base])).code).toBe(2);
    expect(await gossip(['compare', base, again, '--threshold', 'x'])).toMatchObject({ code: 2, stderr: 'gossip-sim: --threshold: got "x", expected a percentage from 0% to 1000%, e.g. 10%\n' });
  });
});
