/**
 * The stop flag of a `--seeds` pool: one Int32 in a SharedArrayBuffer that every seed task can
 * read, so that Ctrl-C reaches runs already going in the workers and tasks not yet started.
 *
 *   byte 0        4
 *        +--------+
 *        | STOP   |   0 = keep going, 1 = stop (written by the main thread only, once)
 *        +--------+
 *
 * Single writer (the main thread), many readers (the workers); the value only ever goes 0 -> 1,
 * so a reader that sees 1 late loses nothing but the time until its next look.
 */

/** Index of the stop word in the flag's Int32Array. */
const STOP = 0;
/** Bytes of the flag. */
const FLAG_BYTES = 4;

/**
 * How often a running seed task looks at the flag, ms. Polled, not waited on: the worker's event
 * loop must stay free for the run itself (the parallel engine awaits its shard there), and a
 * look is one atomic load. 10 ms keeps Ctrl-C well within the fraction of a second `run` promises
 * and costs a busy worker 100 timer wake-ups a second.
 */
export const STOP_POLL_MS = 10;

/** A new flag, not raised. */
export function createStopFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(FLAG_BYTES));
}

/** Raises the flag (main thread). */
export function raiseStop(flag: Int32Array): void {
  // Sequentially consistent store: every later Atomics.load in a worker sees 1. Nobody waits on
  // the word (readers poll), so there is no wake-up to send and none to lose.
  Atomics.store(flag, STOP, 1);
}

/** Whether the flag is raised (any thread). */
export function stopRaised(flag: Int32Array): boolean {
  // Pairs with the store in raiseStop; a stale 0 only delays the stop by one poll.
  return Atomics.load(flag, STOP) !== 0;
}
