// The report page: trace text is escaped, only our own scripts may run (CSP hashes), nothing is
// fetched, and the page stays under 5 MB whatever the input's size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { modelInputFromAnalysis } from '../../src/analyze/whatif/fromAnalysis.js';
import { runWhatif, sweepIdleWindow } from '../../src/analyze/whatif/model.js';
import { EventsAggregate } from '../../src/report/eventsAggregate.js';
import { reportDataFromAnalysis } from '../../src/report/fromAnalysis.js';
import { buildHtml } from '../../src/report/html.js';
import { buildCharts } from '../../src/report/specs.js';
import { HTML_BUDGET_BYTES, loadVendorScripts } from '../../src/report/writeReport.js';
import { sampleData } from './fixtures/sampleData.js';
import { syntheticAnalysis } from './fixtures/syntheticAnalysis.js';

const EVIL = '<script>alert(1)</script>';

test('trace text (thread names, paths, warnings) is escaped: no raw tag from the trace reaches the page', async () => {
  const d = sampleData();
  d.title = `t ${EVIL}`;
  d.input = { ...d.input, path: `/x/${EVIL}.txt` };
  d.heatmap = d.heatmap.map((c) => ({ ...c, vcpu: `${EVIL}</script><img src=x onerror=alert(2)>` }));
  d.quality = { ...d.quality, warnings: [{ kind: EVIL, count: 1, example: '<img src=x onerror=alert(3)>' }], notes: [EVIL] };
  d.params = [{ name: EVIL, value: '"><b>', unit: '', doc: EVIL }];
  const html = buildHtml(d, buildCharts(d), await loadVendorScripts());
  // the inlined libraries hold "<img" in their own code (vega-tooltip): look at our markup only
  const ours = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
  assert.ok(!ours.includes('<script>alert'), 'raw <script> from the trace');
  assert.ok(!ours.includes('<img'), 'raw <img> from the trace');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'escaped text is there');
  const json = /<script type="application\/json" id="es2scope-charts">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.ok(!json.includes('<'), 'the JSON block holds no "<"');
  const parsed = JSON.parse(json) as { spec: unknown }[];
  assert.ok(JSON.stringify(parsed).includes('</script><img'), 'the data round-trips unchanged');
});

test('CSP allows exactly the inline scripts written (by hash), no eval and no network', async () => {
  const d = sampleData();
  const html = buildHtml(d, buildCharts(d), await loadVendorScripts());
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replaceAll('&#39;', "'");
  assert.match(csp, /default-src 'none'/);
  assert.ok(!csp.includes('unsafe-eval') && !/script-src[^;]*unsafe-inline/.test(csp));
  const hashes = [...csp.matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => createHash('sha256').update(m[1]!, 'utf8').digest('base64'));
  assert.equal(scripts.length, 4);
  assert.deepEqual(hashes, scripts);
  assert.ok(!/(src|href)="(https?:)?\/\//.test(html), 'no remote src/href');
  assert.ok(!/<link\b/.test(html), 'no <link> (fonts, styles)');
});

function reportFor(exits: number) {
  const a = syntheticAnalysis({ exits, vcpus: 64, reasons: 60, devices: 500, comm: (v) => `${EVIL} worker ${v}`.repeat(3) });
  const input = modelInputFromAnalysis(a);
  return reportDataFromAnalysis({
    title: 'synthetic', generatedBy: 'test', input: { path: 'synthetic', format: 'synthetic', sizeBytes: null },
    analysis: a, whatif: runWhatif(input), sweep: sweepIdleWindow(input, {}, [0, 32_768, 1_000_000]), events: new EventsAggregate().result(),
    diagnostics: { format: 'synthetic', warnings: [], warningCount: 0, lostEventsTotal: 0, lostMarkers: 0, timePrecisionNs: 1, truncated: false, notes: [] },
    summary: { events: exits * 2, byEvent: {}, firstNs: '0', lastNs: '0', spanNs: '0', cpus: [], threads: 64, timeInversions: 0 },
  });
}

test('large synthetic result (150k exits, 64 vCPUs, 60 reasons, 500 devices): HTML < 5 MB and does not grow with the input', async () => {
  const vendor = await loadVendorScripts();
  const small = reportFor(15_000);
  const big = reportFor(150_000);
  const sizeOf = (d: typeof big) => Buffer.byteLength(buildHtml(d, buildCharts(d), vendor));
  const sSmall = sizeOf(small), sBig = sizeOf(big);
  assert.ok(sBig < HTML_BUDGET_BYTES, `${sBig} bytes`);
  assert.ok(sBig < sSmall * 1.5, `10x the exits made the page grow from ${sSmall} to ${sBig} bytes`);
  // bounded tables
  assert.ok(big.exitsByReason.filter((r) => !r.halt).length <= 25);
  assert.ok(new Set(big.ehtOverTime.map((r) => r.vcpu)).size <= 12);
  assert.ok(new Set(big.heatmap.map((r) => r.vcpu)).size <= 48);
  assert.ok(big.devices.length <= 30);
  assert.equal(big.exitsByReason.reduce((n, r) => n + r.count, 0), 150_000, 'folding keeps every exit counted');
});
