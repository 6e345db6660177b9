// Independent, deliberately naive implementation of the `rumor` protocol as docs/semantics.md
// describes it ("### `rumor`" and its subsections, "Randomness: a counter-based hash", "Metrics",
// "Per-tick series and per-host completion ticks"), used only to cross-check the real engines.
// Written from the documentation alone: it shares no code with src/. Plain arrays, objects and
// loops; clarity over speed. Where the docs leave a point open, the most literal reading is taken
// and the comment says so ("DOCS:"). Both views: `full` (the default, no known sets) and `known`
// ("Peer choice", "View `known`" and rule 2 of "How a rumor run ends, and its metrics").
// Partitions follow "## Faults: partitions", in both contact models (the synchronous one by its
// own paragraph there). Regions follow "## Regions: latency and loss per pair of regions", in the
// messages model only ("with rumor they require --contact messages").
// Per-host load follows "### Per-host load" (under "## Metrics"), from the docs alone too, in
// both contact models (synchronous contacts count as sent by their maker and received by their
// partner unless a partition cut them); rumorOracleCountedLoad gives the same load.
// Crashes and churn follow "## Faults: crashes", "## Faults: churn" and "## Faults under `rumor`",
// in both contact models: which hosts are down at each tick is worked out afresh at every tick from
// the crash definitions and churn's draws (streams CRASH = 7 and CHURN = 8); a down host keeps its
// state, makes no contact, takes no step, and what reaches it is delivered and `dropped`. The run's
// end follows the fault timeline and the rumor rules of "How the run ends" in "Faults under
// `rumor`" (a down hot host counts as hot only while a down host may still come back).
// Crashes that lose state follow "### Crashes that lose state (`state: \"initial\"`)": at the tick
// `at` of a crash with `state: "initial"` (tick 0 excepted: it changes nothing), before anything
// else of the tick, each host it names gets its initial state back (recv none, counter 0,
// interested; view `known`: its known set as at tick 0), sources included; nothing else changes.

export type RumorMode = 'push' | 'pull' | 'push-pull';
export type RumorFeedback = 'feedback' | 'blind';
export type RumorStop = 'counter' | 'coin';
export type RumorContact = 'synchronous' | 'messages';
export type RumorView = 'full' | 'known';

/**
 * One partition of docs/semantics.md "Faults: partitions": a start tick `at`, an optional heal tick
 * (`heal > at`; absent or null: it never heals) and its groups, either all id lists
 * (`"0..499,700"`) or all fractions. Defined here on its own (the membership oracle has its own).
 */
export interface PartitionInput {
  at: number;
  heal?: number | null;
  groups: ({ hosts: string } | { fraction: number })[];
}

/**
 * Regions of docs/semantics.md "Regions: latency and loss per pair of regions": groups as for a
 * partition (all id lists or all fractions; the hosts of no group form region G = groups.length,
 * *the rest*), and links between pairs of regions, each applying in both directions. `latency` is
 * `D` (a number) or `"LO..HI"`; `latency` and `loss` absent: the run's. Defined here on its own
 * (the membership oracle has its own).
 */
export interface RegionsInput {
  groups: ({ hosts: string } | { fraction: number })[];
  links: { between: [number, number]; latency?: number | string; loss?: number }[];
}

/**
 * One crash of docs/semantics.md "Faults: crashes": a tick `at`, an optional recover tick
 * (`recover > at`; absent or null: the hosts never come back) and the hosts it takes down, exactly
 * one of `hosts` (ids and inclusive ranges below N, `"0..9,42"`) or `fraction` (`0 < f <= 1`, drawn
 * with stream CRASH = 7). Defined here on its own (the membership oracle has its own).
 */
export interface CrashInput {
  at: number;
  recover?: number | null;
  hosts?: string;
  fraction?: number;
  /**
   * "Crashes that lose state": `keep` (absent: the default) or `initial` (the hosts lose their
   * state at tick `at` and come back, if they do, with their initial state).
   */
  state?: 'keep' | 'initial';
}

/**
 * Churn of docs/semantics.md "Faults: churn": from tick `at` until tick `until` (absent or null: for
 * ever) an up host leaves with probability `leave` per tick and a host that left joins again with
 * probability `join` (default 0), stream CHURN = 8; the last `reserve` ids (default 0, below N) are
 * new hosts, away from tick 0 until they first join. Defined here on its own.
 */
export interface ChurnInput {
  at: number;
  until?: number | null;
  leave: number;
  join?: number;
  reserve?: number;
}

export interface RumorOracleInput {
  hosts: number;
  mode: RumorMode;
  feedback: RumorFeedback;
  stop: RumorStop;
  k: number;
  /** A count `n` (hosts `0 .. n-1`) or a list of distinct ids. */
  sources: number | number[];
  fanout: number;
  seed: number;
  maxTicks: number;
  contact: RumorContact;
  /** `messages` only; `synchronous` ignores these three. */
  latencyMin: number;
  latencyMax: number;
  loss: number;
  /** Peer choice: `full` (absent: the default for `rumor`) or `known` (hosts keep known sets). */
  view?: RumorView;
  /** Faults: partitions, in list order (index i from 0). Absent or empty: no partition. */
  partitions?: PartitionInput[];
  /** Regions (contact `messages` only; given with `synchronous`, an error). Absent: the run's. */
  regions?: RegionsInput;
  /** Faults: crashes, in list order (index i from 0). Absent or empty: no crash. */
  crashes?: CrashInput[];
  /** Faults: churn (at most one). Absent: no churn. */
  churn?: ChurnInput;
}

export interface RumorOracleMetrics {
  residue: number;
  traffic: number;
  tAve: number | null;
  tLast: number | null;
  reached: number;
  updates: number;
  requests: number;
  feedback: number;
}

/** `{ p50, p95, max }` of N per-host values (docs/semantics.md "Per-host load"). */
export interface RumorLoadQuantiles {
  p50: number;
  p95: number;
  max: number;
}

/** `load` of docs/semantics.md "Per-host load": keys in this order, each `{ p50, p95, max }`. */
export interface RumorOracleLoad {
  sent: RumorLoadQuantiles;
  received: RumorLoadQuantiles;
  bytes: RumorLoadQuantiles;
}


export interface RumorOracleResult {
  converged: boolean;
  ticks: number | null;
  sent: number;
  delivered: number;
  processed: number;
  ignored: number;
  lost: number;
  /** Messages (synchronous: contacts) cut by a partition, counted in `lost` too; 0 without. */
  partitioned: number;
  /** Messages (synchronous: contacts) delivered to a host down at their tick; 0 without faults. */
  dropped: number;
  /** Hosts up at lastTick (N without faults). */
  live: number;
  inFlight: number;
  entries: number;
  spreadTicks: number | null;
  coverage: number;
  endReason: 'converged' | 'stalled' | 'max-ticks';
  lastTick: number;
  hostCompletionTicks: (number | null)[];
  /** `live`: hosts up at each tick (docs/semantics.md "Faults: crashes"; N without crashes or churn). */
  series: { sent: number[]; delivered: number[]; complete: number[]; coverage: number[]; live: number[] };
  protocolMetrics: RumorOracleMetrics;
  /** Per-host load over ticks 0 .. lastTick (docs: null only for an interrupted run, which the oracle never has). */
  load: RumorOracleLoad | null;
}

