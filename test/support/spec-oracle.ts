// Independent, deliberately naive implementation of /work/shared/SPEC.md, used only to
// cross-check the real engines. Plain arrays, Sets and objects; no optimisation.

export interface OracleInput {
  hosts: number;
  protocol: 'announce' | 'push' | 'pull' | 'push-pull';
  fanout: number;
  view: 'known' | 'full';
  latencyMin: number;
  latencyMax: number;
  loss: number;
  seed: number;
  maxTicks: number;
}

export interface OracleResult {
  converged: boolean;
  ticks: number | null;
  sent: number;
  delivered: number;
  processed: number;
  ignored: number;
  lost: number;
  inFlight: number;
  entries: number;
  spreadTicks: number | null;
  coverage: number;
  endReason: 'converged' | 'stalled' | 'max-ticks';
  lastTick: number;
  hostCompletionTicks: (number | null)[];
  series: { sent: number[]; delivered: number[]; complete: number[]; coverage: number[] };
}

const LATENCY = 1;
const PEER = 2;
const LOSS = 3;

/** The SPEC's mix32 on unsigned 32-bit integers. */
export function mix32(x0: number): number {
  let x = x0 >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** rand(seed, stream, a, b, c) of the SPEC. */
export function rand(seed: number, stream: number, a: number, b: number, c: number): number {
  return mix32((mix32((mix32((mix32((mix32(seed) ^ stream) >>> 0) ^ a) >>> 0) ^ b) >>> 0) ^ c) >>> 0);
}

type Kind = 'set' | 'push' | 'pull' | 'reply';

interface Message {
  from: number;
  to: number;
  kind: Kind;
  snapshot: number[];
  seq: number;
  deliverAt: number;
}

export function oracleSimulate(input: OracleInput): OracleResult {
  const N = input.hosts;
  const periodic = input.protocol !== 'announce';
  const seed = input.seed >>> 0;
  const lossThreshold = Math.floor(input.loss * 2 ** 32);

  // State
  const L: number[][] = [];
  const K: Set<number>[] = [];
  for (let h = 0; h < N; h++) {
    let log: number[];
    if (!periodic || input.view === 'full' || h === 0) log = [h];
    else log = [h, 0];
    L.push(log);
    K.push(new Set(log));
  }
  const stopped: boolean[] = new Array(N).fill(false); // announce only
  const seqOf: number[] = new Array(N).fill(0);
  const completion: (number | null)[] = new Array(N).fill(null);

  // Messages in flight (not lost, not delivered yet)
  let pending: Message[] = [];

  let sent = 0;
  let delivered = 0;
  let processed = 0;
  let ignored = 0;
  let lost = 0;
  let entries = 0;
  let spreadTicks: number | null = null;

  const series = { sent: [] as number[], delivered: [] as number[], complete: [] as number[], coverage: [] as number[] };

  // Per-tick counters
  let tickSent = 0;
  let tickDelivered = 0;
  let kCounter: number[] = new Array(N).fill(0);

  function send(t: number, from: number, to: number, kind: Kind, s: number): void {
    const k = kCounter[from]!;
    kCounter[from] = k + 1;
    const seq = seqOf[from]!;
    seqOf[from] = seq + 1;
    const snapshot = L[from]!.slice(0, s);
    sent++;
    tickSent++;
    entries += s;
    let d: number;
    if (input.latencyMin === input.latencyMax) d = input.latencyMin;
    else d = input.latencyMin + (rand(seed, LATENCY, from, t, k) % (input.latencyMax - input.latencyMin + 1));
    const isLost = rand(seed, LOSS, from, t, k) < lossThreshold;
    if (isLost) {
      lost++;
      return;
    }
    pending.push({ from, to, kind, snapshot, seq, deliverAt: t + d });
  }

  function markComplete(h: number, t: number): void {
    if (completion[h] === null && K[h]!.size === N) completion[h] = t;
  }

  // Merge a snapshot into host h; calls onAppend(x) right after each append.
  function merge(h: number, snapshot: number[], onAppend: (x: number) => void): void {
    for (const x of snapshot) {
      if (!K[h]!.has(x)) {
        K[h]!.add(x);
        L[h]!.push(x);
        onAppend(x);
      }
    }
  }

  function periodicStep(h: number, t: number): void {
    for (let j = 0; j < input.fanout; j++) {
      const r = rand(seed, PEER, h, t, j);
      let peer: number;
      if (input.view === 'known') {
        const candidates = [...K[h]!].filter((x) => x !== h).sort((a, b) => a - b);
        if (candidates.length === 0) continue;
        peer = candidates[r % candidates.length]!;
      } else {
        if (N <= 1) continue; // no other host to call
        const c = r % (N - 1);
        peer = c < h ? c : c + 1;
      }
      if (input.protocol === 'pull') send(t, h, peer, 'pull', 1);
      else send(t, h, peer, 'push', L[h]!.length);
    }
  }

  // Hosts complete from the start (N = 1).
  for (let h = 0; h < N; h++) markComplete(h, 0);

  let endReason: OracleResult['endReason'] = 'max-ticks';
  let lastTick = 0;
  for (let t = 0; ; t++) {
    tickSent = 0;
    tickDelivered = 0;
    kCounter = new Array(N).fill(0);

    if (t === 0) {
      if (!periodic) {
        for (let h = 1; h < N; h++) send(0, h, 0, 'set', 1);
      } else {
        for (let h = 0; h < N; h++) periodicStep(h, 0);
      }
    } else {
      // Split out the messages delivered at this tick.
      const now: Message[] = [];
      const later: Message[] = [];
      for (const m of pending) (m.deliverAt === t ? now : later).push(m);
      pending = later;
      for (let h = 0; h < N; h++) {
        const mine = now.filter((m) => m.to === h).sort((a, b) => a.from - b.from || a.seq - b.seq);
        for (const m of mine) {
          delivered++;
          tickDelivered++;
          if (!periodic) {
            if (stopped[h]) {
              ignored++;
              continue;
            }
            processed++;
            // set message
            merge(h, m.snapshot, (x) => {
              send(t, h, x, 'set', L[h]!.length);
            });
            markComplete(h, t);
            if (K[h]!.size === N) stopped[h] = true;
          } else {
            processed++;
            if (m.kind === 'push') {
              merge(h, m.snapshot, () => {});
              if (input.protocol === 'push-pull') send(t, h, m.from, 'reply', L[h]!.length);
            } else if (m.kind === 'pull') {
              merge(h, m.snapshot, () => {});
              send(t, h, m.from, 'reply', L[h]!.length);
            } else {
              merge(h, m.snapshot, () => {});
            }
            markComplete(h, t);
          }
        }
        if (periodic) periodicStep(h, t);
      }
    }

    // End of tick t bookkeeping.
    let completeCount = 0;
    let knowSum = 0;
    let allKnow0 = true;
    for (let h = 0; h < N; h++) {
      if (K[h]!.size === N) completeCount++;
      knowSum += K[h]!.size;
      if (!K[h]!.has(0)) allKnow0 = false;
    }
    if (spreadTicks === null && allKnow0) spreadTicks = t;
    series.sent.push(tickSent);
    series.delivered.push(tickDelivered);
    series.complete.push(completeCount);
    series.coverage.push(knowSum / (N * N));
    lastTick = t;

    if (completeCount === N) {
      endReason = 'converged';
      break;
    }
    if (!periodic && pending.length === 0) {
      endReason = 'stalled';
      break;
    }
    if (t >= input.maxTicks) {
      endReason = 'max-ticks';
      break;
    }
  }

  let knowSum = 0;
  for (let h = 0; h < N; h++) knowSum += K[h]!.size;
  const converged = endReason === 'converged';
  let ticks: number | null = null;
  if (converged) {
    ticks = 0;
    for (const c of completion) ticks = Math.max(ticks, c!);
  }
  return {
    converged,
    ticks,
    sent,
    delivered,
    processed,
    ignored,
    lost,
    inFlight: pending.length,
    entries,
    spreadTicks,
    coverage: knowSum / (N * N),
    endReason,
    lastTick,
    hostCompletionTicks: completion,
    series,
  };
}
