/**
 * The bitset operations a shard needs, over the shared state memories: the and-not scan of a
 * checkpoint against a receiver's known set, checkpoint copies, slot merges (across memories
 * through a staged copy, layout.ts SEGMENTS) and rank selection. Bulk word work
 * goes to the WebAssembly SIMD kernels when they load, else to the plain JS kernels.
 */
import { loadWasmKernels, type BitsetKernels, type WasmMemory } from '../../kernels/bitset.js';
import { jsKernels } from '../../kernels/bitset-js.js';
import { BLOCK_WORDS, PATCH_ENTRY_WORDS, type StateLayout } from './layout.js';

const BLOCK_BYTES = BLOCK_WORDS * 4;
/** The "tick" a message from a complete host names: the all-ones set, valid forever. */
export const FULL_TICK = -1;
/** Scans of at most this many words run in JS (cheaper than a call into WebAssembly). */
const SHORT_SCAN_WORDS = 8;
const BLOCK_SHIFT = Math.log2(BLOCK_WORDS);

/** Popcount of a 32-bit word. */
function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Per-shard bitset operations with their scratch space. */
export class BitsetOps {
  /** Kernels and Int32 views of every state memory (layout.ts, SEGMENTS; one in log mode). */
  private readonly kernelsOf: BitsetKernels[] = [];
  private readonly memoryOf: Int32Array[] = [];
  /** Memory 0's (log mode and cell protocols have no other). */
  private readonly kernels: BitsetKernels;
  private readonly memoryI32: Int32Array;
  private readonly words: number;
  private readonly knownBase: number;
  private readonly ckptBase: number;
  private readonly snapBase: number;
  private readonly hosts: number;
  private readonly segmentHosts: number;
  private readonly segmented: boolean;
  private readonly generations: number;
  private readonly summaryBase: number;
  private readonly fullBase: number;
  private readonly summaryWords: number;
  private readonly blocks: number;
  private readonly scratchBase: number;
  /** Output of `andNotIds`: ids, ascending. A view on this shard's SCRATCH row. */
  readonly scratchIds: Int32Array;
  /** Sort keys for `appendInLogOrder`, one per host. */
  readonly sortKeys: Float64Array;
  /** Which kernels run: 'wasm' or 'js'. */
  readonly kind: 'wasm' | 'js';
  /**
   * The blocks the last `mergeSlot` changed, in `changedBlocks[0 .. changedCount)`; -1 when it
   * merged a dense set whole and did not look (any block may have changed).
   */
  readonly changedBlocks: Int32Array;
  changedCount = 0;
  /**
   * The sender slot `readable` last staged in the scratch row (memory `stagedInto`; -1: none or
   * overwritten since), so `mergeSlot` right after `anyNewSlot` on the same sender copies nothing.
   */
  private stagedF = -1;
  private stagedTick = 0;
  private stagedInto = 0;
  private stagedDense = false;

  constructor(memories: readonly WasmMemory[], state: StateLayout, shard: number) {
    let kind: 'wasm' | 'js' = 'wasm';
    for (const memory of memories) {
      let kernels: BitsetKernels;
      try {
        kernels = loadWasmKernels(memory);
      } catch {
        kernels = jsKernels(memory);
        kind = 'js';
      }
      this.kernelsOf.push(kernels);
      this.memoryOf.push(new Int32Array(memory.buffer as unknown as SharedArrayBuffer));
    }
    this.kernels = this.kernelsOf[0]!;
    this.memoryI32 = this.memoryOf[0]!;
    this.kind = kind;
    const buffer = memories[0]!.buffer as unknown as SharedArrayBuffer;
    this.words = state.words;
    this.knownBase = state.known;
    this.ckptBase = state.ckpt;
    this.snapBase = state.snap;
    this.hosts = state.hosts;
    this.segmentHosts = state.segmentHosts;
    this.segmented = state.segments > 1;
    this.generations = state.generations;
    this.summaryBase = state.summary >>> 2;
    this.fullBase = state.full;
    this.summaryWords = state.summaryWords;
    this.blocks = Math.ceil(state.words / BLOCK_WORDS);
    this.scratchBase = state.mode === 'cells' ? 0 : state.scratch + shard * state.hosts * 4;
    // A cell protocol keeps no sets: no scratch rows in its (one-page) state memory.
    const ids = state.mode === 'cells' ? 0 : state.hosts;
    this.scratchIds = new Int32Array(buffer, this.scratchBase, ids);
    this.sortKeys = new Float64Array(ids);
    this.changedBlocks = new Int32Array(this.blocks);
  }