/**
 * `{ p50, p95, max }`: pq is the value at rank ceil(q * N) (from 1) of the values in ascending order
 * (nearest rank), max the largest. Ranks in integer arithmetic, ceil(50N/100) and ceil(95N/100).
 */
function loadQuantilesOf(values: number[]): RumorLoadQuantiles {
  const sorted = values.slice().sort((a, b) => a - b);
  const n = sorted.length;
  const rank = (percent: number): number => Math.floor((percent * n + 99) / 100);
  return { p50: sorted[rank(50) - 1]!, p95: sorted[rank(95) - 1]!, max: sorted[n - 1]! };
}

const LATENCY = 1;
const PEER = 2;
const LOSS = 3;
const COIN = 4;
const PARTITION = 5;
const REGION = 6;
const CRASH = 7;
const CHURN = 8;

/** 2^32, for the probability thresholds floor(p * 2^32). */
const TWO32 = 4294967296;

/** mix32 of docs/semantics.md "Randomness", on unsigned 32-bit integers. */
function mix32(x0: number): number {
  let x = x0 >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** rand(seed, stream, a, b, c) of docs/semantics.md "Randomness". */
function rand(seed: number, stream: number, a: number, b: number, c: number): number {
  let x = mix32(seed);
  x = mix32((x ^ stream) >>> 0);
  x = mix32((x ^ a) >>> 0);
  x = mix32((x ^ b) >>> 0);
  x = mix32((x ^ c) >>> 0);
  return x;
}

/** A partition resolved for a run: its active ticks and the group of every host. */
interface Partition {
  at: number;
  /** null: never heals. */
  heal: number | null;
  /** group[h]: the group of host h, from 0; the number of groups stands for "the rest". */
  group: number[];
}

/**
 * The ids of an id group, `"0..499,700"`: comma-separated items, each a decimal id or an inclusive
 * range `LO..HI`, with whitespace allowed around each item.
 */
function hostIds(text: string, what = 'partition'): number[] {
  // DOCS: only the example "0..499,700" gives the syntax. Read literally: no whitespace inside an
  // item, LO <= HI in a range, and no empty item or empty list; anything else is an error.
  const ids: number[] = [];
  for (const piece of text.split(',')) {
    const item = piece.trim();
    const single = /^[0-9]+$/.test(item);
    const range = /^([0-9]+)\.\.([0-9]+)$/.exec(item);
    if (single) ids.push(parseInt(item, 10));
    else if (range !== null) {
      const lo = parseInt(range[1]!, 10);
      const hi = parseInt(range[2]!, 10);
      if (hi < lo) throw new Error(`${what} ids ${JSON.stringify(text)}: range ${item} runs backwards`);
      for (let x = lo; x <= hi; x++) ids.push(x);
    } else throw new Error(`${what} ids ${JSON.stringify(text)}: cannot read ${JSON.stringify(item)}`);
  }
  return ids;
}

/** Partition i's group of every host ("Faults: partitions"); [] without partitions. */
function partitionsOf(input: RumorOracleInput, N: number, seed: number): Partition[] {
  const result: Partition[] = [];
  const list = input.partitions ?? [];
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    // DOCS: `heal: null` is read as an absent heal (never heals); a heal that is not after `at` is
    // an error ("heal > at").
    const heal = p.heal ?? null;
    if (heal !== null && heal <= p.at) throw new Error(`partition ${i}: heal ${heal} <= at ${p.at}`);
    const G = p.groups.length;
    const rest = G;
    const group: number[] = [];
    for (let h = 0; h < N; h++) group.push(rest);
    let ids = 0;
    let fractions = 0;
    for (const g of p.groups) {
      if ('hosts' in g) ids++;
      else fractions++;
    }
    if (ids > 0 && fractions > 0) throw new Error(`partition ${i}: id and fraction groups mixed`);
    // DOCS: an empty list of groups is not ruled out; read literally every host is in the rest,
    // a single group, and the partition cuts nothing.
    if (ids > 0) {
      for (let g = 0; g < G; g++) {
        const grp = p.groups[g] as { hosts: string };
        for (const x of hostIds(grp.hosts)) {
          if (x >= N) throw new Error(`partition ${i}: host ${x} not below ${N}`);
          // DOCS: an id named twice in the same group is harmless; "must not overlap" is about
          // two different groups.
          if (group[x] !== rest && group[x] !== g) throw new Error(`partition ${i}: host ${x} in two groups`);
          group[x] = g;
        }
      }
    } else if (fractions > 0) {
      // Group g: floor(F(g) * 2^32) <= u(h) < floor(F(g + 1) * 2^32), F(g) = sum of fractions of
      // groups 0 .. g-1; u(h) >= floor(F(G) * 2^32): the rest.
      // DOCS: F(g) is the running sum in doubles, in group order, and the floor is of that sum
      // times 2^32.
      const bound: number[] = [0];
      let sum = 0;
      for (let g = 0; g < G; g++) {
        const f = (p.groups[g] as { fraction: number }).fraction;
        if (!(f > 0)) throw new Error(`partition ${i}: fraction ${f} not > 0`);
        sum += f;
        bound.push(Math.floor(sum * 4294967296));
      }
      // DOCS: "summing to at most 1" is checked with a 1e-9 allowance for the rounding of the sum.
      if (sum > 1 + 1e-9) throw new Error(`partition ${i}: fractions sum to ${sum}`);
      for (let h = 0; h < N; h++) {
        const u = rand(seed, PARTITION, h, i, 0);
        for (let g = 0; g < G; g++) {
          if (bound[g]! <= u && u < bound[g + 1]!) {
            group[h] = g;
            break;
          }
        }
      }
    }
    result.push({ at: p.at, heal, group });
  }
  return result;
}

/** A message (or synchronous contact) a -> b at tick t is cut if an active partition separates them. */
function cut(parts: Partition[], t: number, a: number, b: number): boolean {
  for (const p of parts) {
    const active = p.at <= t && (p.heal === null || t < p.heal);
    if (active && p.group[a] !== p.group[b]) return true;
  }
  return false;
}

/** The latency range and loss threshold floor(P * 2^32) of a message between two regions. */
interface Link {
  lo: number;
  hi: number;
  lossThreshold: number;
}

/** Regions resolved for a run. */
interface Regions {
  /** regionOf[h], from 0; the number of groups G stands for "the rest". */
  regionOf: number[];
  /** link[a][b] for a, b in 0 .. G, the same object as link[b][a]. */
  link: Link[][];
}

/** `--latency`'s bound (docs/troubleshooting.md: "D (1 to 1000000000)"). */
const LATENCY_LIMIT = 1000000000;

/** A link's latency, `D` or `"LO..HI"`, as its range. */
function linkLatency(value: unknown, where: string): { lo: number; hi: number } {
  // DOCS: only the forms `D` and `"LO..HI"` are given, and latencies start at 1. Read literally: a
  // number is a whole D, 1 <= D <= 1e9 (`--latency`'s bound); a string is exactly `LO..HI`, digits
  // only, 1 <= LO <= HI <= 1e9. A string with one number ("4") is neither form: rejected. "4..4"
  // is the constant 4 (LO = HI: no hash).
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 1 && value <= LATENCY_LIMIT) return { lo: value, hi: value };
    throw new Error(`${where}: latency ${value} is not a whole number of ticks in 1 .. ${LATENCY_LIMIT}`);
  }
  if (typeof value === 'string') {
    const range = /^([0-9]+)\.\.([0-9]+)$/.exec(value);
    if (range !== null) {
      const lo = parseInt(range[1]!, 10);
      const hi = parseInt(range[2]!, 10);
      if (lo >= 1 && lo <= hi && hi <= LATENCY_LIMIT) return { lo, hi };
    }
    throw new Error(`${where}: latency ${JSON.stringify(value)} is not "LO..HI" with 1 <= LO <= HI <= ${LATENCY_LIMIT}`);
  }
  throw new Error(`${where}: latency ${JSON.stringify(value)} is neither D nor "LO..HI"`);
}

