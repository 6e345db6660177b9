/**
 * Scenario files (`gossip-sim run --scenario FILE`, docs/scenarios.md): a run's options and its
 * timeline of fault events, as JSON or YAML. The file is checked against
 * `schemas/scenario.schema.json` (the single statement of what it may hold), then its events
 * against the run they belong to (host ids below N, groups that do not overlap, heal after
 * start). Every error names the file, the path inside it, the value and what is allowed; the CLI
 * exits 2 on it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { OptionError } from './errors.js';
import type { ChurnInput, CrashInput, PartitionInput, RegionsInput } from './faults.js';
import { optionKeyOfFlag, resolveOptions, type SimulationInput } from './options.js';
import { violationOf } from './sweep/schema.js';

/** A scenario as read from its file. */
export interface Scenario {
  readonly file: string;
  /** The file's options (before the command line's). */
  readonly options: SimulationInput;
  /** Its partition events, in file order, and the index of each in `events`. */
  readonly partitions: readonly PartitionInput[];
  readonly eventIndex: readonly number[];
  /** Its crash events, in file order, and the index of each in `events`. */
  readonly crashes: readonly CrashInput[];
  readonly crashIndex: readonly number[];
  /** Its churn event, if any, and its index in `events`. */
  readonly churn?: ChurnInput;
  readonly churnIndex?: number | undefined;
  /** Its regions, if any. */
  readonly regions?: RegionsInput;
}

/** Reads and checks a scenario file. Throws OptionError (exit 2) naming the file and what is wrong. */
export function loadScenario(file: string): Scenario {
  const ext = extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) {
    throw new OptionError('--scenario', JSON.stringify(file), 'a scenario file ending in .json, .yaml or .yml');
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new OptionError('--scenario', JSON.stringify(file), `a readable scenario file (${code})`);
  }
  let document: unknown;
  try {
    document = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new OptionError('--scenario', JSON.stringify(file), `valid ${ext === '.json' ? 'JSON' : 'YAML'} (${why})`);
  }
  const violation = violationOf('scenario', document);
  if (violation !== null) throw new OptionError(`${file}: ${violation.path}`, violation.value, violation.allowed);
  const doc = document as { options?: SimulationInput; events?: Record<string, unknown>[]; regions?: RegionsInput };
  const partitions: PartitionInput[] = [];
  const eventIndex: number[] = [];
  const crashes: CrashInput[] = [];
  const crashIndex: number[] = [];
  let churn: ChurnInput | undefined;
  let churnIndex: number | undefined;
  (doc.events ?? []).forEach((event, i) => {
    if (event['partition'] !== undefined) {
      partitions.push(event['partition'] as PartitionInput);
      eventIndex.push(i);
    }
    if (event['crash'] !== undefined) {
      crashes.push(event['crash'] as CrashInput);
      crashIndex.push(i);
    }
    if (event['churn'] !== undefined) {
      if (churn !== undefined) throw new OptionError(`${file}: events[${i}].churn`, JSON.stringify(event['churn']), `one churn event per run (events[${churnIndex}] is one)`);
      churn = event['churn'] as ChurnInput;
      churnIndex = i;
    }
  });
  return { file, options: doc.options ?? {}, partitions, eventIndex, crashes, crashIndex, ...(churn === undefined ? {} : { churn, churnIndex }), ...(doc.regions === undefined ? {} : { regions: doc.regions }) };
}

// Loaded on first use, as Ajv is (sweep/schema.ts): most runs read no YAML.
const require = createRequire(import.meta.url);

/** YAML 1.2 through the `yaml` package. */
function parseYaml(text: string): unknown {
  return (require('yaml') as typeof import('yaml')).parse(text);
}

/**
 * The simulate() input of a scenario with the command line's options on top (`cli`: only the
 * options given there), checked by the run's own rules (resolveOptions) against the merged
 * options. An error about something the file holds is named by its place in the file: a
 * partition or crash by its event (`FILE: events[3].partition.groups[1].hosts`), the regions as
 * `FILE: regions...`, an option the command line did not give as `FILE: options.hosts`.
 */
export function scenarioInput(scenario: Scenario, cli: SimulationInput): SimulationInput {
  const input: SimulationInput = {
    ...scenario.options,
    ...cli,
    ...(scenario.partitions.length > 0 ? { partitions: scenario.partitions } : {}),
    ...(scenario.crashes.length > 0 ? { crashes: scenario.crashes } : {}),
    ...(scenario.churn === undefined ? {} : { churn: scenario.churn }),
    ...(scenario.regions === undefined ? {} : { regions: scenario.regions }),
  };
  try {
    resolveOptions(input);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    const place = placeInFile(scenario, cli, error.option);
    throw place === undefined ? error : new OptionError(`${scenario.file}: ${place}`, error.value, error.allowed);
  }
  return input;
}

/** Where in the scenario file the value that resolveOptions named by `option` came from, if it did. */
function placeInFile(scenario: Scenario, cli: SimulationInput, option: string): string | undefined {
  const partition = /^partitions\[(\d+)\](.*)$/s.exec(option);
  if (partition !== null) return `events[${scenario.eventIndex[Number(partition[1])]}].partition${partition[2]}`;
  const crash = /^crashes\[(\d+)\](.*)$/s.exec(option);
  if (crash !== null) return `events[${scenario.crashIndex[Number(crash[1])]}].crash${crash[2]}`;
  if (option === 'crashes') return 'events';
  if (option === 'churn' || option.startsWith('churn.')) return `events[${scenario.churnIndex}].${option}`;
  if (option === 'regions' || option.startsWith('regions.') || option.startsWith('regions[')) return option;
  const key = optionKeyOfFlag(option);
  const fromFile = key !== undefined && (cli as Record<string, unknown>)[key] === undefined && (scenario.options as Record<string, unknown>)[key] !== undefined;
  return fromFile ? `options.${key}` : undefined;
}
