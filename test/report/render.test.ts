// Charts rendered in Node without a browser: every chart gives an SVG with marks and DejaVu text,
// and a PNG of matching size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DEJAVU_DIR, specToSvg, svgToPng } from '../../src/report/render.js';
import { buildCharts } from '../../src/report/specs.js';
import { noExitsData, sampleData } from './fixtures/sampleData.js';

function pngSize(png: Buffer): { w: number; h: number } {
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  return { w: png.readUInt32BE(16), h: png.readUInt32BE(20) };
}

test('every chart renders to SVG with marks, then to a 2x PNG', async (t) => {
  if (!existsSync(`${DEJAVU_DIR}/DejaVuSans.ttf`)) t.diagnostic('DejaVu Sans missing: PNG text falls back to system fonts');
  for (const data of [sampleData(), noExitsData()]) {
    for (const c of buildCharts(data)) {
      const svg = await specToSvg(c.spec);
      assert.match(svg, /^<svg /, c.id);
      assert.match(svg, /class="mark-(rect|line|symbol|text) role-mark[^"]*"[^>]*><(path|text)/, `${c.id}: no data marks`);
      assert.match(svg, /font-family="DejaVu Sans/, `${c.id}: text not in DejaVu Sans`);
      const w = Number(/width="(\d+)"/.exec(svg)![1]);
      const { w: pw, h: ph } = pngSize(svgToPng(svg));
      assert.equal(pw, w * 2, c.id);
      assert.ok(ph > 40, c.id);
    }
  }
});

test('a spec asking for a URL is refused (specs carry inline data only)', async () => {
  const spec = { ...buildCharts(sampleData())[5]!.spec, data: { url: 'https://example.com/x.json' } } as never;
  await assert.rejects(specToSvg(spec), /refusing to load/);
});