/**
 * "Regions": the region of every host and the link of every pair of regions; null without
 * `regions`. Throws for regions under the synchronous contact model.
 */
function regionsOf(input: RumorOracleInput, N: number, seed: number): Regions | null {
  const spec = input.regions;
  if (spec === undefined) return null;
  // "They need messages with latency: with rumor they require --contact messages."
  // DOCS: any `regions`, even one without links or groups (which would change nothing), is an error
  // with the synchronous model.
  if (input.contact !== 'messages') throw new Error('regions: rumor with regions requires contact "messages"');
  if (!Array.isArray(spec.groups)) throw new Error('regions: groups is not a list');
  // DOCS: an empty `links` list is allowed: every pair takes the run's latency and loss.
  if (!Array.isArray(spec.links)) throw new Error('regions: links is not a list');
  const G = spec.groups.length;
  const rest = G;
  // DOCS: an empty list of groups is not ruled out; read literally every host is in the rest,
  // region 0, and the only possible link is [0, 0].
  const regionOf: number[] = [];
  for (let h = 0; h < N; h++) regionOf.push(rest);
  let ids = 0;
  let fractions = 0;
  for (const g of spec.groups) {
    if ('hosts' in g) ids++;
    else fractions++;
  }
  if (ids > 0 && fractions > 0) throw new Error('regions: id and fraction groups mixed');
  if (ids > 0) {
    for (let g = 0; g < G; g++) {
      for (const x of hostIds((spec.groups[g] as { hosts: string }).hosts)) {
        if (x >= N) throw new Error(`regions: group ${g}: host ${x} not below ${N}`);
        // DOCS: an id named twice in one group is harmless; "no overlaps" is about two groups.
        if (regionOf[x] !== rest && regionOf[x] !== g) throw new Error(`regions: host ${x} in two groups`);
        regionOf[x] = g;
      }
    }
  } else if (fractions > 0) {
    // u(h) = rand(seed, REGION, h, 0, 0), "with the same thresholds as a partition's".
    // DOCS: fractions > 0 summing to at most 1 (1e-9 allowance), thresholds the floors of the
    // running double sum times 2^32, as this oracle reads them for partitions.
    const bound: number[] = [0];
    let sum = 0;
    for (let g = 0; g < G; g++) {
      const f = (spec.groups[g] as { fraction: number }).fraction;
      if (typeof f !== 'number' || !(f > 0)) throw new Error(`regions: fraction ${f} not > 0`);
      sum += f;
      bound.push(Math.floor(sum * 4294967296));
    }
    if (sum > 1 + 1e-9) throw new Error(`regions: fractions sum to ${sum}`);
    for (let h = 0; h < N; h++) {
      const u = rand(seed, REGION, h, 0, 0);
      for (let g = 0; g < G; g++) {
        if (bound[g]! <= u && u < bound[g + 1]!) {
          regionOf[h] = g;
          break;
        }
      }
    }
  }
  const runLink: Link = { lo: input.latencyMin, hi: input.latencyMax, lossThreshold: Math.floor(input.loss * 4294967296) };
  const link: Link[][] = [];
  const seen: boolean[][] = [];
  for (let a = 0; a <= G; a++) {
    const row: Link[] = [];
    const seenRow: boolean[] = [];
    for (let b = 0; b <= G; b++) {
      row.push(runLink);
      seenRow.push(false);
    }
    link.push(row);
    seen.push(seenRow);
  }
  for (let i = 0; i < spec.links.length; i++) {
    const l = spec.links[i]!;
    const where = `regions: links[${i}]`;
    // DOCS: fields other than between, latency and loss are an error (a misspelling would otherwise
    // pass unnoticed); a field set to undefined is absent.
    for (const key of Object.keys(l)) {
      if (key !== 'between' && key !== 'latency' && key !== 'loss') throw new Error(`${where}: unknown field ${key}`);
    }
    const pair: unknown = l.between;
    // DOCS: exactly two whole region numbers in 0 .. G; G (the rest) is allowed even if no host is
    // in it (such a link carries nothing).
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`${where}: between is not [a, b]`);
    for (const r of pair) {
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > G) throw new Error(`${where}: region ${String(r)} not in 0 .. ${G}`);
    }
    const a = pair[0] as number;
    const b = pair[1] as number;
    // "a pair has at most one link"; [a, b] and [b, a] name the same pair (both directions).
    // DOCS: a second link for a pair is an error even when it says the same.
    if (seen[a]![b]) throw new Error(`${where}: regions ${a} and ${b} already have a link`);
    seen[a]![b] = true;
    seen[b]![a] = true;
    const range = l.latency === undefined ? { lo: runLink.lo, hi: runLink.hi } : linkLatency(l.latency, where);
    let lossThreshold = runLink.lossThreshold;
    if (l.loss !== undefined) {
      // DOCS: a link's loss has `--loss`'s range, 0 <= P < 1 (README), so 1 is rejected.
      const P: unknown = l.loss;
      if (typeof P !== 'number' || !Number.isFinite(P) || P < 0 || P >= 1) throw new Error(`${where}: loss ${String(P)} not in 0 <= P < 1`);
      lossThreshold = Math.floor(P * 4294967296);
    }
    const made: Link = { lo: range.lo, hi: range.hi, lossThreshold };
    link[a]![b] = made;
    link[b]![a] = made;
  }
  return { regionOf, link };
}

/** A crash resolved for a run: its ticks and whether it names each host. */
interface Crash {
  at: number;
  /** null: the hosts never come back. */
  recover: number | null;
  names: boolean[];
  /** `state: "initial"`: its hosts lose their state at `at`. */
  losesState: boolean;
}

/** Churn resolved for a run, with its thresholds floor(p * 2^32). */
interface Churn {
  at: number;
  /** null: for ever. */
  until: number | null;
  leaveThreshold: number;
  joinThreshold: number;
  join: number;
  reserve: number;
}

/** The run's crashes and churn, and its last fault tick (null: no fault tick, nothing held). */
interface Faults {
  crashes: Crash[];
  /** null: no churn, or churn that is "no churn at all" (leave 0, join 0, no reserve). */
  churn: Churn | null;
  lastFaultTick: number | null;
}

/** A tick of a fault: a whole number >= 0. */
function faultTick(value: unknown, where: string): number {
  // DOCS: the docs only say "a tick"; read as a whole number >= 0, anything else an error.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${where}: ${String(value)} is not a tick`);
  return value;
}

/** A probability of churn: 0 <= p <= 1. */
function churnProbability(value: unknown, where: string): number {
  // DOCS: `leave` and `join` are "probabilities" with no range given; read as 0 <= p <= 1 (1 gives
  // floor(2^32), above every draw: always), anything else an error.
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new Error(`${where}: ${String(value)} is not a probability`);
  return value;
}

