/**
 * The protocol rules of SPEC.md, in one place for every engine. Engines differ in how they store
 * and move state; what a host sends, when, and with which snapshot is decided here.
 */
import { rand, STREAM_PEER } from './hash.js';
import type { Protocol, SimulationOptions, View } from './options.js';

/** Message kinds, as small integers so they pack into typed arrays. */
export const KIND_SET = 0;
export const KIND_PUSH = 1;
export const KIND_PULL = 2;
export const KIND_REPLY = 3;
export type MessageKind = typeof KIND_SET | typeof KIND_PUSH | typeof KIND_PULL | typeof KIND_REPLY;
/** Marks "no message" in the tables below. */
export const NO_KIND = -1;

export const KIND_NAMES = ['set', 'push', 'pull', 'reply'] as const;

/** What a protocol does, as data the engines' loops read. */
export interface ProtocolRules {
  readonly protocol: Protocol;
  /** announce: a complete host stops; later deliveries to it are ignored. */
  readonly stopsWhenComplete: boolean;
  /** announce: every id appended by a merge is sent a `set` with the receiver's whole log. */
  readonly sendOnAppend: boolean;
  /** Kind sent at each peer choice of the periodic step, or NO_KIND (announce). */
  readonly periodicKind: MessageKind | typeof NO_KIND;
  /** Indexed by the kind handled: the kind replied to the sender (whole log after the merge), or NO_KIND. */
  readonly replyKind: readonly (MessageKind | typeof NO_KIND)[];
  /** Only announce ends as "stalled" when nothing is in flight. */
  readonly canStall: boolean;
}

const RULES: Record<Protocol, ProtocolRules> = {
  announce: {
    protocol: 'announce',
    stopsWhenComplete: true,
    sendOnAppend: true,
    periodicKind: NO_KIND,
    replyKind: [NO_KIND, NO_KIND, NO_KIND, NO_KIND],
    canStall: true,
  },
  push: {
    protocol: 'push',
    stopsWhenComplete: false,
    sendOnAppend: false,
    periodicKind: KIND_PUSH,
    replyKind: [NO_KIND, NO_KIND, NO_KIND, NO_KIND],
    canStall: false,
  },
  pull: {
    protocol: 'pull',
    stopsWhenComplete: false,
    sendOnAppend: false,
    periodicKind: KIND_PULL,
    replyKind: [NO_KIND, NO_KIND, KIND_REPLY, NO_KIND],
    canStall: false,
  },
  'push-pull': {
    protocol: 'push-pull',
    stopsWhenComplete: false,
    sendOnAppend: false,
    periodicKind: KIND_PUSH,
    replyKind: [NO_KIND, KIND_REPLY, NO_KIND, NO_KIND],
    canStall: false,
  },
};

/** The rules of `protocol`. */
export function rulesOf(protocol: Protocol): ProtocolRules {
  return RULES[protocol];
}

/**
 * The discovery log a host starts with: `[h]`, or `[h, 0]` for periodic protocols with the `known`
 * view (every host is configured with the seed's address). Allocates.
 */
export function initialLog(protocol: Protocol, view: View, h: number): number[] {
  return protocol !== 'announce' && view === 'known' && h !== 0 ? [h, 0] : [h];
}

/** Snapshot length of a periodic message: a `pull` carries only its sender, a `push` the whole log. */
export function periodicSnapshotLength(kind: MessageKind, logLength: number): number {
  return kind === KIND_PULL ? 1 : logLength;
}

/** The raw hash of peer choice `j` of host `h` at tick `t`. */
export function peerHash(seed: number, h: number, t: number, j: number): number {
  return rand(seed, STREAM_PEER, h, t, j);
}

/** View `full`: the peer of host `h` for hash `r` among all `n` hosts but `h`. Needs n >= 2. */
export function fullViewPeer(r: number, h: number, n: number): number {
  const c = r % (n - 1);
  return c < h ? c : c + 1;
}

/** Options as the engines need them, with the derived constants computed once. */
export interface RunPlan {
  readonly options: SimulationOptions;
  readonly rules: ProtocolRules;
}

/** Derives the run plan of validated options. */
export function planOf(options: SimulationOptions): RunPlan {
  return { options, rules: rulesOf(options.protocol) };
}
