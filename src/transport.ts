/**
 * The transport: the one place that decides a message's fate, for every engine. Today that is
 * loss and latency (SPEC.md "Randomness"); partitions and per-region links belong here too.
 *
 * A fate is a pure function of (seed, sender, send tick, k), k being the message's index among
 * those its sender sends in that tick (lost ones included): no state, so every engine and thread
 * count gets the same fates. `deliveryTick` is called once per message sent and allocates nothing.
 */
import { rand, STREAM_LATENCY, STREAM_LOSS } from './hash.js';
import type { SimulationOptions } from './options.js';

/** `deliveryTick` of a lost message. */
export const LOST = -1;

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

  constructor(options: Pick<SimulationOptions, 'seed' | 'loss' | 'latency'>) {
    this.seed = options.seed;
    this.lossThreshold = lossThreshold(options.loss);
    this.latMin = options.latency.min;
    this.latSpan = options.latency.max - options.latency.min + 1;
  }

  /** The tick at which message `k` sent by `from` at tick `t` arrives, or LOST. */
  deliveryTick(from: number, t: number, k: number): number {
    if (this.lossThreshold !== 0 && rand(this.seed, STREAM_LOSS, from, t, k) < this.lossThreshold) return LOST;
    return this.latSpan === 1 ? t + this.latMin : t + this.latMin + (rand(this.seed, STREAM_LATENCY, from, t, k) % this.latSpan);
  }
}
