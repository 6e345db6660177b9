/**
 * Per-shard storage of messages waiting for a later tick, and the per-tick sort that puts a
 * tick's deliveries in SPEC order (receiver, then sender, then the sender's sequence number).
 *
 * Messages are kept in buckets keyed by (delivery tick, sender's range; see partition.ts). Within
 * one bucket they are in the order they were sent, so for one send tick they are already ordered
 * by sender and sequence number; `collect` scatters the buckets, in range order, by receiver
 * (a stable counting sort) and only sorts a receiver's segment when messages sent in different
 * ticks interleave (latency ranges).
 */

import { MESSAGE_INTS, TO_MASK } from './message.js';

/** Records `PendingMessages.collect` moves between two calls of its `poll` (a power of two). */
export const POLL_RECORDS = 1 << 16;
/** `i & POLL_MASK` is 0 once every POLL_RECORDS records, for `i` an index in ints. */
const POLL_MASK = POLL_RECORDS * MESSAGE_INTS - 1;

function noPoll(): void {}

/** Records of a bucket's first chunk; each next chunk is twice as large, up to MAX_CHUNK_RECORDS. */
const FIRST_CHUNK_RECORDS = 1024;
const MAX_CHUNK_RECORDS = 1 << 16;

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
  push(toKind: number, from: number, seq: number, s: number): void {
    if (this.at === this.current.length) this.nextChunk();
    const d = this.current;
    let i = this.at;
    d[i++] = toKind;
    d[i++] = from;
    d[i++] = seq;
    d[i++] = s;
    this.at = i;
    this.length++;
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

/** A tick's sorted deliveries: one flat array, read by index. */
export class SortedMessages {
  data = new Int32Array(1024 * MESSAGE_INTS);
  /** Records stored. */
  length = 0;

  /** Empties it, with room for `records` records (allocates, copying nothing, when it has less). */
  reset(records: number): void {
    this.length = 0;
    if (records * MESSAGE_INTS <= this.data.length) return;
    let size = this.data.length;
    while (size < records * MESSAGE_INTS) size *= 2;
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
  private scratch = new Int32Array(64 * MESSAGE_INTS);

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

  /** Counts `count` messages added by the caller (for the in-flight peak). */
  added(count: number): void {
    this.stored += count;
    if (this.stored > this.peakStored) this.peakStored = this.stored;
  }

  /**
   * Moves the deliveries of tick `t` into `sorted`, segmented by receiver by `start`, each segment
   * in (sender, sequence) order. Returns the number of messages. `poll` is called every
   * POLL_RECORDS records moved (a tick can hold tens of millions, seconds of work): it may throw
   * to abandon the tick (a stop), after which this queue is not used again.
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
    for (const b of row) {
      if (b === undefined) continue;
      for (let k = 0; k < b.chunks.length; k++) {
        const d = b.chunks[k]!;
        for (let i = 0, end = b.chunkLength(k) * MESSAGE_INTS; i < end; i += MESSAGE_INTS) {
          start[local[d[i]! & TO_MASK]! + 1]!++;
          if ((i & POLL_MASK) === 0) poll();
        }
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
        const d = b.chunks[k]!;
        for (let i = 0, end = b.chunkLength(k) * MESSAGE_INTS; i < end; i += MESSAGE_INTS) {
          const w = cursor[local[d[i]! & TO_MASK]!]!++ * MESSAGE_INTS;
          o[w] = d[i]!;
          o[w + 1] = d[i + 1]!;
          o[w + 2] = d[i + 2]!;
          o[w + 3] = d[i + 3]!;
          if ((i & POLL_MASK) === 0) poll();
        }
      }
      this.spare.push(b);
    }
    // cursor[i] now holds the end of segment i, which is the start of segment i + 1.
    for (let i = start.length - 1; i > 0; i--) start[i] = start[i - 1]!;
    start[0] = 0;
    this.stored -= total;
    for (let i = 0; i + 1 < start.length; i++) {
      if (!isOrdered(o, start[i]!, start[i + 1]!)) this.sortSegment(start[i]!, start[i + 1]!);
      if ((i & 1023) === 1023) poll();
    }
    return total;
  }

  /** Sorts records [from, to) of `sorted` by (sender, sequence). Allocates (latency ranges only). */
  private sortSegment(from: number, to: number): void {
    const n = to - from;
    if (this.scratch.length < n * MESSAGE_INTS) this.scratch = new Int32Array(n * 2 * MESSAGE_INTS);
    const o = this.sorted.data;
    const index = Array.from({ length: n }, (_, i) => i);
    index.sort((a, b) => {
      const ra = (from + a) * MESSAGE_INTS;
      const rb = (from + b) * MESSAGE_INTS;
      return o[ra + 1]! - o[rb + 1]! || (o[ra + 2]! >>> 0) - (o[rb + 2]! >>> 0);
    });
    const scratch = this.scratch;
    for (let i = 0; i < n; i++) {
      const r = (from + index[i]!) * MESSAGE_INTS;
      const w = i * MESSAGE_INTS;
      scratch[w] = o[r]!;
      scratch[w + 1] = o[r + 1]!;
      scratch[w + 2] = o[r + 2]!;
      scratch[w + 3] = o[r + 3]!;
    }
    o.set(scratch.subarray(0, n * MESSAGE_INTS), from * MESSAGE_INTS);
  }
}

/** Whether records [from, to) are in (sender, sequence) order. */
function isOrdered(o: Int32Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) {
    const a = (i - 1) * MESSAGE_INTS;
    const b = i * MESSAGE_INTS;
    const df = o[a + 1]! - o[b + 1]!;
    if (df > 0 || (df === 0 && o[a + 2]! >>> 0 > o[b + 2]! >>> 0)) return false;
  }
  return true;
}
