/**
 * Reports: the trace files, the terminal chart, and every HTML report opened in a real headless
 * Chromium, offline: no console errors, no network requests, one SVG mark per data point. Which
 * browser, and what happens without one, is decided by test/support/browser.ts (the npm-installed
 * Chromium, else the system's; skipped by name when none starts, failed under
 * GOSSIP_SIM_REQUIRE_BROWSER=1). GOSSIP_SIM_UPDATE_SCREENSHOT=1 rewrites docs/report-example.png
 * (also written when missing).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, type CliIo } from '../src/cli.js';
import { OptionError } from '../src/errors.js';
import { simulate, type Result } from '../src/index.js';
import {
  benchPointsOf, compileChart, comparisonCharts, completionHistogram, convergenceChart, memoryChart, messagesChart, speedupChart, wallTimeChart,
  completionChartOf, downsampleCumulative, formatTerminalChart, hostsCsvPathOf, labelsOf, readSavedRun, registerReportCommand,
  renderBenchReport, renderRunReport, savedRunOf, traceFormatOf, writeRunOutputs, ReportInputError, TRACE_FORMAT,
} from '../src/report/index.js';
import { syntheticBench } from './fixtures/bench-results.js';
import { browserRequired, findBrowser } from './support/browser.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const search = await findBrowser();
const found = 'found' in search ? search.found : undefined;
const SKIP_BROWSER = found === undefined && !browserRequired();
if (found !== undefined) console.info(`report tests: ${found.source} browser ${found.browser.version()} at ${found.executablePath}`);
else if (SKIP_BROWSER) console.warn(`report tests: skipping 'HTML reports in headless Chromium': ${'missing' in search ? search.missing : ''}`);
afterAll(async () => found?.browser.close());
const SCREENSHOT = join(ROOT, 'docs', 'report-example.png');

let dir = '';
let push: Result;
let pushPull: Result;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gossip-sim-report-'));
  // The reference engine: the series are identical on every engine, and it starts no workers.
  push = await simulate({ hosts: 200, protocol: 'push', engine: 'reference' });
  pushPull = await simulate({ hosts: 200, protocol: 'push-pull', engine: 'reference' });
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('--trace', () => {
  it('writes one CSV row per tick with the series, and one row per host beside it', async () => {
    const path = join(dir, 'trace.csv');
    expect(await writeRunOutputs(push, { trace: path })).toEqual([path, join(dir, 'trace.hosts.csv')]);
    const ticks = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(ticks[0]).toBe('tick,sent,delivered,complete,coverage,live');
    expect(ticks).toHaveLength(push.lastTick + 2);
    ticks.slice(1).forEach((line, t) => {
      expect(line.split(',').map(Number)).toEqual([t, push.series.sent[t], push.series.delivered[t], push.series.complete[t], push.series.coverage[t], push.series.live[t]]);
    });
    const hosts = (await readFile(hostsCsvPathOf(path), 'utf8')).trimEnd().split('\n');
    expect(hosts[0]).toBe('host,completion_tick,sent,received,bytes');
    const rows = hosts.slice(1).map((line) => line.split(','));
    expect(rows.map((r) => `${r[0]},${r[1]}`)).toEqual(push.hostCompletionTicks.map((t, h) => `${h},${t ?? ''}`));
    // The per-host load adds up to the run's totals (docs/semantics.md "Per-host load").
    const total = (column: number): number => rows.reduce((sum, r) => sum + Number(r[column]), 0);
    expect([total(2), total(3), total(4)]).toEqual([push.sent, push.delivered, 4 * push.entries]);
  });

  it('writes per-host load that adds up to the totals on every engine, crashes, loss and synchronous contacts included', async () => {
    for (const engine of [{ engine: 'reference' as const }, { threads: 1 }, { threads: 3 }]) {
      for (const protocol of ['announce', 'pull', 'push-pull', 'rumor'] as const) {
        // Rumor: synchronous contacts, whose partners may be another thread's hosts, with a partition too.
        const faults = protocol === 'rumor'
          ? { rumorMode: 'push-pull' as const, partitions: [{ at: 1, heal: 4, groups: [{ fraction: 0.4 }] }] }
          : { loss: 0.1, latency: '1..3' };
        const r = await simulate({ protocol, hosts: 120, ...faults, crashes: [{ at: 2, recover: 6, fraction: 0.3 }], ...engine });
        const file = join(dir, `load-${protocol}-${r.threads}.json`);
        await writeRunOutputs(r, { trace: file });
        const doc = JSON.parse(await readFile(file, 'utf8')) as { hostLoad: { sent: number[]; received: number[]; bytes: number[] } };
        const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
        expect([sum(doc.hostLoad.sent), sum(doc.hostLoad.received), sum(doc.hostLoad.bytes)], `${protocol} ${JSON.stringify(engine)}`).toEqual([r.sent, r.delivered, 4 * r.entries]);
        expect(Math.max(...doc.hostLoad.received)).toBe(r.load!.received.max);
      }
    }
  });

  it('leaves the completion tick empty in CSV and null in JSON for hosts that never complete', async () => {
    const stuck = await simulate({ hosts: 30, protocol: 'pull', loss: 0.9, maxTicks: 2, engine: 'reference' });
    expect(stuck.hostCompletionTicks).toContain(null);
    const csv = join(dir, 'stuck.csv');
    await writeRunOutputs(stuck, { trace: csv });
    const rows = (await readFile(hostsCsvPathOf(csv), 'utf8')).trimEnd().split('\n').slice(1);
    stuck.hostCompletionTicks.forEach((t, h) => expect(rows[h]!.split(',').slice(0, 2).join(',')).toBe(t === null ? `${h},` : `${h},${t}`));
    const json = join(dir, 'stuck.json');
    await writeRunOutputs(stuck, { trace: json });
    const doc = JSON.parse(await readFile(json, 'utf8')) as { hostCompletionTicks: (number | null)[] };
    expect(doc.hostCompletionTicks).toEqual(stuck.hostCompletionTicks);
  });

  it('writes a JSON document with the series as columns and the completion ticks', async () => {
    const path = join(dir, 'trace.json');
    expect(await writeRunOutputs(push, { trace: path })).toEqual([path]);
    const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({
      format: TRACE_FORMAT,
      version: 1,
      lastTick: push.lastTick,
      options: { hosts: 200, protocol: 'push', latency: '1' },
      series: { ...push.series, tick: Array.from({ length: push.lastTick + 1 }, (_, t) => t) },
      hostCompletionTicks: push.hostCompletionTicks,
    });
  });

  it('refuses other extensions with a usage error naming the flag and the formats, before writing anything', async () => {
    expect(() => traceFormatOf('trace.txt')).toThrow(OptionError);
    expect(() => traceFormatOf('trace.txt')).toThrow('--trace: got "trace.txt", expected a file name ending in .csv or .json');
    expect(traceFormatOf('T.CSV')).toBe('csv');
    await expect(writeRunOutputs(push, { trace: join(dir, 'x.tsv'), report: join(dir, 'never.html') })).rejects.toThrow(OptionError);
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
    await expect(writeRunOutputs(push, { report: join(dir, 'r.pdf') })).rejects.toThrow('--report: got');
  });

  it('says which file it could not write and what to check', async () => {
    await expect(writeRunOutputs(push, { trace: join(dir, 'no', 'such', 'dir.csv') })).rejects.toThrow(/could not write the trace to .*dir\.csv \(ENOENT/);
  });
});

describe('run report of a rumor run', () => {
  it('has a table of the variant and the paper\'s metrics, with the values of the result', async () => {
    const rumor = await simulate({ hosts: 300, protocol: 'rumor', rumorSources: [0, 7], engine: 'reference' } as never);
    const html = await renderRunReport(rumor);
    const m = rumor.protocolMetrics!;
    expect(html).toContain('Rumor mongering (Demers et al. 1987)');
    expect(html).toContain('push, feedback, counter k = 2, synchronous contacts');
    expect(html).toContain('0,7');
    expect(html).toContain(m['residue']!.toFixed(6));
    expect(html).toContain(m['traffic']!.toFixed(3));
    // A membership protocol's report has no such table.
    expect(await renderRunReport(push)).not.toContain('Rumor mongering');
  });
});

describe('run report of a run with crashes and churn', () => {
  it('draws hosts live beside convergence, marks every crash, recovery and churn bound, and lists the faults and load', async () => {
    const r = await simulate({ hosts: 200, protocol: 'push', view: 'full', engine: 'reference', crashes: [{ at: 2, recover: 9, fraction: 0.3 }], churn: { at: 1, until: 12, leave: 0.02, join: 0.5 } });
    const chart = convergenceChart(r.series, 200, [{ tick: 2, label: 'crash 0' }]);
    expect(chart.title).toContain('hosts live');
    const values = JSON.stringify(chart.spec);
    expect(values).toContain('"series":"hosts live"');
    expect((await compileChart(chart.spec)).warnings).toEqual([]);
    const html = await renderRunReport(r);
    for (const text of ['crash 0', 'crash 0 recovers', 'churn starts', 'churn stops', 'dropped at down hosts', 'hosts live at the end', 'per host: messages sent']) expect(html, text).toContain(text);
    expect(html).toContain('30% of the hosts down, then back with their state');
    // A run without faults draws no live-hosts line.
    expect(JSON.stringify(convergenceChart(push.series, 200).spec)).not.toContain('hosts live');
  });
});

describe('terminal chart', () => {
  it('draws 8 rows of block characters, full at the top once every host is complete', () => {
    const lines = completionChartOf(push).split('\n');
    expect(lines).toHaveLength(1 + 8 + 2);
    expect(lines[0]).toContain(`hosts complete per tick (ticks 0 to ${push.lastTick})`);
    expect(lines[1]).toMatch(/^200 ┤.*█$/);
    expect(lines[8]).toMatch(/^ {2}0 ┤/);
    expect(lines[10]).toMatch(new RegExp(`^\\s+0\\s+${push.lastTick}$`));
  });

  it('downsamples long series to at most 60 columns, keeping each bucket’s last value', () => {
    const values = Array.from({ length: 1000 }, (_, t) => t);
    const { values: sampled, ticksPerColumn } = downsampleCumulative(values, 60);
    expect(sampled).toHaveLength(60);
    expect(ticksPerColumn).toBeCloseTo(1000 / 60);
    expect(sampled[59]).toBe(999);
    expect(sampled[0]).toBe(15);
    const chart = formatTerminalChart(values, 999, 'x').split('\n');
    for (const line of chart.slice(1, 9)) expect([...line.replace(/^.*[┤│]/, '')].length).toBeLessThanOrEqual(60);
    expect(chart[0]).toContain('16.7 ticks per column');
  });

  it('leaves a column empty at 0 and draws the smallest block for any value above 0', () => {
    const lines = formatTerminalChart([0, 1, 1000], 1000, 't', { rows: 4, columns: 3 }).split('\n');
    expect(lines.slice(1, 5)).toEqual(['1000 ┤  █', '     │  █', '     │  █', '   0 ┤ ▁█']);
  });
});

describe('saved runs', () => {
  it('labels runs by the options that differ between them', () => {
    const runs = [push, pushPull].map((r, i) => savedRunOf(JSON.parse(JSON.stringify(jsonOf(r))), `r${i}.json`));
    expect(labelsOf(runs)).toEqual(['protocol push', 'protocol push-pull']);
    expect(labelsOf([runs[0]!, runs[0]!])).toEqual(['protocol push, hosts 200 (r0.json)', 'protocol push, hosts 200 (r0.json)']);
  });

  it('rejects a missing file, non-JSON and JSON without series with a usage error naming the file', async () => {
    await expect(readSavedRun(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: no such file; save runs/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ not json');
    await expect(readSavedRun(bad)).rejects.toThrow(/bad\.json: not JSON/);
    const noSeries = join(dir, 'no-series.json');
    await writeFile(noSeries, JSON.stringify({ options: { hosts: 3 } }));
    const error = await readSavedRun(noSeries).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportInputError);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toMatch(/no-series\.json: no per-tick "series"/);
  });
});

describe('chart specs', () => {
  it('compile without Vega-Lite warnings, for runs and bench results alike', async () => {
    const { points, controls } = benchPointsOf(syntheticBench());
    const stuck = [null, null, 4] as (number | null)[];
    const charts = [
      convergenceChart(push.series, 200), convergenceChart(push.series, 200, [{ tick: 1, label: 'partition 0' }, { tick: 3, label: 'partition 0 heals' }]), messagesChart(push.series), completionHistogram(push.hostCompletionTicks), completionHistogram([null]),
      completionHistogram(stuck), ...comparisonCharts([{ label: 'a', hosts: 200, series: push.series }]),
      wallTimeChart(points), speedupChart(points, controls), memoryChart(points), speedupChart(points, []),
    ];
    for (const chart of charts) expect((await compileChart(chart.spec)).warnings, chart.id).toEqual([]);
  });

  it('draw long runs in at most 400 points per series and wide completion spreads in at most 60 bars', () => {
    const n = 5000;
    const series = { sent: new Array<number>(n).fill(3), delivered: new Array<number>(n).fill(2), complete: Array.from({ length: n }, (_, t) => t), coverage: new Array<number>(n).fill(0.5), live: new Array<number>(n).fill(n) };
    const convergence = convergenceChart(series, n);
    expect(convergence.points).toBe(800);
    expect(convergence.caption).toContain('5000 ticks drawn as 400 points');
    expect(messagesChart(series).points).toBe(800);
    const histogram = completionHistogram(Array.from({ length: 1000 }, (_, h) => h * 3));
    expect(histogram.points).toBeLessThanOrEqual(60);
    expect(histogram.caption).toContain('Bars 50 ticks wide');
  });
});

/** What the browser saw on one page. */
interface PageCheck {
  readonly charts: { id: string; declared: number; marks: number; svgs: number; width: number }[];
  readonly problems: string[];
}

