/**
 * rumor (docs/semantics.md "rumor"): rumor mongering after Demers et al., "Epidemic Algorithms
 * for Replicated Database Maintenance", PODC 1987, section 1.4. One update starts at the source
 * hosts; a host that knows it and is still interested ("hot", the paper's infective) spreads it;
 * it loses interest after k contacts that count (counter) or with probability 1/k at each (coin),
 * where a contact counts when the partner already knew (feedback) or always (blind).
 *
 * The only state is one record of four Int32 cells per host (16 bytes; a contact reads its
 * partner's record in one cache line):
 *   RECV    tick + 1 at which the host first received the update (0: never)
 *   STATE   the counter (counting ticks in a row, >= 0) while interested, LOST once it lost interest
 *   MARK_N, MARK_U   tick + 1 of the last tick with a necessary (unnecessary, or blind: any)
 *           contact of the host as the update's sender (synchronous pull and push-pull, messages)
 *
 * Two contact models:
 * - synchronous (the paper's): a contact and its "already knew" answer complete within the tick,
 *   judged on the partner's state at the start of the tick. Any shard may write a partner's RECV
 *   (push) and its marks (pull), and every read asks only "was this written before tick t?": a
 *   stamp written during tick t is t + 1, which reads exactly as an unwritten 0, and every writer
 *   in tick t writes that same value, so no result depends on which shard writes first (RECV is
 *   set by compare-and-swap so that exactly one writer counts the host). A host's interest
 *   settles from its marks after every contact of the tick (settle(), after a barrier).
 * - messages: the update, requests and feedback are messages under --latency and --loss; a host
 *   changes only its own cells, when it handles a message or takes its step.
 */
import { rangeWordMask } from '../bitmaps.js';
import { rand, STREAM_COIN, STREAM_PEER } from '../hash.js';
import { hasDownHosts } from '../faults.js';
import type { SimulationOptions } from '../options.js';
import type { EndReason } from '../result.js';
import { FullView, NO_PEER, PeerChooser } from './peers.js';
import { periodicInitialLog, periodicPendingBound } from './periodic.js';
import { TALLY_COMPLETE, type Behaviour, type CellResults, type CellsView, type HostApi, type ProtocolModule, type TickTotals } from './protocol.js';

/** The sorted, distinct source hosts of a rumor run. Allocates. */
function rumorSourceIds(options: SimulationOptions): number[] {
  const s = options.rumorSources ?? 1;
  if (typeof s === 'number') return Array.from({ length: s }, (_, i) => i);
  return [...new Set(s)].sort((a, b) => a - b);
}

/** Message kinds: the update (a push; in push-pull it asks for the partner's too), a request, the update as a reply, feedback. */
export const UPDATE = 0;
export const REQUEST = 1;
export const REPLY = 2;
export const FEEDBACK = 3;
/** A feedback message's payload: the receiver of the update did not know it (a necessary contact), or did. */
export const NEW = 0;
export const KNEW = 1;

/** Cells of a host's record, and the record's width (see the module comment). */
export const RECV = 0;
export const STATE = 1;
export const MARK_N = 2;
export const MARK_U = 3;
export const RECORD = 4;
/** STATE of a host that lost interest. */
export const LOST = -1;

/** Tallies: hosts that know the update, hosts hot, messages carrying the update (updates and replies), requests, feedback, carrying messages in flight. */
export const T_KNOW = TALLY_COMPLETE;
export const T_HOT = 1;
export const T_UPDATES = 2;
export const T_REQUESTS = 3;
export const T_FEEDBACK = 4;
export const T_CARRYING = 5;

/** Hosts whose contacts are batched at once (synchronous push). */
const BATCH = 256;

/** P(draw < threshold) = 1/k for a 32-bit draw: floor(2^32 / k) (k = 1: every draw). */
export function coinThreshold(k: number): number {
  return Math.floor(4294967296 / k);
}

class Rumor implements Behaviour {
  private readonly c: Int32Array;
  private readonly tallies: Float64Array;
  private readonly n: number;
  private readonly seed: number;
  private readonly fanout: number;
  private readonly k: number;
  private readonly threshold: number;
  private readonly pushes: boolean;
  private readonly pulls: boolean;
  private readonly feedback: boolean;
  private readonly coin: boolean;
  private readonly synchronous: boolean;
  private readonly sourceCount: number;
  private readonly sourceSet: ReadonlySet<number> | undefined;

