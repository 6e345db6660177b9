/**
 * What a protocol is, and what an engine offers it. A protocol module (announce.ts, push.ts, ...)
 * is the only place that holds a protocol's rules: its message kinds, the initial state of a host,
 * what a host does on its start, on a message and on its periodic step, what it counts and when a
 * run ends. Engines own storage and movement; they call the module's behaviour at fixed points of
 * the tick (SPEC.md "Tick") and never test a protocol's name. The model is PeerSim's split of
 * `EDProtocol` (on a message) and `CDProtocol` (once a cycle), and dslab-mp's `Process`.
 *
 * Hot loops stay allocation-free: a behaviour is created once per run and per engine instance,
 * so its call sites see one class; messages reach it as scalars (kind, sender, payload).
 */
import type { Protocol, SimulationOptions } from '../options.js';
import type { EndReason } from '../result.js';

/**
 * The host-level operations of SPEC.md, on one engine's storage. `payload` is the engine's opaque
 * name for a message's snapshot (a log prefix length, a snapshot slot): protocols pass it on.
 */
export interface HostApi {
  /** The tick being simulated. */
  readonly tick: number;
  /** Sends `from -> to` a message of `kind` whose snapshot is the sender's whole log now. */
  sendKnown(from: number, to: number, kind: number): void;
  /** Sends `from -> to` a message of `kind` whose snapshot is `[from]` (L(from)[0 .. 1)). */
  sendSelf(from: number, to: number, kind: number): void;
  /** Host h merges the snapshot of a message from `from` (SPEC "merge"). */
  merge(h: number, from: number, payload: number): void;
  /** Whether h knows every host. */
  isComplete(h: number): boolean;
  /** |K(h)|, h itself included. */
  knownCount(h: number): number;
  /** The `index`-th id (ascending, from 0) of K(h) without h; needs index < |K(h)| - 1. */
  selectKnown(h: number, index: number): number;
  /**
   * K(h) gains the single id x (a cell protocol with known sets, `knownSets(options)`: it learns
   * its sets one id at a time; h is one of this engine instance's hosts).
   */
  learn(h: number, x: number): void;

  // ---- cell protocols (ProtocolModule.state === 'cells'): small per-host state, no sets ------

