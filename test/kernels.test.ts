// The WebAssembly SIMD kernels and the JS fallback agree with each other and with a per-bit
// reference. Needs dist/bitset.wasm and dist/src/kernels/bitset.js: run `npm run build` first.
// Random bitsets come from the SPEC.md hash; set KERNELS_SEED to replay a failing seed.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { mix32 } from '../src/hash.js';
import { jsKernels } from '../src/kernels/bitset-js.js';
import {
  MAX_MEMORY_BYTES,
  createSharedMemory,
  loadWasmKernels,
  type BitsetKernels,
  type WasmMemory,
} from '../src/kernels/bitset.js';

const SEED = Number(process.env['KERNELS_SEED'] ?? 0x5eed);
const LENGTHS = [1, 3, 4, 5, 31, 100, 1027] as const;
/** Byte shifts of every pointer: 0 keeps the 16-byte alignment callers use; 4 checks unaligned access. */
const SHIFTS = [0, 4] as const;

type Pattern = 'zeros' | 'ones' | 'dense' | 'sparse';
/** (a, b): a is src / cand, b is dst / known. */
const PATTERN_PAIRS: readonly (readonly [Pattern, Pattern])[] = [
  ['dense', 'dense'],
  ['sparse', 'dense'],
  ['sparse', 'sparse'],
  ['dense', 'zeros'],
  ['ones', 'zeros'],
  ['zeros', 'ones'],
  ['ones', 'ones'],
  ['zeros', 'zeros'],
  ['ones', 'sparse'],
];

// Memory layout of the agreement tests (byte offsets; every slot starts 16-byte aligned).
const SLOT_BYTES = 8192; // > 1027 words + guards
const SLOT_A = 0; // src / cand
const SLOT_B = 1; // dst / known
const SLOT_SCRATCH = 2; // dst copy a kernel writes to
const OUT_BYTES = 160 * 1024; // >= 1027 * 32 ids
const OUT = 4 * SLOT_BYTES;
const GUARD = 0x5a5a_a5a5;
const MEMORY_BYTES = OUT + OUT_BYTES + 64;

const memory = createSharedMemory(MEMORY_BYTES);
const u32 = new Uint32Array(memory.buffer);
const implementations: readonly (readonly [string, BitsetKernels])[] = [
  ['wasm', loadWasmKernels(memory)],
  ['js', jsKernels(memory)],
];

interface Case {
  readonly words: number;
  readonly a: Pattern;
  readonly b: Pattern;
  readonly shift: number;
  readonly label: string;
}

const CASES: readonly Case[] = LENGTHS.flatMap((words) =>
  SHIFTS.flatMap((shift) =>
    PATTERN_PAIRS.map(([a, b]) => ({
      words,
      a,
      b,
      shift,
      label: `${words} words, ${a} / ${b}, pointers +${shift} bytes, seed ${SEED}`,
    })),
  ),
);

function word(pattern: Pattern, salt: number, i: number): number {
  const r = (k: number): number => mix32(mix32(SEED ^ mix32(salt)) ^ Math.imul(i, 4) ^ k);
  switch (pattern) {
    case 'zeros':
      return 0;
    case 'ones':
      return 0xffff_ffff;
    case 'dense':
      return r(0);
    case 'sparse': // each bit set with probability 1/32
      return (r(0) & r(1) & r(2) & r(3) & r(4)) >>> 0;
  }
}

/** Byte offset of slot s for case c; guard words fill the slot around the bitset. */
function slot(s: number, c: Case): number {
  return s * SLOT_BYTES + 16 + c.shift;
}

/** Fills slots A and B with the case's patterns and guards, and copies B into the scratch slot. */
function setUp(c: Case, salt: number): void {
  u32.fill(GUARD, 0, OUT / 4);
  const a = slot(SLOT_A, c) / 4;
  const b = slot(SLOT_B, c) / 4;
  for (let i = 0; i < c.words; i++) {
    u32[a + i] = word(c.a, salt * 2, i);
    u32[b + i] = word(c.b, salt * 2 + 1, i);
  }
  u32.copyWithin(slot(SLOT_SCRATCH, c) / 4, b, b + c.words);
}

function words(ptr: number, count: number): number[] {
  return Array.from(u32.subarray(ptr / 4, ptr / 4 + count));
}

function bit(ptr: number, id: number): number {
  return (u32[ptr / 4 + (id >>> 5)]! >>> (id & 31)) & 1;
}

