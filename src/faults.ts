/**
 * Faults (docs/semantics.md "Faults: partitions", "Faults: crashes"): what a run's partitions and
 * crashes are, how they are checked, and which group each host is in and when it is down. Pure functions of the options and the seed, so
 * every engine and thread count sees the same groups; the transport (transport.ts) applies them.
 */
import { OptionError } from './errors.js';
import { rand, STREAM_CHURN, STREAM_CRASH, STREAM_PARTITION, STREAM_REGION, threshold32 } from './hash.js';

/** A group of a partition: host ids and inclusive ranges ("0..499,700"), or a fraction of the hosts. */
export type PartitionGroup = { readonly hosts: string } | { readonly fraction: number };

/** A partition as given (simulate()'s `partitions`, a scenario's `partition` event). */
export interface PartitionInput {
  readonly at: number;
  /** The tick it heals at (cuts nothing from then on); absent or null: never. */
  readonly heal?: number | null;
  readonly groups: readonly PartitionGroup[];
}

/** A checked partition (SimulationOptions.partitions). */
export interface Partition {
  readonly at: number;
  readonly heal: number | null;
  readonly groups: readonly PartitionGroup[];
}

/** Partitions a run may have, at most, and groups a partition may have. */
export const MAX_PARTITIONS = 64;
export const MAX_GROUPS = 1024;

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Parses "0..499, 700" into [lo, hi] ranges (inclusive); null when the text is not of that form. */
export function parseHostList(text: string): [number, number][] | null {
  const parts = text.split(',').map((p) => p.trim());
  const ranges: [number, number][] = [];
  for (const part of parts) {
    const m = /^(\d+)(?:\s*\.\.\s*(\d+))?$/.exec(part);
    if (m === null) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) return null;
    ranges.push([lo, hi]);
  }
  return ranges;
}

/**
 * Checks a run's partitions against its host count and tick limit; `where` names a value's path
 * for the error (`partitions[0].groups[1].hosts`, or a scenario file's `events[3].partition...`).
 * Throws OptionError naming the path, the value and what is allowed.
 */
