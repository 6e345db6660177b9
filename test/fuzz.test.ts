/**
 * Fuzzing the command line (issue 6, item 1): seeded random argument lists (valid and misspelt
 * option names, every kind of value, duplicates, missing values, unknown commands) thrown at
 * `main()` in-process. Whatever the input: never a stack trace, only exit codes 0, 1, 2, 3 and 130,
 * one line on stderr for a usage error, and `--json` output that is one JSON object.
 *
 * Set GOSSIP_SIM_TEST_SEED to replay another seed; a failure prints the seed and each failing
 * argument list. Runs that would be accepted are kept tiny (at most 50 hosts and 50 ticks, 4
 * threads, mostly on the reference engine) so that the test spends its time on the boundary.
 * Files named by --trace, --report and `report --out` go to a temporary folder (the cwd meanwhile).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../src/cli.js';
import { closePools } from '../src/index.js';
import { TestRandom, testSeed } from './support/random.js';

const CASES = 1500;
const EXIT_CODES = new Set([0, 1, 2, 3, 130]);

/** Values each option of `run` takes or nearly takes: valid ones, edges and just-out-of-range. */
const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  '--hosts': ['1', '2', '5', '17', '50', '64', '1000', '1e1', '100000', '1048576', '1048577', '0', '-3', '2.5'],
  '--protocol': ['announce', 'push', 'pull', 'push-pull', 'Push', 'push_pull', 'gossip'],
  '--fanout': ['1', '2', '3', '8', '1024', '1025', '0', '1.5'],
  '--view': ['known', 'full', 'Known', 'partial'],
  '--latency': ['1', '2', '3', '1..3', '2..2', '1..1000000000', '1000000000', '5..2', '0', '3..', '..3', '1..', '0..4', '1000000001', '1.5', ' 1 .. 3 '],
  '--loss': ['0', '0.05', '0.5', '0.99', '1', '-0.1', '0.999999', '1e-400', '.3'],
  '--seed': ['0', '1', '42', '-0', '4294967295', '4294967296', '-1', '1.5'],
  '--max-ticks': ['0', '1', '5', '50', '100000', '1000000000', '1000000001', '-1'],
  '--threads': ['1', '2', '3', '4', '256', '257', '0'],
  '--engine': ['reference', 'reference', 'parallel', 'Reference', 'gpu'],
  '--max-memory': ['8G', '512M', '1K', '1', '0', '1.5G', '10T', '2P', '-1G', '1e3M', '64MiB', '64MB', '1024'],
  // Not above 2147483 s: Node fires longer timers at once (see robustness.test.ts, reported).
  '--timeout': ['0.001', '1e-9', '0.5', '60', '2147483', '0', '-1', '1e8', 'NaN'],
  '--trace': ['t.csv', 't.json', 'x.txt', '', '.csv', 'nodir/t.csv'],
  '--report': ['r.html', 'x.txt', '', 'nodir/r.html'],
};
const FLAGS = ['--json', '--require-convergence'];
/** How often each valid option name is drawn (report outputs render charts: keep them rare). */
const NAME_WEIGHTS: readonly [string, number][] = [
  ['--hosts', 6], ['--protocol', 6], ['--fanout', 4], ['--view', 4], ['--latency', 6], ['--loss', 5],
  ['--seed', 4], ['--max-ticks', 5], ['--threads', 3], ['--engine', 3], ['--max-memory', 3],
  ['--timeout', 3], ['--trace', 1], ['--report', 0.3], ['--json', 6], ['--require-convergence', 4],
];
const MISSPELT_NAMES = [
  '--host', '--hostz', '--Hosts', '--HOSTS', '--max_ticks', '--maxTicks', '--max-tick', '--lat', '--protocl',
  '--fan-out', '--engin', '--memory', '--time-out', '--jsn', '--require-converge', '-x', '-H', '-', '--',
  '---hosts', '--hosts-', '--version', '-v', '--help', '-h', '--hösts', '--🙂', '--hos\nts', '--json=1',
  '--require-convergence=yes', '--no-json', '-json',
];
/** Values of every kind: numbers, negatives, floats, huge, empty, text, ranges, unicode, options. */
const WILD_VALUES = [
  '', ' ', '-1', '-0', '0', '1', '7', '1.5', '2.', '.5', '1e3', '1e400', '-1e400', 'NaN', 'Infinity',
  '-Infinity', '0x10', '0b11', '1_000', '99999999999999999999', '9007199254740993', 'abc', 'announce ',
  ' 5', '5 ', '5\n', 'a\nb', '\t', '٣', '１０', '½', '🙂', 'héllo', '--hosts', '-h', '--json', '..',
  '1..2..3', '3..1', '1..', '2..5', 'true', 'null', '{}', '[]', '"5"', "'5'", '%s', '${HOME}', '\\',
  '--', '-', 'run', 'x'.repeat(300),
];
// `help` is followed by nothing or a command name: `help` with anything else is a known defect
// (the whole help on stderr instead of one line), pinned by its own test below.
const COMMANDS = ['bogus', 'RUN', 'help', 'runn', '', 'run ', '-h', '--json', 'ｒｕｎ', 'report', 'help run', 'help report'];
const REPORT_INPUTS = ['run.json', 'bad.json', 'missing.json', '', '.'];

