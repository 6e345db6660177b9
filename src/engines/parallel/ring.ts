/**
 * A bounded single-producer single-consumer ring of fixed-size message records on a
 * SharedArrayBuffer (after padenot/ringbuf.js). One ring per ordered pair of shards.
 *
 *   header (Int32, 128 bytes)            records (Int32 x RING_RECORD_INTS each, message.ts)
 *   [HEAD ... pad][TAIL ... pad]         [r0][r1] ... [r(capacity-1)]
 *
 * HEAD counts records ever published by the producer, TAIL records ever consumed; both grow
 * without bound and wrap in int32 arithmetic, which is exact while capacity < 2^31. A record lives
 * at index (count & mask). The ring never overwrites: the producer writes only when
 * HEAD - TAIL < capacity, and a full ring makes the producer wait (the shard drains its own
 * incoming rings meanwhile, so two full rings pointing at each other cannot deadlock).
 */
import { RING_HEAD, RING_HEADER_INTS, RING_TAIL } from './layout.js';
import { FIELD_AT, FIELD_FROM, FIELD_PAYLOAD, FIELD_TO_KIND, RING_RECORD_INTS } from './message.js';

/** The producer's end. Writes records locally and publishes them in batches. */
export class RingProducer {
  /** Header and records; records start at RING_HEADER_INTS. */
  readonly i32: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;
  /** Records written (published or not). */
  private head = 0;
  /** TAIL as last read; refreshed only when the ring looks full, to keep the hot path plain. */
  private tail = 0;
  /** Records published (HEAD as last stored). */
  private published = 0;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, capacity: number) {
    this.i32 = new Int32Array(buffer, byteOffset, RING_HEADER_INTS + capacity * RING_RECORD_INTS);
    this.capacity = capacity;
    this.mask = capacity - 1;
  }

  /**
   * Appends one record unless the ring is full; returns false when full (nothing written).
   * The record is invisible to the consumer until `publish()`.
   */
  tryPush(toKind: number, from: number, s: number, at: number): boolean {
    if (((this.head - this.tail) | 0) >= this.capacity) {
      // Acquire: reading TAIL with Atomics.load orders the consumer's reads of the slots it
      // released before our overwriting of them.
      this.tail = Atomics.load(this.i32, RING_TAIL);
      if (((this.head - this.tail) | 0) >= this.capacity) return false;
    }
    const i = RING_HEADER_INTS + (this.head & this.mask) * RING_RECORD_INTS;
    const a = this.i32;
    a[i + FIELD_TO_KIND] = toKind;
    a[i + FIELD_FROM] = from;
    a[i + FIELD_PAYLOAD] = s;
    a[i + FIELD_AT] = at;
    this.head = (this.head + 1) | 0;
    return true;
  }

  /** Records written but not yet published. */
  unpublished(): number {
    return (this.head - this.published) | 0;
  }

  /**
   * Makes every record written so far visible. Release: the plain stores of the records happen
   * before this seq-cst store of HEAD, and the consumer reads HEAD with Atomics.load before it
   * reads the records, so it never sees a half-written record.
   */
  publish(): void {
    if (this.published !== this.head) {
      Atomics.store(this.i32, RING_HEAD, this.head);
      this.published = this.head;
    }
  }
}

/** The consumer's end. The shard reads records in place between `begin()` and `release()`. */
export class RingConsumer {
  readonly i32: Int32Array;
  readonly mask: number;
  /** Records consumed. */
  tail = 0;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, capacity: number) {
    this.i32 = new Int32Array(buffer, byteOffset, RING_HEADER_INTS + capacity * RING_RECORD_INTS);
    this.mask = capacity - 1;
  }

  /**
   * HEAD as published. Acquire: records before this count were fully written before the
   * producer's seq-cst store of HEAD that this load reads from.
   */
  head(): number {
    return Atomics.load(this.i32, RING_HEAD);
  }

  /** Int32 index of record number `count` (a count between tail and head). */
  recordIndex(count: number): number {
    return RING_HEADER_INTS + (count & this.mask) * RING_RECORD_INTS;
  }

  /**
   * Hands records up to `count` back to the producer. Release: our reads of those slots happen
   * before this store, and the producer loads TAIL before reusing them.
   */
  release(count: number): void {
    this.tail = count;
    Atomics.store(this.i32, RING_TAIL, count);
  }
}
