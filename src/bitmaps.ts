/** Helpers for host bitmaps (bit h of Int32 word h >>> 5), shared by the engines and protocols. */

/** The bits of word `w` that belong to hosts in [a, b) (-1: the whole word). */
export function rangeWordMask(w: number, a: number, b: number): number {
  const first = w << 5;
  let mask = -1;
  if (first < a) mask &= -1 << (a - first);
  if (first + 32 > b) mask &= -1 >>> (first + 32 - b);
  return mask;
}
