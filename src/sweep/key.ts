/**
 * Stable names for runs and plans: a hash of canonical JSON. A run's key depends only on its
 * resolved options and seed, never on the plan, the machine or the order of fields in a file, so
 * a result line can be matched across slices, machines and reruns; a plan's hash depends only on
 * the runs it resolves to, in order.
 */
import { createHash } from 'node:crypto';
import { formatLatency, type SimulationOptions } from '../options.js';

/** Hex digits kept of a sha256: 16 (64 bits) makes a collision among a million runs about 3e-8 likely. */
export const HASH_LENGTH = 16;

/** The options of a run as result lines record them: resolved, latency as `run --latency` takes it, no seed. */
export interface RunOptions {
  readonly hosts: number;
  readonly protocol: SimulationOptions['protocol'];
  readonly fanout: number;
  readonly view: SimulationOptions['view'];
  readonly latency: string;
  readonly loss: number;
  readonly maxTicks: number;
  readonly threads: number;
  readonly engine: SimulationOptions['engine'];
}

/** The recorded options of resolved simulation options (the memory budget and the seed left out). */
export function runOptionsOf(o: SimulationOptions): RunOptions {
  return {
    hosts: o.hosts, protocol: o.protocol, fanout: o.fanout, view: o.view, latency: formatLatency(o.latency),
    loss: o.loss, maxTicks: o.maxTicks, threads: o.threads, engine: o.engine,
  };
}

/**
 * JSON with every object's keys sorted (by UTF-16 code units, as `Array.prototype.sort` does), no
 * whitespace; arrays keep their order. Numbers and strings are written as `JSON.stringify` writes them.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The first HASH_LENGTH hex digits of the sha256 of `text` (UTF-8). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, HASH_LENGTH);
}

/** A run's key: shortHash(canonicalJson({ options, seed })). */
export function runKey(options: RunOptions, seed: number): string {
  return shortHash(canonicalJson({ options, seed }));
}

/** A configuration's id (a run's options without its seed), to group the runs of several seeds. */
export function configurationKey(options: RunOptions): string {
  return shortHash(canonicalJson({ options }));
}

/** A plan's hash: shortHash(canonicalJson({ runs: [key, ...] })), the run keys in plan order. */
export function planHash(keys: readonly string[]): string {
  return shortHash(canonicalJson({ runs: keys }));
}
