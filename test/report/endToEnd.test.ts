// es2scope report on the real vhost-net host trace (read from ../shared/traces, never copied into
// the project): the command writes the page, charts and summary; the page opens in Chromium with
// every chart drawn and no request; only aggregates reach the page. The same trace with its
// kvm_exit/kvm_entry lines removed (written to a temp folder) must still report, saying
// "exits not traced".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReportData } from '../../src/cli/commands/report.js';
import { writeReport, HTML_BUDGET_BYTES } from '../../src/report/writeReport.js';
import { ensureChromium, inspectReportPage, launchChromium } from '../helpers/chromium.js';
import { vegaLiteValidator } from './fixtures/vlSchema.js';

const root = resolve(import.meta.dirname, '..', '..');
const VHOST = resolve(root, '..', 'shared', 'traces', 'hip24', 'vhost-host-report.txt');
const SCREENSHOT_DIR = resolve(root, 'reports', '.test-screenshots');

function tmp(t: import('node:test').TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'es2scope-e2e-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function checkInChromium(t: import('node:test').TestContext, html: string, shot: string) {
  const chromium = ensureChromium();
  if ('skip' in chromium) {
    t.diagnostic(`browser check skipped: ${chromium.skip}`);
    return null;
  }
  const browser = await launchChromium(chromium.path);
  t.after(() => browser.close());
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const r = await inspectReportPage(browser.context, pathToFileURL(html).href, join(SCREENSHOT_DIR, shot));
  for (const c of r.charts) {
    assert.equal(c.rendered, 'yes', `${c.id} did not render`);
    assert.ok(c.marks > 0, `${c.id} has no marks`);
  }
  assert.deepEqual(r.consoleErrors, []);
  assert.deepEqual(r.requests, []);
  return r;
}

test('es2scope report on the vhost-net trace-cmd report: page, charts, summary; opens offline in Chromium', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const out = join(tmp(t), 'vhost');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'report', VHOST, '-o', out, '-q'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const html = join(out, 'index.html');
  assert.ok(statSync(html).size < HTML_BUDGET_BYTES);
  const files = readdirSync(join(out, 'charts')).sort();
  assert.equal(files.filter((f) => f.endsWith('.svg')).length, 10);
  assert.equal(files.filter((f) => f.endsWith('.png')).length, 10);
  assert.equal(files.filter((f) => f.endsWith('.vl.json')).length, 10);
  const { validate } = vegaLiteValidator();
  for (const f of files.filter((x) => x.endsWith('.vl.json'))) {
    const err = validate(JSON.parse(readFileSync(join(out, 'charts', f), 'utf8')));
    assert.equal(err, null, `${f}: ${err}`);
  }
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  // README of the traces: kvm_exit 810 in this file
  assert.equal(summary.headline.exits, 810);
  assert.equal(summary.headline.exitsTraced, true);
  assert.equal(summary.quality.timePrecisionNs, 1000);
  assert.ok(summary.exitsByReason.some((x: { reason: string; halt: boolean }) => x.reason === 'HLT' && x.halt));
  // only aggregates: no line of the trace is in the page
  const page = readFileSync(html, 'utf8');
  const lines = readFileSync(VHOST, 'utf8').split('\n').filter((l) => /kvm_|sched_switch/.test(l));
  for (const l of lines.filter((_, i) => i % 97 === 0)) assert.ok(!page.includes(l.trim()), `trace line in the page: ${l}`);
  await checkInChromium(t, html, 'vhost.png');
});

test('the same trace without kvm_exit/kvm_entry still reports, and says "exits not traced"', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const dir = tmp(t);
  const stripped = join(dir, 'no-exits.txt');
  writeFileSync(stripped, readFileSync(VHOST, 'utf8').split('\n').filter((l) => !/ kvm_(exit|entry): /.test(l)).join('\n'));
  const data = await buildReportData(stripped, {});
  assert.equal(data.headline.exitsTraced, false);
  assert.match(data.notices[0]!, /^exits not traced/);
  assert.ok(data.devices.length > 0, 'I/O kicks by device are still shown');
  assert.ok(data.eventsOverTime.some((r) => r.event === 'kvm_msi_set_irq'), 'interrupts are still shown');
  assert.equal(data.heatmapUnit, 'events');
  const written = await writeReport(join(dir, 'report'), data, { noImages: true });
  const r = await checkInChromium(t, written.html, 'vhost-no-exits.png');
  if (r) assert.match(r.bodyText, /exits not traced/);
});
