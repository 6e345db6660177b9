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
// Per-host load follows "### Per-host load" (under "## Metrics"), from the docs alone too: `load`
// is null with `--contact synchronous` ("not counted yet"); rumorOracleCountedLoad gives the load as
// that section's counting rules define it for both contact models.

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
  inFlight: number;
  entries: number;
  spreadTicks: number | null;
  coverage: number;
  endReason: 'converged' | 'stalled' | 'max-ticks';
  lastTick: number;
  hostCompletionTicks: (number | null)[];
  /** `live`: hosts up at each tick, N (docs/semantics.md "Faults: crashes"; rumor has no crashes yet). */
  series: { sent: number[]; delivered: number[]; complete: number[]; coverage: number[]; live: number[] };
  protocolMetrics: RumorOracleMetrics;
  /**
   * Per-host load over ticks 0 .. lastTick; null with contact `synchronous` (docs: "`load` is null
   * ... for rumor with --contact synchronous (not counted yet)").
   */
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
function hostIds(text: string): number[] {
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
      if (hi < lo) throw new Error(`partition ids ${JSON.stringify(text)}: range ${item} runs backwards`);
      for (let x = lo; x <= hi; x++) ids.push(x);
    } else throw new Error(`partition ids ${JSON.stringify(text)}: cannot read ${JSON.stringify(item)}`);
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

/**
 * The run's result. `load` is null with contact `synchronous`, as documented; in the messages model
 * it is the counted load (the same as rumorOracleCountedLoad).
 */
export function rumorOracle(input: RumorOracleInput): RumorOracleResult {
  const { result, load } = run(input);
  // DOCS: "`load` is null ... for rumor with --contact synchronous" is read as null whatever else
  // the run has (partitions, view known, N = 1); the bullets of "Per-host load" that say how a
  // synchronous contact would count are kept in rumorOracleCountedLoad.
  const reported = input.contact === 'synchronous' ? null : load;
  (result as { load?: unknown }).load = reported;
  return result as RumorOracleResult;
}

