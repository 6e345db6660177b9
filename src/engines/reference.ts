/**
 * The reference engine: single-threaded, plain code that follows SPEC.md line by line. It is the
 * oracle every faster engine is tested against, so clarity wins over speed wherever they conflict.
 *
 * State per host: the discovery log L(h) (a growing array) and the known set K(h) (one byte per
 * host). A message's snapshot is the prefix length `s` of the sender's log: logs only grow, so the
 * prefix read at delivery is exactly what was there at send time.
 */
import type { SimulationOptions } from '../options.js';
import { checkReferenceMemory } from './memory.js';
import { DownHosts } from '../faults.js';
import { MAX_TALLIES, protocolModule, sharedNeeds, TALLY_COMPLETE, type Behaviour, type HostApi, type ProtocolModule } from '../protocols/index.js';
import { lastCompletionTick, withHostLoadCounters, withLazyCompletionTicks, type EndReason, type EngineOutput } from '../result.js';
import { PARTITIONED, Transport } from '../transport.js';
import { hostLoadOf, LOAD_BYTES, LOAD_RECEIVED, LOAD_SENT, LOAD_SLOTS } from '../load.js';
import type { Progress } from './parallel/engine.js';

interface Message {
  readonly from: number;
  readonly to: number;
  readonly kind: number;
  /** Snapshot length: the receiver merges L(from)[0 .. s). */
  readonly s: number;
  /** What the receiver gets as `payload`: `s` (set protocols), or a cell protocol's own value. */
  readonly payload: number;
  /** The sender's send sequence number. */
  readonly seq: number;
}

/** What the reference engine honours of a run's controls. */
export interface ReferenceControls {
  /** Stops the run within a few milliseconds, even inside a long tick (see `runReference`). */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  readonly progressIntervalMs?: number | undefined;
}

/**
 * Work units (ids walked, messages handled, hosts stepped) between two yields to the event loop:
 * a few milliseconds of work, so that an abort (SIGINT, --timeout) and progress timers run even
 * inside a tick that lasts seconds. Counted, not timed: when the engine yields never depends on
 * the clock, and yielding changes no state.
 */
const WORK_PER_YIELD = 1 << 20;

/** The counters of a run, as they stand (and as they stood at the end of the last tick). */
interface Counters {
  sent: number;
  delivered: number;
  processed: number;
  ignored: number;
  lost: number;
  partitioned: number;
  dropped: number;
  inFlight: number;
  entries: number;
  totalKnown: number;
  complete: number;
}

/**
 * The state of every host as plain arrays, and the host operations of SPEC.md on it: the
 * discovery log L(h) (a growing array) and the known set K(h) (one byte per host). A message's
 * snapshot is the prefix length `s` of the sender's log: logs only grow, so the prefix read at
 * delivery is exactly what was there at send time.
 */
class ReferenceHosts implements HostApi {
  tick = 0;
  readonly logs: number[][] = [];
  readonly known: Uint8Array[] = [];
  readonly completion: Int32Array;
  readonly nextSeq: number[];
  readonly sentThisTick: number[];
  /** Messages by delivery tick. */
  readonly pending = new Map<number, Message[]>();
  readonly c: Counters = { sent: 0, delivered: 0, processed: 0, ignored: 0, lost: 0, partitioned: 0, dropped: 0, inFlight: 0, entries: 0, totalKnown: 0, complete: 0 };
  /** Which hosts are down at this tick (docs/semantics.md "Faults: crashes"). */
  readonly down: DownHosts;
  /**
   * Per-host load counters (load.ts: sent, received, bytes by host id; empty when not counted).
   * Messages sent are the send sequence numbers (nextSeq), copied in by `loadCounters()`.
   */
  readonly load: Float64Array;
  knowSeed = 0;
  tickSent = 0;
  peakPendingMessages = 0;
  /** Work done since the last yield (see WORK_PER_YIELD). */
  work = 0;
  private readonly n: number;
  private readonly transport: Transport;
  /** The protocol, once bound (it calls back into these hosts). */
  behaviour: Behaviour | undefined;
  private readonly learns: boolean;
  /** Cell protocols: the per-host cells and the tallies (the only state; no logs or sets). */
  readonly cells: Int32Array;
  readonly tallies = new Float64Array(MAX_TALLIES);
  readonly cellProtocol: boolean;

