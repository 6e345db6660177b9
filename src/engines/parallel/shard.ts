/**
 * One shard of the parallel engine: a contiguous range of hosts, simulated by one worker thread.
 *
 * Every tick, each shard (1) sorts the messages delivered to its hosts at this tick, (2) handles
 * them host by host in SPEC order and takes each host's periodic step, sending into the
 * destination shard's ring (or its own queue), (3) publishes its counters and meets the other
 * shards at a barrier, draining its incoming rings while it waits, (4) reads every shard's
 * counters and takes the same end-of-run decision as every other shard.
 *
 * State lives in the shared state memory (see layout.ts): known-host bitsets, discovery logs,
 * position index and bitset checkpoints of the logs. A merge of snapshot L(f)[0 .. s) costs the
 * and-not of one checkpoint (only over the receiver's words that are not full yet) plus a walk of
 * fewer than B tail entries, instead of a walk of all s entries: that is what keeps `announce`
 * from being cubic in practice.
 */
import { threadId } from 'node:worker_threads';
import { rand, STREAM_PEER } from '../../hash.js';
import type { SimulationOptions } from '../../options.js';
import { KIND_PULL, KIND_SET, NO_KIND, rulesOf, type MessageKind } from '../../protocol.js';
import { LOST, Transport } from '../../transport.js';
import type { EndReason } from '../../result.js';
import { BitsetOps, FULL_TICK } from './bitset-ops.js';
import type { WasmMemory } from '../../kernels/bitset.js';
import {
  CTL_ABANDONED, CTL_ARRIVED, CTL_FAILED, CTL_STOP, CTL_TICK, doorbellSlot, ringOffset, statIndex, threadIdSlot,
  STAT_COMPLETE, STAT_DELIVERED, STAT_ENTRIES, STAT_IGNORED, STAT_KNOW_SEED, STAT_KNOWN, STAT_LOST,
  STAT_LIVE_SENT, STAT_PROCESSED, STAT_SENT, STAT_STOP, LIVE_SENT_EVERY, type ControlLayout, type RingsLayout, type StateLayout,
} from './layout.js';
import { hostsOf, partition } from './partition.js';
import { FIELD_AT, FIELD_FROM, FIELD_PAYLOAD, FIELD_SEQ, FIELD_TO_KIND, KIND_SHIFT, MESSAGE_INTS } from './message.js';
import { PendingMessages, type MessageBuffer } from './queue.js';
import { RingConsumer, RingProducer } from './ring.js';

/**
 * Test-only fault injection (issue: a worker that fails must end the run, not hang it):
 * `throw` raises an error in the shard, `exit` ends the worker thread with process.exit, `oom`
 * allocates until the worker's heap limit kills it, `terminate` has the main thread terminate the
 * shard's worker once the run reaches the tick.
 */
export type FaultKind = 'throw' | 'exit' | 'oom' | 'terminate';
export interface Fault {
  readonly shard: number;
  readonly tick: number;
  readonly kind?: FaultKind;
}

/** Everything a shard needs to start; sent once over the control plane. */
export interface ShardConfig {
  readonly shard: number;
  readonly shards: number;
  readonly options: SimulationOptions;
  readonly memory: WasmMemory;
  readonly control: SharedArrayBuffer;
  readonly rings: SharedArrayBuffer;
  readonly state: StateLayout;
  readonly controlLayout: ControlLayout;
  readonly ringsLayout: RingsLayout;
  /** Busy-wait at barriers before sleeping (only when there are no more shards than cores). */
  readonly spin: boolean;
  /** Test-only fault injection for this shard. */
  readonly fault?: Fault;
}

/** What a shard reports when the run ends. */
export interface ShardReport {
  readonly shard: number;
  readonly endReason: EndReason | 'stopped';
  readonly lastTick: number;
  /** Most messages this shard held for later ticks at once. */
  readonly peakPending: number;
  /** Times this shard found a ring to another shard full and waited for space. */
  readonly ringWaits: number;
  /** Which bitset kernels this shard ran. */
  readonly kernels: 'wasm' | 'js';
  /** Shard 0 only: the global per-tick series and spread tick. */
  readonly series?: { sent: number[]; delivered: number[]; complete: number[]; coverage: number[] };
  readonly spreadTicks?: number | null;
}

/**
 * Thrown inside a shard that leaves tick t in its middle because the run was asked to stop: the
 * run ends after tick t - 1, whose counters every shard has published.
 */
class StoppedMidTick extends Error {
  override readonly name = 'StoppedMidTick';
}

/** Messages handled (or hosts stepped) between two looks at STOP in the middle of a tick. */
const STOP_CHECK_EVERY = 1024;

