/**
 * The results file of `gossip-sim bench --out`, schema version 1: the TypeScript type, the same
 * shape as a JSON Schema (draft 2020-12) object, and a validator driven by that object, so the
 * documented schema (docs/benchmarking.md) and what `compare` accepts cannot drift apart.
 *
 * Compatibility: readers ignore fields they do not know; a field is never removed or changes
 * meaning within a version. Anything else bumps `schemaVersion`.
 */
import type { ControlResult } from './control.js';
import type { Environment } from './environment.js';
import type { Spread } from './stats.js';
import type { Metrics } from '../result.js';

export const SCHEMA_VERSION = 1;
/** `kind` of a bench results file, to tell it from other JSON quickly. */
export const RESULTS_KIND = 'gossip-sim-bench';

/** One measured run: a child process `gossip-sim run ... --json`. */
export interface Sample {
  /** Simulation wall time the child reported (`wallSeconds`: engine start-up included). */
  readonly wallSeconds: number;
  /** Wall time of the whole child process as the harness saw it: spawn to exit. */
  readonly processSeconds: number;
  /** Peak resident memory of the child (Linux VmHWM, else getrusage maxRSS; worker threads included); null if unreported. */
  readonly peakRssBytes: number | null;
  /**
   * The run's phases before its first tick (allocation, worker start-up and first touch of memory), from
   * `diagnostics.phases`; null for the reference engine. Absent in files written before it existed.
   */
  readonly serialSeconds?: number | null;
  /**
   * The share of the shards' tick time spent waiting at barriers for each other, 0..1: the sum of
   * `diagnostics.barrierWaitSeconds` over shards x `phases.ticksSeconds`. 0 on 1 thread; high when
   * one shard holds work the others wait for. Null for the reference engine; absent in older files.
   */
  readonly barrierWaitShare?: number | null;
}

/** The simulation metrics of SPEC.md plus how the run ended: identical for identical options. */
export interface BenchMetrics extends Metrics {
  readonly endReason: string;
  readonly lastTick: number;
}

/** The resolved options of a configuration, as `run --json` echoes them (latency as text). */
export interface BenchOptions {
  readonly hosts: number;
  readonly protocol: string;
  readonly fanout: number;
  readonly view: string;
  readonly latency: string;
  readonly loss: number;
  readonly seed: number;
  readonly maxTicks: number;
  readonly threads: number;
  readonly engine: string;
}

/** Figures derived from the samples, stored for readers that do not want to recompute them. */
export interface ConfigurationSummary {
  readonly wallSeconds: Spread;
  readonly processSeconds: Spread;
  readonly peakRssBytes: Spread | null;
  /** metrics.sent / median wallSeconds; null when that median is 0. */
  readonly messagesPerSecond: number | null;
  /** (metrics.lastTick + 1) / median wallSeconds (ticks 0..lastTick were run); null when that median is 0. */
  readonly ticksPerSecond: number | null;
  /** Median wallSeconds of the same configuration at 1 thread / this one; null without a 1-thread run. */
  readonly speedup: number | null;
  /** speedup / threads. */
  readonly efficiency: number | null;
  /** Median speedup of the CPU-scaling control at this thread count; null at 1 thread. */
  readonly controlSpeedup: number | null;
}

/** One configuration of the sweep with every sample. */
export interface ConfigurationResult {
  /** Stable key made of every option, used by `compare` to match configurations across files. */
  readonly id: string;
  readonly options: BenchOptions;
  /** The arguments after `gossip-sim` of every run of this configuration. */
  readonly args: string[];
  /** threads > the machine's available parallelism. */
  readonly oversubscribed: boolean;
  readonly metrics: BenchMetrics;
  /** Engine-dependent figures of the first measured run (`run --json`'s diagnostics). */
  readonly diagnostics: {
    readonly kernels: string | null;
    readonly memoryEstimateBytes: number | null;
    readonly peakPendingMessages: number | null;
  };
  /** The warm-up runs, recorded but never summarised. */
  readonly warmup: Sample[];
  readonly samples: Sample[];
  readonly summary: ConfigurationSummary;
}

/** A configuration the sweep left out before running anything, and why. */
export interface SkippedConfiguration {
  readonly id: string;
  readonly reason: string;
}

/** A bench results file. */
export interface BenchResults {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly kind: typeof RESULTS_KIND;
  readonly tool: { readonly name: string; readonly version: string };
  readonly environment: Environment;
  readonly settings: {
    /** Measured runs per configuration. */
    readonly repeat: number;
    /** Warm-up runs per configuration, before the measured ones. */
    readonly warmup: number;
    /** The command line of the bench itself (after `node`). */
    readonly argv: string[];
    /** True when one busy process ran beside every run and the control (`--cpu-hog`). */
    readonly cpuHog?: boolean;
  };
  /** The CPU-scaling control at each thread count > 1 of the sweep. */
  readonly control: ControlResult[];
  readonly configurations: ConfigurationResult[];
  readonly skipped: SkippedConfiguration[];
  /** Problems found while measuring (e.g. metrics that differ between samples); empty if none. */
  readonly issues: string[];
}

