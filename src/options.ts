/**
 * Simulation options: their types, defaults and the one place where they are validated.
 * Both the CLI and `simulate()` go through `resolveOptions`; engines trust what it returns.
 */
import { availableParallelism } from 'node:os';
import { OptionError } from './errors.js';
import { checkChurn, checkCrashes, checkPartitions, checkRegions, type Churn, type ChurnInput, type Crash, type CrashInput, type Partition, type PartitionInput, type Regions, type RegionsInput } from './faults.js';
import { chooseThreads } from './engines/parallel/threads.js';

export type Protocol = 'announce' | 'push' | 'pull' | 'push-pull' | 'rumor';
export type View = 'known' | 'full';
export type EngineName = 'reference' | 'parallel';

export const PROTOCOLS: readonly Protocol[] = ['announce', 'push', 'pull', 'push-pull', 'rumor'];
/** The membership protocols of SPEC.md, which keep known-host sets (rumor keeps cells instead). */
export const SET_PROTOCOLS: readonly Protocol[] = ['announce', 'push', 'pull', 'push-pull'];

/** Rumor mongering's variants (Demers et al. 1987, section 1.4; docs/semantics.md "rumor"). */
export type RumorMode = 'push' | 'pull' | 'push-pull';
export type RumorFeedback = 'feedback' | 'blind';
export type RumorStop = 'counter' | 'coin';
export type Contact = 'synchronous' | 'messages';
export const RUMOR_MODES: readonly RumorMode[] = ['push', 'pull', 'push-pull'];
export const RUMOR_FEEDBACKS: readonly RumorFeedback[] = ['feedback', 'blind'];
export const RUMOR_STOPS: readonly RumorStop[] = ['counter', 'coin'];
export const CONTACTS: readonly Contact[] = ['synchronous', 'messages'];
export const MAX_RUMOR_K = 1_000_000;
export const VIEWS: readonly View[] = ['known', 'full'];
export const ENGINES: readonly EngineName[] = ['reference', 'parallel'];

/** Message latency in ticks: every message takes `min..max` ticks (`min === max` for a constant). */
export interface Latency {
  readonly min: number;
  readonly max: number;
}

/** Fully resolved, validated options. */
export interface SimulationOptions {
  readonly hosts: number;
  readonly protocol: Protocol;
  readonly fanout: number;
  readonly view: View;
  readonly latency: Latency;
  readonly loss: number;
  readonly seed: number;
  readonly maxTicks: number;
  readonly threads: number;
  readonly engine: EngineName;
  /** Memory budget in bytes (`null`: what the machine has available). */
  readonly maxMemory: number | null;
  // Rumor mongering only (present exactly when protocol is `rumor`):
  readonly rumorMode?: RumorMode;
  readonly rumorFeedback?: RumorFeedback;
  readonly rumorStop?: RumorStop;
  /** Counter: lose interest after k contacts that count; coin: with probability 1/k per such contact. */
  readonly rumorK?: number;
  /** The initial sites: a count n (hosts 0 .. n-1) or a list of host ids. */
  readonly rumorSources?: number | readonly number[];
  readonly contact?: Contact;
  /** Partitions (docs/semantics.md "Faults: partitions"; present exactly when the run has some). */
  readonly partitions?: readonly Partition[];
  /** Regions with their links (docs/semantics.md "Regions"; present exactly when given). */
  readonly regions?: Regions;
  /** Crashes (docs/semantics.md "Faults: crashes"; present exactly when the run has some). */
  readonly crashes?: readonly Crash[];
  /** Churn (docs/semantics.md "Faults: churn"; present exactly when given). */
  readonly churn?: Churn;
}

/** A rumor run's resolved variant (every field present). */
export type RumorOptions = Required<Pick<SimulationOptions, 'rumorMode' | 'rumorFeedback' | 'rumorStop' | 'rumorK' | 'rumorSources' | 'contact'>>;

/** What `simulate()` accepts: any subset of the options; `latency` also as `3` or `"2..5"`. */
export interface SimulationInput {
  hosts?: number;
  protocol?: Protocol;
  fanout?: number;
  view?: View;
  latency?: number | string | Latency;
  loss?: number;
  seed?: number;
  maxTicks?: number;
  threads?: number;
  engine?: EngineName;
  /** Bytes, or text such as `"8G"`, `"512M"`. */
  maxMemory?: number | string | null;
  rumorMode?: RumorMode;
  rumorFeedback?: RumorFeedback;
  rumorStop?: RumorStop;
  rumorK?: number;
  /** A count, a list of ids, or text: `"3"` (hosts 0..2) or `"0,17,42"`. */
  rumorSources?: number | string | readonly number[];
  contact?: Contact;
  /** Partitions: `{ at, heal, groups: [{ hosts: "0..499" }, ...] }` (docs/semantics.md "Faults: partitions"). */
  partitions?: readonly PartitionInput[];
  /** Regions: `{ groups: [{ hosts: "0..99" }, ...], links: [{ between: [0, 1], latency: "5..9", loss: 0.01 }] }`. */
  regions?: RegionsInput;
  /** Crashes: `{ at, recover, hosts: "0..9" }` or `{ at, recover, fraction: 0.1 }` (docs/semantics.md "Faults: crashes"). */
  crashes?: readonly CrashInput[];
  /** Churn: `{ at, until, leave: 0.01, join: 0.1, reserve: 0 }` (docs/semantics.md "Faults: churn"). */
  churn?: ChurnInput;
}

