/**
 * The built CLI as a real child process (`node dist/src/cli.js ...`), for tests that send it
 * signals: its stderr is collected and can be waited on line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtCli, packageRoot } from '../../src/bench/paths.js';

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

/** Pids of the live children of `pid` (from /proc; Linux only, empty elsewhere). */
export function childPids(pid: number): number[] {
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
      // Field 4 of /proc/PID/stat is the parent pid; field 2 (the name) may hold spaces, so split after it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
