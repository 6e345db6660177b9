/**
 * Per-host load (docs/semantics.md "Per-host load"): how many messages each host sent and
 * received and how many bytes of ids it sent, summarised as nearest-rank quantiles. Engines count
 * into one Float64Array of 3 N slots (sent, received, bytes, each indexed by host id), each slot
 * written only by the engine instance that owns the host; the summary is computed once at the end.
 */
import type { SimulationOptions } from './options.js';

/** p50, p95 (nearest rank) and max of one per-host figure. */
export interface LoadQuantiles {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** The load of a run: messages sent and received per host, and bytes of ids sent per host. */
export interface HostLoad {
  readonly sent: LoadQuantiles;
  readonly received: LoadQuantiles;
  readonly bytes: LoadQuantiles;
}

/** Float64 slots per host: sent, received, bytes. */
export const LOAD_SLOTS = 3;
/** Bytes the counters take per host (the summary's selection copies one figure at a time: 8 more). */
export const LOAD_BYTES_PER_HOST = LOAD_SLOTS * 8;

/** Offsets of the three figures in the counter array (times N). */
export const LOAD_SENT = 0;
export const LOAD_RECEIVED = 1;
export const LOAD_BYTES = 2;

/** Bytes of a run's load counters. */
export function loadBytes(options: Pick<SimulationOptions, 'hosts'>): number {
  return options.hosts * LOAD_BYTES_PER_HOST;
}

/**
 * Bytes an engine instance keeps to count synchronous contacts (HostApi.contact) per host: a
 * contact's partner may be another instance's host, so each instance counts contacts made and
 * received per host in an array of its own (two Int32 a host), added into the shared counters at
 * the end of the run.
 */
export const CONTACT_LOAD_BYTES_PER_HOST = 8;

/** Peak bytes of a run's load. */
export function loadMemoryBytes(options: Pick<SimulationOptions, 'hosts'>): number {
  // The shared counters and the summary's copy (when values are too large to histogram).
  return options.hosts * (LOAD_BYTES_PER_HOST + 8);
}

/** The summary of counters `load` (3 N slots) over N hosts. Allocates one N-slot copy. */
export function hostLoadOf(load: Float64Array, n: number): HostLoad {
  let scratch: Float64Array | undefined;
  const figure = (slot: number): LoadQuantiles => {
    const values = load.subarray(slot * n, (slot + 1) * n);
    if (n <= SORT_HOSTS) {
      // Runs once, in code not yet compiled: a sorted copy (the engine's own sort) costs less
      // here than the loops below run in the interpreter (10,000 hosts: 1.4 ms against 6 ms).
      const sorted = values.slice().sort();
      return { p50: sorted[Math.ceil(0.5 * n) - 1]!, p95: sorted[Math.ceil(0.95 * n) - 1]!, max: sorted[n - 1]! };
    }
    let max = 0;
    for (let i = 0; i < n; i++) if (values[i]! > max) max = values[i]!;
    // Nearest rank: the value at rank ceil(q * N) (from 1). Whole values up to a few times N
    // are histogrammed (one pass, no copy); others are found by selection, not a full sort (a
    // histogram of bytes, thousands of times N, would cost more than the selection's copy).
    const r50 = Math.ceil(0.5 * n);
    const r95 = Math.ceil(0.95 * n);
    if (max <= Math.min(HISTOGRAM_LIMIT, HISTOGRAM_PER_HOST * n) && Number.isInteger(max)) {
      const counts = new Int32Array(max + 1);
      for (let i = 0; i < n; i++) counts[values[i]!]!++;
      return { p50: valueAtRank(counts, r50), p95: valueAtRank(counts, r95), max };
    }
    scratch ??= new Float64Array(n);
    scratch.set(values);
    return { p50: select(scratch, r50 - 1), p95: select(scratch, r95 - 1), max };
  };
  return { sent: figure(LOAD_SENT), received: figure(LOAD_RECEIVED), bytes: figure(LOAD_BYTES) };
}

/** Up to this many hosts the quantiles come from a sorted copy (O(N log N), in the engine's builtin sort). */
const SORT_HOSTS = 1 << 15;

/** Largest value the quantiles histogram (an Int32 per possible value: 16 MiB at most). */
const HISTOGRAM_LIMIT = 1 << 22;
/** ... and at most this many slots per host. */
const HISTOGRAM_PER_HOST = 8;

/** The value at rank r (from 1) of a histogram of whole values. */
function valueAtRank(counts: Int32Array, r: number): number {
  let seen = 0;
  for (let v = 0; v < counts.length; v++) {
    seen += counts[v]!;
    if (seen >= r) return v;
  }
  return counts.length - 1;
}

/** The k-th smallest value of `a` (from 0), rearranging `a` (Hoare's quickselect, median-of-three pivots). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
