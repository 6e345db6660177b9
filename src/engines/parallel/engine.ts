/**
 * The parallel engine's main thread: plans memory, allocates every shared buffer, starts one
 * piscina worker per shard, hands each its configuration over comlink, and assembles the shards'
 * reports into the outcome. It never touches a message: the shards move them through the rings.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import { Piscina } from 'piscina';
import { WorkerFailedError } from '../../errors.js';
import { createSharedMemory } from '../../kernels/bitset.js';
import type { SimulationOptions } from '../../options.js';
import { hostLoadOf, loadBytes } from '../../load.js';
import { lastCompletionTick, withHostLoadCounters, withLazyCompletionTicks, type EngineOutput } from '../../result.js';
import { protocolModule, sharedNeeds } from '../../protocols/index.js';
import { cellResultsOf } from '../reference.js';
import { endpointOf, type ShardApi, type ShardTask } from './control.js';
import {
  controlLayout, CTL_COMMIT_STARTED, CTL_FAILED, CTL_STOP, CTL_TICK, doorbellSlot, ringsLayout, statIndex, threadIdSlot, STAT_DELIVERED, STAT_ENTRIES,
  STAT_IGNORED, STAT_LOST, STAT_PARTITIONED, STAT_DROPPED, STAT_PROCESSED, STAT_SENT, STAT_COMPLETE, STAT_LIVE_SENT, STAT_TALLY, type CheckpointInterval,
} from './layout.js';
import { archiveBytes, planMemory, versionsOf } from '../memory.js';
import type { Fault, ShardConfig, ShardReport } from './shard.js';
import { COMMIT_CHUNK_BYTES, commitChunks, finishTouching, touchClaimedChunks } from './store.js';

/** Live figures of a running simulation, for progress displays. */
export interface Progress {
  /** The tick being simulated now. */
  readonly tick: number;
  /** Hosts complete at the end of the last completed tick (`tick - 1`; 0 before tick 0 ends). */
  readonly hostsComplete: number;
  /** Messages sent so far, the running tick's included (refreshed every few thousand sends). */
  readonly sent: number;
}

/** Controls of a run, the same for both engines. */
export interface ParallelControls {
  /** Stops the run within milliseconds, inside a tick too; the result is then marked `partial`. */
  readonly signal?: AbortSignal | undefined;
  /** Called about every `progressIntervalMs` while the run lasts. */
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  readonly progressIntervalMs?: number | undefined;
}

/**
 * Test-only knobs of the parallel engine, outside the public `simulate()` API (tests reach them
 * through `runSimulation` in src/simulate.ts) and read once per run, never in the hot path.
 */
export interface EngineInternals {
  /** Make shard `fault.shard` fail at tick `fault.tick` (see FaultKind). */
  readonly fault?: Fault | undefined;
  /** Worker heap limit in MiB (the run gets its own pool; tests of running out of memory). */
  readonly workerHeapMb?: number | undefined;
  /** Records per ring, a power of two (tiny rings make producers wait for space). */
  readonly ringCapacity?: number | undefined;
  /** Set mode: state memories, at least (several at test sizes; layout.ts, SEGMENTS). */
  readonly segments?: number | undefined;
  /** Log mode: this checkpoint interval instead of the preferred one (memory.ts, intervalsFor). */
  readonly checkpointInterval?: CheckpointInterval | undefined;
}

/**
 * The compiled worker, from dist/src/... (built) or src/... (tsx): dist/workers/shard-bundle.js,
 * the worker and its modules in one file (scripts/bundle-worker.mjs: 7 ms less start-up than
 * loading 30-odd modules), else dist/workers/shard.js (a build that ran tsc alone).
 */
function workerFile(): string {
  const candidates = ['../../../workers/shard-bundle.js', '../../../dist/workers/shard-bundle.js', '../../../workers/shard.js', '../../../dist/workers/shard.js'];
  for (const rel of candidates) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the compiled shard worker (dist/workers/shard-bundle.js) is missing; run `npm run build`');
}

/**
 * Worker pools by thread count, kept between runs so that a sequence of runs (tests, benchmark
 * sweeps in one process) pays the worker start-up once. Idle piscina workers are unref'd, so a
 * kept pool does not keep the process alive.
 */
const pools = new Map<number, Piscina<ShardTask, void>>();

function newPool(shards: number, heapMb?: number): Piscina<ShardTask, void> {
  const pool = new Piscina<ShardTask, void>({
    filename: workerFile(),
    minThreads: shards,
    maxThreads: shards,
    concurrentTasksPerWorker: 1,
    idleTimeout: 30_000,
    atomics: 'disabled',
    ...(heapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 8 } }),
  });
  // A worker that dies outside a task (between runs) is replaced by piscina; without a listener
  // its 'error' event would crash the process. Failures during a run arrive through the task.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Kept pools serving a run now. A pool has exactly one worker per shard, so two runs on one pool
 * at once could each hold some of its workers while their other shards wait in its queue, every
 * shard waiting at a barrier for one that never starts: a run that finds its kept pool busy
 * (concurrent simulate() calls) gets a pool of its own instead.
 */
