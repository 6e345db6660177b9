// Independent, deliberately naive implementation of /work/shared/SPEC.md, used only to
// cross-check the real engines. Plain arrays, Sets and objects; no optimisation.
// Partitions follow docs/semantics.md "## Faults: partitions" (SPEC.md predates them); where the
// docs leave a point open, the most literal reading is taken and marked "DOCS:".
// Regions follow docs/semantics.md "## Regions: latency and loss per pair of regions".
// Crashes follow docs/semantics.md "## Faults: crashes" (with "How a run ends" and "Metrics"),
// written from the docs alone; open points are marked "DOCS:" as above.
// Churn follows docs/semantics.md "## Faults: churn" (with "Faults: crashes", whose down-host
// machinery it reuses, "Randomness", "How a run ends" and "Metrics"), from the docs alone too.
// Per-host load follows docs/semantics.md "### Per-host load" (under "## Metrics"), docs alone.
// Crashes that lose state follow docs/semantics.md "### Crashes that lose state (`state:
// \"initial\"`)" (under "## Faults: crashes", with "Per-tick series and per-host completion
// ticks"), docs alone: at the crash tick, before anything else of it, the crash's hosts get their
// initial log and known set back; hostCompletionTicks become "complete without a break since".

/**
 * One partition of docs/semantics.md "Faults: partitions": a start tick `at`, an optional heal tick
 * (`heal > at`; absent or null: it never heals) and its groups, either all id lists
 * (`"0..499,700"`) or all fractions.
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
 * (the rumor oracle has its own).
 */
export interface RegionsInput {
  groups: ({ hosts: string } | { fraction: number })[];
  links: { between: [number, number]; latency?: number | string; loss?: number }[];
}

/**
 * One crash of docs/semantics.md "Faults: crashes": a tick `at`, an optional recover tick
 * (`recover > at`; absent or null: the hosts never come back) and the hosts it takes down, either
 * `hosts` (ids and inclusive ranges below N, `"0..9,42"`) or a `fraction` `f`, `0 < f <= 1`
 * (exactly one of the two). Crash i is its index in the run's list, from 0.
 */
export interface CrashInput {
  at: number;
  recover?: number | null;
  hosts?: string;
  fraction?: number;
  /**
   * docs/semantics.md "Crashes that lose state": `"keep"` (the default, absent) keeps the hosts'
   * state across the crash; `"initial"` gives them their initial state at tick `at`, before
   * anything else of that tick. Under `announce` too: messages sent before carry the old log.
   */
  state?: 'keep' | 'initial';
}

/**
 * The churn of docs/semantics.md "Faults: churn" (one per run): from tick `at` until tick `until`
 * (absent or null: for ever) each up host that has not left leaves with probability `leave`, each
 * host that has left joins again with probability `join` (default 0); the last `reserve` ids
 * (default 0, below N) are new hosts that count as having left from tick 0.
 */
export interface ChurnInput {
  at: number;
  until?: number | null;
  leave: number;
  join?: number;
  reserve?: number;
}

export interface OracleInput {
  hosts: number;
  protocol: 'announce' | 'push' | 'pull' | 'push-pull';
  fanout: number;
  view: 'known' | 'full';
  latencyMin: number;
  latencyMax: number;
  loss: number;
  seed: number;
  maxTicks: number;
  /** Faults: partitions, in list order (index i from 0). Absent or empty: no partition. */
  partitions?: PartitionInput[];
  /** Regions: latency and loss per pair of regions. Absent: every message takes the run's. */
  regions?: RegionsInput;
  /** Faults: crashes, in list order (index i from 0). Absent or empty: no crash. */
  crashes?: CrashInput[];
  /** Faults: churn (a single one). Absent: no churn, results exactly as without it. */
  churn?: ChurnInput;
}

/** `{ p50, p95, max }` of N per-host values (docs/semantics.md "Per-host load"). */
export interface LoadQuantiles {
  p50: number;
  p95: number;
  max: number;
}

/** `load` of docs/semantics.md "Per-host load": keys in this order, each `{ p50, p95, max }`. */
export interface OracleLoad {
  sent: LoadQuantiles;
  received: LoadQuantiles;
  bytes: LoadQuantiles;
}


export interface OracleResult {
  converged: boolean;
  ticks: number | null;
  sent: number;
  delivered: number;
  processed: number;
  ignored: number;
  lost: number;
  /** Messages cut by a partition (counted in `lost` too); 0 without partitions. */
  partitioned: number;
  /** Messages delivered to a host that was down at their arrival tick; 0 without crashes. */
  dropped: number;
  /** Hosts up at `lastTick` (`N` without crashes). */
  live: number;
  inFlight: number;
  entries: number;
  spreadTicks: number | null;
  coverage: number;
  endReason: 'converged' | 'stalled' | 'max-ticks';
  lastTick: number;
  hostCompletionTicks: (number | null)[];
  /**
   * Per tick: `complete` counts the live hosts complete at the end of the tick (every host without
   * crashes), `coverage` is over live hosts, `live` the hosts up at the tick (`N` without crashes).
   */
  series: { sent: number[]; delivered: number[]; complete: number[]; coverage: number[]; live: number[] };
  /** Per-host load over ticks 0 .. lastTick, every host (down ones included). */
  load: OracleLoad;
}

