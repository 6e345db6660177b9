/**
 * The log store: every host's discovery log L(h), its known set K(h) as a bitset, the position of
 * each id in the log, a per-block running maximum of the log, and bitset checkpoints of K(h) every
 * B entries (layout.ts, log mode). A snapshot is a log prefix length `s`: logs only grow, so the
 * prefix read at delivery is what the sender had when it sent.
 *
 * A merge of L(f)[0 .. s) costs the and-not of one checkpoint (only over the receiver's words that
 * are not full yet) plus a walk of fewer than B tail entries, instead of a walk of all s entries:
 * that is what keeps `announce` from being cubic in practice.
 *
 * A host that loses its state (docs/semantics.md "Crashes that lose state") starts a new log in
 * its row; the old one is copied first into a slot of the archive (one per wipe of the run, in
 * the global order of the wipe lists), and messages name the log they carry by its generation:
 * payload = s + g * (N + 1), g = 0 for a host's first log (g <= MAX_CRASHES = 1024 and
 * N <= MAX_HOSTS = 2^20, so it fits the Int32 field). Every shard counts the generations of
 * every host (reset for its own, resetElsewhere for the others), so each resolves a payload to the
 * row or to an archive slot alike; a merge from an old log walks its archived prefix.
 */
import type { Behaviour } from '../../protocols/index.js';
import type { WasmMemory } from '../../kernels/bitset.js';
import type { BitsetOps } from './bitset-ops.js';
import type { StateLayout } from './layout.js';
import type { HostStore } from './store.js';

/** A view of LOG, POS or TAILMAX. */
type LogEntries = Uint16Array | Int32Array;

export class LogStore implements HostStore {
  tick = 0;
  knownTotal = 0;
  knowSeed = 0;
  completeCount = 0;
  private readonly n: number;
  private readonly words: number;
  private readonly interval: number;
  private readonly intervalShift: number;
  private readonly checkpoints: number;
  // Shared state views (whole memory; rows indexed by host).
  private readonly known: Int32Array;
  // LOG, POS and TAILMAX: 16-bit entries up to 65,536 hosts (layout.ts, logEntryBytes).
  private readonly log: LogEntries;
  private readonly pos: LogEntries;
  private readonly tailMax: LogEntries;
  private readonly ckRange: Int32Array;
  private readonly complete: Int32Array;
  // Local per-host state of this shard's hosts (index localOf[h]).
  private readonly logLen: Int32Array;
  private readonly firstNonFull: Int32Array;
  private readonly minWord: Int32Array;
  private readonly maxWord: Int32Array;
  private behaviour: Behaviour | undefined;
  /** Whether appends are told to the protocol (false while the initial logs are written). */
  private learns = false;
  /** `learns` of bind, switched on once the initial logs are written. */
  private learnsAfterInit = false;

  completedAt(h: number): number {
    return this.complete[h]!;
  }

  restoreCompletedAt(h: number, tick: number): void {
    this.complete[h] = tick;
  }

  /** Old logs are archived at a reset, which other shards read in the same tick: the shards meet after their resets. */
  readonly resetsShared = true;
  /** Each host's log generation (how many times it lost its state), counted alike by every shard. */
  private readonly generation: Int32Array;
  /** Archive slot of (host f, generation g) at key g * N + f: old logs that messages may still name. */
  private readonly slots = new Map<number, number>();
  /** The archived old logs, N Int32 per slot, and the next slot (wipes so far in the run). */
  private readonly archive: Int32Array;
  private archived = 0;

  /**
   * Host h (this shard's) loses its state at the start of this tick: its log is archived, and it
   * gets `ids`, its initial log, as at init (no `learned` calls). Complete since without a break:
   * a host whose initial log is every host stays as it was.
   */
  reset(h: number, ids: readonly number[]): void {
    const li = this.localOf[h]!;
    const n = this.n;
    const len = this.logLen[li]!;
    const slot = this.nextGeneration(h);
    this.archive.set(this.log.subarray(h * n, h * n + len), slot * n);
    if ((this.known[h * this.words]! & 1) !== 0) this.knowSeed--;
    this.knownTotal -= len;
    const wasComplete = this.complete[h]!;
    if (wasComplete !== -1) this.completeCount--;
    this.clearKnown(h);
    this.complete[h] = -1;
    this.logLen[li] = 0;
    this.firstNonFull[li] = 0;
    this.minWord[li] = 0x7fffffff;
    this.maxWord[li] = -1;
    const learns = this.learns;
    this.learns = false;
    for (const x of ids) this.append(h, x);
    this.learns = learns;
    if (wasComplete !== -1 && this.complete[h] !== -1) this.complete[h] = wasComplete;
  }

  /** Host h of another shard loses its state at this tick: its old log goes to the next archive slot. */
  resetElsewhere(h: number): void {
    this.nextGeneration(h);
  }

