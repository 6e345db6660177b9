/**
 * The transport: the one place that decides a message's fate, for every engine: partitions
 * (docs/semantics.md "Faults: partitions"), then loss and latency (SPEC.md "Randomness").
 *
 * A fate is a pure function of (seed, sender, receiver, send tick, k), k being the message's index
 * among those its sender sends in that tick (lost ones included): no state, so every engine and
 * thread count gets the same fates. `deliveryTick` is called once per message sent and allocates
 * nothing; a run without partitions pays one comparison for them.
 */
import { groupsOf, reachablePartitions, regionsOf, type Partition } from './faults.js';
import { rand, STREAM_LATENCY, STREAM_LOSS, threshold32 } from './hash.js';
import type { SimulationOptions } from './options.js';

/** `deliveryTick` of a lost message. */
export const LOST = -1;
/** `deliveryTick` of a message cut by a partition (it is lost too). */
export const PARTITIONED = -2;

/** Messages are lost when their loss hash falls below this (SPEC: floor(P * 2^32)). */
export function lossThreshold(loss: number): number {
  return threshold32(loss);
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

  /**
   * Regions: each host's region, and per ordered pair of regions (index a * R + b) the loss
   * threshold, lowest latency and latency span of its link (the run's own where it has none).
   */
  private readonly region: Uint8Array | Uint16Array | undefined;
  private readonly regionCount: number;
  private readonly linkLoss: Float64Array;
  private readonly linkMin: Int32Array;
  private readonly linkSpan: Int32Array;

  constructor(options: Pick<SimulationOptions, 'seed' | 'loss' | 'latency' | 'partitions' | 'regions' | 'hosts' | 'maxTicks'>) {
    this.seed = options.seed;
    this.lossThreshold = lossThreshold(options.loss);
    this.latMin = options.latency.min;
    this.latSpan = options.latency.max - options.latency.min + 1;
    // A partition that starts after the last tick cuts nothing: no map for it.
    const reachable = reachablePartitions(options);
    this.partitions = reachable.map(({ partition }) => partition);
    this.groups = reachable.map(({ partition, index }) => groupsOf(partition, index, options.hosts, options.seed));
    const regions = options.regions;
    this.region = regions === undefined ? undefined : regionsOf(regions, options.hosts, options.seed);
    const r = regions === undefined ? 0 : regions.groups.length + 1;
    this.regionCount = r;
    this.linkLoss = new Float64Array(r * r).fill(this.lossThreshold);
    this.linkMin = new Int32Array(r * r).fill(this.latMin);
    this.linkSpan = new Int32Array(r * r).fill(this.latSpan);
    for (const link of regions?.links ?? []) {
      const [a, b] = link.between;
      for (const i of [a * r + b, b * r + a]) {
        this.linkLoss[i] = lossThreshold(link.loss);
        this.linkMin[i] = link.latency.min;
        this.linkSpan[i] = link.latency.max - link.latency.min + 1;
      }
    }
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
    if (this.region !== undefined) return this.linkDeliveryTick(this.region[from]! * this.regionCount + this.region[to]!, from, t, k);
    if (this.lossThreshold !== 0 && rand(this.seed, STREAM_LOSS, from, t, k) < this.lossThreshold) return LOST;
    return this.latSpan === 1 ? t + this.latMin : t + this.latMin + (rand(this.seed, STREAM_LATENCY, from, t, k) % this.latSpan);
  }

  /** deliveryTick's loss and latency on the link `pair` (a * R + b) between the two ends' regions. */
  private linkDeliveryTick(pair: number, from: number, t: number, k: number): number {
    const loss = this.linkLoss[pair]!;
    if (loss !== 0 && rand(this.seed, STREAM_LOSS, from, t, k) < loss) return LOST;
    const span = this.linkSpan[pair]!;
    return span === 1 ? t + this.linkMin[pair]! : t + this.linkMin[pair]! + (rand(this.seed, STREAM_LATENCY, from, t, k) % span);
  }
}
