#!/usr/bin/env node
/**
 * The `gossip-sim` command line: a thin layer over `simulate()`. Exit codes: 0 success, 1 run
 * failure, 2 usage error, 3 not converged under --require-convergence, 130 interrupted.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { OptionError, MemoryLimitError } from './errors.js';
import { OutputWriteError } from './output-file.js';
import { packageInfo } from './bench/paths.js';
import {
  CONTACTS, DEFAULTS, ENGINES, MAX_RUMOR_K, PROTOCOLS, RUMOR_DEFAULTS, RUMOR_FEEDBACKS, RUMOR_MODES, RUMOR_STOPS, VIEWS, defaultThreads, resolveOptions,
  type SimulationInput, type SimulationOptions,
} from './options.js';
import { closePools, type Progress } from './engines/parallel/engine.js';
import { runSimulation, type Result } from './simulate.js';
import { completionTicksJson, rawCompletionTicks } from './result.js';
import { registerBenchCommands } from './bench/register.js';
import { registerSweepCommands } from './sweep/register.js';
import { ExitCode } from './bench/exit.js';
import { checkHtmlPath, checkRunOutputs, registerReportCommand, writeBenchReport, writeRunOutputs } from './report/commands.js';
import { completionChartOf } from './report/terminal-chart.js';
import { formatCount, formatRate, formatSummary } from './summary.js';
import { loadScenario, scenarioInput } from './scenario.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOT_CONVERGED = 3;
export const EXIT_INTERRUPTED = 130;

/** Where the CLI writes; injectable so tests can run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
};

/** Numbers stay numbers, anything else is passed on as text so the validator can name it. */
function numeric(text: string): number | string {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : text;
}

interface RunFlags {
  scenario?: string;
  hosts?: string;
  protocol?: string;
  fanout?: string;
  view?: string;
  latency?: string;
  loss?: string;
  seed?: string;
  seeds?: string;
  maxTicks?: string;
  threads?: string;
  engine?: string;
  maxMemory?: string;
  rumorMode?: string;
  rumorFeedback?: string;
  rumorStop?: string;
  rumorK?: string;
  rumorSources?: string;
  contact?: string;
  timeout?: string;
  requireConvergence?: boolean;
  json?: boolean;
  trace?: string;
  report?: string;
}

/** Converts the flags of `run` to `simulate()` input, leaving validation to `resolveOptions`. */
export function inputOf(flags: RunFlags): SimulationInput {
  const input: Record<string, unknown> = {};
  const numbers = ['hosts', 'fanout', 'loss', 'seed', 'maxTicks', 'threads', 'rumorK'] as const;
  for (const key of numbers) if (flags[key] !== undefined) input[key] = numeric(flags[key]);
  for (const key of ['protocol', 'view', 'latency', 'engine', 'maxMemory', 'rumorMode', 'rumorFeedback', 'rumorStop', 'rumorSources', 'contact'] as const) {
    if (flags[key] !== undefined) input[key] = flags[key];
  }
  return input as SimulationInput;
}

/** The JSON document of `run --json`: every metric of SPEC.md at the top level. */
export function jsonOf(result: Result): Record<string, unknown> {
  return jsonDocument(result, result.hostCompletionTicks);
}

/**
 * The text of `run --json`: JSON.stringify(jsonOf(result)), with the completion ticks (millions
 * of numbers in a large run) written straight from their Int32Array, never built as an array.
 */
export function jsonTextOf(result: Result): string {
  const raw = rawCompletionTicks(result);
  if (raw === undefined) return JSON.stringify(jsonOf(result));
  const text = JSON.stringify(jsonDocument(result, null));
  const marker = '"hostCompletionTicks":null';
  const at = text.lastIndexOf(marker) + marker.length - 4;
  return text.slice(0, at) + completionTicksJson(raw) + text.slice(at + 4);
}

