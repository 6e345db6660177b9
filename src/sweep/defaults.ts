/**
 * The sweep commands' defaults and choices, on their own so that the CLI can describe the
 * commands (their help names these) without loading the modules that run them.
 */

/** Output formats of `merge --format`. */
export type MergeFormat = 'text' | 'markdown' | 'csv';
export const MERGE_FORMATS: readonly MergeFormat[] = ['text', 'markdown', 'csv'];

/** Attempts of a run before its job fails for good (a crashed child counts; a stalled worker does not). */
export const DEFAULT_ATTEMPTS = 3;

/** BullMQ's default lock duration: a dead worker's runs are retried this long after it died. */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
/** BullMQ's default stalled-job check interval. */
export const DEFAULT_STALLED_INTERVAL_MS = 30_000;
