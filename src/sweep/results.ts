/**
 * The JSON-lines results file of a sweep: one line per finished run (schemas/sweep-result.schema.json),
 * appended and fsync'd as each run finishes, so a crash or Ctrl-C leaves every finished run on disk.
 * Each line is written with one write(2) on a file opened O_APPEND; the only damage a crash can
 * do is a last line cut short, which a rerun drops (and runs again) instead of failing.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { Environment } from '../bench/environment.js';
import { EXIT_USAGE, ExitCode } from '../bench/exit.js';
import type { BenchMetrics } from '../bench/schema.js';
import { runKey, type RunOptions } from './key.js';
import { violationOf } from './schema.js';

/** One finished run. */
export interface ResultLine {
  readonly key: string;
  /** The hash of the plan the run belongs to. */
  readonly plan: string;
  /** The run's position in plan order. */
  readonly index: number;
  readonly options: RunOptions;
  readonly seed: number;
  /** SPEC.md's metrics, endReason and lastTick, as `run --json` printed them. */
  readonly metrics: BenchMetrics;
  /** The simulation's wall time (`run --json`'s wallSeconds). */
  readonly wallSeconds: number;
  /** The child process's wall time, spawn to exit. */
  readonly processSeconds: number;
  readonly peakRssBytes: number | null;
  /** `HOST:PID` of the sweep or worker process that ran the child. */
  readonly runner: string;
  readonly finishedAt: string;
  readonly environment: Environment;
}

/** A results file that cannot be read: `ExitCode` 2 with one line naming the file and the line. */
export function resultFileError(message: string, options?: ErrorOptions): ExitCode {
  return new ExitCode(EXIT_USAGE, message, options);
}

/** What a results file holds. */
export interface ResultFile {
  readonly path: string;
  readonly lines: ResultLine[];
  /** 1-based line numbers, parallel to `lines`. */
  readonly lineNumbers: number[];
  /** A last line cut short (no newline, not a valid line): its number and byte offset; null if none. */
  readonly truncated: { readonly line: number; readonly offset: number } | null;
  /** The last line is valid but lacks its newline. */
  readonly missingNewline: boolean;
}

/**
 * Reads a results file (an absent file reads as empty). Every line must be a valid result line
 * whose key matches its options and seed, except a cut-short last line, which is reported in
 * `truncated`. Throws `ExitCode` 2 (see `resultFileError`).
 */
export function readResultFile(path: string): ResultFile {
  if (!existsSync(path)) return { path, lines: [], lineNumbers: [], truncated: null, missingNewline: false };
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    throw resultFileError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const lines: ResultLine[] = [];
  const lineNumbers: number[] = [];
  let truncated: ResultFile['truncated'] = null;
  let missingNewline = false;
  let start = 0;
  for (let number = 1; start < buffer.length; number++) {
    const end = buffer.indexOf(0x0a, start);
    const last = end === -1;
    const text = buffer.toString('utf8', start, last ? buffer.length : end);
    const offset = start;
    start = last ? buffer.length : end + 1;
    if (text.trim() === '') continue;
    const problem = lineProblem(text);
    if (problem === null) {
      lines.push(JSON.parse(text) as ResultLine);
      lineNumbers.push(number);
      missingNewline = last;
    } else if (last) {
      truncated = { line: number, offset };
    } else {
      throw resultFileError(`${path}: line ${number}: ${problem}; fix or delete that line (a rerun of the sweep runs that run again)`);
    }
  }
  return { path, lines, lineNumbers, truncated, missingNewline };
}

/** What is wrong with one line of text as a result line; null if nothing. */
export function lineProblem(text: string): string | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const violation = violationOf('sweep-result', raw);
  if (violation !== null) return `${violation.path}: got ${violation.value}, expected ${violation.allowed}`;
  const line = raw as ResultLine;
  const key = runKey(line.options, line.seed);
  if (key !== line.key) return `key ${line.key} does not match its options and seed (their key is ${key}): the line was edited, or written by another version`;
  return null;
}

/**
 * Makes `file` safe to append to: drops a cut-short last line and adds a missing final newline.
 * Returns the line number dropped, or null.
 */
export function repairForAppend(file: ResultFile): number | null {
  if (file.truncated !== null) {
    truncateSync(file.path, file.truncated.offset);
    return file.truncated.line;
  }
  if (file.missingNewline) {
    const fd = openSync(file.path, 'a');
    try {
      writeSync(fd, '\n');
    } finally {
      closeSync(fd);
    }
  }
  return null;
}

/** Appends result lines to a file, each written whole and flushed to disk before `append` returns. */
export class ResultWriter {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Writes `line` and its newline in one write, then fsyncs. */
  append(line: ResultLine): void {
    if (this.fd === null) throw new Error(`${this.path}: the results file is closed`);
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
