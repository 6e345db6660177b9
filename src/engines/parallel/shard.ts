/**
 * One shard of the parallel engine: a contiguous range of hosts, simulated by one worker thread.
 *
 * Every tick, each shard (1) sorts the messages delivered to its hosts at this tick, (2) handles
 * them host by host in SPEC order and takes each host's periodic step, sending into the
 * destination shard's ring (or its own queue), (3) publishes its counters and meets the other
 * shards at a barrier, draining its incoming rings while it waits, (4) reads every shard's
 * counters and takes the same end-of-run decision as every other shard.
 *
 * The shard owns movement only. What a host does is the protocol module's (src/protocols/): the
 * shard calls its behaviour at the fixed points of the tick (start, each delivery, the periodic
 * step) and offers it the host operations of SPEC.md (HostApi), which a store (store.ts) carries
 * out on the shared state memory. Nothing here tests a protocol's name.
 */
import { rangeWordMask } from '../../bitmaps.js';
import { threadId } from 'node:worker_threads';
import type { SimulationOptions } from '../../options.js';
import { MAX_TALLIES, TALLY_COMPLETE, protocolModule, type Behaviour, type HostApi, type ProtocolModule } from '../../protocols/index.js';
import { DownHosts, hasDownHosts, latencyEnvelope } from '../../faults.js';
import { PARTITIONED, Transport } from '../../transport.js';
import { LOAD_BYTES, LOAD_RECEIVED, LOAD_SENT } from '../../load.js';
import type { EndReason } from '../../result.js';
import { BitsetOps } from './bitset-ops.js';
import type { WasmMemory } from '../../kernels/bitset.js';
import {
  CTL_ABANDONED, CTL_ARRIVED, CTL_COMMIT_FINISHED, CTL_COMMIT_STARTED, CTL_FAILED, CTL_STOP, CTL_TICK, doorbellSlot, ringOffset, statIndex, threadIdSlot,
  STAT_COMPLETE, STAT_DELIVERED, STAT_ENTRIES, STAT_IGNORED, STAT_KNOW_SEED, STAT_KNOWN, STAT_LOST, STAT_PARTITIONED,
  STAT_LIVE_SENT, STAT_PROCESSED, STAT_SENT, STAT_STOP, STAT_TALLY, STAT_DROPPED, STAT_DOWN, STAT_DOWN_COMPLETE, STAT_DOWN_KNOWN, STAT_DOWN_TALLY, LIVE_SENT_EVERY, type ControlLayout, type RingsLayout, type StateLayout,
} from './layout.js';
import { LogStore } from './log-store.js';
import { hostsOf, partition, rangesOf } from './partition.js';
import { KIND_SHIFT, SORTED_FROM_KIND, SORTED_INTS, SORTED_PAYLOAD, TO_MASK } from './message.js';
import { PendingMessages, type MessageBuffer } from './queue.js';
import { RingConsumer, RingProducer } from './ring.js';
import { CellStore } from './cell-store.js';
import { SetStore } from './set-store.js';
import { commitChunks, finishTouching, touchClaimedChunks, type HostStore } from './store.js';

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
  /** The state memories (layout.ts, 1.; one except for set mode past 4 GiB). */
  readonly memories: readonly WasmMemory[];
  readonly control: SharedArrayBuffer;
  readonly rings: SharedArrayBuffer;
  /** Every shard's snapshot versions, by shard (set mode with replies; else empty). */
  readonly versions: readonly SharedArrayBuffer[];
  /** A cell protocol's cell records (layout.ts, 5.; else empty). */
  readonly cells: SharedArrayBuffer;
  /** A protocol's shared bitmaps and byte maps (HostApi.bitmaps, HostApi.bytemaps; layout.ts, 6.; else empty). */
  readonly bitmaps: readonly SharedArrayBuffer[];
  /** A protocol's shared lists (HostApi.lists; else empty). */
  readonly lists: readonly SharedArrayBuffer[];
  /** Per-host load counters (load.ts: 3 N Float64, this shard writing its own hosts' slots; empty when not counted). */
  readonly load: SharedArrayBuffer;
  /** Log mode: the logs (layout.ts, 1b.: LOG, POS, TAILMAX; else empty). */
  readonly logs: SharedArrayBuffer;
  /** Log mode: the old logs of hosts that lose their state, N Int32 per wipe of the run (LogStore; else empty). */
  readonly archive: SharedArrayBuffer;
  readonly bytemaps: readonly SharedArrayBuffer[];
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
  /** Seconds this shard spent in barriers waiting for the other shards. */
  readonly waitSeconds: number;
  /** Which bitset kernels this shard ran. */
  readonly kernels: 'wasm' | 'js';
  /** Shard 0 only: the global per-tick series and spread tick. */
  readonly series?: { sent: number[]; delivered: number[]; complete: number[]; coverage: number[]; live: number[] };
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

