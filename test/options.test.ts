/** resolveOptions: defaults, latency parsing and validation at the public boundary (STYLE.md rule 7). */
import { chooseThreads } from '../src/engines/parallel/threads.js';
import { describe, expect, it } from 'vitest';
import { OptionError, parseLatency, resolveOptions } from '../src/index.js';
import { defaultThreads } from '../src/options.js';

/** The OptionError `fn` throws (failing the test if it throws nothing or something else). */
function optionErrorOf(fn: () => unknown): OptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError);
    return error as OptionError;
  }
  throw new Error('expected an OptionError, but nothing was thrown');
}

describe('resolveOptions defaults', () => {
  it('fills in the defaults of SPEC.md and the CLI', () => {
    const options = resolveOptions({});
    expect(options).toMatchObject({
      hosts: 1000,
      protocol: 'announce',
      latency: { min: 1, max: 1 },
      loss: 0,
      seed: 1,
      maxTicks: 100_000,
      engine: 'parallel',
    });
    expect(Number.isInteger(options.threads)).toBe(true);
    expect(options.threads).toBeGreaterThanOrEqual(1);
  });

  it('treats no argument like an empty object', () => {
    expect(resolveOptions()).toEqual(resolveOptions({}));
  });

  it('defaults periodic protocols to fanout 1 and the known view', () => {
    expect(resolveOptions({ protocol: 'push' })).toMatchObject({ fanout: 1, view: 'known' });
  });

  it('keeps every valid option as given', () => {
    const input = {
      hosts: 7, protocol: 'push-pull', fanout: 3, view: 'full', latency: { min: 2, max: 4 },
      loss: 0.25, seed: 0xffffffff, maxTicks: 0, threads: 3, engine: 'parallel', maxMemory: 2 ** 30,
    } as const;
    expect(resolveOptions(input)).toEqual(input);
    expect(resolveOptions({ ...input, maxMemory: '1.5G' }).maxMemory).toBe(1.5 * 2 ** 30);
  });
});

describe('latency parsing', () => {
  it.each([
    ['the number 3', 3, { min: 3, max: 3 }],
    ['the text "3"', '3', { min: 3, max: 3 }],
    ['the range "2..5"', '2..5', { min: 2, max: 5 }],
    ['the degenerate range "4..4"', '4..4', { min: 4, max: 4 }],
    ['the object {min: 2, max: 5}', { min: 2, max: 5 }, { min: 2, max: 5 }],
  ] as const)('accepts %s', (_label, value, expected) => {
    expect(parseLatency(value)).toEqual(expected);
    expect(resolveOptions({ latency: value }).latency).toEqual(expected);
  });

  it.each([0, -1, 1.5, '0', '3..1', '3..', '..3', 'x', '', '1..0', { min: 3, max: 1 }, { min: 0, max: 2 }, null, []])(
    'rejects %j naming --latency',
    (value) => {
      const error = optionErrorOf(() => resolveOptions({ latency: value }));
      expect(error.option).toBe('--latency');
    },
  );
});

