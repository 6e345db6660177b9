/**
 * One self-contained HTML page: inline SVG charts, tables, inline CSS. No scripts, no fonts, no
 * URL of any kind; a Content-Security-Policy of `default-src 'none'` makes the browser refuse any
 * request that might slip in, so the page behaves the same offline.
 */
import type { Chart } from './charts.js';
import { inlineSvg, renderSvg } from './svg.js';

/** A table of the page: a caption, a header row and body rows of text cells. */
export interface Table {
  readonly caption: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Spans the page's full width instead of one grid column (for tables with many columns). */
  readonly wide?: boolean;
}

/** What a page holds, top to bottom: title, subtitle lines, charts, then tables. */
export interface Page {
  readonly title: string;
  readonly subtitle: readonly string[];
  readonly tables: readonly Table[];
  readonly charts: readonly Chart[];
  /** Text under everything, e.g. how the page was made. */
  readonly footer: string;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2328; background: #f6f7f9; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 650; }
header p { margin: 0; color: #57606a; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(660px, 1fr)); gap: 20px; margin-top: 20px; }
section, figure { margin: 0; background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 16px 18px; overflow-x: auto; }
figure h2, section h2, div.table h2 { margin: 0 0 8px; font-size: 15px; font-weight: 650; }
section.wide { grid-column: 1 / -1; }
section.wide table { width: 100%; }
section.tables { display: flex; flex-wrap: wrap; gap: 8px 40px; align-content: start; }
figcaption { margin-top: 6px; color: #57606a; font-size: 12.5px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid #eaeef2; white-space: nowrap; }
th { font-weight: 600; color: #57606a; }
td.num, th.num { text-align: right; }
footer { margin-top: 24px; color: #8c959f; font-size: 12px; }
`;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const NUMERIC = /^[+-]?[\d,.]+(–[\d,.]+)?(\s?(%|s|ms|k|M|G|MiB|GiB|KiB|B|×))?$/;

function tableHtml(table: Table): string {
  // Wide tables right-align columns whose every cell is a number; key/value tables stay left-aligned.
  const numeric = table.head.map((_, c) => table.wide === true && table.rows.every((row) => (row[c] ?? '') === '' || NUMERIC.test(row[c] ?? '')));
  const cls = (c: number): string => (numeric[c] === true ? ' class="num"' : '');
  const head = table.head.map((h, c) => `<th scope="col"${cls(c)}>${escapeHtml(h)}</th>`).join('');
  const rows = table.rows.map((row) => `<tr>${row.map((cell, c) => `<td${cls(c)}>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table"><h2>${escapeHtml(table.caption)}</h2>\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
}

/** Narrow tables share one section, side by side; each wide table gets the page's full width. */
function tablesHtml(tables: readonly Table[]): string[] {
  const narrow = tables.filter((t) => t.wide !== true);
  const sections = narrow.length === 0 ? [] : [`<section class="tables">\n${narrow.map(tableHtml).join('\n')}\n</section>`];
  for (const table of tables) if (table.wide === true) sections.push(`<section class="wide">\n${tableHtml(table)}\n</section>`);
  return sections;
}

async function chartHtml(chart: Chart): Promise<string> {
  const svg = inlineSvg(await renderSvg(chart.spec));
  return `<figure class="chart" id="chart-${escapeHtml(chart.id)}" data-points="${chart.points}">\n<h2>${escapeHtml(chart.title)}</h2>\n${svg}\n<figcaption>${escapeHtml(chart.caption)}</figcaption>\n</figure>`;
}

/** Renders `page` to one HTML document, charts rendered to inline SVG. */
export async function renderPage(page: Page): Promise<string> {
  const charts: string[] = [];
  // Sequential: Vega views are cheap, and the order of the page stays the order of `charts`.
  for (const chart of page.charts) charts.push(await chartHtml(chart));
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${escapeHtml(page.title)}</h1>${page.subtitle.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}</header>`,
    '<main>',
    ...charts,
    ...tablesHtml(page.tables),
    '</main>',
    `<footer>${escapeHtml(page.footer)}</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