export function checkPartitions(raw: unknown, hosts: number, where: (i: number, rest: string) => string = (i, rest) => `partitions[${i}]${rest}`): Partition[] {
  if (!Array.isArray(raw)) throw new OptionError(where(0, '').replace(/\[0\]$/, ''), show(raw), 'a list of partitions');
  if (raw.length > MAX_PARTITIONS) throw new OptionError(where(0, '').replace(/\[0\]$/, ''), `${raw.length} partitions`, `at most ${MAX_PARTITIONS}`);
  return raw.map((p: unknown, i): Partition => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new OptionError(where(i, ''), show(p), 'an object { at, heal, groups }');
    const entry = p as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!['at', 'heal', 'groups'].includes(key)) throw new OptionError(where(i, `.${key}`), show(entry[key]), 'no such key (a partition has at, heal and groups)');
    }
    const at = entry['at'];
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0) throw new OptionError(where(i, '.at'), show(at), 'the tick it starts at, an integer >= 0');
    const heal = entry['heal'] ?? null;
    if (heal !== null && (typeof heal !== 'number' || !Number.isInteger(heal) || heal <= at)) {
      throw new OptionError(where(i, '.heal'), show(heal), `the tick it heals at, an integer > its start ${at} (or none: it never heals)`);
    }
    const groups = entry['groups'];
    if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_GROUPS) {
      throw new OptionError(where(i, '.groups'), show(groups), `a list of 1 to ${MAX_GROUPS} groups, each { hosts: "0..499,700" } or { fraction: 0.5 }`);
    }
    const kinds = new Set<string>();
    /** The ranges of the groups checked so far: [lo, hi, group]. */
    const taken: [number, number, number][] = [];
    let fractions = 0;
    const checked = groups.map((g: unknown, j): PartitionGroup => {
      const path = `.groups[${j}]`;
      if (typeof g !== 'object' || g === null || Array.isArray(g) || Object.keys(g).length !== 1) {
        throw new OptionError(where(i, path), show(g), 'a group { hosts: "0..499,700" } or { fraction: 0.5 }');
      }
      const group = g as Record<string, unknown>;
      if ('hosts' in group) {
        kinds.add('hosts');
        const text = group['hosts'];
        const ranges = typeof text === 'string' ? parseHostList(text) : typeof text === 'number' && Number.isSafeInteger(text) && text >= 0 ? [[text, text] as [number, number]] : null;
        if (ranges === null) throw new OptionError(where(i, `${path}.hosts`), show(text), 'host ids and inclusive ranges, e.g. "0..499,700"');
        for (const [lo, hi] of ranges) {
          if (hi >= hosts) throw new OptionError(where(i, `${path}.hosts`), show(text), `host ids below --hosts ${hosts}; ${hi} is not a host of this run`);
          taken.push([lo, hi, j]);
        }
        return { hosts: ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}..${hi}`)).join(',') };
      }
      if ('fraction' in group) {
        kinds.add('fraction');
        const f = group['fraction'];
        if (typeof f !== 'number' || !(f > 0) || f > 1) throw new OptionError(where(i, `${path}.fraction`), show(f), 'a fraction of the hosts, > 0 and <= 1');
        fractions += f;
        if (fractions > 1 + 1e-12) throw new OptionError(where(i, `${path}.fraction`), show(f), 'fractions that sum to at most 1 over the groups of a partition');
        return { fraction: f };
      }
      throw new OptionError(where(i, path), show(g), 'a group { hosts: "0..499,700" } or { fraction: 0.5 }');
    });
    if (kinds.size > 1) throw new OptionError(where(i, '.groups'), show(groups), 'groups that are all host lists or all fractions, not both');
    // Overlaps, in O(R log R) for R ranges: sorted by start, each range must begin after the end
    // of every earlier one.
    taken.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let reach = -1;
    let reachGroup = -1;
    for (const [lo, hi, j] of taken) {
      if (lo <= reach) {
        const where2 = reachGroup === j ? 'named twice in this group' : `also in group ${Math.min(reachGroup, j)}`;
        const later = Math.max(reachGroup, j);
        throw new OptionError(where(i, `.groups[${later}].hosts`), show((groups[later] as { hosts: unknown }).hosts), `groups that do not overlap; ${lo} is ${where2}`);
      }
      if (hi > reach) {
        reach = hi;
        reachGroup = j;
      }
    }
    return { at, heal, groups: checked };
  });
}

/**
 * The group of every host in partition `index` of a run (docs/semantics.md "Faults: partitions"):
 * 0 .. G-1 for its groups, G for the rest. Allocates N bytes (two per host beyond 255 groups).
 */
export function groupsOf(partition: Partition, index: number, hosts: number, seed: number): Uint8Array | Uint16Array {
  return groupMap(partition.groups, hosts, seed, STREAM_PARTITION, index);
}

/** Group numbers of every host: id groups, or fraction groups by rand(seed, stream, h, index, 0); G for the rest. */
function groupMap(groups: readonly PartitionGroup[], hosts: number, seed: number, stream: number, index: number): Uint8Array | Uint16Array {
  const g = groups.length;
  const map = g < 255 ? new Uint8Array(hosts).fill(g) : new Uint16Array(hosts).fill(g);
  if ('hosts' in groups[0]!) {
    groups.forEach((group, j) => {
      for (const [lo, hi] of parseHostList((group as { hosts: string }).hosts)!) map.fill(j, lo, hi + 1);
    });
    return map;
  }
  const thresholds: number[] = [];
  let sum = 0;
  for (const group of groups) {
    sum += (group as { fraction: number }).fraction;
    thresholds.push(threshold32(sum));
  }
  for (let h = 0; h < hosts; h++) {
    const u = rand(seed, stream, h, index, 0);
    let j = 0;
    while (j < g && u >= thresholds[j]!) j++;
    map[h] = j;
  }
  return map;
}

// ---- regions (docs/semantics.md "Regions: latency and loss per pair of regions") -------------

/** A link between two regions as given: its latency (D or "LO..HI") and loss, each defaulting to the run's. */
export interface RegionLinkInput {
  readonly between: readonly [number, number];
  /** D, "LO..HI", or { min, max } as a run's resolved options write it. */
  readonly latency?: number | string | { readonly min: number; readonly max: number };
  readonly loss?: number;
}

/** Regions as given (simulate()'s `regions`, a scenario's `regions`). */
export interface RegionsInput {
  readonly groups: readonly PartitionGroup[];
  readonly links?: readonly RegionLinkInput[];
}

/** A checked link: both ends, its latency range and loss (the run's where the input left them out). */
export interface RegionLink {
  readonly between: readonly [number, number];
  readonly latency: { readonly min: number; readonly max: number };
  readonly loss: number;
}

/** Checked regions (SimulationOptions.regions): groups as a partition's, links resolved. */
export interface Regions {
  readonly groups: readonly PartitionGroup[];
  readonly links: readonly RegionLink[];
}

/**
 * Checks a run's regions: groups as a partition's (checkPartitions), links between region numbers
 * 0 .. G (G: the rest), one per pair. `latency` and `loss` parse a link's values as the run's
 * options do (they throw OptionError naming the run's flag; the message is re-issued here naming
 * the link). Throws OptionError naming the path (`regions.links[1].between`), the value and what
 * is allowed.
 */
export function checkRegions(
  raw: unknown,
  hosts: number,
  run: { readonly latency: { readonly min: number; readonly max: number }; readonly loss: number },
  parse: { readonly latency: (value: unknown) => { min: number; max: number }; readonly loss: (value: unknown) => number },
  where: (rest: string) => string = (rest) => `regions${rest}`,
): Regions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OptionError(where(''), show(raw), 'an object { groups, links }');
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (key !== 'groups' && key !== 'links') throw new OptionError(where(`.${key}`), show(entry[key]), 'no such key (regions have groups and links)');
  }
  // The groups follow a partition's rules exactly: check them as one that never heals.
  const [asPartition] = checkPartitions([{ at: 0, groups: entry['groups'] }], hosts, (_i, rest) => where(rest));
  const groups = asPartition!.groups;
  const last = groups.length;
  const linksRaw = entry['links'] ?? [];
  if (!Array.isArray(linksRaw)) throw new OptionError(where('.links'), show(linksRaw), 'a list of links { between: [a, b], latency, loss }');
  const seen = new Set<string>();
  const links = linksRaw.map((l: unknown, j): RegionLink => {
    const path = `.links[${j}]`;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) throw new OptionError(where(path), show(l), 'a link { between: [a, b], latency, loss }');
    const link = l as Record<string, unknown>;
    for (const key of Object.keys(link)) {
      if (!['between', 'latency', 'loss'].includes(key)) throw new OptionError(where(`${path}.${key}`), show(link[key]), 'no such key (a link has between, latency and loss)');
    }
    const between = link['between'];
    const isRegion = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= last;
    if (!Array.isArray(between) || between.length !== 2 || !isRegion(between[0]) || !isRegion(between[1])) {
      throw new OptionError(where(`${path}.between`), show(between), `two region numbers from 0 to ${last} (${last}: the hosts of no group)`);
    }
    const a = Math.min(between[0], between[1]);
    const b = Math.max(between[0], between[1]);
    if (seen.has(`${a},${b}`)) throw new OptionError(where(`${path}.between`), show(between), 'one link per pair of regions; this pair has one already');
    seen.add(`${a},${b}`);
    const latency = link['latency'] === undefined ? run.latency : reissued(where(`${path}.latency`), () => parse.latency(link['latency']));
    const loss = link['loss'] === undefined ? run.loss : reissued(where(`${path}.loss`), () => parse.loss(link['loss']));
    return { between: [between[0], between[1]], latency: { min: latency.min, max: latency.max }, loss };
  });
  return { groups, links };
}

/** `parse()`, with an OptionError it throws named after `path` (a link's field) instead of the run's flag. */
function reissued<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    throw new OptionError(path, error.value, error.allowed);
  }
}

/** The region of every host (0 .. G-1 for its groups, G for the rest); stream REGION, index 0. */
export function regionsOf(regions: Regions, hosts: number, seed: number): Uint8Array | Uint16Array {
  return groupMap(regions.groups, hosts, seed, STREAM_REGION, 0);
}

/**
 * The partitions of a run that can cut anything, those that start by its last tick, each with its
 * index in the run's list (the hash of its fraction groups is by that index).
 */
export function reachablePartitions(options: { readonly partitions?: readonly Partition[]; readonly maxTicks: number }): { readonly partition: Partition; readonly index: number }[] {
  return (options.partitions ?? []).map((partition, index) => ({ partition, index })).filter(({ partition }) => partition.at <= options.maxTicks);
}

/**
 * Bytes of the fault maps in one engine instance: a byte per host (two past 254 groups) for each
 * partition that can cut and for the regions, the regions' link tables, and the down-host counts.
 */
export function faultMapBytes(options: { readonly hosts: number; readonly maxTicks: number; readonly seed: number; readonly partitions?: readonly Partition[]; readonly regions?: Regions; readonly crashes?: readonly Crash[]; readonly churn?: Churn }): number {
  const perHost = (groups: number): number => options.hosts * (groups < 255 ? 1 : 2);
  let bytes = crashMapBytes(options);
  for (const { partition } of reachablePartitions(options)) bytes += perHost(partition.groups.length);
  if (options.regions !== undefined) {
    const r = options.regions.groups.length + 1;
    bytes += perHost(r - 1) + r * r * 16;
  }
  return bytes;
}

/** The smallest and largest latency any message of a run can take (its own and every link's). */
export function latencyEnvelope(options: { readonly latency: { readonly min: number; readonly max: number }; readonly regions?: Regions }): { min: number; max: number } {
  let min = options.latency.min;
  let max = options.latency.max;
  for (const link of options.regions?.links ?? []) {
    min = Math.min(min, link.latency.min);
    max = Math.max(max, link.latency.max);
  }
  return { min, max };
}

// ---- crashes (docs/semantics.md "Faults: crashes") ---------------------------------------------

/** A crash as given (simulate()'s `crashes`, a scenario's `crash` event): the hosts, as ids or a fraction. */
export interface CrashInput {
  readonly at: number;
  /** The tick its hosts come back at, keeping their state; absent or null: never. */
  readonly recover?: number | null;
  readonly hosts?: string | number;
  readonly fraction?: number;
  /**
   * What its hosts hold: `keep` (the state they had when they went down; the default) or
   * `initial` (they lose their state at the crash and come back with their initial state).
   */
  readonly state?: 'keep' | 'initial';
}

/**
 * A checked crash (SimulationOptions.crashes): exactly one of `hosts` (normalised id list) and
 * `fraction`, and `state: 'initial'` only for a crash that loses its hosts' state.
 */
export type Crash = { readonly at: number; readonly recover: number | null; readonly state?: 'initial' } & ({ readonly hosts: string } | { readonly fraction: number });

/** Crashes a run may have, at most. */
export const MAX_CRASHES = 1024;

/**
 * Checks a run's crashes against its host count; `where` names a value's path for the error
 * (`crashes[0].fraction`, or a scenario file's `events[3].crash.fraction`). Throws OptionError
 * naming the path, the value and what is allowed.
 */
export function checkCrashes(raw: unknown, hosts: number, where: (i: number, rest: string) => string = (i, rest) => `crashes[${i}]${rest}`): Crash[] {
  const whole = where(0, '').replace(/\[0\]$/, '');
  if (!Array.isArray(raw)) throw new OptionError(whole, show(raw), 'a list of crashes');
  if (raw.length > MAX_CRASHES) throw new OptionError(whole, `${raw.length} crashes`, `at most ${MAX_CRASHES}`);
  return raw.map((c: unknown, i): Crash => {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new OptionError(where(i, ''), show(c), 'an object { at, recover, hosts } or { at, recover, fraction }');
    const entry = c as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!['at', 'recover', 'hosts', 'fraction', 'state'].includes(key)) throw new OptionError(where(i, `.${key}`), show(entry[key]), 'no such key (a crash has at, recover, hosts or fraction, and state)');
    }
    const at = entry['at'];
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0) throw new OptionError(where(i, '.at'), show(at), 'the tick its hosts go down at, an integer >= 0');
    const recover = entry['recover'] ?? null;
    if (recover !== null && (typeof recover !== 'number' || !Number.isInteger(recover) || recover <= at)) {
      throw new OptionError(where(i, '.recover'), show(recover), `the tick its hosts come back at, an integer > its crash tick ${at} (or none: they never come back)`);
    }
    const state = entry['state'] ?? 'keep';
    if (state !== 'keep' && state !== 'initial') {
      throw new OptionError(where(i, '.state'), show(state), '"keep" (its hosts keep their state) or "initial" (they lose it at the crash and come back with their initial state)');
    }
    const loses = state === 'initial' ? { state: 'initial' as const } : {};
    const hasHosts = entry['hosts'] !== undefined;
    const hasFraction = entry['fraction'] !== undefined;
    if (hasHosts === hasFraction) throw new OptionError(where(i, ''), show(c), 'exactly one of hosts ("0..9,42") and fraction (0.1)');
    if (hasHosts) {
      const text = entry['hosts'];
      const ranges = typeof text === 'string' ? parseHostList(text) : typeof text === 'number' && Number.isSafeInteger(text) && text >= 0 ? [[text, text] as [number, number]] : null;
      if (ranges === null) throw new OptionError(where(i, '.hosts'), show(text), 'host ids and inclusive ranges, e.g. "0..9,42"');
      for (const [, hi] of ranges) {
        if (hi >= hosts) throw new OptionError(where(i, '.hosts'), show(text), `host ids below --hosts ${hosts}; ${hi} is not a host of this run`);
      }
      return { at, recover, hosts: ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}..${hi}`)).join(','), ...loses };
    }
    const f = entry['fraction'];
    if (typeof f !== 'number' || !(f > 0) || f > 1) throw new OptionError(where(i, '.fraction'), show(f), 'a fraction of the hosts, > 0 and <= 1');
    return { at, recover, fraction: f, ...loses };
  });
}

