/** The metrics of SPEC.md, the per-tick series and per-host completion ticks of a run. */
import type { HostLoad } from './load.js';

/** Why a run ended. */
export type EndReason = 'converged' | 'stalled' | 'max-ticks' | 'interrupted';

/** Per-tick series; index `t` is tick `t`, from 0 to the last tick run. */
export interface TickSeries {
  /** Messages sent during the tick (lost ones included). */
  readonly sent: number[];
  /** Messages delivered during the tick (handled or ignored). */
  readonly delivered: number[];
  /** Live hosts complete at the end of the tick (every host without crashes). */
  readonly complete: number[];
  /** Sum of |K(h)| over live hosts divided by (live hosts) * N, at the end of the tick. */
  readonly coverage: number[];
  /** Hosts up at the tick (N without crashes; docs/semantics.md "Faults: crashes"). */
  readonly live: number[];
}

/** The metrics of SPEC.md ("Metrics"), spelled as there. */
export interface Metrics {
  readonly converged: boolean;
  readonly ticks: number | null;
  readonly sent: number;
  readonly delivered: number;
  readonly processed: number;
  readonly ignored: number;
  readonly lost: number;
  readonly inFlight: number;
  readonly entries: number;
  readonly spreadTicks: number | null;
  readonly coverage: number;
}

/** What an engine computes: identical for every engine and thread count. */
export interface SimulationOutcome extends Metrics {
  readonly endReason: EndReason;
  /** The last tick run (ticks 0 .. lastTick). */
  readonly lastTick: number;
  /** Messages cut by a partition (counted in `lost` too; docs/semantics.md "Faults: partitions"). */
  readonly partitioned: number;
  /** Messages delivered to a host that was down (counted in `delivered` too; "Faults: crashes"). */
  readonly dropped: number;
  /** Hosts up at lastTick (N without crashes). */
  readonly live: number;
  /** Per-host load (docs/semantics.md "Per-host load"); null for an interrupted run or synchronous rumor. */
  readonly load: HostLoad | null;
  /** Tick at which each host became complete, `null` if it never did. */
  readonly hostCompletionTicks: (number | null)[];
  readonly series: TickSeries;
  /** A protocol's own metrics (rumor: residue, traffic, tAve, tLast, ...); absent for set protocols. */
  readonly protocolMetrics?: Readonly<Record<string, number | null>>;
}

/**
 * How an engine computed an outcome: figures that depend on the engine and thread count (and, for
 * the parallel engine, on timing), so they are kept apart from the deterministic outcome.
 */
export interface RunDiagnostics {
  /** Most messages waiting for a later tick at once (parallel: summed over shards' peaks). */
  readonly peakPendingMessages: number;
  /** The up-front memory estimate of the run, bytes. */
  readonly memoryEstimateBytes: number | null;
  /** Which bitset kernels ran (parallel engine only). */
  readonly kernels: 'wasm' | 'js' | null;
  /** Times a shard found its ring to another shard full and waited (parallel engine; null otherwise). */
  readonly ringFullWaits: number | null;
  /**
   * The phases of a parallel run, seconds (null on the reference engine): allocating the shared
   * buffers (serial, main thread); start-up until every shard has started and touched its own
   * rows of the state memory (the shards in parallel); running the ticks.
   */
  readonly phases: { readonly allocateSeconds: number; readonly startSeconds: number; readonly ticksSeconds: number } | null;
  /**
   * Seconds each shard spent at barriers waiting for the others (parallel engine, index = shard;
   * null otherwise): with `phases.ticksSeconds`, how unevenly the tick work fell on the shards.
   * A shard that waits long while another never does marks work that one shard holds alone.
   */
  readonly barrierWaitSeconds: readonly number[] | null;
  /**
   * WebAssembly memories holding the host state (parallel engine; null otherwise): 1, or more
   * when versioned bitsets pass the 4 GiB of one memory and hosts are split across several.
   */
  readonly stateMemories: number | null;
}

/** What an engine returns. */
export interface EngineOutput {
  readonly outcome: SimulationOutcome;
  readonly diagnostics: RunDiagnostics;
}

/** The metric names of SPEC.md, in its order. */
export const METRIC_NAMES = [
  'converged', 'ticks', 'sent', 'delivered', 'processed', 'ignored', 'lost', 'inFlight', 'entries',
  'spreadTicks', 'coverage',
] as const satisfies readonly (keyof Metrics)[];

/**
 * Defines `hostCompletionTicks` on `outcome` as an enumerable getter that converts `ticks` on
 * first use (then keeps the array): a run of millions of hosts whose caller never looks at them
 * (a summary, an aggregate of seeds) does not build an array of millions of numbers. JSON and
 * spreads see an ordinary property. Returns `outcome`.
 */
export function withLazyCompletionTicks<T extends object>(outcome: T, ticks: Int32Array): T & { readonly hostCompletionTicks: (number | null)[] } {
  let cached: (number | null)[] | undefined;
  // Not enumerable: JSON and spreads never see it; assignProperties copies it with the getter.
  Object.defineProperty(outcome, COMPLETION_TICKS, { value: ticks, enumerable: false });
  Object.defineProperty(outcome, 'hostCompletionTicks', {
    enumerable: true,
    configurable: true,
    get: () => (cached ??= completionTicksOf(ticks)),
  });
  return outcome as T & { readonly hostCompletionTicks: (number | null)[] };
}

