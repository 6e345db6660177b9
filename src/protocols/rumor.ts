/**
 * rumor (docs/semantics.md "rumor"): rumor mongering after Demers et al., "Epidemic Algorithms
 * for Replicated Database Maintenance", PODC 1987, section 1.4. One update starts at the source
 * hosts; a host that knows it and is still interested ("hot", the paper's infective) spreads it;
 * it loses interest after k contacts that count (counter) or with probability 1/k at each (coin),
 * where a contact counts when the partner already knew (feedback) or always (blind).
 *
 * The only state is five Int32 cells per host, so a run keeps 20 bytes per host:
 *   RECV   tick + 1 at which the host first received the update (0: never)
 *   REM    tick + 1 at which it lost interest (0: still interested, or never knew)
 *   CNT    counting ticks in a row (counter)
 *   MARK_NECESSARY, MARK_UNNECESSARY   tick + 1 of the last tick with a necessary (unnecessary,
 *          or blind: any) contact of the host as the update's sender
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
import { rand, STREAM_COIN, STREAM_PEER } from '../hash.js';
import { rumorSourceIds, type SimulationOptions } from '../options.js';
import type { EndReason } from '../result.js';
import { fullViewPeer } from './peers.js';
import { periodicPendingBound } from './periodic.js';
import { TALLY_COMPLETE, type Behaviour, type CellResults, type CellsView, type HostApi, type ProtocolModule, type TickTotals } from './protocol.js';

/** Message kinds: the update (a push; in push-pull it asks for the partner's too), a request, the update as a reply, feedback. */
export const UPDATE = 0;
export const REQUEST = 1;
export const REPLY = 2;
export const FEEDBACK = 3;
/** A feedback message's payload: the receiver of the update did not know it (a necessary contact), or did. */
export const NEW = 0;
export const KNEW = 1;

/** Cells (see the module comment). */
export const RECV = 0;
export const REM = 1;
export const CNT = 2;
export const MARK_NECESSARY = 3;
export const MARK_UNNECESSARY = 4;

/** Tallies: hosts that know the update, hosts hot, messages carrying the update (updates and replies), requests, feedback, carrying messages in flight. */
export const T_KNOW = TALLY_COMPLETE;
export const T_HOT = 1;
export const T_UPDATES = 2;
export const T_REQUESTS = 3;
export const T_FEEDBACK = 4;
export const T_CARRYING = 5;

/** P(draw < threshold) = 1/k for a 32-bit draw: floor(2^32 / k) (k = 1: every draw). */
export function coinThreshold(k: number): number {
  return Math.floor(4294967296 / k);
}

