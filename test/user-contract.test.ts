/**
 * What a new user meets, command by command: output files checked before a run and results never
 * lost to a late write failure, one line instead of a stack trace when stdout fails, SIGTERM
 * treated as Ctrl-C, saved options fed back in, memory advice that is true, progress figures that
 * are current, a warning for more threads than cores, `--version`, and one thread rule for the
 * reference engine. Each case reproduces a defect found in a QA pass; each fails without its fix.
 *
 * Runs the built CLI: `npm run build` first (`npm test` builds).
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProgress } from '../src/cli.js';
import { simulate, type Progress, type Result } from '../src/index.js';
import { syntheticBench } from './fixtures/bench-results.js';
import { jsonDocument, oneLine, ROOT, runCli } from './support/cli-process.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-sim-contract-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run of a few seconds: long enough that a check made after it would be noticed. */
const SLOW_RUN = ['run', '--hosts', '5000', '--threads', '2'];

describe('output files', () => {
  it.each([
    ['--report', '/nonexistent/r.html'],
    ['--trace', '/nonexistent/t.csv'],
    ['--trace', '/etc/hostname/t.json'],
  ])('%s %s is refused before the run, in well under the run\'s time, with exit 2', async (flag, path) => {
    const run = await runCli([...SLOW_RUN, flag, path]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toMatch(new RegExp(`^gossip-sim: ${flag}: got "${path}", expected a file that can be written`));
    expect(run.seconds).toBeLessThan(2);
  }, 60_000);

  it('a write that fails after the run (disk full) still prints the complete results, then one line and exit 1', async () => {
    const full = join(dir, 'full.html');
    symlinkSync('/dev/full', full);
    const run = await runCli(['run', '--hosts', '200', '--report', full, '--json']);
    expect(run.code, run.stderr).toBe(1);
    const doc = jsonDocument(run.stdout);
    expect(doc).toMatchObject({ converged: true, partial: false, sent: 200 * 200 - 1 });
    expect(oneLine(run.stderr)).toMatch(/^gossip-sim: could not write the report to .*full\.html \(ENOSPC: the disk is full\); the results on stdout are complete$/);
  }, 60_000);

  it('bench --out checks its file before measuring, and only takes .json names (its companions replace .json)', async () => {
    const txt = await runCli(['bench', '--hosts', '20', '--threads', '1', '--repeat', '1', '--out', join(dir, 'x.txt')]);
    expect(txt.code).toBe(2);
    expect(oneLine(txt.stderr)).toMatch(/--out: got ".*x\.txt", expected a file name ending in \.json/);
    const missing = await runCli(['bench', '--hosts', '20', '--threads', '1', '--repeat', '1', '--out', '/nonexistent/x.json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
  }, 60_000);
});

describe('standard output that cannot be written', () => {
  it('run > /dev/full ends with one line naming the error and exit 1, no stack trace', async () => {
    const run = await runCli(['run', '--hosts', '200'], { stdoutFile: '/dev/full' });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe('gossip-sim: could not write to standard output (ENOSPC)');
  }, 60_000);

  it('compare x x > /dev/full ends the same way', async () => {
    const file = join(dir, 'bench.json');
    writeFileSync(file, JSON.stringify(syntheticBench()));
    const run = await runCli(['compare', file, file], { stdoutFile: '/dev/full' });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe('gossip-sim: could not write to standard output (ENOSPC)');
  }, 60_000);
});

describe('SIGTERM, as `timeout` and CI cancellation send it', () => {
  it('ends a run like Ctrl-C: exit 130 after printing the partial metrics as one valid JSON object', async () => {
    const run = await runCli(['run', '--protocol', 'pull', '--hosts', '200', '--loss', '0.995', '--threads', '2', '--json'], {
      sigintAfterMs: 1000,
      signal: 'SIGTERM',
    });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.code, run.stderr).toBe(130);
    const doc = jsonDocument(run.stdout);
    expect(doc).toMatchObject({ partial: true, endReason: 'interrupted' });
    expect(doc['sent']).toBe((doc['delivered'] as number) + (doc['lost'] as number) + (doc['inFlight'] as number));
    expect(oneLine(run.stderr)).toMatch(/interrupted \(SIGTERM\): stopped after tick \d+; the metrics above are partial/);
  }, 60_000);
});

describe('saved options fed back in', () => {
  /** The deterministic outcome of a result. */
  const outcome = (r: Result): unknown => ({ ...r, wallSeconds: 0, diagnostics: null });

  it.each([
    { input: { protocol: 'announce', hosts: 60 }, args: ['--hosts', '60'] },
    { input: { protocol: 'announce', hosts: 60, engine: 'reference' }, args: ['--hosts', '60', '--engine', 'reference'] },
    {
      input: { protocol: 'push-pull', hosts: 60, fanout: 2, view: 'full', latency: '1..3', loss: 0.1 },
      args: ['--hosts', '60', '--protocol', 'push-pull', '--fanout', '2', '--view', 'full', '--latency', '1..3', '--loss', '0.1'],
    },
  ] as const)('simulate(result.options) and the options of run --json reproduce the run: $args', async ({ input, args }) => {
    const first = await simulate(input);
    expect(outcome(await simulate(first.options))).toEqual(outcome(first));
    const saved = jsonDocument((await runCli(['run', '--json', ...args])).stdout);
    const again = await simulate(saved['options'] as Parameters<typeof simulate>[0]);
    expect(outcome(again)).toEqual(outcome(first));
  }, 60_000);

  it('run --fanout 1 and --view known (the defaults) are accepted with announce; other values are not', async () => {
    const ok = await runCli(['run', '--hosts', '30', '--fanout', '1', '--view', 'known', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCli(['run', '--hosts', '30', '--fanout', '2']);
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toMatch(/^gossip-sim: --fanout: got 2, expected no --fanout with --protocol announce/);
  }, 60_000);
});

describe('memory refusals give advice that is true', () => {
  it('run --hosts 1 --max-memory 64M says nothing fits and how much budget the smallest run needs', async () => {
    const run = await runCli(['run', '--hosts', '1', '--max-memory', '64M']);
    expect(run.code).toBe(2);
    const line = oneLine(run.stderr);
    expect(line).toMatch(/not even 1 host fits with these options \(raise the budget with --max-memory to at least \d+(\.\d+)? MiB\)$/);
    expect(line).not.toMatch(/at most \d+ hosts? fit/);
  }, 60_000);

  it('does not offer --max-memory when a fixed limit binds (the 4 GiB of one WebAssembly memory)', async () => {
    const run = await runCli(['run', '--protocol', 'announce', '--hosts', '60000', '--max-memory', '500G']);
    expect(run.code).toBe(2);
    const line = oneLine(run.stderr);
    expect(line).toMatch(/at most \d+ hosts fit with these options \(use at most \d+ hosts: the 4 GiB limit of one WebAssembly memory binds and --max-memory cannot raise it\)$/);
    expect(line).not.toMatch(/raise the budget/);
  }, 60_000);
});

describe('progress', () => {
  it('reports the running tick, hosts complete at the end of the tick before, and messages sent so far', async () => {
    const seen: Progress[] = [];
    const result = await simulate({ hosts: 4000, threads: 2 }, { onProgress: (p) => seen.push(p), progressIntervalMs: 20 });
    expect(seen.length).toBeGreaterThan(3);
    let sent = 0;
    for (const p of seen) {
      expect(p.hostsComplete).toBe(p.tick === 0 ? 0 : result.series.complete[p.tick - 1]);
      // Sent so far: at least every message of the completed ticks, at most the run's total.
      const before = result.series.sent.slice(0, p.tick).reduce((a, b) => a + b, 0);
      expect(p.sent).toBeGreaterThanOrEqual(before);
      expect(p.sent).toBeLessThanOrEqual(result.sent);
      expect(p.sent).toBeGreaterThanOrEqual(sent);
      sent = p.sent;
    }
    // Within the last (longest) tick the figure moves: it is not only refreshed at tick ends.
    const last = seen.filter((p) => p.tick === result.lastTick).map((p) => p.sent);
    expect(new Set(last).size).toBeGreaterThan(1);
  }, 60_000);

  it('says "1 host" and "2 hosts", and rates messages sent over the seconds so far', () => {
    expect(formatProgress({ tick: 3, hostsComplete: 1, sent: 6_000_000 }, 2)).toBe('tick 3, 1 host complete, 6,000,000 messages sent (3.0 M messages/s), 2 s');
    expect(formatProgress({ tick: 0, hostsComplete: 2, sent: 10 }, 1)).toMatch(/^tick 0, 2 hosts complete, /);
  });
});

describe('threads, engines and the version', () => {
  it('warns on stderr when --threads exceeds the cores, and still prints one JSON object', async () => {
    const threads = availableParallelism() + 1;
    const run = await runCli(['run', '--hosts', '50', '--threads', String(threads), '--json']);
    expect(run.code).toBe(0);
    expect(jsonDocument(run.stdout)['threads']).toBe(threads);
    expect(run.stderr).toMatch(new RegExp(`^gossip-sim: warning: --threads ${threads} is more than the ${availableParallelism()} cores? available here`));
    const quiet = await runCli(['run', '--hosts', '50', '--threads', String(availableParallelism()), '--json']);
    expect(quiet.stderr).toBe('');
  }, 60_000);

  it('says in --json diagnostics which thread count the run used and why', async () => {
    const chosen = jsonDocument((await runCli(['run', '--hosts', '50', '--json'])).stdout);
    expect(chosen['threads']).toBe(1);
    expect((chosen['diagnostics'] as Record<string, unknown>)['threadChoice']).toMatch(/^chosen: announce sends about N\^2 = 2,500 messages, under 4,000,000: one thread/);
    const given = jsonDocument((await runCli(['run', '--hosts', '50', '--threads', '2', '--json'])).stdout);
    expect((given['diagnostics'] as Record<string, unknown>)['threadChoice']).toBe('given: threads 2');
  }, 60_000);

  it('measures the phases of a parallel run in --json diagnostics, and has none on the reference engine', async () => {
    const run = jsonDocument((await runCli(['run', '--hosts', '300', '--threads', '2', '--json'])).stdout);
    const phases = (run['diagnostics'] as Record<string, unknown>)['phases'] as Record<string, number>;
    expect(Object.keys(phases).sort()).toEqual(['allocateSeconds', 'startSeconds', 'ticksSeconds']);
    for (const seconds of Object.values(phases)) expect(seconds).toBeGreaterThanOrEqual(0);
    const total = Object.values(phases).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual((run['wallSeconds'] as number) + 1e-6);
    expect(total).toBeGreaterThan((run['wallSeconds'] as number) * 0.5);
    const reference = jsonDocument((await runCli(['run', '--hosts', '30', '--engine', 'reference', '--json'])).stdout);
    expect((reference['diagnostics'] as Record<string, unknown>)['phases']).toBeNull();
  }, 60_000);

  it('refuses --threads other than 1 with --engine reference, in run as in bench', async () => {
    for (const command of [['run'], ['bench', '--repeat', '1']]) {
      const run = await runCli([...command, '--hosts', '20', '--engine', 'reference', '--threads', '5']);
      expect(run.code).toBe(2);
      expect(oneLine(run.stderr)).toBe('gossip-sim: --threads: got 5, expected 1 (or no --threads) with --engine reference, which runs on one thread');
    }
  }, 60_000);

  it('--version and -V print the package version; run --version is an unknown option of run', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
    expect((await runCli(['run', '--version'])).code).toBe(2);
  }, 60_000);
});