/** Thrown in a shard that stops because another shard failed (not the cause itself). */
export class RunTornDown extends Error {
  override readonly name = 'RunTornDown';
}

/**
 * Barrier spinning, adaptive: a shard spins up to its budget of rounds (each a drain and two
 * loads, about 0.1 us) before it sleeps. A barrier met while spinning doubles the budget (up to
 * SPIN_MAX), one that had to sleep halves it (down to SPIN_MIN): when another process takes a
 * core, the shard that would spin is the one keeping the late shard off it, so spinning stops
 * paying and the budget falls to a few rounds within a dozen ticks; it grows back once barriers
 * are met quickly again.
 */
const SPIN_MAX = 4000;
const SPIN_MIN = 16;
/** Publish a ring's records once this many are written, so consumers can drain while we work. */
const PUBLISH_BATCH = 1024;

/** Runs a shard to the end of the run. Blocks the calling thread (a worker) throughout. */
export function runShard(config: ShardConfig): ShardReport {
  return new Shard(config).run();
}

function injectFault(fault: Fault): void {
  switch (fault.kind ?? 'throw') {
    case 'throw':
      throw new Error(`injected fault at tick ${fault.tick}`);
    case 'exit':
      process.exit(7);
    case 'oom': {
      const hog: number[][] = [];
      for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length));
    }
    case 'terminate':
      // The main thread watches the tick and terminates this worker (see engine.ts).
      return;
  }
}

class Shard {
  private readonly n: number;
  private readonly self: number;
  private readonly shards: number;
  /** This shard's hosts, ascending, and each host's index among them (local arrays use it). */
  private readonly hosts: Int32Array;
  private readonly localOf: Int32Array;
  /** This shard's two host ranges: [a0, b0, a1, b1]. */
  private readonly ownRanges: readonly number[];
  private readonly rangeOf: Uint16Array;
  private readonly opts: SimulationOptions;
  private readonly ctl: Int32Array;
  private readonly stats: Float64Array;
  /** Float64 index of this shard's STAT_LIVE_SENT slot. */
  private readonly liveSentIndex: number;
  private readonly ops: BitsetOps;
  private readonly producers: (RingProducer | undefined)[] = [];
  private readonly consumers: (RingConsumer | undefined)[] = [];
  private readonly shardOf: Uint16Array;
  private readonly pending: PendingMessages;

  // Shared state views (whole memory; rows indexed by host).
  private readonly known: Int32Array;
  private readonly log: Int32Array;
  private readonly pos: Int32Array;
  private readonly tailMax: Int32Array;
  private readonly ckRange: Int32Array;
  private readonly complete: Int32Array;

  // Local per-host state of this shard's hosts (index h - lo).
  private readonly logLen: Int32Array;
  private readonly firstNonFull: Int32Array;
  private readonly minWord: Int32Array;
  private readonly maxWord: Int32Array;
  private readonly nextSeq: Int32Array;
  private readonly sentThisTick: Int32Array;
  /** Set mode: the tick of the slot that holds each host's current set. */
  private readonly snapTick: Int32Array;
  private readonly setMode: boolean;
  private readonly generations: number;
  private readonly latMax: number;

  // Protocol constants.
  private readonly stops: boolean;
  private readonly sendOnAppend: boolean;
  private readonly periodicKind: number;
  private readonly replyKind: readonly number[];
  private readonly canStall: boolean;
  /** Decides every message's fate (loss, latency). */
  private readonly transport: Transport;
  private readonly seed: number;
  private readonly words: number;
  private readonly interval: number;
  private readonly intervalShift: number;
  private readonly checkpoints: number;

  // Cumulative counters of this shard.
  private sent = 0;
  private delivered = 0;
  private processed = 0;
  private ignored = 0;
  private lost = 0;
  private entries = 0;
  private completeCount = 0;
  private knownTotal = 0;
  private knowSeed = 0;
  private t = 0;
  /** Barrier rounds to spin before sleeping (see SPIN_MAX). */
  private spinBudget = SPIN_MAX;
  /** Times a ring to another shard was full (see waitForSpace). */
  private ringWaits = 0;
  /** Counts down the work until the next look at STOP (see STOP_CHECK_EVERY). */
  private stopCountdown = STOP_CHECK_EVERY;
  /** The bucket of this shard's messages to itself for tick `ownBucketTick` (saves a map lookup per send). */
  private ownBucket: MessageBuffer | undefined;
  private ownBucketTick = -1;
  private ownBucketRange = -1;
  /** True while the initial logs are written (no sends then). */
  private initializing = true;

