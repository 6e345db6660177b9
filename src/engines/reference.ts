/**
 * The reference engine: single-threaded, plain code that follows SPEC.md line by line. It is the
 * oracle every faster engine is tested against, so clarity wins over speed wherever they conflict.
 *
 * State per host: the discovery log L(h) (a growing array) and the known set K(h) (one byte per
 * host). A message's snapshot is the prefix length `s` of the sender's log: logs only grow, so the
 * prefix read at delivery is exactly what was there at send time.
 */
import type { SimulationOptions } from '../options.js';
import { getHeapStatistics } from 'node:v8';
import { formatBytes, MemoryLimitError } from '../errors.js';
import { BYTES_MAIN_THREAD, largestHostsThatFit, memoryAdvice, memoryBudget, peakPendingMessages } from './budget.js';
import {
  initialLog, KIND_SET, NO_KIND, peerHash, fullViewPeer, periodicSnapshotLength, planOf,
  type MessageKind,
} from '../protocol.js';
import { completionTicksOf, type EndReason, type EngineOutput } from '../result.js';
import { LOST, Transport } from '../transport.js';
import type { Progress } from './parallel/engine.js';

interface Message {
  readonly from: number;
  readonly to: number;
  readonly kind: MessageKind;
  /** Snapshot length: the receiver merges L(from)[0 .. s). */
  readonly s: number;
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

/**
 * Runs the simulation of `options` with the reference engine. An abort ends the run at once: in
 * the middle of tick t >= 1 the metrics are those at the end of tick t - 1 (counters are kept as
 * they were at the start of the tick, and hosts that completed during tick t count as incomplete),
 * exactly what a run with `maxTicks = t - 1` gives, marked interrupted.
 */
export async function runReference(options: SimulationOptions, controls: ReferenceControls = {}): Promise<EngineOutput> {
  const { signal } = controls;
  const memoryEstimateBytes = checkReferenceMemory(options);
  const { hosts: n, protocol, view, seed, fanout, maxTicks } = options;
  const { rules } = planOf(options);
  const transport = new Transport(options);

  const logs: number[][] = [];
  const known: Uint8Array[] = [];
  for (let h = 0; h < n; h++) {
    const log = initialLog(protocol, view, h);
    logs.push(log);
    const set = new Uint8Array(n);
    for (const x of log) set[x] = 1;
    known.push(set);
  }
  const completion = new Int32Array(n).fill(-1);
  const nextSeq = new Array<number>(n).fill(0);
  const sentThisTick = new Array<number>(n).fill(0);
  /** Messages by delivery tick. */
  const pending = new Map<number, Message[]>();

  let sent = 0, delivered = 0, processed = 0, ignored = 0, lost = 0, inFlight = 0, entries = 0;
  let totalKnown = 0;
  let complete = 0;
  let knowSeed = 0;
  for (let h = 0; h < n; h++) {
    totalKnown += logs[h]!.length;
    if (known[h]![0] === 1) knowSeed++;
  }
  const series = { sent: [] as number[], delivered: [] as number[], complete: [] as number[], coverage: [] as number[] };
  let spreadTicks: number | null = null;
  let t = 0;
  let tickSent = 0, tickDelivered = 0;
  let peakPendingMessages = 0;

  const send = (from: number, to: number, kind: MessageKind, s: number): void => {
    const k = sentThisTick[from]!++;
    const seq = nextSeq[from]!++;
    sent++;
    tickSent++;
    entries += s;
    const at = transport.deliveryTick(from, t, k);
    if (at === LOST) {
      lost++;
      return;
    }
    let list = pending.get(at);
    if (list === undefined) pending.set(at, (list = []));
    list.push({ from, to, kind, s, seq });
    inFlight++;
    if (inFlight > peakPendingMessages) peakPendingMessages = inFlight;
  };

  const markIfComplete = (h: number): void => {
    if (logs[h]!.length === n && completion[h] === -1) {
      completion[h] = t;
      complete++;
    }
  };
  for (let h = 0; h < n; h++) markIfComplete(h);

  /** Host `to` merges L(from)[0 .. s); announce sends each appended host the whole log right away. */
  const merge = (to: number, from: number, s: number): void => {
    const source = logs[from]!;
    const log = logs[to]!;
    const set = known[to]!;
    // A complete receiver can learn nothing: stopping early changes no metric.
    let i = 0;
    for (; i < s && log.length < n; i++) {
      const x = source[i]!;
      if (set[x] === 1) continue;
      set[x] = 1;
      log.push(x);
      totalKnown++;
      if (x === 0) knowSeed++;
      markIfComplete(to);
      if (rules.sendOnAppend) send(to, x, KIND_SET, log.length);
    }
    work += i;
  };

  const handle = (m: Message): void => {
    work++;
    tickDelivered++;
    delivered++;
    inFlight--;
    if (rules.stopsWhenComplete && completion[m.to] !== -1) {
      ignored++;
      return;
    }
    processed++;
    merge(m.to, m.from, m.s);
    const reply = rules.replyKind[m.kind]!;
    if (reply !== NO_KIND) send(m.to, m.from, reply, logs[m.to]!.length);
  };

  /** The k peer choices of host h at tick t (periodic protocols). */
  const periodicStep = (h: number): void => {
    const kind = rules.periodicKind;
    if (kind === NO_KIND) return;
    for (let j = 0; j < fanout; j++) {
      const r = peerHash(seed, h, t, j);
      let peer: number;
      if (view === 'full') {
        if (n < 2) return;
        peer = fullViewPeer(r, h, n);
      } else {
        const candidates: number[] = [];
        for (let x = 0; x < n; x++) if (x !== h && known[h]![x] === 1) candidates.push(x);
        if (candidates.length === 0) continue;
        peer = candidates[r % candidates.length]!;
      }
      send(h, peer, kind, periodicSnapshotLength(kind, logs[h]!.length));
    }
  };

  // Work done since the last yield, and the counters as they were at the end of the last
  // completed tick (what an abort in the middle of the next tick reports).
  let work = 0;
  let atTickStart = { sent, delivered, processed, ignored, lost, inFlight, entries, totalKnown, complete };
  const pause = (): Promise<void> => {
    work = 0;
    return new Promise((resolve) => setImmediate(resolve));
  };
  const progressTimer = controls.onProgress === undefined ? undefined : setInterval(() => {
    try {
      controls.onProgress?.({ tick: t, hostsComplete: atTickStart.complete, sent });
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
    ({ sent, delivered, processed, ignored, lost, inFlight, entries, totalKnown, complete } = atTickStart);
    for (let x = 0; x < n; x++) if (completion[x] === t) completion[x] = -1;
    t--;
    endReason = 'interrupted';
    return true;
  };

  // Every way out of the tick loop sets it (a stop in the middle of a tick: stoppedMidTick).
  let endReason: EndReason = 'interrupted';
  try {
    ticks: for (;;) {
      tickSent = 0;
      tickDelivered = 0;
      sentThisTick.fill(0);
      if (t === 0 && rules.sendOnAppend) {
        // announce: every host but the seed announces itself to the seed.
        for (let h = 1; h < n; h++) send(h, 0, KIND_SET, 1);
      }
      const arriving = pending.get(t) ?? [];
      pending.delete(t);
      arriving.sort((a, b) => a.to - b.to || a.from - b.from || a.seq - b.seq);
      let next = 0;
      for (let h = 0; h < n; h++) {
        while (next < arriving.length && arriving[next]!.to === h) {
          handle(arriving[next++]!);
          if (yields && work >= WORK_PER_YIELD && (await stoppedMidTick())) break ticks;
        }
        periodicStep(h);
        work++;
        if (yields && work >= WORK_PER_YIELD && (await stoppedMidTick())) break ticks;
      }
      series.sent.push(tickSent);
      series.delivered.push(tickDelivered);
      series.complete.push(complete);
      series.coverage.push(totalKnown / (n * n));
      if (spreadTicks === null && knowSeed === n) spreadTicks = t;

      if (complete === n) { endReason = 'converged'; break; }
      if (rules.canStall && inFlight === 0) { endReason = 'stalled'; break; }
      if (t >= maxTicks) { endReason = 'max-ticks'; break; }
      if (signal?.aborted === true) { endReason = 'interrupted'; break; }
      atTickStart = { sent, delivered, processed, ignored, lost, inFlight, entries, totalKnown, complete };
      t++;
      // Let the event loop deliver an abort (SIGINT, timeout) and progress timers now and then.
      if (yields && work >= WORK_PER_YIELD) await pause();
    }
  } finally {
    if (progressTimer !== undefined) clearInterval(progressTimer);
  }

  const converged = endReason === 'converged';
  const outcome = {
    converged,
    ticks: converged ? t : null,
    sent, delivered, processed, ignored, lost, inFlight, entries,
    spreadTicks,
    coverage: totalKnown / (n * n),
    endReason,
    lastTick: t,
    hostCompletionTicks: completionTicksOf(completion),
    series,
  };
  return { outcome, diagnostics: { peakPendingMessages, memoryEstimateBytes, kernels: null, ringFullWaits: null, phases: null } };
}

/** Bytes per message object waiting in the reference engine (object, array slot, map share). */
const REFERENCE_BYTES_PER_MESSAGE = 72;

/**
 * The reference engine's peak memory: a byte map per host (N^2 bytes), discovery logs as JS
 * arrays (8 bytes an entry, on the V8 heap), message objects, and the process itself. Throws
 * MemoryLimitError before allocating when the run would not fit the budget or the V8 heap.
 */
function checkReferenceMemory(options: SimulationOptions): number {
  const estimateOf = (hosts: number): { total: number; heap: number } => {
    const heap = hosts * hosts * 8 + peakPendingMessages({ ...options, hosts }) * REFERENCE_BYTES_PER_MESSAGE;
    return { heap, total: heap + hosts * hosts + BYTES_MAIN_THREAD };
  };
  const budget = memoryBudget(options);
  const heapLimit = getHeapStatistics().heap_size_limit;
  const fitsHosts = (hosts: number): boolean => {
    const e = estimateOf(hosts);
    return e.total <= budget && e.heap <= heapLimit;
  };
  const estimate = estimateOf(options.hosts);
  if (fitsHosts(options.hosts)) return estimate.total;
  const advice = memoryAdvice({
    underBudget: largestHostsThatFit(options.hosts, (hosts) => estimateOf(hosts).total <= budget),
    underFixed: largestHostsThatFit(options.hosts, (hosts) => estimateOf(hosts).heap <= heapLimit),
    fixedLimit: `the V8 heap limit of ${formatBytes(heapLimit)}`,
    fixedRemedy: 'use the parallel engine, or raise the heap with node --max-old-space-size',
    oneHostBytes: estimateOf(1).total,
  });
  const lo = largestHostsThatFit(options.hosts, fitsHosts);
  const detail = estimate.heap > heapLimit
    ? `reference engine; ${formatBytes(estimate.heap)} of it on the V8 heap, over its limit of ${formatBytes(heapLimit)}`
    : 'reference engine: known-host byte maps, logs and messages';
  throw new MemoryLimitError(estimate.total, budget, lo, detail, advice);
}