/** "Faults: crashes" and "Faults: churn": the crashes and churn of a run, and its last fault tick. */
function faultsOf(input: RumorOracleInput, N: number, seed: number): Faults {
  const crashes: Crash[] = [];
  const list = input.crashes ?? [];
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    const where = `crash ${i}`;
    const at = faultTick(c.at, `${where}: at`);
    // DOCS: `recover: null` is read as an absent recover (never); a recover not after `at` is an
    // error ("recover > at").
    const recover = c.recover === undefined || c.recover === null ? null : faultTick(c.recover, `${where}: recover`);
    if (recover !== null && recover <= at) throw new Error(`${where}: recover ${recover} <= at ${at}`);
    const hasHosts = c.hosts !== undefined;
    const hasFraction = c.fraction !== undefined;
    if (hasHosts === hasFraction) throw new Error(`${where}: exactly one of hosts and fraction`);
    const names: boolean[] = new Array(N).fill(false);
    if (hasHosts) {
      // DOCS: the crash section forbids nothing but ids at or above N; an id named twice in one
      // crash is harmless (the host is named), unlike a partition's groups ("nor name an id twice").
      for (const x of hostIds(c.hosts!, where)) {
        if (x >= N) throw new Error(`${where}: host ${x} not below ${N}`);
        names[x] = true;
      }
    } else {
      const f = c.fraction!;
      if (typeof f !== 'number' || !(f > 0) || !(f <= 1)) throw new Error(`${where}: fraction ${String(f)} not in 0 < f <= 1`);
      // Host h is in crash i when rand(seed, CRASH, h, i, 0) < floor(f * 2^32).
      const threshold = Math.floor(f * TWO32);
      for (let h = 0; h < N; h++) names[h] = rand(seed, CRASH, h, i, 0) < threshold;
    }
    // DOCS: `state` absent is "keep" (the default); any value other than "keep" and "initial" is an
    // error.
    const state = c.state === undefined ? 'keep' : c.state;
    if (state !== 'keep' && state !== 'initial') throw new Error(`${where}: state ${JSON.stringify(state)} is neither "keep" nor "initial"`);
    crashes.push({ at, recover, names, losesState: state === 'initial' });
  }

  let churn: Churn | null = null;
  const ch = input.churn;
  if (ch !== undefined) {
    const at = faultTick(ch.at, 'churn: at');
    // DOCS: `until: null` is read as an absent until (for ever); an until not after `at` is an
    // error, as for a partition's heal and a crash's recover (churn that acts at no tick).
    const until = ch.until === undefined || ch.until === null ? null : faultTick(ch.until, 'churn: until');
    if (until !== null && until <= at) throw new Error(`churn: until ${until} <= at ${at}`);
    const leave = churnProbability(ch.leave, 'churn: leave');
    const join = churnProbability(ch.join ?? 0, 'churn: join');
    const reserve = ch.reserve ?? 0;
    if (!Number.isInteger(reserve) || reserve < 0 || reserve >= N) throw new Error(`churn: reserve ${String(reserve)} not in 0 .. ${N - 1}`);
    // "Churn with leave = 0, join = 0 and no reserve is no churn at all (it holds no timeline
    // either): it gives the metrics of the run without churn."
    if (!(leave === 0 && join === 0 && reserve === 0)) {
      churn = { at, until, leaveThreshold: Math.floor(leave * TWO32), joinThreshold: Math.floor(join * TWO32), join, reserve };
    }
  }

  // The last fault tick: "the largest at or recover of its crashes that is at most --max-ticks",
  // and churn's at and its until "when that is at most --max-ticks".
  // DOCS: "before churn's at nor before its until when that is at most --max-ticks" is read with
  // the bound applying to churn's at too, as it does to a crash's at: churn that starts after
  // --max-ticks holds nothing (the run's last fault tick is the largest fault tick it can reach).
  let lastFaultTick: number | null = null;
  const consider = (tick: number | null): void => {
    if (tick === null || tick > input.maxTicks) return;
    if (lastFaultTick === null || tick > lastFaultTick) lastFaultTick = tick;
  };
  for (const c of crashes) {
    consider(c.at);
    consider(c.recover);
  }
  if (churn !== null) {
    consider(churn.at);
    consider(churn.until);
  }
  return { crashes, churn, lastFaultTick };
}

/** Whether churn acts at tick t: at <= t < until. */
function churnActs(churn: Churn, t: number): boolean {
  return churn.at <= t && (churn.until === null || t < churn.until);
}

/**
 * Which hosts are down at tick t. `left` is churn's state (hosts that have left), from the end of
 * tick t - 1; it is updated here with the draws of tick t. Crashes and recoveries apply first
 * (from the crash definitions, afresh at every tick), then churn's draws.
 */
function downAt(faults: Faults, left: boolean[], seed: number, N: number, t: number): boolean[] {
  const crashHeld: boolean[] = [];
  for (let h = 0; h < N; h++) {
    let held = false;
    for (const c of faults.crashes) {
      if (c.names[h] && c.at <= t && (c.recover === null || t < c.recover)) held = true;
    }
    crashHeld.push(held);
  }
  const churn = faults.churn;
  if (churn !== null && churnActs(churn, t)) {
    for (let h = 0; h < N; h++) {
      // "a host that has left draws only c = 1 (join), any other up host only c = 0 (leave); a
      // host held down by a crash and not by churn draws nothing."
      // DOCS: a host that has left draws its join even while a crash holds it too (it is "a host
      // that has left"); if it joins it is then held by the crash alone ("a host that joins at t is
      // up at t, unless a crash holds it").
      if (left[h]) {
        if (rand(seed, CHURN, h, t, 1) < churn.joinThreshold) left[h] = false;
      } else if (!crashHeld[h]) {
        // DOCS: a host that leaves at t is down at t already (the draws of t come before the
        // tick's deliveries and steps, as a crash at t is down at t, and as a host that joins at t
        // is up at t).
        if (rand(seed, CHURN, h, t, 0) < churn.leaveThreshold) left[h] = true;
      }
    }
  }
  const down: boolean[] = [];
  for (let h = 0; h < N; h++) down.push(crashHeld[h]! || left[h]!);
  return down;
}

/**
 * Whether a down host may still come back after tick t ("Faults under `rumor`", how the run ends):
 * a crash recovers at a tick in t + 1 .. --max-ticks, or churn with join > 0 acts at a tick in
 * t + 1 .. --max-ticks.
 * DOCS: read as written, about the run and not about a particular host: any crash's recover tick
 * in that range counts (even if it holds no hot host), and churn with join > 0 that acts in that
 * range counts (even if no host has left). So a down hot host counts as hot while any of these may
 * happen, whichever host it would bring back. At t = --max-ticks the range is empty, so a down hot
 * host never counts then: a run whose only hot hosts are down at its last tick ends by rule 1
 * (stalled or converged, checked before rule 4), not max-ticks, even with join > 0 for ever.
 */
function downMayComeBack(faults: Faults, t: number, maxTicks: number): boolean {
  for (const c of faults.crashes) {
    if (c.recover !== null && c.recover >= t + 1 && c.recover <= maxTicks) return true;
  }
  const churn = faults.churn;
  if (churn !== null && churn.join > 0) {
    const first = Math.max(churn.at, t + 1);
    if (first <= maxTicks && churnActs(churn, first)) return true;
  }
  return false;
}