/**
 * `{ p50, p95, max }` of the values: pq is the value at rank ceil(q * N), from 1, of the values in
 * ascending order (nearest rank), max the largest. Ranks in integer arithmetic (ceil(50N/100),
 * ceil(95N/100)) so that no floating-point product can move a rank. N >= 1.
 */
export function loadQuantiles(values: number[]): LoadQuantiles {
  const sorted = values.slice().sort((a, b) => a - b);
  const n = sorted.length;
  const rank = (percent: number): number => Math.floor((percent * n + 99) / 100);
  return { p50: sorted[rank(50) - 1]!, p95: sorted[rank(95) - 1]!, max: sorted[n - 1]! };
}

const LATENCY = 1;
const PEER = 2;
const LOSS = 3;
const PARTITION = 5;
const REGION = 6;
const CRASH = 7;
const CHURN = 8;

/** The SPEC's mix32 on unsigned 32-bit integers. */
export function mix32(x0: number): number {
  let x = x0 >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** rand(seed, stream, a, b, c) of the SPEC. */
export function rand(seed: number, stream: number, a: number, b: number, c: number): number {
  return mix32((mix32((mix32((mix32((mix32(seed) ^ stream) >>> 0) ^ a) >>> 0) ^ b) >>> 0) ^ c) >>> 0);
}

/** A partition resolved for a run: its active ticks and the group of every host. */
interface ResolvedPartition {
  at: number;
  /** null: never heals. */
  heal: number | null;
  /** group[h]: the group index of host h; `groups.length` is "the rest". */
  group: number[];
}

/**
 * Parses an id list of docs/semantics.md "Faults: partitions": ids and inclusive ranges `LO..HI`
 * separated by commas, whitespace allowed around each item. Returns the ids in the order written.
 */
export function parseHostList(text: string): number[] {
  const ids: number[] = [];
  // DOCS: the format is given only by the example "0..499,700". Read literally: each comma-separated
  // item, with whitespace around it trimmed, is a decimal id or `LO..HI` (no whitespace inside) with
  // LO <= HI, inclusive; an empty list or an empty item ("0,,1", "") is an error, as is a descending
  // range ("5..3").
  const items = text.split(',');
  for (const raw of items) {
    const item = raw.trim();
    let m = /^(\d+)$/.exec(item);
    if (m) {
      ids.push(Number(m[1]));
      continue;
    }
    m = /^(\d+)\.\.(\d+)$/.exec(item);
    if (m) {
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      if (lo > hi) throw new Error(`partition host list ${JSON.stringify(text)}: descending range ${item}`);
      for (let x = lo; x <= hi; x++) ids.push(x);
      continue;
    }
    throw new Error(`partition host list ${JSON.stringify(text)}: bad item ${JSON.stringify(item)}`);
  }
  return ids;
}

/** Group of every host for partition i, as docs/semantics.md "Faults: partitions" defines it. */
function resolvePartitions(list: PartitionInput[] | undefined, N: number, seed: number): ResolvedPartition[] {
  const out: ResolvedPartition[] = [];
  if (list === undefined) return out;
  list.forEach((p, i) => {
    // DOCS: `heal: null` is read as absent (never heals). heal <= at is rejected ("heal > at").
    const heal = p.heal === undefined || p.heal === null ? null : p.heal;
    if (heal !== null && !(heal > p.at)) throw new Error(`partition ${i}: heal ${heal} is not after at ${p.at}`);
    const G = p.groups.length;
    // "the rest" is group G; a host starts there and is moved into the group that names it.
    const group: number[] = new Array(N).fill(G);
    const idGroups = p.groups.filter((g) => 'hosts' in g).length;
    if (idGroups !== 0 && idGroups !== G) throw new Error(`partition ${i}: id groups and fraction groups mixed`);
    // DOCS: an empty group list is not excluded by the docs; read literally every host is then in
    // the rest, one group, so the partition cuts nothing.
    if (G > 0 && idGroups === G) {
      p.groups.forEach((g, gi) => {
        for (const x of parseHostList((g as { hosts: string }).hosts)) {
          if (!(x < N)) throw new Error(`partition ${i}: host ${x} is not below N = ${N}`);
          // DOCS: naming an id twice inside one group is read as harmless; only overlap between
          // groups is an error ("id groups must not overlap").
          if (group[x] !== G && group[x] !== gi) throw new Error(`partition ${i}: host ${x} in two groups`);
          group[x] = gi;
        }
      });
    } else if (G > 0) {
      // Thresholds floor(F(g) * 2^32), F(g) the sum of the fractions of groups 0 .. g-1.
      // DOCS: F(g) is read as the running sum in double precision, in group order, so thresholds
      // are floor((f0 + f1 + ...) * 2^32) with JavaScript's rounding of the sum.
      const thresholds: number[] = [0];
      let F = 0;
      for (const g of p.groups) {
        const f = (g as { fraction: number }).fraction;
        if (!(f > 0)) throw new Error(`partition ${i}: fraction ${f} is not > 0`);
        F += f;
        thresholds.push(Math.floor(F * 4294967296));
      }
      // DOCS: "summing to at most 1" is checked on the double sum with a 1e-9 allowance, so that
      // e.g. 0.01 + 0.2 + 0.68 + 0.11 (1.0000000000000002 in doubles) is accepted.
      if (F > 1 + 1e-9) throw new Error(`partition ${i}: fractions sum to ${F} > 1`);
      for (let h = 0; h < N; h++) {
        const u = rand(seed, PARTITION, h, i, 0);
        let gi = G; // the rest: u >= floor(F(G) * 2^32)
        for (let g = 0; g < G; g++) {
          if (thresholds[g]! <= u && u < thresholds[g + 1]!) {
            gi = g;
            break;
          }
        }
        group[h] = gi;
      }
    }
    out.push({ at: p.at, heal, group });
  });
  return out;
}

/** Whether a message from `a` to `b` sent at tick t is cut: some active partition separates them. */
function isCut(parts: ResolvedPartition[], t: number, a: number, b: number): boolean {
  for (const p of parts) {
    if (t < p.at) continue;
    if (p.heal !== null && t >= p.heal) continue;
    if (p.group[a] !== p.group[b]) return true;
  }
  return false;
}

/** A message's latency range and loss threshold floor(P * 2^32). */
interface Route {
  lo: number;
  hi: number;
  lossThreshold: number;
}

/** Regions resolved for a run: the region of every host and the route of every pair of regions. */
interface ResolvedRegions {
  /** region[h]: the region of host h; G (the number of groups) is "the rest". */
  region: number[];
  /** route[a][b] for regions a, b in 0 .. G (symmetric). */
  route: Route[][];
}

/** Largest latency accepted, as for `--latency` (docs/troubleshooting.md: "1 to 1000000000"). */
const MAX_LATENCY = 1000000000;

/** A link's `latency`: `D` or `"LO..HI"`, as [LO, HI]. */
function parseLinkLatency(value: unknown, where: string): [number, number] {
  // DOCS: the docs give the forms `D` and `"LO..HI"` and say latencies start at 1 tick. Read
  // literally: a number must be a whole D with 1 <= D <= 1e9 (the `--latency` bound of
  // docs/troubleshooting.md); a string must be exactly `LO..HI` (decimal digits, no whitespace, no
  // sign) with 1 <= LO <= HI <= 1e9. A string holding a single number ("4") is not one of the two
  // forms and is rejected; "4..4" is accepted and is the constant 4 (no hash, LO = HI).
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > MAX_LATENCY) throw new Error(`${where}: latency ${value} is not a whole number of ticks from 1 to ${MAX_LATENCY}`);
    return [value, value];
  }
  if (typeof value === 'string') {
    const m = /^(\d+)\.\.(\d+)$/.exec(value);
    if (m === null) throw new Error(`${where}: latency ${JSON.stringify(value)} is not "LO..HI"`);
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (!(lo >= 1 && lo <= hi && hi <= MAX_LATENCY)) throw new Error(`${where}: latency ${JSON.stringify(value)} needs 1 <= LO <= HI <= ${MAX_LATENCY}`);
    return [lo, hi];
  }
  throw new Error(`${where}: latency ${JSON.stringify(value)} is neither a number nor a string`);
}