  constructor(private readonly api: HostApi, options: SimulationOptions) {
    this.c = api.cells;
    this.tallies = api.tallies;
    this.n = options.hosts;
    this.seed = options.seed;
    this.fanout = options.fanout;
    this.k = options.rumorK!;
    this.threshold = coinThreshold(this.k);
    this.pushes = options.rumorMode !== 'pull';
    this.pulls = options.rumorMode !== 'push';
    this.feedback = options.rumorFeedback === 'feedback';
    this.coin = options.rumorStop === 'coin';
    this.synchronous = options.contact === 'synchronous';
    this.faults = hasDownHosts(options);
    const sources = options.rumorSources ?? 1;
    this.sourceCount = typeof sources === 'number' ? sources : 0;
    this.sourceSet = typeof sources === 'number' ? undefined : new Set(rumorSourceIds(options));
    this.wakes = wakes(options);
    this.view = new FullView(this.n);
    this.known = options.view === 'known';
    this.chooser = new PeerChooser(api, options);
    this.learnList = this.known && this.synchronous ? api.lists[api.instance]! : new Int32Array(0);
    this.knewMap = api.bitmaps[0] ?? new Int32Array(0);
    this.reachedBy = api.bitmaps.slice(1);
    const size = this.wakes ? api.hosts.length : 0;
    this.hot = new Int32Array(size);
    this.hotState = new Int32Array(size);
    this.batchPeers = new Int32Array(this.wakes ? BATCH * this.fanout : 0);
    this.batchSeen = new Int32Array(this.wakes ? BATCH * this.fanout : 0);
  }

  private readonly view: FullView;
  /**
   * View `known`: peers are chosen among the host's known set (the engine's set store), which it
   * learns from the contacts it receives. Synchronous model: the pairs (partner, contacting host)
   * of the tick go to this instance's shared list [stamp t + 1, pairs, p0, h0, p1, h1, ...], and
   * each partner's own instance adds them in settle(), after every contact of the tick.
   */
  private readonly known: boolean;
  private readonly chooser: PeerChooser;
  private readonly learnList: Int32Array;

  /** The peer of contact j of host h at tick t, or NO_PEER (view known: h knows nobody else). */
  private peerOf(h: number, t: number, j: number): number {
    return this.known ? this.chooser.choose(h, j) : this.view.peer(rand(this.seed, STREAM_PEER, h, t, j), h);
  }

  /** Synchronous model, view known: p learns h at the end of tick t. */
  private taught(p: number, h: number, t: number): void {
    const list = this.learnList;
    if (list[0] !== t + 1) {
      list[0] = t + 1;
      list[1] = 0;
    }
    const i = 2 + 2 * list[1]!++;
    list[i] = p;
    list[i + 1] = h;
  }

  /** Synchronous model, view known: this instance's hosts learn who contacted them in tick t. */
  private learnContacts(t: number): void {
    const ranges = this.api.ranges;
    for (const list of this.api.lists) {
      if (list[0] !== t + 1) continue;
      for (let i = 2, end = 2 + 2 * list[1]!; i < end; i += 2) {
        const p = list[i]!;
        for (let r = 0; r < ranges.length; r += 2) {
          if (p >= ranges[r]! && p < ranges[r + 1]!) {
            this.api.learn(p, list[i + 1]!);
            break;
          }
        }
      }
    }
  }
  /**
   * Synchronous push: this instance's hot hosts and their counters, as a list (no per-host array
   * is touched for a host that is not hot), and the hosts joined in settle() this tick.
   */
  private readonly hot: Int32Array;
  private readonly hotState: Int32Array;
  private hotCount = 0;
  /** Synchronous push: a batch's partners and their bits of KNEW. */
  private readonly batchPeers: Int32Array;
  private readonly batchSeen: Int32Array;
  /**
   * Synchronous push: KNEW, a shared bitmap of the hosts that knew the update at the start of the
   * tick, written only in settle() (between the tick's two barriers, when nobody reads it), and
   * REACHED, one shared bitmap per engine instance of the hosts its contacts reached in the tick
   * (written by that instance alone), joined and cleared by each host's own instance in settle().
   */
  private readonly knewMap: Int32Array;
  private readonly reachedBy: readonly Int32Array[];