/** Per-host state: recv (null = susceptible), the counter c, and whether it lost interest. */
interface Host {
  recv: number | null;
  c: number;
  removed: boolean;
}

function knows(x: Host): boolean {
  return x.recv !== null;
}

function isHot(x: Host): boolean {
  return x.recv !== null && !x.removed;
}

/** Peer of contact `j` of host `h` at tick `t` (view `full`); callers ensure N >= 2. */
function peerOf(seed: number, N: number, h: number, t: number, j: number): number {
  const c = rand(seed, PEER, h, t, j) % (N - 1);
  return c < h ? c : c + 1;
}

/**
 * Peer of contact `j` of host `h` at tick `t` under view `known`: candidate number `r % count` of
 * `K(h)` without `h`, in ascending id order; null when there is no candidate (the contact is not
 * made: nothing is sent, nothing is counted).
 */
function knownPeerOf(seed: number, N: number, known: boolean[], h: number, t: number, j: number): number | null {
  const candidates: number[] = [];
  for (let x = 0; x < N; x++) if (x !== h && known[x]) candidates.push(x);
  if (candidates.length === 0) return null;
  const r = rand(seed, PEER, h, t, j);
  return candidates[r % candidates.length]!;
}

/**
 * Peer of contact `j` of host `h` at tick `t` in the input's view. `known` is null under view
 * `full`; callers of view `full` ensure N >= 2.
 */
function choosePeer(seed: number, N: number, known: boolean[][] | null, h: number, t: number, j: number): number | null {
  if (known === null) return peerOf(seed, N, h, t, j);
  return knownPeerOf(seed, N, known[h]!, h, t, j);
}

/**
 * Start of the known sets under view `known`, "as for the periodic protocols": K(0) = {0} and
 * K(h) = {h, 0} for h != 0; one boolean array per host. Null under view `full` (no known sets).
 */
function startKnownSets(input: RumorOracleInput, N: number): boolean[][] | null {
  if ((input.view ?? 'full') === 'full') return null;
  // DOCS: the start sets do not depend on the sources (a source other than 0 still knows only
  // itself and 0), as "starts as for the periodic protocols" says nothing about sources.
  const known: boolean[][] = [];
  for (let h = 0; h < N; h++) {
    const row: boolean[] = new Array(N).fill(false);
    row[h] = true;
    row[0] = true;
    known.push(row);
  }
  return known;
}

function sourceList(input: RumorOracleInput): number[] {
  if (typeof input.sources === 'number') {
    const list: number[] = [];
    for (let i = 0; i < input.sources; i++) list.push(i);
    return list;
  }
  return input.sources.slice();
}

/**
 * Loss of interest at a counting tick `t` of host `x`: counter grows c and stops at c >= k;
 * coin stops if rand(seed, COIN, x, t, 0) < floor(2^32 / k).
 */
function countingTick(input: RumorOracleInput, seed: number, x: number, host: Host, t: number): void {
  if (input.stop === 'counter') {
    host.c = host.c + 1;
    if (host.c >= input.k) host.removed = true;
  } else {
    const threshold = Math.floor(4294967296 / input.k);
    if (rand(seed, COIN, x, t, 0) < threshold) host.removed = true;
  }
}

interface Counters {
  sent: number;
  delivered: number;
  processed: number;
  ignored: number;
  lost: number;
  partitioned: number;
  /** Messages (synchronous: contacts) delivered to a host down at their tick. */
  dropped: number;
  entries: number;
  updates: number;
  requests: number;
  feedback: number;
  /** Per host: messages it sent (lost and cut included), and messages delivered to it. */
  hostSent: number[];
  hostReceived: number[];
}

type Kind = 'update' | 'request' | 'reply' | 'feedback';

interface Message {
  from: number;
  to: number;
  kind: Kind;
  /** For `feedback`: true = `new` (a necessary contact), false = `knew`. */
  isNew: boolean;
  seq: number;
  deliverAt: number;
}

/** The run's result, its counted load included (the same as rumorOracleCountedLoad). */
export function rumorOracle(input: RumorOracleInput): RumorOracleResult {
  const { result, load } = run(input);
  (result as { load?: unknown }).load = load;
  return result as RumorOracleResult;
}

/**
 * The per-host load as the bullets of docs/semantics.md "Per-host load" count it, in both contact
 * models: synchronous contacts included (sent by the host that sends each update, request or
 * reply, received by its partner unless a partition cut it). It equals `rumorOracle(input).load`.
 */
export function rumorOracleCountedLoad(input: RumorOracleInput): RumorOracleLoad {
  return run(input).load;
}

