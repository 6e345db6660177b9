/**
 * Protocols are modules: the engines' tick loops and stores hold no protocol rule, and every
 * module says what the engines need to plan for it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS, resolveOptions } from '../src/options.js';
import { protocolModule } from '../src/protocols/index.js';
import { preferredState } from '../src/engines/memory.js';

/** The files that move and store state: a protocol name in them would be a rule out of place. */
const ENGINE_FILES = [
  'src/engines/reference.ts',
  'src/engines/parallel/shard.ts',
  'src/engines/parallel/store.ts',
  'src/engines/parallel/log-store.ts',
  'src/engines/parallel/set-store.ts',
  'src/engines/parallel/cell-store.ts',
  'src/engines/parallel/engine.ts',
  'src/engines/memory.ts',
];

describe('protocol modules', () => {
  it.each(ENGINE_FILES)('%s never tests a protocol by name', (file) => {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const name of PROTOCOLS) expect(code, `${file} names '${name}'`).not.toContain(`'${name}'`);
  });

  it.each(PROTOCOLS)('%s: a module with at most 4 kinds, initial logs that start with the host itself', (name) => {
    const module = protocolModule(name);
    expect(module.name).toBe(name);
    expect(module.kinds.length).toBeGreaterThan(0);
    expect(module.kinds.length).toBeLessThanOrEqual(4);
    const options = resolveOptions(name === 'announce' ? { protocol: name, hosts: 50 } : { protocol: name, hosts: 50, view: name === 'rumor' ? 'full' : 'known' });
    for (const h of [0, 1, 49]) expect(module.initialLog(h, options)[0]).toBe(h);
  });

  it('picks versioned sets for every protocol whose snapshots do not depend on log order, logs for announce', () => {
    const modeOf = (protocol: (typeof PROTOCOLS)[number]): string => preferredState(resolveOptions({ protocol, hosts: 1000, threads: 2 })).mode;
    expect(modeOf('announce')).toBe('log');
    expect(modeOf('push')).toBe('set');
    expect(modeOf('pull')).toBe('set');
    expect(modeOf('push-pull')).toBe('set');
    // rumor keeps a few cells per host and no sets at all.
    expect(modeOf('rumor')).toBe('cells');
    // Replies need versions; push has none.
    expect(preferredState(resolveOptions({ protocol: 'push', hosts: 1000 })).versions).toBe(0);
    expect(preferredState(resolveOptions({ protocol: 'pull', hosts: 1000 })).versions).toBeGreaterThanOrEqual(1000);
  });
});

describe('versioned sets with replies', () => {
  // View known puts a hotspot on the seed: every host pulls (or pushes to) it at tick 0, and it
  // replies to thousands of messages in one tick, changing between them, so nearly every reply's
  // version gets a row. The reference engine keeps logs and shares no store code.
  it.each([
    { protocol: 'pull', view: 'known', latency: '1..3', loss: 0.1 },
    { protocol: 'push-pull', view: 'known', latency: '1..3', loss: 0.1 },
    { protocol: 'push-pull', view: 'known', fanout: 2, latency: '2' },
    { protocol: 'pull', view: 'full', fanout: 3, latency: '1..2' },
  ] as const)('gives the reference engine\'s metrics on 1 to 3 threads: %j', async (input) => {
    const { simulate } = await import('../src/simulate.js');
    const reference = await simulate({ ...input, hosts: 1500, engine: 'reference' });
    for (const threads of [1, 2, 3]) {
      const parallel = await simulate({ ...input, hosts: 1500, threads });
      for (const key of ['sent', 'delivered', 'processed', 'lost', 'entries', 'ticks', 'coverage', 'spreadTicks', 'series', 'hostCompletionTicks'] as const) {
        expect(parallel[key], `${key} on ${threads} threads`).toEqual(reference[key]);
      }
    }
  }, 120_000);
});