  /** Synchronous push: no host steps; the hot list acts in endSteps() (see wakes()). */
  private readonly wakes: boolean;
  /** Whether hosts can be down (crashes, churn): the hot list then skips down hosts. */
  private readonly faults: boolean;

  start(h: number): void {
    if (this.sourceSet === undefined ? h < this.sourceCount : this.sourceSet.has(h)) {
      this.c[h * RECORD + RECV] = 1;
      this.tallies[T_KNOW]!++;
      this.tallies[T_HOT]!++;
      if (this.wakes) {
        this.hot[this.hotCount] = h;
        this.hotState[this.hotCount++] = 0;
        // Owned by this instance; a word shared with a neighbour's range takes an atomic or.
        Atomics.or(this.knewMap, h >>> 5, 1 << (h & 31));
      }
    }
  }

  step(h: number): void {
    if (this.n < 2) return;
    if (this.synchronous) this.contacts(h);
    else this.sends(h);
  }

  /** Synchronous push: the hot list's contacts of tick t >= 1, BATCH hosts at a time. */
  endSteps(): void {
    const t = this.api.tick;
    if (!this.wakes || t === 0 || this.n < 2) return;
    let kept = 0;
    for (let from = 0; from < this.hotCount; from += BATCH) {
      kept = this.pushBatch(t, from, Math.min(this.hotCount, from + BATCH), kept);
      // A stop may end the run here (prompt inside a long tick): the hot list is this instance's
      // own and the tick is abandoned, so its half-updated state is never read again.
      this.api.didWork(BATCH);
    }
    this.hotCount = kept;
  }

  /**
   * The contacts of hot hosts [from, to) of the list (synchronous push), in two passes: every
   * partner is chosen and its bit of KNEW read first, in a loop of independent loads the CPU
   * overlaps, then each host's contacts are judged; the hosts that stay hot are moved down to
   * [kept, ...). Nothing here depends on the order of hosts: every judgement is on the state at
   * the start of the tick, which KNEW holds (it changes only in settle()). Returns the new `kept`.
   */
  private pushBatch(t: number, from: number, to: number, kept: number): number {
    const f = this.fanout;
    const hot = this.hot;
    const states = this.hotState;
    const peers = this.batchPeers;
    const seen = this.batchSeen;
    const knew = this.knewMap;
    const faults = this.faults;
    for (let i = from, q = 0; i < to; i++) {
      const h = hot[i]!;
      // A down host makes no contact (docs/semantics.md "Faults under `rumor`").
      const none = faults && this.api.isDown(h);
      for (let j = 0; j < f; j++, q++) {
        const p = none ? NO_PEER : this.peerOf(h, t, j);
        peers[q] = p;
        seen[q] = p === NO_PEER ? 0 : knew[p >>> 5]! & (1 << (p & 31));
      }
    }
    const reached = this.reachedBy[this.api.instance]!;
    for (let i = from, q = 0; i < to; i++) {
      const h = hot[i]!;
      // A host that lost its state (wiped) leaves the list; wiped() has counted it.
      if (faults && this.c[h * RECORD + RECV] === 0) {
        q += f;
        continue;
      }
      let necessary = false;
      let unnecessary = false;
      let made = 0;
      for (let j = 0; j < f; j++, q++) {
        const p = peers[q]!;
        if (p === NO_PEER) continue;
        made++;
        // Cut by a partition: sent, and nothing else (neither necessary nor unnecessary).
        if (!this.api.contact(h, p, UPDATE)) continue;
        if (this.known) this.taught(p, h, t);
        if (seen[q] !== 0) unnecessary = true;
        else {
          // p did not know: it receives the update now. This instance's REACHED map is written
          // by this instance alone (a plain or); p's owner joins it in settle().
          necessary = true;
          reached[p >>> 5]! |= 1 << (p & 31);
        }
      }
      this.tallies[T_UPDATES]! += made;
      // A host that made no contact (view known: it knows nobody else) sent no update: unchanged.
      const state = made === 0 ? states[i]! : this.nextState(h, t, states[i]!, necessary, unnecessary || !this.feedback);
      if (state === LOST) {
        this.tallies[T_HOT]!--;
        // The cell says so too (downShare reads interest from the cells, as the other modes keep it).
        this.c[h * RECORD + STATE] = LOST;
        continue;
      }
      hot[kept] = h;
      states[kept++] = state;
    }
    return kept;
  }