export const MAX_HOSTS = 1 << 20;
/** Cell protocols (rumor) keep a few bytes per host: their limit is memory (and 2^28 keeps record indices in int32 range). */
export const MAX_HOSTS_CELLS = 1 << 28;
export const MAX_FANOUT = 1024;
export const MAX_LATENCY = 1_000_000_000;
export const MAX_TICKS = 1_000_000_000;
export const MAX_THREADS = 256;

/**
 * Defaults of SPEC.md and the CLI. `threads` defaults to a choice by the size of the run
 * (`chooseThreads`: one thread for small runs, every core for large ones).
 */
export const DEFAULTS = {
  hosts: 1000,
  protocol: 'announce',
  fanout: 1,
  view: 'known',
  latency: { min: 1, max: 1 },
  loss: 0,
  seed: 1,
  maxTicks: 100_000,
  engine: 'parallel',
  maxMemory: null,
} as const satisfies Omit<SimulationOptions, 'threads'>;

const KNOWN_KEYS = new Set<string>([
  'hosts', 'protocol', 'fanout', 'view', 'latency', 'loss', 'seed', 'maxTicks', 'threads', 'engine', 'maxMemory',
  'rumorMode', 'rumorFeedback', 'rumorStop', 'rumorK', 'rumorSources', 'contact', 'partitions', 'regions', 'crashes', 'churn',
]);
const RUMOR_KEYS = ['rumorMode', 'rumorFeedback', 'rumorStop', 'rumorK', 'rumorSources', 'contact'] as const;

/** CLI spelling of each option, used in error messages so users see what they typed. */
const FLAG: Record<keyof SimulationInput, string> = {
  hosts: '--hosts',
  protocol: '--protocol',
  fanout: '--fanout',
  view: '--view',
  latency: '--latency',
  loss: '--loss',
  seed: '--seed',
  maxTicks: '--max-ticks',
  threads: '--threads',
  engine: '--engine',
  maxMemory: '--max-memory',
  rumorMode: '--rumor-mode',
  rumorFeedback: '--rumor-feedback',
  rumorStop: '--rumor-stop',
  rumorK: '--rumor-k',
  rumorSources: '--rumor-sources',
  contact: '--contact',
  partitions: 'partitions',
  regions: 'regions',
  crashes: 'crashes',
  churn: 'churn',
};

