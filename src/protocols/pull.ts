/**
 * pull (SPEC.md): every tick each host sends `fanout` peers a pull, which carries only its sender;
 * a host that receives a pull merges it (learning the sender) and replies with its whole log.
 */
import type { SimulationOptions } from '../options.js';
import { arrivingAtOnce, NO_PEER, PeerChooser, periodicInitialLog, periodicPendingBound } from './peers.js';
import { convergedOrMaxTicks, type Behaviour, type HostApi, type ProtocolModule } from './protocol.js';

export const PULL = 0;
export const REPLY = 1;

class Pull implements Behaviour {
  private readonly peers: PeerChooser;
  private readonly fanout: number;

  constructor(private readonly api: HostApi, options: SimulationOptions) {
    this.peers = new PeerChooser(api, options);
    this.fanout = options.fanout;
  }

  start(): void {}

  receive(h: number, kind: number, from: number, payload: number): boolean {
    this.api.merge(h, from, payload);
    if (kind === PULL) this.api.sendKnown(h, from, REPLY);
    return true;
  }

  step(h: number): void {
    for (let j = 0; j < this.fanout; j++) {
      const peer = this.peers.choose(h, j);
      if (peer !== NO_PEER) this.api.sendSelf(h, peer, PULL);
    }
  }

  learned(): void {}
}

export const pull: ProtocolModule = {
  name: 'pull',
  kinds: ['pull', 'reply'],
  traits: { periodic: true, learns: false, selfSnapshots: true, midTickSnapshots: true, logOrder: false },
  initialLog: periodicInitialLog,
  create: (api, options) => new Pull(api, options),
  endOf: convergedOrMaxTicks,
  peakPendingMessages: (options) => periodicPendingBound(options, 2),
  wholeSendsPerTick: (options) => arrivingAtOnce(options),
};