/** Where a result keeps its per-host load counters (load.ts layout: sent, received, bytes by host). */
const HOST_LOAD = Symbol('gossip-sim.hostLoad');

/**
 * Keeps a run's per-host load counters on its outcome, not enumerable (JSON and spreads never see
 * them; assignProperties copies them): `run --trace` writes them host by host. None: nothing kept.
 */
export function withHostLoadCounters<T extends object>(outcome: T, counters: Float64Array | null): T {
  if (counters !== null) Object.defineProperty(outcome, HOST_LOAD, { value: counters, enumerable: false });
  return outcome;
}

/** The per-host load counters a result keeps (withHostLoadCounters), if any. */
export function rawHostLoad(result: object): Float64Array | undefined {
  const counters = (result as { [HOST_LOAD]?: unknown })[HOST_LOAD];
  return counters instanceof Float64Array ? counters : undefined;
}

/** Where a result keeps the Int32Array behind its lazy hostCompletionTicks (-1 = never). */
const COMPLETION_TICKS = Symbol('completionTicks');

/** The completion ticks of a result as their Int32Array (-1 = never), without building the public array; undefined if it has none. */
export function rawCompletionTicks(result: object): Int32Array | undefined {
  const ticks = (result as { [COMPLETION_TICKS]?: unknown })[COMPLETION_TICKS];
  return ticks instanceof Int32Array ? ticks : undefined;
}

/**
 * The JSON text of completion ticks (-1 = never, written null), as JSON.stringify writes
 * completionTicksOf(ticks), written byte by byte, about 4 times as fast as JSON.stringify of the array (10,000,000
 * small ticks), and without the array's 80 MB and the stringifier's garbage.
 */
export function completionTicksJson(ticks: Int32Array): string {
  // At most 11 bytes a value (-2147483648 never occurs: ticks are >= -1) and a comma.
  const out = Buffer.allocUnsafe(ticks.length * 12 + 2);
  let p = 0;
  out[p++] = 0x5b; // [
  for (let i = 0; i < ticks.length; i++) {
    if (i > 0) out[p++] = 0x2c; // ,
    let v = ticks[i]! | 0;
    if (v < 0) {
      out[p++] = 0x6e; // null
      out[p++] = 0x75;
      out[p++] = 0x6c;
      out[p++] = 0x6c;
      continue;
    }
    if (v < 10) {
      out[p++] = 0x30 + v;
      continue;
    }
    // Digits last to first in int32 arithmetic, then reversed in place.
    const first = p;
    do {
      const q = (v / 10) | 0;
      out[p++] = 0x30 + (v - q * 10);
      v = q;
    } while (v > 0);
    for (let a = first, b = p - 1; a < b; a++, b--) {
      const x = out[a]!;
      out[a] = out[b]!;
      out[b] = x;
    }
  }
  out[p++] = 0x5d; // ]
  return out.toString('latin1', 0, p);
}

/** Copies every own property of `from` onto `to` as it is, getters as getters (a spread would call them). */
export function assignProperties<T extends object, U extends object>(to: T, from: U): T & U {
  return Object.defineProperties(to, Object.getOwnPropertyDescriptors(from)) as T & U;
}

/** Converts completion ticks stored as an Int32Array (-1 = never) to the public form. Allocates. */
export function completionTicksOf(ticks: Int32Array): (number | null)[] {
  return Array.from(ticks, (t) => (t < 0 ? null : t));
}

/** Ticks by which a share of all hosts had become complete (docs/semantics.md "Metrics"). */
export interface CompletionQuantiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/**
 * The completion-tick quantiles of a run: pq is the first tick by whose end at least ceil(q * N)
 * hosts were complete (nearest rank over every host, those that never completed included), null
 * when fewer ever were. One counting pass over the ticks, then a walk over lastTick + 1 buckets.
 */
export function completionQuantilesOf(ticks: Int32Array): CompletionQuantiles {
  const n = ticks.length;
  let last = -1;
  let complete = 0;
  for (let h = 0; h < n; h++) {
    if (ticks[h]! > last) last = ticks[h]!;
    if (ticks[h]! >= 0) complete++;
  }
  // The ceil(q * N)-th smallest completion tick. Counting by tick when ticks are few; sorting the
  // completed hosts' ticks when a long run (latencies up to 1e9) would make the counts huge.
  const ranks = [0.5, 0.95, 0.99].map((q) => Math.ceil(q * n));
  let values: (number | null)[];
  if (last + 1 <= 4 * n + 1024) {
    const counts = new Float64Array(last + 1);
    for (let h = 0; h < n; h++) if (ticks[h]! >= 0) counts[ticks[h]!]!++;
    values = ranks.map((need) => {
      if (need > complete) return null;
      let done = 0;
      for (let t = 0; t <= last; t++) {
        done += counts[t]!;
        if (done >= need) return t;
      }
      return null;
    });
  } else {
    const sorted = ticks.filter((t) => t >= 0).sort();
    values = ranks.map((need) => (need > complete ? null : sorted[need - 1]!));
  }
  return { p50: values[0]!, p95: values[1]!, p99: values[2]! };
}

/** The tick at which the last host became complete (completion ticks, -1 = never), -1 when none did. */
export function lastCompletionTick(ticks: Int32Array): number {
  let last = -1;
  for (let h = 0; h < ticks.length; h++) if (ticks[h]! > last) last = ticks[h]!;
  return last;
}