class Shard implements HostApi {
  private readonly n: number;
  private readonly self: number;
  private readonly shards: number;
  /** This shard's hosts, ascending, and each host's index among them (local arrays use it). */
  readonly hosts: Int32Array;
  private readonly localOf: Int32Array;
  /** This shard's host ranges, ascending: [a0, b0, a1, b1, ...] (partition.ts rangesOf). */
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
  /** Every shard's host ranges (rangesOf), by shard. */
  private readonly shardRanges: readonly (readonly number[])[];
  private readonly pending: PendingMessages;
  /** Messages each host of the shard has sent (its next send sequence number). */
  private readonly sentBy: Int32Array;
  private readonly sentThisTick: Int32Array;
  /** Whether sentThisTick holds a send of this tick (a tick without sends need not clear it). */
  private sentThisTickDirty = false;

  /** The protocol: its module (end rule, traits) and its rules bound to this shard. */
  private readonly module: ProtocolModule;
  private readonly behaviour: Behaviour;
  /** The hosts' state and the operations on it. */
  private readonly store: HostStore;
  /** The same store, for a cell protocol (learn). */
  private readonly cellStore: CellStore | undefined;
  /** Decides every message's fate (partitions, loss, latency). */
  private readonly transport: Transport;
  /**
   * Which hosts are down at this tick (docs/semantics.md "Faults: crashes", "Faults: churn"), and
   * how a run with faults ends. Crashes are applied to every host, churn to this shard's hosts
   * only, unless the protocol makes synchronous contacts (module `contacts`): a contact's partner
   * may be another shard's host, so then every shard draws churn for every host.
   */
  private readonly down: DownHosts;
  /** Under crashes, which of this shard's hosts (by local index) have taken their start. */
  private readonly started: Uint8Array | undefined;
  /** A cell protocol's cells (shared by every shard) and this shard's share of its tallies. */
  readonly cells: Int32Array;
  readonly tallies = new Float64Array(MAX_TALLIES);
  private readonly tallyCount: number;
  /**
   * Protocols that wake hosts: two bitmaps of this shard's own (plain, unshared words), map t & 1
   * for the hosts that step at tick t (a host is woken only by its own shard).
   */
  private readonly wakeOwn: readonly Int32Array[];
  private readonly wakes: boolean;
  readonly bitmaps: readonly Int32Array[];
  readonly bytemaps: readonly Uint8Array[];
  readonly lists: readonly Int32Array[];
  readonly bitmapWords: { readonly from: number; readonly to: number };
  /** This shard's hosts as id ranges (HostApi.ranges). */
  readonly ranges: readonly number[];
  /** HostApi.instance: this shard's index. */
  readonly instance: number;
  /** Whether hosts settle at the end of each tick (after a barrier of its own). */
  private readonly settles: boolean;
  /** Barriers met so far (CTL_ARRIVED counts shards x barriers). */
  private barriers = 0;
  /** The protocol's tallies summed over shards, as of the last barrier. */
  private readonly tallySums = new Float64Array(MAX_TALLIES);
  /** The down hosts' share of the tallies: this shard's (publishDown), and summed over shards as of the last barrier. */
  private readonly downTallies = new Float64Array(MAX_TALLIES);
  private readonly downTallySums = new Float64Array(MAX_TALLIES);
  /** Messages sent by every shard up to the end of the last tick (TickTotals.sentInTick). */
  private sentBefore = 0;

  // Cumulative counters of this shard.
  private sent = 0;
  private delivered = 0;
  private processed = 0;
  private ignored = 0;
  private lost = 0;
  private partitioned = 0;
  private dropped = 0;
  /**
   * Per-host load (ShardConfig.load, by host id; this shard alone writes its hosts' slots), and
   * whether the run counts it: messages received are added once per host and tick, bytes once per
   * message that carries ids, and messages sent are the counts (sentBy) the shard
   * keeps anyway, written at the end.
   */
  private readonly load: Float64Array;
  private readonly counting: boolean;
  /**
   * Contacts this shard made, per host x: made by x at 2x, made to x at 2x + 1 (side by side: a
   * contact and the reply to it touch the partner's pair once); empty unless the protocol makes
   * contacts.
   */
  private readonly contactLoad: Uint8Array;
  /**
   * The counts' multiples of 256 (a byte a count keeps the hot counters small enough to stay in
   * cache; most hosts never wrap, so these pages are barely touched).
   */
  private readonly contactCarry: Float64Array;
  /** Whether contacts can be cut (partitions) or dropped (down hosts): contact() takes its long way. */
  private readonly faultyContacts: boolean;
  /** Offsets of the received and bytes counters in `load` (N and 2 N). */
  private readonly receivedAt: number;
  private readonly bytesAt: number;
  private entries = 0;
  private t = 0;
  /** Barrier rounds to spin before sleeping (see SPIN_MAX). */
  private spinBudget = SPIN_MAX;
  /** Times a ring to another shard was full (see waitForSpace). */
  private ringWaits = 0;
  /** Milliseconds spent in meet() waiting for the other shards. */
  private waitMs = 0;
  /** checkStop, bound once: PendingMessages.collect() calls it every POLL_RECORDS records. */
  private readonly pollStop = (): void => this.checkStop();
  /** Counts down the work until the next look at STOP (see STOP_CHECK_EVERY). */
  private stopCountdown = STOP_CHECK_EVERY;
  /** The bucket of this shard's messages to itself for tick `ownBucketTick` (saves a map lookup per send). */
  private ownBucket: MessageBuffer | undefined;
  private ownBucketTick = -1;
  private ownBucketRange = -1;