function run(input: RumorOracleInput): { result: Omit<RumorOracleResult, 'load'>; load: RumorOracleLoad } {
  const N = input.hosts;
  const seed = input.seed >>> 0;
  const hosts: Host[] = [];
  for (let x = 0; x < N; x++) hosts.push({ recv: null, c: 0, removed: false });
  const sources = sourceList(input);
  for (const s of sources) hosts[s]!.recv = 0;
  const isSource: boolean[] = new Array(N).fill(false);
  for (const s of sources) isSource[s] = true;
  // View `known` only: K(h) as a boolean array per host; null under view `full`.
  const known = startKnownSets(input, N);
  const parts = partitionsOf(input, N, seed);
  const regions = regionsOf(input, N, seed);
  const faults = faultsOf(input, N, seed);
  // Churn's state: the hosts that have left. "The last R ids, N-R .. N-1, are new hosts: they count
  // as having left from tick 0". Their state is the initial one, as every host's ("Faults under
  // `rumor`": a reserved source knows the update), so nothing else is special about them.
  const left: boolean[] = new Array(N).fill(false);
  if (faults.churn !== null) for (let h = N - faults.churn.reserve; h < N; h++) left[h] = true;

  const counters: Counters = {
    sent: 0, delivered: 0, processed: 0, ignored: 0, lost: 0, partitioned: 0, dropped: 0, entries: 0, updates: 0, requests: 0,
    feedback: 0, hostSent: new Array(N).fill(0), hostReceived: new Array(N).fill(0),
  };
  const series = { sent: [] as number[], delivered: [] as number[], complete: [] as number[], coverage: [] as number[], live: [] as number[] };
  let spreadTicks: number | null = null;
  let endReason: RumorOracleResult['endReason'] = 'max-ticks';
  let lastTick = 0;

  // messages model only
  let pending: Message[] = [];
  const seqOf: number[] = new Array(N).fill(0);

  for (let t = 0; ; t++) {
    const sentBefore = counters.sent;
    const deliveredBefore = counters.delivered;
    // "Crashes that lose state": at the crash tick `at`, before anything else of that tick, each
    // host of a crash with state "initial" gets its initial state: recv none, counter 0 and
    // interested (a source too), and under view `known` K(h) as at tick 0. "A crash with state
    // initial at tick 0 changes nothing", so tick 0 is skipped (a source keeps recv = 0 there).
    // DOCS: one whose hosts are already down "is applied all the same": the reset is made whether
    // or not the host is down. A host named by two such crashes is reset at each one's tick. The
    // order against the crashes' down/up and churn's draws of the tick does not matter (those do not
    // read a host's state). Messages in flight, send sequence numbers and load counters are left as
    // they are ("Nothing else changes"). A host that loses its state is down at `at` (recover > at),
    // so it cannot receive the update again in that tick: its new recv, if any, is a later tick.
    // DOCS: a host that had lost interest is "interested" again, so it can become hot once more
    // (the rumor section's "it never becomes hot again" is read as about a host that keeps its
    // state).
    if (t >= 1) {
      for (const c of faults.crashes) {
        if (!c.losesState || c.at !== t) continue;
        for (let h = 0; h < N; h++) {
          if (!c.names[h]) continue;
          hosts[h] = { recv: null, c: 0, removed: false };
          if (known !== null) {
            // "view known: [h, 0] and [0] for host 0".
            const row: boolean[] = new Array(N).fill(false);
            row[h] = true;
            row[0] = true;
            known[h] = row;
          }
        }
      }
    }
    // Crashes and recoveries of t, then churn's draws of t: the hosts down at t.
    const down = downAt(faults, left, seed, N, t);

    if (input.contact === 'synchronous') {
      synchronousTick(input, seed, N, hosts, t, counters, known, parts, down);
    } else {
      pending = messagesTick(input, seed, N, hosts, t, counters, pending, seqOf, known, parts, regions, down);
    }

    // End of tick t bookkeeping. `knowing` is over every host (spreadTicks, "stay over every
    // host"); `live` and `liveKnowing` over A(t), the hosts up at t ("coverage (live hosts that know
    // the update divided by |A(t)|)", "series.complete[t]: hosts of A(t) complete at the end of t").
    let knowing = 0;
    let live = 0;
    let liveKnowing = 0;
    for (let x = 0; x < N; x++) {
      if (knows(hosts[x]!)) knowing++;
      if (!down[x]) {
        live++;
        if (knows(hosts[x]!)) liveKnowing++;
      }
    }
    if (spreadTicks === null && knowing === N) spreadTicks = t;
    series.sent.push(counters.sent - sentBefore);
    series.delivered.push(counters.delivered - deliveredBefore);
    series.complete.push(liveKnowing);
    // "0 when no host is up".
    series.coverage.push(live === 0 ? 0 : liveKnowing / live);
    series.live.push(live);
    lastTick = t;

    // "Faults under `rumor`": "a host down at the end of tick t counts as hot in rule 1 only while a
    // down host may still come back after t"; an up hot host always counts.
    const comeBack = downMayComeBack(faults, t, input.maxTicks);
    let upHot = false;
    let downCountsHot = false;
    for (let x = 0; x < N; x++) {
      if (!isHot(hosts[x]!)) continue;
      if (!down[x]) upHot = true;
      else if (comeBack) downCountsHot = true;
    }
    const anyHot = upHot || downCountsHot;
    // "converged if every live host knows the update, else stalled (also when no host is live)".
    const naturalEnd: RumorOracleResult['endReason'] = live > 0 && liveKnowing === live ? 'converged' : 'stalled';
    // The fault timeline: "while t is below the run's last crash tick ... the run does not end as
    // converged or stalled (only max-ticks can end it then)".
    // DOCS: this holds rule 3 too (it ends a run as converged), so a one-host run with a fault tick
    // T runs to T.
    const held = faults.lastFaultTick !== null && t < faults.lastFaultTick;

    // "After each tick, the run ends when no host is hot and no update or reply is in flight:
    // converged if every host knows the update (residue 0), else stalled; or at --max-ticks."
    // Requests and feedback in flight do not keep the run going.
    let spreadingInFlight = false;
    for (const m of pending) if (m.kind === 'update' || m.kind === 'reply') spreadingInFlight = true;
    if (!held && !anyHot && !spreadingInFlight) {
      endReason = naturalEnd;
      break;
    }
    // Rule 2: "the tick was t >= 1, no message was sent in it (synchronous model: no contact was
    // made) and none is in flight: ... converged if every host knows the update, else stalled".
    // DOCS: the rule is applied in every view, as written; under view `full` with N >= 2 (and
    // fanout >= 1) some message is sent in every tick that reaches it, so it never fires there, as
    // the docs say. "No message was sent" counts lost messages as sent (they are). "None is in
    // flight" means no message of any kind (requests and feedback too), unlike rule 1. In the
    // synchronous model a contact made always sends a message and nothing is ever in flight, so
    // "no contact was made" is read as "nothing was sent in the tick".
    // Faults: "Rule 2 (a tick that sent nothing) applies only when no down host counts as hot".
    // DOCS: contacts to down hosts are sent (and dropped), so a tick whose only contacts were
    // dropped did send something. Under faults and view `full`, rule 2 can fire when no host is up
    // (nobody makes contacts) or every up host sends nothing (push with no up hot host).
    if (!held && t >= 1 && counters.sent === sentBefore && pending.length === 0 && !downCountsHot) {
      endReason = naturalEnd;
      break;
    }
    // "there is one host (N = 1, no contacts possible): converged at tick 0"; "Rule 3 is about
    // N = 1, whatever is down".
    // DOCS: "whatever is down" is read as: the rule's test is N = 1 alone, so a one-host run that
    // reaches it ends converged even with its host down (live 0), unlike rule 1.
    if (!held && N === 1) {
      endReason = 'converged';
      break;
    }
    if (t >= input.maxTicks) {
      endReason = 'max-ticks';
      break;
    }
  }

  let reached = 0;
  let sumRecv = 0;
  let nonSourceReached = 0;
  let largestRecv: number | null = null;
  const hostCompletionTicks: (number | null)[] = [];
  for (let x = 0; x < N; x++) {
    // "Crashes that lose state": hostCompletionTicks, residue, reached, tAve and tLast read recv,
    // "the tick at which it last received the update" (a host that lost its state and did not
    // receive it again has recv none).
    const r = hosts[x]!.recv;
    hostCompletionTicks.push(r);
    if (r === null) continue;
    reached++;
    if (largestRecv === null || r > largestRecv) largestRecv = r;
    // DOCS: "tAve: mean of recv(x) over the hosts that received it, sources excluded": a source is
    // a host of --rumor-sources, excluded even when it lost its state and received the update again
    // later (its later recv is not counted in tAve).
    if (!isSource[x]) {
      nonSourceReached++;
      sumRecv += r;
    }
  }
  // DOCS: "tLast: largest recv(x); null if only sources know it", read literally: the largest recv
  // over every host that knows (a source that lost its state and received the update again
  // included), null when every host that knows is a source. Without crashes that lose state the
  // sources' recv is 0 and every other recv is >= 1, so this is the largest over the non-sources.
  const tLast: number | null = nonSourceReached === 0 ? null : largestRecv;
  // `ticks` is the tick at which the last host received the update (the largest recv, 0 when every
  // host is a source); the run goes on after it until no host is hot, so ticks <= lastTick.
  // DOCS: `converged` is read as endReason = converged (the identity list), not as "every host
  // complete at the end", which can also hold at a max-ticks end while some host is still hot.
  const converged = endReason === 'converged';
  // Faults: `ticks` "(the tick at which the last host received the update, when converged)" stays
  // over every host, down ones included.
  // DOCS: a run can converge over its live hosts while a down host never received the update, so
  // `ticks` is the largest recv over the hosts that received it (0 when only sources did), not a
  // tick at which "every host" knew.
  let ticks: number | null = null;
  if (converged) {
    ticks = 0;
    for (const r of hostCompletionTicks) if (r !== null) ticks = Math.max(ticks, r);
  }
  const result: Omit<RumorOracleResult, 'load'> = {
    converged,
    ticks,
    sent: counters.sent,
    delivered: counters.delivered,
    processed: counters.processed,
    ignored: counters.ignored,
    lost: counters.lost,
    partitioned: counters.partitioned,
    dropped: counters.dropped,
    live: series.live[lastTick]!,
    inFlight: pending.length,
    entries: counters.entries,
    spreadTicks,
    // DOCS: under view `known` too, `coverage`, `spreadTicks` and the `complete`/`coverage` series
    // are about the update ("A host is complete when it knows the update: ... coverage (hosts that
    // know it divided by N)"), not about the known sets (sum of |K(h)| / N^2 for the membership
    // protocols); the rumor section defines them without a view condition.
    // Faults: "the last complete and coverage entries equal the run's final values", over A(lastTick).
    coverage: series.coverage[lastTick]!,
    endReason,
    lastTick,
    hostCompletionTicks,
    series,
    protocolMetrics: {
      residue: (N - reached) / N,
      traffic: counters.updates / N,
      tAve: nonSourceReached === 0 ? null : sumRecv / nonSourceReached,
      tLast,
      reached,
      updates: counters.updates,
      requests: counters.requests,
      feedback: counters.feedback,
    },
  };
  // load = { sent, received, bytes }, each { p50, p95, max } over all N hosts. bytes(h) is 0 for
  // every host: rumor messages carry no ids.
  const load: RumorOracleLoad = {
    sent: loadQuantilesOf(counters.hostSent),
    received: loadQuantilesOf(counters.hostReceived),
    bytes: loadQuantilesOf(new Array(N).fill(0)),
  };
  return { result, load };
}

