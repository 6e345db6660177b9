/**
 * Adds the `sweep`, `worker` and `merge` subcommands (docs/scale-out.md) to the CLI: their
 * options and help only. What runs them (commands.ts, merge.ts, and through them the queue and
 * BullMQ) is loaded when one of them runs, so that `gossip-sim run` does not load it.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { CliIo } from '../cli.js';
import type { SweepFlags, WorkerFlags } from './commands.js';
import { DEFAULT_ATTEMPTS, DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS, MERGE_FORMATS } from './defaults.js';
import type { MergeFlags } from './merge.js';

/** Adds `sweep`, `worker` and `merge` to `program`. */
export function registerSweepCommands(program: Command, io: CliIo): void {
  program
    .command('sweep')
    .description('run every run of a plan (a grid of run options times seeds), on this machine or through a Redis queue, into a JSON-lines file; reruns resume')
    .argument('<plan>', 'the plan, a JSON file (schemas/sweep-plan.schema.json, docs/scale-out.md)')
    .option('--out <file.jsonl>', 'the results file: one JSON line per finished run, appended as runs finish; runs already in it are skipped')
    .option('--index <i>', 'run slice I (0-based) of --count N: the runs whose plan index r has r % N = I')
    .option('--count <n>', 'the number of slices (with --index, or with SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX in the environment)')
    .option('--concurrency <n>', `runs at once on this machine (default: cores / threads per run, ${availableParallelism()} cores here)`)
    .option('--queue <redis-url>', 'enqueue the runs in Redis (BullMQ) for `gossip-sim worker` processes and collect their results')
    .option('--queue-name <name>', 'the queue (default gossip-sim-PLANHASH)')
    .option('--attempts <n>', `with --queue: attempts of a failing run (default ${DEFAULT_ATTEMPTS})`)
    .option('--dry-run', 'list the runs (of the slice) and their keys, run nothing')
    .action(async (planFile: string, flags: SweepFlags) => {
      const { sweepCommand } = await import('./commands.js');
      await sweepCommand(planFile, flags, io);
    });

  program
    .command('worker')
    .description('take runs from a sweep\'s Redis queue and run each as a child process, until SIGINT or SIGTERM')
    .argument('<redis-url>', 'redis://HOST:PORT of the queue')
    .option('--plan <plan.json>', 'the plan whose queue to serve (its default name) and whose threads per run size the concurrency')
    .option('--queue-name <name>', 'the queue to serve (as given to `sweep --queue-name`)')
    .option('--concurrency <n>', `runs at once (default: cores / threads per run of --plan, or the ${availableParallelism()} cores)`)
    .option('--lock-duration <ms>', `how long a run's lock lasts unrenewed: a dead worker's run is retried after this (default ${DEFAULT_LOCK_DURATION_MS})`)
    .option('--stalled-interval <ms>', `how often this worker checks for stalled runs (default ${DEFAULT_STALLED_INTERVAL_MS})`)
    .action(async (url: string, flags: WorkerFlags) => {
      const { workerCommand } = await import('./commands.js');
      await workerCommand(url, flags, io);
    });

  program
    .command('merge')
    .description('merge sweep results files (slices, reruns), check them against each other and the plan, and aggregate each configuration over its seeds')
    .argument('<files...>', 'results files written by `gossip-sim sweep --out`')
    .option('--plan <plan.json>', 'the plan: check that no run is missing')
    .option('--out <merged.jsonl>', 'write the merged lines, one per run, in plan order')
    .option('--format <format>', `${MERGE_FORMATS.join(' | ')}: the table on stdout (default text)`)
    .option('--metrics <list>', 'metrics in the table and the report, comma-separated (default ticks,sent,coverage,wallSeconds; csv has every metric)')
    .option('--report <file.html>', 'write an HTML report: each metric\'s mean with its 95% confidence interval per configuration')
    .action(async (files: string[], flags: MergeFlags) => {
      const { runMerge } = await import('./merge.js');
      await runMerge(files, flags, io);
    });
}

