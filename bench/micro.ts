/**
 * Micro-benchmarks of the parallel engine's synchronisation, each against its naive alternative
 * (the bitset kernels have their own: bench/kernels.ts).
 *
 *   npm run build && node dist/bench/micro.js [--quick]
 *
 * 1. Message transport between two worker threads: the engine's SPSC ring on a SharedArrayBuffer
 *    (src/engines/parallel/ring.ts, published every 256 records) against one `postMessage` per
 *    message (structured clone of a 5-int array) and one `postMessage` per 1,024 records
 *    (a transferred Int32Array). Millions of records per second, producer to consumer.
 * 2. The tick barrier of two worker threads: Atomics.wait/notify (futex) against spinning on
 *    Atomics.load, and against a barrier made of postMessage round trips through the main thread.
 *    Microseconds per barrier.
 *
 * Both threads spin where the method spins, so on a machine with fewer than 3 free cores (two
 * workers and the main thread, which sleeps) the spinning figures suffer first: look at the
 * environment line. Each row: one warm-up round, then SAMPLES timed rounds; median (min–max).
 */
import { isMainThread, MessageChannel, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { nextMessage } from '../src/bench/control.js';
import { collectEnvironment, describeEnvironment } from '../src/bench/environment.js';
import { spreadOf, type Spread } from '../src/bench/stats.js';
import { RING_HEADER_INTS, ringsLayout } from '../src/engines/parallel/layout.js';
import { RING_RECORD_INTS } from '../src/engines/parallel/message.js';
import { RingConsumer, RingProducer } from '../src/engines/parallel/ring.js';

const QUICK = process.argv.includes('--quick');
const SAMPLES = QUICK ? 3 : 7;
/** Records per timed round, per transport. */
const RING_RECORDS = QUICK ? 2_000_000 : 10_000_000;
const MESSAGE_RECORDS = QUICK ? 50_000 : 200_000;
const BATCH_RECORDS = QUICK ? 2_000_000 : 10_000_000;
/** Records per batch of the batched postMessage variant. */
const BATCH = 1024;
/** Records the ring producer writes between two publishes (the engine publishes in batches too). */
const PUBLISH_EVERY = 256;
/** Barriers per timed round, per method. */
const ROUNDS = { futex: QUICK ? 2_000 : 20_000, spin: QUICK ? 100_000 : 1_000_000, message: QUICK ? 1_000 : 5_000 } as const;

// Barrier block: two Int32 slots on separate 64-byte lines (16 ints apart), so the arrival counter
// and the generation word never share a cache line.
const BARRIER_COUNT = 0;
const BARRIER_GENERATION = 16;
const BARRIER_INTS = 32;

type Role =
  | { readonly role: 'ring-producer' | 'ring-consumer'; readonly buffer: SharedArrayBuffer; readonly capacity: number }
  | { readonly role: 'message-producer' | 'message-consumer' | 'batch-producer' | 'batch-consumer'; readonly port: MessagePort }
  | { readonly role: 'barrier'; readonly buffer: SharedArrayBuffer; readonly parties: number };

/** What the main thread sends a worker for one round. */
interface Round {
  readonly count: number;
  readonly kind?: 'futex' | 'spin' | 'message';
}

// ---- workers --------------------------------------------------------------------------------

function worker(data: Role): void {
  const parent = parentPort!;
  switch (data.role) {
    case 'ring-producer': {
      const ring = new RingProducer(data.buffer, 0, data.capacity);
      parent.on('message', ({ count }: Round) => {
        for (let n = 0; n < count; n++) {
          // A full ring: publish what we have so the consumer can drain it, and retry.
          while (!ring.tryPush(n & 0x3fffffff, 1, 7, 3)) ring.publish();
          if ((n & (PUBLISH_EVERY - 1)) === PUBLISH_EVERY - 1) ring.publish();
        }
        ring.publish();
        parent.postMessage('done');
      });
      break;
    }
    case 'ring-consumer': {
      const ring = new RingConsumer(data.buffer, 0, data.capacity);
      parent.on('message', ({ count }: Round) => {
        parent.postMessage('ready');
        const end = (ring.tail + count) | 0;
        let sum = 0;
        while (ring.tail !== end) {
          const head = ring.head();
          for (let k = ring.tail; k !== head; k = (k + 1) | 0) sum = (sum + ring.i32[ring.recordIndex(k) + 2]!) | 0;
          if (head !== ring.tail) ring.release(head);
        }
        parent.postMessage(sum === 0.5 ? 'never' : 'done');
      });
      break;
    }
    case 'message-producer':
      parent.on('message', ({ count }: Round) => {
        for (let n = 0; n < count; n++) data.port.postMessage([n & 0x3fffffff, 1, n, 7, 3]);
        parent.postMessage('done');
      });
      break;
    case 'batch-producer':
      parent.on('message', ({ count }: Round) => {
        for (let n = 0; n < count; ) {
          const records = Math.min(BATCH, count - n);
          const batch = new Int32Array(records * RING_RECORD_INTS);
          for (let r = 0; r < records; r++, n++) {
            const i = r * RING_RECORD_INTS;
            batch[i] = n & 0x3fffffff;
            batch[i + 1] = 1;
            batch[i + 2] = n;
            batch[i + 3] = 7;
            batch[i + 4] = 3;
          }
          data.port.postMessage(batch, [batch.buffer]);
        }
        parent.postMessage('done');
      });
      break;
    case 'message-consumer':
    case 'batch-consumer': {
      let wanted = 0;
      let seen = 0;
      let sum = 0;
      const batched = data.role === 'batch-consumer';
      data.port.on('message', (m: number[] | Int32Array) => {
        if (batched) {
          const batch = m as Int32Array;
          for (let i = 2; i < batch.length; i += RING_RECORD_INTS) sum = (sum + batch[i]!) | 0;
          seen += batch.length / RING_RECORD_INTS;
        } else {
          sum = (sum + (m as number[])[2]!) | 0;
          seen++;
        }
        if (seen === wanted) parent.postMessage(sum === 0.5 ? 'never' : 'done');
      });
      parent.on('message', ({ count }: Round) => {
        wanted = count;
        seen = 0;
        parent.postMessage('ready');
      });
      break;
    }
    case 'barrier': {
      const ctl = new Int32Array(data.buffer);
      const parties = data.parties;
      let pendingGo: (() => void) | null = null;
      parent.on('message', (m: Round | 'go') => {
        if (m === 'go') {
          pendingGo?.();
          return;
        }
        if (m.kind === 'message') {
          void (async () => {
            for (let r = 0; r < m.count; r++) {
              await new Promise<void>((resolve) => {
                pendingGo = resolve;
                parent.postMessage('arrive');
              });
            }
            parent.postMessage('done');
          })();
          return;
        }
        const spin = m.kind === 'spin';
        for (let r = 0; r < m.count; r++) {
          // Read the generation before arriving: the last arriver bumps it only after every party
          // has added to the counter, so reading it first cannot miss this round's bump.
          const generation = Atomics.load(ctl, BARRIER_GENERATION);
          if (Atomics.add(ctl, BARRIER_COUNT, 1) === parties - 1) {
            // Last to arrive: reset the counter before releasing anyone (seq-cst store, ordered
            // before the generation bump), so no party of the next round sees a stale count.
            Atomics.store(ctl, BARRIER_COUNT, 0);
            Atomics.add(ctl, BARRIER_GENERATION, 1);
            if (!spin) Atomics.notify(ctl, BARRIER_GENERATION);
          } else if (spin) {
            while (Atomics.load(ctl, BARRIER_GENERATION) === generation) {
              // spin: the cost of a core kept busy, the benefit of no sleep/wake
            }
          } else {
            // Atomics.wait returns at once ('not-equal') if the bump already happened.
            while (Atomics.load(ctl, BARRIER_GENERATION) === generation) Atomics.wait(ctl, BARRIER_GENERATION, generation);
          }
        }
        parent.postMessage('done');
      });
      break;
    }
  }
}

// ---- main -----------------------------------------------------------------------------------

function start(data: Role, transfer: readonly MessagePort[] = []): Worker {
  return new Worker(new URL(import.meta.url), { workerData: data, transferList: [...transfer] });
}


/** Times `round` once to warm up, then SAMPLES times; returns the samples in seconds. */
async function sample(round: () => Promise<void>): Promise<number[]> {
  await round();
  const seconds: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const started = performance.now();
    await round();
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds;
}

/**
 * One producer → consumer round of `count` records. The consumer answers 'ready' once it expects
 * them (so no record can arrive before it counts), then 'done'; the producer answers 'done'.
 */
function transferRound(producer: Worker, consumer: Worker, count: number): () => Promise<void> {
  return async () => {
    const ready = nextMessage(consumer);
    consumer.postMessage({ count } satisfies Round);
    await ready;
    const done = Promise.all([nextMessage(producer), nextMessage(consumer)]);
    producer.postMessage({ count } satisfies Round);
    await done;
  };
}

function row(name: string, s: Spread, unit: string, digits: number): void {
  const f = (x: number): string => x.toFixed(digits).padStart(9);
  console.log(`  ${name.padEnd(56)} ${f(s.median)} ${unit}  (${f(s.min)} – ${f(s.max)})`);
}

async function transports(): Promise<void> {
  console.log('message transport, worker → worker (M records/s, higher is better)');
  const capacity = ringsLayout(2).capacity;
  const buffer = new SharedArrayBuffer((RING_HEADER_INTS + capacity * RING_RECORD_INTS) * 4);
  const ring = [start({ role: 'ring-producer', buffer, capacity }), start({ role: 'ring-consumer', buffer, capacity })] as const;
  const ringSeconds = await sample(transferRound(ring[0], ring[1], RING_RECORDS));
  row(`SPSC ring on a SharedArrayBuffer (capacity ${capacity})`, spreadOf(ringSeconds.map((s) => RING_RECORDS / s / 1e6)), 'M/s', 2);
  await Promise.all(ring.map((w) => w.terminate()));

  for (const [label, kind, count] of [
    [`postMessage per ${BATCH} records (transferred Int32Array)`, 'batch', BATCH_RECORDS],
    ['postMessage per message (5-int array, naive)', 'message', MESSAGE_RECORDS],
  ] as const) {
    const channel = new MessageChannel();
    const producer = start({ role: `${kind}-producer`, port: channel.port1 }, [channel.port1]);
    const consumer = start({ role: `${kind}-consumer`, port: channel.port2 }, [channel.port2]);
    const seconds = await sample(transferRound(producer, consumer, count));
    row(label, spreadOf(seconds.map((s) => count / s / 1e6)), 'M/s', 2);
    await Promise.all([producer.terminate(), consumer.terminate()]);
  }
}

async function barriers(): Promise<void> {
  console.log('\ntick barrier of 2 worker threads (µs per barrier, lower is better)');
  const buffer = new SharedArrayBuffer(BARRIER_INTS * 4);
  const parties = 2;
  const workers = [start({ role: 'barrier', buffer, parties }), start({ role: 'barrier', buffer, parties })];
  let failure: (error: Error) => void = (error) => {
    throw error;
  };
  for (const w of workers) w.on('error', (error) => failure(error));
  for (const [label, kind] of [
    ['Atomics.wait / Atomics.notify (futex)', 'futex'],
    ['spin on Atomics.load', 'spin'],
    ['postMessage round trip through the main thread (naive)', 'message'],
  ] as const) {
    const rounds = ROUNDS[kind];
    const seconds = await sample(async () => {
      let arrived = 0;
      let finished = 0;
      await new Promise<void>((resolve, reject) => {
        const onMessage = (m: string): void => {
          if (m === 'arrive' && ++arrived === parties) {
            arrived = 0;
            for (const w of workers) w.postMessage('go');
          } else if (m === 'done' && ++finished === parties) {
            for (const w of workers) w.off('message', onMessage);
            resolve();
          }
        };
        for (const w of workers) {
          w.on('message', onMessage);
          w.postMessage({ count: rounds, kind } satisfies Round);
        }
        failure = reject;
      });
    });
    row(label, spreadOf(seconds.map((s) => (s / rounds) * 1e6)), 'µs', 2);
  }
  await Promise.all(workers.map((w) => w.terminate()));
}

async function main(): Promise<void> {
  console.log(`micro-benchmarks: ${describeEnvironment(collectEnvironment())}${QUICK ? ', --quick' : ''}`);
  console.log(`median (min – max) of ${SAMPLES} timed rounds after one warm-up round\n`);
  await transports();
  await barriers();
}

if (isMainThread) await main();
else worker(workerData as Role);