  /** settleTick's rule on a counter held in the hot list (synchronous push): the next state, or LOST. */
  private nextState(h: number, t: number, state: number, necessary: boolean, counts: boolean): number {
    if (necessary && this.feedback) return 0;
    if (!counts) return state;
    if (this.coin) return rand(this.seed, STREAM_COIN, h, t, 0) < this.threshold ? LOST : state;
    const next = state + 1;
    return next < this.k ? next : LOST;
  }

  learned(): void {}

  /** A message to a down host is dropped: one carrying the update is no longer in flight. */
  dropped(_h: number, kind: number): void {
    if (kind === UPDATE || kind === REPLY) this.tallies[T_CARRYING]!--;
  }

  /**
   * Host h lost its state (a crash with state "initial", while h is down): it no longer knows the
   * update, and its counter, interest and marks start again. Synchronous push: its bit of KNEW is
   * cleared (no contact reads it while h is down: contacts to it are dropped first), and its
   * hot-list entry leaves the list in pushBatch().
   */
  wiped(h: number): void {
    const b = h * RECORD;
    const c = this.c;
    if (c[b + RECV] !== 0) {
      this.tallies[T_KNOW]!--;
      if (c[b + STATE]! >= 0) this.tallies[T_HOT]!--;
      if (this.wakes) Atomics.and(this.knewMap, h >>> 5, ~(1 << (h & 31)));
    }
    c[b + RECV] = 0;
    c[b + STATE] = 0;
    c[b + MARK_N] = 0;
    c[b + MARK_U] = 0;
  }

  /** A down host's share of the tallies: whether it knows the update, and whether it is hot. */
  downShare(h: number, into: Float64Array): void {
    if (this.c[h * RECORD + RECV] === 0) return;
    into[T_KNOW]!++;
    if (this.c[h * RECORD + STATE]! >= 0) into[T_HOT]!++;
  }

  /**
   * Lost interest: counter or coin at a tick that counts (`counts`), or a reset of the counter by
   * a necessary contact (`necessary`, feedback only). Writes only x's own counter and REM.
   */
  private settleTick(x: number, t: number, necessary: boolean, counts: boolean): void {
    if (necessary && this.feedback) {
      this.c[x * RECORD + STATE] = 0;
      return;
    }
    if (!counts) return;
    if (this.coin) {
      if (rand(this.seed, STREAM_COIN, x, t, 0) >= this.threshold) return;
    } else {
      const c = this.c[x * RECORD + STATE]! + 1;
      this.c[x * RECORD + STATE] = c;
      if (c < this.k) return;
    }
    this.c[x * RECORD + STATE] = LOST;
    this.tallies[T_HOT]!--;
  }

  // ---- synchronous contacts -------------------------------------------------------------------

