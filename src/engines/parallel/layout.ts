/**
 * Every shared-memory layout of the parallel engine, in one module (STYLE.md rule 2). Nothing else
 * hard-codes an offset.
 *
 * Three shared buffers (four with replies in set mode, five in log mode), all allocated by the
 * main thread before any worker starts:
 *
 * 1. The state memory: shared `WebAssembly.Memory`s (so the WebAssembly kernels and the JS
 *    views see the same bytes), each at most 4 GiB. Log mode has one; set mode has as many
 *    segments as its slots need (SEGMENTS below). Regions, each 64-byte aligned:
 *
 *      +-----------+----------------------------------------------------------------+
 *      | KNOWN     | N bitsets K(h) of W words (u32); bits >= N preset to 1           |
 *      | CKPT      | N x C bitsets: K(h) when |L(h)| reached c*B, c = 1..C            |
 *      | CKRANGE   | N x C x 2 words: lowest word and end word of that bitset's ids   |
 *      | SNAP      | G x N bitsets: host h's known set as of tick t in slot (t mod G) |
 *      |           |   (set mode only: push, where log order never changes a metric)  |
 *      | SUMMARY   | G x N summaries: bit b set when block b (32 words) of the slot   |
 *      |           |   is not zero, so merges and copies of sparse sets skip zeros    |
 *      | FULL      | one all-ones set and summary: what a complete host's messages    |
 *      |           |   name, so complete hosts never copy their set again             |
 *      | COMPLETE  | N ticks at which each host became complete (-1: not yet)        |
 *      | SCRATCH   | T rows of N ids: per-shard output of the and-not kernel, and     |
 *      |           |   where set mode stages a set from another memory for a kernel   |
 *      +-----------+----------------------------------------------------------------+
 *
 *    SEGMENTS (set mode): when G x N slots pass 4 GiB, hosts are split into S ranges of
 *    ceil(N / S) hosts by id, and range s keeps its SNAP and SUMMARY rows in memory s, whose
 *    layout is the one above for ceil(N / S) hosts (FULL and SCRATCH in every memory; COMPLETE
 *    of all N hosts in memory 0 only is read). A merge whose sender lives in another memory
 *    first copies the sender's non-zero blocks into the receiver's memory's SCRATCH row of the
 *    receiving shard: one memcpy, then the usual kernel. S is the least that fits; S = 1 is the
 *    single memory of every smaller run, with the same offsets as before segments existed.
 *
 * 1b. The logs (log mode): one `SharedArrayBuffer` of three regions, read by JS only (no kernel
 *    touches them), so they live outside the 4 GiB of the WebAssembly memory: at 6 N^2 bytes
 *    (16-bit entries up to 65,536 hosts; 12 N^2 past that) they are most of a log-mode run
 *    (announce 20,000: 2.4 GB).
 *
 *      +-----------+----------------------------------------------------------------+
 *      | LOG       | N rows of N ids: L(h)[i]                                         |
 *      | POS       | N rows of N positions: i with L(h)[i] = x                        |
 *      | TAILMAX   | N rows of N ids: max of L(h)[B*floor(i/B) .. i]                  |
 *      +-----------+----------------------------------------------------------------+
 *
 *    TAILMAX lets a merge skip the walk of a snapshot's tail (the entries after its last
 *    checkpoint) when every id in it is below the receiver's first non-full word.
 *
 *    SNAP (set mode) replaces logs for `push`: a message carries the tick of the sender's slot
 *    instead of a log prefix, and the sender copies its set to a new slot before it first changes
 *    it in a tick. With G = HI + 1 a slot is never rewritten while a message can still read it,
 *    provided every message names its sender's slot of the tick it was sent in (see the shard's
 *    `snapshotTickOf`; G = HI + 2 would copy less but touch a third more memory, and committing
 *    fresh pages costs more here than the copies).
 *
 *    A region is written only by the shard that owns the host (row) it belongs to; other shards
 *    read LOG, POS, CKPT and CKRANGE rows of a sender only for snapshots sent in an earlier tick,
 *    so the tick barrier (see CONTROL) orders every such write before every such read.
 *
 * 2. The control block (`SharedArrayBuffer`), Int32 slots and a Float64 stats area:
 *
 *      [ 0] ARRIVED     ticks completed by all shards, summed (barrier counter, monotonic)
 *      [ 1] FAILED      1 once any shard failed or the main thread tore the run down
 *      [ 2] STOP        1 once the main thread asked the run to stop (abort, timeout)
 *      [ 3] TICK        the tick shard 0 is working on (progress display only)
 *      [ 4] ABANDONED   t + 1 once a shard gave up tick t in its middle after a STOP (0: none)
 *      [16 + s*16] DOORBELL of shard s (own 64-byte line): bumped by whoever wants s to look
 *                  at its rings or the barrier again; s sleeps on it with Atomics.wait
 *      [17 + s*16] THREAD_ID of shard s's worker
 *      stats, Float64, at STATS_OFFSET: [parity][shard][STAT_*], cumulative per shard (and
 *                  STAT_LIVE_SENT, parity 0 only: a progress figure refreshed within a tick)
 *
 * 3. The rings (`SharedArrayBuffer`): one single-producer single-consumer ring per ordered pair
 *    of shards (src -> dst, src != dst). See `ring.ts` for the ring itself; this module only says
 *    where ring (src, dst) starts.
 *
 * 5. The cells of a cell protocol (rumor): one `SharedArrayBuffer` of N records, one per host, of
 *    as many Int32 as the protocol names cells (ProtocolModule.cells); each shard touches its own
 *    hosts' records first.
 *    Who writes a cell, and why no result depends on the order of writes, is the protocol's rule.
 *
 * 6. A protocol's shared bitmaps and byte maps (ProtocolModule.shared): `SharedArrayBuffer`s of
 *    ceil(N / 32) Int32 words (bit h for host h) and of N bytes rounded up to whole words, and
 *    its lists (`SharedArrayBuffer`s of the Int32 length it asks for); how they are written
 *    without races is the protocol's rule. (Which hosts a protocol that wakes
 *    hosts steps at the next tick is in two bitmaps private to each shard: only a host's own
 *    shard wakes it.)
 */