const busy = new Set<Piscina<ShardTask, void>>();

/** The pool for a run of `shards` shards, and whether it is the run's own (to destroy after). */
function poolFor(shards: number): { pool: Piscina<ShardTask, void>; own: boolean } {
  let pool = pools.get(shards);
  if (pool !== undefined && busy.has(pool)) return { pool: newPool(shards), own: true };
  if (pool === undefined) {
    pool = newPool(shards);
    pools.set(shards, pool);
  }
  busy.add(pool);
  return { pool, own: false };
}

/** Ends every kept worker pool (the CLI calls this before it exits). */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}

/**
 * The main thread's share of the first touch (store.ts commitChunks): it claims chunks with the
 * shards, starting while their workers load their code, with a turn of the event loop every
 * 64 MiB, so that a stop (SIGINT, --timeout, an AbortSignal: CTL_STOP) or a failure is seen within
 * milliseconds. Where the shards take every core it stops once every shard has begun (a third
 * thread on two cores would only take turns with them). Then it says it touches no more
 * (CTL_COMMIT_FINISHED), which every shard waits for before it writes any state.
 */
async function commitMainShare(chunks: ReturnType<typeof commitChunks>, ctl: Int32Array, shards: number): Promise<void> {
  const helps = shards < availableParallelism();
  const stopped = (): boolean =>
    Atomics.load(ctl, CTL_STOP) !== 0 || Atomics.load(ctl, CTL_FAILED) !== 0 || (!helps && Atomics.load(ctl, CTL_COMMIT_STARTED) >= shards);
  try {
    while (touchClaimedChunks(ctl, chunks, (64 << 20) / COMMIT_CHUNK_BYTES, stopped)) await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    finishTouching(ctl);
  }
}

