// Kick counting and the A/B prediction on a real host trace with kicks (HIP24 vhost guest,
// trace-cmd report text: kvm_exit EPT_MISCONFIG followed by kvm_fast_mmio at the virtio notify
// address). The lab's counting (events .arrow -> kicks) must agree with the trace's README counts
// and with the device key the what-if model uses, or the A/B table would compare different things.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countKicks } from '../../../collectors/lab/kicks.js';
import { readKickRows } from '../../../collectors/lab/readEventsArrow.js';
import { predictedForRanges, type WhatifHybrid } from '../../../collectors/lab/abTable.js';
import type { NotifyRange } from '../../../collectors/lab/pciInfo.js';

const root = join(import.meta.dirname, '..', '..', '..');
const trace = join(root, '..', 'shared', 'traces', 'hip24', 'vhost-host-report.txt');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });

test('real VMX trace: fast_mmio kicks counted once (not again for their EPT_MISCONFIG exits), keyed like whatif', (t) => {
  if (!existsSync(trace)) { t.skip(`${trace} missing (shared traces not mounted)`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-lab-kicks-'));
  try {
    const arrow = join(dir, 'v.arrow');
    const ing = cli(['ingest', trace, '-o', arrow, '--quiet']);
    assert.equal(ing.status, 0, ing.stderr);
    // the notify page of the guest's virtio device; the README counts 43 kvm_fast_mmio in this trace
    const ranges: NotifyRange[] = [{ id: 'dev', kind: 'mmio', start: 0x800007000n, end: 0x800007fffn }];
    const k = countKicks(readKickRows(arrow), ranges);
    assert.equal(k.source, 'io-events');
    assert.equal(k.byId.dev, 43);
    assert.deepEqual(Object.keys(k.byAddress), ['mmio 0x800007004']);
    const w = cli(['whatif', arrow, '--mechanisms', 'hybrid', '--idle-window-ns', '32768', '--enter-gap-ns', '32768', '--json']);
    assert.equal(w.status, 0, w.stderr);
    const p = predictedForRanges(JSON.parse(w.stdout) as WhatifHybrid, ranges);
    assert.equal(p.kicks, k.byId.dev, 'the model sees the same kicks on that register as the lab counts');
    assert.ok(p.avoided > 0 && p.avoided < p.kicks, `some but not all kicks avoided (${p.avoided})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kvm_pvm shape: a literal perf line of a virtio notify write (shared/lab README §7) ingests to one kick; the read is none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-lab-pvm-'));
  try {
    const txt = join(dir, 'pvm.txt');
    const lines = [
      '       CPU 1/KVM  1578 [001] 13239.678008:                       kvm:kvm_mmio: mmio write len 2 gpa 0x180003004 val 0x1',
      '       CPU 1/KVM  1578 [001] 13239.678010:                       kvm:kvm_mmio: mmio read len 4 gpa 0x180003004 val 0x0',
      '       CPU 1/KVM  1578 [001] 13239.672043:                        kvm:kvm_msr: msr_write 80b = 0x0',
    ];
    writeFileSync(txt, `${lines.join('\n')}\n`);
    const ing = cli(['ingest', txt, '-o', join(dir, 'pvm.arrow'), '--quiet']);
    assert.equal(ing.status, 0, ing.stderr);
    const k = countKicks(readKickRows(join(dir, 'pvm.arrow')), [{ id: 'net0', kind: 'mmio', start: 0x180003000n, end: 0x180003fffn }]);
    assert.deepEqual(k, { byId: { net0: 1 }, byAddress: { 'mmio 0x180003004': 1 }, total: 1, source: 'io-events', kvmEvents: 3 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
