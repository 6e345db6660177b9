/**
 * What every engine's memory check shares: the budget a run must fit, the bound on messages in
 * flight, the process's own footprint, and the search for the largest host count that fits.
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import type { SimulationOptions } from '../options.js';

/** The main thread: Node, the CLI and the engine's own buffers (measured: about 55 MiB). */
export const BYTES_MAIN_THREAD = 55 * 1024 * 1024;

/** Messages that can wait for delivery at once, at most (a generous bound for the estimate). */
export function peakPendingMessages(options: SimulationOptions): number {
  const n = options.hosts;
  if (options.protocol === 'announce') return (n * n) / 2 + n;
  const perTick = n * options.fanout * (options.protocol === 'push' ? 1 : 2);
  return perTick * Math.min(options.latency.max, options.maxTicks + 1);
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

/** The largest host count from 1 to `hosts` for which `fits` holds (1 if none; `fits` is monotone). */
export function largestHostsThatFit(hosts: number, fits: (hosts: number) => boolean): number {
  let lo = 1;
  let hi = hosts;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