  constructor(private readonly config: ShardConfig) {
    const { options, shard, shards, state } = config;
    this.n = options.hosts;
    this.self = shard;
    this.shards = shards;
    this.opts = options;
    const part = partition(this.n, shards);
    this.hosts = hostsOf(part, shard);
    this.localOf = new Int32Array(this.n).fill(-1);
    for (let i = 0; i < this.hosts.length; i++) this.localOf[this.hosts[i]!] = i;
    this.rangeOf = part.rangeOf;
    this.shardOf = part.shardOf;
    this.shardRanges = Array.from({ length: shards }, (_, s) => rangesOf(part, s));
    this.ownRanges = this.shardRanges[shard]!;
    this.ctl = new Int32Array(config.control);
    this.stats = new Float64Array(config.control);
    this.liveSentIndex = statIndex(config.controlLayout, 0, config.shard, STAT_LIVE_SENT);
    this.ops = new BitsetOps(config.memories, state, shard);
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
    this.sentBy = new Int32Array(size);
    this.sentThisTick = new Int32Array(size);
    this.cells = new Int32Array(config.cells);
    this.bitmaps = config.bitmaps.map((b) => new Int32Array(b));
    this.bytemaps = config.bytemaps.map((b) => new Uint8Array(b));
    this.lists = config.lists.map((b) => new Int32Array(b));
    this.load = new Float64Array(config.load);
    this.counting = this.load.length !== 0;
    // Synchronous contacts (their partners may be other shards' hosts): made and received per host, this shard's own count.
    const contacts = this.counting && protocolModule(options.protocol).contacts?.(options) === true;
    this.contactLoad = new Uint8Array(contacts ? 2 * this.n : 0);
    this.contactCarry = new Float64Array(contacts ? 2 * this.n : 0);
    this.faultyContacts = (options.partitions?.length ?? 0) > 0 || hasDownHosts(options);
    this.receivedAt = LOAD_RECEIVED * this.n;
    this.bytesAt = LOAD_BYTES * this.n;
    this.ranges = this.ownRanges;
    this.instance = shard;
    const words = Math.ceil(this.n / 32);
    this.bitmapWords = { from: Math.floor((shard * words) / shards), to: Math.floor(((shard + 1) * words) / shards) };
    this.module = protocolModule(options.protocol);
    this.tallyCount = this.module.tallies.length;
    const sets = state.mode === 'set'
      ? new SetStore(config.memories, state, this.ops, this.localOf, size, latencyEnvelope(options).max, shard, config.versions, this.shardOf)
      : undefined;
    if (this.module.state === 'cells') {
      this.cellStore = new CellStore(this.tallies, this.n, sets);
      this.store = this.cellStore;
    } else {
      this.store = sets ?? new LogStore(config.memories[0]!, state, this.ops, this.localOf, size, config.logs, config.archive);
    }
    this.transport = new Transport(options);
    // A protocol whose hosts contact any host within the tick must know every host's down state.
    this.down = new DownHosts(options, this.module.contacts?.(options) === true ? [0, this.n] : this.ownRanges);
    this.started = this.down.any && !this.module.traits.startIsState ? new Uint8Array(size) : undefined;
    this.behaviour = this.module.create(this, options);
    this.settles = this.module.settles?.(options) === true;
    this.wakes = this.module.wakes?.(options) === true;
    this.wakeOwn = this.wakes ? [0, 1].map(() => new Int32Array(Math.ceil(this.n / 32))) : [];
    // processWoken walks woken hosts only, so it cannot start hosts at their first tick up.
    if (this.wakes && this.started !== undefined) throw new Error(`protocol ${options.protocol} wakes hosts and starts them at their first tick up: not supported under crashes (its start must be only state)`);
    if (this.settles && this.behaviour.settle === undefined) throw new Error(`protocol ${options.protocol} settles but its behaviour has no settle()`);
    this.store.bind(this.behaviour, this.module.traits.learns);
  }

  // ---- HostApi: what the protocol may do ----------------------------------------------------

  get tick(): number {
    return this.t;
  }

  sendKnown(from: number, to: number, kind: number): void {
    this.sendMessage(from, to, kind, this.store.count(from), this.store.wholePayload(from));
  }

  sendSelf(from: number, to: number, kind: number): void {
    this.sendMessage(from, to, kind, 1, this.store.selfPayload(from));
  }