  /**
   * The protocol's per-host cells: N records of `module.cells.length` Int32 each, host h's record
   * at h * module.cells.length, shared by every shard of the run (one record per host keeps what
   * a contact reads about its partner on one cache line). A host's cells are written by whoever
   * the protocol's rules say (documented per protocol, with why the result cannot depend on
   * thread timing), and start at 0. Empty for set protocols.
   */
  readonly cells: Int32Array;
  /**
   * This engine instance's share of the protocol's tallies (`module.tallies`): counters the
   * protocol adds to, summed over every shard at the end of each tick (TickTotals.tallies).
   */
  readonly tallies: Float64Array;
  /** Sends `from -> to` a message of `kind` that carries no snapshot but `payload` (a small integer the receiver gets); false when it is lost. */
  send(from: number, to: number, kind: number, payload: number): boolean;
  /**
   * One message of `kind` from `from` to `to` that is sent, delivered and handled within this tick
   * (a synchronous contact, which never enters a queue): sent, delivered and processed all grow;
   * false when a partition cuts it (then it counts as sent, lost and partitioned, and nothing else).
   */
  contact(from: number, to: number, kind: number): boolean;
  /**
   * Host h, one of this engine instance's hosts (HostApi.hosts), takes a step at the next tick
   * (protocols whose module `wakes(options)`: only woken hosts step, instead of every host every
   * tick). Waking twice is waking once.
   */
  wake(h: number): void;
  /**
   * Whether host h is down at this tick (docs/semantics.md "Faults: crashes", "Faults: churn").
   * Engines never step a down host nor hand it a message; a protocol that makes hosts act outside
   * their steps (a hot list in endSteps()) asks here. Any host of the run when the module
   * `contacts(options)`; otherwise this engine instance's own hosts.
   */
  isDown(h: number): boolean;
  /**
   * The protocol did `units` of work (host steps' worth) outside the engine's own loops, e.g. a
   * batch of contacts in endSteps(): the parallel engine may end the run here if it was asked to
   * stop, abandoning the tick (the protocol's writes in it read as not yet done, as its cells'
   * stamps do), so that a stop is prompt inside a long tick too.
   */
  didWork(units: number): void;
  /** This engine instance's hosts, ascending (the parallel engine: the shard's). */
  readonly hosts: Int32Array;
  /** This engine instance's index, 0 .. options.threads - 1 (the parallel engine: the shard; the reference engine: 0 of 1). */
  readonly instance: number;
  /** The same hosts as ranges of ids: [a0, b0, a1, b1, ...], each [a, b) ascending. */
  readonly ranges: readonly number[];
  /**
   * The protocol's shared bitmaps (module `shared(options).bitmaps` of them): ceil(N / 32) Int32
   * words each, bit h of word h >>> 5 for host h, shared by every shard; 0 at the start.
   */
  readonly bitmaps: readonly Int32Array[];
  /**
   * The protocol's shared byte maps (module `shared(options).bytemaps`): a byte per host, N
   * rounded up to whole words (so `new Int32Array(map.buffer)` reads four hosts at once); 0 at
   * the start. Plain byte stores from several shards never disturb each other's bytes.
   */
  readonly bytemaps: readonly Uint8Array[];
  /**
   * The protocol's shared lists (module `shared(options).lists`): `count` Int32Arrays of `length`
   * each, shared by every shard, 0 at the start; what is in them is the protocol's (e.g. one list
   * per engine instance, written by that instance alone and read by all after a barrier).
   */
  readonly lists: readonly Int32Array[];
  /**
   * The words of every bitmap this engine instance maintains ([from, to)): the parallel engine
   * splits the words evenly over its shards, whatever hosts they own, so that upkeep that walks
   * whole words (merging, clearing) never races with another shard's.
   */
  readonly bitmapWords: { readonly from: number; readonly to: number };
}

/** A protocol's rules bound to one engine for one run. Every method is called on the hot path. */
export interface Behaviour {
  /** Host h's action at the start (tick 0), before any delivery; engines call it in host order. */
  start(h: number): void;
  /** Host h handles a message of `kind` from `from`; false if it ignores it (counted `ignored`). */
  receive(h: number, kind: number, from: number, payload: number): boolean;
  /** Host h's periodic step, after its deliveries of the tick. */
  step(h: number): void;
  /**
   * A message of `kind` from `from` reached host h while h was down: it is dropped, not handled
   * (called only where the protocol counts something per message in flight, e.g. rumor's
   * messages carrying the update; absent: nothing to do).
   */
  dropped?(h: number, kind: number, from: number, payload: number): void;
  /**
   * Host h has lost its state (docs/semantics.md "Crashes that lose state"), at the start of a tick
   * at which it is down: the engine has reset its known set; the protocol resets what it keeps of
   * its own (cells, tallies). Absent: the protocol keeps nothing but the known sets.
   */
  wiped?(h: number): void;
  /**
   * Cell protocols: adds host h's share of the protocol's tallies (the counts h is in, such as
   * complete or hot) to `into`, for a host that is down at the end of the tick, so that engines
   * can tell the live hosts' tallies from all of them (TickTotals.downTallies, and the live
   * hosts' complete count and coverage).
   */
  downShare?(h: number, into: Float64Array): void;
  /** Host h has just appended x to its log (called only when `traits.learns`). */
  learned(h: number, x: number): void;
  /**
   * The end of the tick for this engine instance's hosts (HostApi.hosts), once every host of the
   * run has taken its step (called only when the module's `settles(options)` says so; the
   * parallel engine meets at a barrier first, and nothing else runs until every shard has
   * settled): PeerSim's Control at the end of a cycle, for rules that depend on every contact of
   * the tick.
   */
  settle?(): void;
  /**
   * After this engine instance's last step of the tick (the parallel engine: the shard's), before
   * anything else of the tick: a protocol that buffers steps to batch their memory accesses
   * finishes them here.
   */
  endSteps?(): void;
}