  /**
   * Host h's contacts of tick t >= 1, every judgement on the state at the start of tick t: knew(x)
   * is RECV(x) in 1 .. t (stamps of tick t are t + 1), hot(x) is knew(x) and REM(x) = 0 (REM is
   * written only when interest settles: by h itself in push mode, after the tick's barrier in
   * settle() otherwise).
   */
  private contacts(h: number): void {
    const t = this.api.tick;
    if (t === 0) return;
    const c = this.c;
    const r = c[h * RECORD + RECV]!;
    const knew = r !== 0 && r <= t;
    const hot = knew && c[h * RECORD + STATE]! >= 0;
    if (!hot && !this.pulls) return;
    let necessary = false;
    let unnecessary = false;
    let updates = 0;
    for (let j = 0; j < this.fanout; j++) {
      const p = this.peerOf(h, t, j);
      if (p === NO_PEER) continue;
      const pushing = hot && this.pushes;
      // A contact a partition cuts counts as sent (an update: as sent for settling too) and does nothing else.
      if (pushing) {
        updates++;
        this.tallies[T_UPDATES]!++;
        if (!this.api.contact(h, p, UPDATE)) continue;
      } else {
        this.tallies[T_REQUESTS]!++;
        if (!this.api.contact(h, p, REQUEST)) continue;
      }
      if (this.known) this.taught(p, h, t);
      const rp = c[p * RECORD + RECV]!;
      const pKnew = rp !== 0 && rp <= t;
      if (pushing) {
        if (pKnew) unnecessary = true;
        else {
          necessary = true;
          this.reach(p, t);
        }
      }
      if (this.pulls && pKnew && c[p * RECORD + STATE]! >= 0) {
        this.api.contact(p, h, REPLY);
        this.tallies[T_UPDATES]!++;
        if (!knew) this.reach(h, t);
        // p's marks: written by whichever shard holds h; every writer of tick t writes t + 1.
        if (knew || !this.feedback) c[p * RECORD + MARK_U] = t + 1;
        else c[p * RECORD + MARK_N] = t + 1;
      }
    }
    // A host that sent no update (view known: it knows nobody else) is unchanged.
    if (!hot || !this.pushes || updates === 0) return;
    if (this.pulls) {
      if (necessary) c[h * RECORD + MARK_N] = t + 1;
      if (unnecessary || !this.feedback) c[h * RECORD + MARK_U] = t + 1;
    } else {
      // Push only: nobody else judges h's interest, so it settles now.
      this.settleTick(h, t, necessary, unnecessary || !this.feedback);
      if (this.wakes && c[h * RECORD + STATE]! >= 0) this.api.wake(h);
    }
  }

  /** Host x, which did not know at the start of tick t, receives the update in it (once). */
  private reach(x: number, t: number): void {
    const i = x * RECORD + RECV;
    if (this.c[i] === 0 && Atomics.compareExchange(this.c, i, 0, t + 1) === 0) {
      this.tallies[T_KNOW]!++;
      this.tallies[T_HOT]!++;
      if (this.wakes) this.api.wake(x);
    }
  }

  /**
   * After every contact of tick t. Synchronous push: this instance's hosts reached in the tick
   * (their REACHED byte) join KNEW, are counted and woken for the next tick. Synchronous pull and
   * push-pull: every host of this instance that was hot settles its interest from its marks.
   */
  settle(): void {
    const t = this.api.tick;
    if (this.known) this.learnContacts(t);
    if (this.wakes) {
      this.settleReached();
      return;
    }
    if (!this.pulls) return;
    const hosts = this.api.hosts;
    const c = this.c;
    const stamp = t + 1;
    for (let i = 0; i < hosts.length; i++) {
      const b = hosts[i]! * RECORD;
      const r = c[b + RECV]!;
      if (r === 0 || r > t || c[b + STATE]! < 0) continue;
      this.settleTick(hosts[i]!, t, c[b + MARK_N] === stamp, c[b + MARK_U] === stamp);
    }
  }