function jsonDocument(result: Result, hostCompletionTicks: unknown): Record<string, unknown> {
  return {
    converged: result.converged,
    ticks: result.ticks,
    sent: result.sent,
    delivered: result.delivered,
    processed: result.processed,
    ignored: result.ignored,
    lost: result.lost,
    partitioned: result.partitioned,
    dropped: result.dropped,
    inFlight: result.inFlight,
    entries: result.entries,
    spreadTicks: result.spreadTicks,
    coverage: result.coverage,
    live: result.live,
    load: result.load,
    completionQuantiles: result.completionQuantiles,
    endReason: result.endReason,
    lastTick: result.lastTick,
    // A protocol's own metrics (rumor: residue, traffic, tAve, tLast, messages by kind).
    ...result.protocolMetrics,
    options: {
      ...result.options,
      latency: result.options.latency.min === result.options.latency.max
        ? String(result.options.latency.min)
        : `${result.options.latency.min}..${result.options.latency.max}`,
    },
    engine: result.engine,
    threads: result.threads,
    wallSeconds: result.wallSeconds,
    partial: result.partial,
    series: result.series,
    hostCompletionTicks,
    // Peak resident memory of this process as the OS counted it (getrusage), worker threads included.
    diagnostics: { ...result.diagnostics, peakRssBytes: peakRssBytes() },
  };
}

/**
 * Peak resident memory of this process, worker threads included. On Linux VmHWM of
 * /proc/self/status: getrusage's maxRSS survives execve, so a process started by a large one
 * (a test runner, an editor) reported its parent's resident size at the fork as its own peak.
 * Elsewhere getrusage.
 */
export function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m !== null) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall back.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Test-only: GOSSIP_SIM_TEST_DELAY_MS makes `run` busy-wait that long inside the measured wall
 * time, so the regression tests of `compare` can measure a build that is really slower.
 */
function testDelayMs(): number {
  const ms = Number(process.env['GOSSIP_SIM_TEST_DELAY_MS'] ?? 0);
  return ms > 0 ? ms : 0;
}

const MAX_TIMEOUT_SECONDS = 2_147_483;
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * More worker threads than cores share the cores: every tick's barrier then waits for a thread
 * that is not running, and a run can be many times slower. Said once on stderr, never refused.
 */
function warnIfOversubscribed(options: SimulationOptions, io: CliIo): void {
  const cores = availableParallelism();
  if (options.engine === 'reference' || options.threads <= cores) return;
  io.stderr(
    `gossip-sim: warning: --threads ${options.threads} is more than the ${cores} core${cores === 1 ? '' : 's'} available here: ` +
      'the threads will take turns on the cores (oversubscription), which is usually much slower; ' +
      `--threads ${cores} or fewer runs each shard on a core of its own\n`,
  );
}

function parseTimeout(text: string): number {
  const value = numeric(text);
  // Node's timers hold at most 2^31-1 ms (24.8 days); a longer one would fire at once.
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_SECONDS) {
    throw new OptionError('--timeout', JSON.stringify(text), `a number of seconds, > 0 and <= ${MAX_TIMEOUT_SECONDS}`);
  }
  return value;
}

/** The progress line's text: the running tick, hosts complete, messages sent and their rate. */
export function formatProgress(p: Progress, seconds: number): string {
  return `tick ${formatCount(p.tick)}, ${formatCount(p.hostsComplete)} host${p.hostsComplete === 1 ? '' : 's'} complete, ` +
    `${formatCount(p.sent)} messages sent (${formatRate(p.sent / seconds)} messages/s), ${seconds.toFixed(0)} s`;
}

/**
 * A one-line progress display on stderr (terminals only), shown once a run has lasted a second.
 * Its rate is messages sent over the time since the run started, as in the summary.
 */
