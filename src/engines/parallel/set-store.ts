/**
 * The versioned-set store: each host's known set as a bitset in one of G snapshot slots, one per
 * tick modulo G (layout.ts, set mode). A message names the tick of its sender's slot instead of a
 * log prefix; a host copies its set into the slot of tick t before it first changes it in tick t,
 * so the slot a message names stays intact until every message that names it has been read.
 *
 * It serves every protocol whose snapshots never depend on log order: `push`, `pull`, `push-pull`.
 * Two kinds of message need more than a slot:
 * - a message that carries only its sender (a pull) names SELF;
 * - a message sent while its sender may still merge later messages of the same tick (a reply)
 *   names a version (layout.ts, VersionsLayout): "my slot of this tick as it ends the tick",
 *   unless the sender changes again in that tick, in which case it first freezes its set: as a
 *   row (a copy of the set), or as a patch over the row it froze last in this tick (the blocks
 *   changed since, as they are now). A host that gets one push and replies copies nothing; a
 *   hotspot that gets thousands writes a row now and then and a small patch for every other
 *   change that follows a reply.
 */
import type { WasmMemory } from '../../kernels/bitset.js';
import { FULL_TICK, type BitsetOps } from './bitset-ops.js';
import { BLOCK_WORDS, PATCH_ENTRY_WORDS, versionsLayout, type StateLayout } from './layout.js';
import type { HostStore } from './store.js';