  constructor(private readonly config: ShardConfig) {
    const { options, shard, shards, state } = config;
    this.n = options.hosts;
    this.self = shard;
    this.shards = shards;
    this.opts = options;
    const part = partition(this.n, shards);
    this.hosts = hostsOf(part, shard);
    const mirror = 2 * shards - 1 - shard;
    this.ownRanges = [part.rangeStart[shard]!, part.rangeStart[shard + 1]!, part.rangeStart[mirror]!, part.rangeStart[mirror + 1]!];
    this.localOf = new Int32Array(this.n).fill(-1);
    for (let i = 0; i < this.hosts.length; i++) this.localOf[this.hosts[i]!] = i;
    this.rangeOf = part.rangeOf;
    this.shardOf = part.shardOf;
    this.ctl = new Int32Array(config.control);
    this.stats = new Float64Array(config.control);
    this.liveSentIndex = statIndex(config.controlLayout, 0, config.shard, STAT_LIVE_SENT);
    const buffer = config.memory.buffer as unknown as SharedArrayBuffer;
    this.ops = new BitsetOps(config.memory, state, shard);
    // Set mode has no KNOWN, LOG, POS or TAILMAX region: its views are empty.
    const logMode = state.mode === 'log';
    const square = logMode ? this.n * this.n : 0;
    this.known = new Int32Array(buffer, state.known, logMode ? this.n * state.words : 0);
    this.log = new Int32Array(buffer, state.log, square);
    this.pos = new Int32Array(buffer, state.pos, square);
    this.tailMax = new Int32Array(buffer, state.tailMax, square);
    this.ckRange = new Int32Array(buffer, state.ckRange, this.n * state.checkpoints * 2);
    this.complete = new Int32Array(buffer, state.complete, this.n);
    for (let s = 0; s < shards; s++) {
      if (s === shard) {
        this.producers.push(undefined);
        this.consumers.push(undefined);
      } else {
        const rl = config.ringsLayout;
        this.producers.push(new RingProducer(config.rings, ringOffset(rl, shard, s), rl.capacity));
        this.consumers.push(new RingConsumer(config.rings, ringOffset(rl, s, shard), rl.capacity));
      }
    }
    const size = this.hosts.length;
    this.pending = new PendingMessages(part.ranges, this.localOf, size);
    this.logLen = new Int32Array(size);
    this.firstNonFull = new Int32Array(size);
    this.minWord = new Int32Array(size).fill(0x7fffffff);
    this.maxWord = new Int32Array(size).fill(-1);
    this.nextSeq = new Int32Array(size);
    this.sentThisTick = new Int32Array(size);
    this.snapTick = new Int32Array(size);
    this.setMode = state.mode === 'set';
    this.generations = state.generations;
    this.latMax = options.latency.max;

    const rules = rulesOf(options.protocol);
    this.stops = rules.stopsWhenComplete;
    this.sendOnAppend = rules.sendOnAppend;
    this.periodicKind = rules.periodicKind;
    this.replyKind = rules.replyKind;
    this.canStall = rules.canStall;
    this.transport = new Transport(options);
    this.seed = options.seed;
    this.words = state.words;
    this.interval = state.interval;
    this.intervalShift = Math.log2(state.interval);
    this.checkpoints = state.checkpoints;
  }

