/**
 * The `gossip-sim` command as users run it: the built bin (dist/src/cli.js) in a child process.
 * `npm test` builds first; run `npm run build` before `npx vitest run` on its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, jsonTextOf } from '../src/cli.js';
import { formatLatency, simulate } from '../src/index.js';
import { completionTicksJson } from '../src/result.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): CliRun {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['GOSSIP_SIM_DEBUG'];
  const child = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  if (child.error !== undefined) throw child.error;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Matches `value` as a whole token (optionally quoted), so "1" does not match inside "10". */
function token(value: string): RegExp {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.-])["']?${escaped}["']?([^\\w.]|$)`);
}

beforeAll(() => {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm test\` builds before running vitest)`);
  }
});

describe('the installed bin', () => {
  // npm and npx start a package's bin through a symlink (node_modules/.bin/gossip-sim): the CLI
  // must recognise itself there, not exit 0 having printed nothing.
  it('runs when started through a symlink, as npx and npm bin links do', () => {
    const link = join(mkdtempSync(join(tmpdir(), 'gossip-sim-bin-')), 'gossip-sim');
    symlinkSync(CLI, link);
    const child = spawnSync(process.execPath, [link, 'run', '--hosts', '20'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/converged at tick \d+/);
  });

  // npx runs the bin as a program; it sets the executable bit only when it first installs this
  // package into its cache, so a rebuilt dist/ behind a cached install failed "Permission denied".
  it('is executable after the build, so a shell can start it without node in front', () => {
    const child = spawnSync(CLI, ['run', '--hosts', '20'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/converged at tick \d+/);
  });
});

describe('the text of run --json', () => {
  /** The document without peakRssBytes, which grows between two readings of the same process. */
  const withoutRss = (text: string): unknown => {
    const doc = JSON.parse(text) as { diagnostics: Record<string, unknown> };
    delete doc.diagnostics['peakRssBytes'];
    return doc;
  };

  it('writes completion ticks exactly as JSON.stringify writes the array: nulls, one digit, many digits', () => {
    const values = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999, 100000, 1000000, 2147483647, -1, 5, -1];
    const ticks = Int32Array.from(values);
    expect(completionTicksJson(ticks)).toBe(JSON.stringify(values.map((v) => (v < 0 ? null : v))));
    expect(completionTicksJson(new Int32Array(0))).toBe('[]');
    expect(completionTicksJson(Int32Array.of(-1))).toBe('[null]');
  });

  it('is JSON.stringify(jsonOf(result)) for runs of every kind, engine and ending', async () => {
    const runs = await Promise.all([
      simulate({ hosts: 120, protocol: 'push', engine: 'reference' }),
      simulate({ hosts: 60, protocol: 'pull', loss: 0.9, maxTicks: 2, threads: 2 }),
      simulate({ hosts: 3000, protocol: 'rumor', threads: 2 } as never),
      simulate({ hosts: 1, protocol: 'rumor' } as never),
    ]);
    for (const run of runs) {
      expect(run.hostCompletionTicks.length).toBe(run.options.hosts);
      expect(withoutRss(jsonTextOf(run))).toEqual(withoutRss(JSON.stringify(jsonOf(run))));
    }
    // The stalled runs have hosts that never completed: their nulls went through the fast writer.
    expect(runs.some((r) => r.hostCompletionTicks.includes(null))).toBe(true);
  });
});

describe('gossip-sim run --json', () => {
  it('prints exactly one JSON object on stdout with every metric, matching simulate() in-process', async () => {
    const { status, stdout, stderr } = cli('run', '--hosts', '50', '--json');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const doc = JSON.parse(stdout) as Record<string, unknown>;
    expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc)).toBe(true);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining([
      'converged', 'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'inFlight', 'entries',
      'spreadTicks', 'coverage', 'options', 'engine', 'threads', 'wallSeconds',
    ]));

    const expected = await simulate({ hosts: 50 });
    expect(doc).toMatchObject({
      converged: expected.converged,
      ticks: expected.ticks,
      sent: expected.sent,
      delivered: expected.delivered,
      processed: expected.processed,
      ignored: expected.ignored,
      lost: expected.lost,
      inFlight: expected.inFlight,
      entries: expected.entries,
      spreadTicks: expected.spreadTicks,
      coverage: expected.coverage,
      engine: expected.engine,
      threads: expected.threads,
      options: { ...expected.options, latency: formatLatency(expected.options.latency) },
    });
    expect(typeof doc['wallSeconds']).toBe('number');
    expect(doc['wallSeconds']).toBeGreaterThanOrEqual(0);
  });

  it('passes every option through to the run', async () => {
    const { status, stdout } = cli(
      'run', '--hosts', '30', '--protocol', 'push-pull', '--fanout', '2', '--view', 'full', '--latency', '1..3',
      '--loss', '0.05', '--seed', '42', '--max-ticks', '500', '--engine', 'reference', '--json',
    );
    expect(status).toBe(0);
    const doc = JSON.parse(stdout) as Record<string, unknown>;
    const expected = await simulate({
      hosts: 30, protocol: 'push-pull', fanout: 2, view: 'full', latency: '1..3', loss: 0.05, seed: 42, maxTicks: 500,
      engine: 'reference',
    });
    expect(doc).toMatchObject({
      sent: expected.sent,
      delivered: expected.delivered,
      lost: expected.lost,
      entries: expected.entries,
      ticks: expected.ticks,
      engine: 'reference',
      options: { ...expected.options, latency: '1..3' },
    });
  });
});