// ---- JSON Schema ----------------------------------------------------------------------------

/** The subset of JSON Schema used here (and understood by `validate`). */
export interface JsonSchema {
  readonly $schema?: string;
  readonly $id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly type?: JsonType | readonly JsonType[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly const?: string | number | boolean | null;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
}
type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

const nonNegative: JsonSchema = { type: 'number', minimum: 0 };
const count: JsonSchema = { type: 'integer', minimum: 0 };
const spread: JsonSchema = {
  type: 'object',
  required: ['median', 'min', 'max'],
  properties: { median: { type: 'number' }, min: { type: 'number' }, max: { type: 'number' } },
};
const sample: JsonSchema = {
  type: 'object',
  required: ['wallSeconds', 'processSeconds', 'peakRssBytes'],
  properties: {
    wallSeconds: nonNegative,
    processSeconds: nonNegative,
    peakRssBytes: { type: ['integer', 'null'], minimum: 0 },
    serialSeconds: { type: ['number', 'null'], minimum: 0 },
    barrierWaitShare: { type: ['number', 'null'], minimum: 0, maximum: 1 },
  },
};

/** The JSON Schema of a bench results file, version 1. */
export const BENCH_RESULTS_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'gossip-sim bench results, schema version 1',
  type: 'object',
  required: ['schemaVersion', 'kind', 'tool', 'environment', 'settings', 'control', 'configurations', 'skipped', 'issues'],
  properties: {
    schemaVersion: { const: SCHEMA_VERSION },
    kind: { const: RESULTS_KIND },
    tool: {
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { type: 'string' }, version: { type: 'string' } },
    },
    environment: {
      type: 'object',
      required: [
        'date', 'label', 'node', 'v8', 'platform', 'release', 'arch', 'cpuModel', 'cores',
        'availableParallelism', 'totalMemoryBytes', 'gitCommit', 'gitDirty',
      ],
      properties: {
        date: { type: 'string', minLength: 10 },
        label: { type: ['string', 'null'] },
        node: { type: 'string' },
        v8: { type: 'string' },
        platform: { type: 'string' },
        release: { type: 'string' },
        arch: { type: 'string' },
        cpuModel: { type: 'string' },
        cores: { type: 'integer', minimum: 1 },
        availableParallelism: { type: 'integer', minimum: 1 },
        totalMemoryBytes: count,
        gitCommit: { type: ['string', 'null'] },
        gitDirty: { type: ['boolean', 'null'] },
      },
    },
    settings: {
      type: 'object',
      required: ['repeat', 'warmup', 'argv'],
      properties: {
        repeat: { type: 'integer', minimum: 1 },
        warmup: count,
        argv: { type: 'array', items: { type: 'string' } },
        cpuHog: { type: 'boolean' },
      },
    },
    control: {
      type: 'array',
      items: {
        type: 'object',
        required: ['threads', 'oversubscribed', 'samples', 'speedup', 'efficiency'],
        properties: {
          threads: { type: 'integer', minimum: 2 },
          oversubscribed: { type: 'boolean' },
          samples: {
            type: 'array',
            items: {
              type: 'object',
              required: ['phase', 'oneSeconds', 'manySeconds', 'speedup'],
              properties: {
                phase: { enum: ['before', 'after'] },
                oneSeconds: nonNegative,
                manySeconds: nonNegative,
                speedup: nonNegative,
              },
            },
          },
          speedup: { $ref: '#/$defs/spread' },
          efficiency: nonNegative,
        },
      },
    },
    configurations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'options', 'args', 'oversubscribed', 'metrics', 'diagnostics', 'warmup', 'samples', 'summary'],
        properties: {
          id: { type: 'string', minLength: 1 },
          options: {
            type: 'object',
            required: ['hosts', 'protocol', 'fanout', 'view', 'latency', 'loss', 'seed', 'maxTicks', 'threads', 'engine'],
            properties: {
              hosts: { type: 'integer', minimum: 1 },
              protocol: { type: 'string' },
              fanout: { type: 'integer', minimum: 1 },
              view: { type: 'string' },
              latency: { type: 'string' },
              loss: { type: 'number', minimum: 0, maximum: 1 },
              seed: count,
              maxTicks: count,
              threads: { type: 'integer', minimum: 1 },
              engine: { type: 'string' },
            },
          },
          args: { type: 'array', items: { type: 'string' } },
          oversubscribed: { type: 'boolean' },
          metrics: {
            type: 'object',
            required: [
              'converged', 'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'inFlight',
              'entries', 'spreadTicks', 'coverage', 'endReason', 'lastTick',
            ],
            properties: {
              converged: { type: 'boolean' },
              ticks: { type: ['integer', 'null'], minimum: 0 },
              sent: count,
              delivered: count,
              processed: count,
              ignored: count,
              lost: count,
              inFlight: count,
              entries: count,
              spreadTicks: { type: ['integer', 'null'], minimum: 0 },
              coverage: { type: 'number', minimum: 0, maximum: 1 },
              endReason: { type: 'string' },
              lastTick: count,
            },
          },
          diagnostics: {
            type: 'object',
            required: ['kernels', 'memoryEstimateBytes', 'peakPendingMessages'],
            properties: {
              kernels: { type: ['string', 'null'] },
              memoryEstimateBytes: { type: ['number', 'null'], minimum: 0 },
              peakPendingMessages: { type: ['number', 'null'], minimum: 0 },
            },
          },
          warmup: { type: 'array', items: { $ref: '#/$defs/sample' } },
          samples: { type: 'array', items: { $ref: '#/$defs/sample' } },
          summary: {
            type: 'object',
            required: [
              'wallSeconds', 'processSeconds', 'peakRssBytes', 'messagesPerSecond', 'ticksPerSecond',
              'speedup', 'efficiency', 'controlSpeedup',
            ],
            properties: {
              wallSeconds: { $ref: '#/$defs/spread' },
              processSeconds: { $ref: '#/$defs/spread' },
              peakRssBytes: { ...spread, type: ['object', 'null'] },
              messagesPerSecond: { type: ['number', 'null'], minimum: 0 },
              ticksPerSecond: { type: ['number', 'null'], minimum: 0 },
              speedup: { type: ['number', 'null'], minimum: 0 },
              efficiency: { type: ['number', 'null'], minimum: 0 },
              controlSpeedup: { type: ['number', 'null'], minimum: 0 },
            },
          },
        },
      },
    },
    skipped: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'reason'],
        properties: { id: { type: 'string' }, reason: { type: 'string' } },
      },
    },
    issues: { type: 'array', items: { type: 'string' } },
  },
  $defs: { spread, sample },
};

