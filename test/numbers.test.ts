/** formatCount: thousands separators by hand for safe integers, exactly as Intl.NumberFormat('en-US') prints them. */
import { describe, expect, it } from 'vitest';
import { formatCount } from '../src/numbers.js';
import { TestRandom, testSeed } from './support/random.js';

describe('formatCount', () => {
  it('prints what Intl.NumberFormat en-US prints, for integers of every length and sign, and for other numbers', () => {
    const intl = new Intl.NumberFormat('en-US');
    const r = new TestRandom(testSeed(), 1);
    const cases = [0, -0, 1, -1, 999, 1000, -1000, 999_999, 1_000_000, 12_345_678, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, 0.5, 1234.5678, -0.0001, Number.NaN, Infinity, -Infinity];
    for (let digits = 1; digits <= 15; digits++) {
      for (let k = 0; k < 20; k++) {
        const v = r.int(10 ** (digits - 1), 10 ** digits - 1);
        cases.push(v, -v);
      }
    }
    for (const v of cases) expect(formatCount(v), String(v)).toBe(intl.format(v));
    expect(formatCount(100_000)).toBe('100,000');
  });
});
