// `es2scope whatif --json` names its interrupt counts and carries the same data-quality numbers as
// `es2scope stat --json` (src/analyze/quality.ts): QA found 279 / 44 / 277 "interrupts" unexplained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const VHOST = join(ROOT, '../shared/traces/hip24/vhost-host-report.txt');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });

test('whatif and stat agree: eligible = device interrupts with a target, irq samples = delivered, same quality', (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const w = JSON.parse(cli(['whatif', VHOST, '--json']).stdout);
  const s = JSON.parse(cli(['stat', VHOST, '--event', 'irq', '--json']).stdout);
  assert.equal(w.redirect.eligible, w.irqCounts.deviceWithTarget);
  assert.equal(s.total.samples + s.total.haltSamples, w.irqCounts.delivered);
  assert.deepEqual(w.quality, s.quality.summary);
  assert.equal(w.timeUnit, 'ns');
  // no platform device (IOAPIC at 0xfec00000) among the hybrid I/O keys
  assert.ok(!w.hybrid.devices.some((d: { device: string }) => /0xfec0/.test(d.device)));
  const text = cli(['whatif', VHOST]).stdout;
  assert.ok(text.includes(`${w.redirect.eligible} device interrupts with a known target`), text);
  assert.ok(text.includes(`${w.irqCounts.rows} irqs rows`));
});