/** What a protocol asks of a store, so engines can pick the cheapest store that serves it. */
export interface Traits {
  /** Hosts take a periodic step every tick. */
  readonly periodic: boolean;
  /** `learned` is called on every append (the store must keep log order). */
  readonly learns: boolean;
  /** Some messages carry only their sender (`sendSelf`). */
  readonly selfSnapshots: boolean;
  /** Some messages are sent while their sender is still merging in that tick (replies). */
  readonly midTickSnapshots: boolean;
  /** A snapshot is a log prefix, so log order changes what a receiver learns. */
  readonly logOrder: boolean;
  /**
   * `start` only sets a host's initial state and sends nothing, so engines call it at tick 0 for
   * every host, down ones included (docs/semantics.md "Faults under `rumor`"); false: a host
   * starts at its first tick up ("Faults: crashes").
   */
  readonly startIsState: boolean;
}

/** The run's totals at the end of a tick, as every engine computes them. */
export interface TickTotals {
  readonly tick: number;
  /** Hosts the decision is over: the live ones (all N without down hosts; N when none is live). */
  readonly hosts: number;
  /** Hosts of the run, N. */
  readonly allHosts: number;
  readonly complete: number;
  readonly inFlight: number;
  readonly maxTicks: number;
  /** Messages sent in this tick (synchronous contacts included), summed over shards. */
  readonly sentInTick: number;
  /** The protocol's tallies, summed over shards (empty for set protocols). */
  readonly tallies: ArrayLike<number>;
  /** The down hosts' share of `tallies` (Behaviour.downShare; zeros without down hosts). */
  readonly downTallies: ArrayLike<number>;
  /**
   * Whether a host down now may still be up again in a later tick of the run: a crash recovers,
   * or churn with join > 0 acts, at a tick in tick + 1 .. maxTicks (DownHosts.mayReturnAfter).
   */
  readonly downMayReturn: boolean;
}

/**
 * What a cell protocol's results are computed from when a run ends: its cells (read only) and its
 * summed tallies as of the end of `lastTick`. A run stopped in the middle of tick lastTick + 1 may
 * have written cells in it: the protocol treats stamps after lastTick as not yet written.
 */
export interface CellsView {
  readonly hosts: number;
  readonly lastTick: number;
  /** The records of HostApi.cells. */
  readonly cells: Int32Array;
  readonly tallies: ArrayLike<number>;
  readonly options: SimulationOptions;
}

/** A cell protocol's results: per-host completion ticks (-1: never) and its own named metrics. */
export interface CellResults {
  /** Hosts complete as of lastTick (the engines' `complete`, series and convergence use the tally TALLY_COMPLETE). */
  readonly completion: Int32Array;
  /** Metrics of the protocol's own, top-level keys of `run --json` (e.g. rumor's residue). */
  readonly metrics: Readonly<Record<string, number | null>>;
}

/**
 * Tally 0 of every cell protocol: hosts complete (the protocol adds 1 when a host becomes complete).
 * Engines read `complete`, the series and `coverage` (complete / N) of a cell protocol from it.
 */
export const TALLY_COMPLETE = 0;
/** Tallies a protocol may keep, at most (engines reserve this many slots). */
export const MAX_TALLIES = 8;
/** Cells a protocol may keep per host, at most. */
export const MAX_CELLS = 8;

/** What a protocol asks engines to share between its instances (ProtocolModule.shared). */
export interface SharedNeeds {
  readonly bitmaps: number;
  readonly bytemaps: number;
  /** Int32 lists: how many, and the length of each (absent: none). */
  readonly lists?: { readonly count: number; readonly length: number };
}

