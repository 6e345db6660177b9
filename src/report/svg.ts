/**
 * Vega-Lite spec → SVG text, in Node without a DOM: Vega-Lite compiles the spec to Vega, Vega
 * runs the dataflow headless (`renderer: 'none'`) and serialises its scene graph as SVG.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spec } from 'vega';
import type { compile as compileType, TopLevelSpec } from 'vega-lite';
import { packageRoot } from '../bench/paths.js';

/**
 * Vega and Vega-Lite, loaded on first use: they are large, and a CLI run without a report should
 * not pay for parsing them at start-up (about 0.1 s here).
 */
let libraries: Promise<{ vega: typeof import('vega'); vegaLite: typeof import('vega-lite') }> | undefined;
function loadLibraries(): NonNullable<typeof libraries> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return libraries;
}

/** The exact version package.json pins for `name` (npm installs exactly that). */
function pinned(name: string): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return manifest.dependencies?.[name] ?? 'unknown';
}

/** The charting libraries and their versions, for the credits under a report. */
export const CHART_LIBRARIES = `Vega-Lite ${pinned('vega-lite')} rendered to SVG by Vega ${pinned('vega')}`;

/** Configuration shared by every chart: system fonts only, so a report never fetches one. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#d0d0d0' },
} as const;

type Logger = NonNullable<NonNullable<Parameters<typeof compileType>[1]>['logger']>;

/** Keeps Vega-Lite's warnings instead of printing them, so callers (and tests) decide. */
class WarningCollector implements Logger {
  readonly warnings: string[] = [];
  level(): this {
    return this;
  }
  error(...args: unknown[]): this {
    throw new Error(`Vega-Lite: ${args.map(String).join(' ')}`);
  }
  warn(...args: unknown[]): this {
    this.warnings.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/** Compiles a Vega-Lite spec to Vega with the shared configuration; returns Vega-Lite's warnings too. */
export async function compileChart(spec: TopLevelSpec): Promise<{ vega: Spec; warnings: string[] }> {
  const { vegaLite } = await loadLibraries();
  const logger = new WarningCollector();
  const { spec: vega } = vegaLite.compile({ ...spec, config: { ...CONFIG, ...spec.config } } as TopLevelSpec, { logger });
  return { vega, warnings: logger.warnings };
}

/** Renders a Vega-Lite spec (its data inline) to a standalone SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega } = await loadLibraries();
  const view = new vega.View(vega.parse((await compileChart(spec)).vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The SVG of `renderSvg` made fit to inline in HTML: namespace declarations dropped (the HTML
 * parser puts `<svg>` in the SVG namespace itself, and the page then holds no URL at all) and the
 * fixed size allowed to shrink with the page, keeping its aspect ratio.
 */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
    .replace(/^<svg([^>]*?) width="([\d.]+)" height="([\d.]+)"/, '<svg$1 width="$2" height="$3" style="max-width:100%;height:auto"');
}
