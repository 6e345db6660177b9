/**
 * The built CLI (dist/src/cli.js) in a child process, as users run it: exit code or signal,
 * stdout, stderr and wall time, optionally a signal sent mid-run or stdout sent to a file.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

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