/** The simulate() option a command-line flag sets (`--max-ticks` -> `maxTicks`), or undefined. */
export function optionKeyOfFlag(flag: string): keyof SimulationInput | undefined {
  for (const [key, spelled] of Object.entries(FLAG)) if (spelled === flag) return key as keyof SimulationInput;
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

function integer(key: keyof SimulationInput, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionError(FLAG[key], show(value), `an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(key: keyof SimulationInput, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new OptionError(FLAG[key], show(value), `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

const LATENCY_ALLOWED = `a whole number of ticks D (1 to ${MAX_LATENCY}) or a range LO..HI with 1 <= LO <= HI`;

/** Parses `--latency`: `D`, `LO..HI`, a number or `{min, max}`. */
export function parseLatency(value: unknown): Latency {
  let min: number;
  let max: number;
  if (typeof value === 'number') {
    min = max = value;
  } else if (typeof value === 'string') {
    const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(value);
    if (m === null) throw new OptionError('--latency', show(value), LATENCY_ALLOWED);
    min = Number(m[1]);
    max = m[2] === undefined ? min : Number(m[2]);
  } else if (typeof value === 'object' && value !== null && 'min' in value && 'max' in value) {
    min = (value as Latency).min;
    max = (value as Latency).max;
  } else {
    throw new OptionError('--latency', show(value), LATENCY_ALLOWED);
  }
  for (const part of [min, max]) {
    if (!Number.isInteger(part) || part < 1 || part > MAX_LATENCY) {
      throw new OptionError('--latency', show(value), LATENCY_ALLOWED);
    }
  }
  if (min > max) throw new OptionError('--latency', show(value), `LO <= HI in LO..HI (${LATENCY_ALLOWED})`);
  return { min, max };
}

/** Renders a latency the way `--latency` takes it. */
export function formatLatency(latency: Latency): string {
  return latency.min === latency.max ? String(latency.min) : `${latency.min}..${latency.max}`;
}

/**
 * Validates `input` and fills in defaults. Throws `OptionError` (a RangeError) naming the option,
 * the value and what is allowed.
 */
export function resolveOptions(input: unknown = {}): SimulationOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new OptionError('options', show(input), 'an object of simulation options');
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new OptionError(key, show((input as Record<string, unknown>)[key]), `a known option: ${[...KNOWN_KEYS].join(', ')}`);
    }
  }
  const raw = input as Record<keyof SimulationInput, unknown>;
  const given = (key: keyof SimulationInput): boolean => raw[key] !== undefined;

  const protocol = given('protocol') ? oneOf('protocol', raw.protocol, PROTOCOLS) : DEFAULTS.protocol;
  if (protocol === 'announce') {
    // announce has no peer choice, so a view or fanout other than the default would be silently
    // meaningless. The defaults themselves are accepted: a saved run's options (`result.options`,
    // `run --json`'s `options`) name them, and feeding those back in must reproduce the run.
    if (given('fanout') && raw.fanout !== DEFAULTS.fanout) {
      throw new OptionError('--fanout', show(raw.fanout), `no --fanout with --protocol announce, or its default ${DEFAULTS.fanout} (it applies to push, pull and push-pull)`);
    }
    if (given('view') && raw.view !== DEFAULTS.view) {
      throw new OptionError('--view', show(raw.view), `no --view with --protocol announce, or its default ${DEFAULTS.view} (it applies to push, pull and push-pull)`);
    }
  }
  const engine = given('engine') ? oneOf('engine', raw.engine, ENGINES) : DEFAULTS.engine;
  const threads = given('threads') ? integer('threads', raw.threads, 1, MAX_THREADS) : undefined;
  if (engine === 'reference' && threads !== undefined && threads !== 1) {
    // One rule for `run`, `bench` and `simulate()`: the reference engine runs on one thread, so
    // asking for more is a mistake worth naming; its resolved options say 1.
    throw new OptionError('--threads', show(raw.threads), '1 (or no --threads) with --engine reference, which runs on one thread');
  }
  const rumor = protocol === 'rumor';
  if (!rumor) {
    for (const key of RUMOR_KEYS) {
      if (given(key)) throw new OptionError(FLAG[key], show(raw[key]), `no ${FLAG[key]} without --protocol rumor (it sets a variant of rumor mongering)`);
    }
  }
  // Rumor's default view is the paper's uniform choice; under view known it keeps known sets (N^2 bits).
  const view = given('view') ? oneOf('view', raw.view, VIEWS) : rumor ? 'full' : DEFAULTS.view;
  const hosts = given('hosts') ? integer('hosts', raw.hosts, 1, rumor && view === 'full' ? MAX_HOSTS_CELLS : MAX_HOSTS) : DEFAULTS.hosts;
  const rest = {
    hosts,
    protocol,
    fanout: given('fanout') ? integer('fanout', raw.fanout, 1, MAX_FANOUT) : DEFAULTS.fanout,
    view,
    latency: given('latency') ? parseLatency(raw.latency) : DEFAULTS.latency,
    loss: given('loss') ? lossValue(raw.loss) : DEFAULTS.loss,
    seed: given('seed') ? integer('seed', raw.seed, 0, 0xffffffff) : DEFAULTS.seed,
    maxTicks: given('maxTicks') ? integer('maxTicks', raw.maxTicks, 0, MAX_TICKS) : DEFAULTS.maxTicks,
    engine,
    maxMemory: given('maxMemory') && raw.maxMemory !== null ? parseBytes(raw.maxMemory) : DEFAULTS.maxMemory,
    ...(rumor ? rumorOptions(raw, hosts) : {}),
    ...(given('partitions') && !(Array.isArray(raw.partitions) && raw.partitions.length === 0) ? { partitions: checkPartitions(raw.partitions, hosts) } : {}),
  };
  const regions = given('regions') ? checkRegions(raw.regions, hosts, rest, { latency: parseLatency, loss: lossValue }) : undefined;
  if (regions !== undefined && rumor && rest.contact === 'synchronous') {
    throw new OptionError('regions', show(raw.regions), 'no regions with --contact synchronous, whose contacts have no latency or loss; use --contact messages');
  }
  if (regions !== undefined) Object.assign(rest, { regions });
  if (given('crashes') && !(Array.isArray(raw.crashes) && raw.crashes.length === 0)) {
    const crashes = checkCrashes(raw.crashes, hosts);
    Object.assign(rest, { crashes });
  }
  if (given('churn') && raw.churn !== null) {
    const churn = checkChurn(raw.churn, hosts);
    Object.assign(rest, { churn });
  }
  if (rumor && rest.contact === 'synchronous') {
    // A synchronous contact completes within its tick: latency and loss have no meaning there.
    if (rest.latency.min !== 1 || rest.latency.max !== 1) {
      throw new OptionError('--latency', show(raw.latency), '1 (or no --latency) with --contact synchronous, whose contacts complete within a tick; use --contact messages for latency');
    }
    if (rest.loss !== 0) {
      throw new OptionError('--loss', show(raw.loss), '0 (or no --loss) with --contact synchronous; use --contact messages for lost messages');
    }
  }
  return { ...rest, threads: engine === 'reference' ? 1 : threads ?? chooseThreads(rest, defaultThreads()).threads };
}