describe('gossip-sim run (human summary)', () => {
  it('mentions convergence, the tick and the messages sent', () => {
    const { status, stdout, stderr } = cli('run', '--hosts', '20');
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/converged/);
    expect(stdout).toMatch(/tick/);
    expect(stdout).toMatch(/sent/);
  });

  it('says when a run did not converge', () => {
    const { status, stdout } = cli('run', '--hosts', '20', '--max-ticks', '1');
    expect(status).toBe(0);
    expect(stdout).toMatch(/not converged/);
  });

  it('run --help exits 0 and lists the options', () => {
    const { status, stdout } = cli('run', '--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/--hosts/);
    expect(stdout).toMatch(/--protocol/);
  });
});

/** A usage error: the arguments, then what its one stderr line must name (option and/or value). */
interface UsageCase {
  readonly what: string;
  readonly args: readonly string[];
  readonly names: readonly string[];
}

const USAGE_ERRORS: readonly UsageCase[] = [
  { what: 'an unknown option', args: ['run', '--bogus', '1'], names: ['--bogus'] },
  { what: 'an unknown protocol', args: ['run', '--protocol', 'gossip'], names: ['--protocol', 'gossip'] },
  { what: 'non-integer hosts (abc)', args: ['run', '--hosts', 'abc'], names: ['--hosts', 'abc'] },
  { what: 'non-integer hosts (1.5)', args: ['run', '--hosts', '1.5'], names: ['--hosts', '1.5'] },
  { what: 'hosts 0', args: ['run', '--hosts', '0'], names: ['--hosts', '0'] },
  { what: 'hosts -3', args: ['run', '--hosts', '-3'], names: ['--hosts', '-3'] },
  { what: 'fanout 0', args: ['run', '--protocol', 'push', '--fanout', '0'], names: ['--fanout', '0'] },
  { what: 'loss 1', args: ['run', '--loss', '1'], names: ['--loss', '1'] },
  { what: 'loss -0.1', args: ['run', '--loss', '-0.1'], names: ['--loss', '-0.1'] },
  { what: 'loss abc', args: ['run', '--loss', 'abc'], names: ['--loss', 'abc'] },
  { what: 'latency 0', args: ['run', '--latency', '0'], names: ['--latency', '0'] },
  { what: 'latency 3..1', args: ['run', '--latency', '3..1'], names: ['--latency', '3..1'] },
  { what: 'latency "3.."', args: ['run', '--latency', '3..'], names: ['--latency', '3..'] },
  { what: 'latency "x"', args: ['run', '--latency', 'x'], names: ['--latency', 'x'] },
  { what: 'seed -1', args: ['run', '--seed', '-1'], names: ['--seed', '-1'] },
  { what: 'seed 4294967296', args: ['run', '--seed', '4294967296'], names: ['--seed', '4294967296'] },
  { what: 'max-ticks -1', args: ['run', '--max-ticks', '-1'], names: ['--max-ticks', '-1'] },
  { what: 'threads 0', args: ['run', '--threads', '0'], names: ['--threads', '0'] },
  { what: 'engine foo', args: ['run', '--engine', 'foo'], names: ['--engine', 'foo'] },
  { what: 'view sideways', args: ['run', '--protocol', 'push', '--view', 'sideways'], names: ['--view', 'sideways'] },
  { what: '--fanout with announce', args: ['run', '--protocol', 'announce', '--fanout', '2'], names: ['--fanout', '2'] },
  { what: '--fanout with the default protocol (announce)', args: ['run', '--fanout', '2'], names: ['--fanout', '2'] },
  { what: '--view with announce', args: ['run', '--view', 'full'], names: ['--view', 'full'] },
  { what: '--rumor-k 0', args: ['run', '--protocol', 'rumor', '--rumor-k', '0'], names: ['--rumor-k', '0'] },
  { what: '--rumor-k 1.5', args: ['run', '--protocol', 'rumor', '--rumor-k', '1.5'], names: ['--rumor-k', '1.5'] },
  { what: '--rumor-stop without rumor', args: ['run', '--protocol', 'push', '--rumor-stop', 'coin'], names: ['--rumor-stop', 'coin'] },
  { what: '--rumor-k without rumor', args: ['run', '--rumor-k', '3'], names: ['--rumor-k', '3'] },
  { what: '--contact without rumor', args: ['run', '--protocol', 'pull', '--contact', 'messages'], names: ['--contact', 'messages'] },
  { what: '--rumor-mode sideways', args: ['run', '--protocol', 'rumor', '--rumor-mode', 'sideways'], names: ['--rumor-mode', 'sideways'] },
  { what: 'a source id >= hosts', args: ['run', '--protocol', 'rumor', '--hosts', '100', '--rumor-sources', '3,100'], names: ['--rumor-sources', '3,100'] },
  { what: 'a source count > hosts', args: ['run', '--protocol', 'rumor', '--hosts', '100', '--rumor-sources', '101'], names: ['--rumor-sources', '101'] },
  { what: 'a source given twice', args: ['run', '--protocol', 'rumor', '--hosts', '100', '--rumor-sources', '4,4'], names: ['--rumor-sources', '4,4'] },
  { what: 'latency with synchronous contacts', args: ['run', '--protocol', 'rumor', '--latency', '2'], names: ['--latency', '2'] },
  { what: 'loss with synchronous contacts', args: ['run', '--protocol', 'rumor', '--loss', '0.1'], names: ['--loss', '0.1'] },
  { what: 'rumor under view known past the set protocols\' host limit', args: ['run', '--protocol', 'rumor', '--view', 'known', '--hosts', '2000000'], names: ['--hosts', '2000000'] },
  { what: 'a missing value', args: ['run', '--hosts'], names: ['--hosts'] },
  { what: 'an unknown command', args: ['frobnicate'], names: ['frobnicate'] },
];