// ---- churn (docs/semantics.md "Faults: churn") ------------------------------------------------

/** Churn as given (simulate()'s `churn`, a scenario's `churn` event). */
export interface ChurnInput {
  readonly at: number;
  /** The tick churn stops at (no leave or join from then on); absent or null: never. */
  readonly until?: number | null;
  /** Probability that a live host leaves, per tick. */
  readonly leave: number;
  /** Probability that a host that left (or a reserved one) joins, per tick; absent: 0. */
  readonly join?: number;
  /** The last `reserve` ids are new hosts: down from tick 0 until they join; absent: 0. */
  readonly reserve?: number;
}

/** Checked churn (SimulationOptions.churn). */
export interface Churn {
  readonly at: number;
  readonly until: number | null;
  readonly leave: number;
  readonly join: number;
  readonly reserve: number;
}

/** Checks a run's churn; `where` names a value's path for the error. Throws OptionError. */
export function checkChurn(raw: unknown, hosts: number, where: (rest: string) => string = (rest) => `churn${rest}`): Churn {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OptionError(where(''), show(raw), 'an object { at, until, leave, join, reserve }');
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!['at', 'until', 'leave', 'join', 'reserve'].includes(key)) throw new OptionError(where(`.${key}`), show(entry[key]), 'no such key (churn has at, until, leave, join and reserve)');
  }
  const at = entry['at'];
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0) throw new OptionError(where('.at'), show(at), 'the tick churn starts at, an integer >= 0');
  const until = entry['until'] ?? null;
  if (until !== null && (typeof until !== 'number' || !Number.isInteger(until) || until <= at)) {
    throw new OptionError(where('.until'), show(until), `the tick churn stops at, an integer > its start ${at} (or none: it never stops)`);
  }
  const probability = (key: string, fallback: number | undefined): number => {
    const v = entry[key] ?? fallback;
    if (typeof v !== 'number' || !(v >= 0) || v > 1) throw new OptionError(where(`.${key}`), show(v), `a probability per host and tick, from 0 to 1`);
    return v;
  };
  const leave = probability('leave', undefined);
  const join = probability('join', 0);
  const reserve = entry['reserve'] ?? 0;
  if (typeof reserve !== 'number' || !Number.isInteger(reserve) || reserve < 0 || reserve >= hosts) {
    throw new OptionError(where('.reserve'), show(reserve), `a count of new hosts, the last ids of the run, from 0 to ${hosts - 1} (host 0 is never reserved)`);
  }
  return { at, until, leave, join, reserve };
}