  /** The archive slot of h's current log, which becomes an old one: h's generation moves on. */
  private nextGeneration(h: number): number {
    const slot = this.archived++;
    if ((slot + 1) * this.n > this.archive.length) throw new Error(`LogStore: wipe ${slot + 1} of the run has no archive slot (${this.archive.length / this.n} planned)`);
    this.slots.set(this.generation[h]! * this.n + h, slot);
    this.generation[h]!++;
    return slot;
  }

  constructor(
    memory: WasmMemory,
    state: StateLayout,
    private readonly ops: BitsetOps,
    private readonly localOf: Int32Array,
    size: number,
    logs: SharedArrayBuffer,
    archive: SharedArrayBuffer,
  ) {
    const n = state.hosts;
    this.n = n;
    this.words = state.words;
    this.interval = state.interval;
    this.intervalShift = Math.log2(state.interval);
    this.checkpoints = state.checkpoints;
    const buffer = memory.buffer as unknown as SharedArrayBuffer;
    this.known = new Int32Array(buffer, state.known, n * state.words);
    const entries = (offset: number): LogEntries => (state.logEntryBytes === 2 ? new Uint16Array(logs, offset, n * n) : new Int32Array(logs, offset, n * n));
    this.log = entries(state.log);
    this.pos = entries(state.pos);
    this.tailMax = entries(state.tailMax);
    this.ckRange = new Int32Array(buffer, state.ckRange, n * state.checkpoints * 2);
    this.complete = new Int32Array(buffer, state.complete, n);
    this.logLen = new Int32Array(size);
    this.firstNonFull = new Int32Array(size);
    this.minWord = new Int32Array(size).fill(0x7fffffff);
    this.maxWord = new Int32Array(size).fill(-1);
    this.archive = new Int32Array(archive);
    this.generation = new Int32Array(this.archive.length === 0 ? 0 : n);
  }

  bind(behaviour: Behaviour, learns: boolean): void {
    this.behaviour = behaviour;
    this.learnsAfterInit = learns;
  }

  init(hosts: Int32Array, initialLog: (h: number) => readonly number[]): void {
    for (const h of hosts) {
      this.clearKnown(h);
      this.complete[h] = -1;
      for (const x of initialLog(h)) this.append(h, x);
    }
    this.learns = this.learnsAfterInit;
  }

  /** K(h) becomes empty. Bits of ids >= N are set so that the last word of a complete set is all ones. */
  private clearKnown(h: number): void {
    const { n, words } = this;
    const padWord = n >>> 5;
    const padBits = n & 31 ? ~((1 << (n & 31)) - 1) : 0;
    const base = h * words;
    this.known.fill(0, base, base + padWord);
    if (padBits !== 0) this.known[base + padWord] = padBits;
    for (let w = padWord + (padBits !== 0 ? 1 : 0); w < words; w++) this.known[base + w] = -1;
  }

  count(h: number): number {
    return this.logLen[this.localOf[h]!]!;
  }

  isComplete(h: number): boolean {
    return this.complete[h] !== -1;
  }

  select(h: number, index: number): number {
    return this.ops.selectKnown(h, index);
  }

  wholePayload(h: number): number {
    const s = this.logLen[this.localOf[h]!]!;
    return this.generation.length === 0 ? s : s + this.generation[h]! * (this.n + 1);
  }

  selfPayload(): number {
    return 1;
  }

  /** Host `h` merges L(f)[0 .. s) (SPEC "merge"), appending new ids in L(f) order. */
  merge(h: number, f: number, payload: number): void {
    const li = this.localOf[h]!;
    // A complete receiver learns nothing: skipping its merge changes no metric (the seed, which
    // every host knows first, receives most pushes of the early ticks and is complete at tick 1).
    if (this.logLen[li]! === this.n) return;
    let s = payload;
    if (this.generation.length !== 0) {
      const g = payload > this.n ? Math.floor(payload / (this.n + 1)) : 0;
      s = payload - g * (this.n + 1);
      if (g !== this.generation[f]) {
        // An old log of f, archived when f lost its state: its prefix is walked.
        this.walk(h, this.archive, this.slots.get(g * this.n + f)! * this.n, 0, s);
        return;
      }
    }
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
          if (found * 16 >= tail) this.walk(h, this.log, f * this.n, 0, tail);
          else this.appendInLogOrder(h, f, found);
        }
      }
    }
    // The tail holds no unknown id when its largest id is below the receiver's first non-full word.
    if (tail < s && this.tailMax[f * this.n + s - 1]! >= this.firstNonFull[li]! << 5) this.walk(h, this.log, f * this.n, tail, s);
  }

  /** Appends the unknown ids of a log, log[row + from .. row + to), to L(h), in order. */
  private walk(h: number, log: LogEntries, row: number, from: number, to: number): void {
    const known = this.known;
    const kb = h * this.words;
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

  /** Appends x to L(h) and K(h), and tells the protocol when it learns. */
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
      this.complete[h] = this.tick;
      this.completeCount++;
    }
    if (this.learns) this.behaviour!.learned(h, x);
  }
}