/** Checks the 4 words before and after the bitset at ptr still hold the guard. */
function expectGuards(ptr: number, count: number, label: string): void {
  expect(words(ptr - 16, 4), `guard before, ${label}`).toEqual([GUARD, GUARD, GUARD, GUARD]);
  expect(words(ptr + count * 4, 4), `guard after, ${label}`).toEqual([GUARD, GUARD, GUARD, GUARD]);
}

describe('bitset kernels (wasm SIMD and JS) against a per-bit reference', () => {
  it('orInto sets dst to dst | src and writes nothing past the last word', () => {
    CASES.forEach((c, n) => {
      for (const [name, k] of implementations) {
        setUp(c, n);
        const src = slot(SLOT_A, c);
        const before = slot(SLOT_B, c);
        const dst = slot(SLOT_SCRATCH, c);
        k.orInto(dst, src, c.words);
        const expected = words(before, c.words).map((w, i) => (w | u32[src / 4 + i]!) >>> 0);
        expect(words(dst, c.words), `${name}, ${c.label}`).toEqual(expected);
        expectGuards(dst, c.words, `${name}, ${c.label}`);
        expect(words(src, c.words), `src untouched, ${name}, ${c.label}`).toEqual(
          Array.from({ length: c.words }, (_, i) => word(c.a, n * 2, i)),
        );
      }
    });
  });

  it('orIntoCount merges like orInto and returns the number of bits newly set', () => {
    CASES.forEach((c, n) => {
      for (const [name, k] of implementations) {
        setUp(c, n);
        const src = slot(SLOT_A, c);
        const before = slot(SLOT_B, c);
        const dst = slot(SLOT_SCRATCH, c);
        let expectedCount = 0;
        for (let id = 0; id < c.words * 32; id++) {
          if (bit(src, id) === 1 && bit(before, id) === 0) expectedCount++;
        }
        const count = k.orIntoCount(dst, src, c.words);
        expect(count, `${name}, ${c.label}`).toBe(expectedCount);
        const expected = words(before, c.words).map((w, i) => (w | u32[src / 4 + i]!) >>> 0);
        expect(words(dst, c.words), `${name}, ${c.label}`).toEqual(expected);
        expectGuards(dst, c.words, `${name}, ${c.label}`);
      }
    });
  });

  it('popcount counts the set bits', () => {
    CASES.forEach((c, n) => {
      setUp(c, n);
      const ptr = slot(SLOT_A, c);
      let expected = 0;
      for (let id = 0; id < c.words * 32; id++) expected += bit(ptr, id);
      for (const [name, k] of implementations) {
        expect(k.popcount(ptr, c.words), `${name}, ${c.label}`).toBe(expected);
      }
    });
  });

  it('andNotIds writes the ids of cand & ~known in ascending order, for whole and partial word ranges', () => {
    CASES.forEach((c, n) => {
      setUp(c, n);
      const cand = slot(SLOT_A, c);
      const known = slot(SLOT_B, c);
      const out = OUT + c.shift;
      const ranges = (
        [
          [0, c.words],
          [1, c.words],
          [c.words >>> 1, c.words],
          [3, c.words - 2],
          [c.words, c.words],
          [c.words, 0], // from > to: nothing
        ] as const
      ).filter(([from, to]) => from >= 0 && to >= 0 && from <= c.words && to <= c.words);
      for (const [from, to] of ranges) {
        const expected: number[] = [];
        for (let id = from * 32; id < to * 32; id++) {
          if (bit(cand, id) === 1 && bit(known, id) === 0) expected.push(id);
        }
        for (const [name, k] of implementations) {
          const label = `${name}, words [${from}, ${to}), ${c.label}`;
          u32.fill(GUARD, OUT / 4, (OUT + OUT_BYTES) / 4);
          const count = k.andNotIds(cand, known, from, to, out);
          expect(count, label).toBe(expected.length);
          expect(words(out, count), label).toEqual(expected);
          expect(words(out + count * 4, 4), `nothing written past the last id, ${label}`).toEqual([
            GUARD,
            GUARD,
            GUARD,
            GUARD,
          ]);
        }
      }
    });
  });

  it('anyNew is 1 exactly when cand has a bit that known lacks', () => {
    CASES.forEach((c, n) => {
      setUp(c, n);
      const cand = slot(SLOT_A, c);
      const known = slot(SLOT_B, c);
      let expected = 0;
      for (let id = 0; id < c.words * 32 && expected === 0; id++) {
        if (bit(cand, id) === 1 && bit(known, id) === 0) expected = 1;
      }
      for (const [name, k] of implementations) {
        expect(k.anyNew(cand, known, c.words), `${name}, ${c.label}`).toBe(expected);
      }
    });
  });

  it('anyNew finds a single new bit in any word, vector lane or tail', () => {
    for (const count of LENGTHS) {
      const c: Case = { words: count, a: 'zeros', b: 'ones', shift: 0, label: `${count} words` };
      setUp(c, 0);
      const cand = slot(SLOT_A, c);
      const known = slot(SLOT_B, c);
      for (let w = 0; w < count; w++) {
        const id = w * 32 + ((w * 7) & 31);
        u32[cand / 4 + w] = 1 << (id & 31);
        u32[known / 4 + w] = ~(1 << (id & 31)) >>> 0;
        for (const [name, k] of implementations) {
          expect(k.anyNew(cand, known, count), `${name}, new id ${id}, ${c.label}`).toBe(1);
        }
        u32[known / 4 + w] = 0xffff_ffff;
      }
    }
  });

  it('copyWords copies exactly the given words', () => {
    CASES.forEach((c, n) => {
      for (const [name, k] of implementations) {
        setUp(c, n);
        const src = slot(SLOT_A, c);
        const dst = slot(SLOT_SCRATCH, c);
        k.copyWords(dst, src, c.words);
        expect(words(dst, c.words), `${name}, ${c.label}`).toEqual(words(src, c.words));
        expectGuards(dst, c.words, `${name}, ${c.label}`);
      }
    });
  });
});

