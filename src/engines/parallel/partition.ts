/**
 * Which shard owns which hosts. The host ids are cut into 2T contiguous ranges and shard s owns
 * range s and its mirror, range 2T-1-s ("folded" ranges). Announce's work per host grows with the
 * id in one tick and shrinks with it in the next (tick 2: host i walks i ids; tick 3: host j
 * handles N-1-j messages), so plain contiguous ranges leave one shard with three times the other's
 * work at every barrier; folded ranges give every shard the same share of both.
 */

/** The partition of N hosts over T shards. */
export interface Partition {
  readonly shards: number;
  /** 2T: number of contiguous ranges. */
  readonly ranges: number;
  /** Range r is [rangeStart[r], rangeStart[r+1]). */
  readonly rangeStart: Int32Array;
  /** Range of each host (ranges ascend with ids, so messages from lower ranges come first). */
  readonly rangeOf: Uint16Array;
  /** Shard of each host. */
  readonly shardOf: Uint16Array;
}

/** The shard that owns range `r` of `shards` shards. */
export function ownerOfRange(r: number, shards: number): number {
  return r < shards ? r : 2 * shards - 1 - r;
}

/** Partitions `n` hosts over `shards` shards. Allocates O(n). */
export function partition(n: number, shards: number): Partition {
  const ranges = 2 * shards;
  const rangeStart = new Int32Array(ranges + 1);
  for (let r = 0; r <= ranges; r++) rangeStart[r] = Math.floor((r * n) / ranges);
  const rangeOf = new Uint16Array(n);
  const shardOf = new Uint16Array(n);
  for (let r = 0; r < ranges; r++) {
    rangeOf.fill(r, rangeStart[r]!, rangeStart[r + 1]!);
    shardOf.fill(ownerOfRange(r, shards), rangeStart[r]!, rangeStart[r + 1]!);
  }
  return { shards, ranges, rangeStart, rangeOf, shardOf };
}

/** The hosts of shard `s`, ascending. Allocates. */
export function hostsOf(p: Partition, s: number): Int32Array {
  const a = s;
  const b = 2 * p.shards - 1 - s;
  const first = [p.rangeStart[a]!, p.rangeStart[a + 1]!] as const;
  const second = [p.rangeStart[b]!, p.rangeStart[b + 1]!] as const;
  const hosts = new Int32Array(first[1] - first[0] + second[1] - second[0]);
  let i = 0;
  for (let h = first[0]; h < first[1]; h++) hosts[i++] = h;
  for (let h = second[0]; h < second[1]; h++) hosts[i++] = h;
  return hosts;
}