  merge(h: number, from: number, payload: number): void {
    this.store.merge(h, from, payload);
  }

  isComplete(h: number): boolean {
    return this.store.isComplete(h);
  }

  knownCount(h: number): number {
    return this.store.count(h);
  }

  selectKnown(h: number, index: number): number {
    return this.store.select(h, index);
  }

  learn(h: number, x: number): void {
    if (this.cellStore === undefined) throw new Error('learn() is for cell protocols that keep known sets');
    this.cellStore.add(h, x);
  }

  send(from: number, to: number, kind: number, payload: number): boolean {
    return this.sendMessage(from, to, kind, 0, payload);
  }

  didWork(units: number): void {
    this.stopCountdown -= units;
    if (this.stopCountdown <= 0) this.checkStop();
  }

  wake(h: number): void {
    if (this.shardOf[h] !== this.self) throw new Error(`wake(${h}): host ${h} belongs to shard ${this.shardOf[h]}, not ${this.self}`);
    this.wakeOwn[(this.t + 1) & 1]![h >>> 5]! |= 1 << (h & 31);
  }

  isDown(h: number): boolean {
    return this.down.any && this.down.isDown(h);
  }

  contact(from: number, to: number): boolean {
    // Kept small so that it inlines into the protocol's contact loop; faults take the long way.
    if (this.faultyContacts) return this.contactWithFaults(from, to);
    const counts = this.contactLoad;
    if (++counts[2 * from]! === 256) this.carryContact(2 * from);
    if (++counts[2 * to + 1]! === 256) this.carryContact(2 * to + 1);
    if ((++this.sent & (LIVE_SENT_EVERY - 1)) === 0) this.stats[this.liveSentIndex] = this.sent;
    this.delivered++;
    this.processed++;
    return true;
  }

  /** A contact counter's byte wrapped to 0: its 256 go to the wide counters. */
  private carryContact(i: number): void {
    this.contactCarry[i]! += 256;
    this.contactsCarried = true;
  }

  /** Whether any contact count wrapped (else the carry array was never touched, and is not read). */
  private contactsCarried = false;

  /** contact() in a run with partitions or down hosts: a cut contact is lost, one to a down host dropped. */
  private contactWithFaults(from: number, to: number): boolean {
    const counts = this.contactLoad;
    if (++counts[2 * from]! === 256) this.carryContact(2 * from);
    if ((++this.sent & (LIVE_SENT_EVERY - 1)) === 0) this.stats[this.liveSentIndex] = this.sent;
    if (this.transport.cut(from, to, this.t)) {
      this.lost++;
      this.partitioned++;
      return false;
    }
    this.delivered++;
    if (++counts[2 * to + 1]! === 256) this.carryContact(2 * to + 1);
    if (this.down.any && this.down.isDown(to)) {
      this.dropped++;
      return false;
    }
    this.processed++;
    return true;
  }

  // ---- the run --------------------------------------------------------------------------------

