/**
 * Vega-Lite spec → SVG text, in Node without a DOM: Vega-Lite compiles the spec to Vega, Vega
 * runs the dataflow headless (`renderer: 'none'`) and serialises its scene graph as SVG.
 */
import { View, parse, version as vegaVersion, type Spec } from 'vega';
import { compile, version as vegaLiteVersion, type TopLevelSpec } from 'vega-lite';

/** The charting libraries and their versions, for the credits under a report. */
export const CHART_LIBRARIES = `Vega-Lite ${vegaLiteVersion} rendered to SVG by Vega ${vegaVersion}`;

/** Configuration shared by every chart: system fonts only, so a report never fetches one. */
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#d0d0d0' },
} as const;

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

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
export function compileChart(spec: TopLevelSpec): { vega: Spec; warnings: string[] } {
  const logger = new WarningCollector();
  const { spec: vega } = compile({ ...spec, config: { ...CONFIG, ...spec.config } } as TopLevelSpec, { logger });
  return { vega, warnings: logger.warnings };
}

/** Renders a Vega-Lite spec (its data inline) to a standalone SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compileChart(spec).vega), { renderer: 'none' });
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