/** Caps that keep accepted runs tiny; values beyond the valid range stay (they are usage errors). */
const CAPS: Readonly<Record<string, { cap: number; max: number }>> = {
  '--hosts': { cap: 50, max: 1 << 20 },
  '--max-ticks': { cap: 50, max: 1_000_000_000 },
  '--threads': { cap: 4, max: 256 },
  '--fanout': { cap: 8, max: 1024 },
};

/** What the CLI reads as a number (as src/cli.ts does). */
function asNumber(text: string): number | undefined {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : undefined;
}

function weighted(r: TestRandom, items: readonly [string, number][]): string {
  const total = items.reduce((a, [, w]) => a + w, 0);
  let x = (r.next() / 4294967296) * total;
  for (const [item, w] of items) {
    if ((x -= w) < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** Argument list `index` of `seed`: never empty (no arguments prints the full help, by design). */
function randomArgv(seed: number, index: number): string[] {
  const r = new TestRandom(seed, index);
  const command = r.chance(0.85) ? 'run' : r.chance(0.3) ? 'report' : r.pick(COMMANDS);
  const argv = command.startsWith('help') ? command.split(' ') : [command];
  if (argv[0] === 'help') return argv;
  if (command === 'report') {
    for (let k = r.int(0, 2); k > 0; k--) argv.push(r.pick(REPORT_INPUTS));
    if (r.chance(0.7)) argv.push('--out', r.pick(['out.html', 'out.txt', '', 'nodir/out.html']));
  }
  for (let k = r.int(0, 7); k > 0; k--) {
    if (r.chance(0.04)) {
      argv.push(r.pick(WILD_VALUES)); // a stray argument
      continue;
    }
    const name = r.chance(0.85) ? weighted(r, NAME_WEIGHTS) : r.pick(MISSPELT_NAMES);
    const values = OPTION_VALUES[name];
    const takesValue = values !== undefined || (!FLAGS.includes(name) && r.chance(0.5));
    if (!takesValue || r.chance(0.06)) {
      argv.push(name); // a flag, or an option whose value is missing
      continue;
    }
    const value = values !== undefined && r.chance(0.7) ? r.pick(values) : r.pick(WILD_VALUES);
    if (r.chance(0.1)) argv.push(`${name}=${value}`);
    else argv.push(name, value);
  }
  return argv;
}

/**
 * Keeps a `run` that would be accepted tiny: valid but large --hosts, --max-ticks, --threads and
 * --fanout values become small ones, and small defaults go first (later duplicates win). Most
 * runs get the reference engine (on 1 thread); the parallel engine keeps 2 threads unless the list
 * says otherwise.
 */
function tiny(argv: readonly string[], seed: number, index: number): string[] {
  if (argv[0] !== 'run') return [...argv];
  const r = new TestRandom(seed, index + 1_000_000);
  const out = [...argv];
  const capped = (name: string, value: string): string => {
    const limit = CAPS[name];
    const n = asNumber(value);
    if (limit === undefined || n === undefined || !Number.isInteger(n) || n <= limit.cap || n > limit.max) return value;
    return String(r.int(1, limit.cap));
  };
  for (let i = 1; i < out.length; i++) {
    const token = out[i]!;
    const eq = token.indexOf('=');
    if (eq > 0 && token.startsWith('--')) out[i] = `${token.slice(0, eq)}=${capped(token.slice(0, eq), token.slice(eq + 1))}`;
    else if (CAPS[token] !== undefined && i + 1 < out.length) out[i + 1] = capped(token, out[i + 1]!);
  }
  const maxTicks = r.chance(0.3) ? r.int(0, 2) : r.int(3, 50);
  const defaults = ['--hosts', String(r.int(1, 50)), '--max-ticks', String(maxTicks)];
  // The reference engine takes one thread (or no --threads); the parallel engine gets 2.
  defaults.push(...(r.chance(0.9) ? ['--threads', '1', '--engine', 'reference'] : ['--threads', '2']));
  return ['run', ...defaults, ...out.slice(1)];
}

interface Outcome {
  readonly code: number | 'threw' | 'hung';
  readonly stdout: string;
  readonly stderr: string;
}

async function runMain(argv: readonly string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 15_000)));
  try {
    const code = await Promise.race([main(argv, io), hung]);
    return { code, stdout, stderr };
  } catch (error) {
    return { code: 'threw', stdout, stderr: `${stderr}${error instanceof Error ? error.stack : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** What is wrong with the CLI's answer to `argv`, if anything. */
function problemsOf(argv: readonly string[], { code, stdout, stderr: all }: Outcome): string[] {
  const problems: string[] = [];
  if (code === 'threw' || code === 'hung') return [`main() ${code}: ${all.slice(0, 400)}`];
  // Warnings (more --threads than cores) are lines of their own, allowed beside any outcome.
  const stderr = all.replace(/^gossip-sim: warning: .*\n/gm, '');
  if (/\n\s+at /.test(stderr) || /^\s+at \S/m.test(stderr) || /\n\s+at /.test(stdout)) problems.push('stack trace');
  if (!EXIT_CODES.has(code)) problems.push(`exit code ${code}`);
  const oneLine = /^gossip-sim: [^\n]*\n$/.test(stderr);
  if (code === 2 && !oneLine) problems.push('usage error without exactly one stderr line');
  if ((code === 1 || code === 3 || code === 130) && !oneLine) problems.push(`exit ${code} without exactly one stderr line`);
  if (code === 0 && stderr !== '') problems.push('exit 0 with output on stderr');
  const help = argv.some((a) => a === '--help' || a === '-h') || argv[0] === 'help';
  if (argv[0] === 'run' && argv.includes('--json') && !help && (code === 0 || code === 3 || code === 130)) {
    try {
      if (!stdout.endsWith('\n') || stdout.trimEnd().includes('\n')) throw new Error('not one line');
      const doc = JSON.parse(stdout) as { partial?: unknown };
      if (doc.partial !== (code === 130)) problems.push(`"partial": ${String(doc.partial)} with exit ${code}`);
    } catch (error) {
      problems.push(`--json output is not one JSON object (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return problems;
}

describe('the CLI under random argument lists', () => {
  const seed = testSeed();
  const home = process.cwd();
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gossip-sim-fuzz-'));
    process.chdir(dir);
    writeFileSync('bad.json', '{"converged": tru');
    const saved = await runMain(['run', '--hosts', '20', '--engine', 'reference', '--json']);
    writeFileSync('run.json', saved.stdout);
  });

  afterAll(async () => {
    process.chdir(home);
    rmSync(dir, { recursive: true, force: true });
    await closePools();
  });

  it(`${CASES} random argument lists: no stack trace, exit 0/1/2/3/130, one stderr line per usage error, valid --json`, async () => {
    const failures: string[] = [];
    const codes = new Map<Outcome['code'], number>();
    // Process warnings (a leaked SIGINT listener, an overflowing timer) are failures too.
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      for (let index = 0; index < CASES; index++) {
        const argv = tiny(randomArgv(seed, index), seed, index);
        const outcome = await runMain(argv);
        codes.set(outcome.code, (codes.get(outcome.code) ?? 0) + 1);
        const problems = problemsOf(argv, outcome);
        if (problems.length > 0) {
          failures.push(`#${index} ${JSON.stringify(argv)} -> exit ${outcome.code}: ${problems.join('; ')}; stderr ${JSON.stringify(outcome.stderr.slice(0, 300))}`);
        }
      }
    } finally {
      process.off('warning', onWarning);
    }
    const context = `GOSSIP_SIM_TEST_SEED=${seed}, exit codes ${JSON.stringify([...codes])}`;
    expect(failures.slice(0, 20), `${context}: ${failures.length} failing argument lists`).toEqual([]);
    expect(warnings, context).toEqual([]);
    // The fuzz reaches past the parser: accepted runs, usage errors and the other endings all occur.
    expect(codes.get(0) ?? 0, context).toBeGreaterThan(CASES / 10);
    expect(codes.get(2) ?? 0, context).toBeGreaterThan(CASES / 5);
    expect(codes.get(3) ?? 0, context).toBeGreaterThan(0);
  }, 120_000);

  it('no arguments at all prints the whole help on stderr and exits 2', async () => {
    const { code, stdout, stderr } = await runMain([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: gossip-sim /);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  // `help` with an unknown command name is a one-line usage error naming it.
  it('help with an unknown command name is a usage error of one stderr line naming it', async () => {
    const { code, stderr } = await runMain(['help', 'bogus']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^gossip-sim: [^\n]*bogus[^\n]*\n$/);
  });
});