/** The shared memory a protocol asks for, none when it asks for none. */
export function sharedNeeds(module: ProtocolModule, options: SimulationOptions): SharedNeeds {
  return module.shared?.(options) ?? { bitmaps: 0, bytemaps: 0 };
}

/** Bytes of the shared bitmaps, byte maps and lists of a run of `options`. */
export function sharedBytes(module: ProtocolModule, options: SimulationOptions): number {
  const need = sharedNeeds(module, options);
  const n = options.hosts;
  return need.bitmaps * Math.ceil(n / 32) * 4 + need.bytemaps * Math.ceil(n / 4) * 4 + (need.lists === undefined ? 0 : need.lists.count * need.lists.length * 4);
}

/** One protocol: its rules, and the bounds engines plan memory with. */
export interface ProtocolModule {
  readonly name: Protocol;
  /** Names of its message kinds, indexed by kind (at most 4: kinds pack into 2 bits). */
  readonly kinds: readonly string[];
  readonly traits: Traits;
  /**
   * The state it keeps: known-host sets in a store (`sets`: announce, push, pull, push-pull), or
   * only small per-host cells (`cells`: rumor), which lets runs reach millions of hosts.
   */
  readonly state: 'sets' | 'cells';
  /** Names of the Int32 cells of a host's record, in record order (cell protocols; at most MAX_CELLS). */
  readonly cells: readonly string[];
  /** Names of its tallies (cell protocols; index TALLY_COMPLETE first; at most MAX_TALLIES). */
  readonly tallies: readonly string[];
  /**
   * Whether only woken hosts take a step (HostApi.wake; tick 0: none, so `start` wakes the first
   * ones), in ascending id order after their deliveries; absent or false: every host, every tick,
   * when `traits.periodic`. A protocol where few hosts act at a time steps only those.
   */
  wakes?(options: SimulationOptions): boolean;
  /**
   * A cell protocol that also keeps known-host sets (rumor under view `known`): the engine gives
   * it a set store (initialLog, knownCount, selectKnown, learn) beside its cells, and still reads
   * completion and coverage from its tallies. Absent or false: cells only.
   */
  knownSets?(options: SimulationOptions): boolean;
  /** Shared bitmaps, byte maps and lists the protocol keeps (HostApi.bitmaps, bytemaps, lists); absent: none. */
  shared?(options: SimulationOptions): SharedNeeds;
  /**
   * Whether hosts contact others synchronously (HostApi.contact), judging a partner's state in the
   * tick: every engine instance then tracks every host's down state, not only its own.
   */
  contacts?(options: SimulationOptions): boolean;
  /** Whether hosts settle at the end of each tick (Behaviour.settle); absent: never. */
  settles?(options: SimulationOptions): boolean;
  /** A cell protocol's results at the end of a run (set protocols: never called). */
  results?(view: CellsView): CellResults;
  /** The ids host h knows at the start, in log order (allocates; called once per host). */
  initialLog(h: number, options: SimulationOptions): number[];
  /** Binds the rules to an engine. */
  create(api: HostApi, options: SimulationOptions): Behaviour;
  /** Why the run ends after this tick, or undefined to go on (stops and timeouts are the engines'). */
  endOf(totals: TickTotals): EndReason | undefined;
  /** Messages that can wait for delivery at once, at most (a generous bound for memory plans). */
  peakPendingMessages(options: SimulationOptions): number;
  /**
   * Whole-log messages (`sendKnown`) that `hosts` hosts can send in one tick, at most: their
   * periodic sends and a reply to every message that can reach them at once.
   */
  wholeSendsPerTick(options: SimulationOptions, hosts: number): number;
}

/** The end rule every protocol here shares: converged when all hosts are complete, else max-ticks. */
export function convergedOrMaxTicks(totals: TickTotals): EndReason | undefined {
  if (totals.complete === totals.hosts) return 'converged';
  if (totals.tick >= totals.maxTicks) return 'max-ticks';
  return undefined;
}
