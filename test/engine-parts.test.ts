/**
 * The parallel engine's parts on their own: the SPSC ring (a sequence verifier, in one thread
 * and across two, through many wrap-arounds), the pending-message queue (its per-tick order
 * against a plain sort), the partition of hosts over shards, and the ring-full back-pressure path
 * of a whole run with tiny rings. Randomised cases take GOSSIP_SIM_TEST_SEED.
 *
 * The cross-thread ring test loads dist/: `npm run build` first (`npm test` builds).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { LOG_ENTRIES_16_HOSTS, RING_HEADER_INTS, stateBytes, stateLayout, versionsLayout, WASM_MAX_BYTES } from '../src/engines/parallel/layout.js';
import { BitsetOps } from '../src/engines/parallel/bitset-ops.js';
import { SetStore } from '../src/engines/parallel/set-store.js';
import { createSharedMemory } from '../src/kernels/bitset.js';
import { intervalsFor, planMemory } from '../src/engines/memory.js';
import { resolveOptions } from '../src/options.js';
import { FIELD_AT, FIELD_FROM, FIELD_PAYLOAD, FIELD_TO_KIND, KIND_SHIFT, RING_RECORD_INTS, SORTED_FROM_KIND, SORTED_INTS, SORTED_PAYLOAD, TO_MASK } from '../src/engines/parallel/message.js';
import { MAX_FOLDS, MIN_RANGE_HOSTS, foldsFor, hostsOf, partition, rangesOf } from '../src/engines/parallel/partition.js';
import { PendingMessages, POLL_RECORDS } from '../src/engines/parallel/queue.js';
import { RingConsumer, RingProducer } from '../src/engines/parallel/ring.js';
import { COMMIT_CHUNK_BYTES, commitChunks, touchClaimedChunks, touchRange } from '../src/engines/parallel/store.js';
import { runSimulation } from '../src/simulate.js';
import { ROOT } from './support/cli-process.js';
import { SEGMENTS, TINY_RING } from './support/engines.js';
import { TestRandom, testSeed } from './support/random.js';

const SEED = testSeed();

function ringBuffer(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer((RING_HEADER_INTS + capacity * RING_RECORD_INTS) * 4);
}

/** Reads every published record of `c` in order; returns the `from` field of each. */
function drain(c: RingConsumer, upTo?: number): number[] {
  const head = c.head();
  const end = upTo === undefined ? head : Math.min(head, c.tail + upTo);
  const seen: number[] = [];
  for (let k = c.tail; k !== end; k = (k + 1) | 0) {
    const i = c.recordIndex(k);
    // Every field of record number k is derived from k: a torn or stale record shows.
    expect([c.i32[i + FIELD_TO_KIND], c.i32[i + FIELD_PAYLOAD], c.i32[i + FIELD_AT]]).toEqual([k ^ 0x5a5a, -k | 0, k & 7]);
    seen.push(c.i32[i + FIELD_FROM]!);
  }
  c.release(end);
  return seen;
}

