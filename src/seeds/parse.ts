/** `--seeds`: the seeds of one configuration's runs, as a range `1..400`, a list `1,5,9`, or both. */
import { OptionError } from '../errors.js';

/** The most seeds one `--seeds` may list: more is a sweep (see `gossip-sim sweep`). */
export const MAX_SEEDS = 100_000;
/** The largest seed, as for `--seed`. */
export const MAX_SEED = 0xffffffff;

const ALLOWED = `a range LO..HI, a list A,B,C or both (1..10,20,30..32) of integers from 0 to ${MAX_SEED}, each seed once, at most ${MAX_SEEDS} seeds`;
const PART = /^(\d+)(?:\s*\.\.\s*(\d+))?$/;

/**
 * Parses `--seeds` into its seeds in the order given (ranges ascending). Throws `OptionError`
 * (exit 2 in the CLI) on empty text, a part that is not an integer or a range, a seed over
 * 4294967295, a reversed range, a seed listed twice, or more than MAX_SEEDS seeds. Allocates.
 */
export function parseSeeds(text: string): number[] {
  function fail(allowed: string): never {
    throw new OptionError('--seeds', shown(text), allowed);
  }
  const parts = text.split(',').map((p) => p.trim());
  const ranges: [number, number][] = [];
  let count = 0;
  for (const part of parts) {
    const m = PART.exec(part);
    if (m === null) fail(part === '' ? `no empty seed lists or parts: ${ALLOWED}` : ALLOWED);
    const lo = seedOf(m[1]!, fail);
    const hi = m[2] === undefined ? lo : seedOf(m[2], fail);
    if (lo > hi) fail(`LO <= HI in each range LO..HI (${lo}..${hi} is reversed; write ${hi}..${lo})`);
    count += hi - lo + 1;
    // Checked before anything is expanded: 0..4294967295 is refused without allocating 2^32 seeds.
    if (count > MAX_SEEDS) fail(`at most ${MAX_SEEDS} seeds (use gossip-sim sweep for more)`);
    ranges.push([lo, hi]);
  }
  const seeds: number[] = [];
  const seen = new Set<number>();
  for (const [lo, hi] of ranges) {
    for (let s = lo; s <= hi; s++) {
      if (seen.has(s)) fail(`each seed once (${s} is listed twice)`);
      seen.add(s);
      seeds.push(s);
    }
  }
  return seeds;
}

function seedOf(digits: string, fail: (allowed: string) => never): number {
  // Digits only (PART), so Number() is exact up to 2^53; longer strings are out of range anyway.
  const value = digits.length > 10 ? Number.POSITIVE_INFINITY : Number(digits);
  if (value > MAX_SEED) fail(`seeds from 0 to ${MAX_SEED} (${digits} is too large)`);
  return value;
}

/** The value as an error shows it: quoted, and cut short when a long list would flood the line. */
function shown(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