function progressLine(io: CliIo): { update: (p: Progress) => void; clear: () => void } {
  const started = performance.now();
  let shown = false;
  return {
    update: (p) => {
      const seconds = (performance.now() - started) / 1000;
      if (seconds < 1) return;
      shown = true;
      io.stderr(`\r\x1b[2K${formatProgress(p, seconds)}`);
    },
    clear: () => {
      if (shown) io.stderr('\r\x1b[2K');
    },
  };
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('gossip-sim')
    .version(packageInfo().version, '-V, --version', 'print the version and exit')
    // `--version` belongs before the command: `run --version` stays an unknown option of `run`.
    .enablePositionalOptions()
    .description('Deterministic, parallel simulator of gossip-based membership discovery (see docs/semantics.md)')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(`gossip-sim: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .showSuggestionAfterError(true);

  program
    .command('run')
    .description('run one simulation and print its metrics')
    .option('--hosts <n>', `number of hosts (default ${DEFAULTS.hosts})`)
    .addOption(new Option('--protocol <name>', `${PROTOCOLS.join(' | ')} (default ${DEFAULTS.protocol})`))
    .option('--fanout <k>', 'peer choices per periodic step, push/pull/push-pull only (default 1)')
    .addOption(new Option('--view <view>', `${VIEWS.join(' | ')}: peers among known hosts or all hosts, periodic protocols and rumor (default known; rumor: full)`))
    .option('--latency <ticks>', 'constant D or range LO..HI in ticks (default 1)')
    .option('--loss <p>', 'probability that a message is lost, 0 <= p < 1 (default 0)')
    .option('--seed <n>', 'seed of the counter-based hash, 0..4294967295 (default 1)')
    .option('--seeds <list>', 'run once per seed, e.g. 1..400, 1,5,9 or 1..10,20, and print each metric\'s mean, sd and 95% CI over the runs')
    .option('--max-ticks <n>', `last tick to run (default ${DEFAULTS.maxTicks})`)
    .option('--threads <n>', `worker threads of the parallel engine (default: by the size of the run, 1 for small runs and every core, ${defaultThreads()} here, for large ones; --json diagnostics.threadChoice says why)`)
    .addOption(new Option('--engine <name>', `${ENGINES.join(' | ')} (default ${DEFAULTS.engine})`))
    .option('--max-memory <size>', 'memory budget, e.g. 8G or 512M (default: the memory available now)')
    .addOption(new Option('--rumor-mode <mode>', `rumor only: ${RUMOR_MODES.join(' | ')}, the direction of a contact (default ${RUMOR_DEFAULTS.rumorMode})`))
    .addOption(new Option('--rumor-feedback <kind>', `rumor only: ${RUMOR_FEEDBACKS.join(' | ')}: lose interest only when the partner already knew, or regardless (default ${RUMOR_DEFAULTS.rumorFeedback})`))
    .addOption(new Option('--rumor-stop <rule>', `rumor only: ${RUMOR_STOPS.join(' | ')}: lose interest after k contacts that count, or with probability 1/k at each (default ${RUMOR_DEFAULTS.rumorStop})`))
    .option('--rumor-k <k>', `rumor only: the k of --rumor-stop, 1 to ${MAX_RUMOR_K} (default ${RUMOR_DEFAULTS.rumorK})`)
    .option('--rumor-sources <n|ids>', 'rumor only: initial sites, a count n (hosts 0..n-1) or a list of ids such as 0,17,42 (default 1: host 0)')
    .addOption(new Option('--contact <model>', `rumor only: ${CONTACTS.join(' | ')}: contacts complete within a tick (the paper's model) or travel as messages under --latency and --loss (default ${RUMOR_DEFAULTS.contact})`))
    .option('--timeout <seconds>', 'stop at the next tick boundary after this many seconds (partial result, exit 130)')
    .option('--require-convergence', 'exit 3 when the run ends without converging (max ticks reached or stalled)')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--trace <file>', 'write the per-tick series and per-host completion ticks and load to FILE.json, or FILE.csv (plus FILE.hosts.csv)')
    .option('--report <file.html>', 'write a self-contained HTML report with charts (opens offline)')
    .option('--scenario <file>', 'options and fault events (partitions, regions, crashes, churn) from a JSON or YAML file (schemas/scenario.schema.json, docs/scenarios.md); options given here override the file\'s')
    .action(async (flags: RunFlags) => {
      const input = flags.scenario === undefined ? inputOf(flags) : scenarioInput(loadScenario(flags.scenario), inputOf(flags));
      if (flags.seeds !== undefined) {
        const timeoutSeconds = flags.timeout === undefined ? undefined : parseTimeout(flags.timeout);
        // Loaded only for --seeds: a plain run does not need it.
        const { runSeedsCommand } = await import('./seeds/command.js');
        return runSeedsCommand(flags.seeds, flags, { io, setExit, input, timeoutSeconds, jsonOf });
      }
      warnIfOversubscribed(resolveOptions(input), io);
      checkRunOutputs(flags);
      const timeoutSeconds = flags.timeout === undefined ? undefined : parseTimeout(flags.timeout);
      const stop = new AbortController();
      // SIGTERM is what `timeout`, CI cancellation and container stops send: treated as Ctrl-C.
      const onSignal = (signal: NodeJS.Signals): void => stop.abort(new Error(`interrupted (${signal})`));
      for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
      const timer = timeoutSeconds === undefined ? undefined
        : setTimeout(() => stop.abort(new Error(`--timeout ${timeoutSeconds} s reached`)), timeoutSeconds * 1000);
      const progress = flags.json === true || !io.stderrIsTTY ? undefined : progressLine(io);
      let result: Result;
      try {
        result = await runSimulation(input, { signal: stop.signal, onProgress: progress?.update }, { delayMs: testDelayMs() });
      } finally {
        for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
        if (timer !== undefined) clearTimeout(timer);
        progress?.clear();
      }
      // The results go to stdout before any file is written: a late write failure (disk full)
      // then costs that file, not the run.
      if (flags.json === true) io.stdout(`${jsonTextOf(result)}\n`);
      else io.stdout(`${formatSummary(result)}\n${io.stdoutIsTTY ? `\n${completionChartOf(result)}\n` : ''}`);
      try {
        await writeRunOutputs(result, flags);
      } catch (error) {
        if (error instanceof OutputWriteError) throw new OutputWriteError(`${error.message}; the results on stdout are complete`, { cause: error });
        throw error;
      }
      if (result.partial) {
        const why = stop.signal.reason instanceof Error ? stop.signal.reason.message : 'interrupted';
        io.stderr(`gossip-sim: ${why}: stopped after tick ${result.lastTick}; the metrics above are partial\n`);
        setExit(EXIT_INTERRUPTED);
      } else if (flags.requireConvergence === true && !result.converged) {
        io.stderr(`gossip-sim: not converged (${result.endReason} after tick ${result.lastTick}) and --require-convergence was given\n`);
        setExit(EXIT_NOT_CONVERGED);
      } else {
        setExit(EXIT_OK);
      }
    });
  registerReportCommand(program, io);
  registerBenchCommands(program, io, {
    report: (results, file) => writeBenchReport(results, file),
    checkReport: (file) => checkHtmlPath(file, '--report'),
  });
  registerSweepCommands(program, io);
  return program;
}

/** Runs the CLI on `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    if (argv.length === 0) {
      io.stderr(program.helpInformation());
      return EXIT_USAGE;
    }
    if (argv[0] === 'help' && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1])) {
      const names = program.commands.map((c) => c.name()).join(', ');
      io.stderr(`gossip-sim: help: unknown command ${JSON.stringify(argv[1])} (commands: ${names})\n`);
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version requests are successes; everything else commander rejects is usage.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof ExitCode) {
      if (error.message !== '') io.stderr(`gossip-sim: ${error.message}\n`);
      return error.code;
    }
    if (error instanceof OptionError) {
      io.stderr(`gossip-sim: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof MemoryLimitError) {
      io.stderr(`gossip-sim: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof OutputWriteError) {
      io.stderr(`gossip-sim: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`gossip-sim: run failed: ${message}\n`);
    if (process.env['GOSSIP_SIM_DEBUG'] !== undefined && error instanceof Error) io.stderr(`${error.stack}\n`);
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

// Run when executed as the bin (not when imported by tests).
// npx and npm's bin links start it through a symlink: compare real paths.
const invoked = process.argv[1];
if (invoked !== undefined && isThisFile(invoked)) {
  // A reader that went away (`gossip-sim run --json | head -c 1`) is not an error worth a trace.
  // Any other write failure (`> /dev/full`, a closed terminal) ends the run with one line and
  // exit 1, never a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    try {
      process.stderr.write(`gossip-sim: could not write to standard output (${error.code ?? error.message})\n`);
    } finally {
      process.exit(EXIT_FAILURE);
    }
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : EXIT_FAILURE));
  process.exitCode = await main(process.argv.slice(2));
}