/**
 * The per-host load as the bullets of docs/semantics.md "Per-host load" count it, in both contact
 * models: synchronous contacts included (sent by the host that sends each update, request or
 * reply, received by its partner unless a partition cut it), though the engines do not report it
 * there yet (`load` is null). For the messages model it equals `rumorOracle(input).load`.
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

  const counters: Counters = {
    sent: 0, delivered: 0, processed: 0, ignored: 0, lost: 0, partitioned: 0, entries: 0, updates: 0, requests: 0,
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

    if (input.contact === 'synchronous') {
      synchronousTick(input, seed, N, hosts, t, counters, known, parts);
    } else {
      pending = messagesTick(input, seed, N, hosts, t, counters, pending, seqOf, known, parts, regions);
    }

    // End of tick t bookkeeping.
    let knowing = 0;
    let anyHot = false;
    for (const x of hosts) {
      if (knows(x)) knowing++;
      if (isHot(x)) anyHot = true;
    }
    if (spreadTicks === null && knowing === N) spreadTicks = t;
    series.sent.push(counters.sent - sentBefore);
    series.delivered.push(counters.delivered - deliveredBefore);
    series.complete.push(knowing);
    series.coverage.push(knowing / N);
    series.live.push(N);
    lastTick = t;

    // "After each tick, the run ends when no host is hot and no update or reply is in flight:
    // converged if every host knows the update (residue 0), else stalled; or at --max-ticks."
    // Requests and feedback in flight do not keep the run going.
    let spreadingInFlight = false;
    for (const m of pending) if (m.kind === 'update' || m.kind === 'reply') spreadingInFlight = true;
    if (!anyHot && !spreadingInFlight) {
      endReason = knowing === N ? 'converged' : 'stalled';
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
    if (t >= 1 && counters.sent === sentBefore && pending.length === 0) {
      endReason = knowing === N ? 'converged' : 'stalled';
      break;
    }
    // "there is one host (N = 1, no contacts possible): converged at tick 0".
    if (N === 1) {
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
  let tLast: number | null = null;
  const hostCompletionTicks: (number | null)[] = [];
  for (let x = 0; x < N; x++) {
    const r = hosts[x]!.recv;
    hostCompletionTicks.push(r);
    if (r === null) continue;
    reached++;
    if (!isSource[x]) {
      nonSourceReached++;
      sumRecv += r;
      // DOCS: "largest recv(x) ...; null if only sources know it": the largest over every host
      // that knows, which is over the non-sources whenever one of them knows.
      if (tLast === null || r > tLast) tLast = r;
    }
  }
  // `ticks` is the tick at which the last host received the update (the largest recv, 0 when every
  // host is a source); the run goes on after it until no host is hot, so ticks <= lastTick.
  // DOCS: `converged` is read as endReason = converged (the identity list), not as "every host
  // complete at the end", which can also hold at a max-ticks end while some host is still hot.
  const converged = endReason === 'converged';
  let ticks: number | null = null;
  if (converged) {
    ticks = 0;
    for (const r of hostCompletionTicks) ticks = Math.max(ticks, r!);
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
    inFlight: pending.length,
    entries: counters.entries,
    spreadTicks,
    // DOCS: under view `known` too, `coverage`, `spreadTicks` and the `complete`/`coverage` series
    // are about the update ("A host is complete when it knows the update: ... coverage (hosts that
    // know it divided by N)"), not about the known sets (sum of |K(h)| / N^2 for the membership
    // protocols); the rumor section defines them without a view condition.
    coverage: reached / N,
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
  // partition cuts ("Faults: partitions", synchronous paragraph) is sent, lost and partitioned.
  // DOCS: so in this model `lost` counts exactly the cut contacts (there is no loss here), and
  // `delivered`/`processed` count only the contacts that pass.
  // Per-host load: the message counts as sent by `from`, and as received by `to` unless cut.
  // DOCS: "synchronous rumor contacts h made count as sent by h" is read per message, as "Every
  // update, request and reply counts as one message": the update or request of h's contact is sent
  // by h and received by p, and p's reply in it is sent by p and received by h (a reply is a
  // message p sends h, as in the messages model), not a second message "sent" by h.
  function message(from: number, to: number, isCut: boolean): void {
    counters.sent++;
    counters.hostSent[from] = counters.hostSent[from]! + 1;
    if (!isCut) counters.hostReceived[to] = counters.hostReceived[to]! + 1;
    if (isCut) {
      counters.lost++;
      counters.partitioned++;
    } else {
      counters.delivered++;
      counters.processed++;
    }
  }

  // `from` sends the update to `to` (as `update` or `reply`). A cut one still counts in `updates`
  // and as "sent an update" for settling, and is neither necessary nor unnecessary: the receiver
  // does not receive it.
  function carryUpdate(from: number, to: number, isCut: boolean): void {
    message(from, to, isCut);
    counters.updates++;
    sentUpdate[from] = true;
    if (isCut) return;
    if (!knewStart[to]) {
      sentNecessary[from] = true;
      if (hosts[to]!.recv === null) hosts[to]!.recv = t;
    } else {
      sentUnnecessary[from] = true;
    }
  }

  function request(from: number, to: number, isCut: boolean): void {
    message(from, to, isCut);
    counters.requests++;
  }

  // View `known`: each `update` or `request` that h sends p in tick t adds h to K(p) at the END of
  // the tick, so every choice of the tick is among the sets as they were at its start. A `reply`
  // teaches nothing. Pairs [p, h] collected here, applied after every contact of the tick.
  const learned: [number, number][] = [];

  for (let h = 0; h < N; h++) {
    for (let j = 0; j < input.fanout; j++) {
      const p = choosePeer(seed, N, known, h, t, j);
      if (p === null) continue; // view `known`, no candidate: the contact is not made
      // "A contact h -> p that a partition cuts is counted as sent, lost and partitioned, and has no
      // other effect: p learns nothing (view known), neither receives the update nor answers".
      // DOCS: the test is made once per contact, on h -> p at tick t; p's answer is never sent,
      // so it is not counted at all (not as a second cut message). A contact that is not made
      // (push from a host that is not hot) sends nothing and so is not tested.
      const isCut = cut(parts, t, h, p);
      if (input.mode === 'push') {
        if (hotStart[h]) {
          carryUpdate(h, p, isCut);
          if (!isCut) learned.push([p, h]);
        }
      } else if (input.mode === 'pull') {
        request(h, p, isCut);
        if (!isCut) {
          learned.push([p, h]);
          if (hotStart[p]) carryUpdate(p, h, false);
        }
      } else {
        if (hotStart[h]) carryUpdate(h, p, isCut);
        else request(h, p, isCut);
        if (!isCut) {
          learned.push([p, h]);
          if (hotStart[p]) carryUpdate(p, h, false);
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