/** Defaults of rumor mongering: the paper's push, feedback, counter rumor with k = 2, from host 0. */
export const RUMOR_DEFAULTS = {
  rumorMode: 'push', rumorFeedback: 'feedback', rumorStop: 'counter', rumorK: 2, rumorSources: 1, contact: 'synchronous',
} as const satisfies RumorOptions;

function rumorOptions(raw: Record<keyof SimulationInput, unknown>, hosts: number): RumorOptions {
  const given = (key: keyof SimulationInput): boolean => raw[key] !== undefined;
  return {
    rumorMode: given('rumorMode') ? oneOf('rumorMode', raw.rumorMode, RUMOR_MODES) : RUMOR_DEFAULTS.rumorMode,
    rumorFeedback: given('rumorFeedback') ? oneOf('rumorFeedback', raw.rumorFeedback, RUMOR_FEEDBACKS) : RUMOR_DEFAULTS.rumorFeedback,
    rumorStop: given('rumorStop') ? oneOf('rumorStop', raw.rumorStop, RUMOR_STOPS) : RUMOR_DEFAULTS.rumorStop,
    rumorK: given('rumorK') ? integer('rumorK', raw.rumorK, 1, MAX_RUMOR_K) : RUMOR_DEFAULTS.rumorK,
    rumorSources: given('rumorSources') ? parseSources(raw.rumorSources, hosts) : RUMOR_DEFAULTS.rumorSources,
    contact: given('contact') ? oneOf('contact', raw.contact, CONTACTS) : RUMOR_DEFAULTS.contact,
  };
}

/** Parses `--rumor-sources`: a count n (hosts 0 .. n-1, 1 <= n <= hosts) or a list of distinct host ids below `hosts`. */
export function parseSources(value: unknown, hosts: number): number | readonly number[] {
  const allowed = `a count n from 1 to ${hosts} (hosts 0 .. n-1), or a comma-separated list of distinct host ids from 0 to ${hosts - 1}, e.g. 0,17,42`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > hosts) throw new OptionError('--rumor-sources', show(value), allowed);
    return value;
  }
  let ids: unknown[];
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+$/.test(text)) return parseSources(Number(text), hosts);
    if (!/^\d+(\s*,\s*\d+)*\s*,?$/.test(text)) throw new OptionError('--rumor-sources', show(value), allowed);
    ids = text.split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
  } else if (Array.isArray(value)) {
    ids = value;
  } else {
    throw new OptionError('--rumor-sources', show(value), allowed);
  }
  const seen = new Set<number>();
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= hosts) {
      throw new OptionError('--rumor-sources', show(value), `${allowed}; ${show(id)} is not a host id of a ${hosts}-host run`);
    }
    if (seen.has(id)) throw new OptionError('--rumor-sources', show(value), `${allowed}; ${id} is given twice`);
    seen.add(id);
  }
  if (seen.size === 0) throw new OptionError('--rumor-sources', show(value), allowed);
  return [...seen];
}

const BYTES_ALLOWED = 'a size in bytes, optionally with a unit K, M, G or T (powers of 1024), e.g. 8G';
const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Parses `--max-memory`: bytes as a number, or text like `512M`, `8G`, `1.5G`. */
export function parseBytes(value: unknown): number {
  let bytes = Number.NaN;
  if (typeof value === 'number') bytes = value;
  else if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value);
    if (m !== null) bytes = Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
  }
  if (!Number.isFinite(bytes) || bytes < 1 || bytes > 2 ** 50) throw new OptionError('--max-memory', show(value), BYTES_ALLOWED);
  return Math.floor(bytes);
}

function lossValue(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new OptionError('--loss', show(value), 'a probability P with 0 <= P < 1');
  }
  return value;
}

/** The machine's available parallelism, capped to the allowed range. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}
