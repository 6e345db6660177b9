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

// ---- means and confidence intervals (sweep aggregates over seeds) -------------------------------

/** The arithmetic mean of a non-empty sample. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of an empty sample');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The sample standard deviation (n - 1 in the denominator); null for fewer than two values. */
export function standardDeviation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

/** Mean, standard deviation and a two-sided confidence interval of the mean. */
export interface MeanInterval {
  readonly n: number;
  readonly mean: number;
  /** Null for n < 2. */
  readonly sd: number | null;
  /** mean ∓ t(1 - (1 - level)/2, n - 1) · sd / √n; null for n < 2. */
  readonly low: number | null;
  readonly high: number | null;
}

/**
 * The mean of a non-empty sample with its Student-t confidence interval at `level` (default 0.95).
 * Student's t, not the normal quantile: sweeps have a handful of seeds per configuration, where
 * 1.96 would be far too narrow (the 95% quantile is 4.30 at n = 3, 2.26 at n = 10).
 */
export function meanInterval(values: readonly number[], level = 0.95): MeanInterval {
  const m = mean(values);
  const sd = standardDeviation(values);
  if (sd === null) return { n: values.length, mean: m, sd: null, low: null, high: null };
  const half = studentTQuantile(1 - (1 - level) / 2, values.length - 1) * (sd / Math.sqrt(values.length));
  return { n: values.length, mean: m, sd, low: m - half, high: m + half };
}

/**
 * The p-quantile of Student's t distribution with `df` degrees of freedom (0 < p < 1, df > 0), by
 * bisection on its CDF to about 1e-12: exact enough to match printed tables to every digit.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: got p = ${p}, expected 0 < p < 1`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: got df = ${df}, expected df > 0`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(T <= t) for Student's t with `df` degrees of freedom, through the regularised incomplete beta. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The regularised incomplete beta function I_x(a, b), by Lentz's continued fraction (Numerical Recipes 6.4). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only for x < (a + 1) / (a + b + 2); use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) beyond.
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const term of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + term * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + term / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 coefficients: about 15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = g[0]!;
  for (let i = 1; i < g.length; i++) sum += g[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