/** Usage errors for which commander appends a "(Did you mean ...?)" suggestion. */
const NEAR_MISSES: readonly UsageCase[] = [
  { what: 'a misspelt option (--host)', args: ['run', '--host', '3'], names: ['--host'] },
  { what: 'a misspelt command (rn)', args: ['rn'], names: ['rn'] },
];

function expectOneLineUsageError({ args, names }: UsageCase): void {
  const { status, stdout, stderr } = cli(...args);
  const context = `gossip-sim ${args.join(' ')} → exit ${status}, stderr ${JSON.stringify(stderr)}`;
  expect(status, context).toBe(2);
  expect(stdout, context).toBe('');
  expect(stderr.endsWith('\n'), context).toBe(true);
  expect(stderr.trimEnd().split('\n'), context).toHaveLength(1);
  expect(stderr, context).not.toMatch(/^\s+at /m);
  for (const name of names) expect(stderr, context).toMatch(token(name));
}

describe('gossip-sim usage errors', () => {
  it.each(USAGE_ERRORS)('$what exits 2 with one stderr line naming it, no stack', (usage) => {
    expectOneLineUsageError(usage);
  });

  // commander's suggestion ("(Did you mean --hosts?)") is joined onto the same line.
  it.each(NEAR_MISSES)('$what exits 2 with one stderr line naming it, no stack', (usage) => {
    expectOneLineUsageError(usage);
  });

  it('no command at all exits 2', () => {
    expect(cli().status).toBe(2);
  });
});
