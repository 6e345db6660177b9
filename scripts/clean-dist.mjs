// Empties dist/ before a build: tsc only adds and overwrites, so a source that was deleted or
// renamed left its compiled file behind, where a stale import or an installed package could still
// load it.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
