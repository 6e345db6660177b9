/**
 * Runs saved with `gossip-sim run --json > FILE.json`, read back for `gossip-sim report`: checked at
 * the boundary, since the file may come from another version or not from gossip-sim at all.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { OptionError } from '../errors.js';

/** The part of a saved run that reports use. */
export interface SavedRun {
  /** The file it was read from, as given. */
  readonly path: string;
  /** Resolved options as `run --json` echoes them (latency as text, e.g. "1" or "1..3"). */
  readonly options: Readonly<Record<string, string | number | boolean | null>>;
  readonly hosts: number;
  readonly series: {
    readonly sent: number[];
    readonly delivered: number[];
    readonly complete: number[];
    readonly coverage: number[];
  };
  readonly converged: boolean;
  readonly ticks: number | null;
  readonly spreadTicks: number | null;
  readonly sent: number;
  readonly coverage: number;
  readonly endReason: string;
  readonly engine: string | null;
  readonly threads: number | null;
  readonly wallSeconds: number | null;
}

/**
 * A file `gossip-sim report` cannot use. An `OptionError` (a usage error, exit 2) whose message
 * names the file, what is wrong and how to make a usable one.
 */
export class ReportInputError extends OptionError {
  constructor(path: string, problem: string) {
    super('report', JSON.stringify(path), 'a run saved with `gossip-sim run --json > FILE.json`');
    this.message = `${path}: ${problem}; save runs to compare with \`gossip-sim run ... --json > FILE.json\``;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Checks a parsed `run --json` document and keeps what reports use; `path` names it in errors. */
export function savedRunOf(doc: unknown, path: string): SavedRun {
  const fail = (problem: string): never => {
    throw new ReportInputError(path, problem);
  };
  if (!isRecord(doc)) return fail('not a JSON object');
  const options = doc['options'];
  if (!isRecord(options)) return fail('no "options" object');
  const hosts = options['hosts'];
  if (typeof hosts !== 'number' || !Number.isInteger(hosts) || hosts < 1) return fail('"options.hosts" is not a positive integer');
  const series = doc['series'];
  if (!isRecord(series)) return fail('no per-tick "series" (saved by a gossip-sim without series?)');
  const columns = ['sent', 'delivered', 'complete', 'coverage'] as const;
  for (const key of columns) if (!numbers(series[key])) return fail(`"series.${key}" is not an array of numbers`);
  const length = (series['complete'] as number[]).length;
  if (length === 0) return fail('"series.complete" is empty');
  for (const key of columns) if ((series[key] as number[]).length !== length) return fail(`"series.${key}" and "series.complete" differ in length`);
  const flat: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') flat[key] = value;
  }
  const num = (key: string): number | null => (typeof doc[key] === 'number' ? (doc[key] as number) : null);
  const str = (key: string): string | null => (typeof doc[key] === 'string' ? (doc[key] as string) : null);
  return {
    path,
    options: flat,
    hosts,
    series: {
      sent: series['sent'] as number[],
      delivered: series['delivered'] as number[],
      complete: series['complete'] as number[],
      coverage: series['coverage'] as number[],
    },
    converged: doc['converged'] === true,
    ticks: num('ticks'),
    spreadTicks: num('spreadTicks'),
    sent: num('sent') ?? 0,
    coverage: num('coverage') ?? 0,
    endReason: str('endReason') ?? 'unknown',
    engine: str('engine'),
    threads: num('threads'),
    wallSeconds: num('wallSeconds'),
  };
}

/** Reads and checks a saved run. Throws `ReportInputError` when missing, unreadable or not a run. */
export async function readSavedRun(path: string): Promise<SavedRun> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReportInputError(path, code === 'ENOENT' ? 'no such file' : `cannot read it (${error instanceof Error ? error.message : String(error)})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ReportInputError(path, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return savedRunOf(doc, path);
}

/** Options that tell runs apart, in the order labels list them. */
const LABEL_KEYS = ['protocol', 'hosts', 'fanout', 'view', 'latency', 'loss', 'seed', 'maxTicks', 'engine', 'threads'] as const;

/**
 * A label per run made of the options that differ between the runs (e.g. `protocol push` and
 * `protocol push-pull`); runs that no option tells apart are labelled by file name. Allocates.
 */
export function labelsOf(runs: readonly SavedRun[]): string[] {
  const differing = LABEL_KEYS.filter((key) => new Set(runs.map((r) => String(r.options[key] ?? ''))).size > 1);
  const keys = differing.length > 0 ? differing : (['protocol', 'hosts'] as const);
  const labels = runs.map((r) => keys.map((key) => `${key} ${String(r.options[key] ?? '?')}`).join(', '));
  const seen = new Map<string, number>();
  for (const label of labels) seen.set(label, (seen.get(label) ?? 0) + 1);
  return labels.map((label, i) => ((seen.get(label) ?? 0) > 1 || differing.length === 0 ? `${label} (${basename(runs[i]!.path)})` : label));
}
