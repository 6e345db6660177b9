/**
 * How the CLI reaches the reports: `run --trace FILE --report FILE.html`, `bench --report
 * FILE.html` and the `report` command that overlays saved runs.
 */
import { extname } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../cli.js';
import { OptionError } from '../errors.js';
import { checkWritable, writeOutput } from '../output-file.js';
import type { Result } from '../simulate.js';
import { hostsCsvPathOf, traceFormatOf, writeTrace } from './trace.js';
// The renderers (and, through them, the charts) are loaded when a report is written: a run
// without --report does not load them.


/** The report flags of `run`. */
export interface RunOutputFlags {
  readonly trace?: string | undefined;
  readonly report?: string | undefined;
}

/** Throws an `OptionError` naming `flag` unless `path` ends in .html or .htm. */
export function checkHtmlPath(path: string, flag: string): void {
  const ext = extname(path).toLowerCase();
  if (ext !== '.html' && ext !== '.htm') {
    throw new OptionError(flag, JSON.stringify(path), 'a file name ending in .html (a self-contained page)');
  }
}

/**
 * Checks the file names of `--trace` and `--report` before a run starts (the extension, and that
 * every file they write can be written now), so a typo or a missing folder does not cost a long
 * simulation. Throws `OptionError` (exit 2).
 */
export function checkRunOutputs(flags: RunOutputFlags): void {
  if (flags.trace !== undefined) {
    const format = traceFormatOf(flags.trace);
    checkWritable('--trace', flags.trace);
    if (format === 'csv') checkWritable('--trace', hostsCsvPathOf(flags.trace));
  }
  if (flags.report !== undefined) {
    checkHtmlPath(flags.report, '--report');
    checkWritable('--report', flags.report);
  }
}

/** Writes what `--trace` and `--report` ask for; resolves to the paths written. */
export async function writeRunOutputs(result: Result, flags: RunOutputFlags): Promise<string[]> {
  if (flags.trace !== undefined) traceFormatOf(flags.trace);
  if (flags.report !== undefined) checkHtmlPath(flags.report, '--report');
  const written: string[] = [];
  if (flags.trace !== undefined) written.push(...(await writeTrace(result, flags.trace)));
  if (flags.report !== undefined) {
    const { renderRunReport } = await import('./run-report.js');
    await writeOutput(flags.report, await renderRunReport(result), 'report');
    written.push(flags.report);
  }
  return written;
}

/** Writes the report of a bench results object (see `renderBenchReport`) to `path` (.html). */
export async function writeBenchReport(bench: unknown, path: string, flag = '--report'): Promise<void> {
  checkHtmlPath(path, flag);
  checkWritable(flag, path);
  const { renderBenchReport } = await import('./bench-report.js');
  await writeOutput(path, await renderBenchReport(bench), 'report');
}

/** Adds `gossip-sim report RUN.json ... --out FILE.html`. */
export function registerReportCommand(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('overlay the convergence curves of runs saved with `run --json > FILE.json` in one HTML page')
    .argument('<runs...>', 'JSON files written by `gossip-sim run ... --json`')
    .requiredOption('--out <file.html>', 'the HTML page to write (self-contained, opens offline)')
    .action(async (paths: string[], flags: { out: string }) => {
      checkHtmlPath(flags.out, '--out');
      checkWritable('--out', flags.out);
      const runs = [];
      const [{ readSavedRun }, { renderComparisonReport }] = await Promise.all([import('./saved-run.js'), import('./comparison-report.js')]);
      for (const path of paths) runs.push(await readSavedRun(path));
      await writeOutput(flags.out, await renderComparisonReport(runs), 'report');
      io.stdout(`gossip-sim: wrote ${flags.out} (${runs.length} run${runs.length === 1 ? '' : 's'})\n`);
    });
}