describe('OptionError', () => {
  it('is a RangeError carrying the option, the value received and what is allowed', () => {
    const error = optionErrorOf(() => resolveOptions({ hosts: 0 }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.name).toBe('OptionError');
    expect(error.option).toBe('--hosts');
    expect(error.value).toBe('0');
    expect(error.allowed).toMatch(/integer/);
    expect(error.message).toContain('--hosts');
    expect(error.message).toContain('0');
    expect(error.message).toContain(error.allowed);
  });

  it.each([
    ['hosts', 0, '--hosts'],
    ['hosts', -3, '--hosts'],
    ['hosts', 1.5, '--hosts'],
    ['hosts', 'abc', '--hosts'],
    ['hosts', Number.NaN, '--hosts'],
    ['protocol', 'gossip', '--protocol'],
    ['fanout', 0, '--fanout'],
    ['view', 'sideways', '--view'],
    ['loss', 1, '--loss'],
    ['loss', -0.1, '--loss'],
    ['loss', 'abc', '--loss'],
    ['loss', Number.POSITIVE_INFINITY, '--loss'],
    ['seed', -1, '--seed'],
    ['seed', 4294967296, '--seed'],
    ['maxTicks', -1, '--max-ticks'],
    ['threads', 0, '--threads'],
    ['engine', 'foo', '--engine'],
  ] as const)('rejects %s = %j, naming %s', (key, value, option) => {
    const periodic = key === 'fanout' || key === 'view' ? { protocol: 'push' } : {};
    const error = optionErrorOf(() => resolveOptions({ ...periodic, [key]: value }));
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
  });

  it.each([
    ['fanout', 2, '--fanout'],
    ['fanout', 1024, '--fanout'],
    ['view', 'full', '--view'],
  ] as const)('rejects %s = %j with announce (it has no peer choice)', (key, value, option) => {
    for (const protocol of [{}, { protocol: 'announce' }]) {
      const error = optionErrorOf(() => resolveOptions({ ...protocol, [key]: value }));
      expect(error.option).toBe(option);
      expect(error.allowed).toMatch(/announce/);
    }
  });

  it('accepts the defaults fanout 1 and view known with announce, as a saved run names them', () => {
    const resolved = resolveOptions({ protocol: 'announce', fanout: 1, view: 'known' });
    expect(resolved).toEqual(resolveOptions({ protocol: 'announce' }));
    expect(resolveOptions(resolved)).toEqual(resolved);
  });

  it.each([
    [{ hosts: 1000 }, 1],
    [{ hosts: 2000 }, 2],
    [{ hosts: 10_000 }, 2],
    [{ protocol: 'push', hosts: 10_000 }, 1],
    [{ protocol: 'push', hosts: 30_000 }, 1],
    [{ protocol: 'push', hosts: 100_000 }, 2],
    // pull and push-pull keep versioned sets now: 5,000 and 10,000 hosts run faster on 1 thread
    // (measured 2026-12-02, AMD EPYC 2 vCPU: pull 5,000 0.23-0.27 s vs 0.29-0.40 s; push-pull
    // 10,000 0.34-0.38 s vs 0.51-0.55 s), 100,000 hosts on 2.
    [{ protocol: 'pull', hosts: 5000 }, 1],
    [{ protocol: 'push-pull', hosts: 2000, latency: '1..4', loss: 0.05 }, 1],
    [{ protocol: 'push-pull', hosts: 10_000 }, 1],
    [{ protocol: 'push-pull', hosts: 100_000 }, 2],
  ] as const)('chooses the thread count by the size of the run on 2 cores: %j -> %i (the calibration runs)', (input, threads) => {
    const options = resolveOptions({ ...input, threads: 1 });
    const choice = chooseThreads(options, 2);
    expect(choice.threads).toBe(threads);
    expect(choice.reason).toMatch(threads === 1 ? /one thread \(worker start-up/ : /one thread per core/);
    expect(chooseThreads(options, 16).threads).toBe(threads === 1 ? 1 : 16);
    expect(chooseThreads(options, 1).threads).toBe(1);
  });

  it('uses the chosen thread count when none is given, and the given one otherwise', () => {
    expect(resolveOptions({ hosts: 1000 }).threads).toBe(1);
    expect(resolveOptions({ hosts: 1000, threads: 2 }).threads).toBe(2);
    expect(resolveOptions({ hosts: 10_000 }).threads).toBe(chooseThreads(resolveOptions({ hosts: 10_000, threads: 1 }), defaultThreads()).threads);
  });

  it('holds the reference engine to one thread: threads 1 or none, resolved as 1', () => {
    expect(resolveOptions({ engine: 'reference' }).threads).toBe(1);
    expect(resolveOptions({ engine: 'reference', threads: 1 }).threads).toBe(1);
    for (const threads of [2, 5, 256]) {
      const error = optionErrorOf(() => resolveOptions({ engine: 'reference', threads }));
      expect(error.option).toBe('--threads');
      expect(error.value).toBe(String(threads));
      expect(error.allowed).toMatch(/reference/);
    }
  });

  it('rejects unknown keys, naming them', () => {
    const error = optionErrorOf(() => resolveOptions({ hosts: 10, fanOut: 2 }));
    expect(error.option).toBe('fanOut');
    expect(error.message).toContain('fanOut');
  });

  it.each([null, 5, 'hosts', [1, 2]])('rejects %j instead of an options object', (input) => {
    optionErrorOf(() => resolveOptions(input));
  });
});