  constructor(options: SimulationOptions) {
    const n = options.hosts;
    this.n = n;
    const module = protocolModule(options.protocol);
    this.learns = module.traits.learns;
    this.transport = new Transport(options);
    this.down = new DownHosts(options);
    this.load = new Float64Array(LOAD_SLOTS * n);
    this.contactsSent = new Float64Array(module.contacts?.(options) === true ? n : 0);
    this.completion = new Int32Array(n).fill(-1);
    this.nextSeq = new Array<number>(n).fill(0);
    this.sentThisTick = new Array<number>(n).fill(0);
    this.cellProtocol = module.state === 'cells';
    this.cells = new Int32Array(n * module.cells.length);
    const words = Math.ceil(n / 32);
    const shared = sharedNeeds(module, options);
    this.bitmaps = Array.from({ length: shared.bitmaps }, () => new Int32Array(words));
    this.bytemaps = Array.from({ length: shared.bytemaps }, () => new Uint8Array(Math.ceil(n / 4) * 4));
    this.lists = Array.from({ length: shared.lists?.count ?? 0 }, () => new Int32Array(shared.lists!.length));
    this.bitmapWords = { from: 0, to: words };
    this.hosts = Int32Array.from({ length: n }, (_, h) => h);
    this.ranges = [0, n];
    if (this.cellProtocol && module.knownSets?.(options) !== true) return;
    for (let h = 0; h < n; h++) {
      const log = module.initialLog(h, options);
      this.logs.push(log);
      const set = new Uint8Array(n);
      for (const x of log) set[x] = 1;
      this.known.push(set);
      this.c.totalKnown += log.length;
      if (set[0] === 1) this.knowSeed++;
    }
    for (let h = 0; h < n; h++) this.markIfComplete(h);
  }

  /** Sends one message: SPEC counts, then the transport decides its fate (false: lost). */
  private sendMessage(from: number, to: number, kind: number, s: number, payload: number = s): boolean {
    const k = this.sentThisTick[from]!++;
    const seq = this.nextSeq[from]!++;
    this.c.sent++;
    this.load[LOAD_BYTES * this.n + from]! += 4 * s;
    this.tickSent++;
    this.c.entries += s;
    const at = this.transport.deliveryTick(from, to, this.tick, k);
    if (at < 0) {
      this.c.lost++;
      if (at === PARTITIONED) this.c.partitioned++;
      return false;
    }
    let list = this.pending.get(at);
    if (list === undefined) this.pending.set(at, (list = []));
    list.push({ from, to, kind, s, seq, payload });
    this.c.inFlight++;
    if (this.c.inFlight > this.peakPendingMessages) this.peakPendingMessages = this.c.inFlight;
    return true;
  }

  sendKnown(from: number, to: number, kind: number): void {
    const s = this.logs[from]!.length;
    // A host that lost its state has a new log; the payload names which of its logs (0: the first).
    const generation = this.oldLogs[from]?.length ?? 0;
    this.sendMessage(from, to, kind, s, generation === 0 ? s : s + generation * (this.n + 1));
  }

  /**
   * The logs host h had before it lost its state, oldest first (docs/semantics.md "Crashes that
   * lose state"): messages it sent then still carry prefixes of them.
   */
  private readonly oldLogs: (number[][] | undefined)[] = [];