describe('selectNth (wasm SIMD and JS) against a per-bit reference', () => {
  const SELECT_LENGTHS = [1, 3, 4, 5, 31, 100, 1027, 3125] as const;
  const SELECT_PATTERNS: readonly Pattern[] = ['sparse', 'dense', 'ones', 'zeros'];
  /** Every multiple of 4 bytes modulo 16, so vector loads start at each word of a 16-byte line. */
  const SELECT_SHIFTS = [0, 4, 8, 12] as const;
  // Own memory: 3,125 words do not fit a slot above. The bitset starts at byte 64 + shift and is
  // surrounded by all-ones words, so a kernel that reads outside it finds extra bits.
  const BASE = 64;
  const selectMemory = createSharedMemory(BASE + 3125 * 4 + 128);
  const view = new Uint32Array(selectMemory.buffer);
  const selectImplementations: readonly (readonly [string, BitsetKernels])[] = [
    ['wasm', loadWasmKernels(selectMemory)],
    ['js', jsKernels(selectMemory)],
  ];

  it('returns the id of set bit number index for every index, and -1 from index = popcount on', () => {
    let n = 0;
    for (const count of SELECT_LENGTHS) {
      for (const pattern of SELECT_PATTERNS) {
        for (const shift of SELECT_SHIFTS) {
          n++;
          view.fill(0xffff_ffff);
          const ptr = BASE + shift;
          for (let i = 0; i < count; i++) view[ptr / 4 + i] = word(pattern, 1000 + n, i);
          const ids: number[] = [];
          for (let id = 0; id < count * 32; id++) {
            if (((view[ptr / 4 + (id >>> 5)]! >>> (id & 31)) & 1) === 1) ids.push(id);
          }
          const label = `${count} words, ${pattern}, pointer +${shift} bytes, seed ${SEED}`;
          if (pattern === 'ones') expect(ids.length, label).toBe(count * 32);
          if (pattern === 'zeros') expect(ids.length, label).toBe(0);
          const beyond = [ids.length, ids.length + 1, ids.length + 32, 0x7fff_ffff, 0xffff_ffff, -1];
          for (const [name, k] of selectImplementations) {
            // One expect per case: the first disagreement, if any (per-index expects are slow).
            let mismatch: { index: number; got: number; expected: number } | undefined;
            for (let index = 0; index < ids.length && mismatch === undefined; index++) {
              const got = k.selectNth(ptr, count, index);
              if (got !== ids[index]) mismatch = { index, got, expected: ids[index]! };
            }
            for (const index of beyond) {
              if (mismatch !== undefined) break;
              const got = k.selectNth(ptr, count, index);
              if (got !== -1) mismatch = { index, got, expected: -1 };
            }
            expect(mismatch, `${name}, ${label}`).toBeUndefined();
          }
        }
      }
    }
  });

  it('finds a single set bit at every position of every word, vector, step and tail', () => {
    // wasm: two 32-word steps (words 0-15 counted in SIMD, 16-31 with i64.popcnt) and a 21-word tail
    const count = 85;
    view.fill(0xffff_ffff);
    for (const shift of SELECT_SHIFTS) {
      const ptr = BASE + shift;
      view.fill(0, ptr / 4, ptr / 4 + count);
      for (let id = 0; id < count * 32; id++) {
        view[ptr / 4 + (id >>> 5)] = (1 << (id & 31)) >>> 0;
        for (const [name, k] of selectImplementations) {
          const label = `${name}, only id ${id}, pointer +${shift} bytes`;
          expect(k.selectNth(ptr, count, 0), label).toBe(id);
          expect(k.selectNth(ptr, count, 1), label).toBe(-1);
        }
        view[ptr / 4 + (id >>> 5)] = 0;
      }
    }
  });

  it('returns -1 for an empty range (0 words) whatever surrounds it', () => {
    view.fill(0xffff_ffff);
    for (const [name, k] of selectImplementations) {
      expect(k.selectNth(BASE, 0, 0), name).toBe(-1);
      expect(k.selectNth(BASE + 4, 0, 5), name).toBe(-1);
    }
  });
});

