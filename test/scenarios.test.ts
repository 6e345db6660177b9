/**
 * Partitions and scenario files: the worked examples of docs/scenarios.md run as written (and
 * give the same metrics on every engine), partitions behave as docs/semantics.md "Faults:
 * partitions" says, and bad files get one clear usage error each. `npm test` builds first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions, simulate, type Result } from '../src/index.js';
import { loadScenario, scenarioInput } from '../src/scenario.js';
import { ROOT, runCli } from './support/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'gossip-sim-scenarios-'));

/** The fenced blocks of docs/scenarios.md, in order. */
function examples(): { kind: 'json' | 'yaml'; text: string }[] {
  const doc = readFileSync(join(ROOT, 'docs', 'scenarios.md'), 'utf8');
  return [...doc.matchAll(/```(json|yaml)\n([\s\S]*?)```/g)].map((m) => ({ kind: m[1] as 'json' | 'yaml', text: m[2]! }));
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The deterministic part of a result (what must not depend on the engine or thread count). */
function metricsOf(r: Result): unknown {
  const { wallSeconds, diagnostics, threads, engine, options, ...rest } = r as unknown as Record<string, unknown>;
  void wallSeconds; void diagnostics; void threads; void engine; void options;
  return { ...rest, hostCompletionTicks: r.hostCompletionTicks };
}

describe('docs/scenarios.md', () => {
  const blocks = examples();

  it('has the worked examples, JSON and YAML', () => {
    expect(blocks.filter((b) => b.kind === 'json').length).toBeGreaterThanOrEqual(4);
    expect(blocks.some((b) => b.kind === 'yaml')).toBe(true);
  });

  it.each(blocks.map((b, i) => [i, b] as const))('example %i loads, and runs alike on the reference engine and 1 and 3 threads', async (i, block) => {
    const file = write(`example-${i}.${block.kind}`, block.text);
    const input = scenarioInput(loadScenario(file), {});
    expect((input.partitions?.length ?? 0) + (input.crashes?.length ?? 0) + (input.churn === undefined ? 0 : 1) + (input.regions === undefined ? 0 : 1)).toBeGreaterThan(0);
    const reference = await simulate({ ...input, engine: 'reference' });
    if (input.partitions !== undefined) expect(reference.partitioned).toBeGreaterThan(0);
    if (input.crashes !== undefined || input.churn !== undefined) expect(reference.dropped).toBeGreaterThan(0);
    else expect(reference.dropped).toBe(0);
    expect(reference.partitioned).toBeLessThanOrEqual(reference.lost);
    for (const threads of [1, 3]) expect(metricsOf(await simulate({ ...input, threads }))).toEqual(metricsOf(reference));
  });

  it('the YAML example is the JSON example before it', () => {
    const yamlAt = blocks.findIndex((b) => b.kind === 'yaml');
    const fromYaml = loadScenario(write('same.yaml', blocks[yamlAt]!.text));
    const fromJson = loadScenario(write('same.json', blocks[yamlAt - 1]!.text));
    expect(fromYaml.options).toEqual(fromJson.options);
    expect(fromYaml.partitions).toEqual(fromJson.partitions);
  });
});

describe('partitions (docs/semantics.md "Faults: partitions")', () => {
  const halves = [{ hosts: '0..99' }, { hosts: '100..199' }];

  it('a partition that never heals never converges across groups: coverage stays within the groups', async () => {
    for (const protocol of ['push', 'pull', 'push-pull'] as const) {
      const r = await simulate({ protocol, hosts: 200, view: 'full', maxTicks: 80, partitions: [{ at: 0, groups: halves }], engine: 'reference' });
      expect(r.converged, protocol).toBe(false);
      expect(r.endReason).toBe('max-ticks');
      // Each host can know only its own half: at most 2 * 100^2 of the 200^2 pairs.
      expect(r.coverage).toBeLessThanOrEqual((2 * 100 * 100) / (200 * 200));
      // Within its half every host learns everyone by then.
      expect(r.coverage).toBeCloseTo(0.5, 10);
      expect(r.partitioned).toBeGreaterThan(0);
      expect(r.lost).toBe(r.partitioned);
    }
  });

  it('healing converges, and later than without the partition', async () => {
    const free = await simulate({ protocol: 'push', hosts: 200, view: 'full', engine: 'reference' });
    const healed = await simulate({ protocol: 'push', hosts: 200, view: 'full', partitions: [{ at: 0, heal: 15, groups: halves }], engine: 'reference' });
    expect(free.converged && healed.converged).toBe(true);
    expect(healed.ticks!).toBeGreaterThan(free.ticks!);
    expect(healed.ticks!).toBeGreaterThanOrEqual(15);
    expect(free.partitioned).toBe(0);
  });

  it('a partition that starts after the run ends changes nothing', async () => {
    const free = await simulate({ protocol: 'push-pull', hosts: 150, latency: '1..3', loss: 0.1, engine: 'reference' });
    const late = await simulate({ protocol: 'push-pull', hosts: 150, latency: '1..3', loss: 0.1, partitions: [{ at: free.lastTick + 1, groups: [{ fraction: 0.5 }] }], engine: 'reference' });
    expect(metricsOf(late)).toEqual(metricsOf(free));
  });

  it('one group of fraction 1 holds every host: nothing is cut', async () => {
    const free = await simulate({ protocol: 'pull', hosts: 120, threads: 2 });
    const whole = await simulate({ protocol: 'pull', hosts: 120, threads: 2, partitions: [{ at: 0, groups: [{ fraction: 1 }] }] });
    expect(metricsOf(whole)).toEqual(metricsOf(free));
  });

  it('fraction groups are drawn by the hash: about their share of the hosts, and a different split per partition index', async () => {
    const { groupsOf } = await import('../src/faults.js');
    const p = { at: 0, heal: null, groups: [{ fraction: 0.3 }, { fraction: 0.5 }] };
    const g = groupsOf(p, 0, 100_000, 1);
    const counts = [0, 0, 0];
    for (const x of g) counts[x]!++;
    expect(counts[0]! / 1e5).toBeCloseTo(0.3, 1);
    expect(counts[1]! / 1e5).toBeCloseTo(0.5, 1);
    expect(counts[2]! / 1e5).toBeCloseTo(0.2, 1);
    expect(groupsOf(p, 1, 100_000, 1)).not.toEqual(g);
  });

  it('announce with host 0 cut off cannot bring anyone in (no retries): it stalls at tick 0', async () => {
    const r = await simulate({ hosts: 50, partitions: [{ at: 0, groups: [{ hosts: '0' }] }], engine: 'reference' });
    expect(r.endReason).toBe('stalled');
    expect(r.lastTick).toBe(0);
    expect(r.sent).toBe(49);
    expect(r.partitioned).toBe(49);
  });
});

describe('regions (docs/semantics.md "Regions")', () => {
  it('regions without links, or with links that repeat the run\'s own latency and loss, change nothing', async () => {
    const base = { protocol: 'push-pull', hosts: 120, latency: '1..3', loss: 0.1, engine: 'reference' } as const;
    const free = await simulate(base);
    const groups = [{ hosts: '0..39' }, { fraction: 0.5 }].slice(0, 1);
    expect(metricsOf(await simulate({ ...base, regions: { groups } }))).toEqual(metricsOf(free));
    expect(metricsOf(await simulate({ ...base, regions: { groups, links: [{ between: [0, 1], latency: '1..3', loss: 0.1 }, { between: [1, 1] }] } }))).toEqual(metricsOf(free));
  });

  it('a message between two regions takes its link\'s latency: the first delivery of a 2-host push comes at tick 4', async () => {
    for (const engine of [{ engine: 'reference' }, { threads: 2 }] as const) {
      const r = await simulate({ protocol: 'push', hosts: 2, view: 'full', maxTicks: 8, regions: { groups: [{ hosts: '0' }], links: [{ between: [1, 0], latency: 4 }] }, ...engine });
      expect(r.series.delivered.slice(0, 5)).toEqual([0, 0, 0, 0, 2]);
      expect(r.ticks).toBe(4);
    }
  });

  it('a lossy link loses about its share of the messages that cross it, and only those', async () => {
    const r = await simulate({ protocol: 'push', hosts: 400, view: 'full', maxTicks: 30, regions: { groups: [{ hosts: '0..199' }], links: [{ between: [0, 1], loss: 0.5 }] }, engine: 'reference' });
    // Half the pushes cross (a peer in the other half), half of those are lost: about a quarter.
    expect(r.lost / r.sent).toBeGreaterThan(0.2);
    expect(r.lost / r.sent).toBeLessThan(0.3);
    expect(r.partitioned).toBe(0);
  });

  it('bad partitions given to simulate() are OptionErrors naming the place, not crashes', () => {
    expect(() => resolveOptions({ hosts: 10, partitions: null } as never)).toThrow('partitions: got null, expected a list of partitions');
    expect(() => resolveOptions({ hosts: 10, partitions: { length: 0 } } as never)).toThrow('expected a list of partitions');
    expect(() => resolveOptions({ hosts: 10, partitions: [{ at: 0, groups: [{ hosts: -3 }] }] } as never)).toThrow('partitions[0].groups[0].hosts: got -3');
    expect(() => resolveOptions({ hosts: 10, partitions: [{ at: 0, groups: [{ hosts: '0..5' }, { hosts: '7,3' }] }] })).toThrow('partitions[0].groups[1].hosts: got "7,3", expected groups that do not overlap; 3 is also in group 0');
    expect(() => resolveOptions({ hosts: 10, partitions: [{ at: 0, groups: [{ hosts: '0..5,5' }] }] })).toThrow('5 is named twice in this group');
    // 200,000 single ids are checked in well under a second (the overlap test sorts).
    const ids = Array.from({ length: 200_000 }, (_, i) => 2 * i).join(',');
    const started = performance.now();
    expect(resolveOptions({ hosts: 400_001, partitions: [{ at: 0, groups: [{ hosts: ids }] }] }).partitions).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('a partition that starts after the last tick costs no memory, and is counted in the estimate when it can cut', async () => {
    const { estimateBytes, preferredState } = await import('../src/engines/memory.js');
    const base = resolveOptions({ protocol: 'rumor', hosts: 1_000_000, threads: 2, maxTicks: 50 } as never);
    const mode = (o: typeof base) => ({ mode: preferredState(o).mode, generations: 1, versions: 0 }) as never;
    const late = resolveOptions({ ...base, partitions: [{ at: 51, groups: [{ fraction: 0.5 }] }] } as never);
    const early = resolveOptions({ ...base, partitions: [{ at: 50, groups: [{ fraction: 0.5 }] }] } as never);
    expect(estimateBytes(late, mode(late))).toBe(estimateBytes(base, mode(base)));
    // A byte per host in each of the 2 shards.
    expect(estimateBytes(early, mode(early)) - estimateBytes(base, mode(base))).toBe(2 * 1_000_000);
  });

  it('bad regions are usage errors naming the place', () => {
    expect(() => resolveOptions({ hosts: 10, regions: { groups: [{ hosts: '0..4' }], links: [{ between: [0, 2] }] } })).toThrow('regions.links[0].between: got [0,2], expected two region numbers from 0 to 1');
    expect(() => resolveOptions({ hosts: 10, regions: { groups: [{ hosts: '0..4' }], links: [{ between: [0, 1] }, { between: [1, 0] }] } })).toThrow('regions.links[1].between');
    expect(() => resolveOptions({ hosts: 10, regions: { groups: [{ hosts: '0..4' }], links: [{ between: [0, 1], latency: '5..2' }] } })).toThrow('regions.links[0].latency');
    expect(() => resolveOptions({ hosts: 10, regions: { groups: [{ hosts: '0..10' }] } })).toThrow('regions.groups[0].hosts');
    expect(() => resolveOptions({ hosts: 10, protocol: 'rumor', regions: { groups: [{ fraction: 0.5 }] } })).toThrow('--contact messages');
  });
});

describe('completion-tick quantiles (docs/semantics.md "Metrics")', () => {
  /** The definition, naively: the first tick by which at least ceil(q * N) hosts were complete. */
  function naive(ticks: readonly (number | null)[], q: number): number | null {
    const need = Math.ceil(q * ticks.length);
    const done = ticks.filter((t): t is number => t !== null).sort((a, b) => a - b);
    return done.length >= need ? done[need - 1]! : null;
  }

  it('match the definition on converged, stalled, partitioned and rumor runs, on every engine', async () => {
    const runs = [
      await simulate({ protocol: 'push', hosts: 300, engine: 'reference' }),
      await simulate({ protocol: 'pull', hosts: 80, loss: 0.6, maxTicks: 6, threads: 2 }),
      await simulate({ protocol: 'push', hosts: 200, view: 'full', maxTicks: 30, partitions: [{ at: 0, groups: [{ hosts: '0..99' }] }], threads: 3 }),
      await simulate({ protocol: 'rumor', hosts: 2000, threads: 2 } as never),
      await simulate({ hosts: 1 }),
    ];
    for (const r of runs) {
      for (const [key, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
        expect(r.completionQuantiles[key], `${r.options.protocol} ${key}`).toBe(naive(r.hostCompletionTicks, q));
      }
    }
    // The never-healing partition: nobody completes, every quantile is null.
    expect(runs[2]!.completionQuantiles).toEqual({ p50: null, p95: null, p99: null });
    // The rumor's residue (about 3%) leaves its 99th percentile unreached.
    expect(runs[3]!.completionQuantiles.p99).toBeNull();
    expect(runs[3]!.completionQuantiles.p50).not.toBeNull();
  });
});

describe('bad scenarios: one usage error each, naming the file, the path, the value and what is allowed', () => {
  const cases: { what: string; text: string; ext?: string; names: string[] }[] = [
    { what: 'an unknown top-level key', text: '{"option": {}}', names: ['option'] },
    { what: 'an unknown option', text: '{"options": {"hostz": 3}}', names: ['options', 'hostz'] },
    { what: 'an event kind not supported', text: '{"events": [{"partition": {"at": 0, "groups": [{"fraction": 0.5}]}}, {"restart": {"at": 3}}]}', names: ['events[1]', 'restart'] },
    { what: 'two churn events', text: '{"events": [{"churn": {"at": 0, "leave": 0.1}}, {"churn": {"at": 3, "leave": 0.2}}]}', names: ['events[1].churn', 'one churn event'] },
    { what: 'a churn probability above 1', text: '{"events": [{"churn": {"at": 0, "leave": 1.5}}]}', names: ['events[0].churn.leave'] },
    { what: 'a churn reserve of every host', text: '{"options": {"hosts": 40}, "events": [{"churn": {"at": 0, "leave": 0.1, "reserve": 40}}]}', names: ['events[0].churn.reserve', '40'] },
    { what: 'churn stopping before it starts', text: '{"events": [{"churn": {"at": 5, "until": 2, "leave": 0.1}}]}', names: ['events[0].churn.until', '2'] },
    { what: 'a recover before its crash', text: '{"events": [{"partition": {"at": 0, "groups": [{"fraction": 0.5}]}}, {"crash": {"at": 6, "recover": 4, "hosts": "1..3"}}]}', names: ['events[1].crash.recover', '4', 'crash tick 6'] },
    { what: 'a crash naming a host >= N', text: '{"options": {"hosts": 50}, "events": [{"crash": {"at": 1, "hosts": "10..50"}}]}', names: ['events[0].crash.hosts', '10..50', '50 is not a host'] },
    { what: 'a crash with both hosts and a fraction', text: '{"events": [{"crash": {"at": 1, "hosts": "1", "fraction": 0.2}}]}', names: ['events[0].crash', 'exactly one of hosts'] },
    { what: 'a crash with neither hosts nor a fraction', text: '{"events": [{"crash": {"at": 1}}]}', names: ['events[0].crash', 'exactly one of hosts'] },
    { what: 'a crash fraction of 0', text: '{"events": [{"crash": {"at": 1, "fraction": 0}}]}', names: ['events[0].crash.fraction'] },
    { what: 'a crash with an unknown key', text: '{"events": [{"crash": {"at": 1, "fraction": 0.1, "heal": 4}}]}', names: ['events[0].crash', 'heal'] },
    { what: 'a crash state other than keep or initial', text: '{"options": {"protocol": "announce"}, "events": [{"crash": {"at": 1, "recover": 3, "fraction": 0.1, "state": "lost"}}]}', names: ['events[0].crash.state', 'lost'] },
    { what: 'a fraction above 1', text: '{"events": [{"partition": {"at": 0, "groups": [{"fraction": 1.5}]}}]}', names: ['events[0].partition.groups[0]'] },
    { what: 'a heal before its start', text: '{"events": [{"partition": {"at": 5, "heal": 5, "groups": [{"fraction": 0.5}]}}]}', names: ['events[0].partition.heal', '5'] },
    { what: 'a host id >= N', text: '{"options": {"hosts": 100}, "events": [{"partition": {"at": 0, "groups": [{"hosts": "0..100"}]}}]}', names: ['events[0].partition.groups[0].hosts', '0..100'] },
    { what: 'overlapping groups', text: '{"options": {"hosts": 100}, "events": [{"partition": {"at": 0, "groups": [{"hosts": "0..50"}, {"hosts": "40..60"}]}}]}', names: ['events[0].partition.groups[1].hosts', 'overlap'] },
    { what: 'fractions summing above 1', text: '{"events": [{"partition": {"at": 0, "groups": [{"fraction": 0.6}, {"fraction": 0.6}]}}]}', names: ['events[0].partition.groups[1].fraction'] },
    { what: 'host lists and fractions mixed', text: '{"events": [{"partition": {"at": 0, "groups": [{"hosts": "0"}, {"fraction": 0.5}]}}]}', names: ['events[0].partition.groups'] },
    { what: 'a malformed host list', text: '{"events": [{"partition": {"at": 0, "groups": [{"hosts": "0..x"}]}}]}', names: ['events[0].partition.groups[0].hosts', '0..x'] },
    { what: 'invalid JSON', text: '{"events": [', names: ['--scenario', 'valid JSON'] },
    { what: 'invalid YAML', text: 'events: [\n  - partition: {at: 0', ext: 'yaml', names: ['--scenario', 'valid YAML'] },
    { what: 'another extension', text: '{}', ext: 'txt', names: ['--scenario', '.json, .yaml or .yml'] },
  ];

  it.each(cases)('$what', async ({ text, ext, names }) => {
    const file = write(`bad-${Math.random().toString(36).slice(2)}.${ext ?? 'json'}`, text);
    const { code, stdout, stderr } = await runCli(['run', '--scenario', file]);
    const context = `stderr ${JSON.stringify(stderr)}`;
    expect(code, context).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n'), context).toHaveLength(1);
    expect(stderr, context).not.toMatch(/^\s+at /m);
    if (ext !== 'txt') expect(stderr, context).toContain(file);
    for (const name of names) expect(stderr, context).toContain(name);
  });

  it('regions with rumor\'s synchronous contacts name the file', async () => {
    const file = write('rumor-regions.json', JSON.stringify({ options: { protocol: 'rumor' }, regions: { groups: [{ fraction: 0.5 }] } }));
    const { code, stderr } = await runCli(['run', '--scenario', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}: regions`);
    expect(stderr).toContain('messages');
  });

  it('an option of the file that the run refuses is named by its place in the file, one given on the command line by its flag', async () => {
    const file = write('big.json', JSON.stringify({ options: { protocol: 'push', hosts: 2_000_000 } }));
    const fromFile = await runCli(['run', '--scenario', file]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`${file}: options.hosts: got 2000000, expected an integer from 1 to`);
    const fromFlag = await runCli(['run', '--scenario', file, '--hosts', '3000000']);
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toMatch(/^gossip-sim: --hosts: got 3000000/);
  });

  it('a missing file', async () => {
    const { code, stderr } = await runCli(['run', '--scenario', join(dir, 'nowhere.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('ENOENT');
  });
});

describe('the run report of a partitioned run', () => {
  it('lists each partition among the options and the messages cut among the metrics', async () => {
    const { renderRunReport } = await import('../src/report/index.js');
    const r = await simulate({ protocol: 'push', hosts: 100, view: 'full', partitions: [{ at: 2, heal: 9, groups: [{ hosts: '0..49' }] }], engine: 'reference' });
    const html = await renderRunReport(r);
    expect(html).toContain('partition 0');
    expect(html).toContain('ticks 2 to 8: 0..49 | the rest');
    expect(html).toContain('cut by partitions');
    // The convergence chart marks the partition's start and heal (drawn as SVG text).
    expect(html).toContain('partition 0 heals');
    expect(html).toMatch(/Dashed lines: the fault events \(partition 0 at tick 2, partition 0 heals at tick 9\)/);
  });
});

describe('--scenario on the command line', () => {
  it('command-line options override the file\'s, and the events are checked against the merged host count', async () => {
    const file = write('override.json', JSON.stringify({ options: { protocol: 'push', hosts: 100, maxTicks: 5 }, events: [{ partition: { at: 0, groups: [{ hosts: '0..149' }] } }] }));
    const refused = await runCli(['run', '--scenario', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('events[0].partition.groups[0].hosts');
    const { code, stdout, stderr } = await runCli(['run', '--scenario', file, '--hosts', '300', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { options: { hosts: number; protocol: string; maxTicks: number; partitions: unknown[] }; partitioned: number; lost: number };
    expect(doc.options).toMatchObject({ hosts: 300, protocol: 'push', maxTicks: 5 });
    expect(doc.options.partitions).toEqual([{ at: 0, heal: null, groups: [{ hosts: '0..149' }] }]);
    expect(doc.partitioned).toBeGreaterThan(0);
    expect(doc.lost).toBe(doc.partitioned);
  });
});
