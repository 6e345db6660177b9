/**
 * The bench and compare commands' defaults and choices, on their own so that the CLI can describe
 * the commands (their help names these) without loading the modules that run them.
 */

/** Output formats of `bench --format`. */
export type BenchFormat = 'json' | 'markdown' | 'github';
export const BENCH_FORMATS: readonly BenchFormat[] = ['json', 'markdown', 'github'];

/** Default threshold on the relative change of a median: 10%. */
export const DEFAULT_THRESHOLD = 0.1;

/** Measured and warm-up runs per configuration, by default. */
export const DEFAULT_REPEAT = 5;
export const DEFAULT_WARMUP = 1;