// ---- validation -----------------------------------------------------------------------------

/**
 * Checks `doc` against `schema` (the subset of JSON Schema above); returns one message per
 * violation, e.g. `$.configurations[0].samples[1].wallSeconds: expected number, got "fast"`,
 * empty when valid. Allocates.
 */
export function validate(doc: unknown, schema: JsonSchema = BENCH_RESULTS_SCHEMA): string[] {
  const errors: string[] = [];
  check(doc, schema, '$', schema, errors);
  return errors;
}

/** Validates `doc` as a bench results file, returning it typed; throws `SchemaError` if invalid. */
export function parseResults(doc: unknown): BenchResults {
  if (typeof doc === 'object' && doc !== null && 'schemaVersion' in doc && doc.schemaVersion !== SCHEMA_VERSION) {
    throw new SchemaError([`$.schemaVersion: this gossip-sim reads schema version ${SCHEMA_VERSION}, got ${show(doc.schemaVersion)}`]);
  }
  const errors = validate(doc);
  if (errors.length > 0) throw new SchemaError(errors);
  return doc as BenchResults;
}

/** A document that is not a valid bench results file; `errors` lists every violation. */
export class SchemaError extends TypeError {
  override readonly name = 'SchemaError';
  constructor(readonly errors: readonly string[]) {
    super(`not a gossip-sim bench results file (schema version ${SCHEMA_VERSION}): ${errors[0] ?? 'invalid'}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  }
}

function check(value: unknown, schema: JsonSchema, path: string, root: JsonSchema, errors: string[]): void {
  if (schema.$ref !== undefined) {
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : root.$defs?.[name];
    if (target === undefined) throw new Error(`schema: cannot resolve $ref ${schema.$ref}`);
    check(value, target, path, root, errors);
    return;
  }
  if (schema.const !== undefined && value !== schema.const) {
    errors.push(`${path}: expected ${show(schema.const)}, got ${show(value)}`);
    return;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as never)) {
    errors.push(`${path}: expected one of ${schema.enum.map(show).join(', ')}, got ${show(value)}`);
    return;
  }
  if (schema.type !== undefined) {
    const types: readonly JsonType[] = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((t) => isType(value, t))) {
      errors.push(`${path}: expected ${types.join(' or ')}, got ${show(value)}`);
      return;
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: expected >= ${schema.minimum}, got ${value}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: expected <= ${schema.maximum}, got ${value}`);
  }
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) {
    errors.push(`${path}: expected a string of at least ${schema.minLength} characters, got ${show(value)}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, i) => check(item, schema.items!, `${path}[${i}]`, root, errors));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) errors.push(`${path}: missing required field "${key}"`);
    }
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (key in record) check(record[key], sub, `${path}.${key}`, root, errors);
    }
  }
}

function isType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
