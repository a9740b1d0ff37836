// trace.dat instances (`trace-cmd record/extract -B NAME`): every instance is read, not only the
// top one, and merged in trace-cmd report's order (time, then instance in file order, then CPU).
// Fixture: recorded here through tracefs with the sched process events in the top instance and
// sched_switch/sched_wakeup in an instance "es2i" of 32 KiB per CPU (it overflowed: 690 + 295
// events overwritten), extracted with `trace-cmd extract -t -B es2i`, slimmed to v6 by
// fixtures/tracedat/slim.ts (instances in the v6 layout: a BUFFER option pointing at the
// instance's own "flyrecord" table), and converted back to v7 zstd by trace-cmd (BUFFER options
// with per-CPU offsets). `trace-cmd report -t` of the v6 file is stored next to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { traceCmd } from '../../../collectors/trace-cmd/index.js';
import { collectRows, collectTable, type Row } from '../../helpers/collect.js';
import { assertSameAsReport } from '../../helpers/sameRows.js';

const ROOT = join(import.meta.dirname, '../../..');
const FIX = join(ROOT, 'fixtures/tracedat');
const V6 = join(FIX, 'sched-instance-v6.dat');
const V7 = join(FIX, 'sched-instance-v7-zstd.dat');
const REPORT = join(FIX, 'sched-instance-v6.report-t.txt');
test('an instance\'s records are read with the top instance\'s, in the order of `trace-cmd report -t` (v6 and v7)', async () => {
  const txt = await collectRows(traceCmd, REPORT);
  for (const file of [V6, V7]) {
    const { table, diag } = await collectTable(traceDat, file);
    const bin = table.toArray().map((r) => r.toJSON() as Row);
    assert.equal(bin.length, 1209, file);
    // the instance holds the sched_switch/sched_wakeup rows, the top one the process events
    assert.equal(bin.filter((r) => r.event === 'sched_switch').length, 681);
    assert.equal(bin.filter((r) => r.event === 'sched_process_fork').length, 12);
    assert.equal(bin.filter((r) => r.event === '[lost]').length, 2, 'the instance\'s pages with missing events');
    assert.ok(diag.notes.some((n) => n.startsWith('instance "es2i" (2 CPUs with data) read too')), diag.notes.join('\n'));
    assert.equal(diag.warningCount, 0, JSON.stringify(diag.toJSON().warnings));
    assertSameAsReport(bin, txt);
  }
});

test('CPU statistics are kept per instance: the instance\'s overruns are its own, not the top one\'s', async () => {
  for (const file of [V6, V7]) {
    const { diag } = await collectTable(traceDat, file);
    const stats = diag.toJSON().cpuStats;
    const top = stats.filter((s) => s.buffer === undefined);
    const inst = stats.filter((s) => s.buffer === 'es2i');
    assert.deepEqual(top.map((s) => [s.cpu, s.overrun]), [[0, 0], [1, 0]], file);
    assert.deepEqual(inst.map((s) => [s.cpu, s.overrun, s.readEvents]), [[0, 690, 571], [1, 295, 602]], file);
    assert.equal(inst.reduce((n, s) => n + s.recordsInFile, 0), 1173);
    assert.ok(diag.notes.includes('instance "es2i" CPU 0: the kernel reports 690 events overwritten (overrun) before they were read'), diag.notes.join('\n'));
    assert.ok(!diag.notes.some((n) => /^CPU \d: the kernel reports/.test(n)), 'no overrun is put on the top instance');
  }
});

test('records of equal time in two instances: the top instance first, even on a higher CPU, as trace-cmd report orders them', async (t) => {
  if (spawnSync('trace-cmd', ['--version']).error) return t.skip('trace-cmd is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-inst-'));
  try {
    // a third instance holding a copy of the top one's pages, CPU 0's as CPU 1's and CPU 1's as
    // CPU 0's: every top record has a twin of the same time on the other CPU
    const out = join(dir, 'twin.dat');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/tracedat/slim.ts'), V6, out, '--systems', 'sched', '--dup-instance', 'twin'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rep = spawnSync('trace-cmd', ['report', '-t', '-i', out], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(rep.status, 0, rep.stderr);
    assert.match(rep.stdout, /\ntwin: +bash-9020 +\[001\] 43421\.194240310: sched_process_fork/);
    const txtPath = join(dir, 'twin.report-t.txt');
    writeFileSync(txtPath, rep.stdout);
    const bin = await collectRows(traceDat, out);
    assert.equal(bin.length, 1209 + 34);
    assertSameAsReport(bin, await collectRows(traceCmd, txtPath));
    // the twins sit next to each other, the top's first, whichever CPU is lower
    const twins = bin.flatMap((x, i) => (i > 0 && x.ts_ns === bin[i - 1]!.ts_ns && x.event === bin[i - 1]!.event ? [[bin[i - 1]!.cpu, x.cpu]] : []));
    assert.equal(twins.length, 34);
    assert.ok(twins.some(([first, second]) => first === 1 && second === 0), 'a top CPU 1 record before its twin on CPU 0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
