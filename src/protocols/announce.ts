/**
 * announce (SPEC.md): every host but the seed announces itself to the seed at tick 0; a host sends
 * every host it newly learns its whole log, at once. A complete host stops: messages that reach it
 * are ignored. The run ends converged, or stalled when nothing is in flight. No periodic step.
 */
import type { SimulationOptions } from '../options.js';
import type { EndReason } from '../result.js';
import type { Behaviour, HostApi, ProtocolModule, TickTotals } from './protocol.js';

/** The one message kind: a host's log prefix. */
export const SET = 0;

class Announce implements Behaviour {
  constructor(private readonly api: HostApi) {}

  start(h: number): void {
    if (h !== 0) this.api.sendSelf(h, 0, SET);
  }

  receive(h: number, _kind: number, from: number, payload: number): boolean {
    if (this.api.isComplete(h)) return false;
    this.api.merge(h, from, payload);
    return true;
  }

  step(): void {}

  learned(h: number, x: number): void {
    this.api.sendKnown(h, x, SET);
  }
}

export const announce: ProtocolModule = {
  name: 'announce',
  kinds: ['set'],
  state: 'sets',
  cells: [],
  tallies: [],
  traits: { periodic: false, learns: true, selfSnapshots: true, midTickSnapshots: true, logOrder: true, startIsState: false },
  initialLog: (h) => [h],
  create: (api) => new Announce(api),
  endOf(totals: TickTotals): EndReason | undefined {
    if (totals.complete === totals.hosts) return 'converged';
    if (totals.inFlight === 0) return 'stalled';
    if (totals.tick >= totals.maxTicks) return 'max-ticks';
    return undefined;
  },
  // Each host sends at most one message per host it learns: N^2 in all, about half at once.
  peakPendingMessages: (options: SimulationOptions) => (options.hosts * options.hosts) / 2 + options.hosts,
  wholeSendsPerTick: (options, hosts) => hosts * options.hosts,
};
