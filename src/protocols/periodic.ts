/**
 * What the periodic protocols (push, pull, push-pull) share: the initial log, the periodic step
 * of `fanout` peer choices (SPEC.md "Peer choice"), and their memory bounds. Each protocol says
 * only what it sends to a chosen peer and what a host does on a message.
 */
import { latencyEnvelope } from '../faults.js';
import type { SimulationOptions } from '../options.js';
import { NO_PEER, PeerChooser } from './peers.js';
import type { Behaviour, HostApi } from './protocol.js';

/** A periodic protocol's behaviour: subclasses send to each chosen peer and handle messages. */
export abstract class PeriodicBehaviour implements Behaviour {
  private readonly peers: PeerChooser;
  private readonly fanout: number;

  constructor(protected readonly api: HostApi, options: SimulationOptions) {
    this.peers = new PeerChooser(api, options);
    this.fanout = options.fanout;
  }

  start(): void {}

  abstract receive(h: number, kind: number, from: number, payload: number): boolean;

  /** What host h sends to the peer of one of its choices. */
  protected abstract sendTo(h: number, peer: number): void;

  step(h: number): void {
    for (let j = 0; j < this.fanout; j++) {
      const peer = this.peers.choose(h, j);
      if (peer !== NO_PEER) this.sendTo(h, peer);
    }
  }

  learned(): void {}
}

/** The initial log of a periodic protocol: `[h]`, or `[h, 0]` with view `known` (every host is configured with the seed's address). Allocates. */
export function periodicInitialLog(h: number, options: SimulationOptions): number[] {
  return options.view === 'known' && h !== 0 ? [h, 0] : [h];
}

/** Messages in flight at most for a periodic protocol that sends `perChoice` per peer choice (replies included). */
export function periodicPendingBound(options: SimulationOptions, perChoice: number): number {
  return options.hosts * options.fanout * perChoice * Math.min(latencyEnvelope(options).max, options.maxTicks + 1);
}

/**
 * Periodic messages that can reach one host set in one tick, at most: every host's `fanout`
 * choices of each of the HI - LO + 1 send ticks whose messages can arrive together.
 */
export function arrivingAtOnce(options: SimulationOptions): number {
  const latency = latencyEnvelope(options);
  return options.hosts * options.fanout * (latency.max - latency.min + 1);
}
