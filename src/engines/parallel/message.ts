/**
 * The message record of the parallel engine, defined once. A message waiting for delivery is
 * three Int32 fields, in a shard's queues (`queue.ts`):
 *
 *   [0] TO_KIND   receiver | kind << KIND_SHIFT (a protocol module's kinds; 2 bits)
 *   [1] FROM      sender
 *   [2] PAYLOAD   log mode: the snapshot length s; set mode: the tick of the sender's slot
 *
 * A record in a ring between shards (`ring.ts`) carries a fourth field, [3] AT, the delivery tick;
 * the receiving shard's queues are keyed by it instead.
 *
 * No record carries the sender's sequence number (SPEC order: receiver, sender, sequence): one
 * sender's messages reach a queue in the order sent (its own shard pushes them as it sends them;
 * another shard's come through one FIFO ring), so a stable sort by sender puts each receiver's
 * messages in SPEC order.
 *
 * A tick's sorted deliveries (`SortedMessages`) drop the receiver, which a receiver's segment
 * implies:
 *
 *   [0] FROM_KIND sender | kind << KIND_SHIFT
 *   [1] PAYLOAD
 */

export const FIELD_TO_KIND = 0;
export const FIELD_FROM = 1;
export const FIELD_PAYLOAD = 2;
/** Ring records only. */
export const FIELD_AT = 3;

/** Int32 fields of a queued message. */
export const MESSAGE_INTS = 3;
/** Int32 fields of a ring record: a message and its delivery tick. */
export const RING_RECORD_INTS = MESSAGE_INTS + 1;
/** Bytes of one ring record. */
export const RING_RECORD_BYTES = RING_RECORD_INTS * 4;

/** Fields of a sorted delivery. */
export const SORTED_FROM_KIND = 0;
export const SORTED_PAYLOAD = 1;
/** Int32 fields of a sorted delivery. */
export const SORTED_INTS = 2;
/**
 * Bytes a waiting message takes in a shard, for the memory estimate: its bucket record plus its
 * copy in the sorted tick buffer, with a quarter for the buffers' doubling growth.
 */
export const PENDING_MESSAGE_BYTES = (MESSAGE_INTS + SORTED_INTS) * 4 * 1.25;

/** The receiver sits in the low 30 bits of TO_KIND, the kind above. */
export const KIND_SHIFT = 30;
export const TO_MASK = (1 << KIND_SHIFT) - 1;
/** The kind's bits of TO_KIND, in place. */
export const KIND_MASK = ~TO_MASK;