/**
 * The churn of a run that can change anything: none when there is none, or when it has
 * `leave = 0`, `join = 0` and no reserve (it is then no churn at all, timeline included).
 */
export function effectiveChurn(options: { readonly churn?: Churn }): Churn | undefined {
  const churn = options.churn;
  return churn === undefined || (churn.leave === 0 && churn.join === 0 && churn.reserve === 0) ? undefined : churn;
}

/** Whether churn acts at tick t: from its start to its stop (if any). */
export function churnActive(churn: Churn | undefined, t: number): boolean {
  return churn !== undefined && t >= churn.at && (churn.until === null || t < churn.until);
}

/** The crashes of a run that take effect by its last tick, each with its index in the run's list (fraction crashes hash by it). */
export function reachableCrashes(options: { readonly crashes?: readonly Crash[]; readonly maxTicks: number }): { readonly crash: Crash; readonly index: number }[] {
  return (options.crashes ?? []).map((crash, index) => ({ crash, index })).filter(({ crash }) => crash.at <= options.maxTicks);
}

/** The options DownHosts reads. */
type DownOptions = { readonly crashes?: readonly Crash[]; readonly churn?: Churn; readonly maxTicks: number; readonly hosts: number; readonly seed: number };

/** Whether a run has hosts that can be down: crashes by its last tick, or churn. */
export function hasDownHosts(options: DownOptions): boolean {
  const churn = effectiveChurn(options);
  return reachableCrashes(options).length > 0 || (churn !== undefined && (churn.at <= options.maxTicks || churn.reserve > 0));
}