  /**
   * Writes to `scratchIds` the ids in checkpoint `ck` but not in K(h), over words
   * [fromWord, toWord); returns how many.
   */
  andNotIds(ck: number, h: number, fromWord: number, toWord: number): number {
    this.stagedF = -1;
    if (toWord - fromWord > SHORT_SCAN_WORDS) {
      const bytesPerSet = this.words * 4;
      return this.kernels.andNotIds(this.ckptBase + ck * bytesPerSet, this.knownBase + h * bytesPerSet, fromWord, toWord, this.scratchBase);
    }
    // Most scans are a word or two (the receiver's first non-full word bounds them from below):
    // plain JS here costs less than the call into WebAssembly.
    const a = this.memoryI32;
    const cand = (this.ckptBase >>> 2) + ck * this.words;
    const known = (this.knownBase >>> 2) + h * this.words;
    const out = this.scratchIds;
    let count = 0;
    for (let w = fromWord; w < toWord; w++) {
      let bits = a[cand + w]! & ~a[known + w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        out[count++] = w * 32 + (31 - Math.clz32(low));
        bits ^= low;
      }
    }
    return count;
  }

  /** Copies K(h) into checkpoint `ck`. */
  checkpoint(ck: number, h: number): void {
    const bytesPerSet = this.words * 4;
    this.kernels.copyWords(this.ckptBase + ck * bytesPerSet, this.knownBase + h * bytesPerSet, this.words);
  }

  // ---- set mode ------------------------------------------------------------------------------

  /** The state memory that holds host h's rows. */
  private segmentOf(h: number): number {
    return this.segmented ? (h / this.segmentHosts) | 0 : 0;
  }

  /** Byte offset, in h's memory, of host h's snapshot slot for tick `tick` (FULL_TICK: the all-ones set, in every memory). */
  slot(h: number, tick: number): number {
    if (tick === FULL_TICK) return this.fullBase;
    const row = this.segmented ? h % this.segmentHosts : h;
    return this.snapBase + ((tick % this.generations) * this.segmentHosts + row) * this.words * 4;
  }

  /** Int32 index, in h's memory, of the summary of host h's slot for tick `tick`. */
  private summaryAt(h: number, tick: number): number {
    if (tick === FULL_TICK) return (this.fullBase >>> 2) + this.words;
    const row = this.segmented ? h % this.segmentHosts : h;
    return this.summaryBase + ((tick % this.generations) * this.segmentHosts + row) * this.summaryWords;
  }

  /** Blocks of the slot whose summary is at Int32 index `at` of `a` that are not zero. */
  private nonZeroBlocks(a: Int32Array, at: number): number {
    let count = 0;
    for (let k = 0; k < this.summaryWords; k++) count += popcount32(a[at + k]!);
    return count;
  }

  /** Words in block b (the last block may be shorter). */
  private blockWords(b: number): number {
    return Math.min(BLOCK_WORDS, this.words - b * BLOCK_WORDS);
  }

  /**
   * Byte offset, in memory `into`, of sender f's slot of tick `fTick` as a kernel there may read
   * it: the slot itself when it lives in that memory, else this shard's scratch row of that
   * memory, given f's blocks that are not zero (all of them when `dense`; the rest of the row is
   * stale, and no caller reads it).
   */
  private readable(into: number, f: number, fTick: number, dense: boolean): number {
    const from = fTick === FULL_TICK ? into : this.segmentOf(f);
    const src = this.slot(f, fTick);
    if (from === into) return src;
    // A slot a message names stays as it was while messages may name it (set-store.ts).
    if (this.stagedF === f && this.stagedTick === fTick && this.stagedInto === into && (this.stagedDense || !dense)) return this.scratchBase;
    this.stagedF = f;
    this.stagedTick = fTick;
    this.stagedInto = into;
    this.stagedDense = dense;
    const a = this.memoryOf[from]!;
    const dst = this.memoryOf[into]!;
    const s = src >>> 2;
    const scratch = this.scratchBase >>> 2;
    if (dense) {
      dst.set(a.subarray(s, s + this.words), scratch);
      return this.scratchBase;
    }
    const sSrc = this.summaryAt(f, fTick);
    for (let k = 0; k < this.summaryWords; k++) {
      let w = a[sSrc + k]!;
      while (w !== 0) {
        const low = w & -w;
        const at = (k * 32 + (31 - Math.clz32(low))) * BLOCK_WORDS;
        // Blocks are 32 words: a short loop costs less than a view and a memcpy.
        const end = Math.min(at + BLOCK_WORDS, this.words);
        for (let i = at; i < end; i++) dst[scratch + i] = a[s + i]!;
        w ^= low;
      }
    }
    return this.scratchBase;
  }

