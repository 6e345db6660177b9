/**
 * The counter-based random hash of SPEC.md. There is no generator state anywhere in the
 * simulator: every random decision is a pure function of (seed, stream, a, b, c), which is what
 * makes results independent of thread count and evaluation order.
 */

/** Stream tags of SPEC.md ("Randomness"). */
export const STREAM_LATENCY = 1;
export const STREAM_PEER = 2;
export const STREAM_LOSS = 3;
/** Rumor mongering's coin (docs/semantics.md "rumor"). */
export const STREAM_COIN = 4;
/** Fraction groups of a partition (docs/semantics.md "Faults: partitions"). */
export const STREAM_PARTITION = 5;
/** Fraction groups of the regions (docs/semantics.md "Regions"). */
export const STREAM_REGION = 6;
/** Fraction crashes (docs/semantics.md "Faults: crashes"). */
export const STREAM_CRASH = 7;
/** Churn's leaves and joins (docs/semantics.md "Faults: churn"). */
export const STREAM_CHURN = 8;

/**
 * The draw threshold of probability p (SPEC.md: an event happens when its 32-bit draw is below
 * floor(p * 2^32)); p = 1 gives 2^32, above every draw.
 */
export function threshold32(p: number): number {
  return Math.min(4294967296, Math.floor(p * 4294967296));
}

/** The 32-bit finaliser of SPEC.md (lowbias32 constants); returns an unsigned 32-bit integer. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** rand(seed, stream, a, b, c) of SPEC.md, unsigned 32-bit. */
export function rand(seed: number, stream: number, a: number, b: number, c: number): number {
  return mix32(mix32(mix32(mix32(mix32(seed) ^ stream) ^ a) ^ b) ^ c);
}