  /** Host h loses its state: a new initial log and known set; the old log stays for messages that name it. */
  reset(h: number, initialLog: number[]): void {
    if (this.logs.length === 0) return;
    const old = this.logs[h]!;
    (this.oldLogs[h] ??= []).push(old);
    const set = new Uint8Array(this.n);
    for (const x of initialLog) set[x] = 1;
    this.c.totalKnown += initialLog.length - old.length;
    this.knowSeed += set[0]! - this.known[h]![0]!;
    this.logs[h] = initialLog;
    this.known[h] = set;
    // Complete since without a break: a host whose initial log is every host stays as it was.
    if (initialLog.length !== this.n && this.completion[h] !== -1) {
      this.completion[h] = -1;
      this.c.complete--;
    }
    this.markIfComplete(h);
  }

  sendSelf(from: number, to: number, kind: number): void {
    this.sendMessage(from, to, kind, 1);
  }

  send(from: number, to: number, kind: number, payload: number): boolean {
    return this.sendMessage(from, to, kind, 0, payload);
  }

  /** Woken hosts (protocols that `wake`): awake[t & 1][h] = 1 when h steps at tick t. */
  awake: Uint8Array[] = [];
  readonly hosts: Int32Array;
  readonly instance = 0;
  readonly ranges: readonly number[];
  readonly bitmaps: Int32Array[];
  readonly bytemaps: Uint8Array[];
  readonly lists: Int32Array[];
  readonly bitmapWords: { readonly from: number; readonly to: number };

  /** Counted towards the next yield (the reference engine yields only between hosts). */
  didWork(units: number): void {
    this.work += units;
  }

  wake(h: number): void {
    this.awake[(this.tick + 1) & 1]![h] = 1;
  }

  isDown(h: number): boolean {
    return this.down.any && this.down.isDown(h);
  }

  contact(from: number, to: number): boolean {
    this.c.sent++;
    this.tickSent++;
    this.work++;
    this.contactsSent[from]!++;
    if (this.transport.cut(from, to, this.tick)) {
      this.c.lost++;
      this.c.partitioned++;
      return false;
    }
    this.c.delivered++;
    this.load[LOAD_RECEIVED * this.n + to]!++;
    if (this.down.any && this.down.isDown(to)) {
      this.c.dropped++;
      return false;
    }
    this.c.processed++;
    return true;
  }

  /** Cell protocols: the engine's complete count and coverage come from the protocol's TALLY_COMPLETE. */
  syncCellCounts(): void {
    if (!this.cellProtocol) return;
    const complete = this.tallies[TALLY_COMPLETE]!;
    this.c.complete = complete;
    this.c.totalKnown = complete * this.n;
    this.knowSeed = complete;
  }

  private markIfComplete(h: number): void {
    if (this.logs[h]!.length === this.n && this.completion[h] === -1) {
      this.completion[h] = this.tick;
      this.c.complete++;
    }
  }

  /** Host `to` merges L(from)[0 .. s), appending new ids in L(from) order. */
  merge(to: number, from: number, payload: number): void {
    // The payload names the sender's log (a generation past 0 after it lost its state) and a prefix of it.
    const stride = this.n + 1;
    const generation = payload < stride ? 0 : Math.floor(payload / stride);
    const s = payload - generation * stride;
    const old = this.oldLogs[from];
    const source = old === undefined || generation === old.length ? this.logs[from]! : old[generation]!;
    const log = this.logs[to]!;
    const set = this.known[to]!;
    // A complete receiver can learn nothing: stopping early changes no metric.
    let i = 0;
    for (; i < s && log.length < this.n; i++) {
      const x = source[i]!;
      if (set[x] === 1) continue;
      set[x] = 1;
      log.push(x);
      this.c.totalKnown++;
      if (x === 0) this.knowSeed++;
      this.markIfComplete(to);
      if (this.learns) this.behaviour!.learned(to, x);
    }
    this.work += i;
  }

  /** K(h) gains x (cell protocols with known sets; their completion and coverage are their tallies'). */
  learn(h: number, x: number): void {
    const set = this.known[h];
    if (set === undefined) throw new Error('learn() is for cell protocols that keep known sets');
    if (set[x] === 1) return;
    set[x] = 1;
    this.logs[h]!.push(x);
  }

