/**
 * The store of a cell protocol (rumor). The protocol's state is its cell records (layout.ts, 5.),
 * which the protocol reads and writes itself; this store only commits the shard's part of them
 * first (in parallel with the other shards) and reports the shard's share of hosts complete,
 * which the protocol keeps in its tally TALLY_COMPLETE. A protocol that also keeps known sets
 * (`knownSets`, rumor under view `known`) has them in a one-generation SetStore, learned one id at
 * a time (`add`); without one, set operations have no meaning and throw.
 */
import { TALLY_COMPLETE, type Behaviour } from '../../protocols/index.js';
import type { SetStore } from './set-store.js';
import type { HostStore } from './store.js';

export class CellStore implements HostStore {
  tick = 0;

  constructor(
    private readonly tallies: Float64Array,
    private readonly n: number,
    /** The protocol's known sets, if it keeps any. */
    private readonly sets?: SetStore,
  ) {}

  /** This shard's share of hosts complete (a sum over shards is the run's; one shard's may be negative). */
  get completeCount(): number {
    return this.tallies[TALLY_COMPLETE]!;
  }

  /** A complete host of a cell protocol counts as knowing every host (coverage = complete / N). */
  get knownTotal(): number {
    return this.tallies[TALLY_COMPLETE]! * this.n;
  }

  get knowSeed(): number {
    return this.tallies[TALLY_COMPLETE]!;
  }

  init(hosts: Int32Array, initialLog: (h: number) => readonly number[]): void {
    this.sets?.init(hosts, initialLog);
  }

  bind(_behaviour: Behaviour): void {}

  merge(): void {
    throw new Error('a cell protocol learns its known sets one id at a time (add), never by merging snapshots');
  }

  /** K(h) gains x. */
  add(h: number, x: number): void {
    if (this.sets === undefined) throw new Error('this cell protocol keeps no known-host sets');
    this.sets.add(h, x);
  }

  count(h: number): number {
    return this.sets === undefined ? 1 : this.sets.count(h);
  }

  isComplete(): boolean {
    throw new Error('a cell protocol keeps completion in its own cells');
  }

  select(h: number, index: number): number {
    if (this.sets === undefined) throw new Error('this cell protocol keeps no known-host sets to choose from');
    return this.sets.select(h, index);
  }

  /** The protocol resets its own cells (Behaviour.wiped); its known sets, if any, are reset here. */
  reset(h: number, ids: readonly number[]): void {
    this.sets?.reset(h, ids);
  }

  /** A cell protocol keeps completion in its cells (the engine saves and restores them). */
  completedAt(): number {
    return -1;
  }

  restoreCompletedAt(): void {}

  wholePayload(): number {
    return 0;
  }

  selfPayload(): number {
    return 0;
  }
}
