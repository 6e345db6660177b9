/**
 * bench/rumor-tables.ts: the paper's figures and their precision, the verdict rule, and a short
 * real run of Table 1, k = 1 and 2, over 20 seeds (its seeds run on the pool of
 * dist/workers/seeds.js: run `npm run build` first, as `npm test` does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatRumorTablesMarkdown,
  judge,
  main,
  PAPER_TABLES,
  printedFigure,
  RUMOR_METRICS,
  rumorTablesJson,
  runRumorTables,
} from '../bench/rumor-tables.js';
import { packageRoot } from '../src/bench/paths.js';
import type { CliIo } from '../src/cli.js';

describe('the paper\'s figures', () => {
  it('take their tolerance from the printed precision: half a unit of the last digit', () => {
    expect(printedFigure('0.037').tolerance).toBeCloseTo(0.0005, 15);
    expect(printedFigure('38').tolerance).toBe(0.5);
    expect(printedFigure('0.20').tolerance).toBeCloseTo(0.005, 15);
    expect(printedFigure('3.1e-2')).toMatchObject({ value: 0.031, decimals: 1, exponent: -2 });
    expect(printedFigure('4.0e-6').tolerance).toBeCloseTo(5e-8, 20);
  });

  it('hold 5, 5 and 3 rows', () => {
    expect(PAPER_TABLES.map((t) => t.rows.length)).toEqual([5, 5, 3]);
  });

  it('agree with a mean within the printed precision or an interval that holds them, and differ otherwise', () => {
    const at = (mean: number, low: number, high: number) => ({ n: 20, mean, sd: 1, ci95: [low, high] as const });
    expect(judge('16.8', at(16.85, 16.84, 16.86))).toMatchObject({ verdict: 'agrees', by: 'precision' });
    expect(judge('16.8', at(17.0, 16.7, 17.3))).toMatchObject({ verdict: 'agrees', by: 'interval' });
    expect(judge('16.8', at(16.9, 16.89, 16.91))).toMatchObject({ verdict: 'differs', by: null });
    expect(judge('16.8', { n: 0, mean: null, sd: null, ci95: null })).toMatchObject({ verdict: 'differs', mean: null });
  });
});

describe('runRumorTables', () => {
  it('runs Table 1, k = 1 and 2, over 20 seeds near the paper\'s residue and traffic, in under 20 s', async () => {
    const worker = join(packageRoot(), 'dist', 'workers', 'seeds.js');
    if (!existsSync(worker)) throw new Error(`${worker} is missing: run \`npm run build\` first`);
    const table1 = PAPER_TABLES[0]!;
    const started = performance.now();
    const result = await runRumorTables({ seeds: 20, hosts: 1000, tables: [{ ...table1, rows: table1.rows.slice(0, 2) }] });
    const seconds = (performance.now() - started) / 1000;

    expect(seconds).toBeLessThan(20);
    expect(result).toMatchObject({ hosts: 1000, seeds: 20, seedList: '1..20' });
    expect(result.environment.cores).toBeGreaterThan(0);
    expect(result.tables).toHaveLength(1);
    const [table] = result.tables;
    expect(table!.table).toBe(1);
    expect(table!.rows.map((r) => r.k)).toEqual([1, 2]);
    for (const row of table!.rows) {
      expect(row.input).toMatchObject({ protocol: 'rumor', hosts: 1000, fanout: 1, view: 'full', contact: 'synchronous', rumorMode: 'push', rumorFeedback: 'feedback', rumorStop: 'counter', rumorK: row.k });
      for (const metric of RUMOR_METRICS) {
        const cell = row.cells[metric];
        expect(cell.n).toBe(20);
        expect(['agrees', 'differs']).toContain(cell.verdict);
        expect(cell.ci95![0]).toBeLessThanOrEqual(cell.mean!);
        expect(cell.mean!).toBeLessThanOrEqual(cell.ci95![1]);
        expect(row.aggregate[metric]?.mean).toBe(cell.mean);
      }
      // Loose on purpose: 20 seeds, and the paper's own figures come from its own runs.
      for (const metric of ['residue', 'traffic'] as const) {
        const paper = row.cells[metric].paper.value;
        expect(Math.abs(row.cells[metric].mean! - paper) / paper, `Table 1, k = ${row.k}, ${metric}`).toBeLessThan(0.25);
      }
    }

    const markdown = formatRumorTablesMarkdown(result, 'test');
    expect(markdown).toContain('## Table 1: push, feedback, counter');
    expect(markdown).toContain('| k | paper s | ours s | paper m | ours m | paper t_ave | ours t_ave | paper t_last | ours t_last |');
    expect(markdown).toContain(result.environment.cpuModel);
    const json = JSON.parse(rumorTablesJson(result, 'test')) as { command: string; tables: { rows: { aggregate: Record<string, unknown> }[] }[] };
    expect(json.command).toBe('test');
    expect(Object.keys(json.tables[0]!.rows[0]!.aggregate)).toEqual(expect.arrayContaining([...RUMOR_METRICS]));
  });
});

describe('the command line', () => {
  it('rejects a bad --seeds with exit 2 and one line on stderr, before running anything', async () => {
    const err: string[] = [];
    const io: CliIo = { stdout: () => undefined, stderr: (t) => void err.push(t), stdoutIsTTY: false, stderrIsTTY: false };
    expect(await main(['--seeds', '0'], io)).toBe(2);
    expect(err.join('')).toMatch(/^rumor-tables: --seeds: got "0", expected an integer from 1 to \d+\n$/);
  });
});
