// Dataset reports (es2scope report DIR): the per-host comparison chart is valid Vega-Lite, only
// appears when the data has hosts, carries each host's numbers, and the page shows them as a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCharts, hostComparisonSpec } from '../../src/report/specs.js';
import { buildHtml } from '../../src/report/html.js';
import { buildSummary } from '../../src/report/summary.js';
import type { HostComparisonRow } from '../../src/report/model.js';
import { sampleData } from './fixtures/sampleData.js';
import { vegaLiteValidator } from './fixtures/vlSchema.js';

const { validate } = vegaLiteValidator();
const HOSTS: HostComparisonRow[] = [
  { host: 'lab-a', traces: 2, vms: 2, spanNs: 8_247_722_450, exits: 2368, exitsPerSec: 287.1, ehtBusy: 0.012, ehtWall: 0.808, exitsAvoided: 31, avoidedPct: 1.31 },
  // a host whose traces have no exits: nulls must not break the chart
  { host: 'lab-<b>', traces: 1, vms: 0, spanNs: 0, exits: 0, exitsPerSec: null, ehtBusy: null, ehtWall: null, exitsAvoided: 0, avoidedPct: null },
];

test('a dataset report adds a valid host-comparison chart after the single-trace charts', () => {
  const charts = buildCharts({ ...sampleData(), hosts: HOSTS });
  assert.equal(charts.length, 11);
  const c = charts.at(-1)!;
  assert.equal(c.id, 'host-comparison');
  assert.equal(validate(c.spec), null);
  const panels = (c.spec as { hconcat: { data: { values: { host: string; value: number }[] } }[] }).hconcat;
  assert.deepEqual(panels[0]!.data.values.map((r) => [r.host, r.value]), [['lab-a', 287.1], ['lab-<b>', 0]]);
  assert.deepEqual(panels[1]!.data.values.filter((r) => r.host === 'lab-a').map((r) => r.value), [1.2, 80.80000000000001]);
  assert.deepEqual(panels[2]!.data.values.map((r) => r.value), [1.31, 0]);
});

test('a single trace has no host-comparison chart; the builder alone says why', () => {
  assert.ok(!buildCharts(sampleData()).some((c) => c.id === 'host-comparison'));
  const alone = hostComparisonSpec(sampleData()).spec as { mark?: { type: string } };
  assert.equal(alone.mark?.type, 'text');
});

test('the page lists each host in a table (escaped) and summary.json carries the rows', () => {
  const d = { ...sampleData(), hosts: HOSTS };
  const charts = buildCharts(d);
  const html = buildHtml(d, charts, { vega: '', vegaLite: '', vegaEmbed: '' });
  assert.match(html, /<section class="box wide" id="hosts">/);
  assert.match(html, /<td>lab-a<\/td><td>2<\/td><td>2<\/td><td>8\.248<\/td><td>2,368<\/td><td>287<\/td><td>1\.20 %<\/td>/);
  assert.ok(html.includes('lab-&lt;b&gt;') && !html.includes('<td>lab-<b>'));
  assert.deepEqual(buildSummary(d, charts).hosts, HOSTS);
  assert.ok(!('hosts' in buildSummary(sampleData(), buildCharts(sampleData()))));
});
