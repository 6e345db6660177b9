/** Domain errors. Each says what happened and what to do next; the CLI maps them to exit codes. */

/**
 * An option received a value it does not allow. Extends RangeError (STYLE.md rule 7); the CLI
 * prints `message` alone and exits 2.
 */
export class OptionError extends RangeError {
  override readonly name = 'OptionError';
  constructor(
    /** The option as a user spells it on the command line, e.g. `--hosts`. */
    readonly option: string,
    /** The value received, as text. */
    readonly value: string,
    /** What is allowed, e.g. `an integer from 1 to 1048576`. */
    readonly allowed: string,
  ) {
    super(`${option}: got ${value}, expected ${allowed}`);
  }
}

/**
 * A run that would not fit: over the memory budget, or over a fixed limit (the 4 GiB of one
 * WebAssembly memory, the V8 heap). Refused before anything is allocated.
 */
export class MemoryLimitError extends RangeError {
  override readonly name = 'MemoryLimitError';
  constructor(
    readonly estimateBytes: number,
    readonly budgetBytes: number,
    /** The largest host count that fits with the other options unchanged; 0 when not even 1 does. */
    readonly largestHosts: number,
    /** What the estimate is made of, and any limit other than the budget it is over. */
    detail: string,
    /** What to change, true for the limit that binds (see `memoryAdvice`). */
    advice: string,
  ) {
    super(
      `this run needs about ${formatBytes(estimateBytes)} (${detail}), ` +
        `${estimateBytes > budgetBytes ? 'over' : 'within'} the budget of ${formatBytes(budgetBytes)}; ` +
        `${largestHosts > 0 ? `at most ${largestHosts} host${largestHosts === 1 ? '' : 's'} fit` : 'not even 1 host fits'} with these options (${advice})`,
    );
  }
}

/** A worker shard failed (threw, ran out of memory, exited); the run is torn down. */
export class WorkerFailedError extends Error {
  override readonly name = 'WorkerFailedError';
  constructor(
    readonly shard: number,
    cause: unknown,
  ) {
    super(`shard ${shard} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** One seed's run of `--seeds` failed; the other runs are stopped and the error names the seed. */
export class SeedRunError extends Error {
  override readonly name = 'SeedRunError';
  constructor(
    readonly seed: number,
    cause: unknown,
  ) {
    super(`seed ${seed}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Human-readable byte count (binary units), e.g. `1.25 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(2)} ${units[unit]}`;
}
