/**
 * The default thread count of the parallel engine: one thread for small runs, where worker
 * start-up and a barrier per tick cost more than a second core gains, and every core otherwise.
 *
 * Calibrated on this project's 2-core machine (gossip-sim bench, 1 vs 2 threads, medians of 3
 * after a warm-up, CPU-scaling control 1.95-1.99x), 2026-12-02:
 *
 *   announce 1,000  0.251 / 0.300 s    announce 2,000  0.504 / 0.469 s   announce 3,000 1.08 / 0.79 s
 *   push 10,000     0.190 / 0.294 s    push 30,000     0.603 / 0.680 s   push 50,000    1.11 / 0.98 s
 *   pull 3,000      0.395 / 0.368 s    pull 5,000      1.033 / 0.760 s
 *   push-pull 2,000 (latency 1..4, loss 0.05) 0.303 / 0.339 s            push-pull 10,000 3.77 / 2.75 s
 *
 * Rechecked 2026-12-07 (stop 27, 2 vCPUs AMD EPYC, medians of 3; one-shard runs now share their
 * first touch with the main thread, which narrowed the gap): push 30,000 0.332 / 0.399 s, 50,000
 * 0.646 / 0.609 s, 70,000 0.843 / 0.877 s; pull 30,000 0.229 / 0.277, 50,000 0.417 / 0.425,
 * 70,000 0.653 / 0.625; push-pull 30,000 0.243 / 0.321, 50,000 0.459 / 0.470, 70,000 0.710 / 0.706.
 * The set-mode threshold (about 41,000 hosts) still picks the faster count or one within 6%.
 *
 * What makes a second thread pay differs by state mode: announce's cost is its N^2 messages;
 * the periodic protocols' is the state their merges walk, and a bitset merge (set mode, push) does
 * far less per byte than a log merge (pull, push-pull). Hence one threshold each.
 */
import { formatBytes } from '../../errors.js';
import type { SimulationOptions } from '../../options.js';
import { stateBytes } from './layout.js';
import { preferredState } from '../memory.js';
import { protocolModule } from '../../protocols/index.js';
import { formatCount } from '../../numbers.js';

/**
 * Cell protocols (rumor): a second thread pays from about this many hosts. `gossip-sim bench
 * --protocol rumor --threads 1,2` (push, feedback, counter k = 2), medians, 2026-12-03: 100,000
 * hosts 0.260 / 0.395 s, 1,000,000 0.678 / 0.672 s, 3,000,000 1.70 / 1.38 s, 10,000,000 about
 * 7.3 / 4.5 s (1 / 2 threads).
 */
export const CELL_HOSTS_FOR_THREADS = 1_000_000;

/** announce: a second thread pays from about N^2 = 4 million messages (2,000 hosts). */
export const ANNOUNCE_MESSAGES_FOR_THREADS = 4_000_000;
/**
 * pull, push-pull (log mode): from about 160 MiB of state (2,750 hosts at latency 1; pull 3,000
 * keeps 191 MiB and runs 7% faster on 2 threads, push-pull 2,000 keeps 62 MiB and runs 12% slower).
 */
export const LOG_STATE_BYTES_FOR_THREADS = 160 * 2 ** 20;
/**
 * push (set mode): from about 400 MiB of state (41,000 hosts at latency 1; push 30,000 keeps
 * 216 MiB and runs 13% slower on 2 threads, push 50,000 keeps 600 MiB and runs 12% faster).
 */
export const SET_STATE_BYTES_FOR_THREADS = 400 * 2 ** 20;

/** A thread count and why it was chosen, for `diagnostics.threadChoice`. */
export interface ThreadChoice {
  readonly threads: number;
  readonly reason: string;
}

/**
 * The default thread count for `options` (its `threads` is ignored) on `cores` cores (callers pass
 * `defaultThreads()`, the machine's parallelism capped to MAX_THREADS).
 */
export function chooseThreads(options: Omit<SimulationOptions, 'threads'>, cores: number): ThreadChoice {
  const many = Math.max(1, cores);
  const n = options.hosts;
  if (many === 1) return { threads: 1, reason: 'one core available' };
  if (options.protocol === 'announce') {
    const messages = n * n;
    return messages >= ANNOUNCE_MESSAGES_FOR_THREADS
      ? { threads: many, reason: `announce sends about N^2 = ${formatCount(messages)} messages, at least ${formatCount(ANNOUNCE_MESSAGES_FOR_THREADS)}: one thread per core` }
      : { threads: 1, reason: `announce sends about N^2 = ${formatCount(messages)} messages, under ${formatCount(ANNOUNCE_MESSAGES_FOR_THREADS)}: one thread (worker start-up and barriers would cost more)` };
  }
  if (protocolModule(options.protocol).state === 'cells') {
    return n >= CELL_HOSTS_FOR_THREADS
      ? { threads: many, reason: `${options.protocol} at ${formatCount(n)} hosts, at least ${formatCount(CELL_HOSTS_FOR_THREADS)}: one thread per core` }
      : { threads: 1, reason: `${options.protocol} at ${formatCount(n)} hosts, under ${formatCount(CELL_HOSTS_FOR_THREADS)}: one thread (worker start-up and barriers would cost more)` };
  }
  const state = preferredState({ ...options, threads: 1 });
  const limit = state.mode === 'set' ? SET_STATE_BYTES_FOR_THREADS : LOG_STATE_BYTES_FOR_THREADS;
  const bytes = stateBytes(state);
  const what = `${options.protocol} keeps ${formatBytes(bytes)} of ${state.mode === 'set' ? 'versioned bitsets' : 'logs'}`;
  return bytes >= limit
    ? { threads: many, reason: `${what}, at least ${formatBytes(limit)}: one thread per core` }
    : { threads: 1, reason: `${what}, under ${formatBytes(limit)}: one thread (worker start-up and barriers would cost more)` };
}
