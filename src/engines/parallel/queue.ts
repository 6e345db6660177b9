/**
 * Per-shard storage of messages waiting for a later tick, and the per-tick sort that puts a
 * tick's deliveries in SPEC order (receiver, then sender, then the sender's sequence number).
 *
 * Messages are kept in buckets keyed by (delivery tick, sender's range; see partition.ts). Within
 * one bucket, one sender's messages are in the order sent (message.ts), and for one send tick
 * the senders ascend too; `collect` scatters the buckets, in range order, by receiver (a stable
 * counting sort) and, when a bucket's senders do not ascend (latency ranges), sorts each
 * receiver's segment stably by sender.
 */

import { FIELD_AT, FIELD_FROM, FIELD_PAYLOAD, FIELD_TO_KIND, KIND_MASK, MESSAGE_INTS, SORTED_FROM_KIND, SORTED_INTS, SORTED_PAYLOAD, TO_MASK } from './message.js';
import type { RingConsumer } from './ring.js';

/** Records `PendingMessages.collect` moves, at most, between two calls of its `poll`. */
export const POLL_RECORDS = 1 << 16;

function noPoll(): void {}

/**
 * Records of a bucket's first chunk; each next chunk is twice as large, up to MAX_CHUNK_RECORDS
 * (POLL_RECORDS: `collect` polls once a chunk).
 */
const FIRST_CHUNK_RECORDS = 256;
const MAX_CHUNK_RECORDS = POLL_RECORDS;

/**
 * The message records of one bucket, in the order pushed, in chunks that are never copied when
 * the bucket grows (a tick of announce 15,000 puts tens of millions of records in a bucket: one
 * growth by copying would take a second with no look at STOP). Chunks stay with the bucket when
 * it is emptied for reuse.
 */
export class MessageBuffer {
  /** The chunks; records fill chunk 0, then 1, ...: `chunkLength(k)` of chunk k are stored. */
  readonly chunks: Int32Array[] = [new Int32Array(FIRST_CHUNK_RECORDS * MESSAGE_INTS)];
  /** Records stored. */
  length = 0;
  /** The chunk being filled and the next free int in it. */
  private chunk = 0;
  private at = 0;
  private current: Int32Array = this.chunks[0]!;

  /** Appends one record; takes the next chunk (allocates the first time) when this one is full. */
  push(toKind: number, from: number, s: number): void {
    if (this.at === this.current.length) this.nextChunk();
    const d = this.current;
    let i = this.at;
    d[i++] = toKind;
    d[i++] = from;
    d[i++] = s;
    this.at = i;
    this.length++;
  }

  /**
   * Appends the records of `ring` from count `tail` on, up to `head` or to the first record whose
   * delivery tick is not `deliveryTick` or whose sender's range (`rangeOf`) is not `range`; returns
   * the count it stopped at. One call per run of records bound for this bucket
   * (PendingMessages.drainRing): the per-record work is a compare and a copy.
   */
  pushRingRun(ring: RingConsumer, tail: number, head: number, deliveryTick: number, range: number, rangeOf: Uint16Array): number {
    const a = ring.i32;
    let d = this.current;
    let w = this.at;
    let lastFrom = -1;
    let moved = 0;
    for (; tail !== head; tail = (tail + 1) | 0) {
      const i = ring.recordIndex(tail);
      if (a[i + FIELD_AT]! !== deliveryTick) break;
      const from = a[i + FIELD_FROM]!;
      if (from !== lastFrom) {
        if (rangeOf[from]! !== range) break;
        lastFrom = from;
      }
      if (w === d.length) {
        this.at = w;
        this.nextChunk();
        d = this.current;
        w = 0;
      }
      d[w] = a[i + FIELD_TO_KIND]!;
      d[w + 1] = from;
      d[w + 2] = a[i + FIELD_PAYLOAD]!;
      w += MESSAGE_INTS;
      moved++;
    }
    this.at = w;
    this.length += moved;
    return tail;
  }

  /** Records stored in chunk k. */
  chunkLength(k: number): number {
    if (k < this.chunk) return this.chunks[k]!.length / MESSAGE_INTS;
    return k === this.chunk ? this.at / MESSAGE_INTS : 0;
  }

  /** Empties the bucket, keeping its chunks. */
  clear(): void {
    this.length = 0;
    this.chunk = 0;
    this.at = 0;
    this.current = this.chunks[0]!;
  }