/** Runs `options` on `options.threads` worker shards. */
export async function runParallel(options: SimulationOptions, controls: ParallelControls = {}, internals: EngineInternals = {}): Promise<EngineOutput> {
  const shards = options.threads;
  const began = performance.now();
  const plan = planMemory(options, internals.segments, internals.checkpointInterval);
  const memories = Array.from({ length: plan.state.segments }, () => createSharedMemory(plan.state.bytes));
  const cl = controlLayout(shards);
  const rl = ringsLayout(shards, internals.ringCapacity);
  const control = new SharedArrayBuffer(cl.bytes);
  const rings = new SharedArrayBuffer(rl.bytes);
  const vl = versionsOf(plan.state);
  const versions = vl === null ? [] : Array.from({ length: shards }, () => new SharedArrayBuffer(vl.bytes));
  // Zero pages until touched: committed with the rest of the state at start-up (commitChunks).
  const cells = new SharedArrayBuffer(options.hosts * protocolModule(options.protocol).cells.length * 4);
  const shared = sharedNeeds(protocolModule(options.protocol), options);
  const bitmaps = Array.from({ length: shared.bitmaps }, () => new SharedArrayBuffer(Math.ceil(options.hosts / 32) * 4));
  const bytemaps = Array.from({ length: shared.bytemaps }, () => new SharedArrayBuffer(Math.ceil(options.hosts / 4) * 4));
  const lists = Array.from({ length: shared.lists?.count ?? 0 }, () => new SharedArrayBuffer(shared.lists!.length * 4));
  // Per-host load counters (load.ts), each host's written only by its own shard.
  const load = new SharedArrayBuffer(loadBytes(options));
  // Log mode: the logs, outside the WebAssembly memory (layout.ts, 1b.), zero pages until each shard touches its rows.
  const logs = new SharedArrayBuffer(plan.state.logsBytes);
  // Log mode: the old logs of hosts that lose their state (LogStore), zero pages until archived.
  const archive = new SharedArrayBuffer(archiveBytes(options, plan.state.mode));
  const allocated = performance.now();
  const ctl = new Int32Array(control);
  const stats = new Float64Array(control);

  const { pool, own: ownPool } = internals.workerHeapMb !== undefined ? { pool: newPool(shards, internals.workerHeapMb), own: true } : poolFor(shards);
  // The pool's workers load their code in their own threads meanwhile; the main thread and then
  // every shard commit the state together (commitMainShare). Start-up ends when every shard has
  // done so and written its thread id: polled, off the shards' path, for diagnostics.phases.
  let started = Number.NaN;
  const startWatch = setInterval(() => {
    for (let s = 0; s < shards; s++) if (Atomics.load(ctl, threadIdSlot(s)) === 0) return;
    started = performance.now();
    clearInterval(startWatch);
  }, 1);
  const channels = Array.from({ length: shards }, () => new MessageChannel());
  const remotes: Remote<ShardApi>[] = [];
  const spin = shards <= availableParallelism();

  /** Tells every shard to give up (they check FAILED whenever they wait) and wakes them. */
  const tearDown = (): void => {
    Atomics.store(ctl, CTL_FAILED, 1);
    for (let s = 0; s < shards; s++) {
      Atomics.add(ctl, doorbellSlot(s), 1);
      Atomics.notify(ctl, doorbellSlot(s));
    }
  };
  const onAbort = (): void => void Atomics.store(ctl, CTL_STOP, 1);
  controls.signal?.addEventListener('abort', onAbort, { once: true });
  if (controls.signal?.aborted === true) onAbort();

  let progressTimer: NodeJS.Timeout | undefined;
  if (controls.onProgress !== undefined) {
    const report = controls.onProgress;
    progressTimer = setInterval(() => {
      // Tick t is running, so every shard has published tick t-1 (parity (t-1)&1), and that row is
      // rewritten only at the end of tick t+1: if the tick moved on meanwhile, read again.
      let tick: number;
      let hostsComplete: number;
      let sent: number;
      do {
        tick = Atomics.load(ctl, CTL_TICK);
        hostsComplete = 0;
        sent = 0;
        for (let s = 0; s < shards; s++) {
          if (tick > 0) hostsComplete += stats[statIndex(cl, (tick - 1) & 1, s, STAT_COMPLETE)]!;
          sent += stats[statIndex(cl, 0, s, STAT_LIVE_SENT)]!;
        }
      } while (Atomics.load(ctl, CTL_TICK) !== tick);
      try {
        report({ tick, hostsComplete, sent });
      } catch {
        // A progress display that fails must not take the run down.
      }
    }, controls.progressIntervalMs ?? 250);
  }

  let faultTimer: NodeJS.Timeout | undefined;
  if (internals.fault?.kind === 'terminate') {
    const { shard: victim, tick } = internals.fault;
    faultTimer = setInterval(() => {
      if (Atomics.load(ctl, CTL_TICK) < tick) return;
      const id = Atomics.load(ctl, threadIdSlot(victim));
      const worker = pool.threads.find((w) => w.threadId === id);
      if (worker === undefined) return;
      clearInterval(faultTimer);
      void worker.terminate();
    }, 5);
  }

  let healthy = true;
  let committing: Promise<void> | undefined;
  try {
    const reports: Promise<ShardReport>[] = [];
    const failures: Promise<never>[] = [];
    for (let s = 0; s < shards; s++) {
      const channel = channels[s]!;
      const task = pool.run({ port: channel.port2 }, { transferList: [channel.port2] as never });
      // A worker that dies (exits, runs out of memory) rejects its task even if comlink never answers.
      failures.push(task.then(
        () => new Promise<never>(() => undefined),
        (cause: unknown) => { throw new WorkerFailedError(s, cause); },
      ));
      const remote = wrap<ShardApi>(endpointOf(channel.port1));
      remotes.push(remote);
      const config: ShardConfig = {
        shard: s, shards, options, memories, control, rings, versions, cells, bitmaps, bytemaps, lists, load, logs, archive,
        state: plan.state, controlLayout: cl, ringsLayout: rl, spin,
        ...(internals.fault?.shard === s ? { fault: internals.fault } : {}),
      };
      reports.push(Promise.resolve(remote.run(config)).catch((cause: unknown) => {
        throw cause instanceof Error && cause.name === 'RunTornDown' ? cause : new WorkerFailedError(s, cause);
      }));
    }
    // The main thread commits the state with the shards, starting while their workers load their code.
    committing = commitMainShare(commitChunks(memories, plan.state.bytes, logs, cells), ctl, shards);
    let done: ShardReport[];
    try {
      done = await Promise.race([
        Promise.all(reports.map((p) => p.catch((error: unknown) => { tearDown(); throw error; }))),
        Promise.race(failures).catch((error: unknown) => { tearDown(); throw error; }),
      ]);
    } catch (error) {
      // Report the shard that failed first, not one that stopped because of it; a shard busy in a
      // long tick will not answer, so wait only briefly before destroy() ends every worker.
      const settled = await Promise.race([
        Promise.allSettled(reports),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 200).unref()),
      ]);
      const first = settled?.find((r) => r.status === 'rejected' && r.reason instanceof WorkerFailedError);
      throw first?.status === 'rejected' ? first.reason : error;
    }
    const outcome = assemble(options, done, memories[0]!.buffer as SharedArrayBuffer, plan.state.complete, stats, cl, cells, load);
    const finished = performance.now();
    const shardsStarted = Number.isNaN(started) ? finished : started;
    return {
      outcome,
      diagnostics: {
        phases: {
          allocateSeconds: (allocated - began) / 1000,
          startSeconds: (shardsStarted - allocated) / 1000,
          ticksSeconds: (finished - shardsStarted) / 1000,
        },
        peakPendingMessages: done.reduce((a, r) => a + r.peakPending, 0),
        ringFullWaits: done.reduce((a, r) => a + r.ringWaits, 0),
        barrierWaitSeconds: done.map((r) => r.waitSeconds),
        stateMemories: plan.state.segments,
        memoryEstimateBytes: plan.estimateBytes,
        kernels: done[0]!.kernels,
      },
    };
  } catch (error) {
    healthy = false;
    throw error;
  } finally {
    // The main thread's share of the first touch ends within one step of a stop or a failure.
    await committing;
    if (progressTimer !== undefined) clearInterval(progressTimer);
    if (faultTimer !== undefined) clearInterval(faultTimer);
    clearInterval(startWatch);
    controls.signal?.removeEventListener('abort', onAbort);
    tearDown();
    if (healthy) {
      // Every shard returned: end their tasks so the workers go idle and can serve the next run.
      await Promise.all(remotes.map((r) => r.close()));
    }
    for (const r of remotes) r[releaseProxy]();
    for (const c of channels) c.port1.close();
    busy.delete(pool);
    if (!healthy || ownPool) {
      // A failed or torn-down run may leave a worker stuck or dead: never reuse its pool.
      if (pools.get(shards) === pool) pools.delete(shards);
      await pool.destroy();
    }
  }
}