/** A link's `loss` P. */
function parseLinkLoss(value: unknown, where: string): number {
  // DOCS: the Regions section gives no range for a link's loss; it defaults to `--loss`, whose range
  // is `0 <= P < 1` (README's option table), and that range is read as the link's too (so a link
  // with loss 1 is rejected, as `--loss 1` is).
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) throw new Error(`${where}: loss ${JSON.stringify(value)} is not in 0 <= P < 1`);
  return value;
}

/**
 * Regions of docs/semantics.md "Regions": the region of every host and the route of every pair.
 * Null when the input has no `regions` (every message then takes the run's latency and loss).
 */
function resolveRegions(regions: RegionsInput | undefined, input: OracleInput, seed: number): ResolvedRegions | null {
  if (regions === undefined) return null;
  const N = input.hosts;
  const groups = regions.groups;
  const links = regions.links;
  if (!Array.isArray(groups)) throw new Error('regions: groups is not a list');
  // DOCS: `links` is read as required by the input type; an empty list is allowed (every pair then
  // takes the run's latency and loss, so the regions change nothing).
  if (!Array.isArray(links)) throw new Error('regions: links is not a list');
  const G = groups.length;
  // "the rest" is region G; a host starts there and is moved into the group that names it.
  // DOCS: an empty list of groups is not excluded by the Regions section; read literally, every host
  // is then in the rest, region 0, and only a link [0, 0] can be given.
  const region: number[] = new Array(N).fill(G);
  const idGroups = groups.filter((g) => 'hosts' in g).length;
  if (idGroups !== 0 && idGroups !== G) throw new Error('regions: id groups and fraction groups mixed');
  if (G > 0 && idGroups === G) {
    groups.forEach((g, gi) => {
      for (const x of parseHostList((g as { hosts: string }).hosts)) {
        if (!(x < N)) throw new Error(`regions: group ${gi}: host ${x} is not below N = ${N}`);
        // DOCS: as for partitions, an id named twice in one group is harmless; only overlap
        // between groups is an error ("no overlaps").
        if (region[x] !== G && region[x] !== gi) throw new Error(`regions: host ${x} in two groups`);
        region[x] = gi;
      }
    });
  } else if (G > 0) {
    // "with the same thresholds as a partition's": group g is floor(F(g) * 2^32) <= u(h) <
    // floor(F(g + 1) * 2^32), F(g) the sum of the fractions of groups 0 .. g-1, and
    // u(h) = rand(seed, REGION, h, 0, 0); u(h) >= floor(F(G) * 2^32): the rest.
    // DOCS: as for partitions, fractions must be > 0 and sum to at most 1 (checked on the running
    // double sum with a 1e-9 allowance), and the thresholds are floors of the running double sum.
    const thresholds: number[] = [0];
    let F = 0;
    for (const g of groups) {
      const f = (g as { fraction: number }).fraction;
      if (typeof f !== 'number' || !(f > 0)) throw new Error(`regions: fraction ${f} is not > 0`);
      F += f;
      thresholds.push(Math.floor(F * 4294967296));
    }
    if (F > 1 + 1e-9) throw new Error(`regions: fractions sum to ${F} > 1`);
    for (let h = 0; h < N; h++) {
      const u = rand(seed, REGION, h, 0, 0);
      for (let g = 0; g < G; g++) {
        if (thresholds[g]! <= u && u < thresholds[g + 1]!) {
          region[h] = g;
          break;
        }
      }
    }
  }
  // Every pair starts with the run's latency and loss.
  const runRoute: Route = { lo: input.latencyMin, hi: input.latencyMax, lossThreshold: Math.floor(input.loss * 2 ** 32) };
  const route: Route[][] = [];
  const given: boolean[][] = [];
  for (let a = 0; a <= G; a++) {
    route.push(new Array<Route>(G + 1).fill(runRoute));
    given.push(new Array<boolean>(G + 1).fill(false));
  }
  links.forEach((link, li) => {
    const where = `regions: links[${li}]`;
    // DOCS: a link holds `between`, `latency` and `loss` only; any other field (a misspelt
    // "latancy", say) is read as an error rather than silently ignored. A field whose value is
    // `undefined` counts as absent.
    for (const key of Object.keys(link)) {
      if (key !== 'between' && key !== 'latency' && key !== 'loss') throw new Error(`${where}: unknown field ${JSON.stringify(key)}`);
    }
    const between: unknown = link.between;
    // DOCS: `between` must be exactly two region numbers, whole numbers from 0 to G ("a and b
    // region numbers from 0 to G"); G itself, the rest, is allowed even when the rest is empty
    // (fractions summing to 1, or id groups naming every host): such a link simply carries nothing.
    if (!Array.isArray(between) || between.length !== 2) throw new Error(`${where}: between is not a pair [a, b]`);
    for (const r of between) {
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > G) throw new Error(`${where}: region ${JSON.stringify(r)} is not a region number from 0 to ${G}`);
    }
    const a = between[0] as number;
    const b = between[1] as number;
    // "a pair has at most one link", and a link applies in both directions: [a, b] and [b, a] are
    // the same pair. DOCS: giving both, or one twice, is an error even if the two agree.
    if (given[a]![b]) throw new Error(`${where}: a second link between regions ${a} and ${b}`);
    given[a]![b] = true;
    given[b]![a] = true;
    let lo = input.latencyMin;
    let hi = input.latencyMax;
    if (link.latency !== undefined) [lo, hi] = parseLinkLatency(link.latency, where);
    const lossThreshold = link.loss !== undefined ? Math.floor(parseLinkLoss(link.loss, where) * 2 ** 32) : runRoute.lossThreshold;
    const r: Route = { lo, hi, lossThreshold };
    route[a]![b] = r;
    route[b]![a] = r;
  });
  return { region, route };
}

