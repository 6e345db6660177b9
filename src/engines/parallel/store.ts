/**
 * A store holds the per-host state of one shard's hosts in the shared state memory and does the
 * host operations of SPEC.md on it (merge, counts, rank selection, snapshot names). Two stores:
 * discovery logs with checkpoints (log-store.ts, any protocol) and versioned bitsets
 * (set-store.ts, protocols whose snapshots never depend on log order or mid-tick state). Which
 * one a run uses is decided by memory.ts from the protocol's traits; the shard only moves
 * messages between them.
 */
import type { Behaviour } from '../../protocols/index.js';

export interface HostStore {
  /** The tick being simulated (completion ticks and snapshot versions are stamped with it). */
  tick: number;
  /** Cumulative counters of this shard's hosts: ids known (sum of |K(h)|), hosts knowing the seed, complete hosts. */
  readonly knownTotal: number;
  readonly knowSeed: number;
  readonly completeCount: number;
  /** Commits this shard's rows of the state memory (first touch, in parallel with the other shards); stops early when `stopped()` says so. */
  prefault(ownRanges: readonly number[], stopped: () => boolean): void;
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
}
