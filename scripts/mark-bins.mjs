// Makes every file named in package.json's "bin" executable (0755). tsc writes plain files, and
// npx only sets the bit when it first installs this package into its cache: a rebuilt dist/ run
// through a cached npx install (as in CI on a reused home) then failed with "Permission denied".
import { chmodSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const bin of bins) {
  try {
    chmodSync(new URL(bin, `file://${root}`), 0o755);
  } catch (error) {
    console.error(`mark-bins: could not make ${bin} executable: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