/** A crash resolved for a run: its down window and the hosts it holds. */
interface ResolvedCrash {
  at: number;
  /** null: the hosts never come back. */
  recover: number | null;
  /** holds[h]: whether crash i names host h. */
  holds: boolean[];
  /** state "initial": the hosts lose their state at tick `at`. */
  losesState: boolean;
}

/** The hosts of every crash, as docs/semantics.md "Faults: crashes" defines them. */
function resolveCrashes(list: CrashInput[] | undefined, N: number, seed: number): ResolvedCrash[] {
  const out: ResolvedCrash[] = [];
  if (list === undefined) return out;
  list.forEach((c, i) => {
    // DOCS: the docs give no range for `at`; read as a tick, a whole number >= 0 (a crash after
    // --max-ticks is accepted and simply never happens).
    if (typeof c.at !== 'number' || !Number.isInteger(c.at) || c.at < 0) throw new Error(`crash ${i}: at ${JSON.stringify(c.at)} is not a tick`);
    // DOCS: `recover: null` is read as absent (never comes back), as a partition's `heal: null`.
    // recover <= at is rejected ("recover > at"); recover must be a whole tick too.
    const recover = c.recover === undefined || c.recover === null ? null : c.recover;
    if (recover !== null && (typeof recover !== 'number' || !Number.isInteger(recover) || !(recover > c.at))) throw new Error(`crash ${i}: recover ${JSON.stringify(recover)} is not a tick after at ${c.at}`);
    const hasHosts = c.hosts !== undefined;
    const hasFraction = c.fraction !== undefined;
    if (hasHosts === hasFraction) throw new Error(`crash ${i}: needs exactly one of hosts and fraction`);
    const holds: boolean[] = new Array(N).fill(false);
    if (hasHosts) {
      // DOCS: the id list has the partition's format (parseHostList: an empty list is an error);
      // naming an id twice is read as harmless (the host is simply in the crash).
      for (const x of parseHostList(c.hosts!)) {
        if (!(x < N)) throw new Error(`crash ${i}: host ${x} is not below N = ${N}`);
        holds[x] = true;
      }
    } else {
      const f = c.fraction!;
      if (typeof f !== 'number' || !(f > 0 && f <= 1)) throw new Error(`crash ${i}: fraction ${JSON.stringify(f)} is not in 0 < f <= 1`);
      // Host h is in crash i when rand(seed, CRASH, h, i, 0) < floor(f * 2^32); for f = 1 the
      // threshold is 2^32, above every draw, so every host is.
      const threshold = Math.floor(f * 4294967296);
      for (let h = 0; h < N; h++) holds[h] = rand(seed, CRASH, h, i, 0) < threshold;
    }
    // DOCS: `state` absent is "keep" (the documented default); any value other than "keep" or
    // "initial" (null included, unlike recover: null) is rejected rather than read as the default.
    const state: unknown = c.state === undefined ? 'keep' : c.state;
    if (state !== 'keep' && state !== 'initial') throw new Error(`crash ${i}: state ${JSON.stringify(c.state)} is neither "keep" nor "initial"`);
    out.push({ at: c.at, recover, holds, losesState: state === 'initial' });
  });
  return out;
}