  private nextChunk(): void {
    this.chunk++;
    if (this.chunk === this.chunks.length) {
      const records = Math.min(MAX_CHUNK_RECORDS, (this.current.length / MESSAGE_INTS) * 2);
      this.chunks.push(new Int32Array(records * MESSAGE_INTS));
    }
    this.current = this.chunks[this.chunk]!;
    this.at = 0;
  }
}

/**
 * A tick's sorted deliveries: one flat array of SORTED_INTS records (message.ts), read by index.
 * 8 bytes a delivery: announce 15,000 puts 112 million in one shard's tick.
 */
export class SortedMessages {
  data = new Int32Array(1024 * SORTED_INTS);
  /** Records stored. */
  length = 0;

  /** Empties it, with room for `records` records (allocates, copying nothing, when it has less). */
  reset(records: number): void {
    this.length = 0;
    if (records * SORTED_INTS <= this.data.length) return;
    let size = this.data.length;
    while (size < records * SORTED_INTS) size *= 2;
    this.data = new Int32Array(size);
  }
}

/** Messages waiting for delivery at this shard's hosts. */
export class PendingMessages {
  private readonly buckets = new Map<number, (MessageBuffer | undefined)[]>();
  private readonly spare: MessageBuffer[] = [];
  /** Messages stored now, and the most ever stored at once (reported as in-flight memory). */
  stored = 0;
  peakStored = 0;
  /** The sorted deliveries of the tick being processed. */
  readonly sorted = new SortedMessages();
  /** Start of each receiver's segment in `sorted` (receiver i: [start[i], start[i+1])). */
  readonly start: Int32Array;
  private scratch = new Int32Array(64 * SORTED_INTS);

  /** Whether `start` may hold a segment that is not empty. */
  private startDirty = false;

  constructor(
    /** Number of source ranges. */
    private readonly sources: number,
    /** Local index of each host of this shard (others: unused). */
    private readonly localOf: Int32Array,
    hostsInShard: number,
  ) {
    this.start = new Int32Array(hostsInShard + 1);
  }

  /** The bucket for messages from senders of range `source` delivered at tick `at`. */
  bucket(at: number, source: number): MessageBuffer {
    let row = this.buckets.get(at);
    if (row === undefined) {
      row = new Array<MessageBuffer | undefined>(this.sources).fill(undefined);
      this.buckets.set(at, row);
    }
    let b = row[source];
    if (b === undefined) {
      b = this.spare.pop() ?? new MessageBuffer();
      b.clear();
      row[source] = b;
    }
    return b;
  }

  /**
   * Moves every published record of `ring` into its (delivery tick, sender range) bucket and hands
   * the slots back to the producer; returns how many. Consecutive records mostly share both keys:
   * each run takes one bucket lookup (MessageBuffer.pushRingRun).
   */
  drainRing(ring: RingConsumer, rangeOf: Uint16Array): number {
    const head = ring.head();
    let tail = ring.tail;
    if (head === tail) return 0;
    const moved = (head - tail) | 0;
    const a = ring.i32;
    while (tail !== head) {
      const i = ring.recordIndex(tail);
      const at = a[i + FIELD_AT]!;
      const range = rangeOf[a[i + FIELD_FROM]!]!;
      tail = this.bucket(at, range).pushRingRun(ring, tail, head, at, range, rangeOf);
    }
    ring.release(tail);
    this.added(moved);
    return moved;
  }

  /** Counts `count` messages added by the caller (for the in-flight peak). */
  added(count: number): void {
    this.stored += count;
    if (this.stored > this.peakStored) this.peakStored = this.stored;
  }