  /** The memory holding sender f's summary of tick `fTick` when read from memory `into`. */
  private summaryMemory(into: number, f: number, fTick: number): Int32Array {
    return this.memoryOf[fTick === FULL_TICK ? into : this.segmentOf(f)]!;
  }

  /**
   * Copies host h's slot of tick `from` to its slot of tick `to`. The target holds a set from G
   * ticks ago: blocks not zero in either summary are copied (a zero source block clears it).
   */
  copySlot(h: number, from: number, to: number): void {
    const m = this.segmentOf(h);
    const a = this.memoryOf[m]!;
    const kernels = this.kernelsOf[m]!;
    const src = this.slot(h, from);
    const dst = this.slot(h, to);
    const sSrc = this.summaryAt(h, from);
    const sDst = this.summaryAt(h, to);
    if (this.nonZeroBlocks(a, sSrc) * 2 >= this.blocks) {
      kernels.copyWords(dst, src, this.words);
    } else {
      for (let k = 0; k < this.summaryWords; k++) {
        let w = a[sSrc + k]! | a[sDst + k]!;
        while (w !== 0) {
          const low = w & -w;
          const b = k * 32 + (31 - Math.clz32(low));
          kernels.copyWords(dst + b * BLOCK_BYTES, src + b * BLOCK_BYTES, this.blockWords(b));
          w ^= low;
        }
      }
    }
    for (let k = 0; k < this.summaryWords; k++) a[sDst + k] = a[sSrc + k]!;
  }

  /**
   * ORs sender f's slot of tick `fTick` into h's slot of tick `hTick`; returns the ids added. A
   * sparse sender (most of push's early ticks, when every host pushes its two ids to the seed)
   * costs its non-zero blocks, not the whole set.
   */
  mergeSlot(h: number, hTick: number, f: number, fTick: number): number {
    const m = this.segmentOf(h);
    const a = this.memoryOf[m]!;
    const kernels = this.kernelsOf[m]!;
    const fa = this.summaryMemory(m, f, fTick);
    const sSrc = this.summaryAt(f, fTick);
    const dense = this.nonZeroBlocks(fa, sSrc) * 2 >= this.blocks;
    const src = this.readable(m, f, fTick, dense);
    const dst = this.slot(h, hTick);
    const sDst = this.summaryAt(h, hTick);
    let added = 0;
    if (dense) {
      added = kernels.orIntoCount(dst, src, this.words);
      this.changedCount = -1;
    } else {
      let changed = 0;
      for (let k = 0; k < this.summaryWords; k++) {
        let w = fa[sSrc + k]!;
        while (w !== 0) {
          const low = w & -w;
          const b = k * 32 + (31 - Math.clz32(low));
          const more = kernels.orIntoCount(dst + b * BLOCK_BYTES, src + b * BLOCK_BYTES, this.blockWords(b));
          if (more !== 0) {
            added += more;
            this.changedBlocks[changed++] = b;
          }
          w ^= low;
        }
      }
      this.changedCount = changed;
    }
    for (let k = 0; k < this.summaryWords; k++) a[sDst + k]! |= fa[sSrc + k]!;
    this.stagedF = -1;
    return added;
  }