  run(): ShardReport {
    this.commitShare(() => Atomics.load(this.ctl, CTL_STOP) !== 0);
    // Lets the main thread find this shard's worker (fault injection) and see that the shard has
    // started and committed its memory (diagnostics.phases).
    Atomics.store(this.ctl, threadIdSlot(this.self), threadId);
    this.store.init(this.hosts, (h) => this.module.initialLog(h, this.opts));
    // A start line: a shard that touched its memory sooner waits here, not at tick 0's barrier, so
    // barrier waits measure the ticks alone (diagnostics.barrierWaitSeconds).
    this.meet();
    this.waitMs = 0;
    const series = this.self === 0 ? { sent: [] as number[], delivered: [] as number[], complete: [] as number[], coverage: [] as number[], live: [] as number[] } : undefined;
    let spreadTicks: number | null = null;
    let prevSent = 0;
    let prevDelivered = 0;
    const n = this.n;
    for (;;) {
      const t = this.t;
      this.store.tick = t;
      if (this.self === 0) Atomics.store(this.ctl, CTL_TICK, t);
      if (this.config.fault?.tick === t) injectFault(this.config.fault);
      this.down.advance(t);
      this.wipeUndo.length = 0;
      if (this.down.wipeCount !== 0) this.wipe();
      if (this.sentThisTickDirty) {
        this.sentThisTick.fill(0);
        this.sentThisTickDirty = false;
      }
      try {
        // Every shard has the same wipe list, so every shard meets here alike.
        if (this.down.wipeCount !== 0 && this.store.resetsShared === true) this.meet();
        this.processTick();
        this.flushRings();
        if (this.settles) this.settleTick();
        this.barrier();
      } catch (error) {
        if (!(error instanceof StoppedMidTick)) throw error;
        this.undoWipes();
        // Tick t was left unfinished: the run ends after tick t - 1 (its counters, published
        // in the other parity, are intact; shard 0's series stops there too).
        return this.report('stopped', t - 1, series, spreadTicks);
      }

      // Every shard reads the same published counters, so every shard takes the same decision.
      const parity = t & 1;
      let sent = 0, delivered = 0, lost = 0, complete = 0, known = 0, knowSeed = 0, stop = 0, down = 0;
      for (let s = 0; s < this.shards; s++) {
        sent += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_SENT)]!;
        delivered += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_DELIVERED)]!;
        lost += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_LOST)]!;
        complete += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_COMPLETE)]!;
        known += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_KNOWN)]!;
        knowSeed += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_KNOW_SEED)]!;
        stop += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_STOP)]!;
        if (this.down.any) {
          // Live hosts only (docs/semantics.md "Faults: crashes"): down hosts' state is left out.
          down += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_DOWN)]!;
          complete -= this.stats[statIndex(this.config.controlLayout, parity, s, STAT_DOWN_COMPLETE)]!;
          known -= this.stats[statIndex(this.config.controlLayout, parity, s, STAT_DOWN_KNOWN)]!;
        }
      }
      const downTallySums = this.downTallySums;
      if (this.down.any) {
        for (let i = 0; i < this.tallyCount; i++) {
          let total = 0;
          for (let s = 0; s < this.shards; s++) total += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_DOWN_TALLY + i)]!;
          downTallySums[i] = total;
        }
      }
      const live = n - down;
      const tallySums = this.tallySums;
      for (let i = 0; i < this.tallyCount; i++) {
        let total = 0;
        for (let s = 0; s < this.shards; s++) total += this.stats[statIndex(this.config.controlLayout, parity, s, STAT_TALLY + i)]!;
        tallySums[i] = total;
      }
      if (series !== undefined) {
        series.sent.push(sent - prevSent);
        series.delivered.push(delivered - prevDelivered);
        series.complete.push(complete);
        series.coverage.push(live === 0 ? 0 : known / (live * n));
        series.live.push(live);
        prevSent = sent;
        prevDelivered = delivered;
      }
      if (spreadTicks === null && knowSeed === n) spreadTicks = t;
      const inFlight = sent - lost - delivered;
      const sentInTick = sent - this.sentBefore;
      this.sentBefore = sent;
      // The protocol decides over the live hosts; with none, over all N of which none is complete
      // (converged needs a live host, so it falls through to the protocol's other rules).
      const decided = this.module.endOf({
        tick: t, hosts: live === 0 ? n : live, allHosts: n, complete, inFlight, maxTicks: this.opts.maxTicks, sentInTick, tallies: tallySums,
        downTallies: downTallySums, downMayReturn: this.down.any && this.down.mayReturnAfter(t),
      });
      const end: EndReason | 'stopped' | undefined = this.down.endOf(decided, t, live, !this.module.traits.startIsState) ?? (stop > 0 ? 'stopped' : undefined);
      if (end !== undefined) {
        return this.report(end, t, series, spreadTicks);
      }
      this.t++;
    }
  }

  /**
   * This shard's share of the first touch (store.ts commitChunks): chunks claimed in turn with the
   * main thread and the other shards, then a wait until every toucher touches no more
   * (CTL_COMMIT_FINISHED: the main thread and each shard): their chunks hold pages this shard is
   * about to write. After a stop each toucher ends within one chunk.
   */
  private commitShare(stopped: () => boolean): void {
    const c = this.config;
    Atomics.add(this.ctl, CTL_COMMIT_STARTED, 1);
    touchClaimedChunks(this.ctl, commitChunks(c.memories, c.state.bytes, c.logs, c.cells), Infinity, stopped);
    finishTouching(this.ctl);
    for (let done = Atomics.load(this.ctl, CTL_COMMIT_FINISHED); done < this.shards + 1; done = Atomics.load(this.ctl, CTL_COMMIT_FINISHED)) {
      this.checkFailed();
      Atomics.wait(this.ctl, CTL_COMMIT_FINISHED, done, 50);
    }
  }

  /** This shard's final report: how and after which tick the run ended (shard 0: the series too). */
  private report(endReason: ShardReport['endReason'], lastTick: number, series: ShardReport['series'], spreadTicks: number | null): ShardReport {
    // A run that ends whole writes its hosts' load (a stopped one's counters hold part of a tick).
    if (this.counting && endReason !== 'stopped') {
      this.writeLoad();
      if (this.contactLoad.length !== 0) this.addContactLoad();
    }
    return {
      shard: this.self,
      endReason,
      lastTick,
      peakPending: this.pending.peakStored,
      ringWaits: this.ringWaits,
      waitSeconds: this.waitMs / 1000,
      kernels: this.ops.kind,
      ...(series === undefined ? {} : { series, spreadTicks }),
    };
  }

  /** Writes this shard's hosts' messages sent into the shared load counters (the rest is counted as it happens). */
  private writeLoad(): void {
    const { load, hosts, n } = this;
    for (let li = 0; li < hosts.length; li++) load[LOAD_SENT * n + hosts[li]!] = this.sentBy[li]!;
  }

  /**
   * Adds this shard's contact counts into the shared load counters, after every shard has written
   * its own hosts' (writeLoad): in round k it adds those of shard (self + k) mod S's hosts, so no
   * two shards write one host's slots in the same round.
   */
  private addContactLoad(): void {
    const { load, n } = this;
    const counts = this.contactLoad;
    const carry = this.contactCarry;
    const S = this.shards;
    this.meet();
    for (let k = 0; k < S; k++) {
      const target = (this.self + k) % S;
      const ranges = this.shardRanges[target]!;
      for (let r = 0; r < ranges.length; r += 2) {
        for (let h = ranges[r]!, end = ranges[r + 1]!; h < end; h++) {
          load[LOAD_SENT * n + h]! += counts[2 * h]!;
          load[this.receivedAt + h]! += counts[2 * h + 1]!;
        }
        if (!this.contactsCarried) continue;
        for (let h = ranges[r]!, end = ranges[r + 1]!; h < end; h++) {
          load[LOAD_SENT * n + h]! += carry[2 * h]!;
          load[this.receivedAt + h]! += carry[2 * h + 1]!;
        }
      }
      this.meet();
    }
  }

  /** Handles this tick's deliveries and periodic steps for every host of the shard. */
  private processTick(): void {
    const t = this.t;
    const hosts = this.hosts;
    const behaviour = this.behaviour;
    if (t === 0 && this.started === undefined) for (let li = 0; li < hosts.length; li++) behaviour.start(hosts[li]!);
    this.drainIncoming();
    // A tick's deliveries can be tens of millions (announce 15,000: 56 million a shard at tick 3),
    // seconds to sort: the stop is looked at during the sort too.
    this.pending.collect(t, this.pollStop);
    // collect() recycled the buffers of tick t; the cached bucket may be one of them.
    this.ownBucketTick = -1;
    const start = this.pending.start;
    const periodic = this.module.traits.periodic;
    if (this.wakes) {
      this.processWoken();
      behaviour.endSteps?.();
      return;
    }
    if (this.down.any) {
      this.processWithCrashes();
      behaviour.endSteps?.();
      return;
    }
    for (let li = 0; li < hosts.length; li++) {
      const h = hosts[li]!;
      const end = start[li + 1]!;
      for (let m = start[li]!; m < end; m++) this.handle(h, m);
      if (this.counting) this.load[this.receivedAt + h]! += end - start[li]!;
      if (periodic) behaviour.step(h);
      this.stopCountdown -= end - start[li]! + 1;
      if (this.stopCountdown <= 0) this.checkStop();
    }
    behaviour.endSteps?.();
  }

  /**
   * processTick's host loop in a run with crashes (docs/semantics.md "Faults: crashes"): a host
   * starts at its first up tick, before its deliveries; a down host's deliveries are dropped and
   * it takes no step.
   */
  private processWithCrashes(): void {
    const hosts = this.hosts;
    const behaviour = this.behaviour;
    const start = this.pending.start;
    const started = this.started;
    const down = this.down;
    const periodic = this.module.traits.periodic;
    for (let li = 0; li < hosts.length; li++) {
      const h = hosts[li]!;
      const end = start[li + 1]!;
      if (down.isDown(h)) {
        this.drop(h, start[li]!, end);
        continue;
      }
      if (started !== undefined && started[li] === 0) {
        started[li] = 1;
        behaviour.start(h);
      }
      for (let m = start[li]!; m < end; m++) this.handle(h, m);
      if (this.counting) this.load[this.receivedAt + h]! += end - start[li]!;
      if (periodic) behaviour.step(h);
      this.stopCountdown -= end - start[li]! + 1;
      if (this.stopCountdown <= 0) this.checkStop();
    }
  }

  /** This shard's hosts that lose their state at this tick get their initial state (store and protocol). */
  private wipe(): void {
    const { wipes, wipeCount } = this.down;
    const width = this.module.cells.length;
    const undo = this.wipeUndo;
    for (let i = 0; i < wipeCount; i++) {
      const h = wipes[i]!;
      if (this.shardOf[h] !== this.self) {
        this.store.resetElsewhere?.(h);
        continue;
      }
      // What a stop in this tick must put back: the tick is then abandoned, and the results are
      // those of the last whole tick (completion ticks, a cell protocol's cells).
      undo.push(h, this.store.completedAt(h));
      for (let c = 0; c < width; c++) undo.push(this.cells[h * width + c]!);
      this.store.reset(h, this.module.initialLog(h, this.opts));
      this.behaviour.wiped?.(h);
    }
  }

  /** The hosts wiped at this tick, as they were (wipe()): [h, completedAt, cells...] each. */
  private readonly wipeUndo: number[] = [];

  /** Tick t is abandoned: the hosts wiped at its start get back what the results read of them. */
  private undoWipes(): void {
    const width = this.module.cells.length;
    const undo = this.wipeUndo;
    for (let i = 0; i < undo.length; i += 2 + width) {
      const h = undo[i]!;
      this.store.restoreCompletedAt(h, undo[i + 1]!);
      for (let c = 0; c < width; c++) this.cells[h * width + c] = undo[i + 2 + c]!;
    }
    undo.length = 0;
  }

  /** Host h is down: its deliveries [m0, m1) of the tick are dropped (delivered and nothing else). */
  private drop(h: number, m0: number, m1: number): void {
    this.delivered += m1 - m0;
    this.dropped += m1 - m0;
    if (this.counting) this.load[this.receivedAt + h]! += m1 - m0;
    const behaviour = this.behaviour;
    if (behaviour.dropped === undefined) return;
    const d = this.pending.sorted.data;
    for (let m = m0; m < m1; m++) {
      const r = m * SORTED_INTS;
      const fromKind = d[r + SORTED_FROM_KIND]!;
      behaviour.dropped(h, fromKind >>> KIND_SHIFT, fromKind & TO_MASK, d[r + SORTED_PAYLOAD]!);
    }
  }

  /**
   * Publishes this shard's down hosts of tick t: how many, how many of them complete, the ids they
   * know, and (cell protocols) their share of the tallies, which says the rest.
   */
  private publishDown(parity: number): void {
    const cl = this.config.controlLayout;
    const down = this.down;
    const store = this.store;
    let count = 0;
    let complete = 0;
    let known = 0;
    const shares = this.behaviour.downShare === undefined ? undefined : this.downTallies;
    shares?.fill(0);
    if (down.down !== 0) {
      // 32 hosts at a time: only the down ones cost more than a word.
      const bits = down.bits;
      const ranges = this.ownRanges;
      for (let r = 0; r < ranges.length; r += 2) {
        const a = ranges[r]!;
        const b = ranges[r + 1]!;
        if (a >= b) continue;
        for (let w = a >>> 5, last = (b - 1) >>> 5; w <= last; w++) {
          let word = bits[w]! & rangeWordMask(w, a, b);
          while (word !== 0) {
            const low = word & -word;
            word ^= low;
            const h = (w << 5) + 31 - Math.clz32(low);
            count++;
            if (shares !== undefined) this.behaviour.downShare!(h, shares);
            else {
              if (store.isComplete(h)) complete++;
              known += store.count(h);
            }
          }
        }
      }
    }
    if (shares !== undefined) {
      // A cell protocol's complete hosts are its tally TALLY_COMPLETE, each counting as knowing all N.
      complete = shares[TALLY_COMPLETE]!;
      known = complete * this.n;
      for (let i = 0; i < this.tallyCount; i++) this.stats[statIndex(cl, parity, this.self, STAT_DOWN_TALLY + i)] = shares[i]!;
    }
    this.stats[statIndex(cl, parity, this.self, STAT_DOWN)] = count;
    this.stats[statIndex(cl, parity, this.self, STAT_DOWN_COMPLETE)] = complete;
    this.stats[statIndex(cl, parity, this.self, STAT_DOWN_KNOWN)] = known;
  }

  /**
   * The hosts of a protocol that wakes hosts: deliveries as always, and a step only for the hosts
   * woken for this tick, in ascending id order, found 32 at a time in the shard's wake bitmap
   * (wakes go to the next tick's map).
   */
  private processWoken(): void {
    const t = this.t;
    const own = this.wakeOwn[t & 1]!;
    const next = this.wakeOwn[(t + 1) & 1]!;
    // Down hosts (docs/semantics.md "Faults: crashes"): no step, deliveries dropped, and a woken
    // one stays woken for the next tick.
    const downBits = this.down.any ? this.down.bits : undefined;
    const behaviour = this.behaviour;
    const hosts = this.hosts;
    const start = this.pending.start;
    const withMessages = start[hosts.length]! > 0;
    const ranges = this.ownRanges;
    let li = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      const a = ranges[r]!;
      const b = ranges[r + 1]!;
      if (a >= b) continue;
      for (let w = a >>> 5, last = (b - 1) >>> 5; w <= last; w++) {
        const first = w << 5;
        // Only this shard's bits of a word it shares with a neighbour's range.
        const mask = rangeWordMask(w, a, b);
        let bits = own[w]! & mask;
        own[w]! &= ~mask;
        const downWord = downBits === undefined ? 0 : downBits[w]! & mask;
        if (downWord !== 0) {
          next[w]! |= bits & downWord;
          bits &= ~downWord;
        }
        if (!withMessages) {
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            behaviour.step(first + 31 - Math.clz32(low));
            if (--this.stopCountdown <= 0) this.checkStop();
          }
          continue;
        }
        // Deliveries too: every host of the word, in order, its messages and then its step.
        for (let h = Math.max(first, a), end = Math.min(first + 32, b); h < end; h++, li++) {
          const stop = start[li + 1]!;
          const bit = 1 << (h & 31);
          if ((downWord & bit) !== 0) {
            this.drop(h, start[li]!, stop);
            continue;
          }
          for (let m = start[li]!; m < stop; m++) this.handle(h, m);
          if (this.counting) this.load[this.receivedAt + h]! += stop - start[li]!;
          if ((bits & bit) !== 0) behaviour.step(h);
          this.stopCountdown -= stop - start[li]! + 1;
          if (this.stopCountdown <= 0) this.checkStop();
        }
      }
    }
  }

  /** Every shard has taken its steps of the tick: this shard's hosts settle (Behaviour.settle). */
  private settleTick(): void {
    this.meet();
    this.behaviour.settle!();
    this.flushRings();
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

  /** Hands message number `m` of the sorted deliveries, addressed to host `h`, to the protocol. */
  private handle(h: number, m: number): void {
    const d = this.pending.sorted.data;
    const r = m * SORTED_INTS;
    const fromKind = d[r + SORTED_FROM_KIND]!;
    this.delivered++;
    if (this.behaviour.receive(h, fromKind >>> KIND_SHIFT, fromKind & TO_MASK, d[r + SORTED_PAYLOAD]!)) this.processed++;
    else this.ignored++;
  }

  /**
   * Sends one message (SPEC: counts, loss, latency), to a ring or to this shard's own queue. `s` is
   * the snapshot length (counted in `entries`); the message carries `payload`: `s` itself in log
   * mode, the tick of the sender's snapshot slot in set mode.
   */
  private sendMessage(from: number, to: number, kind: number, s: number, payload: number): boolean {
    const li = this.localOf[from]!;
    const t = this.t;
    const k = this.sentThisTick[li]!;
    this.sentThisTick[li] = k + 1;
    this.sentThisTickDirty = true;
    // No sequence number travels (message.ts: a queue keeps one sender's messages in the order sent).
    this.sentBy[li]!++;
    this.sent++;
    if (this.counting && s !== 0) this.load[this.bytesAt + from]! += 4 * s;
    if ((this.sent & (LIVE_SENT_EVERY - 1)) === 0) {
      // Progress only (a plain store; a reader may see it one refresh late, never torn: Float64
      // stores of one aligned slot are single writes on every platform Node runs on).
      this.stats[this.liveSentIndex] = this.sent;
      // One delivery can send thousands (announce 15,000: a host that learns 15,000 ids at tick 2
      // sends to each), so the stop is looked at by sends too, not only by deliveries handled.
      this.checkStop();
    }
    this.entries += s;
    const at = this.transport.deliveryTick(from, to, t, k);
    if (at < 0) {
      this.lost++;
      if (at === PARTITIONED) this.partitioned++;
      return false;
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
      this.ownBucket!.push(toKind, from, payload);
      this.pending.added(1);
      return true;
    }
    const ring = this.producers[dst]!;
    while (!ring.tryPush(toKind, from, payload, at)) this.waitForSpace(dst);
    if (ring.unpublished() >= PUBLISH_BATCH) {
      ring.publish();
      // Drain while we produce: a consumer that only drains when blocked makes its producers wait.
      this.drainIncoming();
    }
    return true;
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
      const taken = this.pending.drainRing(ring, this.rangeOf);
      if (taken === 0) continue;
      moved += taken;
      this.ring(src);
    }
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
    st[statIndex(cl, parity, me, STAT_PARTITIONED)] = this.partitioned;
    st[statIndex(cl, parity, me, STAT_DROPPED)] = this.dropped;
    if (this.down.any) this.publishDown(parity);
    st[statIndex(cl, parity, me, STAT_ENTRIES)] = this.entries;
    st[statIndex(cl, parity, me, STAT_COMPLETE)] = this.store.completeCount;
    st[statIndex(cl, parity, me, STAT_KNOWN)] = this.store.knownTotal;
    st[statIndex(cl, parity, me, STAT_KNOW_SEED)] = this.store.knowSeed;
    st[statIndex(cl, parity, me, STAT_STOP)] = Atomics.load(this.ctl, CTL_STOP);
    for (let i = 0; i < this.tallyCount; i++) st[statIndex(cl, parity, me, STAT_TALLY + i)] = this.tallies[i]!;
    st[this.liveSentIndex] = this.sent;
    this.meet();
  }

  /**
   * Waits until every shard has arrived here as often as this one, draining incoming rings
   * meanwhile (a shard still working may be waiting for ring space). Once a tick, after its
   * counters are published (barrier), and once more before hosts settle (settleTick).
   */
  private meet(): void {
    if (this.shards === 1) return;
    const arrived = performance.now();
    const me = this.self;
    this.barriers++;
    // Every record this shard sent this tick was published (flushRings) before this add, so a
    // shard that sees the full count and then drains sees all of tick t's messages.
    Atomics.add(this.ctl, CTL_ARRIVED, 1);
    for (let s = 0; s < this.shards; s++) if (s !== me) this.ring(s);
    const target = this.shards * this.barriers;
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
    this.waitMs += performance.now() - arrived;
  }
}
