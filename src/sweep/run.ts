/**
 * One run of a sweep, as the local pool and the queue worker both execute it: a child process
 * `node dist/src/cli.js run ... --json` (fresh heap; a crash or an out-of-memory kill takes the
 * child, not the sweep), read into a result line.
 */
import { hostname } from 'node:os';
import type { Environment } from '../bench/environment.js';
import { builtCli, packageRoot } from '../bench/paths.js';
import { runArgs, runChild } from '../bench/sweep.js';
import { resolveOptions } from '../options.js';
import { runKey, type RunOptions } from './key.js';
import type { ResultLine } from './results.js';

/** What identifies a run and is enough to run it: the data of a queue job. */
export interface RunSpec {
  readonly key: string;
  readonly plan: string;
  readonly index: number;
  readonly options: RunOptions;
  readonly seed: number;
}

/** Where runs start and what their lines record about the machine. */
export interface RunContext {
  /** The built CLI (dist/src/cli.js). */
  readonly cli: string;
  readonly root: string;
  /** Environment of the child processes. */
  readonly env: NodeJS.ProcessEnv;
  readonly environment: Environment;
  /** `HOST:PID` of this process. */
  readonly runner: string;
}

/** The context of this process, with `environment` collected once by the caller. */
export function runContext(environment: Environment, env: NodeJS.ProcessEnv = process.env): RunContext {
  const root = packageRoot();
  return { cli: builtCli(root), root, env, environment, runner: `${hostname()}:${process.pid}` };
}

/** A short name of a run for messages: `3f2a… (push, 1000 hosts, fanout 2, seed 3)`. */
export function describeRun(spec: Pick<RunSpec, 'key' | 'options' | 'seed'>): string {
  const o = spec.options;
  const parts = [o.protocol, `${o.hosts} hosts`];
  if (o.protocol !== 'announce') parts.push(`fanout ${o.fanout}`, `view ${o.view}`);
  if (o.latency !== '1') parts.push(`latency ${o.latency}`);
  if (o.loss !== 0) parts.push(`loss ${o.loss}`);
  parts.push(o.engine === 'reference' ? 'reference engine' : `${o.threads} thread${o.threads === 1 ? '' : 's'}`, `seed ${spec.seed}`);
  return `${spec.key} (${parts.join(', ')})`;
}

/**
 * The arguments of a spec's child run, after checking that its key is the key of its options and
 * seed (a job from another version of gossip-sim, or an edited one, is refused, not run).
 */
export function argsOf(spec: RunSpec): string[] {
  // Recorded options hold announce's (unused) fanout and view; run refuses them for announce.
  const { fanout, view, ...rest } = spec.options;
  const simulation = resolveOptions(rest.protocol === 'announce' ? { ...rest, seed: spec.seed } : { ...spec.options, seed: spec.seed });
  const key = runKey(spec.options, spec.seed);
  if (key !== spec.key) throw new TypeError(`run ${spec.key}: its options and seed have the key ${key}; it was written by another version of gossip-sim`);
  return runArgs(simulation);
}

/** Runs `spec` as a child process and returns its result line. `signal` kills the child. */
export async function executeRun(spec: RunSpec, context: RunContext, signal?: AbortSignal): Promise<ResultLine> {
  const { doc, processSeconds } = await runChild(context.cli, argsOf(spec), describeRun(spec), {
    cwd: context.root,
    env: context.env,
    ...(signal === undefined ? {} : { signal }),
  });
  return {
    key: spec.key,
    plan: spec.plan,
    index: spec.index,
    options: spec.options,
    seed: spec.seed,
    metrics: doc.metrics,
    wallSeconds: doc.wallSeconds,
    processSeconds,
    peakRssBytes: doc.peakRssBytes,
    runner: context.runner,
    finishedAt: new Date().toISOString(),
    environment: context.environment,
  };
}

/** Threads a run occupies: the reference engine runs on one whatever its `threads`. */
export function threadsOf(options: Pick<RunOptions, 'engine' | 'threads'>): number {
  return options.engine === 'reference' ? 1 : options.threads;
}

/** Runs at once on `cores` cores when each takes `threadsPerRun`: max(1, floor(cores / threadsPerRun)). */
export function concurrencyFor(threadsPerRun: number, cores: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, threadsPerRun)));
}