/**
 * Contact model `synchronous`: tick 0 has no contacts; at t >= 1 every judgement uses the state at
 * the start of the tick, each contact is sent, delivered and processed in the tick, 0 entries.
 */
function synchronousTick(
  input: RumorOracleInput,
  seed: number,
  N: number,
  hosts: Host[],
  t: number,
  counters: Counters,
  known: boolean[][] | null,
  parts: Partition[],
  down: boolean[],
): void {
  if (t === 0) return;
  if (N < 2) return; // a run of one host makes no contacts (view `known`: it has no candidate)

  // State at the start of the tick.
  const hotStart: boolean[] = hosts.map((x) => isHot(x));
  const knewStart: boolean[] = hosts.map((x) => x.recv !== null && x.recv < t);
  // Per host: did it send an update (update or reply) this tick, and was one of them necessary.
  const sentUpdate: boolean[] = new Array(N).fill(false);
  const sentNecessary: boolean[] = new Array(N).fill(false);
  const sentUnnecessary: boolean[] = new Array(N).fill(false);

  // A contact that passes is one message sent, delivered and processed in the tick; one that a
  // partition cuts ("Faults: partitions", synchronous paragraph) is sent, lost and partitioned; one
  // made to a host down at t ("Faults under `rumor`") is sent, delivered and dropped.
  // DOCS: so in this model `lost` counts exactly the cut contacts (there is no loss here), and
  // `delivered`/`processed` count only the contacts that pass (and `delivered` the dropped ones).
  // Per-host load: the message counts as sent by `from`, and as received by `to` unless cut.
  // DOCS: "synchronous rumor contacts h made count as sent by h" is read per message, as "Every
  // update, request and reply counts as one message": the update or request of h's contact is sent
  // by h and received by p, and p's reply in it is sent by p and received by h (a reply is a
  // message p sends h, as in the messages model), not a second message "sent" by h.
  // DOCS: a dropped contact counts as received by p ("received(h): messages delivered to h,
  // whether handled, ignored or dropped"; "counts as received by h unless a partition cut it").
  type Fate = 'pass' | 'cut' | 'dropped';
  function message(from: number, to: number, fate: Fate): void {
    counters.sent++;
    counters.hostSent[from] = counters.hostSent[from]! + 1;
    if (fate !== 'cut') counters.hostReceived[to] = counters.hostReceived[to]! + 1;
    if (fate === 'cut') {
      counters.lost++;
      counters.partitioned++;
    } else if (fate === 'dropped') {
      counters.delivered++;
      counters.dropped++;
    } else {
      counters.delivered++;
      counters.processed++;
    }
  }

  // `from` sends the update to `to` (as `update` or `reply`). A cut or dropped one still counts in
  // `updates` and as "sent an update" for settling, and is neither necessary nor unnecessary: the
  // receiver does not receive it.
  function carryUpdate(from: number, to: number, fate: Fate): void {
    message(from, to, fate);
    counters.updates++;
    sentUpdate[from] = true;
    if (fate !== 'pass') return;
    if (!knewStart[to]) {
      sentNecessary[from] = true;
      if (hosts[to]!.recv === null) hosts[to]!.recv = t;
    } else {
      sentUnnecessary[from] = true;
    }
  }

  function request(from: number, to: number, fate: Fate): void {
    message(from, to, fate);
    counters.requests++;
  }

  // View `known`: each `update` or `request` that h sends p in tick t adds h to K(p) at the END of
  // the tick, so every choice of the tick is among the sets as they were at its start. A `reply`
  // teaches nothing. Pairs [p, h] collected here, applied after every contact of the tick.
  const learned: [number, number][] = [];

  for (let h = 0; h < N; h++) {
    // "A host down at t makes no contact at t" (it keeps its state; having sent no update, its
    // interest is unchanged).
    if (down[h]) continue;
    for (let j = 0; j < input.fanout; j++) {
      const p = choosePeer(seed, N, known, h, t, j);
      if (p === null) continue; // view `known`, no candidate: the contact is not made
      // "A contact h -> p that a partition cuts is counted as sent, lost and partitioned, and has no
      // other effect: p learns nothing (view known), neither receives the update nor answers".
      // DOCS: the test is made once per contact, on h -> p at tick t; p's answer is never sent,
      // so it is not counted at all (not as a second cut message). A contact that is not made
      // (push from a host that is not hot) sends nothing and so is not tested.
      // "A contact h -> p made at tick t to a host p down at t is counted as sent, delivered and
      // dropped (not processed), and has no other effect, as a contact cut by a partition has".
      // DOCS: a contact both cut by a partition and made to a down host is cut (partitions act "in
      // the transport"; a cut contact is never delivered, so it cannot be dropped on delivery), as
      // a cut message of the messages model never reaches its (down) receiver.
      const isCut = cut(parts, t, h, p);
      const fate: Fate = isCut ? 'cut' : down[p] ? 'dropped' : 'pass';
      if (input.mode === 'push') {
        if (hotStart[h]) {
          carryUpdate(h, p, fate);
          if (fate === 'pass') learned.push([p, h]);
        }
      } else if (input.mode === 'pull') {
        request(h, p, fate);
        if (fate === 'pass') {
          learned.push([p, h]);
          if (hotStart[p]) carryUpdate(p, h, 'pass');
        }
      } else {
        if (hotStart[h]) carryUpdate(h, p, fate);
        else request(h, p, fate);
        if (fate === 'pass') {
          learned.push([p, h]);
          if (hotStart[p]) carryUpdate(p, h, 'pass');
        }
      }
    }
  }

  // End of the tick (view `known`): the contacted hosts learn who contacted them.
  // DOCS: whether this comes before or after settling is not said; the two touch disjoint state
  // (known sets versus interest), so the order cannot matter.
  if (known !== null) {
    for (const [p, h] of learned) known[p]![h] = true;
  }

  // Settling, after every contact of the tick.
  // With feedback the tick counts if at least one update was unnecessary and none necessary; a
  // necessary one resets the counter. An update cut by a partition is neither, so a tick whose
  // updates were all cut leaves x unchanged.
  for (let x = 0; x < N; x++) {
    if (!hotStart[x] || !sentUpdate[x]) continue;
    const host = hosts[x]!;
    if (input.feedback === 'feedback') {
      if (sentNecessary[x]) {
        host.c = 0;
        continue;
      }
      if (!sentUnnecessary[x]) continue;
    }
    countingTick(input, seed, x, host, t);
  }
}