  isComplete(h: number): boolean {
    return this.completion[h] !== -1;
  }

  knownCount(h: number): number {
    return this.logs[h]!.length;
  }

  selectKnown(h: number, index: number): number {
    const set = this.known[h]!;
    for (let x = 0, seen = 0; x < this.n; x++) {
      if (x === h || set[x] !== 1) continue;
      if (seen++ === index) return x;
    }
    throw new RangeError(`selectKnown: host ${h} has no known host number ${index}`);
  }

  /** Synchronous contacts each host made (counted as sent; empty for a protocol that makes none). */
  private readonly contactsSent: Float64Array;

  /** The per-host load counters of the run so far, messages sent (nextSeq, and contacts made) filled in. */
  loadCounters(): Float64Array {
    for (let h = 0; h < this.n; h++) this.load[LOAD_SENT * this.n + h] = this.nextSeq[h]! + (this.contactsSent[h] ?? 0);
    return this.load;
  }

  /** Host m.to handles message m (SPEC "Tick", step 2). */
  handle(m: Message): void {
    this.work++;
    this.c.delivered++;
    this.load[LOAD_RECEIVED * this.n + m.to]!++;
    this.c.inFlight--;
    if (this.down.any && this.down.isDown(m.to)) {
      this.c.dropped++;
      this.behaviour!.dropped?.(m.to, m.kind, m.from, m.payload);
    } else if (this.behaviour!.receive(m.to, m.kind, m.from, m.payload)) this.c.processed++;
    else this.c.ignored++;
  }
}

/**
 * Runs the simulation of `options` with the reference engine. An abort ends the run at once: in
 * the middle of tick t >= 1 the metrics are those at the end of tick t - 1 (counters are kept as
 * they were at the start of the tick, and hosts that completed during tick t count as incomplete),
 * exactly what a run with `maxTicks = t - 1` gives, marked interrupted.
 */