/** Payload of a message that carries only its sender (SPEC: a pull's snapshot L(f)[0 .. 1)). */
export const SELF = -2;
/** Payloads at or below this name version v of generation g: VERSION_BASE - (g * V + v). */
const VERSION_BASE = -3;
const BLOCK_SHIFT = Math.log2(BLOCK_WORDS);

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
  /** Versions per generation (0: this run sends no mid-tick snapshots and keeps none). */
  private readonly perGeneration: number;
  private readonly words: number;
  /** Every shard's version flags, their metadata and arenas (index: shard; layout.ts, VersionsLayout). */
  private readonly flags: Int32Array[] = [];
  private readonly meta: Int32Array[] = [];
  private readonly arenas: Int32Array[] = [];
  /** Versions this shard has handed out in tick `versionTick`, and arena words written. */
  private nextVersion = 0;
  private versionTick = -1;
  private arenaUsed = 0;
  /** The version naming host h's current set, valid while openTick[li] is the current tick. */
  private readonly open: Int32Array;
  private readonly openTick: Int32Array;
  /** The most blocks of one patch (0: no patches). */
  private readonly patchBlocks: number;
  /**
   * Patches, per host: while baseTick[li] is the current tick, h froze a row at arena index
   * base[li] this tick, has since changed the `dirtyCount[li]` blocks listed from
   * li * patchBlocks in `dirty`, and has written `spent[li]` words of patches over that row.
   */
  private readonly baseTick: Int32Array;
  private readonly base: Int32Array;
  private readonly spent: Int32Array;
  private readonly dirtyCount: Int32Array;
  private readonly dirty: Int32Array;

  constructor(
    memories: readonly WasmMemory[],
    state: StateLayout,
    private readonly ops: BitsetOps,
    private readonly localOf: Int32Array,
    size: number,
    latencyMax: number,
    private readonly shard: number,
    versions: readonly SharedArrayBuffer[],
    private readonly shardOf: Uint16Array,
  ) {
    this.n = state.hosts;
    this.generations = state.generations;
    this.latMax = latencyMax;
    // Memory 0 holds every host's completion tick (layout.ts, SEGMENTS).
    const buffer = memories[0]!.buffer as unknown as SharedArrayBuffer;
    this.complete = new Int32Array(buffer, state.complete, this.n);
    this.counts = new Int32Array(size);
    this.snapTick = new Int32Array(size);
    this.perGeneration = state.versions;
    this.words = state.words;
    let patchBlocks = 0;
    if (state.versions > 0) {
      const vl = versionsLayout(state.versions, state.generations, state.words);
      const count = vl.generations * vl.perGeneration;
      for (const buffer of versions) {
        this.flags.push(new Int32Array(buffer, vl.flags, count));
        this.meta.push(new Int32Array(buffer, vl.meta, count * 3));
        this.arenas.push(new Int32Array(buffer, vl.arena, count * vl.words));
      }
      patchBlocks = vl.patchBlocks;
    }
    this.open = new Int32Array(size);
    this.openTick = new Int32Array(size).fill(-1);
    this.patchBlocks = patchBlocks;
    const patched = patchBlocks > 0 ? size : 0;
    this.baseTick = new Int32Array(patched).fill(-1);
    this.base = new Int32Array(patched);
    this.spent = new Int32Array(patched);
    this.dirtyCount = new Int32Array(patched);
    this.dirty = new Int32Array(patched * patchBlocks);
  }

  bind(): void {
    // No protocol that learns (announce) uses this store: its appends have no order to tell.
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

  completedAt(h: number): number {
    return this.complete[h]!;
  }

  restoreCompletedAt(h: number, tick: number): void {
    this.complete[h] = tick;
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
    if (this.perGeneration > 0) return this.versionOf(h, li);
    const s0 = this.snapTick[li]!;
    const t = this.tick;
    if (t - s0 < this.generations - this.latMax) return s0;
    this.ops.copySlot(h, s0, t);
    this.snapTick[li] = t;
    return t;
  }

  selfPayload(): number {
    return SELF;
  }

  /**
   * The version that names h's current set (mid-tick messages): the open one if h has not
   * changed since it was handed out, else a new one, flagged "the slot as it ends the tick".
   */
  private versionOf(h: number, li: number): number {
    const t = this.tick;
    const g = t % this.generations;
    const V = this.perGeneration;
    if (this.openTick[li] === t) return VERSION_BASE - (g * V + this.open[li]!);
    // The version names h's slot of tick t, so h's set must be there.
    if (this.snapTick[li] !== t) {
      this.ops.copySlot(h, this.snapTick[li]!, t);
      this.snapTick[li] = t;
    }
    if (this.versionTick !== t) {
      this.versionTick = t;
      this.nextVersion = 0;
      this.arenaUsed = 0;
    }
    const v = this.nextVersion++;
    if (v >= V) throw new Error(`shard ${this.shard} sent more than ${V} whole-set messages in tick ${t}: the bound of wholeSendsPerTick is wrong`);
    // Plain store: readers read it from tick t + 1 on, after the barrier.
    this.flags[this.shard]![g * V + v] = 0;
    this.open[li] = v;
    this.openTick[li] = t;
    return VERSION_BASE - (g * V + v);
  }

  /**
   * Before h's set changes in this tick: a version handed out for its current set freezes it (and
   * its flag says how), and h's set moves to its slot of this tick if it is not there yet (the old
   * slot stays intact for messages that name it).
   */
  private beforeChange(h: number, li: number): void {
    const t = this.tick;
    if (this.openTick[li] === t) {
      this.freeze(h, li, (t % this.generations) * this.perGeneration + this.open[li]!);
      this.openTick[li] = -1;
    }
    if (this.snapTick[li] !== t) {
      this.ops.copySlot(h, this.snapTick[li]!, t);
      this.snapTick[li] = t;
    }
  }

  /**
   * Freezes h's current set as version `index`: a patch over the row h froze earlier in this tick
   * when few blocks changed since and the patches over that row stay within a row's words in all
   * (so a row plus its patches cost at most twice the row: a host whose changes spread out writes
   * rows again), else a row of its own.
   */
  private freeze(h: number, li: number, index: number): void {
    const t = this.tick;
    const arena = this.arenas[this.shard]!;
    const meta = this.meta[this.shard]!;
    const at = (t % this.generations) * this.perGeneration * this.words + this.arenaUsed;
    if (this.patchBlocks > 0 && this.baseTick[li] === t) {
      const count = this.dirtyCount[li]!;
      const words = count * PATCH_ENTRY_WORDS;
      if (this.spent[li]! + words <= this.words) {
        this.ops.copyBlocksOut(h, t, this.dirty, li * this.patchBlocks, count, arena, at);
        meta[index * 3] = this.base[li]!;
        meta[index * 3 + 1] = at;
        meta[index * 3 + 2] = count;
        this.flags[this.shard]![index] = 2;
        this.spent[li]! += words;
        this.arenaUsed += words;
        return;
      }
    }
    this.ops.copySlotOut(h, t, arena, at);
    meta[index * 3] = at;
    this.flags[this.shard]![index] = 1;
    this.arenaUsed += this.words;
    if (this.patchBlocks > 0) {
      this.baseTick[li] = t;
      this.base[li] = at;
      this.spent[li] = 0;
      this.dirtyCount[li] = 0;
    }
  }

  /**
   * After `mergeSlot` changed h's set in this tick: the blocks it reports join those a patch over
   * h's row of this tick must hold. Too many, or a dense merge (blocks not told), and the next
   * version is a row.
   */
  private merged(li: number): void {
    if (this.patchBlocks === 0 || this.baseTick[li] !== this.tick) return;
    const n = this.ops.changedCount;
    if (n < 0) this.baseTick[li] = -1;
    for (let i = 0; i < n && this.baseTick[li] === this.tick; i++) this.addDirty(li, this.ops.changedBlocks[i]!);
  }

  /** After h's set changed in block `block` only, in this tick (see `merged`). */
  private addDirty(li: number, block: number): void {
    if (this.patchBlocks === 0 || this.baseTick[li] !== this.tick) return;
    const from = li * this.patchBlocks;
    const count = this.dirtyCount[li]!;
    for (let i = 0; i < count; i++) if (this.dirty[from + i] === block) return;
    if (count === this.patchBlocks) {
      this.baseTick[li] = -1;
      return;
    }
    this.dirty[from + count] = block;
    this.dirtyCount[li] = count + 1;
  }

  /**
   * K(h) gains the single id x in place (a store of one generation, whose slots no message names:
   * the known sets of a cell protocol, which learns them one id at a time). Only |K(h)| is kept up
   * to date: that protocol counts completion and coverage itself.
   */
  add(h: number, x: number): void {
    if (this.generations !== 1) throw new Error('SetStore.add needs a store of one generation');
    const li = this.localOf[h]!;
    const s = this.snapTick[li]!;
    if ((this.ops.slotWord(h, s, x >>> 5) & (1 << (x & 31))) !== 0) return;
    this.ops.setSlotBit(h, s, x);
    this.counts[li]!++;
  }

  /**
   * h loses its state: its set moves to its slot of this tick, emptied and given `ids` (older
   * slots, which messages may name, stay as they were; a store of one generation, whose slots no
   * message names, is rewritten in place). At the start of a tick, before h sends anything in it.
   */
  reset(h: number, ids: readonly number[]): void {
    const li = this.localOf[h]!;
    const t = this.generations === 1 ? this.snapTick[li]! : this.tick;
    if (this.openTick[li] === this.tick) throw new Error(`SetStore.reset(${h}): host ${h} already sent its set in tick ${this.tick}`);
    const had0 = this.ops.slotWord(h, this.snapTick[li]!, 0) & 1;
    this.ops.clearSlot(h, t);
    this.ops.padSlot(h, t);
    for (const x of ids) this.ops.setSlotBit(h, t, x);
    this.snapTick[li] = t;
    if (this.patchBlocks > 0) this.baseTick[li] = -1;
    this.knownTotal += ids.length - this.counts[li]!;
    this.counts[li] = ids.length;
    this.knowSeed += (this.ops.slotWord(h, t, 0) & 1) - had0;
    // Complete since without a break: a host whose initial set is every host stays as it was.
    if (ids.length === this.n) {
      if (this.complete[h] === -1) {
        this.complete[h] = this.tick;
        this.completeCount++;
      }
    } else if (this.complete[h] !== -1) {
      this.complete[h] = -1;
      this.completeCount--;
    }
  }

  /** K(h) gains the snapshot `payload` of sender f: a slot tick, FULL_TICK, SELF or a version. */
  merge(h: number, f: number, payload: number): void {
    const li = this.localOf[h]!;
    // A complete receiver learns nothing: skipping its merge changes no metric.
    if (this.counts[li]! === this.n) return;
    const t = this.tick;
    if (payload === SELF) {
      if ((this.ops.slotWord(h, this.snapTick[li]!, f >>> 5) & (1 << (f & 31))) !== 0) return;
      this.beforeChange(h, li);
      this.ops.setSlotBit(h, t, f);
      this.addDirty(li, (f >>> 5) >>> BLOCK_SHIFT);
      this.learned(h, li, 1, f === 0 ? 0 : 1);
      return;
    }
    let fTick = payload;
    if (payload <= VERSION_BASE) {
      const index = VERSION_BASE - payload;
      const s = this.shardOf[f]!;
      const flag = this.flags[s]![index]!;
      if (flag !== 0) {
        const arena = this.arenas[s]!;
        const meta = this.meta[s]!;
        const base = meta[index * 3]!;
        const staged = this.ops.stageRow(h, arena, base);
        // Patches exist only where sets are big enough to be staged (VersionsLayout.patchBlocks).
        if (flag === 2) this.ops.stagePatch(h, arena, meta[index * 3 + 1]!, meta[index * 3 + 2]!);
        if (this.openTick[li] === t && !this.ops.anyNewFromRow(h, t, arena, base, staged)) return;
        // beforeChange copies h's slot out, never into the scratch row: the staged set survives.
        this.beforeChange(h, li);
        const had0 = this.ops.slotWord(h, t, 0) & 1;
        this.learned(h, li, this.ops.orRowInto(h, t, arena, base, staged), had0);
        // A whole set merged: which blocks changed is not told, so the next version is a row.
        if (this.patchBlocks > 0) this.baseTick[li] = -1;
        return;
      }
      // The sender's slot of the version's tick, as it ended that tick (slot addressing is mod G).
      fTick = (index / this.perGeneration) | 0;
    }
    if (this.openTick[li] === t && !this.ops.anyNewSlot(h, t, f, fTick)) return;
    this.beforeChange(h, li);
    const had0 = this.ops.slotWord(h, t, 0) & 1;
    this.learned(h, li, this.ops.mergeSlot(h, t, f, fTick), had0);
    this.merged(li);
  }

  /** Counts `added` ids just merged into h's slot of this tick (`had0`: whether h knew the seed before). */
  private learned(h: number, li: number, added: number, had0: number): void {
    if (added === 0) return;
    const t = this.tick;
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
