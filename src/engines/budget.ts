/**
 * What every engine's memory check shares: the budget a run must fit, the bound on messages in
 * flight, the process's own footprint, and the search for the largest host count that fits.
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { formatBytes } from '../errors.js';
import type { SimulationOptions } from '../options.js';
import { protocolModule } from '../protocols/index.js';

/** The main thread: Node, the CLI and the engine's own buffers (measured: about 55 MiB). */
export const BYTES_MAIN_THREAD = 55 * 1024 * 1024;

/** Messages that can wait for delivery at once, at most (a generous bound for the estimate). */
export function peakPendingMessages(options: SimulationOptions): number {
  return protocolModule(options.protocol).peakPendingMessages(options);
}

/** Memory available to this run: --max-memory, else MemAvailable of /proc/meminfo (or free memory). */
export function memoryBudget(options: SimulationOptions): number {
  if (options.maxMemory !== null) return options.maxMemory;
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m !== null) return Number(m[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return freemem();
}

/** The largest host count from 1 to `hosts` for which `fits` holds, 0 if none (`fits` is monotone). */
export function largestHostsThatFit(hosts: number, fits: (hosts: number) => boolean): number {
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = hosts;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where a refused run stands against the budget and against a limit no option can raise. */
export interface MemoryFit {
  /** Largest host count within the budget (0: none). */
  readonly underBudget: number;
  /** Largest host count within the fixed limit (0: none). */
  readonly underFixed: number;
  /** The fixed limit, named for the user, e.g. "the 4 GiB limit of one WebAssembly memory". */
  readonly fixedLimit: string;
  /** What else lifts the fixed limit, if anything (e.g. "node --max-old-space-size"). */
  readonly fixedRemedy?: string;
  /** Estimated bytes of the same run with 1 host: the least budget anything needs. */
  readonly oneHostBytes: number;
}

/**
 * The advice of a `MemoryLimitError`, true for the limit that binds: raising --max-memory is
 * offered only when the budget is what stops the largest host count, never for a fixed limit.
 */
export function memoryAdvice(fit: MemoryFit): string {
  const lo = Math.min(fit.underBudget, fit.underFixed);
  const fewer = lo > 0 ? `use at most ${lo} host${lo === 1 ? '' : 's'}` : '';
  if (fit.underFixed <= fit.underBudget) {
    const remedy = fit.fixedRemedy === undefined ? '' : `, or ${fit.fixedRemedy}`;
    return `${fewer === '' ? 'nothing fits' : fewer}: ${fit.fixedLimit} binds and --max-memory cannot raise it${remedy}`;
  }
  const raise = lo > 0 ? 'raise the budget with --max-memory' : `raise the budget with --max-memory to at least ${formatBytes(fit.oneHostBytes)}`;
  return fewer === '' ? raise : `${raise}, or ${fewer}`;
}