  /**
   * Synchronous push: this instance's hosts reached in tick t, 32 at a time: the or of every
   * instance's REACHED words over this instance's ranges. Each join sets its host's bit of KNEW
   * and its RECV stamp; a word this instance shares with a neighbour's range is cleared and set
   * with atomic operations (the neighbour settles its bits of the same word now too).
   */
  private settleReached(): void {
    const t = this.api.tick;
    const maps = this.reachedBy;
    const knew = this.knewMap;
    const ranges = this.api.ranges;
    const c = this.c;
    for (let r = 0; r < ranges.length; r += 2) {
      const a = ranges[r]!;
      const b = ranges[r + 1]!;
      if (a >= b) continue;
      for (let w = a >>> 5, last = (b - 1) >>> 5; w <= last; w++) {
        const first = w << 5;
        const mask = rangeWordMask(w, a, b);
        let bits = 0;
        for (let s = 0; s < maps.length; s++) bits |= maps[s]![w]!;
        bits &= mask;
        if (bits === 0) continue;
        if (mask === -1) {
          for (let s = 0; s < maps.length; s++) maps[s]![w] = 0;
          knew[w]! |= bits;
        } else {
          for (let s = 0; s < maps.length; s++) if ((maps[s]![w]! & mask) !== 0) Atomics.and(maps[s]!, w, ~mask);
          Atomics.or(knew, w, bits);
        }
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          const x = first + 31 - Math.clz32(low);
          c[x * RECORD + RECV] = t + 1;
          this.tallies[T_KNOW]!++;
          this.tallies[T_HOT]!++;
          this.hot[this.hotCount] = x;
          this.hotState[this.hotCount++] = 0;
        }
      }
    }
  }

  // ---- messages ---------------------------------------------------------------------------------

  /** Whether host x is hot now (messages model: its own cells, as they stand). */
  private hotNow(x: number): boolean {
    return this.c[x * RECORD + RECV] !== 0 && this.c[x * RECORD + STATE]! >= 0;
  }

  /** Host h's step (messages model): its sends of this tick, then it settles its interest for the tick. */
  private sends(h: number): void {
    const hot = this.hotNow(h);
    if (!hot && !this.pulls) return;
    const t = this.api.tick;
    for (let j = 0; j < this.fanout; j++) {
      const p = this.peerOf(h, t, j);
      if (p === NO_PEER) continue;
      if (hot && this.pushes) {
        this.carry(h, p, UPDATE);
      } else {
        this.api.send(h, p, REQUEST, 0);
        this.tallies[T_REQUESTS]!++;
      }
    }
    if (hot) {
      const stamp = t + 1;
      this.settleTick(h, t, this.c[h * RECORD + MARK_N] === stamp, this.c[h * RECORD + MARK_U] === stamp);
    }
  }

  receive(h: number, kind: number, from: number, payload: number): boolean {
    // View known: every message handled, processed or ignored, teaches its receiver the sender.
    if (this.known) this.api.learn(h, from);
    switch (kind) {
      case UPDATE: {
        // In push-pull an update asks for the partner's too: h replies if it was hot before.
        this.tallies[T_CARRYING]!--;
        if (this.pulls && this.hotNow(h)) this.carry(h, from, REPLY);
        this.learn(h, from);
        return true;
      }
      case REQUEST:
        if (!this.hotNow(h)) return false;
        this.carry(h, from, REPLY);
        return true;
      case REPLY:
        this.tallies[T_CARRYING]!--;
        this.learn(h, from);
        return true;
      default: {
        // FEEDBACK: a host that lost interest meanwhile ignores it.
        if (!this.hotNow(h)) return false;
        const stamp = this.api.tick + 1;
        this.c[h * RECORD + (payload === NEW ? MARK_N : MARK_U)] = stamp;
        return true;
      }
    }
  }

  /** Sends a message carrying the update (traffic; in flight until delivered, unless lost). Blind: marks the tick. */
  private carry(h: number, to: number, kind: number): void {
    this.tallies[T_UPDATES]!++;
    if (this.api.send(h, to, kind, 0)) this.tallies[T_CARRYING]!++;
    if (!this.feedback) this.c[h * RECORD + MARK_U] = this.api.tick + 1;
  }

  /** Host h receives the update from `from`: it learns it if new, and (feedback) says whether it knew. */
  private learn(h: number, from: number): void {
    const knew = this.c[h * RECORD + RECV] !== 0;
    if (!knew) {
      this.c[h * RECORD + RECV] = this.api.tick + 1;
      this.tallies[T_KNOW]!++;
      this.tallies[T_HOT]!++;
    }
    if (this.feedback) {
      this.api.send(h, from, FEEDBACK, knew ? KNEW : NEW);
      this.tallies[T_FEEDBACK]!++;
    }
  }
}

/**
 * Synchronous push: only hot hosts act, so no host is stepped at all (the engine is asked to step
 * woken hosts, and none is ever woken): each instance keeps a list of its hot hosts and their
 * counters and makes their contacts in endSteps().
 */
function wakes(options: SimulationOptions): boolean {
  return options.contact === 'synchronous' && options.rumorMode === 'push';
}

/**
 * The run ends once no host is hot and no message carrying the update is in flight, or after a
 * tick t >= 1 that sent nothing with nothing in flight (view known: the hot hosts know nobody to
 * contact, so nothing can change any more).
 */