/** Whether host h is down at tick t: some crash names it and at <= t < recover. */
function isDown(crashes: ResolvedCrash[], h: number, t: number): boolean {
  for (const c of crashes) {
    if (!c.holds[h]) continue;
    if (t < c.at) continue;
    if (c.recover !== null && t >= c.recover) continue;
    return true;
  }
  return false;
}

/**
 * The run's last crash tick: the largest `at` or `recover` of its crashes that is at most
 * --max-ticks. -1 when there is none (no crash, or every one beyond --max-ticks): no hold.
 */
function lastCrashTick(crashes: ResolvedCrash[], maxTicks: number): number {
  // DOCS: when no `at` or `recover` is at most --max-ticks (say every crash is at a tick beyond
  // it), the docs name no last crash tick; read as "no timeline to play out", so rules 1 and 2
  // apply from tick 0 as without crashes.
  let last = -1;
  for (const c of crashes) {
    if (c.at <= maxTicks) last = Math.max(last, c.at);
    if (c.recover !== null && c.recover <= maxTicks) last = Math.max(last, c.recover);
  }
  return last;
}

/** The churn resolved for a run: its window and its two thresholds floor(p * 2^32). */
interface ResolvedChurn {
  at: number;
  /** null: churns for ever. */
  until: number | null;
  leaveThreshold: number;
  joinThreshold: number;
  join: number;
  reserve: number;
  /** Whether the churn can do nothing at all (leave 0, join 0, reserve 0): see resolveChurn. */
  inert: boolean;
}

/** A probability of the churn: a number with 0 <= p <= 1. */
function churnProbability(value: unknown, what: string): number {
  // DOCS: "Faults: churn" gives no range for `leave` and `join`; they are read as probabilities,
  // 0 <= p <= 1 (p = 1: threshold 2^32, above every draw, so every drawing host leaves or joins),
  // and anything else (above 1, negative, not a number) is rejected.
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new Error(`churn: ${what} ${JSON.stringify(value)} is not a probability in 0 <= p <= 1`);
  return value;
}

/** The churn of docs/semantics.md "Faults: churn", checked. Null when the input has none. */
function resolveChurn(c: ChurnInput | undefined, N: number): ResolvedChurn | null {
  if (c === undefined) return null;
  // DOCS: as for a crash, `at` is read as a tick, a whole number >= 0.
  if (typeof c.at !== 'number' || !Number.isInteger(c.at) || c.at < 0) throw new Error(`churn: at ${JSON.stringify(c.at)} is not a tick`);
  // DOCS: `until: null` is read as absent (churns for ever). The docs do not say `until > at` in
  // so many words ("from tick at until tick until"); read as the partitions' heal and the crashes'
  // recover, until <= at (an empty window) is rejected, and until must be a whole tick.
  const until = c.until === undefined || c.until === null ? null : c.until;
  if (until !== null && (typeof until !== 'number' || !Number.isInteger(until) || !(until > c.at))) throw new Error(`churn: until ${JSON.stringify(until)} is not a tick after at ${c.at}`);
  const leave = churnProbability(c.leave, 'leave');
  const join = churnProbability(c.join ?? 0, 'join');
  const reserve = c.reserve ?? 0;
  // "reserve R (default 0, below N)": a whole number 0 <= R < N, so host 0, the seed, is never new.
  if (typeof reserve !== 'number' || !Number.isInteger(reserve) || reserve < 0 || !(reserve < N)) throw new Error(`churn: reserve ${JSON.stringify(reserve)} is not a count below N = ${N}`);
  // DOCS: "leave = 0 and join = 0 give the metrics of the run without churn" is read as a rule of
  // its own that wins over the timeline rule: such a churn (with reserve 0, the default; with
  // reserved hosts that can never join the metrics differ anyway) holds no end of the run, so
  // ending ticks and reasons are those without churn even when `at` or `until` lie after them.
  const inert = leave === 0 && join === 0 && reserve === 0;
  return {
    at: c.at, until, join, reserve, inert,
    leaveThreshold: Math.floor(leave * 4294967296),
    joinThreshold: Math.floor(join * 4294967296),
  };
}

/** Whether churn draws at tick t: at <= t < until. */
function churnActs(churn: ResolvedChurn | null, t: number): boolean {
  return churn !== null && churn.at <= t && (churn.until === null || t < churn.until);
}

type Kind = 'set' | 'push' | 'pull' | 'reply';

interface Message {
  from: number;
  to: number;
  kind: Kind;
  snapshot: number[];
  seq: number;
  deliverAt: number;
}