  /**
   * Whether sender f's slot of tick `fTick` holds an id that h's slot of tick `hTick` lacks (a
   * sparse sender costs its non-zero blocks only).
   */
  anyNewSlot(h: number, hTick: number, f: number, fTick: number): boolean {
    const m = this.segmentOf(h);
    const kernels = this.kernelsOf[m]!;
    const fa = this.summaryMemory(m, f, fTick);
    const sSrc = this.summaryAt(f, fTick);
    const dense = this.nonZeroBlocks(fa, sSrc) * 2 >= this.blocks;
    const src = this.readable(m, f, fTick, dense);
    const dst = this.slot(h, hTick);
    if (dense) return kernels.anyNew(src, dst, this.words) !== 0;
    for (let k = 0; k < this.summaryWords; k++) {
      let w = fa[sSrc + k]!;
      while (w !== 0) {
        const low = w & -w;
        const b = k * 32 + (31 - Math.clz32(low));
        if (kernels.anyNew(src + b * BLOCK_BYTES, dst + b * BLOCK_BYTES, this.blockWords(b)) !== 0) return true;
        w ^= low;
      }
    }
    return false;
  }

  /**
   * Writes a patch of host h's slot of tick `tick` to `row` from Int32 index `at`: for each of
   * `blocks[0 .. count)`, its index and then its words (PATCH_ENTRY_WORDS per block).
   */
  copyBlocksOut(h: number, tick: number, blocks: Int32Array, from: number, count: number, row: Int32Array, at: number): void {
    const a = this.memoryOf[this.segmentOf(h)]!;
    const src = this.slot(h, tick) >>> 2;
    for (let i = 0; i < count; i++, at += PATCH_ENTRY_WORDS) {
      const b = blocks[from + i]!;
      row[at] = b;
      const start = src + b * BLOCK_WORDS;
      const end = start + this.blockWords(b);
      // Blocks are 32 words: a short loop costs less than a view and a memcpy.
      for (let w = start, o = at + 1; w < end; w++, o++) row[o] = a[w]!;
    }
  }

  /**
   * Applies the patch of `count` blocks at Int32 index `at` of `row` (see `copyBlocksOut`) to the
   * set `stageRow` staged for receiver h: staged, the two give the set the patch froze.
   */
  stagePatch(h: number, row: Int32Array, at: number, count: number): void {
    const a = this.memoryOf[this.segmentOf(h)]!;
    const scratch = this.scratchBase >>> 2;
    for (let i = 0; i < count; i++, at += PATCH_ENTRY_WORDS) {
      const b = row[at]!;
      const start = scratch + b * BLOCK_WORDS;
      const end = start + this.blockWords(b);
      for (let w = start, o = at + 1; w < end; w++, o++) a[w] = row[o]!;
    }
  }

  /** Copies host h's slot of tick `tick` into `row` from Int32 index `base` (another buffer; one memcpy, allocates a view). */
  copySlotOut(h: number, tick: number, row: Int32Array, base: number): void {
    const src = this.slot(h, tick) >>> 2;
    row.set(this.memoryOf[this.segmentOf(h)]!.subarray(src, src + this.words), base);
  }

  /**
   * Brings the set in `row` from Int32 index `base` (another buffer) into this shard's scratch
   * space of receiver h's state memory, so the SIMD kernels can read it; returns its byte offset,
   * or -1 when the scratch row is too small for a set (fewer hosts than set words: tiny runs).
   * One memcpy; allocates a view.
   */
  stageRow(h: number, row: Int32Array, base: number): number {
    if (this.words > this.hosts) return -1;
    this.stagedF = -1;
    this.memoryOf[this.segmentOf(h)]!.set(row.subarray(base, base + this.words), this.scratchBase >>> 2);
    return this.scratchBase;
  }

  /** Whether the set in `row` (staged at `staged` for h, or -1) holds an id that h's slot of tick `tick` lacks. */
  anyNewFromRow(h: number, tick: number, row: Int32Array, base: number, staged: number): boolean {
    const m = this.segmentOf(h);
    const dst = this.slot(h, tick);
    if (staged >= 0) return this.kernelsOf[m]!.anyNew(staged, dst, this.words) !== 0;
    const a = this.memoryOf[m]!;
    const d = dst >>> 2;
    for (let w = 0; w < this.words; w++) if ((row[base + w]! & ~a[d + w]!) !== 0) return true;
    return false;
  }

