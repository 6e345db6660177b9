/**
 * Slices of a plan for batch engines: slice I of N holds the runs whose plan index r has
 * r % N === I (round robin in plan order, so every slice gets a share of every entry and the
 * slices differ in size by at most one run). I and N come from `--index`/`--count`, else from the
 * environment of a Slurm job array or a Kubernetes Indexed Job:
 *
 * - Slurm: I = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP (MIN 0 and STEP 1
 *   when unset), N = SLURM_ARRAY_TASK_COUNT, so `--array=1-8` and `--array=0-7` both give 0..7.
 * - Kubernetes: I = JOB_COMPLETION_INDEX (0-based); N is not in the environment and must be given
 *   with `--count` (the Job's `completions`).
 */
import { OptionError } from '../errors.js';

/** Slice `index` of `count`. */
export interface Slice {
  readonly index: number;
  readonly count: number;
  /** Where I and N came from, for messages: `--index/--count`, `Slurm array`, `Kubernetes Indexed Job`. */
  readonly source: string;
}

/** Most slices: far more than any batch engine's array. */
export const MAX_SLICES = 1_000_000;

/**
 * The slice this process runs, or null for the whole plan. Throws `OptionError` naming the option
 * or variable that is wrong or missing.
 */
export function resolveSlice(flags: { index?: string | undefined; count?: string | undefined }, env: NodeJS.ProcessEnv = process.env): Slice | null {
  const count = flags.count === undefined ? undefined : integer('--count', flags.count, 1, MAX_SLICES);
  if (flags.index !== undefined) {
    if (count === undefined) throw new OptionError('--index', JSON.stringify(flags.index), '--count N beside it (the number of slices)');
    return checked({ index: integer('--index', flags.index, 0, MAX_SLICES - 1), count, source: '--index/--count' }, '--index');
  }
  const slurm = env['SLURM_ARRAY_TASK_ID'];
  if (slurm !== undefined && slurm !== '') {
    const id = integer('SLURM_ARRAY_TASK_ID', slurm, 0, Number.MAX_SAFE_INTEGER);
    const min = optionalInteger(env, 'SLURM_ARRAY_TASK_MIN', 0, 0);
    const step = optionalInteger(env, 'SLURM_ARRAY_TASK_STEP', 1, 1);
    const total = count ?? integer('SLURM_ARRAY_TASK_COUNT', env['SLURM_ARRAY_TASK_COUNT'] ?? '', 1, MAX_SLICES);
    if (id < min || (id - min) % step !== 0) {
      throw new OptionError('SLURM_ARRAY_TASK_ID', JSON.stringify(slurm), `SLURM_ARRAY_TASK_MIN (${min}) plus a multiple of SLURM_ARRAY_TASK_STEP (${step})`);
    }
    return checked({ index: (id - min) / step, count: total, source: 'Slurm array' }, 'SLURM_ARRAY_TASK_ID');
  }
  const k8s = env['JOB_COMPLETION_INDEX'];
  if (k8s !== undefined && k8s !== '') {
    if (count === undefined) throw new OptionError('JOB_COMPLETION_INDEX', JSON.stringify(k8s), '--count N too (the Indexed Job\'s completions): the slice count is not in the environment');
    return checked({ index: integer('JOB_COMPLETION_INDEX', k8s, 0, MAX_SLICES - 1), count, source: 'Kubernetes Indexed Job' }, 'JOB_COMPLETION_INDEX');
  }
  if (count !== undefined) {
    throw new OptionError('--count', JSON.stringify(flags.count), '--index I beside it, or SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment');
  }
  return null;
}

/** The items of `slice` (all of them for null): those at positions r with r % count === index. */
export function inSlice<T extends { readonly index: number }>(items: readonly T[], slice: Slice | null): T[] {
  return slice === null ? [...items] : items.filter((item) => item.index % slice.count === slice.index);
}

function checked(slice: Slice, name: string): Slice {
  if (slice.index >= slice.count) {
    throw new OptionError(name, String(slice.index), `a slice index from 0 to ${slice.count - 1} (${slice.count} slices, from ${slice.source})`);
  }
  return slice;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new OptionError(name, JSON.stringify(text), `an integer from ${min} to ${max}`);
  return value;
}

function optionalInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  return text === undefined || text === '' ? fallback : integer(name, text, min, Number.MAX_SAFE_INTEGER);
}
