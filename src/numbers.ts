/** Numbers as people read them, for every module that prints one (the CLI, reports, thread-choice reasons). */

/** Intl's formatter for what formatCount does not do by hand; made on first use (ICU takes ~12 ms to start). */
let intlCount: Intl.NumberFormat | undefined;

/**
 * Formats `n` with thousands separators, as Intl.NumberFormat('en-US') does. Safe integers are
 * grouped by hand: every `run` prints counts, and starting ICU would cost more than the run of a
 * small one.
 */
export function formatCount(n: number): string {
  if (Number.isSafeInteger(n)) {
    const digits = String(Math.abs(n));
    let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
    for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
    return n < 0 || Object.is(n, -0) ? `-${out}` : out;
  }
  intlCount ??= new Intl.NumberFormat('en-US');
  return intlCount.format(n);
}