  /**
   * Moves the deliveries of tick `t` into `sorted`, segmented by receiver by `start`, each segment
   * in (sender, sequence) order. Returns the number of messages. `poll` is called at least every
   * POLL_RECORDS records moved (a tick can hold tens of millions, seconds of work): it may throw
   * to abandon the tick (a stop), after which this queue is not used again.
   *
   * Ranges ascend with ids, so when the senders of every bucket ascend, as one send tick's do,
   * the stable scatter leaves every segment in order, and no segment is looked at again.
   */
  collect(t: number, poll: () => void = noPoll): number {
    const start = this.start;
    const row = this.buckets.get(t);
    if (row === undefined) {
      // No deliveries: every segment empty (a tick after another without any clears nothing).
      if (this.startDirty) start.fill(0);
      this.startDirty = false;
      this.sorted.length = 0;
      return 0;
    }
    start.fill(0);
    this.startDirty = true;
    this.buckets.delete(t);
    const local = this.localOf;
    let total = 0;
    let ascending = true;
    for (const b of row) {
      if (b === undefined) continue;
      let lastFrom = -1;
      for (let k = 0; k < b.chunks.length; k++) {
        const end = b.chunkLength(k) * MESSAGE_INTS;
        if (end === 0) continue;
        const d = b.chunks[k]!;
        if (!countChunk(d, end, start, local, lastFrom)) ascending = false;
        lastFrom = d[end - MESSAGE_INTS + FIELD_FROM]!;
        poll();
      }
      total += b.length;
    }
    for (let i = 1; i < start.length; i++) start[i]! += start[i - 1]!;
    const out = this.sorted;
    // The last tick's records are not kept: a larger array is allocated, never copied into.
    out.reset(total);
    out.length = total;
    const o = out.data;
    // `start` doubles as the write cursor; it is rebuilt below.
    const cursor = start;
    for (const b of row) {
      if (b === undefined) continue;
      for (let k = 0; k < b.chunks.length; k++) {
        const end = b.chunkLength(k) * MESSAGE_INTS;
        if (end === 0) continue;
        scatterChunk(b.chunks[k]!, end, cursor, local, o);
        poll();
      }
      this.spare.push(b);
    }
    // cursor[i] now holds the end of segment i, which is the start of segment i + 1.
    for (let i = start.length - 1; i > 0; i--) start[i] = start[i - 1]!;
    start[0] = 0;
    this.stored -= total;
    if (!ascending) {
      for (let i = 0; i + 1 < start.length; i++) {
        if (!sendersAscend(o, start[i]!, start[i + 1]!)) this.sortSegment(start[i]!, start[i + 1]!);
        if ((i & 1023) === 1023) poll();
      }
    }
    return total;
  }

  /**
   * Sorts records [from, to) of `sorted` stably by sender, which is (sender, sequence) order: the
   * records of one sender are already in the order sent. Allocates (latency ranges only).
   */
  private sortSegment(from: number, to: number): void {
    const n = to - from;
    if (this.scratch.length < n * SORTED_INTS) this.scratch = new Int32Array(n * 2 * SORTED_INTS);
    const o = this.sorted.data;
    const index = Array.from({ length: n }, (_, i) => i);
    // Array.prototype.sort is stable (ES2019).
    index.sort((a, b) => (o[(from + a) * SORTED_INTS]! & TO_MASK) - (o[(from + b) * SORTED_INTS]! & TO_MASK));
    const scratch = this.scratch;
    for (let i = 0; i < n; i++) {
      const r = (from + index[i]!) * SORTED_INTS;
      scratch[i * SORTED_INTS] = o[r]!;
      scratch[i * SORTED_INTS + 1] = o[r + 1]!;
    }
    o.set(scratch.subarray(0, n * SORTED_INTS), from * SORTED_INTS);
  }
}

/*
 * collect's two passes over one chunk, as functions of their own: a tick's first large collect
 * (announce 1,000: 500,000 records at tick 3) otherwise ran its loops in the interpreter until
 * on-stack replacement compiled each loop in turn (28-31 ms against 15 ms before chunked buckets);
 * called once a chunk, these are compiled as whole functions after the first few small chunks.
 */

/**
 * Counts the records of chunk `d` (ints [0, end)) per receiver into `start` (shifted by one);
 * returns whether its senders ascend from `lastFrom` on.
 */
function countChunk(d: Int32Array, end: number, start: Int32Array, local: Int32Array, lastFrom: number): boolean {
  let ascending = true;
  for (let i = 0; i < end; i += MESSAGE_INTS) {
    start[local[d[i]! & TO_MASK]! + 1]!++;
    const from = d[i + FIELD_FROM]!;
    if (from < lastFrom) ascending = false;
    lastFrom = from;
  }
  return ascending;
}

/** Writes the records of chunk `d` (ints [0, end)) to their receivers' segments of `o`, at `cursor`. */
function scatterChunk(d: Int32Array, end: number, cursor: Int32Array, local: Int32Array, o: Int32Array): void {
  for (let i = 0; i < end; i += MESSAGE_INTS) {
    const toKind = d[i]!;
    const w = cursor[local[toKind & TO_MASK]!]!++ * SORTED_INTS;
    o[w + SORTED_FROM_KIND] = (toKind & KIND_MASK) | d[i + FIELD_FROM]!;
    o[w + SORTED_PAYLOAD] = d[i + FIELD_PAYLOAD]!;
  }
}

/** Whether the senders of records [from, to) ascend (ties allowed). */
function sendersAscend(o: Int32Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) {
    if ((o[(i - 1) * SORTED_INTS]! & TO_MASK) > (o[i * SORTED_INTS]! & TO_MASK)) return false;
  }
  return true;
}
