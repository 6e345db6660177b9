/**
 * The message record of the parallel engine, defined once. A message waiting for delivery is
 * four Int32 fields, in a shard's queues (`queue.ts`) and its sorted tick buffer:
 *
 *   [0] TO_KIND   receiver | kind << KIND_SHIFT (a protocol module's kinds; 2 bits)
 *   [1] FROM      sender
 *   [2] SEQ       the sender's send sequence number (SPEC order: receiver, sender, sequence)
 *   [3] PAYLOAD   log mode: the snapshot length s; set mode: the tick of the sender's slot
 *
 * A record in a ring between shards (`ring.ts`) carries a fifth field, [4] AT, the delivery tick;
 * the receiving shard's queues are keyed by it instead.
 */

export const FIELD_TO_KIND = 0;
export const FIELD_FROM = 1;
export const FIELD_SEQ = 2;
export const FIELD_PAYLOAD = 3;
/** Ring records only. */
export const FIELD_AT = 4;

/** Int32 fields of a queued message. */
export const MESSAGE_INTS = 4;
/** Int32 fields of a ring record: a message and its delivery tick. */
export const RING_RECORD_INTS = MESSAGE_INTS + 1;
/** Bytes of one ring record. */
export const RING_RECORD_BYTES = RING_RECORD_INTS * 4;
/**
 * Bytes a waiting message takes in a shard, for the memory estimate: its bucket record plus its
 * copy in the sorted tick buffer, with a quarter for the buffers' doubling growth.
 */
export const PENDING_MESSAGE_BYTES = 2 * MESSAGE_INTS * 4 * 1.25;

/** The receiver sits in the low 30 bits of TO_KIND, the kind above. */
export const KIND_SHIFT = 30;
export const TO_MASK = (1 << KIND_SHIFT) - 1;