/**
 * The run's last fault tick: the largest crash, recover, churn start or churn stop tick that is at
 * most its last tick, -1 without crashes or churn. Until then a run does not end as converged or
 * stalled (the fault timeline plays out).
 */
export function lastCrashTick(options: DownOptions): number {
  let last = -1;
  const within = (t: number | null): void => {
    if (t !== null && t <= options.maxTicks) last = Math.max(last, t);
  };
  for (const { crash } of reachableCrashes(options)) {
    within(crash.at);
    within(crash.recover);
  }
  const churn = effectiveChurn(options);
  if (churn !== undefined) {
    within(churn.at);
    within(churn.until);
  }
  return last;
}

/**
 * Which hosts are down, tick by tick (docs/semantics.md "Faults: crashes", "Faults: churn"): a count
 * per host of what holds it down (each crash holding it, and churn), moved forward one tick at a
 * time by `advance(t)`, so an engine instance knows its hosts' state at the tick it simulates.
 * Crashes are applied to every host; churn, a draw per host and tick, only to the hosts of
 * `ranges` (an engine instance's own; every host by default). Allocates N bytes, and N more with
 * churn, once; a crash's hosts are walked only at its two ticks.
 */
export class DownHosts {
  /** What holds each host down now (a host is down while this is > 0). */
  readonly holds: Uint8Array | Uint16Array;
  /** The down hosts as a bitmap (bit h of word h >>> 5), for walks 32 hosts at a time. */
  readonly bits: Int32Array;
  /** Hosts down now (of the crashes' hosts, and of `ranges` for churn). */
  down = 0;
  /** Whether the run has hosts that can be down at all. */
  readonly any: boolean;
  private readonly crashes: readonly { readonly crash: Crash; readonly index: number }[];
  private readonly churn: Churn | undefined;
  /** Churn: 1 for a host that left (or a reserved host not yet joined). */
  private readonly left: Uint8Array;
  private readonly ranges: readonly number[];
  private readonly hosts: number;
  private readonly seed: number;
  private readonly leaveThreshold: number;
  private readonly joinThreshold: number;
  /**
   * Hosts that lose their state at the tick last advanced to (crashes with `state: 'initial'`,
   * docs/semantics.md "Crashes that lose state"): wipes[0 .. wipeCount), every host of such a
   * crash (an engine instance resets its own), each once.
   */
  readonly wipes: Int32Array;
  wipeCount = 0;
  /** Tick + 1 at which each host was last put in `wipes` (two such crashes may take it at once). */
  private readonly wipedAt: Int32Array;
  private tick = 0;
  /** The run's last fault tick (lastCrashTick) and last tick. */
  private readonly lastFault: number;
  private readonly maxTicks: number;

