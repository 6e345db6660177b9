/**
 * A sweep plan: a JSON file of grid entries (lists of `run` option values) and seeds, validated
 * against `schemas/sweep-plan.schema.json`, then every value against `resolveOptions`, and
 * expanded into runs in a fixed order: entries in file order; within an entry protocol, hosts,
 * fanout, view, latency, loss, maxTicks, engine, threads, then seed (innermost, so the seeds of one
 * configuration are neighbours and a slice `r % N` spreads them over the slices).
 *
 * fanout and view apply to push, pull and push-pull only: an announce run ignores those lists
 * (it is listed once, not once per fanout). threads defaults to 1, not to the machine's cores as
 * in `run`, so the same plan resolves to the same keys on every machine that runs a slice of it.
 */
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors.js';
import { resolveOptions, type Protocol, type SimulationInput, type SimulationOptions } from '../options.js';
import { runArgs } from '../bench/sweep.js';
import { planHash, runKey, runOptionsOf, type RunOptions } from './key.js';
import { violationOf } from './schema.js';

/** The option lists an entry may hold, in the order they are expanded. */
export const PLAN_OPTIONS = ['protocol', 'hosts', 'fanout', 'view', 'latency', 'loss', 'maxTicks', 'engine', 'threads'] as const;
type PlanOption = (typeof PLAN_OPTIONS)[number];

/** Threads per run when an entry gives none (see the module comment). */
export const PLAN_DEFAULT_THREADS = 1;

/** One run of a plan. */
export interface PlanRun {
  /** Position in plan order, from 0: the run goes to slice `index % count`. */
  readonly index: number;
  readonly key: string;
  readonly options: RunOptions;
  readonly seed: number;
  /** The arguments after `gossip-sim` of the child process that runs it, `--json` included. */
  readonly args: readonly string[];
  /** The resolved options, seed included. */
  readonly simulation: SimulationOptions;
}

/** A validated, expanded plan. */
export interface Plan {
  readonly file: string;
  /** planHash of the run keys in order: the same for every slice, machine and spelling of the file. */
  readonly hash: string;
  readonly description: string | null;
  readonly runs: readonly PlanRun[];
  /** Runs that an earlier entry already listed, left out. */
  readonly repeats: number;
}

/**
 * What is wrong with a plan file, as an `OptionError` (exit 2) whose "option" is the file and the
 * JSON path in it: `plan.json: entries[0].hosts[1]: got 0, expected an integer from 1 to 1048576`.
 */
export function planError(file: string, path: string, value: string, allowed: string): OptionError {
  return new OptionError(`${file}: ${path}`, value, allowed);
}

interface RawEntry extends Partial<Record<PlanOption, unknown[]>> {
  readonly seeds?: RawSeeds;
  readonly scenario?: string;
}
type RawSeeds = number[] | { first: number; count: number };
interface RawPlan {
  readonly description?: string;
  readonly seeds: RawSeeds;
  readonly entries: RawEntry[];
}

/** Reads, validates and expands the plan in `file`. Throws `OptionError` (exit 2). */
export function readPlan(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new OptionError('plan', JSON.stringify(file), `a readable sweep plan file (${why})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw planError(file, '(top level)', 'text that is not JSON', `a JSON sweep plan (${(error as Error).message})`);
  }
  return parsePlan(raw, file);
}

/** Validates and expands a parsed plan document; `file` names it in errors. */
export function parsePlan(raw: unknown, file: string): Plan {
  const violation = violationOf('sweep-plan', raw);
  if (violation !== null) throw planError(file, violation.path, violation.value, violation.allowed);
  const plan = raw as RawPlan;
  const runs: PlanRun[] = [];
  const seen = new Set<string>();
  let repeats = 0;
  plan.entries.forEach((entry, e) => {
    for (const run of expandEntry(entry, `entries[${e}]`, file, seedsOf(entry.seeds ?? plan.seeds, entry.seeds === undefined ? 'seeds' : `entries[${e}].seeds`, file))) {
      if (seen.has(run.key)) {
        repeats++;
        continue;
      }
      seen.add(run.key);
      runs.push({ ...run, index: runs.length });
    }
  });
  return { file, hash: planHash(runs.map((r) => r.key)), description: plan.description ?? null, runs, repeats };
}

function seedsOf(seeds: RawSeeds, path: string, file: string): number[] {
  if (Array.isArray(seeds)) return seeds;
  if (seeds.first + seeds.count - 1 > 0xffffffff) {
    throw planError(file, `${path}.count`, String(seeds.count), `at most ${0xffffffff - seeds.first + 1} seeds from ${seeds.first} (the last seed is 4294967295)`);
  }
  return Array.from({ length: seeds.count }, (_, i) => seeds.first + i);
}

/** The runs of one entry in plan order (without their index). */
function expandEntry(entry: RawEntry, path: string, file: string, seeds: readonly number[]): Omit<PlanRun, 'index'>[] {
  if (entry.scenario !== undefined) {
    throw planError(file, `${path}.scenario`, JSON.stringify(entry.scenario), 'no scenario: scenario files are not supported yet in sweep plans (run them with `gossip-sim run --scenario FILE --seeds LIST`, or `bench --scenario`)');
  }
  for (const option of PLAN_OPTIONS) entry[option]?.forEach((value, i) => checkValue(option, value, `${path}.${option}[${i}]`, file));
  const protocols = (entry.protocol ?? [undefined]) as (Protocol | undefined)[];
  if (protocols.every((p) => (p ?? 'announce') === 'announce')) {
    for (const option of ['fanout', 'view'] as const) {
      const values = entry[option];
      if (values !== undefined) {
        throw planError(file, `${path}.${option}`, JSON.stringify(values), `a periodic protocol (push, pull or push-pull) in ${path}.protocol; announce takes no ${option}`);
      }
    }
  }
  const axes = PLAN_OPTIONS.map((option) => [option, entry[option] ?? [undefined]] as const);
  let inputs: SimulationInput[] = [{}];
  for (const [option, values] of axes) {
    const next: SimulationInput[] = [];
    for (const input of inputs) {
      const periodic = (input.protocol ?? 'announce') !== 'announce';
      // announce ignores the fanout and view axes: one run, not one per value.
      const own = (option === 'fanout' || option === 'view') && !periodic ? [undefined] : values;
      for (const value of own) next.push(value === undefined ? input : { ...input, [option]: value });
    }
    inputs = next;
  }
  const runs: Omit<PlanRun, 'index'>[] = [];
  for (const input of inputs) {
    for (const seed of seeds) {
      const simulation = resolveOptions({ threads: PLAN_DEFAULT_THREADS, ...input, seed });
      const options = runOptionsOf(simulation);
      runs.push({ key: runKey(options, seed), options, seed, args: runArgs(simulation), simulation });
    }
  }
  return runs;
}

/** Checks one listed value with the validator every run goes through, so the rules are `run`'s. */
function checkValue(option: PlanOption, value: unknown, path: string, file: string): void {
  const input: Record<string, unknown> = { [option]: value };
  if (option === 'fanout' || option === 'view') input['protocol'] = 'push';
  try {
    resolveOptions(input);
  } catch (error) {
    if (error instanceof OptionError) throw planError(file, path, error.value, error.allowed);
    throw error;
  }
}
