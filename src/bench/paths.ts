/**
 * Where the package lives. The bench code runs from src/bench (tests, tsx) and from
 * dist/src/bench (the built CLI), so paths are found from the package root, not from this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this module with gossip-sim's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === 'gossip-sim') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find gossip-sim's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Name and version from the package manifest. */
export function packageInfo(root = packageRoot()): { readonly name: string; readonly version: string } {
  const manifest = readManifest(join(root, 'package.json'));
  return { name: manifest.name ?? 'gossip-sim', version: manifest.version ?? '0.0.0' };
}

/** The built CLI that every measured run starts: dist/src/cli.js under the package root. */
export function builtCli(root = packageRoot()): string {
  return join(root, 'dist', 'src', 'cli.js');
}

function readManifest(path: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  } catch {
    return {};
  }
}