  constructor(options: DownOptions, ranges: readonly number[] = [0, options.hosts]) {
    this.crashes = reachableCrashes(options);
    this.churn = effectiveChurn(options);
    this.any = hasDownHosts(options);
    this.hosts = options.hosts;
    this.seed = options.seed;
    this.ranges = ranges;
    // A byte counts up to 255 holds on one host at once (churn is one); more crashes need two.
    const size = this.any ? options.hosts : 0;
    this.holds = this.crashes.length + 1 > 255 ? new Uint16Array(size) : new Uint8Array(size);
    this.left = new Uint8Array(this.churn === undefined ? 0 : options.hosts);
    this.bits = new Int32Array(this.any ? Math.ceil(options.hosts / 32) : 0);
    this.leaveThreshold = threshold32(this.churn?.leave ?? 0);
    this.joinThreshold = threshold32(this.churn?.join ?? 0);
    this.lastFault = lastCrashTick(options);
    this.wipes = new Int32Array(this.crashes.some(({ crash }) => crash.state === 'initial') ? options.hosts : 0);
    this.wipedAt = new Int32Array(this.wipes.length);
    this.maxTicks = options.maxTicks;
    const reserve = this.churn?.reserve ?? 0;
    for (let h = options.hosts - reserve; h < options.hosts; h++) this.hold(h, 1, true);
  }

