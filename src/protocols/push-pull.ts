/**
 * push-pull (SPEC.md): every tick each host pushes its whole log to `fanout` peers; a host that
 * receives a push merges it and replies with its whole log, which the pusher merges.
 */
import type { SimulationOptions } from '../options.js';
import { arrivingAtOnce, NO_PEER, PeerChooser, periodicInitialLog, periodicPendingBound } from './peers.js';
import { convergedOrMaxTicks, type Behaviour, type HostApi, type ProtocolModule } from './protocol.js';

export const PUSH = 0;
export const REPLY = 1;

class PushPull implements Behaviour {
  private readonly peers: PeerChooser;
  private readonly fanout: number;

  constructor(private readonly api: HostApi, options: SimulationOptions) {
    this.peers = new PeerChooser(api, options);
    this.fanout = options.fanout;
  }

  start(): void {}

  receive(h: number, kind: number, from: number, payload: number): boolean {
    this.api.merge(h, from, payload);
    if (kind === PUSH) this.api.sendKnown(h, from, REPLY);
    return true;
  }

  step(h: number): void {
    for (let j = 0; j < this.fanout; j++) {
      const peer = this.peers.choose(h, j);
      if (peer !== NO_PEER) this.api.sendKnown(h, peer, PUSH);
    }
  }

  learned(): void {}
}

export const pushPull: ProtocolModule = {
  name: 'push-pull',
  kinds: ['push', 'reply'],
  traits: { periodic: true, learns: false, selfSnapshots: false, midTickSnapshots: true, logOrder: false },
  initialLog: periodicInitialLog,
  create: (api, options) => new PushPull(api, options),
  endOf: convergedOrMaxTicks,
  peakPendingMessages: (options) => periodicPendingBound(options, 2),
  wholeSendsPerTick: (options, hosts) => hosts * options.fanout + arrivingAtOnce(options),
};