describe('ring', () => {
  it('delivers every record once, in order, through many wrap-arounds of an 8-record ring', () => {
    const r = new TestRandom(SEED, 1);
    const buffer = ringBuffer(8);
    const p = new RingProducer(buffer, 0, 8);
    const c = new RingConsumer(buffer, 0, 8);
    let written = 0;
    const got: number[] = [];
    while (got.length < 20_000) {
      for (let n = r.int(0, 10); n > 0; n--) {
        if (!p.tryPush(written ^ 0x5a5a, written, -written, written & 7)) break;
        written++;
      }
      if (r.chance(0.7)) p.publish();
      got.push(...drain(c, r.int(0, 9)));
    }
    p.publish();
    got.push(...drain(c));
    expect(got).toEqual(Array.from({ length: written }, (_, k) => k));
  });

  it('refuses a record when full, and takes it once the consumer releases a slot', () => {
    const buffer = ringBuffer(4);
    const p = new RingProducer(buffer, 0, 4);
    const c = new RingConsumer(buffer, 0, 4);
    for (let k = 0; k < 4; k++) expect(p.tryPush(k ^ 0x5a5a, k, -k, k & 7)).toBe(true);
    expect(p.tryPush(4 ^ 0x5a5a, 4, -4, 4)).toBe(false);
    expect(c.head()).toBe(0); // nothing is visible before publish()
    p.publish();
    expect(drain(c, 1)).toEqual([0]);
    expect(p.tryPush(4 ^ 0x5a5a, 4, -4, 4)).toBe(true);
    expect(p.unpublished()).toBe(1);
    p.publish();
    expect(drain(c)).toEqual([1, 2, 3, 4]);
  });

  it('carries 2 million records from a producer thread to this one without loss, tear or reorder', async () => {
    const capacity = 64;
    const buffer = ringBuffer(capacity);
    const total = 2_000_000;
    const ring = pathToFileURL(join(ROOT, 'dist', 'src', 'engines', 'parallel', 'ring.js')).href;
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       import(${JSON.stringify(ring)}).then(({ RingProducer }) => {
         const p = new RingProducer(workerData.buffer, 0, workerData.capacity);
         for (let k = 0; k < workerData.total; k++) {
           while (!p.tryPush(k ^ 0x5a5a, k, -k, k & 7)) p.publish();
           if ((k & 15) === 15) p.publish();
         }
         p.publish();
       });`,
      { eval: true, workerData: { buffer, capacity, total } },
    );
    const c = new RingConsumer(buffer, 0, capacity);
    let next = 0;
    let bad = '';
    while (next < total && bad === '') {
      const head = c.head();
      for (let k = c.tail; k !== head; k = (k + 1) | 0) {
        const i = c.recordIndex(k);
        const a = c.i32;
        if (a[i + FIELD_FROM] !== next || a[i + FIELD_TO_KIND] !== (k ^ 0x5a5a) || a[i + FIELD_PAYLOAD] !== -k || a[i + FIELD_AT] !== (k & 7)) {
          bad = `record ${k}: got from ${a[i + 1]}, expected ${next}`;
          break;
        }
        next++;
      }
      c.release(head);
    }
    await worker.terminate();
    expect(bad).toBe('');
    expect(next).toBe(total);
  }, 60_000);
});

/**
 * The sorted deliveries of the queue's tick as [receiver | kind << KIND_SHIFT, sender, payload],
 * the receiver read from the segment the record lies in.
 */
function deliveries(queue: PendingMessages, hosts: Int32Array): number[][] {
  const data = queue.sorted.data;
  const out: number[][] = [];
  for (let li = 0; li < hosts.length; li++) {
    for (let m = queue.start[li]!; m < queue.start[li + 1]!; m++) {
      const fromKind = data[m * SORTED_INTS + SORTED_FROM_KIND]!;
      out.push([hosts[li]! | (fromKind & ~TO_MASK), fromKind & TO_MASK, data[m * SORTED_INTS + SORTED_PAYLOAD]!]);
    }
  }
  expect(out.length).toBe(queue.sorted.length);
  return out;
}

describe('pending-message queue', () => {
  it('hands each tick its deliveries ordered by receiver, sender and sequence, with latency ranges', () => {
    for (let round = 0; round < 30; round++) {
      const r = new TestRandom(SEED, 100 + round);
      const n = r.int(2, 60);
      const shards = r.int(1, 4);
      const part = partition(n, shards);
      const self = r.int(0, shards - 1);
      const mine = hostsOf(part, self);
      const localOf = new Int32Array(n).fill(-1);
      mine.forEach((h, i) => (localOf[h] = i));
      const queue = new PendingMessages(part.ranges, localOf, mine.length);
      const maxLatency = r.int(1, 4);
      const ticks = 12;
      const expected = new Map<number, number[][]>();
      const seq = new Int32Array(n);
      let stored = 0;
      let peak = 0;
      for (let t = 0; t <= ticks; t++) {
        // Senders in ascending order, as shards send (one sender's records reach a bucket in the
        // order sent; a latency range interleaves the send ticks). No record carries `s`.
        for (let from = 0; from < n; from++) {
          for (let m = r.int(0, 3); m > 0; m--) {
            const to = mine[r.int(0, mine.length - 1)]!;
            const kind = r.int(0, 3);
            const at = t + r.int(1, maxLatency);
            const s = seq[from]!++;
            const payload = r.int(0, 1000);
            queue.bucket(at, part.rangeOf[from]!).push(to | (kind << KIND_SHIFT), from, payload);
            queue.added(1);
            stored++;
            peak = Math.max(peak, stored);
            const list = expected.get(at) ?? [];
            list.push([to | (kind << KIND_SHIFT), from, s, payload]);
            expected.set(at, list);
          }
        }
        const count = queue.collect(t);
        const want = (expected.get(t) ?? []).sort((a, b) => localOf[a[0]! & TO_MASK]! - localOf[b[0]! & TO_MASK]! || a[1]! - b[1]! || a[2]! - b[2]!);
        stored -= want.length;
        expect(count).toBe(want.length);
        const got = deliveries(queue, mine);
        expect(got, `round ${round} tick ${t}`).toEqual(want.map(([toKind, from, , payload]) => [toKind, from, payload]));
      }
      expect(queue.peakStored).toBe(peak);
    }
  });

  it('sorts by sender, stably, a tick whose senders do not ascend in a bucket, and leaves an ascending one as scattered', () => {
    const n = 40;
    const part = partition(n, 1);
    const localOf = Int32Array.from({ length: n }, (_, h) => h);
    const queue = new PendingMessages(part.ranges, localOf, n);
    const hosts = Int32Array.from(localOf);
    const r = new TestRandom(SEED, 301);
    for (const [t, descending] of [[1, true], [2, false], [3, true]] as const) {
      const want: number[][] = [];
      for (let k = 0; k < n; k++) {
        const from = descending ? n - 1 - k : k;
        // Each sender's three messages in the order sent: m is its sequence.
        for (let m = 0; m < 3; m++) {
          const to = r.int(0, n - 1);
          const kind = r.int(0, 3);
          queue.bucket(t, part.rangeOf[from]!).push(to | (kind << KIND_SHIFT), from, from * 7 + m);
          want.push([to | (kind << KIND_SHIFT), from, from * 7 + m]);
        }
      }
      queue.added(want.length);
      expect(queue.collect(t)).toBe(want.length);
      want.sort((a, b) => (a[0]! & TO_MASK) - (b[0]! & TO_MASK) || a[1]! - b[1]! || a[2]! - b[2]!);
      expect(deliveries(queue, hosts), `tick ${t}`).toEqual(want);
    }
  });

  it('keeps a bucket of hundreds of thousands of records in chunks, in push order, and reuses them after collect', () => {
    const n = 4;
    const localOf = Int32Array.from({ length: n }, (_, h) => h);
    const queue = new PendingMessages(1, localOf, n);
    const r = new TestRandom(SEED, 300);
    for (const records of [300_000, 5, 140_000]) {
      const b = queue.bucket(1, 0);
      const want: number[][] = [];
      for (let i = 0; i < records; i++) {
        const to = r.int(0, n - 1);
        b.push(to, 0, i ^ 0x5a5a);
        want.push([to, 0, i ^ 0x5a5a]);
      }
      queue.added(records);
      expect(b.length).toBe(records);
      let inChunks = 0;
      for (let k = 0; k < b.chunks.length; k++) inChunks += b.chunkLength(k);
      expect(inChunks).toBe(records);
      expect(queue.collect(1)).toBe(records);
      // Stable by receiver: each receiver's messages in push (sequence) order.
      want.sort((x, y) => x[0]! - y[0]! || (x[2]! ^ 0x5a5a) - (y[2]! ^ 0x5a5a));
      const got = deliveries(queue, Int32Array.from(localOf));
      let mismatches = 0;
      for (let i = 0; i < records; i++) for (let f = 0; f < 3; f++) if (got[i]![f] !== want[i]![f]) mismatches++;
      expect(mismatches, `${records} records`).toBe(0);
    }
  });

  it('looks at the stop while it sorts a large tick, and a poll that throws abandons the sort', () => {
    const n = 8;
    const part = partition(n, 1);
    const localOf = Int32Array.from({ length: n }, (_, i) => i);
    const fill = (queue: PendingMessages, records: number): void => {
      for (let k = 0; k < records; k++) {
        const from = k % n;
        queue.bucket(1, part.rangeOf[from]!).push((n - 1 - from) | (1 << KIND_SHIFT), from, 0);
      }
      queue.added(records);
    };
    const records = 5 * POLL_RECORDS;
    const queue = new PendingMessages(part.ranges, localOf, n);
    fill(queue, records);
    let polls = 0;
    expect(queue.collect(1, () => void polls++)).toBe(records);
    // Both passes over the records poll every POLL_RECORDS of them.
    expect(polls).toBeGreaterThanOrEqual(2 * (records / POLL_RECORDS));
    const stopping = new PendingMessages(part.ranges, localOf, n);
    fill(stopping, records);
    expect(() => stopping.collect(1, () => { throw new Error('stop'); })).toThrow('stop');
  });
});

describe('ring drain into buckets', () => {
  it('drainRing moves runs of ring records into their (tick, sender range) buckets, in order, across wrap-arounds and chunk ends', () => {
    const r = new TestRandom(SEED, 350);
    const n = 200;
    const part = partition(n, 2);
    const localOf = Int32Array.from({ length: n }, (_, h) => h);
    const queue = new PendingMessages(part.ranges, localOf, n);
    const capacity = 64;
    const buffer = ringBuffer(capacity);
    const p = new RingProducer(buffer, 0, capacity);
    const c = new RingConsumer(buffer, 0, capacity);
    const want = new Map<string, number[][]>();
    let from = 0;
    let at = 1;
    let written = 0;
    while (written < 30_000) {
      // Runs as shards send them: one sender (or a few neighbours) and one delivery tick for a while.
      for (let k = r.int(1, 40); k > 0 && p.tryPush(r.int(0, n - 1) | (r.int(0, 3) << KIND_SHIFT), from, written, at); k--) {
        const key = `${at}/${part.rangeOf[from]!}`;
        const list = want.get(key) ?? [];
        const record = [c.i32[RING_HEADER_INTS + (written & (capacity - 1)) * RING_RECORD_INTS + FIELD_TO_KIND]!, from, written];
        list.push(record);
        want.set(key, list);
        written++;
        if (r.int(0, 9) === 0) from = r.int(0, n - 1);
        if (r.int(0, 29) === 0) at = r.int(1, 3);
      }
      p.publish();
      const published = (c.head() - c.tail) | 0;
      expect(queue.drainRing(c, part.rangeOf)).toBe(published);
      expect(c.tail).toBe(c.head());
    }
    let checked = 0;
    for (const [key, list] of want) {
      const [t, range] = key.split('/').map(Number) as [number, number];
      const b = queue.bucket(t, range);
      const got: number[][] = [];
      for (let k = 0; k < b.chunks.length; k++) {
        const d = b.chunks[k]!;
        for (let i = 0; i < b.chunkLength(k) * 3; i += 3) got.push([d[i]!, d[i + 1]!, d[i + 2]!]);
      }
      expect(got, key).toEqual(list);
      checked += got.length;
    }
    expect(checked).toBe(written);
    expect(queue.stored).toBe(written);
    // Some bucket grew past its first chunk, so a run crossed a chunk's end.
    expect(Math.max(...[...want.keys()].map((key) => want.get(key)!.length))).toBeGreaterThan(256);
  });
});

describe('partition', () => {
  it('gives every host to exactly one shard, in folded ranges of near-equal size', () => {
    const r = new TestRandom(SEED, 200);
    for (let round = 0; round < 300; round++) {
      const n = r.chance(0.2) ? r.int(1, 8) : r.int(9, 20_000);
      const shards = r.int(1, 9);
      const folds = r.chance(0.5) ? foldsFor(n, shards) : r.int(1, 70);
      const p = partition(n, shards, folds);
      const owner = new Int32Array(n).fill(-1);
      const problems: string[] = [];
      if (p.ranges !== 2 * shards * folds) problems.push(`${p.ranges} ranges for ${shards} shards and ${folds} folds`);
      for (let s = 0; s < shards; s++) {
        const hosts = hostsOf(p, s);
        for (let i = 0; i < hosts.length; i++) {
          const h = hosts[i]!;
          if (i > 0 && h <= hosts[i - 1]!) problems.push(`shard ${s}: hosts not ascending at ${i}`);
          if (owner[h] !== -1) problems.push(`host ${h} in shards ${owner[h]} and ${s}`);
          owner[h] = s;
          if (p.shardOf[h] !== s) problems.push(`shardOf[${h}] = ${p.shardOf[h]}, hostsOf says ${s}`);
        }
        // floor or ceil(n / T) hosts in all.
        if (Math.abs(hosts.length - n / shards) >= 1) problems.push(`shard ${s} has ${hosts.length} of ${n} hosts`);
        const ranges = rangesOf(p, s);
        if (ranges.length !== 4 * folds) problems.push(`shard ${s} has ${ranges.length / 2} ranges, not ${2 * folds}`);
        for (let i = 0; i < ranges.length; i += 2) {
          const size = ranges[i + 1]! - ranges[i]!;
          if (Math.abs(size - n / p.ranges) >= 2) problems.push(`shard ${s}: a range of ${size} hosts, not about ${n / p.ranges}`);
        }
      }
      for (let k = 0; k < p.ranges; k++) {
        // In each fold, shard s owns range s and its mirror 2T-1-s.
        const i = k % (2 * shards);
        for (let h = p.rangeStart[k]!; h < p.rangeStart[k + 1]!; h++) {
          if (p.rangeOf[h] !== k) problems.push(`rangeOf[${h}] = ${p.rangeOf[h]}, not ${k}`);
          if (p.shardOf[h] !== (i < shards ? i : 2 * shards - 1 - i)) problems.push(`host ${h} of range ${k} in shard ${p.shardOf[h]}`);
        }
      }
      if (p.rangeStart[0] !== 0 || p.rangeStart[p.ranges] !== n) problems.push(`ranges span [${p.rangeStart[0]}, ${p.rangeStart[p.ranges]})`);
      for (let h = 0; h < n; h++) {
        if (owner[h] === -1) problems.push(`host ${h} in no shard`);
        if (h > 0 && p.rangeOf[h]! < p.rangeOf[h - 1]!) problems.push(`rangeOf descends at ${h}`);
      }
      expect(problems, `n ${n}, ${shards} shards, ${folds} folds`).toEqual([]);
    }
  });

  it('folds several times where shards have hosts to spare, once for one shard or few hosts', () => {
    expect(foldsFor(10_000, 1)).toBe(1);
    expect(foldsFor(100, 2)).toBe(1);
    // 10,000 hosts on 2 shards: 39-host ranges split announce's costly low ids (partition.ts).
    expect(foldsFor(10_000, 2)).toBe(MAX_FOLDS);
    expect(foldsFor(1000, 2)).toBe(Math.floor(1000 / (4 * MIN_RANGE_HOSTS)));
    // Range numbers fit a Uint16Array at any thread count.
    expect(2 * 256 * foldsFor(10_000_000, 256)).toBeLessThanOrEqual(0xffff);
  });
});

describe('ring-full back-pressure in a whole run', () => {
  it(`rings of ${TINY_RING} records make producers wait for space, and change no metric`, async () => {
    const input = { hosts: 600, threads: 3, latency: '1..3', loss: 0.05 } as const;
    const strip = (x: Awaited<ReturnType<typeof runSimulation>>): unknown => ({ ...x, wallSeconds: 0, diagnostics: null });
    const tiny = await runSimulation(input, {}, { ringCapacity: TINY_RING });
    const usual = await runSimulation(input, {}, {});
    const reference = await runSimulation({ ...input, threads: 1, engine: 'reference' }, {}, {});
    expect(tiny.diagnostics.ringFullWaits).toBeGreaterThan(100);
    expect(usual.diagnostics.ringFullWaits).toBe(0);
    // One barrier wait per shard, each part of the tick time (a wait for ring space is not one).
    for (const d of [tiny.diagnostics, usual.diagnostics]) {
      expect(d.barrierWaitSeconds).toHaveLength(3);
      for (const w of d.barrierWaitSeconds!) {
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(d.phases!.ticksSeconds);
      }
    }
    expect(reference.diagnostics.barrierWaitSeconds).toBeNull();
    expect(strip(tiny)).toEqual(strip(usual));
    expect({ ...(strip(tiny) as object), engine: 0, threads: 0, options: 0 }).toEqual({ ...(strip(reference) as object), engine: 0, threads: 0, options: 0 });
  }, 60_000);
});

describe('first touch of a range', () => {
  it('touches only the range named, past 4 GiB too (a uint32 offset would wrap onto other rows)', () => {
    // Untouched pages of a SharedArrayBuffer are never committed: this costs a few pages, not 4 GiB.
    const big = new SharedArrayBuffer(2 ** 32 + 2 ** 20);
    const a32 = new Int32Array(big);
    const high = 2 ** 32 + 4096;
    // Where `high` lands if its byte offset wraps at 2^32: another shard's data.
    a32[(high - 2 ** 32) / 4] = 7;
    a32[high / 4] = 9;
    touchRange(big, high, high + 8192);
    expect(a32[(high - 2 ** 32) / 4]).toBe(7);
    expect(a32[high / 4]).toBe(0);
  });
});

describe('first touch of a one-shard run', () => {
  it('cuts every buffer into chunks that tile it exactly, so the main thread and the worker together touch each page once', () => {
    const r = new TestRandom(SEED, 330);
    for (let round = 0; round < 20; round++) {
      const stateBytes = r.int(0, 3) * COMMIT_CHUNK_BYTES + r.int(0, 9) * 4096;
      const memories = Array.from({ length: r.int(1, 3) }, () => createSharedMemory(Math.max(stateBytes, 65536)));
      const logs = new SharedArrayBuffer(r.chance(0.5) ? 0 : r.int(1, 2 * COMMIT_CHUNK_BYTES));
      const cells = new SharedArrayBuffer(r.int(0, 5000) * 4);
      const chunks = commitChunks(memories, stateBytes, logs, cells);
      const wanted: [unknown, number][] = [...memories.map((m): [unknown, number] => [m, stateBytes]), [logs, logs.byteLength], [cells, cells.byteLength]];
      for (const [buffer, end] of wanted) {
        const mine = chunks.filter((c) => c.buffer === buffer);
        let at = 0;
        for (const c of mine) {
          expect(c.from, `round ${round}`).toBe(at);
          expect(c.to - c.from).toBeGreaterThan(0);
          expect(c.to - c.from).toBeLessThanOrEqual(COMMIT_CHUNK_BYTES);
          at = c.to;
        }
        expect(at, `round ${round}`).toBe(end);
      }
      expect(chunks.every((c) => wanted.some(([b]) => b === c.buffer))).toBe(true);
    }
  });
});

describe('first touch of claimed chunks', () => {
  it('looks at the stop before every chunk, and leaves the chunks not claimed untouched', () => {
    // A run's state is gigabytes: a stop during start-up must not wait for all of it.
    const bytes = 8 * COMMIT_CHUNK_BYTES;
    const buffer = new SharedArrayBuffer(bytes);
    const a32 = new Int32Array(buffer);
    // A sentinel on the first page of every chunk and on the last page: a touch zeroes it.
    const marks = [0, 1, 2, 3, 4, 5, 6, 7].map((c) => (c * COMMIT_CHUNK_BYTES) / 4);
    const last = a32.length - 1024;
    const mark = (): void => {
      for (const m of marks) a32[m] = 5;
      a32[last] = 5;
    };
    mark();
    const chunks = commitChunks([], 0, buffer, new SharedArrayBuffer(0));
    let looks = 0;
    expect(touchClaimedChunks(new Int32Array(16), chunks, Infinity, () => ++looks >= 3)).toBe(false);
    expect(looks).toBe(3);
    // Two chunks claimed and touched; the others were never reached: their sentinels survive.
    expect(marks.map((m) => a32[m])).toEqual([0, 0, 5, 5, 5, 5, 5, 5]);
    expect(a32[last]).toBe(5);
    // Not stopped: every chunk touched, one look per chunk (and one that finds none left).
    mark();
    looks = 0;
    expect(touchClaimedChunks(new Int32Array(16), chunks, Infinity, () => (looks++, false))).toBe(false);
    expect(looks).toBe(9);
    expect(marks.map((m) => a32[m])).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(a32[last]).toBe(0);
    // A limit leaves chunks for another call.
    expect(touchClaimedChunks(new Int32Array(16), chunks, 2, () => false)).toBe(true);
  });
});

describe('discovery logs', () => {
  it('keep 16-bit entries while every id and position fits (65,536 hosts), 32-bit past that', () => {
    const spec = { mode: 'log', interval: 256 } as const;
    for (const [hosts, bytes] of [[1000, 2], [LOG_ENTRIES_16_HOSTS, 2], [LOG_ENTRIES_16_HOSTS + 1, 4]] as const) {
      const layout = stateLayout(hosts, 2, spec);
      expect(layout.logEntryBytes, `${hosts} hosts`).toBe(bytes);
      // LOG, POS and TAILMAX, each N^2 entries, one after another.
      expect(layout.pos - layout.log).toBeGreaterThanOrEqual(hosts * hosts * bytes);
      expect(layout.tailMax - layout.pos).toBe(layout.pos - layout.log);
      expect(layout.logsBytes).toBe(3 * (layout.pos - layout.log));
      expect(layout.logsBytes).toBeLessThan(3 * hosts * hosts * bytes + 3 * 65536);
    }
  });
});

describe('versioned bitsets over several state memories', () => {
  it('push 100,000 with latency 1..3 splits its 4.7 GiB of slots into memories of at most 4 GiB, and is planned, not refused', () => {
    const spec = { mode: 'set', generations: 4, versions: 0 } as const;
    const layout = stateLayout(100_000, 2, spec);
    expect(layout.segments).toBe(2);
    expect(layout.bytes).toBeLessThanOrEqual(WASM_MAX_BYTES);
    expect(layout.segments * layout.segmentHosts).toBeGreaterThanOrEqual(100_000);
    // The slots alone are over one memory's 4 GiB: one memory could not hold them.
    expect(4 * 100_000 * layout.words * 4).toBeGreaterThan(WASM_MAX_BYTES);
    expect(stateBytes(layout)).toBeGreaterThan(WASM_MAX_BYTES);
    // A run that fits one memory keeps exactly the single-memory layout.
    const small = stateLayout(20_000, 2, spec);
    expect(small.segments).toBe(1);
    expect(small.segmentHosts).toBe(20_000);
    expect(stateLayout(20_000, 2, spec, 3)).toMatchObject({ segments: 3, segmentHosts: 6667 });
    const plan = planMemory(resolveOptions({ protocol: 'push', hosts: 100_000, latency: '1..3', threads: 2, maxMemory: '64G' }));
    expect(plan.state.segments).toBe(2);
    expect(plan.estimateBytes).toBeGreaterThan(stateBytes(plan.state));
  });

  it(`push-pull across ${SEGMENTS} memories (senders in another memory are staged) gives the one-memory metrics`, async () => {
    const input = { protocol: 'push-pull', hosts: 800, threads: 2, latency: '1..3', loss: 0.05 } as const;
    const strip = (x: Awaited<ReturnType<typeof runSimulation>>): unknown => ({ ...x, wallSeconds: 0, diagnostics: null });
    const split = await runSimulation(input, {}, { segments: SEGMENTS });
    const one = await runSimulation(input, {}, {});
    expect(split.diagnostics.stateMemories).toBe(SEGMENTS);
    expect(one.diagnostics.stateMemories).toBe(1);
    expect(split.converged).toBe(true);
    expect(strip(split)).toEqual(strip(one));
  }, 60_000);
});

describe('reply versions frozen as patches', () => {
  /**
   * One shard, three hotspots in tick 1: each merges senders (single ids, and senders whose sets
   * spread over many blocks) and replies between merges. At tick 2 a fresh receiver merges each
   * reply: it must learn the hotspot's set exactly as it stood when that reply was sent, whether
   * the version is the end-of-tick slot, a row or a patch over a row.
   */
  it('every reply reads back as its sender\'s set at the moment it was sent', () => {
    const n = 20_000;
    const random = new TestRandom(SEED, 301);
    const V = 4000;
    const state = stateLayout(n, 1, { mode: 'set', generations: 2, versions: V });
    const vl = versionsLayout(V, 2, state.words);
    // Sets of 20,000 ids: 20 blocks, so patches of up to 9 blocks pay.
    expect(vl.patchBlocks).toBe(9);
    const memories = [createSharedMemory(state.bytes)];
    const ops = new BitsetOps(memories, state, 0);
    const localOf = Int32Array.from({ length: n }, (_, i) => i);
    const store = new SetStore(memories, state, ops, localOf, n, 1, 0, [new SharedArrayBuffer(vl.bytes)], new Uint16Array(n));
    const initial = (h: number): number[] => {
      if (h < 10_000 || h >= 10_200) return [h];
      // Wide senders: ids in up to 20 blocks.
      const ids = new Set([h]);
      const spread = random.int(1, 40);
      while (ids.size < spread) ids.add(random.int(0, n - 1));
      return [...ids];
    };
    const model = Array.from({ length: n }, (_, h) => new Set(initial(h)));
    store.init(Int32Array.from({ length: n }, (_, i) => i), (h) => [...model[h]!]);
    store.tick = 1;
    const replies: { from: number; payload: number; expected: Set<number> }[] = [];
    const kinds = { self: 0, narrow: 0, wide: 0 };
    for (const hot of [0, 1, 2]) {
      for (let step = 0; step < 1200; step++) {
        const r = random.int(0, 99);
        if (r < 40) {
          const f = random.int(3, 9_992);
          store.merge(hot, f, store.selfPayload());
          model[hot]!.add(f);
          kinds.self++;
        } else if (r < 70) {
          // A sender that still holds its initial set (slot of tick 0).
          const f = random.int(3, 9_992);
          store.merge(hot, f, 0);
          for (const x of model[f]!) model[hot]!.add(x);
          kinds.narrow++;
        } else if (r < 75) {
          const f = random.int(10_000, 10_199);
          store.merge(hot, f, 0);
          for (const x of model[f]!) model[hot]!.add(x);
          kinds.wide++;
        } else {
          replies.push({ from: hot, payload: store.wholePayload(hot), expected: new Set(model[hot]) });
        }
      }
    }
    expect(replies.length).toBeGreaterThan(500);
    store.tick = 2;
    let receiver = 10_200;
    for (const { from, payload, expected } of replies) {
      const h = receiver++;
      store.merge(h, from, payload);
      const want = new Set(expected).add(h);
      const got: number[] = [];
      for (let w = 0; w < state.words; w++) {
        let bits = ops.slotWord(h, 2, w);
        while (bits !== 0) {
          const low = bits & -bits;
          const x = w * 32 + (31 - Math.clz32(low));
          if (x < n) got.push(x);
          bits ^= low;
        }
      }
      expect(got.length).toBe(want.size);
      expect(got.every((x) => want.has(x))).toBe(true);
      expect(store.count(h)).toBe(want.size);
    }
  });

  it('pull and push-pull hotspots, whose replies are mostly patches, give the reference engine\'s metrics', async () => {
    // 5,000 hosts: sets of 5 blocks, patches of up to 2 (VersionsLayout.patchBlocks).
    expect(versionsLayout(100, 2, stateLayout(5000, 2, { mode: 'set', generations: 2, versions: 100 }).words).patchBlocks).toBe(2);
    const strip = (x: Awaited<ReturnType<typeof runSimulation>>): unknown => ({ ...x, wallSeconds: 0, diagnostics: null, engine: null, threads: null, options: null });
    for (const [protocol, internals] of [['push-pull', { segments: SEGMENTS }], ['pull', {}]] as const) {
      const input = { protocol, hosts: 5000, latency: '1..3', loss: 0.05, fanout: 2 } as const;
      const parallel = await runSimulation({ ...input, threads: 2 }, {}, internals);
      const reference = await runSimulation({ ...input, threads: 1, engine: 'reference' }, {}, {});
      expect(parallel.converged).toBe(true);
      expect(strip(parallel)).toEqual(strip(reference));
    }
  }, 120_000);
});

describe('checkpoint intervals', () => {
  it('prefer the power of two nearest 2 sqrt(N), then the larger ones (less memory)', () => {
    expect(intervalsFor(1000)).toEqual([64, 128, 256, 512, 1024]);
    expect(intervalsFor(5000)).toEqual([128, 256, 512, 1024]);
    expect(intervalsFor(10_000)).toEqual([256, 512, 1024]);
    expect(intervalsFor(1_000_000)).toEqual([1024]);
    // announce 10,000 plans 4x less checkpoint memory than with the old first choice, 64.
    const options = resolveOptions({ hosts: 10_000, threads: 2, maxMemory: '64G' });
    expect(planMemory(options).state.interval).toBe(256);
    expect(planMemory(options, undefined, 64).estimateBytes - planMemory(options).estimateBytes).toBeGreaterThan(1.4e9);
  });

  it('give the same metrics whichever interval a run uses', async () => {
    const input = { hosts: 2500, threads: 2, latency: '1..3', loss: 0.05 } as const;
    const strip = (x: Awaited<ReturnType<typeof runSimulation>>): unknown => ({ ...x, wallSeconds: 0, diagnostics: null });
    const preferred = await runSimulation(input, {}, {});
    expect(preferred.diagnostics.memoryEstimateBytes).toBe(planMemory(resolveOptions(input)).estimateBytes);
    for (const checkpointInterval of [64, 512] as const) {
      const forced = await runSimulation(input, {}, { checkpointInterval });
      expect(forced.diagnostics.memoryEstimateBytes).not.toBe(preferred.diagnostics.memoryEstimateBytes);
      expect(strip(forced)).toEqual(strip(preferred));
    }
  }, 60_000);
});