  /**
   * Applies tick t (call once per tick, in order, from tick 0): the crashes and recoveries of t,
   * then churn's joins and leaves of t.
   */
  advance(t: number): void {
    this.wipeCount = 0;
    this.tick = t;
    for (const { crash, index } of this.crashes) {
      // A host's state at tick 0 is its initial state: losing it then changes nothing.
      if (crash.at === t) this.apply(crash, index, 1, crash.state === 'initial' && t > 0);
      if (crash.recover === t) this.apply(crash, index, -1, false);
    }
    if (churnActive(this.churn, t)) this.churnTick(t);
  }

  /** Whether host h is down at the tick last advanced to. */
  isDown(h: number): boolean {
    return this.holds[h] !== 0;
  }

  /**
   * How the run ends after tick t, `end` being the protocol's decision over the `live` hosts
   * (docs/semantics.md "Faults: crashes"): converged needs a live host, neither converged nor
   * stalled ends the run before its last fault tick (the fault timeline plays out), and nothing
   * stalls while churn can still bring in reserved hosts that act when they start
   * (`startsAct`: false for a protocol whose start is only state, rumor); max-ticks still ends
   * it. Without crashes or churn, `end` itself.
   */
  endOf<E extends string>(end: E | undefined, tick: number, live: number, startsAct = true): E | 'max-ticks' | undefined {
    const churn = this.churn;
    const deferred = (end === 'converged' && live === 0) ||
      ((end === 'converged' || end === 'stalled') && tick < this.lastFault) ||
      // Churn that still acts may bring in reserved hosts, which start when they join: no stall while it can.
      (end === 'stalled' && startsAct && churn !== undefined && churn.join > 0 && churn.reserve > 0 && churnActive(churn, tick + 1));
    if (deferred) return tick >= this.maxTicks ? 'max-ticks' : undefined;
    return end;
  }

  /**
   * Whether a host down after tick t may be up again in a later tick of the run: a crash recovers,
   * or churn with join > 0 acts, at a tick in t + 1 .. maxTicks (docs/semantics.md "Faults under
   * `rumor`": only then does a down hot host keep a rumor run going).
   */
  mayReturnAfter(t: number): boolean {
    if (t >= this.maxTicks) return false;
    for (const { crash } of this.crashes) if (crash.recover !== null && crash.recover > t && crash.recover <= this.maxTicks) return true;
    const churn = this.churn;
    if (churn === undefined || churn.join === 0) return false;
    const first = Math.max(t + 1, churn.at);
    return first <= this.maxTicks && churnActive(churn, first);
  }