import { RING_RECORD_BYTES } from './message.js';

/** Ids per checkpoint block: a checkpoint of L(h) is taken every `B` entries. */
export const CHECKPOINT_INTERVALS = [32, 64, 128, 256, 512, 1024] as const;
export type CheckpointInterval = (typeof CHECKPOINT_INTERVALS)[number];

/** Words per block of a set-mode slot; a slot's summary has one bit per block that is not zero. */
export const BLOCK_WORDS = 32;

/** Bytes of one WebAssembly page. */
export const WASM_PAGE = 65536;
/** The largest single WebAssembly memory (65536 pages). */
export const WASM_MAX_BYTES = 4 * 1024 * 1024 * 1024;

const ALIGN = 64;
function align(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** Words per bitset of N ids, rounded up to a multiple of 4 so SIMD kernels need no tail. */
export function wordsPerSet(n: number): number {
  return Math.ceil(n / 128) * 4;
}

/**
 * How host state is stored: discovery logs (any protocol) or versioned bitsets (protocols whose
 * snapshots never depend on log order), with `versions` per shard and generation when messages
 * may leave in the middle of their sender's tick (replies; 0 otherwise).
 */
export type StateMode =
  | { readonly mode: 'log'; readonly interval: CheckpointInterval }
  | { readonly mode: 'set'; readonly generations: number; readonly versions: number }
  | { readonly mode: 'cells' };

/** Byte offsets of the state memory's regions (0-sized regions are unused in that mode). */
export interface StateLayout {
  readonly hosts: number;
  readonly shards: number;
  /** `cells`: a cell protocol (rumor), whose state is its cells (5. below): every region here is empty. */
  readonly mode: 'log' | 'set' | 'cells';
  /** Words per bitset. */
  readonly words: number;
  /** Log mode: checkpoint interval B (ids); set mode: unused (1). */
  readonly interval: CheckpointInterval | 1;
  /** Log mode: checkpoints per host, C = floor(N / B). */
  readonly checkpoints: number;
  /** Set mode: generations G of snapshot slots (host h's slot for tick t is G-slot t mod G). */
  readonly generations: number;
  /** Set mode: versions per shard and generation (see VersionsLayout; 0: no replies, none kept). */
  readonly versions: number;
  /** State memories (SEGMENTS; 1 except for set mode past 4 GiB). */
  readonly segments: number;
  /** Hosts per memory: host h's rows are row h mod this in memory floor(h / this). */
  readonly segmentHosts: number;
  readonly known: number;
  /**
   * Log mode: bytes of one entry of LOG, POS and TAILMAX (ids and positions below N): 2 up to
   * 65,536 hosts (LOG_ENTRIES_16_HOSTS), else 4.
   */
  readonly logEntryBytes: 2 | 4;
  /** Log mode: offsets in the logs buffer (1b.), not the state memory. */
  readonly log: number;
  readonly pos: number;
  readonly tailMax: number;
  /** Log mode: bytes of the logs buffer (0 otherwise). */
  readonly logsBytes: number;
  readonly ckpt: number;
  readonly ckRange: number;
  readonly snap: number;
  /** Set mode: summary words per slot (one bit per block of BLOCK_WORDS words that is not zero). */
  readonly summaryWords: number;
  readonly summary: number;
  /** Set mode: one all-ones set and its summary, named by messages from complete hosts. */
  readonly full: number;
  readonly complete: number;
  readonly scratch: number;
  /** Bytes of one state memory (all `segments` have this layout). */
  readonly bytes: number;
}

/**
 * Lays out the state memory of a run of `hosts` hosts on `shards` shards. Set mode takes the
 * fewest segments whose memories fit 4 GiB each, and at least `minSegments` (tests: several
 * memories at small sizes).
 */
export function stateLayout(hosts: number, shards: number, spec: StateMode, minSegments = 1): StateLayout {
  if (spec.mode === 'cells') {
    return {
      hosts, shards, mode: 'cells', words: 0, interval: 1, checkpoints: 0, generations: 0, versions: 0, segments: 1, segmentHosts: hosts,
      logEntryBytes: 4, known: 0, log: 0, pos: 0, tailMax: 0, logsBytes: 0, ckpt: 0, ckRange: 0, snap: 0, summaryWords: 0, summary: 0, full: 0, complete: 0, scratch: 0, bytes: 0,
    };
  }
  if (spec.mode === 'log') return segmentLayout(hosts, shards, spec, hosts);
  // A memory's scratch row (N ids) must hold a staged set: no segments below that.
  if (wordsPerSet(hosts) > hosts) return segmentLayout(hosts, shards, spec, hosts);
  // The fewest segments that fit, `minSegments` at least (a layout too large even at one host per
  // memory is returned as is: memory.ts refuses it).
  const whole = segmentLayout(hosts, shards, spec, Math.ceil(hosts / Math.min(hosts, minSegments)));
  if (whole.bytes <= WASM_MAX_BYTES) return whole;
  const fixed = segmentLayout(hosts, shards, spec, 0).bytes;
  if (fixed >= WASM_MAX_BYTES) return whole;
  // Bytes per host of SNAP and SUMMARY; a few more segments absorb the alignment of regions.
  const perHost = (whole.bytes - fixed) / whole.segmentHosts;
  let segments = Math.max(minSegments, Math.ceil(hosts / Math.max(1, Math.floor((WASM_MAX_BYTES - fixed) / perHost))));
  let layout = segmentLayout(hosts, shards, spec, Math.ceil(hosts / segments));
  while (layout.bytes > WASM_MAX_BYTES && layout.segmentHosts > 1) {
    segments++;
    layout = segmentLayout(hosts, shards, spec, Math.ceil(hosts / segments));
  }
  return layout;
}

/** Bytes of a run's host state: every state memory, and the logs buffer. */
export function stateBytes(layout: StateLayout): number {
  return layout.segments * layout.bytes + layout.logsBytes;
}

/**
 * Most hosts whose logs keep 16-bit entries: every id and log position is below N. Halves the
 * logs buffer (6 N^2 bytes instead of 12 N^2: announce 15,000, 1.35 GB less to touch and free).
 */
export const LOG_ENTRIES_16_HOSTS = 1 << 16;

/** The layout of one state memory holding the rows of `perMemory` hosts. */
function segmentLayout(hosts: number, shards: number, spec: Exclude<StateMode, { mode: 'cells' }>, perMemory: number): StateLayout {
  const words = wordsPerSet(hosts);
  const log = spec.mode === 'log';
  const interval = log ? spec.interval : 1;
  const checkpoints = log ? Math.floor(hosts / spec.interval) : 0;
  const generations = log ? 0 : spec.generations;
  const versions = log ? 0 : spec.versions;
  const logEntryBytes = hosts <= LOG_ENTRIES_16_HOSTS ? 2 : 4;
  const square = align(log ? hosts * hosts * logEntryBytes : 0);
  // The logs buffer: LOG, POS, TAILMAX.
  const logAt = 0;
  const pos = square;
  const tailMax = 2 * square;
  const logsBytes = 3 * square;
  let at = 0;
  const region = (bytes: number): number => {
    const start = at;
    at += align(bytes);
    return start;
  };
  const known = region(log ? hosts * words * 4 : 0);
  const ckpt = region(hosts * checkpoints * words * 4);
  const ckRange = region(hosts * checkpoints * 2 * 4);
  const snap = region(generations * perMemory * words * 4);
  const summaryWords = log ? 0 : Math.ceil(Math.ceil(words / BLOCK_WORDS) / 32);
  const summary = region(generations * perMemory * summaryWords * 4);
  const full = region(log ? 0 : (words + summaryWords) * 4);
  const complete = region(hosts * 4);
  const scratch = region(shards * hosts * 4);
  return {
    hosts, shards, mode: spec.mode, words, interval, checkpoints, generations, versions,
    segments: perMemory === 0 ? 0 : Math.ceil(hosts / perMemory), segmentHosts: perMemory, logEntryBytes, known, log: logAt, pos, tailMax, logsBytes, ckpt, ckRange, snap, summaryWords, summary, full, complete, scratch, bytes: at,
  };
}

// ---- snapshot versions (set mode with replies) -------------------------------------------------

/**
 * 4. The versions of one shard (`SharedArrayBuffer`, one per shard; set mode with replies only).
 *
 *      +-------+------------------------------------------------------------------------+
 *      | FLAGS | G x V Int32: version v of generation g is 0 = "the sender's slot of that |
 *      |       |   tick, as it ends the tick", 1 = "a row in the arena", 2 = "a patch"  |
 *      | META  | G x V x 3 Int32: row: [its arena index]; patch: [the arena index of    |
 *      |       |   the row it patches, its own arena index, its blocks]                 |
 *      | ARENA | G x (V x W) Int32, one part per generation, filled from its start in   |
 *      |       |   the order versions close: rows (W words, a set frozen mid-tick) and  |
 *      |       |   patches (per block: its index, then BLOCK_WORDS words)               |
 *      +-------+------------------------------------------------------------------------+
 *
 *    A reply leaves while its sender may still merge later messages of the same tick, so it
 *    cannot name the sender's slot of that tick outright. It names a version: a flag says
 *    whether the slot as it ends the tick is what the reply carries (the sender changed no
 *    more: nothing was copied), or the sender froze the set just before it next changed: as a
 *    whole row, or, when the sender already froze a row earlier in the tick and has changed few
 *    blocks since, as a patch: those blocks as they are now, over that row. A hotspot that
 *    answers thousands of pushes, each adding an id or two, writes mostly patches of one block
 *    instead of a row each. A version writes at most W words (a patch is never bigger than a
 *    row), so V x W words per generation always suffice. Only the shard that owns the sender
 *    writes its versions, during tick t; readers read them from tick t + 1 on, after the
 *    barrier; generation g = t mod G is reused at tick t + G > t + HI, after every reader is
 *    done. Pages are committed only where the arena is written, so V is the worst case without
 *    costing it.
 */
export interface VersionsLayout {
  /** Versions per generation and shard: the most whole-set messages one shard can send in a tick. */
  readonly perGeneration: number;
  readonly generations: number;
  readonly words: number;
  readonly flags: number;
  readonly meta: number;
  readonly arena: number;
  /** The most blocks one patch holds (0: sets too small for patches to pay; every version is a row). */
  readonly patchBlocks: number;
  readonly bytes: number;
}

/** Int32 words of one patch entry: the block's index, then its words. */
export const PATCH_ENTRY_WORDS = BLOCK_WORDS + 1;
/** The most blocks a patch holds: a sender tracks at most this many changed blocks per host. */
const MAX_PATCH_BLOCKS = 16;

/** Lays out one shard's versions: `perGeneration` versions of `words`-word sets, for G generations. */
export function versionsLayout(perGeneration: number, generations: number, words: number): VersionsLayout {
  const flags = 0;
  const meta = align(generations * perGeneration * 4);
  const arena = meta + align(generations * perGeneration * 3 * 4);
  // A patch pays when it is at most half a row.
  const patchBlocks = Math.min(MAX_PATCH_BLOCKS, Math.floor(words / 2 / PATCH_ENTRY_WORDS));
  return { perGeneration, generations, words, flags, meta, arena, patchBlocks, bytes: arena + generations * perGeneration * words * 4 };
}

// ---- control block -------------------------------------------------------------------------

export const CTL_ARRIVED = 0;
export const CTL_FAILED = 1;
export const CTL_STOP = 2;
export const CTL_TICK = 3;
/**
 * Set to t + 1 by a shard that saw STOP in the middle of tick t and left it: tick t can then never
 * complete, so shards waiting at its barrier leave too, and the run ends after tick t - 1.
 */
export const CTL_ABANDONED = 4;
/**
 * The first touch (store.ts commitChunks): the next chunk to claim; how many of the touchers (the
 * main thread and every shard) touch no more; how many shards have begun.
 */
export const CTL_COMMIT_NEXT = 5;
export const CTL_COMMIT_FINISHED = 6;
export const CTL_COMMIT_STARTED = 7;
/** Int32 slot of shard s's doorbell: each on its own 64-byte line to avoid false sharing. */
export function doorbellSlot(shard: number): number {
  return 16 + shard * 16;
}

/** Int32 slot where shard s writes its worker's threadId (on the doorbell's line; written once). */
export function threadIdSlot(shard: number): number {
  return doorbellSlot(shard) + 1;
}

/** Per-shard cumulative counters published at the end of every tick (Float64 slots). */
export const STAT_SENT = 0;
export const STAT_DELIVERED = 1;
export const STAT_PROCESSED = 2;
export const STAT_IGNORED = 3;
export const STAT_LOST = 4;
export const STAT_ENTRIES = 5;
export const STAT_COMPLETE = 6;
export const STAT_KNOWN = 7;
export const STAT_KNOW_SEED = 8;
export const STAT_STOP = 9;
/**
 * Messages sent so far by the shard, refreshed while a tick runs (every `LIVE_SENT_EVERY` sends
 * and at each barrier). Only the progress display reads it; it lives in the parity-0 row alone,
 * since it belongs to no tick.
 */
export const STAT_LIVE_SENT = 10;
/** How often (in sends, a power of two) a shard refreshes STAT_LIVE_SENT. */
export const LIVE_SENT_EVERY = 4096;
/** First of the protocol's tallies (MAX_TALLIES slots, cell protocols): this shard's share of each. */
export const STAT_TALLY = 11;
/** Messages cut by a partition (after the tallies: STAT_TALLY + MAX_TALLIES). */
export const STAT_PARTITIONED = 19;
/**
 * Crashes (docs/semantics.md "Faults: crashes"): messages delivered to a down host, and this
 * shard's hosts down at the tick, those of them complete and the ids they know (the run's live
 * figures leave them out).
 */
export const STAT_DROPPED = 20;
export const STAT_DOWN = 21;
export const STAT_DOWN_COMPLETE = 22;
export const STAT_DOWN_KNOWN = 23;
/** The down hosts' share of the protocol's tallies (Behaviour.downShare), MAX_TALLIES slots. */
export const STAT_DOWN_TALLY = 24;
/** Float64 slots per shard (11 counters, 8 tallies, 5 fault counters, 8 down tallies: four 64-byte lines). */
export const STATS_PER_SHARD = 32;

/** Byte offsets of the control block. */
export interface ControlLayout {
  readonly shards: number;
  /** Byte offset of the Float64 stats area: [parity 0|1][shard][STAT_*]. */
  readonly stats: number;
  readonly bytes: number;
}

/** Lays out the control block for `shards` shards. */
export function controlLayout(shards: number): ControlLayout {
  const stats = align((doorbellSlot(shards) + 16) * 4);
  return { shards, stats, bytes: stats + 2 * shards * STATS_PER_SHARD * 8 };
}

/** Float64 index of counter `stat` of `shard` in the stats slot of tick parity `parity`. */
export function statIndex(layout: ControlLayout, parity: number, shard: number, stat: number): number {
  return layout.stats / 8 + (parity * layout.shards + shard) * STATS_PER_SHARD + stat;
}

// ---- rings -----------------------------------------------------------------------------------

/** Int32 slots of a ring header: head and tail on separate 64-byte lines. */
export const RING_HEADER_INTS = 32;
export const RING_HEAD = 0;
export const RING_TAIL = 16;

/** Where each ring lives in the rings buffer. */
export interface RingsLayout {
  readonly shards: number;
  /** Records per ring, a power of two. */
  readonly capacity: number;
  /** Bytes per ring, header included. */
  readonly ringBytes: number;
  readonly bytes: number;
}

/** Total bytes the rings may take, whatever the shard count. */
export const RINGS_BUDGET = 64 * 1024 * 1024;

/**
 * Lays out T*(T-1) rings, each as large as the budget allows (256 to 2^18 records), or of
 * `capacity` records (a power of two; tests use tiny rings to make producers wait for space).
 */
export function ringsLayout(shards: number, capacity?: number): RingsLayout {
  const pairs = Math.max(1, shards * (shards - 1));
  let records = capacity ?? 1 << 18;
  if (capacity === undefined) while (records > 256 && pairs * records * RING_RECORD_BYTES > RINGS_BUDGET) records >>= 1;
  const ringBytes = align(RING_HEADER_INTS * 4 + records * RING_RECORD_BYTES);
  return { shards, capacity: records, ringBytes, bytes: pairs * ringBytes };
}

/** Byte offset of ring (src -> dst), src != dst. */
export function ringOffset(layout: RingsLayout, src: number, dst: number): number {
  const index = src * (layout.shards - 1) + (dst < src ? dst : dst - 1);
  return index * layout.ringBytes;
}
