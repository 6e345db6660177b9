/**
 * The bitset operations a shard needs, over the shared state memory: the and-not scan of a
 * checkpoint against a receiver's known set, checkpoint copies and rank selection. Bulk word work
 * goes to the WebAssembly SIMD kernels when they load, else to the plain JS kernels.
 */
import { loadWasmKernels, type BitsetKernels, type WasmMemory } from '../../kernels/bitset.js';
import { jsKernels } from '../../kernels/bitset-js.js';
import type { StateLayout } from './layout.js';

/** Popcount of a 32-bit word. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Per-shard bitset operations with their scratch space. */
export class BitsetOps {
  private readonly kernels: BitsetKernels;
  private readonly known: Int32Array;
  private readonly words: number;
  private readonly knownBase: number;
  private readonly ckptBase: number;
  private readonly snapBase: number;
  private readonly hosts: number;
  private readonly generations: number;
  private readonly memoryI32: Int32Array;
  private readonly scratchBase: number;
  /** Output of `andNotIds`: ids, ascending. A view on this shard's SCRATCH row. */
  readonly scratchIds: Int32Array;
  /** Sort keys for `appendInLogOrder`, one per host. */
  readonly sortKeys: Float64Array;
  /** Which kernels run: 'wasm' or 'js'. */
  readonly kind: 'wasm' | 'js';

  constructor(memory: WasmMemory, state: StateLayout, shard: number) {
    let kernels: BitsetKernels;
    let kind: 'wasm' | 'js' = 'wasm';
    try {
      kernels = loadWasmKernels(memory);
    } catch {
      kernels = jsKernels(memory);
      kind = 'js';
    }
    this.kernels = kernels;
    this.kind = kind;
    const buffer = memory.buffer as unknown as SharedArrayBuffer;
    this.words = state.words;
    this.known = new Int32Array(buffer, state.known, state.mode === 'log' ? state.hosts * state.words : 0);
    this.knownBase = state.known;
    this.ckptBase = state.ckpt;
    this.snapBase = state.snap;
    this.hosts = state.hosts;
    this.generations = state.generations;
    this.memoryI32 = new Int32Array(buffer);
    this.scratchBase = state.scratch + shard * state.hosts * 4;
    this.scratchIds = new Int32Array(buffer, this.scratchBase, state.hosts);
    this.sortKeys = new Float64Array(state.hosts);
  }

  /**
   * Writes to `scratchIds` the ids in checkpoint `ck` but not in K(h), over words
   * [fromWord, toWord); returns how many.
   */
  andNotIds(ck: number, h: number, fromWord: number, toWord: number): number {
    const bytesPerSet = this.words * 4;
    return this.kernels.andNotIds(this.ckptBase + ck * bytesPerSet, this.knownBase + h * bytesPerSet, fromWord, toWord, this.scratchBase);
  }

  /** Copies K(h) into checkpoint `ck`. */
  checkpoint(ck: number, h: number): void {
    const bytesPerSet = this.words * 4;
    this.kernels.copyWords(this.ckptBase + ck * bytesPerSet, this.knownBase + h * bytesPerSet, this.words);
  }

  // ---- set mode ------------------------------------------------------------------------------

  /** Byte offset of host h's snapshot slot for tick `tick`. */
  slot(h: number, tick: number): number {
    return this.snapBase + ((tick % this.generations) * this.hosts + h) * this.words * 4;
  }

  /** Copies host h's slot of tick `from` to its slot of tick `to`. */
  copySlot(h: number, from: number, to: number): void {
    this.kernels.copyWords(this.slot(h, to), this.slot(h, from), this.words);
  }

  /** ORs sender f's slot of tick `fTick` into h's slot of tick `hTick`; returns the new ids. */
  mergeSlot(h: number, hTick: number, f: number, fTick: number): number {
    return this.kernels.orIntoCount(this.slot(h, hTick), this.slot(f, fTick), this.words);
  }

  /** Word `w` of host h's slot of tick `tick`. */
  slotWord(h: number, tick: number, w: number): number {
    return this.memoryI32[(this.slot(h, tick) >>> 2) + w]!;
  }

  /** Sets the bit of `x` in host h's slot of tick `tick` (initial state). */
  setSlotBit(h: number, tick: number, x: number): void {
    this.memoryI32[(this.slot(h, tick) >>> 2) + (x >>> 5)]! |= 1 << (x & 31);
  }

  /** Sets the padding bits (ids >= N) of host h's slot of tick `tick`. */
  padSlot(h: number, tick: number): void {
    padBitset(this.memoryI32, this.slot(h, tick) >>> 2, this.hosts, this.words);
  }

  /** Set mode: the `index`-th id of host h's slot of tick `tick`, without h itself. */
  selectInSlot(h: number, tick: number, index: number): number {
    return selectExcluding(this.memoryI32, this.slot(h, tick) >>> 2, this.words, h, index);
  }

  /** Log mode: the `index`-th id (ascending, from 0) of K(h) without h itself. */
  selectKnown(h: number, index: number): number {
    return selectExcluding(this.known, h * this.words, this.words, h, index);
  }
}

/** Sets the bits of ids n .. 32*words-1 of the bitset at Int32 index `base`. */
export function padBitset(a: Int32Array, base: number, n: number, words: number): void {
  const padWord = n >>> 5;
  if ((n & 31) !== 0) a[base + padWord]! |= ~((1 << (n & 31)) - 1);
  for (let w = padWord + ((n & 31) !== 0 ? 1 : 0); w < words; w++) a[base + w] = -1;
}

/** The `index`-th set bit of the bitset at Int32 index `base`, not counting bit `h`. */
function selectExcluding(known: Int32Array, base: number, words: number, h: number, index: number): number {
  const hw = h >>> 5;
  let remaining = index;
  for (let w = 0; w < words; w++) {
    let word = known[base + w]!;
    if (w === hw) word &= ~(1 << (h & 31));
    const c = popcount32(word);
    if (remaining < c) {
      for (;;) {
        const low = word & -word;
        if (remaining === 0) return w * 32 + (31 - Math.clz32(low));
        word ^= low;
        remaining--;
      }
    }
    remaining -= c;
  }
  throw new RangeError(`selectKnown: host ${h} has no known host number ${index}`);
}
