// The report page in real headless Chromium: every chart draws marks, the console stays clean,
// the page asks the network for nothing, and a hostile thread name stays text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeReport } from '../../src/report/writeReport.js';
import { ensureChromium, inspectReportPage, launchChromium } from '../helpers/chromium.js';
import { noExitsData, sampleData } from './fixtures/sampleData.js';
import type { ReportData } from '../../src/report/model.js';

const SCREENSHOT_DIR = resolve(import.meta.dirname, '..', '..', 'reports', '.test-screenshots');

async function openReport(t: import('node:test').TestContext, data: ReportData, shot: string) {
  const chromium = ensureChromium();
  if ('skip' in chromium) {
    t.skip(chromium.skip);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const written = await writeReport(dir, data, { noImages: true });
  const browser = await launchChromium(chromium.path);
  t.after(() => browser.close());
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return inspectReportPage(browser.context, pathToFileURL(written.html).href, join(SCREENSHOT_DIR, shot));
}

test('every chart renders marks in Chromium with no console error and no network request', async (t) => {
  const r = await openReport(t, sampleData(), 'sample.png');
  if (!r) return;
  assert.equal(r.charts.length, 10);
  for (const c of r.charts) {
    assert.equal(c.rendered, 'yes', `${c.id} did not render`);
    assert.ok(c.marks > 0, `${c.id} has no marks`);
  }
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.requests, []);
});

test('a trace without kvm_exit still renders and says "exits not traced"', async (t) => {
  const r = await openReport(t, noExitsData(), 'no-exits.png');
  if (!r) return;
  for (const c of r.charts) assert.equal(c.rendered, 'yes', `${c.id} did not render`);
  assert.match(r.bodyText, /exits not traced/);
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.requests, []);
});

test('a thread named <script>alert(1)</script> stays text in the page', async (t) => {
  const evil = '<script>alert(1)</script>';
  const d = noExitsData();
  d.title = `report ${evil}`;
  d.input = { ...d.input, path: `/tmp/${evil}"'.txt` };
  d.heatmap = d.heatmap.map((c) => ({ ...c, vcpu: evil }));
  d.devices = [{ device: `<img src=x onerror=alert(2)>`, kind: evil, count: 3 }];
  d.quality = { ...d.quality, warnings: [{ kind: evil, count: 1, example: `</script><script>alert(3)</script>` }] };
  const r = await openReport(t, d, 'hostile-names.png');
  if (!r) return;
  assert.deepEqual(r.dialogs, [], 'a script from the trace ran');
  assert.ok(r.bodyText.includes(evil), 'the name is shown as text');
  assert.equal(r.title, `report ${evil}`);
  for (const c of r.charts) assert.equal(c.rendered, 'yes', `${c.id} did not render`);
  assert.deepEqual(r.requests, [], 'the <img> from the trace must not load');
});
