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
import { checkPartitions, checkRegions, type PartitionInput, type RegionsInput } from './faults.js';
import { DEFAULTS, optionKeyOfFlag, parseLatency, resolveOptions, type SimulationInput } from './options.js';
import { violationOf } from './sweep/schema.js';

/** A scenario as read from its file. */
export interface Scenario {
  readonly file: string;
  /** The file's options (before the command line's). */
  readonly options: SimulationInput;
  /** Its partition events, in file order, and the index of each in `events`. */
  readonly partitions: readonly PartitionInput[];
  readonly eventIndex: readonly number[];
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
  (doc.events ?? []).forEach((event, i) => {
    if (event['partition'] !== undefined) {
      partitions.push(event['partition'] as PartitionInput);
      eventIndex.push(i);
    }
  });
  return { file, options: doc.options ?? {}, partitions, eventIndex, ...(doc.regions === undefined ? {} : { regions: doc.regions }) };
}

// Loaded on first use, as Ajv is (sweep/schema.ts): most runs read no YAML.
const require = createRequire(import.meta.url);

/** YAML 1.2 through the `yaml` package. */
function parseYaml(text: string): unknown {
  return (require('yaml') as typeof import('yaml')).parse(text);
}

/**
 * The simulate() input of a scenario with the command line's options on top (`cli`: only the
 * options given there). The events are checked against the merged host count here, so that an
 * error names its place in the file.
 */
export function scenarioInput(scenario: Scenario, cli: SimulationInput): SimulationInput {
  const merged: SimulationInput = { ...scenario.options, ...cli };
  const hosts = typeof merged.hosts === 'number' ? merged.hosts : DEFAULTS.hosts;
  if (scenario.partitions.length > 0) {
    checkPartitions(scenario.partitions, hosts, (i, rest) => `${scenario.file}: events[${scenario.eventIndex[i]}].partition${rest}`);
  }
  if (scenario.regions !== undefined) {
    if (merged.protocol === 'rumor' && merged.contact !== 'messages') {
      throw new OptionError(`${scenario.file}: regions`, 'regions', 'no regions with rumor\'s synchronous contacts (no latency or loss there); set contact to messages');
    }
    const run = { latency: parseLatency(merged.latency ?? DEFAULTS.latency), loss: typeof merged.loss === 'number' ? merged.loss : DEFAULTS.loss };
    checkRegions(scenario.regions, hosts, run, { latency: parseLatency, loss: (v) => resolveOptions({ loss: v }).loss }, (rest) => `${scenario.file}: regions${rest}`);
  }
  const input: SimulationInput = {
    ...merged,
    ...(scenario.partitions.length > 0 ? { partitions: scenario.partitions } : {}),
    ...(scenario.regions === undefined ? {} : { regions: scenario.regions }),
  };
  // A value from the file that the run's rules refuse is named by its place in the file.
  try {
    resolveOptions(input);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    const key = optionKeyOfFlag(error.option);
    if (key !== undefined && (cli as Record<string, unknown>)[key] === undefined && (scenario.options as Record<string, unknown>)[key] !== undefined) {
      throw new OptionError(`${scenario.file}: options.${key}`, error.value, error.allowed);
    }
    throw error;
  }
  return input;
}
