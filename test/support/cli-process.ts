/**
 * The built CLI (dist/src/cli.js) in a child process, as users run it. `runCli` runs it to the
 * end (exit code or signal, stdout, stderr, wall time; optionally a signal sent mid-run or stdout
 * sent to a file); `startCli` starts it and lets a test wait on its stderr line by line and send it
 * signals while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { builtCli, packageRoot } from '../../src/bench/paths.js';

export const ROOT = packageRoot();
export const CLI = builtCli(ROOT);

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** True once process `pid` has a SIGINT handler installed (Linux: bit 1 of SigCgt). */
function catchesSigint(pid: number): boolean {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m !== null && (BigInt(`0x${m[1]}`) & 2n) !== 0n;
  } catch {
    return false;
  }
}

/** How to run the CLI: see `runCli`. */
export interface CliRunOptions {
  /** Send `signal` (default SIGINT) once this time has passed and the child handles SIGINT. */
  readonly sigintAfterMs?: number;
  readonly signal?: NodeJS.Signals;
  readonly nodeArgs?: readonly string[];
  /** Close the read end of stdout at once, like `gossip-sim run | true`. */
  readonly closeStdout?: boolean;
  /** Send stdout to this file instead of a pipe, e.g. /dev/full. */
  readonly stdoutFile?: string;
}

/**
 * Runs the built CLI in a child process. With `sigintAfterMs`, sends the signal once that time
 * has passed and the child listens for SIGINT (so the signal reaches the run, not node's start-up;
 * the CLI installs its SIGINT and SIGTERM handlers together).
 */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['GOSSIP_SIM_DEBUG'];
  const started = performance.now();
  const out = options.stdoutFile === undefined ? 'pipe' : openSync(options.stdoutFile, 'w');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', out, 'pipe'] });
  if (typeof out === 'number') closeSync(out);
  let stdout = '';
  let stderr = '';
  if (options.closeStdout === true) child.stdout?.destroy();
  else child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const killer = setTimeout(() => child.kill('SIGKILL'), 55_000);
  let poller: NodeJS.Timeout | undefined;
  if (options.sigintAfterMs !== undefined) {
    const after = options.sigintAfterMs;
    poller = setInterval(() => {
      if (performance.now() - started < after || child.pid === undefined || !catchesSigint(child.pid)) return;
      clearInterval(poller);
      child.kill(options.signal ?? 'SIGINT');
    }, 20);
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (poller !== undefined) clearInterval(poller);
      resolve({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** stdout of `run --json`: exactly one line holding one JSON object. */
export function jsonDocument(stdout: string): Record<string, unknown> {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trimEnd().split('\n')).toHaveLength(1);
  const doc = JSON.parse(stdout) as unknown;
  expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc)).toBe(true);
  return doc as Record<string, unknown>;
}

/** stderr holding exactly one line of the CLI's. */
export function oneLine(text: string): string {
  // The oversubscription warning (more --threads than cores) is a line of its own, not the error.
  const stderr = text.replace(/^gossip-sim: warning: .*\n/gm, '');
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^gossip-sim: /);
  return stderr.trimEnd();
}

/** A running `gossip-sim` process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  stdout(): string;
  /** Resolves with the first match of `pattern` in stderr (at most `ms` milliseconds). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code, or the signal that killed it, once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `gossip-sim ...args` with `env` added to this process's environment. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [builtCli(), ...args], { cwd: packageRoot(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  const waiters: (() => void)[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters.splice(0)) w();
    }),
  );
  const waitFor = (pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} on stderr within ${ms} ms; stderr so far:\n${err}`)), ms);
      const check = (): void => {
        const match = err.match(pattern);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern} appeared on stderr:\n${err}`));
        } else waiters.push(check);
      };
      check();
    });
  return { child, stderr: () => err, stdout: () => out, waitFor, exited };
}

/** Pids of the live processes whose /proc/PID/`file` (stat, cmdline) satisfies `test` (Linux; empty elsewhere). */
export function pidsWhere(file: 'stat' | 'cmdline', test: (text: string) => boolean): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (test(readFileSync(`/proc/${entry}/${file}`, 'utf8'))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Pids of the live children of `pid`. */
export function childPids(pid: number): number[] {
  // Field 4 of /proc/PID/stat is the parent pid; field 2 (the name) may hold spaces, so split after it.
  return pidsWhere('stat', (stat) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid);
}