  /**
   * ORs the set in `row` (staged at `staged` for h, or -1) into h's slot of tick `tick`; returns
   * the ids added. A staged merge marks every block of the slot's summary (a superset of its
   * non-zero blocks is all the summary promises; rows are copies of sets mid-run, mostly dense).
   */
  orRowInto(h: number, tick: number, row: Int32Array, base: number, staged: number): number {
    const m = this.segmentOf(h);
    const a = this.memoryOf[m]!;
    if (staged >= 0) {
      const added = this.kernelsOf[m]!.orIntoCount(this.slot(h, tick), staged, this.words);
      if (added !== 0) a.fill(-1, this.summaryAt(h, tick), this.summaryAt(h, tick) + this.summaryWords);
      return added;
    }
    const dst = this.slot(h, tick) >>> 2;
    let added = 0;
    for (let w = 0; w < this.words; w++) {
      const fresh = row[base + w]! & ~a[dst + w]!;
      if (fresh === 0) continue;
      added += popcount32(fresh);
      a[dst + w] = a[dst + w]! | fresh;
      this.markBlock(h, tick, w >>> BLOCK_SHIFT);
    }
    return added;
  }

  /** Fills the all-ones set that complete hosts' messages name, in every state memory (once, before tick 0). */
  initFull(): void {
    const start = this.fullBase >>> 2;
    for (const a of this.memoryOf) a.fill(-1, start, start + this.words + this.summaryWords);
  }

  /** Word `w` of host h's slot of tick `tick`. */
  slotWord(h: number, tick: number, w: number): number {
    return this.memoryOf[this.segmentOf(h)]![(this.slot(h, tick) >>> 2) + w]!;
  }

  /** Sets the bit of `x` in host h's slot of tick `tick` (initial state). */
  setSlotBit(h: number, tick: number, x: number): void {
    this.memoryOf[this.segmentOf(h)]![(this.slot(h, tick) >>> 2) + (x >>> 5)]! |= 1 << (x & 31);
    this.markBlock(h, tick, (x >>> 5) >>> BLOCK_SHIFT);
  }

  /** Empties host h's slot of tick `tick` (its words and block summary). */
  clearSlot(h: number, tick: number): void {
    const a = this.memoryOf[this.segmentOf(h)]!;
    const at = this.slot(h, tick) >>> 2;
    a.fill(0, at, at + this.words);
    const summary = this.summaryAt(h, tick);
    a.fill(0, summary, summary + this.summaryWords);
  }

  /** Sets the padding bits (ids >= N) of host h's slot of tick `tick`. */
  padSlot(h: number, tick: number): void {
    padBitset(this.memoryOf[this.segmentOf(h)]!, this.slot(h, tick) >>> 2, this.hosts, this.words);
    // Padding lives in the blocks from the one holding id N onwards.
    for (let b = (this.hosts >>> 5) >>> BLOCK_SHIFT; b < this.blocks; b++) this.markBlock(h, tick, b);
  }

  private markBlock(h: number, tick: number, b: number): void {
    this.memoryOf[this.segmentOf(h)]![this.summaryAt(h, tick) + (b >>> 5)]! |= 1 << (b & 31);
  }

  /** Set mode: the `index`-th id of host h's slot of tick `tick`, without h itself. */
  selectInSlot(h: number, tick: number, index: number): number {
    return this.selectExcluding(this.kernelsOf[this.segmentOf(h)]!, this.slot(h, tick), h, index);
  }

  /** Log mode: the `index`-th id (ascending, from 0) of K(h) without h itself. */
  selectKnown(h: number, index: number): number {
    return this.selectExcluding(this.kernels, this.knownBase + h * this.words * 4, h, index);
  }

  /**
   * The `index`-th set bit, ascending, of the set at byte offset `ptr`, skipping bit h (which is
   * set: a host knows itself): the index-th bit if it lies below h, else the next one.
   */
  private selectExcluding(kernels: BitsetKernels, ptr: number, h: number, index: number): number {
    const x = kernels.selectNth(ptr, this.words, index);
    const id = x >= 0 && x < h ? x : kernels.selectNth(ptr, this.words, index + 1);
    if (id < 0 || id >= this.hosts) throw new RangeError(`selectKnown: host ${h} has no known host number ${index}`);
    return id;
  }
}

/** Sets the bits of ids n .. 32*words-1 of the bitset at Int32 index `base`. */
export function padBitset(a: Int32Array, base: number, n: number, words: number): void {
  const padWord = n >>> 5;
  if ((n & 31) !== 0) a[base + padWord]! |= ~((1 << (n & 31)) - 1);
  for (let w = padWord + ((n & 31) !== 0 ? 1 : 0); w < words; w++) a[base + w] = -1;
}
