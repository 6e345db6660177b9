/**
 * Adds the `bench` and `compare` subcommands to the CLI: their options and help only. What runs
 * them (commands.ts, and through it the sweep, the statistics and the tables) is loaded when one
 * of them runs, so that `gossip-sim run` does not load it.
 */
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import type { CliIo } from '../cli.js';
import { DEFAULTS, ENGINES, PROTOCOLS, VIEWS } from '../options.js';
import type { BenchFlags, CompareFlags } from './commands.js';
import { BENCH_FORMATS, DEFAULT_REPEAT, DEFAULT_THRESHOLD, DEFAULT_WARMUP } from './defaults.js';
import { EXIT_REGRESSION, ExitCode } from './exit.js';
import type { BenchResults } from './schema.js';

/** Optional extensions wired by the CLI. */
export interface BenchHooks {
  /** Writes an HTML report of `results` to `file`; when given, `bench` gets `--report FILE.html`. */
  readonly report?: (results: BenchResults, file: string) => Promise<void> | void;
  /** Checks the --report file name before the sweep starts (throws `OptionError`). */
  readonly checkReport?: (file: string) => void;
}

/** Adds `bench` and `compare` to `program`. */
export function registerBenchCommands(program: Command, io: CliIo, hooks: BenchHooks = {}): void {
  const bench = program
    .command('bench')
    .description('sweep host counts, thread counts and protocols, each run in its own process, and report times, memory and speedups')
    .option('--hosts <list>', `host counts, comma-separated (default ${DEFAULTS.hosts})`)
    .option('--threads <list>', `thread counts, comma-separated; above the core count is allowed and marked oversubscribed (default 1,${availableParallelism()})`)
    .option('--protocol <list>', `protocols, comma-separated: ${PROTOCOLS.join(', ')} (default ${DEFAULTS.protocol})`)
    .option('--fanout <k>', 'peer choices per periodic step, for push, pull and push-pull (default 1)')
    .addOption(new Option('--view <view>', `${VIEWS.join(' | ')}, for push, pull and push-pull (default known)`))
    .option('--latency <ticks>', 'constant D or range LO..HI in ticks (default 1)')
    .option('--loss <p>', 'probability that a message is lost (default 0)')
    .option('--seed <n>', 'seed of the counter-based hash (default 1)')
    .option('--max-ticks <n>', `last tick to run (default ${DEFAULTS.maxTicks})`)
    .addOption(new Option('--engine <name>', `${ENGINES.join(' | ')} (default ${DEFAULTS.engine})`))
    .option('--max-memory <size>', 'memory budget of each run, e.g. 8G (default: the memory available when it starts)')
    .option('--repeat <r>', `measured runs per configuration (default ${DEFAULT_REPEAT})`)
    .option('--warmup <w>', `warm-up runs per configuration before the measured ones (default ${DEFAULT_WARMUP})`)
    .option('--out <file.json>', 'write the results (schema version 1, docs/benchmarking.md) to this file')
    .option('--format <list>', `${BENCH_FORMATS.join(', ')}: with --out, also write FILE.md (markdown) and FILE.github.json (github-action-benchmark); without, print that one format instead of the table`)
    .option('--label <text>', 'describe the machine in the results, e.g. "CI runner, 2 vCPUs"')
    .option('--cpu-hog', 'keep one busy process running beside every run and the control, as a neighbour taking a core would')
    .option('--rumor-mode <mode>', 'rumor only: push | pull | push-pull (default push)')
    .option('--rumor-feedback <kind>', 'rumor only: feedback | blind (default feedback)')
    .option('--rumor-stop <rule>', 'rumor only: counter | coin (default counter)')
    .option('--rumor-k <k>', 'rumor only: the k of --rumor-stop (default 2)')
    .option('--rumor-sources <n|ids>', 'rumor only: initial sites, a count or a list of ids (default 1)')
    .option('--contact <model>', 'rumor only: synchronous | messages (default synchronous)')
    .option('--scenario <file>', 'every run takes this scenario file\'s events (and its options, under the flags), docs/scenarios.md');
  if (hooks.report !== undefined) bench.option('--report <file.html>', 'also write an HTML report');
  bench.action(async (flags: BenchFlags) => {
    if (flags.report !== undefined) hooks.checkReport?.(flags.report);
    const { runBench } = await import('./commands.js');
    const results = await runBench(flags, io);
    if (flags.report !== undefined && hooks.report !== undefined) {
      await hooks.report(results, flags.report);
      io.stdout(`wrote ${flags.report}\n`);
    }
    if (results.issues.length > 0) {
      throw new ExitCode(EXIT_REGRESSION, `bench: ${results.issues.length} issue${results.issues.length === 1 ? '' : 's'} found while measuring (listed above)`);
    }
  });

  program
    .command('compare')
    .description('compare two bench results files: simulation metrics must be identical, times and memory must not regress')
    .argument('<baseline>', 'results file of the reference build (bench --out)')
    .argument('<current>', 'results file of the build under test')
    .option('--threshold <percent>', `regression threshold on the change of a median (default ${DEFAULT_THRESHOLD * 100}%)`)
    .addOption(new Option('--format <format>', 'text | markdown (default text)'))
    .action(async (baseline: string, current: string, flags: CompareFlags) => {
      const { runCompare } = await import('./commands.js');
      const comparison = runCompare(baseline, current, flags, io);
      if (comparison.exitCode !== 0) throw new ExitCode(comparison.exitCode);
    });
}

