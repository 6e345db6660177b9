/**
 * Bitset kernels on one shared WebAssembly memory: the WebAssembly SIMD build of
 * `bitset.wat` (compiled to `dist/bitset.wasm` by `npm run build`), and the memory it runs on.
 *
 * A bitset is an array of u32 words; bit i of word w is id w*32+i. Every pointer is a byte offset
 * into the memory, 16-byte aligned by convention (unaligned works, slower); word counts need not be
 * multiples of 4. The kernels do plain loads and stores: threads that share the memory must write
 * disjoint words and synchronise through Atomics before reading each other's results.
 *
 * The project's `lib` (ES2023) and @types/node 20 do not declare `WebAssembly`, so the slice of
 * its API used here is typed below, once; nothing else in the project touches `WebAssembly`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The kernels; every pointer is a byte offset into the memory, every length a count of u32 words. */
export interface BitsetKernels {
  /** dst |= src. */
  orInto(dst: number, src: number, words: number): void;
  /** dst |= src; returns the number of bits newly set in dst, i.e. popcount(src & ~dst) before (mod 2^32). */
  orIntoCount(dst: number, src: number, words: number): number;
  /** Writes the ids of the bits of cand & ~known in words [fromWord, toWord) to out, ascending, as u32; returns how many. */
  andNotIds(cand: number, known: number, fromWord: number, toWord: number, out: number): number;
  /** Number of set bits (mod 2^32). */
  popcount(ptr: number, words: number): number;
  /** dst = src (overlapping ranges allowed). */
  copyWords(dst: number, src: number, words: number): void;
  /** 1 if cand & ~known has any bit set, else 0. */
  anyNew(cand: number, known: number, words: number): number;
  /**
   * Id (word*32 + bit) of set bit number `index` (0-based, ascending) of the bitset, or -1 if it has
   * fewer than index + 1 set bits. `index` is read as a u32 (ToUint32: -1 means 2^32 - 1, so -1 out).
   * The bitset must hold fewer than 2^31 bits, so that every id is a non-negative int32.
   */
  selectNth(ptr: number, words: number, index: number): number;
}

/** The part of `WebAssembly.Memory` used here; a real `WebAssembly.Memory` satisfies it. */
export interface WasmMemory {
  /** A SharedArrayBuffer for memories from {@link createSharedMemory}. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Adds pages; never called here (shared memories from this module are created at full size). */
  grow(deltaPages: number): number;
}

declare const wasmModuleBrand: unique symbol;
/** A compiled `WebAssembly.Module` (opaque). */
type WasmModule = { readonly [wasmModuleBrand]: true };

/** The slice of the global `WebAssembly` namespace this module calls. */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => { readonly exports: unknown };
}

/** The raw exports of bitset.wat (i32 results arrive signed). */
interface BitsetExports {
  or_into(dst: number, src: number, words: number): void;
  or_into_count(dst: number, src: number, words: number): number;
  andnot_ids(cand: number, known: number, fromWord: number, toWord: number, out: number): number;
  popcount(ptr: number, words: number): number;
  copy_words(dst: number, src: number, words: number): void;
  any_new(cand: number, known: number, words: number): number;
  select_nth(ptr: number, words: number, index: number): number;
}

const EXPORT_NAMES = [
  'or_into',
  'or_into_count',
  'andnot_ids',
  'popcount',
  'copy_words',
  'any_new',
  'select_nth',
] as const;

/** Bytes per WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;
/** Largest wasm32 memory, 65536 pages; also the `maximum` that bitset.wat's memory import declares. */
export const MAX_MEMORY_BYTES = 65536 * WASM_PAGE_BYTES;

/**
 * Where dist/bitset.wasm sits relative to this file: from dist/src/kernels/bitset.js (compiled),
 * from src/kernels/bitset.ts (tsx, vitest) and from dist/workers/shard-bundle.js (this module
 * bundled into the shard worker: scripts/bundle-worker.mjs).
 */
const WASM_CANDIDATES = ['../../bitset.wasm', '../../dist/bitset.wasm', '../bitset.wasm'] as const;

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Compiled once per thread (each worker has its own module cache); instantiating is cheap. */
let cachedModule: WasmModule | undefined;

function wasmModule(): WasmModule {
  if (cachedModule !== undefined) return cachedModule;
  const tried: string[] = [];
  for (const candidate of WASM_CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        tried.push(path);
        continue;
      }
      throw new Error(`could not read the bitset kernels at ${path}`, { cause: error });
    }
    try {
      cachedModule = new wasmApi.Module(bytes);
    } catch (error) {
      throw new Error(`${path} is not a valid WebAssembly module; rebuild it with \`npm run build\``, {
        cause: error,
      });
    }
    return cachedModule;
  }
  throw new Error(`bitset.wasm not found (looked at ${tried.join(', ')}); run \`npm run build\` to compile it`);
}

/**
 * Instantiates the SIMD kernels on `memory`, which must be shared (see {@link createSharedMemory}).
 * Synchronous; reads and compiles dist/bitset.wasm on the first call in each thread.
 */
export function loadWasmKernels(memory: WasmMemory): BitsetKernels {
  if (!(memory.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('loadWasmKernels: memory must be a shared WebAssembly.Memory (use createSharedMemory)');
  }
  const instance = new wasmApi.Instance(wasmModule(), { env: { memory } });
  const exports = instance.exports as Record<string, unknown>;
  for (const name of EXPORT_NAMES) {
    if (typeof exports[name] !== 'function') {
      throw new Error(`bitset.wasm lacks the export ${name}; rebuild it with \`npm run build\``);
    }
  }
  const raw = exports as unknown as BitsetExports;
  const orIntoCount = raw.or_into_count;
  const popcount = raw.popcount;
  // Exports without a result that needs >>> 0 are handed out as they are: no wrapper per call.
  return {
    orInto: raw.or_into,
    orIntoCount: (dst, src, words) => orIntoCount(dst, src, words) >>> 0,
    andNotIds: raw.andnot_ids,
    popcount: (ptr, words) => popcount(ptr, words) >>> 0,
    copyWords: raw.copy_words,
    anyNew: raw.any_new,
    // Ids are below 2^31 and "none" is -1, so the signed i32 result is the answer as it is.
    selectNth: raw.select_nth,
  };
}

/**
 * A shared WebAssembly memory of at least `bytes` bytes (whole 64 KiB pages, at least one), created
 * at full size (initial = maximum), so its buffer never changes and views over it stay valid.
 * Pages are committed on first touch, not here.
 */
export function createSharedMemory(bytes: number): WasmMemory {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_MEMORY_BYTES) {
    throw new RangeError(
      `createSharedMemory: bytes: got ${String(bytes)}, expected an integer from 0 to ${MAX_MEMORY_BYTES} (4 GiB, the wasm32 limit)`,
    );
  }
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  try {
    return new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
  } catch (error) {
    throw new Error(
      `could not reserve ${pages * WASM_PAGE_BYTES} bytes of shared WebAssembly memory; use fewer hosts or free memory`,
      { cause: error },
    );
  }
}
