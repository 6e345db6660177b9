/**
 * pull (SPEC.md): every tick each host sends `fanout` peers a pull, which carries only its sender;
 * a host that receives a pull merges it (learning the sender) and replies with its whole log.
 */
import { arrivingAtOnce, periodicInitialLog, periodicPendingBound, PeriodicBehaviour } from './periodic.js';
import { convergedOrMaxTicks, type ProtocolModule } from './protocol.js';

export const PULL = 0;
export const REPLY = 1;

class Pull extends PeriodicBehaviour {
  receive(h: number, kind: number, from: number, payload: number): boolean {
    this.api.merge(h, from, payload);
    if (kind === PULL) this.api.sendKnown(h, from, REPLY);
    return true;
  }

  protected sendTo(h: number, peer: number): void {
    this.api.sendSelf(h, peer, PULL);
  }
}

export const pull: ProtocolModule = {
  name: 'pull',
  kinds: ['pull', 'reply'],
  state: 'sets',
  cells: [],
  tallies: [],
  traits: { periodic: true, learns: false, selfSnapshots: true, midTickSnapshots: true, logOrder: false, startIsState: false },
  initialLog: periodicInitialLog,
  create: (api, options) => new Pull(api, options),
  endOf: convergedOrMaxTicks,
  peakPendingMessages: (options) => periodicPendingBound(options, 2),
  wholeSendsPerTick: (options) => arrivingAtOnce(options),
};
