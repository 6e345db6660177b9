/**
 * Which shard owns which hosts. The host ids are cut into F blocks ("folds") of 2T contiguous
 * ranges each; in every block shard s owns range s and its mirror, range 2T-1-s ("folded"
 * ranges). Announce's work per host grows with the id in one tick and shrinks with it in the next
 * (tick 2: host i walks i ids; tick 3: host j handles N-1-j messages), so plain contiguous ranges
 * leave one shard with three times the other's work at every barrier; folding gives every shard
 * the same share of both. Many folds also split work that is not smooth in the id: in tick 3 of
 * announce 10,000 the hosts below 300 cost 2 to 5 times as much per id as the rest, and with one
 * fold they all sat in shard 0, which ended the tick 0.8 s after shard 1 (about 20% of the run).
 * Which shard owns a host changes no metric: the engines order deliveries by id, not by shard.
 */

/** The partition of N hosts over T shards. */
export interface Partition {
  readonly shards: number;
  /** Number of contiguous ranges: 2T per fold (some may be empty). */
  readonly ranges: number;
  /** Range r is [rangeStart[r], rangeStart[r+1]). */
  readonly rangeStart: Int32Array;
  /** Range of each host (ranges ascend with ids, so messages from lower ranges come first). */
  readonly rangeOf: Uint16Array;
  /** Shard of each host. */
  readonly shardOf: Uint16Array;
}

/** Most folds: ranges of N / 128 T hosts (10,000 hosts, 2 shards: 39), few enough that a tick's buckets stay cheap. */
export const MAX_FOLDS = 64;
/** Fewest hosts in a range when there are several folds (a range's bucket costs a chunk of records a tick). */
export const MIN_RANGE_HOSTS = 32;

/** The folds of a partition of `n` hosts over `shards` shards (one shard: one fold; its ranges are all its own). */
export function foldsFor(n: number, shards: number): number {
  if (shards === 1) return 1;
  // Ranges are numbered in a Uint16Array.
  return Math.max(1, Math.min(MAX_FOLDS, Math.floor(n / (2 * shards * MIN_RANGE_HOSTS)), Math.floor(0xffff / (2 * shards))));
}

/** The shard that owns range `r` of `shards` shards. */
export function ownerOfRange(r: number, shards: number): number {
  const i = r % (2 * shards);
  return i < shards ? i : 2 * shards - 1 - i;
}

/** Partitions `n` hosts over `shards` shards in `folds` folds. Allocates O(n). */
export function partition(n: number, shards: number, folds = foldsFor(n, shards)): Partition {
  const ranges = 2 * shards * folds;
  // Shard s gets floor or ceil(n / T) hosts in all, cut into its 2F ranges of near-equal size,
  // laid out in range order (each range within one host of n / 2TF).
  const perShard = 2 * folds;
  const taken = new Int32Array(shards);
  const rangeStart = new Int32Array(ranges + 1);
  for (let r = 0; r < ranges; r++) {
    const s = ownerOfRange(r, shards);
    const quota = Math.floor(n / shards) + (s < n % shards ? 1 : 0);
    const k = taken[s]!++;
    rangeStart[r + 1] = rangeStart[r]! + Math.floor(((k + 1) * quota) / perShard) - Math.floor((k * quota) / perShard);
  }
  const rangeOf = new Uint16Array(n);
  const shardOf = new Uint16Array(n);
  for (let r = 0; r < ranges; r++) {
    rangeOf.fill(r, rangeStart[r]!, rangeStart[r + 1]!);
    shardOf.fill(ownerOfRange(r, shards), rangeStart[r]!, rangeStart[r + 1]!);
  }
  return { shards, ranges, rangeStart, rangeOf, shardOf };
}

/** The id ranges of shard `s`, ascending: [a0, b0, a1, b1, ...] (some may be empty). Allocates. */
export function rangesOf(p: Partition, s: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < p.ranges; r++) if (ownerOfRange(r, p.shards) === s) out.push(p.rangeStart[r]!, p.rangeStart[r + 1]!);
  return out;
}

/** The hosts of shard `s`, ascending. Allocates. */
export function hostsOf(p: Partition, s: number): Int32Array {
  const ranges = rangesOf(p, s);
  let count = 0;
  for (let i = 0; i < ranges.length; i += 2) count += ranges[i + 1]! - ranges[i]!;
  const hosts = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < ranges.length; i += 2) for (let h = ranges[i]!; h < ranges[i + 1]!; h++) hosts[k++] = h;
  return hosts;
}