describe('shared memory', () => {
  it('createSharedMemory refuses sizes over 4 GiB and non-integers with a RangeError', () => {
    expect(() => createSharedMemory(MAX_MEMORY_BYTES + 1)).toThrow(RangeError);
    expect(() => createSharedMemory(-1)).toThrow(/bytes: got -1/);
    expect(() => createSharedMemory(1.5)).toThrow(RangeError);
    expect(() => createSharedMemory(Number.NaN)).toThrow(RangeError);
  });

  it('createSharedMemory rounds up to whole pages, at least one, and returns a SharedArrayBuffer', () => {
    expect(createSharedMemory(0).buffer.byteLength).toBe(65536);
    expect(createSharedMemory(65537).buffer.byteLength).toBe(2 * 65536);
    expect(createSharedMemory(65537).buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('kernels reach the last words of a full 4 GiB memory (pointers above 2^31)', () => {
    let big: WasmMemory;
    try {
      big = createSharedMemory(MAX_MEMORY_BYTES);
    } catch (error) {
      // Only address space is reserved; a process under `ulimit -v` cannot, which is not a kernel bug.
      console.warn(`skipped: could not reserve 4 GiB (${String(error)})`);
      return;
    }
    const view = new Uint32Array(big.buffer);
    const dst = MAX_MEMORY_BYTES - 64; // the last 16 words: dst + 4 * words is exactly 2^32
    const src = MAX_MEMORY_BYTES - 128;
    for (const [name, k] of [
      ['wasm', loadWasmKernels(big)],
      ['js', jsKernels(big)],
    ] as const) {
      view.fill(0, src / 4);
      view.fill(0x8000_0001, src / 4, dst / 4);
      expect(k.orIntoCount(dst, src, 16), name).toBe(32);
      expect(Array.from(view.subarray(dst / 4)), name).toEqual(new Array<number>(16).fill(0x8000_0001));
      expect(k.popcount(dst, 16), name).toBe(32);
      expect(k.anyNew(src, dst, 16), name).toBe(0);
      expect(k.selectNth(dst, 16, 0), name).toBe(0);
      expect(k.selectNth(dst, 16, 31), name).toBe(15 * 32 + 31);
      expect(k.selectNth(dst, 16, 32), name).toBe(-1);
    }
  });

  it('orInto run in a worker on a memory created in main is visible to main', async () => {
    const shared = createSharedMemory(65536);
    const view = new Uint32Array(shared.buffer);
    const flag = new Int32Array(shared.buffer, 0, 1);
    const dst = 64;
    const src = 64 + 16 * 8;
    const count = 7; // one vector and a 3-word tail
    for (let i = 0; i < count; i++) {
      view[dst / 4 + i] = 1 << i;
      view[src / 4 + i] = 0x100 << i;
    }
    // The compiled module, not the .ts source: a worker cannot load TypeScript without a loader.
    const kernelsUrl = new URL('../dist/src/kernels/bitset.js', import.meta.url).href;
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.kernelsUrl).then(({ loadWasmKernels }) => {
         const { memory, dst, src, count } = workerData;
         loadWasmKernels(memory).orInto(dst, src, count);
         // Release: the plain wasm stores above happen-before this store, which main reads with
         // Atomics.load, so main then sees every word the kernel wrote.
         Atomics.store(new Int32Array(memory.buffer, 0, 1), 0, 1);
         parentPort.postMessage('done');
       });`,
      { eval: true, workerData: { memory: shared, kernelsUrl, dst, src, count } },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before finishing`)));
      });
    } finally {
      await worker.terminate();
    }
    expect(Atomics.load(flag, 0)).toBe(1); // acquire: pairs with the worker's Atomics.store
    expect(Array.from(view.subarray(dst / 4, dst / 4 + count))).toEqual(
      Array.from({ length: count }, (_, i) => ((1 << i) | (0x100 << i)) >>> 0),
    );
    expect(view[dst / 4 + count]).toBe(0);
  });
});