function endOf(totals: TickTotals): EndReason | undefined {
  // Down hot hosts count only while a down host may still come back ("Faults under `rumor`").
  const downHot = totals.downTallies[T_HOT] ?? 0;
  const hot = totals.downMayReturn ? totals.tallies[T_HOT]! : totals.tallies[T_HOT]! - downHot;
  const quiet = totals.tick >= 1 && totals.sentInTick === 0 && totals.inFlight === 0 && !(totals.downMayReturn && downHot > 0);
  if ((hot === 0 && totals.tallies[T_CARRYING] === 0) || quiet || totals.allHosts === 1) return totals.complete === totals.hosts ? 'converged' : 'stalled';
  if (totals.tick >= totals.maxTicks) return 'max-ticks';
  return undefined;
}

/**
 * The paper's metrics: residue s (share of hosts never reached), traffic m (messages carrying the
 * update per host), t_ave and t_last (mean and last tick at which a host other than a source first
 * received the update; null when none did), and the messages of each kind.
 */
function results(view: CellsView): CellResults {
  const { hosts: n, lastTick } = view;
  const cells = view.cells;
  const completion = new Int32Array(n);
  const limit = lastTick + 1;
  // t_ave leaves the sources out by id: a source that lost its state may receive the update later.
  const sources = view.options.rumorSources ?? 1;
  const sourceSet = typeof sources === 'number' ? undefined : new Set(rumorSourceIds(view.options));
  let reached = 0;
  let sum = 0;
  let count = 0;
  let last = -1;
  for (let h = 0; h < n; h++) {
    const r = cells[h * RECORD + RECV]!;
    if (r === 0 || r > limit) {
      completion[h] = -1;
      continue;
    }
    const t = r - 1;
    completion[h] = t;
    reached++;
    if (t > last) last = t;
    if (sourceSet === undefined ? h < (sources as number) : sourceSet.has(h)) continue;
    sum += t;
    count++;
  }
  const tallies = view.tallies;
  return {
    completion,
    metrics: {
      residue: (n - reached) / n,
      traffic: tallies[T_UPDATES]! / n,
      tAve: count === 0 ? null : sum / count,
      // The last tick a host received the update at; null while only sources know it.
      tLast: count === 0 ? null : last,
      reached,
      updates: tallies[T_UPDATES]!,
      requests: tallies[T_REQUESTS]!,
      feedback: tallies[T_FEEDBACK]!,
    },
  };
}

export const rumor: ProtocolModule = {
  name: 'rumor',
  kinds: ['update', 'request', 'reply', 'feedback'],
  state: 'cells',
  cells: ['recv', 'state', 'markNecessary', 'markUnnecessary'],
  tallies: ['know', 'hot', 'updates', 'requests', 'feedback', 'carrying'],
  traits: { periodic: true, learns: false, selfSnapshots: false, midTickSnapshots: false, logOrder: false, startIsState: true },
  // View known: as for the periodic protocols, a host knows itself and host 0.
  initialLog: periodicInitialLog,
  knownSets: (options) => options.view === 'known',
  // Synchronous contacts judge the partner in the tick, wherever it is: down or not included.
  contacts: (options) => options.contact === 'synchronous',
  create: (api, options) => new Rumor(api, options),
  // Synchronous pull and push-pull: a host's interest depends on every contact of the tick.
  wakes,
  // KNEW and one REACHED per engine instance (options.threads of them).
  // View known, synchronous: a list per engine instance of the tick's (partner, host) pairs, at
  // most F contacts per host.
  shared: (options) => ({
    bitmaps: wakes(options) ? 1 + options.threads : 0,
    bytemaps: 0,
    // An instance holds at most ceil(N / threads) + 2 hosts (two ranges of at most ceil(N / 2T)).
    ...(options.view === 'known' && options.contact === 'synchronous'
      ? { lists: { count: options.threads, length: 2 + 2 * options.fanout * (Math.ceil(options.hosts / options.threads) + 2) } }
      : {}),
  }),
  // Synchronous contacts: a host's state for the next tick depends on every contact of the tick.
  settles: (options) => options.contact === 'synchronous' && (options.rumorMode !== 'push' || wakes(options)),
  endOf,
  results,
  // Messages model: per choice a request or update, its reply and a feedback.
  peakPendingMessages: (options) => (options.contact === 'messages' ? periodicPendingBound(options, 3) : 0),
  wholeSendsPerTick: () => 0,
};