/**
 * Contact model `messages`: deliveries of tick t per host in SPEC order (sender ascending, then
 * the sender's send sequence number), then the host's step. Returns the messages still in flight.
 */
function messagesTick(
  input: RumorOracleInput,
  seed: number,
  N: number,
  hosts: Host[],
  t: number,
  counters: Counters,
  pending: Message[],
  seqOf: number[],
  known: boolean[][] | null,
  parts: Partition[],
  regions: Regions | null,
  down: boolean[],
): Message[] {
  const runLink: Link = { lo: input.latencyMin, hi: input.latencyMax, lossThreshold: Math.floor(input.loss * 4294967296) };
  // k: index of a message among those its sender sends in this tick, every kind, lost included.
  const kOf: number[] = new Array(N).fill(0);
  // Per host, for tick t: did it send an update or reply; feedback marks received.
  const sentUpdate: boolean[] = new Array(N).fill(false);
  const markNecessary: boolean[] = new Array(N).fill(false);
  const markUnnecessary: boolean[] = new Array(N).fill(false);

  const now: Message[] = [];
  const later: Message[] = [];
  for (const m of pending) (m.deliverAt === t ? now : later).push(m);

  function send(from: number, to: number, kind: Kind, isNew: boolean): void {
    const k = kOf[from]!;
    kOf[from] = k + 1;
    const seq = seqOf[from]!;
    seqOf[from] = seq + 1;
    counters.sent++;
    // sent(from): every message sent, lost and cut ones included (counted before the transport).
    counters.hostSent[from] = counters.hostSent[from]! + 1;
    // DOCS: rumor messages carry no log, so `entries` counts 0 ids per message here too (the
    // synchronous model says so explicitly; the messages model is silent).
    if (kind === 'update' || kind === 'reply') {
      counters.updates++;
      sentUpdate[from] = true;
    } else if (kind === 'request') counters.requests++;
    else counters.feedback++;
    // Partitions, in the transport before loss and latency: a cut message (of any kind: update,
    // request, reply or feedback) has taken its index k and sequence number above, counts as sent
    // (and in updates/requests/feedback, and for blind settling as an update sent) and as lost and
    // partitioned; no loss or latency hash is drawn and it is never delivered.
    if (cut(parts, t, from, to)) {
      counters.lost++;
      counters.partitioned++;
      return;
    }
    // Regions: a message no partition cuts (of any kind) takes the link of its ends' regions, or
    // the run's latency and loss without one, with the same draws (f, t, k).
    const l = regions === null ? runLink : regions.link[regions.regionOf[from]!]![regions.regionOf[to]!]!;
    let d: number;
    if (l.lo === l.hi) d = l.lo;
    else d = l.lo + (rand(seed, LATENCY, from, t, k) % (l.hi - l.lo + 1));
    if (rand(seed, LOSS, from, t, k) < l.lossThreshold) {
      counters.lost++;
      return;
    }
    later.push({ from, to, kind, isNew, seq, deliverAt: t + d });
  }

  // Host h receives the update from f at tick t.
  function receive(h: number, f: number): void {
    const host = hosts[h]!;
    const knewIt = host.recv !== null;
    if (!knewIt) host.recv = t; // hot from now on (removed is false for a host that never knew)
    if (input.feedback === 'feedback') send(h, f, 'feedback', !knewIt);
  }

  for (let h = 0; h < N; h++) {
    const host = hosts[h]!;
    const mine = now.filter((m) => m.to === h).sort((a, b) => a.from - b.from || a.seq - b.seq);
    if (down[h]) {
      // "a message delivered to a down host is counted as delivered and dropped and nothing else
      // (no receive, reply, feedback or learning); a down host takes no step (no sends, no
      // settling). An update or reply so dropped is no longer in flight."
      for (let i = 0; i < mine.length; i++) {
        counters.delivered++;
        counters.dropped++;
        // received(h): "messages delivered to h, whether handled, ignored or dropped".
        counters.hostReceived[h] = counters.hostReceived[h]! + 1;
      }
      continue;
    }
    for (const m of mine) {
      counters.delivered++;
      // received(h): every message delivered to h, processed or ignored.
      counters.hostReceived[h] = counters.hostReceived[h]! + 1;
      // View `known`: "a host that handles a message from f, of any kind, processed or ignored,
      // adds f to K(h)"; its step of this tick already chooses among the new set. Lost messages
      // are never delivered here, so they teach nothing.
      // DOCS: "handles ... processed or ignored" is read as "is delivered": every delivered
      // message teaches its sender, feedback included. Whether f is added before or after the
      // message's own handling is not said; handling a message never chooses a peer (replies and
      // feedback go back to f), so the order cannot matter; it is added first here.
      if (known !== null) known[h]![m.from] = true;
      if (m.kind === 'update') {
        counters.processed++;
        const wasHot = isHot(host);
        if (input.mode === 'push-pull' && wasHot) send(h, m.from, 'reply', false);
        receive(h, m.from);
      } else if (m.kind === 'request') {
        if (isHot(host)) {
          counters.processed++;
          send(h, m.from, 'reply', false);
        } else {
          counters.ignored++;
        }
      } else if (m.kind === 'reply') {
        counters.processed++;
        receive(h, m.from);
      } else {
        if (!isHot(host)) {
          counters.ignored++;
        } else {
          counters.processed++;
          if (m.isNew) markNecessary[h] = true;
          else markUnnecessary[h] = true;
        }
      }
    }

    // Step of host h at tick t.
    const hotAtStep = isHot(host);
    if (N >= 2) {
      for (let j = 0; j < input.fanout; j++) {
        const p = choosePeer(seed, N, known, h, t, j);
        if (p === null) continue; // view `known`, no candidate: the contact is not made
        // DOCS: "if h is hot now, it sends ... an update (modes push and push-pull); otherwise,
        // in modes pull and push-pull, it sends each a request" is read with the parenthetical
        // as part of the condition: in `pull` every host requests, as the synchronous table says
        // ("every host: h sends p a request"); in `push-pull` a host that is not hot (susceptible
        // or removed) requests. (Read with "otherwise" = "not hot", a hot host in `pull` would
        // send nothing, and a pull run whose hosts are all hot could never end.)
        if (hotAtStep && (input.mode === 'push' || input.mode === 'push-pull')) send(h, p, 'update', false);
        else if (input.mode === 'pull' || input.mode === 'push-pull') send(h, p, 'request', false);
      }
    }
    if (hotAtStep) {
      if (input.feedback === 'feedback') {
        if (markNecessary[h]) host.c = 0;
        else if (markUnnecessary[h]) countingTick(input, seed, h, host, t);
      } else if (sentUpdate[h]) {
        countingTick(input, seed, h, host, t);
      }
    }
  }
  return later;
}
