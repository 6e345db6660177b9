/**
 * Memory up front, for both engines, in one place: the budget a run must fit (--max-memory, else
 * the memory available), the bound on messages in flight, and each engine's estimate of a run's
 * peak built from its stores' layouts (the parallel engine: layout.ts's state memories, versions,
 * rings and control block; the reference engine: `referenceLayout`). A run that cannot fit is
 * refused before anything is allocated, with the largest host count that would; the parallel
 * engine also chooses its state mode and checkpoint interval here (smaller intervals are faster
 * and take more memory).
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { formatBytes, MemoryLimitError } from '../errors.js';
import { faultMapBytes, latencyEnvelope, reachableCrashes, wipeTotal } from '../faults.js';
import { CONTACT_LOAD_BYTES_PER_HOST, loadMemoryBytes } from '../load.js';
import type { SimulationOptions } from '../options.js';
import { protocolModule, sharedBytes } from '../protocols/index.js';
import { PENDING_MESSAGE_BYTES, RING_RECORD_BYTES } from './parallel/message.js';
import { CHECKPOINT_INTERVALS, controlLayout, ringsLayout, stateBytes, stateLayout, versionsLayout, WASM_MAX_BYTES, type CheckpointInterval, type StateLayout, type StateMode, type VersionsLayout } from './parallel/layout.js';
import { hostsOf, partition } from './parallel/partition.js';

// ---- both engines -----------------------------------------------------------------------------

/** The main thread: Node, the CLI and the engine's own buffers (measured: about 55 MiB). */
export const BYTES_MAIN_THREAD = 55 * 1024 * 1024;

/** Messages that can wait for delivery at once, at most (a generous bound for the estimate). */
export function peakPendingMessages(options: SimulationOptions): number {
  return protocolModule(options.protocol).peakPendingMessages(options);
}

/** Memory available to this run: --max-memory, else MemAvailable of /proc/meminfo (or free memory). */
export function memoryBudget(options: SimulationOptions): number {
  if (options.maxMemory !== null) return options.maxMemory;
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m !== null) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return freemem();
}

