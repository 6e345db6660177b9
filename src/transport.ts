/**
 * The transport: the one place that decides a message's fate, for every engine: partitions
 * (docs/semantics.md "Faults: partitions"), then loss and latency (SPEC.md "Randomness").
 *
 * A fate is a pure function of (seed, sender, receiver, send tick, k), k being the message's index
 * among those its sender sends in that tick (lost ones included): no state, so every engine and
 * thread count gets the same fates. `deliveryTick` is called once per message sent and allocates
 * nothing; a run without partitions pays one comparison for them.
 */
import { groupsOf, type Partition } from './faults.js';
import { rand, STREAM_LATENCY, STREAM_LOSS } from './hash.js';
import type { SimulationOptions } from './options.js';

/** `deliveryTick` of a lost message. */
export const LOST = -1;
/** `deliveryTick` of a message cut by a partition (it is lost too). */
export const PARTITIONED = -2;

/** Messages are lost when their loss hash falls below this (SPEC: floor(P * 2^32)). */
export function lossThreshold(loss: number): number {
  return Math.floor(loss * 4294967296);
}

/** Loss and latency of a run. */
export class Transport {
  private readonly seed: number;
  private readonly lossThreshold: number;
  private readonly latMin: number;
  /** HI - LO + 1: 1 for a constant latency. */
  private readonly latSpan: number;

  /** The run's partitions, and the group of every host in each (built once per engine instance). */
  private readonly partitions: readonly Partition[];
  private readonly groups: readonly (Uint8Array | Uint16Array)[];

  constructor(options: Pick<SimulationOptions, 'seed' | 'loss' | 'latency' | 'partitions' | 'hosts'>) {
    this.seed = options.seed;
    this.lossThreshold = lossThreshold(options.loss);
    this.latMin = options.latency.min;
    this.latSpan = options.latency.max - options.latency.min + 1;
    this.partitions = options.partitions ?? [];
    this.groups = this.partitions.map((p, i) => groupsOf(p, i, options.hosts, options.seed));
  }

  /** Whether a partition active at tick t separates `from` and `to`. */
  cut(from: number, to: number, t: number): boolean {
    const partitions = this.partitions;
    for (let i = 0; i < partitions.length; i++) {
      const p = partitions[i]!;
      if (t < p.at || (p.heal !== null && t >= p.heal)) continue;
      const g = this.groups[i]!;
      if (g[from] !== g[to]) return true;
    }
    return false;
  }

  /** The tick at which message `k` sent by `from` to `to` at tick `t` arrives, or PARTITIONED or LOST. */
  deliveryTick(from: number, to: number, t: number, k: number): number {
    if (this.partitions.length !== 0 && this.cut(from, to, t)) return PARTITIONED;
    if (this.lossThreshold !== 0 && rand(this.seed, STREAM_LOSS, from, t, k) < this.lossThreshold) return LOST;
    return this.latSpan === 1 ? t + this.latMin : t + this.latMin + (rand(this.seed, STREAM_LATENCY, from, t, k) % this.latSpan);
  }
}