class Rumor implements Behaviour {
  private readonly recv: Int32Array;
  private readonly rem: Int32Array;
  private readonly cnt: Int32Array;
  private readonly markN: Int32Array;
  private readonly markU: Int32Array;
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
    [this.recv, this.rem, this.cnt, this.markN, this.markU] = api.cells as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
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
    const sources = options.rumorSources ?? 1;
    this.sourceCount = typeof sources === 'number' ? sources : 0;
    this.sourceSet = typeof sources === 'number' ? undefined : new Set(rumorSourceIds(options));
  }

  start(h: number): void {
    if (this.sourceSet === undefined ? h < this.sourceCount : this.sourceSet.has(h)) {
      this.recv[h] = 1;
      this.tallies[T_KNOW]!++;
      this.tallies[T_HOT]!++;
    }
  }

  step(h: number): void {
    if (this.n < 2) return;
    if (this.synchronous) this.contacts(h);
    else this.sends(h);
  }

  learned(): void {}

  /**
   * Lost interest: counter or coin at a tick that counts (`counts`), or a reset of the counter by
   * a necessary contact (`necessary`, feedback only). Writes only x's own counter and REM.
   */
  private settleTick(x: number, t: number, necessary: boolean, counts: boolean): void {
    if (necessary && this.feedback) {
      this.cnt[x] = 0;
      return;
    }
    if (!counts) return;
    if (this.coin) {
      if (rand(this.seed, STREAM_COIN, x, t, 0) >= this.threshold) return;
    } else {
      const c = this.cnt[x]! + 1;
      this.cnt[x] = c;
      if (c < this.k) return;
    }
    this.rem[x] = t + 1;
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
    const recv = this.recv;
    const r = recv[h]!;
    const knew = r !== 0 && r <= t;
    const hot = knew && this.rem[h] === 0;
    if (!hot && !this.pulls) return;
    let necessary = false;
    let unnecessary = false;
    for (let j = 0; j < this.fanout; j++) {
      const p = fullViewPeer(rand(this.seed, STREAM_PEER, h, t, j), h, this.n);
      const rp = recv[p]!;
      const pKnew = rp !== 0 && rp <= t;
      if (hot && this.pushes) {
        this.api.contact(h, UPDATE);
        this.tallies[T_UPDATES]!++;
        if (pKnew) unnecessary = true;
        else {
          necessary = true;
          this.reach(p, t);
        }
      } else {
        this.api.contact(h, REQUEST);
        this.tallies[T_REQUESTS]!++;
      }
      if (this.pulls && pKnew && this.rem[p] === 0) {
        this.api.contact(p, REPLY);
        this.tallies[T_UPDATES]!++;
        if (!knew) this.reach(h, t);
        // p's marks: written by whichever shard holds h; every writer of tick t writes t + 1.
        if (knew || !this.feedback) this.markU[p] = t + 1;
        else this.markN[p] = t + 1;
      }
    }
    if (!hot || !this.pushes) return;
    if (this.pulls) {
      if (necessary) this.markN[h] = t + 1;
      if (unnecessary || !this.feedback) this.markU[h] = t + 1;
    } else {
      // Push only: nobody else judges h's interest, so it settles now.
      this.settleTick(h, t, necessary, unnecessary || !this.feedback);
    }
  }

  /** Host x, which did not know at the start of tick t, receives the update in it (once). */
  private reach(x: number, t: number): void {
    if (this.recv[x] === 0 && Atomics.compareExchange(this.recv, x, 0, t + 1) === 0) {
      this.tallies[T_KNOW]!++;
      this.tallies[T_HOT]!++;
    }
  }

  /** Synchronous pull and push-pull: host x settles its interest for tick t, after every contact of the tick. */
  settle(x: number): void {
    const t = this.api.tick;
    const r = this.recv[x]!;
    if (r === 0 || r > t || this.rem[x] !== 0) return;
    const stamp = t + 1;
    this.settleTick(x, t, this.markN[x] === stamp, this.markU[x] === stamp);
  }

  // ---- messages ---------------------------------------------------------------------------------

  /** Whether host x is hot now (messages model: its own cells, as they stand). */
  private hotNow(x: number): boolean {
    return this.recv[x] !== 0 && this.rem[x] === 0;
  }

  /** Host h's step (messages model): its sends of this tick, then it settles its interest for the tick. */
  private sends(h: number): void {
    const hot = this.hotNow(h);
    if (!hot && !this.pulls) return;
    const t = this.api.tick;
    for (let j = 0; j < this.fanout; j++) {
      const p = fullViewPeer(rand(this.seed, STREAM_PEER, h, t, j), h, this.n);
      if (hot && this.pushes) {
        this.carry(h, p, UPDATE);
      } else {
        this.api.send(h, p, REQUEST, 0);
        this.tallies[T_REQUESTS]!++;
      }
    }
    if (hot) {
      const stamp = t + 1;
      this.settleTick(h, t, this.markN[h] === stamp, this.markU[h] === stamp);
    }
  }

  receive(h: number, kind: number, from: number, payload: number): boolean {
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
        if (payload === NEW) this.markN[h] = stamp;
        else this.markU[h] = stamp;
        return true;
      }
    }
  }

  /** Sends a message carrying the update (traffic; in flight until delivered, unless lost). Blind: marks the tick. */
  private carry(h: number, to: number, kind: number): void {
    this.tallies[T_UPDATES]!++;
    if (this.api.send(h, to, kind, 0)) this.tallies[T_CARRYING]!++;
    if (!this.feedback) this.markU[h] = this.api.tick + 1;
  }

  /** Host h receives the update from `from`: it learns it if new, and (feedback) says whether it knew. */
  private learn(h: number, from: number): void {
    const knew = this.recv[h] !== 0;
    if (!knew) {
      this.recv[h] = this.api.tick + 1;
      this.tallies[T_KNOW]!++;
      this.tallies[T_HOT]!++;
    }
    if (this.feedback) {
      this.api.send(h, from, FEEDBACK, knew ? KNEW : NEW);
      this.tallies[T_FEEDBACK]!++;
    }
  }
}

/** The run ends once no host is hot and no message carrying the update is in flight. */
function endOf(totals: TickTotals): EndReason | undefined {
  if ((totals.tallies[T_HOT] === 0 && totals.tallies[T_CARRYING] === 0) || totals.hosts === 1) return totals.complete === totals.hosts ? 'converged' : 'stalled';
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
  const recv = view.cells[RECV]!;
  const completion = new Int32Array(n);
  const limit = lastTick + 1;
  let reached = 0;
  let sum = 0;
  let count = 0;
  let last = -1;
  for (let h = 0; h < n; h++) {
    const r = recv[h]!;
    if (r === 0 || r > limit) {
      completion[h] = -1;
      continue;
    }
    const t = r - 1;
    completion[h] = t;
    reached++;
    if (t > 0) {
      sum += t;
      count++;
      if (t > last) last = t;
    }
  }
  const tallies = view.tallies;
  return {
    completion,
    metrics: {
      residue: (n - reached) / n,
      traffic: tallies[T_UPDATES]! / n,
      tAve: count === 0 ? null : sum / count,
      tLast: last < 0 ? null : last,
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
  cells: ['recv', 'rem', 'cnt', 'markNecessary', 'markUnnecessary'],
  tallies: ['know', 'hot', 'updates', 'requests', 'feedback', 'carrying'],
  traits: { periodic: true, learns: false, selfSnapshots: false, midTickSnapshots: false, logOrder: false },
  initialLog: (h) => [h],
  create: (api, options) => new Rumor(api, options),
  // Synchronous pull and push-pull: a host's interest depends on every contact of the tick.
  settles: (options) => options.contact === 'synchronous' && options.rumorMode !== 'push',
  endOf,
  results,
  // Messages model: per choice a request or update, its reply and a feedback.
  peakPendingMessages: (options) => (options.contact === 'messages' ? periodicPendingBound(options, 3) : 0),
  wholeSendsPerTick: () => 0,
};
