/**
 * Micro-benchmark of the bitset kernels: the WebAssembly SIMD build against the naive JS loops,
 * single-threaded, on one shared memory (as the engine uses them).
 *
 *   npm run build && node dist/bench/kernels.js [--quick]
 *
 * GB/s counts the bytes of ONE bitset per second (10^9 bytes): a merge of S bytes moves 3·S
 * (read src, read dst, write dst). Sizes: 12.5 MB (10^8 bits, the 10,000 hosts × 10,000 bits of
 * MEASUREMENTS.md's one-tick figure; fits a server's L3) and 256 MiB (memory-bound). Each row: warm-up, then timed samples of several calls each; median and
 * min–max over the samples. Repeated merges saturate dst after the first call; the kernels are
 * branch-free, so the work per call does not change.
 *
 * selectNth is timed in ns per call on one 3,125-word set (100,000 hosts' bits), as the engine calls
 * it to pick a random known peer: each call takes the next of 4,096 random indexes below the set's
 * popcount, so a call scans half the set on average.
 */
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import { mix32 } from '../src/hash.js';
import { jsKernels } from '../src/kernels/bitset-js.js';
import { createSharedMemory, loadWasmKernels, type BitsetKernels } from '../src/kernels/bitset.js';

const QUICK = process.argv.includes('--quick');
const SIZES = [
  { label: '12.5 MB', bytes: 12_500_000 },
  { label: '256 MiB', bytes: 256 * 1024 * 1024 },
] as const;
/** Densities of cand & ~known for andNotIds (probability that a bit yields an id). */
const ID_DENSITIES = [1 / 1024, 1 / 64] as const;
const SAMPLES = QUICK ? 5 : 15;
/** Shortest timed sample; short calls are repeated within a sample to reach it. */
const MIN_SAMPLE_NS = QUICK ? 5e6 : 20e6;
const WARMUP_NS = QUICK ? 50e6 : 300e6;

/** selectNth: words per set (100,000 bits) and how many random indexes the calls cycle through. */
const SELECT_WORDS = 3125;
const SELECT_INDEXES = 4096;

/** Keeps results alive so no call is optimised away; printed at the end. */
let sink = 0;

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly callsPerSample: number;
}

/** Runs `op` to warm up, then SAMPLES timed samples; returns bytes/ns (= GB/s) statistics. */
function measure(op: () => number, bytesPerCall: number): Stats {
  const warmupEnd = process.hrtime.bigint() + BigInt(WARMUP_NS);
  let calls = 0;
  let started = process.hrtime.bigint();
  while (process.hrtime.bigint() < warmupEnd || calls < 3) {
    sink += op();
    calls++;
  }
  const nsPerCall = Number(process.hrtime.bigint() - started) / calls;
  const callsPerSample = Math.max(1, Math.ceil(MIN_SAMPLE_NS / nsPerCall));
  const rates: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    started = process.hrtime.bigint();
    for (let c = 0; c < callsPerSample; c++) sink += op();
    const ns = Number(process.hrtime.bigint() - started);
    rates.push((bytesPerCall * callsPerSample) / ns);
  }
  rates.sort((a, b) => a - b);
  const mid = rates.length >>> 1;
  const median = rates.length % 2 === 1 ? rates[mid]! : (rates[mid - 1]! + rates[mid]!) / 2;
  return { median, min: rates[0]!, max: rates[rates.length - 1]!, callsPerSample };
}

function row(name: string, stats: Stats, extra = ''): void {
  const f = (x: number): string => x.toFixed(2).padStart(6);
  console.log(
    `  ${name.padEnd(44)} ${f(stats.median)} GB/s  (${f(stats.min)} – ${f(stats.max)})` +
      `  ×${stats.callsPerSample}/sample${extra}`,
  );
}

/** Fills words [from, from + count) with hash output; `keep` picks which random bits survive. */
function fill(view: Uint32Array, from: number, count: number, salt: number, keep: (r: (k: number) => number) => number): void {
  for (let i = 0; i < count; i++) {
    const r = (k: number): number => mix32(mix32(salt) ^ mix32(i) ^ k);
    view[from + i] = keep(r);
  }
}

/** A bit pattern with each bit set with probability 2^-log2: AND of log2 random words. */
function sparseWord(r: (k: number) => number, log2: number): number {
  let x = -1;
  for (let k = 0; k < log2; k++) x &= r(k);
  return x >>> 0;
}

/** Times selectNth over `indexes` in turn; prints the median (min – max) ns per call. */
function selectRow(name: string, k: BitsetKernels, ptr: number, indexes: Int32Array): void {
  let next = 0;
  const stats = measure(() => {
    const id = k.selectNth(ptr, SELECT_WORDS, indexes[next]!);
    next = (next + 1) & (SELECT_INDEXES - 1);
    return id;
  }, 1);
  // measure() gives calls per ns; ns per call is its inverse (the median maps to the median).
  const f = (x: number): string => (1 / x).toFixed(1).padStart(7);
  console.log(
    `  ${name.padEnd(44)} ${f(stats.median)} ns/call  (${f(stats.max)} – ${f(stats.min)})  ×${stats.callsPerSample}/sample`,
  );
}

