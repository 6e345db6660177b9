/**
 * Statistics of a handful of timing samples: medians and spread, and the one-sided Mann-Whitney U
 * test that `compare` uses beside the "samples do not overlap" rule. Sample counts are small (3 to
 * 20), so the test is exact whenever there are no ties; with ties it falls back to the normal
 * approximation with tie and continuity corrections.
 */

/** Median and range of a sample. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** A sorted copy (ascending). Allocates. */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The q-quantile (0 <= q <= 1) with linear interpolation between order statistics (R's type 7,
 * numpy's default). Throws on an empty sample.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: got q = ${q}, expected 0 <= q <= 1`);
  const s = sortedCopy(values);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

/** The median (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median, minimum and maximum of a non-empty sample. */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of an empty sample');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Where sample `a` lies relative to sample `b`: wholly above, wholly below, or overlapping. */
export function separation(a: readonly number[], b: readonly number[]): 'above' | 'below' | 'overlap' {
  if (Math.min(...a) > Math.max(...b)) return 'above';
  if (Math.max(...a) < Math.min(...b)) return 'below';
  return 'overlap';
}

/** Result of the Mann-Whitney U test of sample `a` against sample `b`. */
export interface MannWhitney {
  /** U of `a`: pairs (x in a, y in b) with x > y, ties counted one half. */
  readonly u: number;
  /** One-sided p-value of "a tends to be larger than b". */
  readonly pGreater: number;
  /** One-sided p-value of "a tends to be smaller than b". */
  readonly pLess: number;
  /** True when the p-values come from the exact null distribution (no ties, small samples). */
  readonly exact: boolean;
}

/** Largest m·n for which the exact distribution is computed (tables of m·n + 1 counts). */
const EXACT_LIMIT = 2500;

/**
 * Mann-Whitney U test (Wilcoxon rank-sum) of `a` against `b`, both non-empty. Exact when there are
 * no ties and |a|·|b| <= 2500, else normal approximation. Allocates.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) throw new RangeError('Mann-Whitney U of an empty sample');
  let u = 0;
  let ties = false;
  for (const x of a) {
    for (const y of b) {
      if (x > y) u += 1;
      else if (x === y) {
        u += 0.5;
        ties = true;
      }
    }
  }
  if (!ties && m * n <= EXACT_LIMIT) {
    const counts = uDistribution(m, n);
    let total = 0;
    let atLeast = 0;
    let atMost = 0;
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k]!;
      total += c;
      if (k >= u) atLeast += c;
      if (k <= u) atMost += c;
    }
    return { u, pGreater: atLeast / total, pLess: atMost / total, exact: true };
  }
  return { u, ...normalApproximation(a, b, u), exact: false };
}

/**
 * Counts of each U value 0..m·n under the null hypothesis (all C(m+n, m) orderings equally
 * likely), by the recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u). Allocates.
 */
function uDistribution(m: number, n: number): Float64Array {
  // rows[j] holds f(i, j, ·) for the current i; start with i = 0: one ordering, U = 0.
  let rows: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const next: Float64Array[] = [Float64Array.of(1)]; // f(i, 0, 0) = 1
    for (let j = 1; j <= n; j++) {
      const f = new Float64Array(i * j + 1);
      const withLargestInA = rows[j]!; // f(i-1, j, u - j): the largest value is from a
      const withLargestInB = next[j - 1]!; // f(i, j-1, u): the largest value is from b
      for (let k = 0; k < withLargestInA.length; k++) f[k + j]! += withLargestInA[k]!;
      for (let k = 0; k < withLargestInB.length; k++) f[k]! += withLargestInB[k]!;
      next.push(f);
    }
    rows = next;
  }
  return rows[n]!;
}

function normalApproximation(a: readonly number[], b: readonly number[], u: number): { pGreater: number; pLess: number } {
  const m = a.length;
  const n = b.length;
  const all = sortedCopy([...a, ...b]);
  const total = all.length;
  let tieTerm = 0;
  for (let i = 0; i < total; ) {
    let j = i;
    while (j < total && all[j] === all[i]) j++;
    const t = j - i;
    tieTerm += t * t * t - t;
    i = j;
  }
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (!(variance > 0)) return { pGreater: 1, pLess: 1 };
  const mean = (m * n) / 2;
  const sd = Math.sqrt(variance);
  return {
    pGreater: 1 - normalCdf((u - mean - 0.5) / sd),
    pLess: normalCdf((u - mean + 0.5) / sd),
  };
}

/** Standard normal CDF via erf (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
