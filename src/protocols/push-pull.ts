/**
 * push-pull (SPEC.md): every tick each host pushes its whole log to `fanout` peers; a host that
 * receives a push merges it and replies with its whole log, which the pusher merges.
 */
import { arrivingAtOnce, periodicInitialLog, periodicPendingBound, PeriodicBehaviour } from './periodic.js';
import { convergedOrMaxTicks, type ProtocolModule } from './protocol.js';

export const PUSH = 0;
export const REPLY = 1;

class PushPull extends PeriodicBehaviour {
  receive(h: number, kind: number, from: number, payload: number): boolean {
    this.api.merge(h, from, payload);
    if (kind === PUSH) this.api.sendKnown(h, from, REPLY);
    return true;
  }

  protected sendTo(h: number, peer: number): void {
    this.api.sendKnown(h, peer, PUSH);
  }
}

export const pushPull: ProtocolModule = {
  name: 'push-pull',
  kinds: ['push', 'reply'],
  state: 'sets',
  cells: [],
  tallies: [],
  traits: { periodic: true, learns: false, selfSnapshots: false, midTickSnapshots: true, logOrder: false, startIsState: false },
  initialLog: periodicInitialLog,
  create: (api, options) => new PushPull(api, options),
  endOf: convergedOrMaxTicks,
  peakPendingMessages: (options) => periodicPendingBound(options, 2),
  wholeSendsPerTick: (options, hosts) => hosts * options.fanout + arrivingAtOnce(options),
};