/** selectNth on one 3,125-word set at two densities, WASM and JS (checked to agree first). */
function benchSelect(): void {
  const ptr = 64;
  const memory = createSharedMemory(ptr + SELECT_WORDS * 4);
  const u32 = new Uint32Array(memory.buffer);
  const wasm = loadWasmKernels(memory);
  const js = jsKernels(memory);
  console.log(`selectNth (${SELECT_WORDS} words, ${SELECT_WORDS * 32} bits; random index below the popcount)`);
  for (const [label, log2] of [
    ['half the bits set', 1],
    ['1 bit in 32 set', 5],
  ] as const) {
    fill(u32, ptr / 4, SELECT_WORDS, 5 + log2, (r) => sparseWord(r, log2));
    const count = wasm.popcount(ptr, SELECT_WORDS);
    const indexes = new Int32Array(SELECT_INDEXES);
    for (let i = 0; i < SELECT_INDEXES; i++) indexes[i] = (mix32(mix32(77) ^ i) >>> 0) % count;
    for (const index of indexes) {
      if (wasm.selectNth(ptr, SELECT_WORDS, index) !== js.selectNth(ptr, SELECT_WORDS, index)) {
        throw new Error(`selectNth: wasm and js disagree at index ${index}`);
      }
    }
    selectRow(`selectNth, ${label}, JS`, js, ptr, indexes);
    selectRow(`selectNth, ${label}, WASM SIMD`, wasm, ptr, indexes);
  }
  console.log('');
}

function main(): void {
  const cpu = cpus()[0];
  console.log(
    `bitset kernels: ${cpu?.model ?? 'unknown CPU'}, ${cpus().length} logical cores ` +
      `(availableParallelism ${availableParallelism()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `Node ${process.version}, ${platform()}/${arch()}${QUICK ? ', --quick' : ''}`,
  );
  console.log(`  GB/s = bytes of one bitset per second; median (min – max) of ${SAMPLES} samples\n`);

  benchSelect();

  for (const size of SIZES) {
    const words = Math.ceil(size.bytes / 64) * 16; // whole 64-byte lines
    const bytes = words * 4;
    // Layout: [src | dst | out], each 64-byte aligned. out holds ids for the densest andNotIds run.
    const src = 0;
    const dst = bytes;
    const out = 2 * bytes;
    const outBytes = Math.ceil((words * 32 * ID_DENSITIES[1] * 1.25 * 4) / 64) * 64;
    const memory = createSharedMemory(out + outBytes);
    const u32 = new Uint32Array(memory.buffer);
    const wasm: BitsetKernels = loadWasmKernels(memory);
    const js: BitsetKernels = jsKernels(memory);

    fill(u32, src / 4, words, 1, (r) => r(0));
    fill(u32, dst / 4, words, 2, (r) => r(0));
    u32.fill(0, out / 4); // first touch outside the timed region

    console.log(`${size.label} (${words} words, ${(bytes / 1e6).toFixed(1)} MB per bitset)`);
    const s = src >>> 2;
    const d = dst >>> 2;
    row('OR-merge, JS Uint32Array loop', measure(() => {
      for (let i = 0; i < words; i++) u32[d + i] = u32[d + i]! | u32[s + i]!;
      return 0;
    }, bytes));
    row('OR-merge, JS Int32Array (jsKernels.orInto)', measure(() => (js.orInto(dst, src, words), 0), bytes));
    row('OR-merge + count, JS (jsKernels.orIntoCount)', measure(() => js.orIntoCount(dst, src, words), bytes));
    row('OR-merge, WASM SIMD or_into', measure(() => (wasm.orInto(dst, src, words), 0), bytes));
    row('OR-merge + count, WASM SIMD or_into_count', measure(() => wasm.orIntoCount(dst, src, words), bytes));
    row('popcount, JS', measure(() => js.popcount(src, words), bytes));
    row('popcount, WASM SIMD', measure(() => wasm.popcount(src, words), bytes));
    row('copy, WASM memory.copy (copy_words)', measure(() => (wasm.copyWords(dst, src, words), 0), bytes));

    // andNotIds: cand dense random, known = everything but sparse holes, so cand & ~known has
    // density/2 of its bits set and most words (or 4-word groups) are zero.
    for (const density of ID_DENSITIES) {
      const log2 = Math.round(-Math.log2(density));
      fill(u32, src / 4, words, 3, (r) => r(99));
      fill(u32, dst / 4, words, 4, (r) => ~sparseWord(r, log2 - 1) >>> 0);
      const ids = wasm.andNotIds(src, dst, 0, words, out);
      if (ids !== js.andNotIds(src, dst, 0, words, out)) throw new Error('andNotIds: wasm and js disagree');
      const idRate = (st: Stats): string => `, ${((st.median * ids) / bytes * 1e3).toFixed(0)} M ids/s`;
      const label = `andNotIds, 1 id per ${Math.round(1 / density)} bits`;
      const jsStats = measure(() => js.andNotIds(src, dst, 0, words, out), bytes);
      row(`${label}, JS`, jsStats, idRate(jsStats));
      const wasmStats = measure(() => wasm.andNotIds(src, dst, 0, words, out), bytes);
      row(`${label}, WASM SIMD`, wasmStats, idRate(wasmStats));
    }
    console.log('');
  }
  console.log(`(sink ${sink})`);
}

main();