/** The largest host count from 1 to `hosts` for which `fits` holds, 0 if none (`fits` is monotone). */
export function largestHostsThatFit(hosts: number, fits: (hosts: number) => boolean): number {
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = hosts;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where a refused run stands against the budget and against a limit no option can raise. */
export interface MemoryFit {
  /** Largest host count within the budget (0: none). */
  readonly underBudget: number;
  /** Largest host count within the fixed limit (0: none). */
  readonly underFixed: number;
  /** The fixed limit, named for the user, e.g. "the 4 GiB limit of one WebAssembly memory". */
  readonly fixedLimit: string;
  /** What else lifts the fixed limit, if anything (e.g. "node --max-old-space-size"). */
  readonly fixedRemedy?: string;
  /** Estimated bytes of the same run with 1 host: the least budget anything needs. */
  readonly oneHostBytes: number;
}

/**
 * The advice of a `MemoryLimitError`, true for the limit that binds: raising --max-memory is
 * offered only when the budget is what stops the largest host count, never for a fixed limit.
 */
export function memoryAdvice(fit: MemoryFit): string {
  const lo = Math.min(fit.underBudget, fit.underFixed);
  const fewer = lo > 0 ? `use at most ${lo} host${lo === 1 ? '' : 's'}` : '';
  if (fit.underFixed <= fit.underBudget) {
    const remedy = fit.fixedRemedy === undefined ? '' : `, or ${fit.fixedRemedy}`;
    return `${fewer === '' ? 'nothing fits' : fewer}: ${fit.fixedLimit} binds and --max-memory cannot raise it${remedy}`;
  }
  const raise = lo > 0 ? 'raise the budget with --max-memory' : `raise the budget with --max-memory to at least ${formatBytes(fit.oneHostBytes)}`;
  return fewer === '' ? raise : `${raise}, or ${fewer}`;
}

/**
 * The estimated peak bytes of a run on its engine; throws MemoryLimitError, before anything is
 * allocated, when it would not fit. What `bench` and `seeds` check before they start a run.
 */
export function checkMemory(options: SimulationOptions): number {
  return options.engine === 'reference' ? checkReferenceMemory(options) : planMemory(options).estimateBytes;
}

// ---- the parallel engine ----------------------------------------------------------------------

/** Checkpoint intervals of log mode, from the most memory to the least. */
// The intervals a run chooses from (32 only through the test knob, EngineInternals.checkpointInterval).
const INTERVALS: readonly CheckpointInterval[] = CHECKPOINT_INTERVALS.filter((b) => b >= 64);

/**
 * The checkpoint intervals a log-mode run of `hosts` hosts may use, preferred first. The and-not
 * scan of a snapshot walks up to B log entries past its checkpoint, about N^2 B work a run, while
 * the checkpoints take N^3 / (8 B) bytes whose first touch costs a page fault every 4 KiB: the
 * sum is least near B = c sqrt(N). Measured on 2 vCPUs (AMD EPYC), Node 20.20.2, 2026-12-06,
 * `run --hosts N` with each interval forced, 2 runs each, seconds on 1 / 2 threads:
 *   N = 2,000   B = 64: 0.60 / 0.56   128: 0.62 / 0.58   256: 0.67 / 0.62   512: 0.89 / 0.81
 *   N = 5,000   B = 64: 2.8 / 1.9     128: 2.6 / 1.8     256: 2.7 / 2.0     512: 3.3 / 2.7
 *   N = 10,000  B = 64: 14-19 / 8.3-8.7 (sys 3.6-6.3 s)  128: 12 / 7.5-9.8  256: 11-12 / 6.7-7.3
 *               (sys 1.7-2.7 s)  512: 11-12 / 8.7-9.2   1024 (one run): 19 / 16
 * so the first choice is the power of two nearest 2 sqrt(N), then the larger ones (less memory,
 * for runs that do not fit).
 */
export function intervalsFor(hosts: number): CheckpointInterval[] {
  const target = 2 * Math.sqrt(hosts);
  let first = 0;
  for (let i = 1; i < INTERVALS.length; i++) {
    if (Math.abs(Math.log2(INTERVALS[i]! / target)) < Math.abs(Math.log2(INTERVALS[first]! / target))) first = i;
  }
  return INTERVALS.slice(first);
}
/** One worker thread: its heap, code and shard-local arrays (measured: about 15 MiB). */
const BYTES_PER_THREAD = 15 * 1024 * 1024;

/** A run's memory plan: the layout chosen and what it was measured against. */
export interface MemoryPlan {
  readonly state: StateLayout;
  readonly estimateBytes: number;
  readonly budgetBytes: number;
}

/**
 * A cell protocol's bytes per host besides its cells: each shard's host index (Int32) and
 * partition maps (2 x Uint16), and on the main thread its partition maps, the completion ticks
 * and their JS array for the result (about 8 bytes each), and the wake bitmaps (four bits each).
 */
const CELL_RUN_BYTES_PER_HOST_PER_SHARD = 8;
const CELL_RUN_BYTES_PER_HOST = 4 + 4 + 4 + 16 + 1;

/** Bytes of a cell protocol's cells (SharedArrayBuffers of N Int32 each). */
export function cellBytes(options: SimulationOptions): number {
  return protocolModule(options.protocol).cells.length * options.hosts * 4;
}

/**
 * Bytes besides the state layout: every shard's fault maps (partitions, regions, crashes), the
 * per-host load counters, and for a cell
 * protocol its cells, shared maps and lists and per-host arrays (its known sets, if it keeps any,
 * are the state layout).
 */
function cellRunBytes(options: SimulationOptions): number {
  const module = protocolModule(options.protocol);
  // Every shard's transport keeps its own group maps of the partitions and regions.
  // Synchronous contacts are counted per host by every shard in an array of its own (load.ts).
  const contactLoad = module.contacts?.(options) === true ? options.threads * CONTACT_LOAD_BYTES_PER_HOST * options.hosts : 0;
  const faults = options.threads * faultMapBytes(options) + loadMemoryBytes(options) + contactLoad;
  if (module.state !== 'cells') return faults;
  const n = options.hosts;
  return faults + cellBytes(options) + sharedBytes(module, options) + n * (CELL_RUN_BYTES_PER_HOST + options.threads * CELL_RUN_BYTES_PER_HOST_PER_SHARD);
}

/**
 * Bytes of log mode's archive of old logs (LogStore): N Int32 for each time a host loses its
 * state, committed only as far as the logs archived reach; counted at their worst case.
 */
export function archiveBytes(options: SimulationOptions, mode: StateMode['mode']): number {
  return mode === 'log' ? wipeTotal(options) * options.hosts * 4 : 0;
}

/** Estimated peak bytes of a run with state mode `mode`. */
export function estimateBytes(options: SimulationOptions, mode: StateMode, segments?: number): number {
  const shards = options.threads;
  if (mode.mode === 'cells') {
    const pending = peakPendingMessages(options);
    return (
      cellRunBytes(options) +
      Math.min(ringsLayout(shards).bytes, pending * RING_RECORD_BYTES) +
      controlLayout(shards).bytes +
      pending * PENDING_MESSAGE_BYTES +
      BYTES_MAIN_THREAD +
      shards * BYTES_PER_THREAD
    );
  }
  const layout = stateLayout(options.hosts, shards, mode, segments);
  const state = stateBytes(layout);
  // Versions are committed only where a row is written: counted at their worst case.
  const versions = shards * (versionsOf(layout)?.bytes ?? 0);
  const pending = peakPendingMessages(options);
  // Ring pages are committed only when touched: at most the messages that can pass through them.
  const rings = Math.min(ringsLayout(shards).bytes, pending * RING_RECORD_BYTES);
  return (
    cellRunBytes(options) +
    state +
    archiveBytes(options, mode.mode) +
    versions +
    rings +
    controlLayout(shards).bytes +
    pending * PENDING_MESSAGE_BYTES +
    BYTES_MAIN_THREAD +
    shards * BYTES_PER_THREAD
  );
}

/** Each state memory within 4 GiB (set mode splits into as many as it needs), the whole within the budget. */
function fits(options: SimulationOptions, mode: StateMode, budget: number, segments?: number): boolean {
  return stateLayout(options.hosts, options.threads, mode, segments).bytes <= WASM_MAX_BYTES && estimateBytes(options, mode, segments) <= budget;
}

/**
 * The state modes a run may use, preferred first. A protocol whose snapshots are always a
 * sender's whole set at the end of its tick (no log order, no replies, no sender-only messages:
 * `push`) can keep versioned bitsets instead of logs: N^2/8 bytes per generation instead of 6 N^2.
 */
function candidateModes(options: SimulationOptions): StateMode[] {
  const module = protocolModule(options.protocol);
  // A cell protocol with known sets learns them one id at a time and sends no snapshots: bitsets
  // of one generation, changed in place (SetStore.add).
  if (module.state === 'cells') {
    return module.knownSets?.(options) === true ? [{ mode: 'set', generations: 1, versions: 0 }] : [{ mode: 'cells' }];
  }
  const logModes = intervalsFor(options.hosts).map((interval): StateMode => ({ mode: 'log', interval }));
  const { logOrder, midTickSnapshots, learns } = module.traits;
  if (logOrder || learns) return logModes;
  const part = partition(options.hosts, options.threads);
  let largest = 0;
  for (let s = 0; s < options.threads; s++) largest = Math.max(largest, hostsOf(part, s).length);
  const versions = midTickSnapshots ? module.wholeSendsPerTick(options, largest) : 0;
  // Slots live for the longest latency of the run (regions' links included). Logs only grow, so
  // a run whose crashes lose state needs the set store (SetStore.reset).
  const sets: StateMode = { mode: 'set', generations: latencyEnvelope(options).max + 1, versions };
  return reachableCrashes(options).some(({ crash }) => crash.state === 'initial') ? [sets] : [sets, ...logModes];
}

/** One shard's versions (set mode with replies), or null. */
export function versionsOf(state: StateLayout): VersionsLayout | null {
  return state.mode === 'set' && state.versions > 0 ? versionsLayout(state.versions, state.generations, state.words) : null;
}

/** The state layout a run of `options` uses when memory allows: its preferred mode (see `candidateModes`). */
export function preferredState(options: SimulationOptions): StateLayout {
  return stateLayout(options.hosts, options.threads, candidateModes(options)[0]!);
}

/**
 * Chooses the fastest state mode (and checkpoint interval) whose run fits the budget, each of its
 * state memories within the 4 GiB limit of one WebAssembly memory. Throws MemoryLimitError,
 * before any allocation, when none does. `segments`: the least number of state memories in set mode
 * (tests; else the fewest that fit); `interval`: the checkpoint interval of log mode (tests).
 */
export function planMemory(options: SimulationOptions, segments?: number, interval?: CheckpointInterval): MemoryPlan {
  const budget = memoryBudget(options);
  // `interval` (tests): log mode with that checkpoint interval only, where log mode is a choice.
  const all = candidateModes(options);
  const modes = interval === undefined || !all.some((m) => m.mode === 'log') ? all : [...all.filter((m) => m.mode !== 'log'), { mode: 'log', interval } as const];
  for (const mode of modes) {
    if (fits(options, mode, budget, segments)) {
      return { state: stateLayout(options.hosts, options.threads, mode, segments), estimateBytes: estimateBytes(options, mode, segments), budgetBytes: budget };
    }
  }
  // The smallest footprint of the candidates decides the largest host count that fits.
  const widest = modes.reduce((a, b) => (stateBytes(stateLayout(options.hosts, 1, a)) <= stateBytes(stateLayout(options.hosts, 1, b)) ? a : b));
  const withHosts = (hosts: number): SimulationOptions => ({ ...options, hosts });
  // Each host count is judged with its own candidate modes, as planMemory would (reply versions
  // are sized by the hosts of a shard: the modes of the requested count would overstate a smaller
  // run), and log mode with every interval (the preferred ones move with the host count; one that
  // fits implies that every larger one does). Per mode: the hosts that fit, and those within its
  // fixed limit alone.
  const kinds: StateMode[] = modes.filter((m) => m.mode !== 'log');
  if (modes.some((m) => m.mode === 'log')) for (const interval of INTERVALS) kinds.push({ mode: 'log', interval });
  const modeAt = (i: number, hosts: number): StateMode => {
    const kind = kinds[i]!;
    return kind.mode === 'log' ? kind : candidateModes(withHosts(hosts)).find((m) => m.mode === kind.mode) ?? kind;
  };
  let lo = 0;
  let underFixed = 0;
  let underBudget = 0;
  for (let i = 0; i < kinds.length; i++) {
    lo = Math.max(lo, largestHostsThatFit(options.hosts, (hosts) => fits(withHosts(hosts), modeAt(i, hosts), budget)));
    underFixed = Math.max(underFixed, largestHostsThatFit(options.hosts, (hosts) => stateLayout(hosts, options.threads, modeAt(i, hosts)).bytes <= WASM_MAX_BYTES));
    underBudget = Math.max(underBudget, largestHostsThatFit(options.hosts, (hosts) => estimateBytes(withHosts(hosts), modeAt(i, hosts)) <= budget));
  }
  const state = stateLayout(options.hosts, options.threads, widest).bytes;
  const estimate = estimateBytes(options, widest);
  // A mode whose fixed limit allows more than fits now is held back by the budget alone: raising
  // it helps. Otherwise the fixed limit binds in every mode.
  const advice = memoryAdvice({
    underBudget: underFixed > lo ? lo : Math.max(underBudget, lo),
    underFixed: underFixed > lo ? underFixed : lo,
    fixedLimit: 'the 4 GiB limit of one WebAssembly memory',
    oneHostBytes: Math.min(...candidateModes(withHosts(1)).map((m) => estimateBytes(withHosts(1), m))),
  });
  const parts = widest.mode === 'cells' ? 'per-host cells, messages in flight and worker threads' : 'shared state, messages in flight and worker threads';
  const detail = state > WASM_MAX_BYTES
    ? `${parts}; the shared state alone, ${formatBytes(state)}, is over the 4 GiB limit of one WebAssembly memory`
    : parts;
  throw new MemoryLimitError(estimate, budget, lo, detail, advice);
}

// ---- the reference engine ---------------------------------------------------------------------

/** Bytes per message object waiting in the reference engine (object, array slot, map share). */
const REFERENCE_BYTES_PER_MESSAGE = 72;

/** The reference engine's stores, in bytes: what `checkReferenceMemory` adds up. */
export interface ReferenceLayout {
  /** Known sets as one byte map per host (N^2 bytes; none for a cell protocol without known sets). */
  readonly byteMaps: number;
  /** Discovery logs as JS arrays, 8 bytes an entry, up to N entries a host (on the V8 heap). */
  readonly logs: number;
  /** Messages in flight at their peak, as objects (on the V8 heap). */
  readonly messages: number;
  /** The protocol's shared maps and lists, the transport's group maps and the load counters (on the heap). */
  readonly shared: number;
  /** Per-host arrays: counters every run keeps (heap) and a cell protocol's cells. */
  readonly perHostHeap: number;
  readonly cells: number;
  /** Bytes on the V8 heap, and in all (with the process itself). */
  readonly heap: number;
  readonly total: number;
}

/** The reference engine's stores for a run of `options` with `hosts` hosts. */
export function referenceLayout(options: SimulationOptions, hosts = options.hosts): ReferenceLayout {
  const module = protocolModule(options.protocol);
  const at = { ...options, hosts };
  const sets = module.state !== 'cells' || module.knownSets?.(options) === true;
  const byteMaps = sets ? hosts * hosts : 0;
  // Only set-keeping protocols keep logs (a cell protocol keeps a few Int32 cells per host).
  const logs = sets ? hosts * hosts * 8 : 0;
  const messages = peakPendingMessages(at) * REFERENCE_BYTES_PER_MESSAGE;
  const shared = sharedBytes(module, at) + faultMapBytes(at) + loadMemoryBytes(at);
  const perHostHeap = sets ? 0 : hosts * 16;
  const cells = module.state === 'cells' ? hosts * (module.cells.length + 1) * 4 : 0;
  const heap = logs + messages + shared + perHostHeap;
  return { byteMaps, logs, messages, shared, perHostHeap, cells, heap, total: heap + byteMaps + cells + BYTES_MAIN_THREAD };
}

/**
 * The reference engine's peak memory (`referenceLayout`). Throws MemoryLimitError before
 * allocating when the run would not fit the budget or the V8 heap.
 */
export function checkReferenceMemory(options: SimulationOptions): number {
  const estimateOf = (hosts: number): ReferenceLayout => referenceLayout(options, hosts);
  const budget = memoryBudget(options);
  const heapLimit = getHeapStatistics().heap_size_limit;
  const fitsHosts = (hosts: number): boolean => {
    const e = estimateOf(hosts);
    return e.total <= budget && e.heap <= heapLimit;
  };
  const estimate = estimateOf(options.hosts);
  if (fitsHosts(options.hosts)) return estimate.total;
  const advice = memoryAdvice({
    underBudget: largestHostsThatFit(options.hosts, (hosts) => estimateOf(hosts).total <= budget),
    underFixed: largestHostsThatFit(options.hosts, (hosts) => estimateOf(hosts).heap <= heapLimit),
    fixedLimit: `the V8 heap limit of ${formatBytes(heapLimit)}`,
    fixedRemedy: 'use the parallel engine, or raise the heap with node --max-old-space-size',
    oneHostBytes: estimateOf(1).total,
  });
  const lo = largestHostsThatFit(options.hosts, fitsHosts);
  const detail = estimate.heap > heapLimit
    ? `reference engine; ${formatBytes(estimate.heap)} of it on the V8 heap, over its limit of ${formatBytes(heapLimit)}`
    : 'reference engine: known-host byte maps, logs and messages';
  throw new MemoryLimitError(estimate.total, budget, lo, detail, advice);
}
