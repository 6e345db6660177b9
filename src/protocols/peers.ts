/**
 * Peer choice of the periodic protocols (SPEC.md "Peer choice"): choice j of host h at tick t is
 * drawn from rand(seed, PEER, h, t, j), among all other hosts (view `full`) or among the hosts h
 * knows (view `known`, ascending id order, h excluded).
 */
import { rand, STREAM_PEER } from '../hash.js';
import type { SimulationOptions } from '../options.js';
import type { HostApi } from './protocol.js';

/** No peer to choose (a host alone, or one that knows nobody else): the choice sends nothing. */
export const NO_PEER = -1;

/** View `full`: the peer of host `h` for hash `r` among all `n` hosts but `h`. Needs n >= 2. */
export function fullViewPeer(r: number, h: number, n: number): number {
  const c = r % (n - 1);
  return c < h ? c : c + 1;
}

/**
 * fullViewPeer for a fixed N, in int32 arithmetic: `r % (N - 1)` of an unsigned 32-bit `r` is
 * computed as ((r & 0x7fffffff) % m + 2^31 % m) % m when its top bit is set, which V8 keeps in
 * integer registers (the double remainder of a value >= 2^31 costs several times more).
 */
export class FullView {
  private readonly m: number;
  private readonly high: number;

  constructor(n: number) {
    this.m = Math.max(1, n - 1);
    this.high = 2147483648 % this.m;
  }

  /** The peer of host h for hash r (needs N >= 2): fullViewPeer(r, h, N). */
  peer(r: number, h: number): number {
    const x = r | 0;
    const m = this.m;
    let c = (x & 0x7fffffff) % m;
    if (x < 0) {
      c += this.high;
      if (c >= m) c -= m;
    }
    return c < h ? c : c + 1;
  }
}

/** Peer choice `j` of host `h` at the api's tick, or NO_PEER. Allocates nothing. */
export class PeerChooser {
  private readonly seed: number;
  private readonly n: number;
  private readonly full: boolean;

  constructor(private readonly api: HostApi, options: SimulationOptions) {
    this.seed = options.seed;
    this.n = options.hosts;
    this.full = options.view === 'full';
  }

  choose(h: number, j: number): number {
    const n = this.n;
    const r = rand(this.seed, STREAM_PEER, h, this.api.tick, j);
    if (this.full) return n < 2 ? NO_PEER : fullViewPeer(r, h, n);
    const count = this.api.knownCount(h) - 1;
    if (count === 0) return NO_PEER;
    const index = r % count;
    // A host that knows everyone: the index-th of all hosts but h, no rank search needed.
    if (count === n - 1) return index < h ? index : index + 1;
    return this.api.selectKnown(h, index);
  }
}