export function oracleSimulate(input: OracleInput): OracleResult {
  const N = input.hosts;
  const periodic = input.protocol !== 'announce';
  const seed = input.seed >>> 0;
  const lossThreshold = Math.floor(input.loss * 2 ** 32);
  const parts = resolvePartitions(input.partitions, N, seed);
  const regions = resolveRegions(input.regions, input, seed);
  const crashes = resolveCrashes(input.crashes, N, seed);
  const churn = resolveChurn(input.churn, N);
  const runRoute: Route = { lo: input.latencyMin, hi: input.latencyMax, lossThreshold };
  // The initial log of host h ("Model", "Views"): [h] for announce and view full; under view
  // known [h, 0], and [0] for host 0. A crash that loses state gives the host this log again.
  function initialLog(h: number): number[] {
    if (!periodic || input.view === 'full' || h === 0) return [h];
    return [h, 0];
  }

  // State
  const L: number[][] = [];
  const K: Set<number>[] = [];
  for (let h = 0; h < N; h++) {
    const log = initialLog(h);
    L.push(log);
    K.push(new Set(log));
  }
  const stopped: boolean[] = new Array(N).fill(false); // announce only
  const seqOf: number[] = new Array(N).fill(0);
  const completion: (number | null)[] = new Array(N).fill(null);

  // Messages in flight (not lost, not delivered yet)
  let pending: Message[] = [];

  let sent = 0;
  let delivered = 0;
  let processed = 0;
  let ignored = 0;
  let lost = 0;
  let partitioned = 0;
  let dropped = 0;
  let entries = 0;
  let spreadTicks: number | null = null;
  // Per-host load (docs/semantics.md "Per-host load"): sent(h), received(h), bytes(h).
  const hostSent: number[] = new Array(N).fill(0);
  const hostReceived: number[] = new Array(N).fill(0);
  const hostBytes: number[] = new Array(N).fill(0);

  const series = { sent: [] as number[], delivered: [] as number[], complete: [] as number[], coverage: [] as number[], live: [] as number[] };

  // Per-tick counters
  let tickSent = 0;
  let tickDelivered = 0;
  let kCounter: number[] = new Array(N).fill(0);

  function send(t: number, from: number, to: number, kind: Kind, s: number): void {
    const k = kCounter[from]!;
    kCounter[from] = k + 1;
    const seq = seqOf[from]!;
    seqOf[from] = seq + 1;
    // A copy, not a prefix length: a host that loses its state later gets a new log, and a message
    // it sent before must still carry what it had when it sent it ("Crashes that lose state").
    const snapshot = L[from]!.slice(0, s);
    sent++;
    tickSent++;
    entries += s;
    // sent(h) counts every message h sent, lost and cut ones included (counted here, before the
    // transport decides), and bytes(h) = 4 * s over those messages, the ids they carry.
    // DOCS: a cut or lost message's s counts in bytes(h) as in `entries` ("sum(bytes(h)) =
    // 4 * entries", and `entries` is the sum of s over sent messages, lost ones included).
    hostSent[from] = hostSent[from]! + 1;
    hostBytes[from] = hostBytes[from]! + 4 * s;
    // Partitions apply in the transport, before loss and latency: a cut message keeps its index k
    // (taken above) and its send sequence number, counts as sent (its snapshot as carried) and as
    // lost and partitioned; no loss or latency hash is drawn for it.
    // DOCS: "counted as lost" is read with the loss rule's "a lost message counts as sent (and its
    // snapshot as carried)", so a cut message adds to `sent`, `series.sent` and `entries`.
    if (isCut(parts, t, from, to)) {
      lost++;
      partitioned++;
      return;
    }
    // Regions: a message that no partition cuts takes the latency range and loss of the link
    // between its ends' regions, or the run's when there is none, with the same draws (f, t, k).
    const route = regions === null ? runRoute : regions.route[regions.region[from]!]![regions.region[to]!]!;
    let d: number;
    if (route.lo === route.hi) d = route.lo;
    else d = route.lo + (rand(seed, LATENCY, from, t, k) % (route.hi - route.lo + 1));
    const isLost = rand(seed, LOSS, from, t, k) < route.lossThreshold;
    if (isLost) {
      lost++;
      return;
    }
    pending.push({ from, to, kind, snapshot, seq, deliverAt: t + d });
  }

  // Merge a snapshot into host h; calls onAppend(x) right after each append.
  function merge(h: number, snapshot: number[], onAppend: (x: number) => void): void {
    for (const x of snapshot) {
      if (!K[h]!.has(x)) {
        K[h]!.add(x);
        L[h]!.push(x);
        onAppend(x);
      }
    }
  }

  function periodicStep(h: number, t: number): void {
    for (let j = 0; j < input.fanout; j++) {
      const r = rand(seed, PEER, h, t, j);
      let peer: number;
      if (input.view === 'known') {
        const candidates = [...K[h]!].filter((x) => x !== h).sort((a, b) => a - b);
        if (candidates.length === 0) continue;
        peer = candidates[r % candidates.length]!;
      } else {
        if (N <= 1) continue; // no other host to call
        const c = r % (N - 1);
        peer = c < h ? c : c + 1;
      }
      if (input.protocol === 'pull') send(t, h, peer, 'pull', 1);
      else send(t, h, peer, 'push', L[h]!.length);
    }
  }

  // Completion ticks are recomputed at the end of every tick, over every host (down ones
  // included), from "Crashes that lose state": hostCompletionTicks[h] is the last tick at whose
  // end h became complete (complete at its end, and t = 0 or not complete at the end of t - 1),
  // null while h is not complete. Without state-losing crashes K(h) only grows, so this is the
  // first tick at whose end h was complete: the tick at which it became complete, as before.
  // Hosts complete from the start (N = 1; N = 2 under view known for host 1) get 0.
  // DOCS: a host complete from its initial state has completion tick 0 even if it is down at
  // tick 0 ("a down host's completion tick, if any, is before it went down or after it came
  // back": read as "completion ticks are when |K(h)| became N", which for the initial state is 0).
  // DOCS: the same for a reserved host of churn complete from its initial state (view known, N = 2,
  // reserve 1: host 1 starts knowing {1, 0}): its completion tick is 0, before it ever joined.
  // DOCS: a host whose initial state is already complete (N = 1; host 1 of N = 2 under view known)
  // is unchanged by losing its state (its log can only ever be its initial one), so it stays
  // complete without a break: "count it as it now is" is read over "they count as not complete
  // from its tick on", which describes every other host.
  const completePrev: boolean[] = new Array(N).fill(false);

  // Crashes: started[h] once host h has had its start (announce's set to host 0; nothing for the
  // periodic protocols), at the first tick at which it is up.
  const started: boolean[] = new Array(N).fill(false);
  // The fault timeline: the last crash tick, and churn's `at` and `until` within the run.
  // DOCS: "before its `until` when that is at most --max-ticks" is read for `at` too (as the crash
  // rule's "at most --max-ticks", and docs/scenarios.md's "nor before churn starts, or stops,
  // within the run"): a churn whose `at` is beyond --max-ticks holds nothing.
  let holdUntil = lastCrashTick(crashes, input.maxTicks);
  if (churn !== null && !churn.inert) {
    if (churn.at <= input.maxTicks) holdUntil = Math.max(holdUntil, churn.at);
    if (churn.until !== null && churn.until <= input.maxTicks) holdUntil = Math.max(holdUntil, churn.until);
  }
  // Churn: left[h] while host h has left (and not joined again). Reserved hosts N-R .. N-1 count
  // as having left from tick 0: down until they first join, starting then (the `started` machinery
  // of crashes) with the initial state set above (a down host learns nothing).
  // DOCS: they count as having left from tick 0 even when churn's `at` is later: they are down at
  // every tick before `at` (nobody draws then) and can first join at `at`.
  const left: boolean[] = new Array(N).fill(false);
  if (churn !== null) for (let h = N - churn.reserve; h < N; h++) left[h] = true;

  let endReason: OracleResult['endReason'] = 'max-ticks';
  let lastTick = 0;
  let liveAtEnd = N;
  for (let t = 0; ; t++) {
    tickSent = 0;
    tickDelivered = 0;
    kCounter = new Array(N).fill(0);

    // Crashes that lose state: at the crash tick `at`, before anything else of the tick, every host
    // of a state-"initial" crash gets its initial log and known set, down or up already (a crash
    // whose hosts are already down is applied all the same). Nothing else changes: messages in
    // flight hold the snapshot copied when they were sent, and send sequence numbers, started[h]
    // and the load counters go on. At tick 0 the state is the initial state: no change.
    // DOCS: a host named by two state-losing crashes at the same tick is reset once (the same
    // result); every crash of the list applies, in list order, whatever its recover tick.
    for (const c of crashes) {
      if (!c.losesState || c.at !== t) continue;
      for (let h = 0; h < N; h++) {
        if (!c.holds[h]) continue;
        L[h] = initialLog(h);
        K[h] = new Set(L[h]);
        // announce: a host that loses its state has not stopped any more ("it handles messages
        // again": only a complete host stops), unless its initial log is every host (N = 1).
        stopped[h] = !periodic && K[h]!.size === N && stopped[h]!;
      }
    }

    // Split out the messages delivered at this tick (none at tick 0: every latency is >= 1).
    const now: Message[] = [];
    const later: Message[] = [];
    for (const m of pending) (m.deliverAt === t ? now : later).push(m);
    pending = later;
    // Crashes and recoveries of t apply first, then churn's draws: a host that has left draws only
    // c = 1 (join), any other up host only c = 0 (leave); a host held down by a crash and not by
    // churn draws nothing. A host is down while a crash holds it or it has left.
    const crashDown: boolean[] = [];
    for (let h = 0; h < N; h++) crashDown.push(isDown(crashes, h, t));
    if (churn !== null && churnActs(churn, t)) {
      for (let h = 0; h < N; h++) {
        if (left[h]) {
          // DOCS: a host that has left and is also held by a crash still draws its join ("a host
          // that has left draws only c = 1"); if it joins it stays down while the crash holds it
          // ("up at t, unless a crash holds it") and, no longer having left, draws nothing more
          // until the crash lets it go.
          if (rand(seed, CHURN, h, t, 1) < churn.joinThreshold) left[h] = false;
        } else if (!crashDown[h]) {
          // DOCS: a host that leaves at t is down at t already (as one that joins at t is up at
          // t): its deliveries of t are dropped and it takes no step in t.
          if (rand(seed, CHURN, h, t, 0) < churn.leaveThreshold) left[h] = true;
        }
      }
    }
    const up: boolean[] = [];
    for (let h = 0; h < N; h++) up.push(!crashDown[h] && !left[h]);

    // Hosts one after another in id order (docs: the same result as all at once, since a host only
    // changes its own state and every message sent now arrives at t + 1 or later).
    for (let h = 0; h < N; h++) {
      const mine = now.filter((m) => m.to === h).sort((a, b) => a.from - b.from || a.seq - b.seq);
      if (!up[h]) {
        // A down host: every delivery is counted as delivered and dropped, and nothing else (not
        // handled, neither processed nor ignored, no send); no periodic step.
        // DOCS: this holds for an announce host that had stopped as well: a message reaching a
        // stopped host while it is down is dropped, not ignored ("and nothing else").
        for (const _m of mine) {
          delivered++;
          tickDelivered++;
          dropped++;
          // received(h) counts dropped messages too ("whether handled, ignored or dropped").
          hostReceived[h] = hostReceived[h]! + 1;
        }
        continue;
      }
      // The host's start, at its first up tick, before its deliveries: its messages take the
      // indices k = 0, 1, ... of the tick first. At tick 0 this is the usual start.
      if (!started[h]) {
        started[h] = true;
        // DOCS: a host whose start is delayed by a crash from tick 0 still announces itself with
        // s = 1 (its log is still [h]: a down host learns nothing).
        if (!periodic && h !== 0) send(t, h, 0, 'set', 1);
      }
      for (const m of mine) {
        delivered++;
        tickDelivered++;
        // received(h): every message delivered to h, handled or ignored (a stopped host's too).
        hostReceived[h] = hostReceived[h]! + 1;
        if (!periodic) {
          if (stopped[h]) {
            ignored++;
            continue;
          }
          processed++;
          // set message
          merge(h, m.snapshot, (x) => {
            send(t, h, x, 'set', L[h]!.length);
          });
          if (K[h]!.size === N) stopped[h] = true;
        } else {
          processed++;
          if (m.kind === 'push') {
            merge(h, m.snapshot, () => {});
            if (input.protocol === 'push-pull') send(t, h, m.from, 'reply', L[h]!.length);
          } else if (m.kind === 'pull') {
            merge(h, m.snapshot, () => {});
            send(t, h, m.from, 'reply', L[h]!.length);
          } else {
            merge(h, m.snapshot, () => {});
          }
        }
      }
      if (periodic) periodicStep(h, t);
    }

    // End of tick t bookkeeping. Complete, coverage and converged are over the live hosts A(t);
    // spreadTicks is over every host, down ones included.
    let live = 0;
    let completeCount = 0;
    let knowSum = 0;
    let allKnow0 = true;
    for (let h = 0; h < N; h++) {
      if (!K[h]!.has(0)) allKnow0 = false;
      if (!up[h]) continue;
      live++;
      if (K[h]!.size === N) completeCount++;
      knowSum += K[h]!.size;
    }
    // spreadTicks keeps its definition under state loss: the first tick at whose end every host
    // knew host 0, even if some host forgets it later.
    if (spreadTicks === null && allKnow0) spreadTicks = t;
    for (let h = 0; h < N; h++) {
      const isComplete = K[h]!.size === N;
      if (!isComplete) completion[h] = null;
      else if (t === 0 || !completePrev[h]) completion[h] = t;
      completePrev[h] = isComplete;
    }
    series.sent.push(tickSent);
    series.delivered.push(tickDelivered);
    series.complete.push(completeCount);
    // Without crashes live = N, so this is knowSum / (N * N) as before.
    series.coverage.push(live === 0 ? 0 : knowSum / (live * N));
    series.live.push(live);
    lastTick = t;
    liveAtEnd = live;

    // With crashes, rules 1 and 2 apply only from the run's last crash tick on.
    const mayEnd = t >= holdUntil;
    if (mayEnd && live > 0 && completeCount === live) {
      endReason = 'converged';
      break;
    }
    // "while churn still acts at the next tick, with join > 0 and R > 0, a run is not stalled".
    // DOCS: read literally: R > 0 is the churn's reserve, whether or not every reserved host has
    // joined already, and "acts at the next tick" is at <= t + 1 < until.
    const mayJoinNext = churn !== null && churn.join > 0 && churn.reserve > 0 && churnActs(churn, t + 1);
    if (mayEnd && !periodic && pending.length === 0 && !mayJoinNext) {
      endReason = 'stalled';
      break;
    }
    if (t >= input.maxTicks) {
      endReason = 'max-ticks';
      break;
    }
  }

  const converged = endReason === 'converged';
  let ticks: number | null = null;
  if (converged) {
    // "Faults: crashes": when a run converges, `ticks = lastTick` (the tick at whose end every live
    // host is complete), under crashes too, even when no host completed in that tick.
    ticks = lastTick;
  }
  const result: Omit<OracleResult, 'load'> = {
    converged,
    ticks,
    sent,
    delivered,
    processed,
    ignored,
    lost,
    partitioned,
    dropped,
    live: liveAtEnd,
    inFlight: pending.length,
    entries,
    spreadTicks,
    coverage: series.coverage[series.coverage.length - 1]!,
    endReason,
    lastTick,
    hostCompletionTicks: completion,
    series,
  };
  // load = { sent, received, bytes }, each { p50, p95, max }, over all N hosts, down ones included.
  // DOCS: N = 0 is not a run the docs describe; the oracle is only ever given N >= 1.
  const load: OracleLoad = {
    sent: loadQuantiles(hostSent),
    received: loadQuantiles(hostReceived),
    bytes: loadQuantiles(hostBytes),
  };
  (result as { load?: OracleLoad }).load = load;
  return result as OracleResult;
}
