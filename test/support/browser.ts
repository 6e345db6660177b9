/**
 * Which real browser the report tests open their pages in, decided once per test file.
 *
 * In order of preference:
 *   1. `GOSSIP_SIM_BROWSER=/path/to/chromium`: that executable, and nothing else.
 *   2. The Chromium that npm installs: `@sparticuz/chromium` (a devDependency) carries a Chromium
 *      build inside the package and unpacks it to the temp folder on first use, so `npm install`
 *      alone brings a browser. It needs the system's NSS libraries (libnss3, libnspr4); where
 *      they are missing it does not start, and the next choice is tried.
 *   3. The system's Chromium: /usr/bin/chromium (Debian's package) or chromium-browser, unless
 *      `GOSSIP_SIM_HIDE_SYSTEM_BROWSER=1` hides it (how CI proves the fresh-machine case).
 * Each candidate is started once for real; the first that starts is used. When none starts, the
 * browser tests are skipped by name with one line saying why and how to run them, unless
 * `GOSSIP_SIM_REQUIRE_BROWSER=1` (set by .ci/run) makes that a failure. `GOSSIP_SIM_SKIP_BROWSER=1`
 * skips them without looking.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';

/** A browser that started: where it came from, and the browser itself (close it when done). */
export interface FoundBrowser {
  readonly source: 'GOSSIP_SIM_BROWSER' | 'npm (@sparticuz/chromium)' | 'system';
  readonly executablePath: string;
  readonly browser: Browser;
}

/** Flags every launch gets: headless, and none of Chromium's own network traffic (no network here). */
const COMMON_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const HOW_TO =
  'run `npm install` (it brings @sparticuz/chromium, which needs the libnss3 and libnspr4 libraries), ' +
  'or install a system browser (`apt-get install -y chromium`), or set GOSSIP_SIM_BROWSER=/path/to/chromium';

interface Candidate {
  readonly source: FoundBrowser['source'];
  readonly executablePath: () => Promise<string>;
  readonly args: readonly string[];
}

/** The npm-installed Chromium, or null when the package is not installed. */
async function npmCandidate(): Promise<Candidate | null> {
  let sparticuz: { executablePath: () => Promise<string>; args: string[] };
  try {
    // Resolved at run time so that a machine without the package still runs every other test.
    const path = createRequire(import.meta.url).resolve('@sparticuz/chromium');
    sparticuz = ((await import(path)) as { default: typeof sparticuz }).default;
  } catch {
    return null;
  }
  return { source: 'npm (@sparticuz/chromium)', executablePath: () => sparticuz.executablePath(), args: sparticuz.args };
}

function candidatesFromEnv(): Promise<Candidate | null>[] {
  const explicit = process.env['GOSSIP_SIM_BROWSER'];
  if (explicit !== undefined && explicit !== '') {
    return [Promise.resolve({ source: 'GOSSIP_SIM_BROWSER', executablePath: async () => explicit, args: [] })];
  }
  const system = process.env['GOSSIP_SIM_HIDE_SYSTEM_BROWSER'] === '1'
    ? []
    : SYSTEM_BROWSERS.filter((p) => existsSync(p)).map((p) => Promise.resolve<Candidate>({ source: 'system', executablePath: async () => p, args: [] }));
  return [npmCandidate(), ...system];
}

/** The outcome of the search: a started browser, or why there is none. */
export type BrowserSearch = { readonly found: FoundBrowser } | { readonly missing: string };

/** Starts the first candidate browser that starts; see the module comment for the order. */
export async function findBrowser(): Promise<BrowserSearch> {
  if (process.env['GOSSIP_SIM_SKIP_BROWSER'] === '1') return { missing: 'GOSSIP_SIM_SKIP_BROWSER=1 is set' };
  const tried: string[] = [];
  for (const pending of candidatesFromEnv()) {
    const candidate = await pending;
    if (candidate === null) {
      tried.push('npm: @sparticuz/chromium is not installed');
      continue;
    }
    let path = '';
    try {
      path = await candidate.executablePath();
      // The npm build's own flags first (it is a headless-shell build), ours after.
      const browser = await chromium.launch({ executablePath: path, headless: true, args: [...candidate.args, ...COMMON_ARGS], timeout: 60_000 });
      return { found: { source: candidate.source, executablePath: path, browser } };
    } catch (error) {
      tried.push(`${candidate.source}${path === '' ? '' : ` (${path})`} did not start: ${launchFailure(error)}`);
    }
  }
  if (tried.length === 0) tried.push('no system browser found (/usr/bin/chromium, /usr/bin/chromium-browser)');
  return { missing: `no browser could be started (${tried.join('; ')}); to run them, ${HOW_TO}` };
}

/**
 * The line of a launch error worth showing: a missing shared library (the usual reason on a bare
 * machine) or missing file if named, else the error's first line. Without colour codes.
 */
function launchFailure(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const telling = lines.find((line) => /shared librar|cannot open shared object|No such file|ENOENT|EACCES/i.test(line));
  return (telling ?? lines[0] ?? '').trim().slice(0, 240);
}

/** True when a missing browser must fail the tests (CI) rather than skip them. */
export function browserRequired(): boolean {
  return process.env['GOSSIP_SIM_REQUIRE_BROWSER'] === '1';
}
