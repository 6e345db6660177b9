/**
 * The versioned-set store: each host's known set as a bitset in one of G snapshot slots, one per
 * tick modulo G (layout.ts, set mode). A message names the tick of its sender's slot instead of a
 * log prefix; a host copies its set into the slot of tick t before it first changes it in tick t,
 * so the slot a message names stays intact until every message that names it has been read.
 *
 * It serves protocols whose snapshots are always the sender's whole set at the end of its tick
 * (traits: no log order, no mid-tick snapshots, no sender-only snapshots): `push` today.
 */
import type { WasmMemory } from '../../kernels/bitset.js';
import { FULL_TICK, type BitsetOps } from './bitset-ops.js';
import type { StateLayout } from './layout.js';
import { touchSpans } from './log-store.js';
import type { HostStore } from './store.js';

export class SetStore implements HostStore {
  tick = 0;
  knownTotal = 0;
  knowSeed = 0;
  completeCount = 0;
  private readonly n: number;
  private readonly generations: number;
  private readonly latMax: number;
  private readonly complete: Int32Array;
  /** |K(h)| of this shard's hosts (index localOf[h]). */
  private readonly counts: Int32Array;
  /** The tick of the slot that holds each host's current set. */
  private readonly snapTick: Int32Array;

  constructor(
    private readonly memory: WasmMemory,
    private readonly state: StateLayout,
    private readonly ops: BitsetOps,
    private readonly localOf: Int32Array,
    size: number,
    latencyMax: number,
    private readonly shard: number,
  ) {
    this.n = state.hosts;
    this.generations = state.generations;
    this.latMax = latencyMax;
    const buffer = memory.buffer as unknown as SharedArrayBuffer;
    this.complete = new Int32Array(buffer, state.complete, this.n);
    this.counts = new Int32Array(size);
    this.snapTick = new Int32Array(size);
  }

  bind(): void {
    // No protocol that learns (announce) uses this store: its appends have no order to tell.
  }

  prefault(ownRanges: readonly number[], stopped: () => boolean): void {
    const st = this.state;
    const n = this.n;
    const rowBytes = st.words * 4;
    const spans: [number, number][] = [];
    for (let r = 0; r < ownRanges.length; r += 2) {
      const a = ownRanges[r]!;
      const b = ownRanges[r + 1]!;
      if (a === b) continue;
      for (let g = 0; g < st.generations; g++) {
        spans.push([st.snap + (g * n + a) * rowBytes, st.snap + (g * n + b) * rowBytes]);
        spans.push([st.summary + (g * n + a) * st.summaryWords * 4, st.summary + (g * n + b) * st.summaryWords * 4]);
      }
    }
    touchSpans(this.memory, spans, stopped);
  }

  /** h's slot of tick 0 holds its initial set. */
  init(hosts: Int32Array, initialLog: (h: number) => readonly number[]): void {
    if (this.shard === 0) this.ops.initFull();
    for (const h of hosts) {
      const li = this.localOf[h]!;
      this.ops.padSlot(h, 0);
      this.snapTick[li] = 0;
      this.complete[h] = -1;
      const ids = initialLog(h);
      for (const x of ids) {
        this.ops.setSlotBit(h, 0, x);
        this.knownTotal++;
        if (x === 0) this.knowSeed++;
      }
      this.counts[li] = ids.length;
      if (ids.length === this.n) {
        this.complete[h] = 0;
        this.completeCount++;
      }
    }
  }

  count(h: number): number {
    return this.counts[this.localOf[h]!]!;
  }

  isComplete(h: number): boolean {
    return this.complete[h] !== -1;
  }

  select(h: number, index: number): number {
    return this.ops.selectInSlot(h, this.snapTick[this.localOf[h]!]!, index);
  }

  /**
   * The tick of the slot a message sent now by h should name. A slot of tick s0 is rewritten by h
   * at tick s0 + G at the earliest, and a message sent at t is read by t + HI at the latest, so
   * naming s0 is safe while t - s0 < G - HI; otherwise h's set is copied to its slot of tick t.
   */
  wholePayload(h: number): number {
    const li = this.localOf[h]!;
    // A complete host knows everyone: its messages name the shared all-ones set, no copy needed.
    if (this.counts[li] === this.n) return FULL_TICK;
    const s0 = this.snapTick[li]!;
    const t = this.tick;
    if (t - s0 < this.generations - this.latMax) return s0;
    this.ops.copySlot(h, s0, t);
    this.snapTick[li] = t;
    return t;
  }

  selfPayload(): number {
    throw new Error('the versioned-set store cannot carry sender-only snapshots (memory.ts picks the log store for such protocols)');
  }

  /** K(h) |= the snapshot of f in its slot of tick `fTick`. */
  merge(h: number, f: number, fTick: number): void {
    const li = this.localOf[h]!;
    // A complete receiver learns nothing: skipping its merge changes no metric.
    if (this.counts[li]! === this.n) return;
    const t = this.tick;
    if (this.snapTick[li] !== t) {
      // Copy on first write in this tick: the old slot stays intact for messages that name it.
      this.ops.copySlot(h, this.snapTick[li]!, t);
      this.snapTick[li] = t;
    }
    const had0 = this.ops.slotWord(h, t, 0) & 1;
    const added = this.ops.mergeSlot(h, t, f, fTick);
    if (added === 0) return;
    this.knownTotal += added;
    if (had0 === 0 && (this.ops.slotWord(h, t, 0) & 1) !== 0) this.knowSeed++;
    const count = this.counts[li]! + added;
    this.counts[li] = count;
    if (count === this.n && this.complete[h] === -1) {
      this.complete[h] = t;
      this.completeCount++;
    }
  }
}