  run(): ShardReport {
    this.prefaultOwnRows();
    // Lets the main thread find this shard's worker (fault injection) and see that the shard has
    // started and committed its memory (diagnostics.phases).
    Atomics.store(this.ctl, threadIdSlot(this.self), threadId);
    this.initHosts();
    const series = this.self === 0 ? { sent: [] as number[], delivered: [] as number[], complete: [] as number[], coverage: [] as number[] } : undefined;
    let spreadTicks: number | null = null;
    let prevSent = 0;
    let prevDelivered = 0;
    const n = this.n;
    for (;;) {
      const t = this.t;
      if (this.self === 0) Atomics.store(this.ctl, CTL_TICK, t);
      if (this.config.fault?.tick === t) injectFault(this.config.fault);
      this.sentThisTick.fill(0);
      try {
        this.processTick();
        this.flushRings();
        this.barrier();
      } catch (error) {
        if (!(error instanceof StoppedMidTick)) throw error;
        // Tick t was left unfinished: the run ends after tick t - 1 (its counters, published
        // in the other parity, are intact; shard 0's series stops there too).
        return this.report('stopped', t - 1, series, spreadTicks);
      }

      // Every shard reads the same published counters, so every shard takes the same decision.
      const parity = t & 1;
      let sent = 0, delivered = 0, lost = 0, complete = 0, known = 0, knowSeed = 0, stop = 0;
      for (let s = 0; s < this.shards; s++) {
        sent += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_SENT)]!;
        delivered += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_DELIVERED)]!;
        lost += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_LOST)]!;
        complete += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_COMPLETE)]!;
        known += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_KNOWN)]!;
        knowSeed += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_KNOW_SEED)]!;
        stop += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_STOP)]!;
      }
      if (series !== undefined) {
        series.sent.push(sent - prevSent);
        series.delivered.push(delivered - prevDelivered);
        series.complete.push(complete);
        series.coverage.push(known / (n * n));
        prevSent = sent;
        prevDelivered = delivered;
      }
      if (spreadTicks === null && knowSeed === n) spreadTicks = t;
      const inFlight = sent - lost - delivered;
      let end: EndReason | 'stopped' | undefined;
      if (complete === n) end = 'converged';
      else if (this.canStall && inFlight === 0) end = 'stalled';
      else if (t >= this.opts.maxTicks) end = 'max-ticks';
      else if (stop > 0) end = 'stopped';
      if (end !== undefined) {
        return this.report(end, t, series, spreadTicks);
      }
      this.t++;
    }
  }

  /** This shard's final report: how and after which tick the run ended (shard 0: the series too). */
  private report(endReason: ShardReport['endReason'], lastTick: number, series: ShardReport['series'], spreadTicks: number | null): ShardReport {
    return {
      shard: this.self,
      endReason,
      lastTick,
      peakPending: this.pending.peakStored,
      ringWaits: this.ringWaits,
      kernels: this.ops.kind,
      ...(series === undefined ? {} : { series, spreadTicks }),
    };
  }

  /**
   * Touches every page of this shard's own rows of the state memory once, before the first tick,
   * so that the shards commit their pages in parallel and their ticks take no page faults. Each
   * shard's rows are two contiguous ranges per region (partition.ts), which first-touch fastest
   * (shared/MEASUREMENTS.md: contiguous halves at once about 2x one thread; interleaved pages
   * contend). Only bytes of our own rows are written (zeros, into fresh memory), so a page shared
   * with a neighbour's rows is safe whoever touches it first. Stops early once STOP is set.
   */
  private prefaultOwnRows(): void {
    const st = this.config.state;
    const a32 = new Int32Array(this.config.memory.buffer as unknown as SharedArrayBuffer);
    const n = this.n;
    const rowBytes = st.words * 4;
    const touch = (start: number, end: number): void => {
      for (let i = start >>> 2, last = end >>> 2; i < last; i += 1024) a32[i] = 0;
    };
    let touched = 0;
    for (let r = 0; r < 4; r += 2) {
      const a = this.ownRanges[r]!;
      const b = this.ownRanges[r + 1]!;
      if (a === b) continue;
      const spans: [number, number][] = [];
      if (st.mode === 'log') {
        spans.push([st.known + a * rowBytes, st.known + b * rowBytes]);
        for (const base of [st.log, st.pos, st.tailMax]) spans.push([base + a * n * 4, base + b * n * 4]);
        spans.push([st.ckpt + a * st.checkpoints * rowBytes, st.ckpt + b * st.checkpoints * rowBytes]);
        spans.push([st.ckRange + a * st.checkpoints * 8, st.ckRange + b * st.checkpoints * 8]);
      } else {
        for (let g = 0; g < st.generations; g++) {
          spans.push([st.snap + (g * n + a) * rowBytes, st.snap + (g * n + b) * rowBytes]);
          spans.push([st.summary + (g * n + a) * st.summaryWords * 4, st.summary + (g * n + b) * st.summaryWords * 4]);
        }
      }
      for (const [start, end] of spans) {
        touch(start, end);
        touched += end - start;
        // Every 64 MiB or so: a run stopped during start-up need not commit all its memory.
        if (touched >= 64 << 20) {
          touched = 0;
          if (Atomics.load(this.ctl, CTL_STOP) !== 0) return;
        }
      }
    }
  }

  /** Initial logs and known sets of this shard's hosts (SPEC "Start"). */
  private initHosts(): void {
    const { n, words } = this;
    const periodicKnown = this.opts.protocol !== 'announce' && this.opts.view === 'known';
    // Bits of ids >= N are set so that the last word of a complete set is all ones.
    const padWord = n >>> 5;
    const padBits = n & 31 ? ~((1 << (n & 31)) - 1) : 0;
    if (this.setMode) {
      if (this.self === 0) this.ops.initFull();
      for (const h of this.hosts) this.initSlot(h, periodicKnown);
      this.initializing = false;
      return;
    }
    for (const h of this.hosts) {
      const base = h * words;
      if (padBits !== 0) this.known[base + padWord] = padBits;
      for (let w = padWord + (padBits !== 0 ? 1 : 0); w < words; w++) this.known[base + w] = -1;
      this.complete[h] = -1;
      this.append(h, h);
      if (periodicKnown && h !== 0) this.append(h, 0);
    }
    this.initializing = false;
  }

  /** Handles this tick's deliveries and periodic steps for every host of the shard. */
  private processTick(): void {
    const t = this.t;
    if (t === 0 && this.sendOnAppend) {
      // announce: every host but the seed announces itself to the seed, with s = 1.
      for (const h of this.hosts) if (h !== 0) this.send(h, 0, KIND_SET, 1);
    }
    this.drainIncoming();
    this.pending.collect(t);
    // collect() recycled the buffers of tick t; the cached bucket may be one of them.
    this.ownBucketTick = -1;
    const start = this.pending.start;
    const periodic = this.periodicKind !== NO_KIND;
    const hosts = this.hosts;
    for (let li = 0; li < hosts.length; li++) {
      const h = hosts[li]!;
      const end = start[li + 1]!;
      for (let m = start[li]!; m < end; m++) this.handle(h, m);
      if (periodic) this.periodicStep(h);
      this.stopCountdown -= end - start[li]! + 1;
      if (this.stopCountdown <= 0) this.checkStop();
    }
  }

  /**
   * In the middle of tick t >= 1: leaves the tick if the run was asked to stop (tick 0, only the
   * start, always runs whole). Every shard still in tick t sees the same STOP and leaves too, or
   * waits at the barrier, which ABANDONED releases.
   */
  private checkStop(): void {
    this.stopCountdown = STOP_CHECK_EVERY;
    if (this.t === 0 || Atomics.load(this.ctl, CTL_STOP) === 0) return;
    // Seq-cst store: a shard that reads ABANDONED = t + 1 at the barrier knows tick t is lost.
    Atomics.store(this.ctl, CTL_ABANDONED, this.t + 1);
    for (let s = 0; s < this.shards; s++) if (s !== this.self) this.ring(s);
    throw new StoppedMidTick(`stopped in tick ${this.t}`);
  }

  /** Handles message number `m` of the sorted deliveries, addressed to host `h`. */
  private handle(h: number, m: number): void {
    const d = this.pending.sorted.data;
    const r = m * MESSAGE_INTS;
    const kind = d[r + FIELD_TO_KIND]! >>> KIND_SHIFT;
    const from = d[r + FIELD_FROM]!;
    const s = d[r + FIELD_PAYLOAD]!;
    this.delivered++;
    if (this.stops && this.complete[h] !== -1) {
      this.ignored++;
      return;
    }
    this.processed++;
    // A complete receiver learns nothing: skipping its merge changes no metric (the seed, which
    // every host knows first, receives most pushes of the early ticks and is complete at tick 1).
    if (this.logLen[this.localOf[h]!]! < this.n) {
      if (this.setMode) this.mergeSlot(h, from, s);
      else this.merge(h, from, s);
    }
    const reply = this.replyKind[kind]!;
    if (reply !== NO_KIND) this.send(h, from, reply as MessageKind, this.logLen[this.localOf[h]!]!);
  }

  // ---- set mode (push): versioned bitsets instead of logs -----------------------------------

  /**
   * The tick of the slot a message sent now by h should name. A slot of tick s0 is rewritten by h
   * at tick s0 + G at the earliest, and a message sent at t is read by t + HI at the latest, so
   * naming s0 is safe while t - s0 < G - HI; otherwise h's set is copied to its slot of tick t.
   */
  private snapshotTickOf(h: number): number {
    const li = this.localOf[h]!;
    // A complete host knows everyone: its messages name the shared all-ones set, no copy needed.
    if (this.logLen[li] === this.n) return FULL_TICK;
    const s0 = this.snapTick[li]!;
    if (this.t - s0 < this.generations - this.latMax) return s0;
    this.ops.copySlot(h, s0, this.t);
    this.snapTick[li] = this.t;
    return this.t;
  }

  /** Set mode merge: K(h) |= the snapshot of f in its slot of tick `fTick`. */
  private mergeSlot(h: number, f: number, fTick: number): void {
    const li = this.localOf[h]!;
    const t = this.t;
    if (this.snapTick[li] !== t) {
      // Copy on first write in this tick: the old slot stays intact for messages that name it.
      this.ops.copySlot(h, this.snapTick[li]!, t);
      this.snapTick[li] = t;
    }
    const had0 = this.ops.slotWord(h, t, 0) & 1;
    const added = this.ops.mergeSlot(h, t, f, fTick);
    if (added === 0) return;
    this.knownTotal += added;
    if (had0 === 0 && (this.ops.slotWord(h, t, 0) & 1) !== 0) this.knowSeed++;
    const count = this.logLen[li]! + added;
    this.logLen[li] = count;
    if (count === this.n && this.complete[h] === -1) {
      this.complete[h] = t;
      this.completeCount++;
    }
  }

  /** Set mode start: h's slot of tick 0 holds its initial set. */
  private initSlot(h: number, periodicKnown: boolean): void {
    const li = this.localOf[h]!;
    this.ops.padSlot(h, 0);
    this.snapTick[li] = 0;
    this.complete[h] = -1;
    const ids = periodicKnown && h !== 0 ? [h, 0] : [h];
    for (const x of ids) {
      this.ops.setSlotBit(h, 0, x);
      this.knownTotal++;
      if (x === 0) this.knowSeed++;
    }
    this.logLen[li] = ids.length;
    if (ids.length === this.n) {
      this.complete[h] = 0;
      this.completeCount++;
    }
  }

  /** Host `h` merges L(f)[0 .. s) (SPEC "merge"), appending new ids in L(f) order. */
  private merge(h: number, f: number, s: number): void {
    const li = this.localOf[h]!;
    const c = s >>> this.intervalShift;
    let tail = 0;
    if (c > 0) {
      tail = c << this.intervalShift;
      const ck = f * this.checkpoints + c - 1;
      const fromWord = Math.max(this.ckRange[2 * ck]!, this.firstNonFull[li]!);
      const toWord = this.ckRange[2 * ck + 1]!;
      if (fromWord < toWord) {
        const found = this.ops.andNotIds(ck, h, fromWord, toWord);
        if (found > 0) {
          if (found * 16 >= tail) this.walk(h, f, 0, tail);
          else this.appendInLogOrder(h, f, found);
        }
      }
    }
    // The tail holds no unknown id when its largest id is below the receiver's first non-full word.
    if (tail < s && this.tailMax[f * this.n + s - 1]! >= this.firstNonFull[li]! << 5) this.walk(h, f, tail, s);
  }

  /** Appends the unknown ids of L(f)[from .. to) to L(h), in order. */
  private walk(h: number, f: number, from: number, to: number): void {
    const known = this.known;
    const log = this.log;
    const kb = h * this.words;
    const row = f * this.n;
    const li = this.localOf[h]!;
    let full = this.firstNonFull[li]!;
    for (let i = from; i < to; i++) {
      const x = log[row + i]!;
      const w = x >>> 5;
      if (w < full || (known[kb + w]! & (1 << (x & 31))) !== 0) continue;
      this.append(h, x);
      full = this.firstNonFull[li]!;
    }
  }

  /** Appends the `count` ids found by the and-not kernel, sorted by their position in L(f). */
  private appendInLogOrder(h: number, f: number, count: number): void {
    const ids = this.ops.scratchIds;
    if (count === 1) {
      this.append(h, ids[0]!);
      return;
    }
    const keys = this.ops.sortKeys;
    const row = f * this.n;
    for (let i = 0; i < count; i++) {
      const x = ids[i]!;
      // position < 2^20 and id < 2^20: the key is exact in a double.
      const key = this.pos[row + x]! * 1048576 + x;
      // Insertion sort: counts here are small (large ones walk the log instead).
      let j = i;
      while (j > 0 && keys[j - 1]! > key) {
        keys[j] = keys[j - 1]!;
        j--;
      }
      keys[j] = key;
    }
    for (let i = 0; i < count; i++) this.append(h, keys[i]! % 1048576);
  }

  /** Appends x to L(h) and K(h); announce sends x the whole log right away. */
  private append(h: number, x: number): void {
    const li = this.localOf[h]!;
    const n = this.n;
    const len = this.logLen[li]!;
    const row = h * n;
    this.log[row + len] = x;
    this.pos[row + x] = len;
    this.tailMax[row + len] = (len & (this.interval - 1)) === 0 || x > this.tailMax[row + len - 1]! ? x : this.tailMax[row + len - 1]!;
    const next = len + 1;
    this.logLen[li] = next;
    const kb = h * this.words;
    const w = x >>> 5;
    const word = this.known[kb + w]! | (1 << (x & 31));
    this.known[kb + w] = word;
    if (word === -1 && w === this.firstNonFull[li]) {
      let f = w + 1;
      while (f < this.words && this.known[kb + f] === -1) f++;
      this.firstNonFull[li] = f;
    }
    if (w < this.minWord[li]!) this.minWord[li] = w;
    if (w > this.maxWord[li]!) this.maxWord[li] = w;
    this.knownTotal++;
    if (x === 0) this.knowSeed++;
    if ((next & (this.interval - 1)) === 0) {
      const ck = h * this.checkpoints + (next >>> this.intervalShift) - 1;
      this.ops.checkpoint(ck, h);
      this.ckRange[2 * ck] = this.minWord[li]!;
      this.ckRange[2 * ck + 1] = this.maxWord[li]! + 1;
    }
    if (next === n) {
      this.complete[h] = this.t;
      this.completeCount++;
    }
    if (this.sendOnAppend && !this.initializing) this.send(h, x, KIND_SET, next);
  }

  /** The periodic step of host h: `fanout` peer choices (SPEC "Peer choice"). */
  private periodicStep(h: number): void {
    const n = this.n;
    const kind = this.periodicKind as MessageKind;
    const len = this.logLen[this.localOf[h]!]!;
    const full = this.opts.view === 'full';
    for (let j = 0; j < this.opts.fanout; j++) {
      const r = rand(this.seed, STREAM_PEER, h, this.t, j);
      let peer: number;
      if (full) {
        if (n < 2) return;
        const c = r % (n - 1);
        peer = c < h ? c : c + 1;
      } else {
        const count = len - 1;
        if (count === 0) continue;
        const index = r % count;
        peer = count === n - 1 ? (index < h ? index : index + 1)
          : this.setMode ? this.ops.selectInSlot(h, this.snapTick[this.localOf[h]!]!, index)
          : this.ops.selectKnown(h, index);
      }
      if (this.setMode) this.send(h, peer, kind, len, this.snapshotTickOf(h));
      else this.send(h, peer, kind, kind === KIND_PULL ? 1 : len);
    }
  }

  /**
   * Sends one message (SPEC: counts, loss, latency), to a ring or to this shard's own queue. `s` is
   * the snapshot length (counted in `entries`); the message carries `payload`: `s` itself in log
   * mode, the tick of the sender's snapshot slot in set mode.
   */
  private send(from: number, to: number, kind: MessageKind, s: number, payload = s): void {
    const li = this.localOf[from]!;
    const t = this.t;
    const k = this.sentThisTick[li]!;
    this.sentThisTick[li] = k + 1;
    const seq = this.nextSeq[li]!;
    this.nextSeq[li] = seq + 1;
    this.sent++;
    // Progress only (a plain store; a reader may see it one refresh late, never torn: Float64
    // stores of one aligned slot are single writes on every platform Node runs on).
    if ((this.sent & (LIVE_SENT_EVERY - 1)) === 0) this.stats[this.liveSentIndex] = this.sent;
    this.entries += s;
    const at = this.transport.deliveryTick(from, t, k);
    if (at === LOST) {
      this.lost++;
      return;
    }
    const toKind = to | (kind << KIND_SHIFT);
    const dst = this.shardOf[to]!;
    if (dst === this.self) {
      const range = this.rangeOf[from]!;
      if (at !== this.ownBucketTick || range !== this.ownBucketRange) {
        this.ownBucket = this.pending.bucket(at, range);
        this.ownBucketTick = at;
        this.ownBucketRange = range;
      }
      this.ownBucket!.push(toKind, from, seq, payload);
      this.pending.added(1);
      return;
    }
    const ring = this.producers[dst]!;
    while (!ring.tryPush(toKind, from, seq, payload, at)) this.waitForSpace(dst);
    if (ring.unpublished() >= PUBLISH_BATCH) {
      ring.publish();
      // Drain while we produce: a consumer that only drains when blocked makes its producers wait.
      this.drainIncoming();
    }
  }

  /** Our ring to `dst` is full: publish it, wake its consumer, and drain our own rings meanwhile. */
  private waitForSpace(dst: number): void {
    this.ringWaits++;
    this.producers[dst]!.publish();
    this.ring(dst);
    const bell = doorbellSlot(this.self);
    const seen = Atomics.load(this.ctl, bell);
    if (this.drainIncoming() > 0) return;
    this.checkFailed();
    // A consumer that left the tick (STOP) will never drain: leave it as well.
    this.checkStop();
    Atomics.wait(this.ctl, bell, seen, 5);
  }

  /** Moves every published record of our incoming rings into the pending queue. */
  private drainIncoming(): number {
    let moved = 0;
    for (let src = 0; src < this.shards; src++) {
      const ring = this.consumers[src];
      if (ring === undefined) continue;
      const head = ring.head();
      let tail = ring.tail;
      if (head === tail) continue;
      const a = ring.i32;
      // Consecutive records mostly share a delivery tick and a sender range: look the bucket up once.
      let lastAt = -1;
      let lastRange = -1;
      let bucket: MessageBuffer | undefined;
      for (; tail !== head; tail = (tail + 1) | 0) {
        const i = ring.recordIndex(tail);
        const at = a[i + FIELD_AT]!;
        const range = this.rangeOf[a[i + FIELD_FROM]!]!;
        if (at !== lastAt || range !== lastRange) {
          bucket = this.pending.bucket(at, range);
          lastAt = at;
          lastRange = range;
        }
        bucket!.push(a[i + FIELD_TO_KIND]!, a[i + FIELD_FROM]!, a[i + FIELD_SEQ]!, a[i + FIELD_PAYLOAD]!);
        moved++;
      }
      ring.release(tail);
      this.ring(src);
    }
    if (moved > 0) this.pending.added(moved);
    return moved;
  }

  private flushRings(): void {
    for (const ring of this.producers) ring?.publish();
  }

  /** Wakes shard `s` if it sleeps on its doorbell. */
  private ring(s: number): void {
    Atomics.add(this.ctl, doorbellSlot(s), 1);
    Atomics.notify(this.ctl, doorbellSlot(s));
  }

  private checkFailed(): void {
    if (Atomics.load(this.ctl, CTL_FAILED) !== 0) throw new RunTornDown('the run was torn down');
  }

  /**
   * Publishes this shard's counters for tick t, then waits until every shard has done the same,
   * draining incoming rings meanwhile (a shard still working may be waiting for ring space).
   */
  private barrier(): void {
    const parity = this.t & 1;
    const cl = this.config.controlLayout;
    const st = this.stats;
    const me = this.self;
    // Plain stores, ordered before the seq-cst Atomics.add below; readers Atomics.load ARRIVED
    // first, so they see these values (and never the next tick's: that one uses the other parity,
    // and no shard can start writing tick t+2's stats before every shard has passed tick t+1).
    st[statIndex(cl, parity, me, STAT_SENT)] = this.sent;
    st[statIndex(cl, parity, me, STAT_DELIVERED)] = this.delivered;
    st[statIndex(cl, parity, me, STAT_PROCESSED)] = this.processed;
    st[statIndex(cl, parity, me, STAT_IGNORED)] = this.ignored;
    st[statIndex(cl, parity, me, STAT_LOST)] = this.lost;
    st[statIndex(cl, parity, me, STAT_ENTRIES)] = this.entries;
    st[statIndex(cl, parity, me, STAT_COMPLETE)] = this.completeCount;
    st[statIndex(cl, parity, me, STAT_KNOWN)] = this.knownTotal;
    st[statIndex(cl, parity, me, STAT_KNOW_SEED)] = this.knowSeed;
    st[statIndex(cl, parity, me, STAT_STOP)] = Atomics.load(this.ctl, CTL_STOP);
    st[this.liveSentIndex] = this.sent;
    if (this.shards === 1) return;
    // Every record this shard sent this tick was published (flushRings) before this add, so a
    // shard that sees the full count and then drains sees all of tick t's messages.
    Atomics.add(this.ctl, CTL_ARRIVED, 1);
    for (let s = 0; s < this.shards; s++) if (s !== me) this.ring(s);
    const target = this.shards * (this.t + 1);
    const bell = doorbellSlot(me);
    const budget = this.config.spin ? this.spinBudget : 0;
    let spins = 0;
    let slept = false;
    for (;;) {
      const seen = Atomics.load(this.ctl, bell);
      this.drainIncoming();
      if (Atomics.load(this.ctl, CTL_ARRIVED) >= target) break;
      this.checkFailed();
      // A shard that left tick t in its middle never arrives (it rang our doorbell first).
      if (Atomics.load(this.ctl, CTL_ABANDONED) === this.t + 1) throw new StoppedMidTick(`tick ${this.t} abandoned`);
      if (spins++ < budget) continue;
      slept = true;
      // No lost wakeup: `seen` was read before we last looked at ARRIVED, and every shard that
      // arrives bumps our doorbell after its add, so a wait on a stale `seen` returns at once.
      // The 50 ms timeout only bounds how late a failure (FAILED) or a torn-down run is noticed.
      Atomics.wait(this.ctl, bell, seen, 50);
    }
    this.spinBudget = slept ? Math.max(SPIN_MIN, this.spinBudget >> 1) : Math.min(SPIN_MAX, this.spinBudget * 2);
    this.drainIncoming();
  }
}