export async function runReference(options: SimulationOptions, controls: ReferenceControls = {}): Promise<EngineOutput> {
  const { signal } = controls;
  const memoryEstimateBytes = checkReferenceMemory(options);
  const { hosts: n, maxTicks } = options;
  const module = protocolModule(options.protocol);
  const hosts = new ReferenceHosts(options);
  const behaviour = module.create(hosts, options);
  hosts.behaviour = behaviour;
  const { completion, pending } = hosts;
  const settles = module.settles?.(options) === true;
  const wakes = module.wakes?.(options) === true;
  if (wakes) hosts.awake = [new Uint8Array(n), new Uint8Array(n)];
  if (settles && behaviour.settle === undefined) throw new Error(`protocol ${module.name} settles but its behaviour has no settle()`);
  const c = hosts.c;

  const series = { sent: [] as number[], delivered: [] as number[], complete: [] as number[], coverage: [] as number[], live: [] as number[] };
  const down = hosts.down;
  /** Under crashes, which hosts have taken their start (a host starts at its first up tick, unless its start is only state). */
  const started = down.any && !module.traits.startIsState ? new Uint8Array(n) : undefined;
  /** The down hosts' share of a cell protocol's tallies (Behaviour.downShare). */
  const downTallies = new Float64Array(hosts.tallies.length);
  let spreadTicks: number | null = null;
  let t = 0;
  const wipeUndo: number[] = [];

  // The counters as they were at the end of the last completed tick (what an abort in the
  // middle of the next tick reports).
  let atTickStart: Counters = { ...c };
  let talliesAtTickStart = hosts.tallies.slice();
  const pause = (): Promise<void> => {
    hosts.work = 0;
    return new Promise((resolve) => setImmediate(resolve));
  };
  const progressTimer = controls.onProgress === undefined ? undefined : setInterval(() => {
    try {
      controls.onProgress?.({ tick: t, hostsComplete: atTickStart.complete, sent: c.sent });
    } catch {
      // A progress display that fails must not take the run down.
    }
  }, controls.progressIntervalMs ?? 250);
  const yields = signal !== undefined || progressTimer !== undefined;
  /**
   * Yields; if the run was aborted meanwhile, rolls the metrics back to the end of tick t - 1 and
   * says so. Tick 0 is only the start (no deliveries, at most N sends): it always runs whole.
   */
  const stoppedMidTick = async (): Promise<boolean> => {
    await pause();
    if (signal?.aborted !== true || t === 0) return false;
    Object.assign(c, atTickStart);
    hosts.tallies.set(talliesAtTickStart);
    for (let x = 0; x < n; x++) if (completion[x] === t) completion[x] = -1;
    // Hosts wiped at the start of tick t get back what the results read of them.
    const width = module.cells.length;
    for (let i = 0; i < wipeUndo.length; i += 2 + width) {
      const h = wipeUndo[i]!;
      completion[h] = wipeUndo[i + 1]!;
      for (let k = 0; k < width; k++) hosts.cells[h * width + k] = wipeUndo[i + 2 + k]!;
    }
    t--;
    endReason = 'interrupted';
    return true;
  };

  // Every way out of the tick loop sets it (a stop in the middle of a tick: stoppedMidTick).
  let endReason: EndReason = 'interrupted';
  try {
    ticks: for (;;) {
      hosts.tick = t;
      hosts.tickSent = 0;
      const deliveredBefore = c.delivered;
      hosts.sentThisTick.fill(0);
      down.advance(t);
      // Hosts that lose their state at t (docs/semantics.md "Crashes that lose state"), and what
      // an abort in this tick puts back ([h, completion, cells...] each).
      wipeUndo.length = 0;
      for (let i = 0; i < down.wipeCount; i++) {
        const h = down.wipes[i]!;
        wipeUndo.push(h, completion[h]!);
        for (let k = 0; k < module.cells.length; k++) wipeUndo.push(hosts.cells[h * module.cells.length + k]!);
        hosts.reset(h, module.initialLog(h, options));
        behaviour.wiped?.(h);
      }
      // A host starts at the first tick it is up (tick 0 without crashes), before its deliveries.
      if (t === 0 && started === undefined) for (let h = 0; h < n; h++) behaviour.start(h);
      const awake = wakes ? hosts.awake[t & 1] : undefined;
      const arriving = pending.get(t) ?? [];
      pending.delete(t);
      arriving.sort((a, b) => a.to - b.to || a.from - b.from || a.seq - b.seq);
      let next = 0;
      for (let h = 0; h < n; h++) {
        const isDown = down.any && down.isDown(h);
        if (started !== undefined && started[h] === 0 && !isDown) {
          started[h] = 1;
          behaviour.start(h);
        }
        while (next < arriving.length && arriving[next]!.to === h) {
          hosts.handle(arriving[next++]!);
          if (yields && hosts.work >= WORK_PER_YIELD && (await stoppedMidTick())) break ticks;
        }
        if (isDown) {
          // A down host takes no step; a woken one is still woken when it is up again.
          if (awake !== undefined && awake[h] === 1) {
            awake[h] = 0;
            hosts.awake[(t + 1) & 1]![h] = 1;
          }
        } else if (awake === undefined) behaviour.step(h);
        else if (awake[h] === 1) {
          awake[h] = 0;
          behaviour.step(h);
        }
        hosts.work++;
        if (yields && hosts.work >= WORK_PER_YIELD && (await stoppedMidTick())) break ticks;
      }
      behaviour.endSteps?.();
      if (settles) {
        behaviour.settle!();
        hosts.work += n;
        if (yields && hosts.work >= WORK_PER_YIELD && (await stoppedMidTick())) break ticks;
      }
      hosts.syncCellCounts();
      // Live hosts only (docs/semantics.md "Faults: crashes"): a down host's state is left out.
      let live = n;
      let complete = c.complete;
      let known = c.totalKnown;
      if (down.any) {
        live = n - down.down;
        downTallies.fill(0);
        for (let h = 0; h < n; h++) {
          if (!down.isDown(h)) continue;
          if (behaviour.downShare !== undefined) behaviour.downShare(h, downTallies);
          else {
            if (hosts.isComplete(h)) complete--;
            known -= hosts.knownCount(h);
          }
        }
        if (behaviour.downShare !== undefined) {
          // A cell protocol's complete hosts are its tally TALLY_COMPLETE, each counting as knowing all N.
          complete -= downTallies[TALLY_COMPLETE]!;
          known -= downTallies[TALLY_COMPLETE]! * n;
        }
      }
      series.sent.push(hosts.tickSent);
      series.delivered.push(c.delivered - deliveredBefore);
      series.complete.push(complete);
      series.coverage.push(live === 0 ? 0 : known / (live * n));
      series.live.push(live);
      if (spreadTicks === null && hosts.knowSeed === n) spreadTicks = t;

      // The protocol decides over the live hosts; with none, over all N of which none is complete
      // (converged needs a live host, so it falls through to the protocol's other rules).
      const end = down.endOf(
        module.endOf({
          tick: t, hosts: live === 0 ? n : live, allHosts: n, complete, inFlight: c.inFlight, maxTicks, sentInTick: hosts.tickSent, tallies: hosts.tallies,
          downTallies, downMayReturn: down.any && down.mayReturnAfter(t),
        }),
        t, live, !module.traits.startIsState,
      );
      if (end !== undefined) { endReason = end; break; }
      if (signal?.aborted === true) { endReason = 'interrupted'; break; }
      atTickStart = { ...c };
      talliesAtTickStart = hosts.tallies.slice();
      t++;
      // Let the event loop deliver an abort (SIGINT, timeout) and progress timers now and then.
      if (yields && hosts.work >= WORK_PER_YIELD) await pause();
    }
  } finally {
    if (progressTimer !== undefined) clearInterval(progressTimer);
  }

  const converged = endReason === 'converged';
  const cellResults = module.state === 'cells' ? cellResultsOf(module, options, t, hosts.cells, hosts.tallies) : undefined;
  const outcome = {
    converged,
    // A cell protocol (rumor) goes on after every host is complete, until it is quiescent.
    ticks: converged ? (cellResults === undefined ? t : lastCompletionTick(cellResults.completion)) : null,
    sent: c.sent, delivered: c.delivered, processed: c.processed, ignored: c.ignored, lost: c.lost, inFlight: c.inFlight, entries: c.entries,
    partitioned: c.partitioned,
    dropped: c.dropped,
    load: endReason === 'interrupted' ? null : hostLoadOf(hosts.loadCounters(), n),
    spreadTicks,
    // As of the end of lastTick, the series' last entries (tick 0 always runs whole).
    coverage: series.coverage[series.coverage.length - 1]!,
    live: series.live[series.live.length - 1]!,
    endReason,
    lastTick: t,
    series,
    ...(cellResults === undefined ? {} : { protocolMetrics: cellResults.metrics }),
  };
  withLazyCompletionTicks(outcome, cellResults?.completion ?? completion);
  withHostLoadCounters(outcome, outcome.load === null ? null : hosts.load);
  return { outcome: outcome as EngineOutput['outcome'], diagnostics: { peakPendingMessages: hosts.peakPendingMessages, memoryEstimateBytes, kernels: null, ringFullWaits: null, phases: null, barrierWaitSeconds: null, stateMemories: null } };
}

/** A cell protocol's results as of the end of `lastTick`. */
export function cellResultsOf(module: ProtocolModule, options: SimulationOptions, lastTick: number, cells: Int32Array, tallies: ArrayLike<number>): ReturnType<NonNullable<ProtocolModule['results']>> {
  if (module.results === undefined) throw new Error(`protocol ${module.name} keeps cells but computes no results`);
  return module.results({ hosts: options.hosts, lastTick, cells, tallies, options });
}