function assemble(
  options: SimulationOptions,
  reports: ShardReport[],
  buffer: SharedArrayBuffer,
  completeOffset: number,
  stats: Float64Array,
  cl: ReturnType<typeof controlLayout>,
  cellBuffer: SharedArrayBuffer,
  loadBuffer: SharedArrayBuffer,
): EngineOutput['outcome'] {
  const first = reports[0]!;
  const n = options.hosts;
  const parity = first.lastTick & 1;
  const sum = (stat: number): number => {
    let total = 0;
    for (let s = 0; s < reports.length; s++) total += stats[statIndex(cl, parity, s, stat)]!;
    return total;
  };
  const sent = sum(STAT_SENT);
  const delivered = sum(STAT_DELIVERED);
  const lost = sum(STAT_LOST);
  const converged = first.endReason === 'converged';
  const series = reports.find((r) => r.series !== undefined)?.series;
  if (series === undefined) throw new Error('no shard reported the series (shard 0 does)');
  const module = protocolModule(options.protocol);
  let completion: Int32Array;
  let protocolMetrics: Readonly<Record<string, number | null>> | undefined;
  if (module.state === 'cells') {
    const tallies = module.tallies.map((_, i) => sum(STAT_TALLY + i));
    const results = cellResultsOf(module, options, first.lastTick, new Int32Array(cellBuffer), tallies);
    completion = results.completion;
    protocolMetrics = results.metrics;
  } else {
    completion = new Int32Array(buffer, completeOffset, n).slice();
    // A run stopped in the middle of tick lastTick + 1 may have completed hosts in it: as of the
    // end of lastTick they were not complete yet.
    for (let h = 0; h < n; h++) if (completion[h]! > first.lastTick) completion[h] = -1;
  }
  const outcome = {
    converged,
    // A cell protocol (rumor) goes on after every host is complete, until it is quiescent.
    ticks: converged ? (protocolMetrics === undefined ? first.lastTick : lastCompletionTick(completion)) : null,
    sent,
    delivered,
    processed: sum(STAT_PROCESSED),
    ignored: sum(STAT_IGNORED),
    lost,
    inFlight: sent - lost - delivered,
    entries: sum(STAT_ENTRIES),
    // After entries, as the reference engine's outcome has it (key order shows in JSON).
    partitioned: sum(STAT_PARTITIONED),
    dropped: sum(STAT_DROPPED),
    // A stopped run's counters hold part of its abandoned tick: no load for it.
    load: first.endReason === 'stopped' ? null : hostLoadOf(new Float64Array(loadBuffer), n),
    spreadTicks: first.spreadTicks ?? null,
    // As of the end of lastTick: the last entries of shard 0's series, which every shard's counters made.
    coverage: series.coverage[series.coverage.length - 1]!,
    live: series.live[series.live.length - 1]!,
    endReason: first.endReason === 'stopped' ? 'interrupted' : first.endReason,
    lastTick: first.lastTick,
    series,
    ...(protocolMetrics === undefined ? {} : { protocolMetrics }),
  };
  withHostLoadCounters(outcome, outcome.load === null ? null : new Float64Array(loadBuffer));
  return withLazyCompletionTicks(outcome, completion);
}