  /** Churn at tick t over this instance's hosts: a host that left joins with `join`, a live host leaves with `leave`. */
  private churnTick(t: number): void {
    const { ranges, left, holds, seed } = this;
    const leave = this.leaveThreshold;
    const join = this.joinThreshold;
    for (let r = 0; r < ranges.length; r += 2) {
      for (let h = ranges[r]!, end = ranges[r + 1]!; h < end; h++) {
        if (left[h] !== 0) {
          if (join !== 0 && rand(seed, STREAM_CHURN, h, t, 1) < join) this.hold(h, -1, false);
        } else if (holds[h] === 0 && leave !== 0 && rand(seed, STREAM_CHURN, h, t, 0) < leave) {
          this.hold(h, 1, true);
        }
      }
    }
  }

  /** One more (delta 1) or one less (-1) hold on h; `left` is its churn state after. */
  private hold(h: number, delta: 1 | -1, left?: boolean): void {
    const before = this.holds[h]!;
    this.holds[h] = before + delta;
    if (before === 0) {
      this.down++;
      this.bits[h >>> 5]! |= 1 << (h & 31);
    } else if (before + delta === 0) {
      this.down--;
      this.bits[h >>> 5]! &= ~(1 << (h & 31));
    }
    if (left !== undefined) this.left[h] = left ? 1 : 0;
  }

  private apply(crash: Crash, index: number, delta: 1 | -1, wipe: boolean): void {
    forEachCrashHost(crash, index, this.hosts, this.seed, (h) => this.take(h, delta, wipe));
  }

  private take(h: number, delta: 1 | -1, wipe: boolean): void {
    this.hold(h, delta);
    if (wipe && this.wipedAt[h] !== this.tick + 1) {
      this.wipedAt[h] = this.tick + 1;
      this.wipes[this.wipeCount++] = h;
    }
  }
}

/** Calls `visit` with each host crash `index` names (its ids, or the hosts its fraction draws), ascending. */
function forEachCrashHost(crash: Crash, index: number, hosts: number, seed: number, visit: (h: number) => void): void {
  if ('hosts' in crash) {
    for (const [lo, hi] of parseHostList(crash.hosts)!) for (let h = lo; h <= hi; h++) visit(h);
    return;
  }
  const threshold = threshold32(crash.fraction);
  for (let h = 0; h < hosts; h++) if (rand(seed, STREAM_CRASH, h, index, 0) < threshold) visit(h);
}

/**
 * How many times a run's hosts lose their state (docs/semantics.md "Crashes that lose state"):
 * the hosts of each tick's wipe list (DownHosts.wipes), summed over the ticks `1 .. maxTicks` of
 * crashes with `state: 'initial'`. The log store keeps each lost log for the messages that name it.
 */
export function wipeTotal(options: DownOptions): number {
  const losing = reachableCrashes(options).filter(({ crash }) => crash.state === 'initial' && crash.at > 0);
  if (losing.length === 0) return 0;
  const stamp = new Int32Array(options.hosts);
  let total = 0;
  for (const at of new Set(losing.map(({ crash }) => crash.at))) {
    for (const { crash, index } of losing) {
      if (crash.at !== at) continue;
      forEachCrashHost(crash, index, options.hosts, options.seed, (h) => {
        if (stamp[h] === at) return;
        stamp[h] = at;
        total++;
      });
    }
  }
  return total;
}

/**
 * Bytes of an engine instance's down-host state: one per host (two past 254 crashes), one more
 * with churn, eight more with crashes that lose state (the wipe list and its stamps); none
 * without crashes or churn.
 */
export function crashMapBytes(options: DownOptions): number {
  if (!hasDownHosts(options)) return 0;
  const wipes = reachableCrashes(options).some(({ crash }) => crash.state === 'initial') ? 8 : 0;
  // holds, churn's left flags, the wipe list and stamps, and the down bitmap (an eighth of a byte a host).
  return options.hosts * ((reachableCrashes(options).length + 1 > 255 ? 2 : 1) + (effectiveChurn(options) === undefined ? 0 : 1) + wipes) + Math.ceil(options.hosts / 32) * 4;
}