describe.skipIf(SKIP_BROWSER)('HTML reports in headless Chromium', () => {
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    // GOSSIP_SIM_REQUIRE_BROWSER=1 (CI): no browser is a failure, with the reason.
    if (found === undefined) throw new Error(`GOSSIP_SIM_REQUIRE_BROWSER=1 and ${'missing' in search ? search.missing : 'no browser'}`);
    context = await found.browser.newContext({ viewport: { width: 1480, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
  });

  /** Opens `path` offline, gathers problems and per-chart mark counts, saves a screenshot. */
  async function open(path: string, screenshots: string[]): Promise<PageCheck> {
    const html = await readFile(path, 'utf8');
    const problems: string[] = [];
    if (/https?:\/\//i.test(html)) problems.push(`a URL in the HTML: ${/.{0,40}https?:\/\/.{0,40}/i.exec(html)?.[0]}`);
    if (/<script|<link|<img|<iframe|\bsrc=|\bhref=|@import|url\(/i.test(html)) problems.push('an element or attribute that could load something');
    const page = await context!.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!/^(file|data):/.test(r.url())) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => ({
        id: f.id,
        declared: Number(f.getAttribute('data-points')),
        marks: f.querySelectorAll(':scope > svg g.points_marks > *').length,
        svgs: f.querySelectorAll(':scope > svg').length,
        width: f.querySelector(':scope > svg')?.getBoundingClientRect().width ?? 0,
      })),
    );
    for (const shot of screenshots) await page.screenshot({ path: shot, fullPage: true });
    await page.close();
    return { charts, problems };
  }

  function expectCharts(check: PageCheck, expected: Record<string, number>): void {
    expect(check.problems).toEqual([]);
    expect(Object.fromEntries(check.charts.map((c) => [c.id, c.marks]))).toEqual(expected);
    for (const chart of check.charts) {
      expect(chart.svgs, chart.id).toBe(1);
      expect(chart.declared, chart.id).toBe(chart.marks);
      expect(chart.width, chart.id).toBeGreaterThan(300);
    }
  }

  it('run report: convergence, messages and completion ticks of a 200-host push run, one mark per point', async () => {
    const path = join(dir, 'run.html');
    expect(await writeRunOutputs(push, { report: path })).toEqual([path]);
    const ticks = push.lastTick + 1;
    const done = push.hostCompletionTicks.filter((t): t is number => t !== null);
    const bins = Math.max(...done) - Math.min(...done) + 1;
    expect(bins).toBeLessThanOrEqual(60); // one bar per tick at this size
    const shots = [join(dir, 'run.png'), ...(existsSync(SCREENSHOT) && process.env['GOSSIP_SIM_UPDATE_SCREENSHOT'] !== '1' ? [] : [SCREENSHOT])];
    const check = await open(path, shots);
    expectCharts(check, { 'chart-convergence': 2 * ticks, 'chart-messages': 2 * ticks, 'chart-completion': bins });
    expect(existsSync(shots[0]!)).toBe(true);
  });

  it('comparison report: `report a.json b.json --out` overlays push and push-pull, one mark per tick of each run', async () => {
    const files = [join(dir, 'push.json'), join(dir, 'push-pull.json')];
    await writeFile(files[0]!, `${JSON.stringify(jsonOf(push))}\n`);
    await writeFile(files[1]!, `${JSON.stringify(jsonOf(pushPull))}\n`);
    const out = join(dir, 'cmp.html');
    const written: string[] = [];
    const io: CliIo = { stdout: (t) => written.push(t), stderr: (t) => written.push(t), stdoutIsTTY: false, stderrIsTTY: false };
    const program = new Command().exitOverride();
    registerReportCommand(program, io);
    await program.parseAsync(['report', ...files, '--out', out], { from: 'user' });
    expect(written.join('')).toContain(`wrote ${out} (2 runs)`);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('protocol push-pull');
    const points = push.lastTick + 1 + pushPull.lastTick + 1;
    const check = await open(out, [join(dir, 'cmp.png')]);
    expectCharts(check, { 'chart-compare-complete': points, 'chart-compare-coverage': points });
  });

  it('bench report: wall time, speedup with the ideal line and the control, peak memory', async () => {
    const bench = syntheticBench();
    const path = join(dir, 'bench.html');
    await writeFile(path, await renderBenchReport(bench));
    const configs = bench.configurations.length;
    const speedups = bench.configurations.filter((c) => c.summary.speedup !== null).length + bench.control.length;
    const check = await open(path, [join(dir, 'bench.png')]);
    expectCharts(check, { 'chart-bench-wall': configs, 'chart-bench-speedup': speedups, 'chart-bench-memory': configs });
  });

  it('bench report refuses a document that is not bench results, naming the problem', async () => {
    await expect(renderBenchReport({ schemaVersion: 1 })).rejects.toThrow(/not a gossip-sim bench results file/);
  });
});
