/**
 * Tables 1 to 3 of Demers et al., "Epidemic Algorithms for Replicated Database Maintenance"
 * (PODC 1987, section 1.4, n = 1000 sites), beside this simulator's figures for the same rumor
 * mongering variants: residue s, traffic m, t_ave and t_last, each the mean over many seeds.
 *
 *   npm run build && npm run bench:rumor -- [--seeds 400] [--hosts 1000] [--out bench/results] [--json]
 *
 * Every row runs `--protocol rumor` with the synchronous contact model (the paper's cycles),
 * fanout 1, view full and host 0 as the one source, over seeds 1..N with `runSeeds` (a pool of
 * one-thread workers). A cell "agrees" when the paper's value lies within its own printed
 * precision of our mean (half a unit of its last digit: 0.037 ± 0.0005, 38 ± 0.5) or inside our
 * 95% confidence interval of the mean; else it "differs". Prints the tables (or with --json the
 * results document) and writes DIR/rumor-tables.md and DIR/rumor-tables.json. Exit status: 0
 * written (whatever the verdicts), 1 a run failed or a file could not be written, 2 usage error.
 */
import { existsSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { CliIo } from '../src/cli.js';
import { integerFlag } from '../src/bench/commands.js';
import { collectEnvironment, describeEnvironment, type Environment } from '../src/bench/environment.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../src/bench/exit.js';
import { renderMarkdown, renderTable, type Grid } from '../src/bench/format.js';
import { packageRoot } from '../src/bench/paths.js';
import { clock } from '../src/bench/progress.js';
import { closePools } from '../src/engines/parallel/engine.js';
import { MemoryLimitError, OptionError } from '../src/errors.js';
import { MAX_HOSTS_CELLS, type RumorFeedback, type RumorMode, type RumorStop, type SimulationInput } from '../src/options.js';
import { checkWritable, OutputWriteError } from '../src/output-file.js';
import type { MetricAggregate, SeedsAggregate } from '../src/seeds/aggregate.js';
import { MAX_SEEDS } from '../src/seeds/parse.js';
import { runSeeds } from '../src/seeds/run.js';

// ---- the paper ------------------------------------------------------------------------------

/** The four figures of a row, in table order, with the paper's symbols. */
export const RUMOR_METRICS = ['residue', 'traffic', 'tAve', 'tLast'] as const;
export type RumorMetric = (typeof RUMOR_METRICS)[number];
const SYMBOL: Record<RumorMetric, string> = { residue: 's', traffic: 'm', tAve: 't_ave', tLast: 't_last' };

/** One row of a paper table: k and its four figures as printed (the text carries the precision). */
export interface PaperRow {
  readonly k: number;
  readonly figures: Readonly<Record<RumorMetric, string>>;
}

/** One of the paper's tables: the variant it measures and its rows. */
export interface PaperTable {
  readonly table: 1 | 2 | 3;
  readonly title: string;
  readonly variant: { readonly rumorMode: RumorMode; readonly rumorFeedback: RumorFeedback; readonly rumorStop: RumorStop };
  readonly rows: readonly PaperRow[];
}

function rows(s: string[], m: string[], tAve: string[], tLast: string[]): PaperRow[] {
  return s.map((residue, i) => ({ k: i + 1, figures: { residue, traffic: m[i]!, tAve: tAve[i]!, tLast: tLast[i]! } }));
}

/** Tables 1 to 3 of Demers et al. 1987 as printed (n = 1000). */
export const PAPER_TABLES: readonly PaperTable[] = [
  {
    table: 1,
    title: 'Table 1: push, feedback, counter',
    variant: { rumorMode: 'push', rumorFeedback: 'feedback', rumorStop: 'counter' },
    rows: rows(
      ['0.18', '0.037', '0.011', '0.0036', '0.0012'],
      ['1.7', '3.3', '4.5', '5.6', '6.7'],
      ['11.0', '12.1', '12.5', '12.7', '12.8'],
      ['16.8', '16.9', '17.4', '17.5', '17.7'],
    ),
  },
  {
    table: 2,
    title: 'Table 2: push, blind, coin',
    variant: { rumorMode: 'push', rumorFeedback: 'blind', rumorStop: 'coin' },
    rows: rows(
      ['0.96', '0.20', '0.060', '0.021', '0.008'],
      ['0.04', '1.6', '2.8', '3.9', '4.9'],
      ['19', '17', '15', '14.1', '13.8'],
      ['38', '33', '32', '32', '32'],
    ),
  },
  {
    table: 3,
    title: 'Table 3: pull, feedback, counter',
    variant: { rumorMode: 'pull', rumorFeedback: 'feedback', rumorStop: 'counter' },
    rows: rows(['3.1e-2', '5.8e-4', '4.0e-6'], ['2.7', '4.5', '6.1'], ['9.97', '10.07', '10.08'], ['17.6', '15.4', '14.0']),
  },
];

/** A printed figure: its value, the decimals of its mantissa and its power of ten (0 unless `e`). */
export interface PrintedFigure {
  readonly text: string;
  readonly value: number;
  readonly decimals: number;
  readonly exponent: number;
  /** Half a unit of the last printed digit: "0.037" -> 0.0005, "38" -> 0.5, "4.0e-6" -> 5e-8. */
  readonly tolerance: number;
}

/** Reads a figure as the paper prints it ("0.037", "38", "3.1e-2"). */
export function printedFigure(text: string): PrintedFigure {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(text);
  if (m === null) throw new RangeError(`printedFigure(): got ${JSON.stringify(text)}, expected digits such as 0.037, 38 or 3.1e-2`);
  const decimals = m[2]?.length ?? 0;
  const exponent = m[3] === undefined ? 0 : Number(m[3]);
  return { text, value: Number(text), decimals, exponent, tolerance: 0.5 * 10 ** (exponent - decimals) };
}

// ---- running the rows -----------------------------------------------------------------------

/** What the paper's cell and ours say of one figure. */
export interface Cell {
  readonly paper: PrintedFigure;
  /** Our mean over the seeds; null when no run had a value (a run of one host has no t_ave). */
  readonly mean: number | null;
  /** Half the width of our 95% interval of the mean (0 for one seed or no spread). */
  readonly halfWidth: number | null;
  readonly ci95: readonly [number, number] | null;
  /** Runs that had a value for the figure. */
  readonly n: number;
  readonly verdict: 'agrees' | 'differs';
  /** Why it agrees: the paper's value is within its printed precision of our mean, in our interval, or both. */
  readonly by: 'precision' | 'interval' | 'both' | null;
}

/** One row: its options, how its seeds ran, every aggregate, and the four cells. */
export interface RowResult {
  readonly k: number;
  readonly input: SimulationInput;
  readonly plan: { readonly mode: 'pool' | 'serial'; readonly workers: number; readonly reason: string };
  readonly wallSeconds: number;
  readonly cells: Readonly<Record<RumorMetric, Cell>>;
  /** Every metric of the runs (src/seeds/aggregate.ts), not only the four of the table. */
  readonly aggregate: SeedsAggregate;
}

export interface TableResult {
  readonly table: PaperTable['table'];
  readonly title: string;
  readonly variant: PaperTable['variant'];
  readonly rows: readonly RowResult[];
}

/** What `runRumorTables` is asked to do. */
export interface RumorTablesSettings {
  /** Seeds 1..seeds per row. */
  readonly seeds: number;
  readonly hosts: number;
  /** The tables (or some of their rows) to run; all of PAPER_TABLES by default. */
  readonly tables?: readonly PaperTable[];
  /** Called before each row starts: rows done, rows in all, the row's label. */
  readonly onRow?: ((done: number, total: number, label: string) => void) | undefined;
}

/** Everything a run of the tables found, as rumor-tables.json holds it (with the command). */
export interface RumorTablesResult {
  readonly environment: Environment;
  readonly hosts: number;
  readonly seeds: number;
  /** The seeds of every row, as `run --seeds` writes them. */
  readonly seedList: string;
  readonly wallSeconds: number;
  readonly tables: readonly TableResult[];
}

/** A row's options: the paper's setting (synchronous cycles, fanout 1, host 0 the one source). */
export function rowInput(table: PaperTable, k: number, hosts: number): SimulationInput {
  return { protocol: 'rumor', hosts, fanout: 1, view: 'full', contact: 'synchronous', rumorSources: 1, ...table.variant, rumorK: k };
}

/** Judges one figure (see Cell). */
export function judge(paperText: string, aggregate: MetricAggregate | undefined): Cell {
  const paper = printedFigure(paperText);
  if (aggregate === undefined || aggregate.mean === null) {
    return { paper, mean: null, halfWidth: null, ci95: null, n: 0, verdict: 'differs', by: null };
  }
  const [low, high] = aggregate.ci95;
  // The relative slack only absorbs binary rounding: 0.0365 + 0.0005 must count as within.
  const precision = Math.abs(paper.value - aggregate.mean) <= paper.tolerance * (1 + 1e-9);
  const interval = low <= paper.value && paper.value <= high;
  const by = precision && interval ? 'both' : precision ? 'precision' : interval ? 'interval' : null;
  return { paper, mean: aggregate.mean, halfWidth: (high - low) / 2, ci95: [low, high], n: aggregate.n, verdict: by === null ? 'differs' : 'agrees', by };
}

/**
 * Runs every row of `settings.tables` over seeds 1..seeds and judges its cells. Rows run one
 * after another, each on its own pool (runSeeds); a failed run rejects with its SeedRunError.
 */
export async function runRumorTables(settings: RumorTablesSettings): Promise<RumorTablesResult> {
  const tables = settings.tables ?? PAPER_TABLES;
  const seeds = Array.from({ length: settings.seeds }, (_, i) => i + 1);
  const environment = collectEnvironment();
  const total = tables.reduce((sum, t) => sum + t.rows.length, 0);
  const started = performance.now();
  const results: TableResult[] = [];
  let done = 0;
  for (const table of tables) {
    const rowResults: RowResult[] = [];
    for (const row of table.rows) {
      settings.onRow?.(done, total, `Table ${table.table}, k = ${row.k}`);
      const input = rowInput(table, row.k, settings.hosts);
      const rowStarted = performance.now();
      const outcome = await runSeeds(input, seeds);
      const cells = {} as Record<RumorMetric, Cell>;
      for (const metric of RUMOR_METRICS) cells[metric] = judge(row.figures[metric], outcome.aggregate[metric]);
      rowResults.push({
        k: row.k,
        input,
        plan: { mode: outcome.plan.mode, workers: outcome.plan.workers, reason: outcome.plan.reason },
        wallSeconds: (performance.now() - rowStarted) / 1000,
        cells,
        aggregate: outcome.aggregate,
      });
      done++;
    }
    results.push({ table: table.table, title: table.title, variant: table.variant, rows: rowResults });
  }
  return {
    environment,
    hosts: settings.hosts,
    seeds: settings.seeds,
    seedList: settings.seeds === 1 ? '1' : `1..${settings.seeds}`,
    wallSeconds: (performance.now() - started) / 1000,
    tables: results,
  };
}

// ---- formatting -----------------------------------------------------------------------------

/**
 * Our mean ± half-width, in the paper's notation (`e-4` where it writes one), with two
 * significant digits of the half-width and never fewer decimals than the paper prints.
 */
export function formatOurs(cell: Cell): string {
  if (cell.mean === null || cell.halfWidth === null) return 'n/a';
  if (cell.mean === 0 && cell.halfWidth === 0) return '0 ± 0';
  const scale = 10 ** cell.paper.exponent;
  const mean = cell.mean / scale;
  const half = cell.halfWidth / scale;
  const wanted = half > 0 ? 1 - Math.floor(Math.log10(half)) : cell.paper.decimals + 1;
  const decimals = Math.min(8, Math.max(cell.paper.decimals, wanted));
  const suffix = cell.paper.exponent === 0 ? '' : `e${cell.paper.exponent}`;
  return `${mean.toFixed(decimals)}${suffix} ± ${half.toFixed(decimals)}${suffix}`;
}

/** One paper table beside ours: k, then paper and ours (with the verdict) per figure. */
export function tableGrid(table: TableResult): Grid {
  const head = ['k', ...RUMOR_METRICS.flatMap((m) => [`paper ${SYMBOL[m]}`, `ours ${SYMBOL[m]}`])];
  const rows = table.rows.map((row) => [
    String(row.k),
    ...RUMOR_METRICS.flatMap((m) => {
      const cell = row.cells[m];
      return [cell.paper.text, `${formatOurs(cell)} ${cell.verdict}`];
    }),
  ]);
  return { head, rows };
}

/** Every cell that differs, one line each: "Table 1, k = 2, t_ave: paper 12.1, ours 10.02 ± 0.02". */
export function differences(result: RumorTablesResult): string[] {
  const lines: string[] = [];
  for (const table of result.tables) {
    for (const row of table.rows) {
      for (const m of RUMOR_METRICS) {
        const cell = row.cells[m];
        if (cell.verdict !== 'differs') continue;
        // A residue this small is a handful of missed hosts over every run together: say how few.
        const missed = m === 'residue' ? cell.paper.value * result.hosts * result.seeds : Infinity;
        const note = missed < 10 ? ` (the paper's s is ${+missed.toPrecision(2)} missed hosts in all ${result.seeds} runs together)` : '';
        lines.push(`Table ${table.table}, k = ${row.k}, ${SYMBOL[m]}: paper ${cell.paper.text}, ours ${formatOurs(cell)}${note}`);
      }
    }
  }
  return lines;
}

function settingsLine(result: RumorTablesResult): string {
  return (
    `${result.hosts.toLocaleString('en-US')} hosts, seeds ${result.seedList} per row, synchronous contacts, fanout 1, view full, ` +
    `one source (host 0); ours: mean ± half-width of the 95% CI of the mean`
  );
}

const RULE =
  'verdict: "agrees" when the paper\'s value is within its printed precision of our mean (half a unit of its last digit) ' +
  'or inside our 95% CI; else "differs"';

function machineLines(result: RumorTablesResult): string[] {
  const env = result.environment;
  return [
    `machine: ${env.cpuModel}, ${env.cores} logical cores (${env.availableParallelism} available), Node ${env.node}`,
    `date: ${env.date}; wall time ${result.wallSeconds.toFixed(1)} s (${clock(result.wallSeconds)})`,
    `environment: ${describeEnvironment(env)}`,
  ];
}

/** The report on stdout: the setting, each table, the cells that differ, the machine. */
export function formatRumorTablesText(result: RumorTablesResult, command: string): string {
  const lines = [`Demers et al. 1987, Tables 1-3, beside gossip-sim: ${settingsLine(result)}`, RULE, ''];
  for (const table of result.tables) lines.push(table.title, renderTable(tableGrid(table)), '');
  const diff = differences(result);
  lines.push(diff.length === 0 ? 'every cell agrees' : `${diff.length} cell${diff.length === 1 ? '' : 's'} differ:`, ...diff.map((d) => `  ${d}`));
  lines.push(`command: ${command}`, ...machineLines(result));
  return `${lines.join('\n')}\n`;
}

/** rumor-tables.md. */
export function formatRumorTablesMarkdown(result: RumorTablesResult, command: string): string {
  const lines = [
    '# Demers et al. 1987, Tables 1-3, beside gossip-sim',
    '',
    `Demers, Greene, Hauser, Irish, Larson, Shenker, Sturgis, Swinehart and Terry, "Epidemic Algorithms for Replicated ` +
      `Database Maintenance", PODC 1987, section 1.4 (n = 1000), against \`--protocol rumor\`: ${settingsLine(result)}. ` +
      'The rules of the variants are in docs/semantics.md, "rumor".',
    '',
    `${RULE[0]!.toUpperCase()}${RULE.slice(1)}.`,
    '',
  ];
  for (const table of result.tables) lines.push(`## ${table.title}`, '', renderMarkdown(tableGrid(table)), '');
  const diff = differences(result);
  lines.push('## Cells that differ', '', ...(diff.length === 0 ? ['None.'] : diff.map((d) => `- ${d}`)), '');
  lines.push('## How it was run', '', `- command: \`${command}\``, ...machineLines(result).map((l) => `- ${l}`), '');
  return lines.join('\n');
}

/** rumor-tables.json: the command and the whole result. */
export function rumorTablesJson(result: RumorTablesResult, command: string): string {
  return `${JSON.stringify({ kind: 'gossip-sim rumor-tables', version: 1, command, ...result }, null, 2)}\n`;
}

// ---- command line ---------------------------------------------------------------------------

interface Flags {
  seeds?: string;
  hosts?: string;
  out?: string;
  json?: boolean;
}

const DEFAULT_SEEDS = 400;
const DEFAULT_HOSTS = 1000;

/** `--out`: an existing folder in which both files can be written now. Returns the two paths. */
function outputFiles(dir: string): { md: string; json: string } {
  const full = resolve(dir);
  if (!existsSync(full) || !statSync(full).isDirectory()) throw new OptionError('--out', JSON.stringify(dir), 'an existing folder');
  return { md: checkWritable('--out', join(full, 'rumor-tables.md')), json: checkWritable('--out', join(full, 'rumor-tables.json')) };
}

/** Runs the command with `argv` (without node and the script); returns the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('npm run bench:rumor --')
    .description("Demers et al. 1987, Tables 1-3, beside this simulator's rumor mongering")
    .option('--seeds <n>', `seeds 1..n per row (default ${DEFAULT_SEEDS})`)
    .option('--hosts <n>', `hosts per run (default ${DEFAULT_HOSTS}, the paper's)`)
    .option('--out <dir>', 'folder for rumor-tables.md and rumor-tables.json (default bench/results)')
    .option('--json', 'print the results document instead of the tables')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`rumor-tables: ${text.replace(/^error: /, '').trim()}\n`),
    });
  const progress = io.stderrIsTTY ? (text: string): void => io.stderr(`\r\x1b[2K${text}`) : null;
  try {
    program.parse([...argv], { from: 'user' });
    const flags = program.opts<Flags>();
    const seeds = flags.seeds === undefined ? DEFAULT_SEEDS : integerFlag('--seeds', flags.seeds, 1, MAX_SEEDS);
    const hosts = flags.hosts === undefined ? DEFAULT_HOSTS : integerFlag('--hosts', flags.hosts, 2, MAX_HOSTS_CELLS);
    const files = outputFiles(flags.out ?? join(packageRoot(), 'bench', 'results'));
    const command = ['node dist/bench/rumor-tables.js', ...argv].join(' ');
    const result = await runRumorTables({
      seeds,
      hosts,
      onRow: progress === null ? undefined : (done, total, label) => progress(`rumor-tables: ${label} (row ${done + 1} of ${total})`),
    });
    progress?.('');
    // The report goes out first: a file that cannot be written late loses nothing shown.
    io.stdout(flags.json === true ? rumorTablesJson(result, command) : formatRumorTablesText(result, command));
    for (const [file, text] of [[files.md, formatRumorTablesMarkdown(result, command)], [files.json, rumorTablesJson(result, command)]] as const) {
      try {
        writeFileSync(file, text);
      } catch (cause) {
        throw new OutputWriteError(`could not write ${file} (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
      }
    }
    if (flags.json !== true) io.stdout(`wrote ${files.md}, ${files.json}\n`);
    return EXIT_OK;
  } catch (error) {
    progress?.('');
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof OptionError || error instanceof MemoryLimitError) {
      io.stderr(`rumor-tables: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof OutputWriteError) {
      io.stderr(`rumor-tables: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    io.stderr(`rumor-tables: run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    await closePools();
  }
}

function isThisFile(path: string): boolean {
  try {
    return realpathSync(path) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run when executed (`node dist/bench/rumor-tables.js`), not when a test imports the module.
const invoked = process.argv[1];
if (invoked !== undefined && isThisFile(invoked)) {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
