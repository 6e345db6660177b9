/**
 * The standard benchmark suite behind `npm run bench`: the same sweep code as `gossip-sim bench`,
 * over the workloads the project is judged on, at 1 and 2 threads.
 *
 *   npm run build && npm run bench -- [--out bench/results.json] [--repeat 3] [--warmup 1]
 *                                     [--format json,markdown,github] [--label TEXT] [--quick]
 *
 * announce 1,000 / 5,000 / 10,000 hosts, push 10,000 / 100,000 and push-pull 10,000 hosts (SPEC.md
 * defaults otherwise). A workload whose memory estimate does not fit this machine is skipped and
 * listed, not fatal. `--quick` divides every host count by 10 and runs once: a smoke test of the
 * suite, not a figure to keep. Exit status: 0 written, 1 a run failed or an issue was found,
 * 2 usage error.
 */
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import type { CliIo } from '../src/cli.js';
import { integerFlag, parseFormats, resultsPath, runPlan } from '../src/bench/commands.js';
import { EXIT_REGRESSION, EXIT_USAGE, ExitCode } from '../src/bench/exit.js';
import { packageRoot } from '../src/bench/paths.js';
import { configurationsOf, gridInputs, preflight, type SweepGrid } from '../src/bench/sweep.js';
import { MemoryLimitError, OptionError } from '../src/errors.js';

/** The workloads of the suite. */
export const SUITE: readonly SweepGrid[] = [
  { protocols: ['announce'], hosts: [1000, 5000, 10_000], threads: [1, 2] },
  { protocols: ['push'], hosts: [10_000, 100_000], threads: [1, 2] },
  { protocols: ['push-pull'], hosts: [10_000], threads: [1, 2] },
];

/** Default measured runs per configuration: the largest workloads take tens of seconds each. */
const SUITE_REPEAT = 3;

interface SuiteFlags {
  out?: string;
  repeat?: string;
  warmup?: string;
  format?: string;
  label?: string;
  quick?: boolean;
  cpuHog?: boolean;
}

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
};

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('npm run bench --')
    .description('the standard gossip-sim benchmark suite')
    .option('--out <file.json>', 'results file (default bench/results.json)')
    .option('--repeat <r>', `measured runs per configuration (default ${SUITE_REPEAT})`)
    .option('--warmup <w>', 'warm-up runs per configuration (default 1)')
    .option('--format <list>', 'also write FILE.md (markdown) and FILE.github.json (github)')
    .option('--label <text>', 'describe the machine in the results')
    .option('--quick', 'host counts / 10, one run each: a smoke test of the suite')
    .option('--cpu-hog', 'keep one busy process running beside every run and the control')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`bench: ${text.replace(/^error: /, '').trim()}\n`) });
  try {
    program.parse([...argv], { from: 'user' });
    const flags = program.opts<SuiteFlags>();
    const quick = flags.quick === true;
    const grids = quick ? SUITE.map((g) => ({ ...g, hosts: g.hosts.map((h) => Math.max(1, Math.round(h / 10))) })) : SUITE;
    const { run, skipped } = preflight(configurationsOf(grids.flatMap(gridInputs)), 'skip');
    for (const s of skipped) io.stderr(`bench: skipping ${s.id}: ${s.reason}\n`);
    const results = await runPlan(
      {
        configurations: run,
        skipped,
        repeat: flags.repeat === undefined ? (quick ? 1 : SUITE_REPEAT) : integerFlag('--repeat', flags.repeat, 1, 1000),
        warmup: flags.warmup === undefined ? (quick ? 0 : 1) : integerFlag('--warmup', flags.warmup, 0, 100),
        out: resultsPath(flags.out ?? join(packageRoot(), 'bench', 'results.json')),
        formats: flags.format === undefined ? [] : parseFormats(flags.format),
        label: flags.label ?? null,
        argv: ['bench/suite.js', ...argv],
        cpuHog: flags.cpuHog === true,
      },
      io,
    );
    return results.issues.length > 0 ? EXIT_REGRESSION : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof ExitCode) {
      if (error.message !== '') io.stderr(`bench: ${error.message}\n`);
      return error.code;
    }
    if (error instanceof OptionError || error instanceof MemoryLimitError) {
      io.stderr(`bench: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`bench: run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_REGRESSION;
  }
}

process.exitCode = await main(process.argv.slice(2));
