// Bundles the compiled shard worker (dist/workers/shard.js and every module it imports, comlink
// included) into one file, dist/workers/shard-bundle.js, which the parallel engine starts. A
// worker that loads 30-odd ES modules spends about 7 ms of a run's start resolving, reading and
// linking them (push 10,000 on 1 thread: start-up 36 ms against 29 ms bundled); one file costs
// one read. Run after tsc (npm run build); esbuild is a pinned devDependency, its binary shipped
// in its npm package.
import { build } from 'esbuild';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = fileURLToPath(new URL('../dist/workers/shard.js', import.meta.url));
const target = fileURLToPath(new URL('../dist/workers/shard-bundle.js', import.meta.url));

try {
  await build({
    entryPoints: [entry],
    outfile: target,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Inlines the module-level constants of the hot loops (record fields, widths, masks): in a
    // bundle esbuild declares them with `var`, which V8 loads at every use instead of folding,
    // and announce 10,000 on 2 threads took 3.34 s against 3.12 s with them inlined. Names stay
    // (no identifier minification): stack traces and error names read as in the sources.
    minifySyntax: true,
    // Stack traces of a failed worker name the sources (node --enable-source-maps).
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  console.log(`bundle-worker: ${relative(root, target)}`);
} catch (error) {
  console.error(`bundle-worker: could not bundle ${relative(root, entry)}:\n${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
