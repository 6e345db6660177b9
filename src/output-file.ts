/**
 * Output files named on the command line (`run --trace/--report`, `bench --out/--report`,
 * `report --out`): checked before any work starts, so that a typo or an unwritable folder does
 * not cost a long simulation, and written afterwards with errors that say which file and why.
 */
import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OptionError } from './errors.js';

/** A late write failed (disk full, file system gone read-only); the CLI exits 1 with this message. */
export class OutputWriteError extends Error {
  override readonly name = 'OutputWriteError';
}

/**
 * Throws an `OptionError` naming `flag` unless `path` can be created or appended to now. The
 * check opens the file for appending (which never truncates) and removes it again when it did
 * not exist, so it catches a missing folder, a folder in place of the file, a read-only file
 * system and missing permissions alike. Returns the absolute path.
 */
export function checkWritable(flag: string, path: string): string {
  if (path.trim() === '') throw new OptionError(flag, JSON.stringify(path), 'a file name');
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory()) throw new OptionError(flag, JSON.stringify(path), 'a file, not a folder');
  const existed = existsSync(full);
  try {
    closeSync(openSync(full, 'a'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'its folder does not exist' : `it cannot be written (${code})`;
    throw new OptionError(flag, JSON.stringify(path), `a file that can be written (${why})`);
  }
  if (!existed) unlinkSync(full);
  return full;
}

/** Writes a text file; a failure becomes an `OutputWriteError` saying what was written where, and why. */
export async function writeOutput(path: string, text: string, what: string): Promise<void> {
  try {
    await writeFile(path, text, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOSPC' ? 'ENOSPC: the disk is full' : cause instanceof Error ? cause.message : String(cause);
    throw new OutputWriteError(`could not write the ${what} to ${path} (${reason})`, { cause });
  }
}
