/**
 * A store holds the per-host state of one shard's hosts in the shared state memory and does the
 * host operations of SPEC.md on it (merge, counts, rank selection, snapshot names). Two stores:
 * discovery logs with checkpoints (log-store.ts, any protocol) and versioned bitsets
 * (set-store.ts, protocols whose snapshots never depend on log order or mid-tick state). Which
 * one a run uses is decided by memory.ts from the protocol's traits; the shard only moves
 * messages between them.
 */
import type { Behaviour } from '../../protocols/index.js';
import type { WasmMemory } from '../../kernels/bitset.js';
import { CTL_COMMIT_FINISHED, CTL_COMMIT_NEXT } from './layout.js';

export interface HostStore {
  /** The tick being simulated (completion ticks and snapshot versions are stamped with it). */
  tick: number;
  /** Cumulative counters of this shard's hosts: ids known (sum of |K(h)|), hosts knowing the seed, complete hosts. */
  readonly knownTotal: number;
  readonly knowSeed: number;
  readonly completeCount: number;
  /** Writes the initial logs of this shard's hosts (no `learned` calls). */
  init(hosts: Int32Array, initialLog: (h: number) => readonly number[]): void;
  /** The protocol, told of every append when it `learns`. */
  bind(behaviour: Behaviour, learns: boolean): void;
  /** K(h) gains the snapshot `payload` of sender f. */
  merge(h: number, f: number, payload: number): void;
  /** |K(h)|. */
  count(h: number): number;
  isComplete(h: number): boolean;
  /** The `index`-th id of K(h) without h, ascending. */
  select(h: number, index: number): number;
  /** The payload of a message from h that carries its whole log now (may copy state: call once per message). */
  wholePayload(h: number): number;
  /** The payload of a message from h that carries only h. */
  selfPayload(h: number): number;
  /**
   * Host h loses its state (docs/semantics.md "Crashes that lose state"): K(h) becomes `ids`, its
   * initial set, and it is no longer complete unless that is every host. Called at the start of
   * a tick at which h is down; snapshots h sent before keep what they named.
   */
  reset(h: number, ids: readonly number[]): void;
  /** Host h of another shard loses its state at this tick (called with reset, in the order of the tick's wipe list, by every shard). */
  resetElsewhere?(h: number): void;
  /** Whether a reset writes what other shards read in the same tick (the log store's archive): the shards then meet before the tick goes on. */
  readonly resetsShared?: boolean;
  /** The tick h became complete at (-1: not complete; completion ticks), and its restore (a reset undone when a tick is abandoned). */
  completedAt(h: number): number;
  restoreCompletedAt(h: number, tick: number): void;
}

/**
 * Touches every page of bytes [from, to) of `buffer` once (a zero into fresh memory), so that
 * ticks take no page faults. Offsets may pass 4 GiB (the logs buffer).
 */
export function touchRange(buffer: WasmMemory | SharedArrayBuffer, from: number, to: number): void {
  const a32 = new Int32Array(buffer instanceof SharedArrayBuffer ? buffer : buffer.buffer as unknown as SharedArrayBuffer);
  // Division, not `>>> 2`: past 4 GiB a uint32 shift would wrap onto other rows.
  for (let i = Math.floor(from / 4), last = Math.floor(to / 4); i < last; i += 1024) a32[i] = 0;
}

/** Bytes of one chunk of the first touch (commitChunks): 1,024 pages. */
export const COMMIT_CHUNK_BYTES = 4 << 20;

/**
 * A run's first touch, cut in chunks that the main thread and the shards claim in turn
 * (touchClaimedChunks): every page of the state memories, the logs and the cells. The main
 * thread starts while the workers still load their code (40 ms or more), and then every thread
 * commits pages with the others, whichever shard owns them (one NUMA node: who touches a page
 * first does not matter; MEASUREMENTS.md: two threads about twice as fast as one). Nothing writes
 * state before every toucher has finished (CTL_COMMIT_FINISHED): a touch writes a zero.
 */
export function commitChunks(memories: readonly WasmMemory[], stateBytes: number, logs: SharedArrayBuffer, cells: SharedArrayBuffer): { buffer: WasmMemory | SharedArrayBuffer; from: number; to: number }[] {
  const all: [WasmMemory | SharedArrayBuffer, number][] = [...memories.map((m) => [m, stateBytes] as [WasmMemory, number]), [logs, logs.byteLength], [cells, cells.byteLength]];
  const chunks: { buffer: WasmMemory | SharedArrayBuffer; from: number; to: number }[] = [];
  // The buffers in turn, a chunk of each, each from its start: the first rows of every state
  // memory (generation 0 of set mode's slots, which the hosts' initial state writes) are committed
  // early, so a run stopped during start-up, which still runs tick 0, takes fewer faults there.
  for (let from = 0, more = true; more; from += COMMIT_CHUNK_BYTES) {
    more = false;
    for (const [buffer, end] of all) {
      if (from >= end) continue;
      chunks.push({ buffer, from, to: Math.min(end, from + COMMIT_CHUNK_BYTES) });
      more = true;
    }
  }
  return chunks;
}

/**
 * Claims chunks of the first touch in turn with the other threads (CTL_COMMIT_NEXT) and touches
 * each, at most `limit` of them, until none is left or `stopped()` says so (looked at before each
 * chunk). Returns whether chunks may be left; a toucher that is done calls `finishTouching`.
 */
export function touchClaimedChunks(ctl: Int32Array, chunks: ReturnType<typeof commitChunks>, limit: number, stopped: () => boolean): boolean {
  for (let k = 0; k < limit; k++) {
    if (stopped()) return false;
    const i = Atomics.add(ctl, CTL_COMMIT_NEXT, 1);
    if (i >= chunks.length) return false;
    const { buffer, from, to } = chunks[i]!;
    touchRange(buffer, from, to);
  }
  return true;
}

/** Says that this thread touches no more pages of the first touch (after its last touchClaimedChunks). */
export function finishTouching(ctl: Int32Array): void {
  Atomics.add(ctl, CTL_COMMIT_FINISHED, 1);
  Atomics.notify(ctl, CTL_COMMIT_FINISHED);
}
