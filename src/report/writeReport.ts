// Writes a report folder: index.html (self-contained), charts/<id>.svg, .png and .vl.json, and
// summary.json. The edge where report data meets the file system.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildHtml, type VendorScripts } from './html.js';
import type { ReportData } from './model.js';
import { specToSvg, svgToPng } from './render.js';
import { buildCharts, type ChartSpec } from './specs.js';
import { buildSummary } from './summary.js';

/** Above this the page is too heavy to open comfortably; data is binned well below it. */
export const HTML_BUDGET_BYTES = 5 * 1024 * 1024;

/** The browser builds of vega, vega-lite and vega-embed, read from node_modules. */
export async function loadVendorScripts(): Promise<VendorScripts> {
  const require = createRequire(import.meta.url);
  const dirOf = (pkg: string) => dirname(require.resolve(pkg));
  const [vega, vegaLite, vegaEmbed] = await Promise.all([
    readFile(join(dirOf('vega'), 'vega.min.js'), 'utf8'),
    readFile(join(dirOf('vega-lite'), 'vega-lite.min.js'), 'utf8'),
    readFile(join(dirOf('vega-embed'), 'vega-embed.min.js'), 'utf8'),
  ]);
  return { vega, vegaLite, vegaEmbed };
}

export interface WrittenReport {
  dir: string;
  html: string;
  htmlBytes: number;
  charts: { id: string; svg: string; png: string; spec: string }[];
  summary: string;
}

export interface WriteOptions {
  /** Skip SVG/PNG rendering (HTML, specs and summary only). */
  noImages?: boolean;
}

export async function writeReport(dir: string, data: ReportData, opts: WriteOptions = {}): Promise<WrittenReport> {
  const charts: ChartSpec[] = buildCharts(data);
  const vendor = await loadVendorScripts();
  const html = buildHtml(data, charts, vendor);
  const htmlBytes = Buffer.byteLength(html, 'utf8');
  if (htmlBytes > HTML_BUDGET_BYTES) {
    throw new Error(`report HTML would be ${htmlBytes} bytes, over the ${HTML_BUDGET_BYTES}-byte budget: a chart's data was not binned`);
  }
  const chartDir = join(dir, 'charts');
  await mkdir(chartDir, { recursive: true });
  const out: WrittenReport['charts'] = [];
  for (const c of charts) {
    const base = join(chartDir, c.id);
    await writeFile(`${base}.vl.json`, `${JSON.stringify(c.spec, null, 1)}\n`);
    if (!opts.noImages) {
      const svg = await specToSvg(c.spec);
      await writeFile(`${base}.svg`, svg);
      await writeFile(`${base}.png`, svgToPng(svg));
    }
    out.push({ id: c.id, svg: `${base}.svg`, png: `${base}.png`, spec: `${base}.vl.json` });
  }
  const htmlPath = join(dir, 'index.html');
  await writeFile(htmlPath, html);
  const summaryPath = join(dir, 'summary.json');
  await writeFile(summaryPath, `${JSON.stringify(buildSummary(data, charts), null, 2)}\n`);
  return { dir, html: htmlPath, htmlBytes, charts: out, summary: summaryPath };
}
