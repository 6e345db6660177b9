// Compiles src/kernels/bitset.wat to dist/bitset.wasm with wabt (no binaries are checked in).
// Deterministic: same .wat and wabt version give the same bytes; no names section is written.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = fileURLToPath(new URL('../src/kernels/bitset.wat', import.meta.url));
const target = fileURLToPath(new URL('../dist/bitset.wasm', import.meta.url));

const wabt = await (await import('wabt')).default();
// threads: the memory import is `shared`; bulk_memory: memory.copy (on by default, named anyway).
const features = { simd: true, threads: true, bulk_memory: true };
let module;
try {
  module = wabt.parseWat(relative(root, source), readFileSync(source, 'utf8'), features);
  // validate() takes the features again (wabt.js accepts them though its typings omit the argument).
  module.validate(features);
  const { buffer } = module.toBinary({ log: false, write_debug_names: false, canonicalize_lebs: true });
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, buffer);
  console.log(`build-wasm: ${relative(root, target)} (${buffer.byteLength} bytes)`);
} catch (error) {
  console.error(`build-wasm: could not compile ${relative(root, source)}:\n${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  module?.destroy();
}
