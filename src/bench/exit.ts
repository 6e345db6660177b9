/**
 * How `bench` and `compare` end with a status other than 0. Their actions throw `ExitCode`; the
 * CLI's `main()` catches it, prints `message` (when not empty) as one line on stderr and returns
 * `code`. Kept apart from src/cli.ts so this subsystem imports nothing from it at run time.
 */

/** No regression, results written. */
export const EXIT_OK = 0;
/** A regression or a change of semantics (`compare`), or a failed run (`bench`). */
export const EXIT_REGRESSION = 1;
/** Usage error, or an unreadable or invalid results file. */
export const EXIT_USAGE = 2;
/** A run failed, or result files disagree (`sweep`, `merge`): the status of a regression. */
export const EXIT_FAILURE = EXIT_REGRESSION;
/** `run --require-convergence` (and with `--seeds`): a run ended without converging. */
export const EXIT_NOT_CONVERGED = 3;
/** Interrupted by SIGINT or SIGTERM, as `run`. */
export const EXIT_INTERRUPTED = 130;

/** Ends the command with exit status `code`; `message` (one line, may be empty) goes to stderr. */
export class ExitCode extends Error {
  override readonly name = 'ExitCode';
  constructor(
    readonly code: number,
    message = '',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
