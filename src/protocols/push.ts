/**
 * push (SPEC.md): every tick each host sends its whole log to `fanout` peers; a receiver merges it.
 * No replies, and a push always carries the whole log, so log order never changes a metric.
 */
import type { SimulationOptions } from '../options.js';
import { NO_PEER, PeerChooser, periodicInitialLog, periodicPendingBound } from './peers.js';
import { convergedOrMaxTicks, type Behaviour, type HostApi, type ProtocolModule } from './protocol.js';

export const PUSH = 0;

class Push implements Behaviour {
  private readonly peers: PeerChooser;
  private readonly fanout: number;

  constructor(private readonly api: HostApi, options: SimulationOptions) {
    this.peers = new PeerChooser(api, options);
    this.fanout = options.fanout;
  }

  start(): void {}

  receive(h: number, _kind: number, from: number, payload: number): boolean {
    this.api.merge(h, from, payload);
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

export const push: ProtocolModule = {
  name: 'push',
  kinds: ['push'],
  traits: { periodic: true, learns: false, selfSnapshots: false, midTickSnapshots: false, logOrder: false },
  initialLog: periodicInitialLog,
  create: (api, options) => new Push(api, options),
  endOf: convergedOrMaxTicks,
  peakPendingMessages: (options) => periodicPendingBound(options, 1),
  wholeSendsPerTick: (options, hosts) => hosts * options.fanout,
};
