/**
 * push (SPEC.md): every tick each host sends its whole log to `fanout` peers; a receiver merges it.
 * No replies, and a push always carries the whole log, so log order never changes a metric.
 */
import { periodicInitialLog, periodicPendingBound, PeriodicBehaviour } from './periodic.js';
import { convergedOrMaxTicks, type ProtocolModule } from './protocol.js';

export const PUSH = 0;

class Push extends PeriodicBehaviour {
  receive(h: number, _kind: number, from: number, payload: number): boolean {
    this.api.merge(h, from, payload);
    return true;
  }

  protected sendTo(h: number, peer: number): void {
    this.api.sendKnown(h, peer, PUSH);
  }
}

export const push: ProtocolModule = {
  name: 'push',
  kinds: ['push'],
  state: 'sets',
  cells: [],
  tallies: [],
  traits: { periodic: true, learns: false, selfSnapshots: false, midTickSnapshots: false, logOrder: false, startIsState: false },
  initialLog: periodicInitialLog,
  create: (api, options) => new Push(api, options),
  endOf: convergedOrMaxTicks,
  peakPendingMessages: (options) => periodicPendingBound(options, 1),
  wholeSendsPerTick: (options, hosts) => hosts * options.fanout,
};
