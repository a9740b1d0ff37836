// The options that move trace.dat times as trace-cmd report moves them. TIME_SHIFT (a guest
// trace.dat from trace-cmd's host-guest time sync): every timestamp moves to
// the host clock as trace-cmd report moves it, and rows come out in host-time order. The guest
// file is the sched-lost-v6 fixture rewritten by fixtures/tracedat/slim.ts with a TIME_SHIFT
// option: CPU 0 one constant offset, CPU 1 interpolated between three samples (a negative
// offset, the pair found by binary search, times past the last sample extrapolated) and a
// 3/2 scaling (fraction 1), so CPU 1's records overtake CPU 0's and the merge must follow the
// shifted times. Checked against `trace-cmd report -t` of the same file (skipped without
// trace-cmd) and against the formula in BigInt by hand. DATE / OFFSET (trace-cmd record --date,
// --ts-offset): a constant added to every time, also checked against trace-cmd report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { strtoll } from '../../../collectors/tracedat/options.js';
import { hostTime, parseTimeShift, TSYNC_INTERPOLATE, type TimeShift } from '../../../collectors/tracedat/timeShift.js';
import { collectRows, collectTable, type Row } from '../../helpers/collect.js';
import { assertSameAsReport } from '../../helpers/sameRows.js';

const ROOT = join(import.meta.dirname, '../../..');
const FIX = join(ROOT, 'fixtures/tracedat/sched-lost-v6.dat');

// [time, offset, scaling, fraction] per sample; the fixture's times are 1302.21e9-1302.64e9 ns.
// Offsets drift slowly, as real samples do (a CPU's shifted times must stay in order: trace-cmd
// and we merge per-CPU streams assuming it)
const SPEC = {
  peer: '0x2a',
  flags: TSYNC_INTERPOLATE,
  cpus: [
    [['0', '1000', '1', '0']],
    [['1302209000000', '-651000000000', '3', '1'], ['1302300000000', '-651000050000', '3', '1'], ['1302400000000', '-650999990000', '3', '1']],
  ],
};

function guestFile(dir: string): string {
  const out = join(dir, 'guest.dat');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/tracedat/slim.ts'), FIX, out, '--systems', 'sched', '--time-shift', JSON.stringify(SPEC)],
    { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

test('TIME_SHIFT moves each CPU\'s times to the host clock and the merge follows them (BigInt formula)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-tshift-'));
  try {
    const plain = await collectRows(traceDat, FIX);
    const { table, diag } = await collectTable(traceDat, guestFile(dir));
    const got = table.toArray().map((r) => r.toJSON() as Row);
    assert.equal(got.length, plain.length);
    assert.ok(diag.notes.some((n) => /TIME_SHIFT \(guest file, peer trace id 0x2a\): timestamps moved to the host clock/.test(n)), diag.notes.join('\n'));
    // expected: every plain row shifted by hand, then ordered by (time, cpu) like the merge
    const hand = (ts: bigint, cpu: number): bigint => {
      if (cpu === 0) return ts + 1000n;
      const s = SPEC.cpus[1]!.map((x) => x.map(BigInt));
      const [a, b] = ts <= s[1]![0]! ? [s[0]!, s[1]!] : [s[1]!, s[2]!];
      const delta = b[0]! - a[0]!;
      const tscor = a[1]! + ((ts - a[0]!) * (b[1]! - a[1]!) + delta / 2n) / delta;
      return ((ts * 3n) >> 1n) + tscor;
    };
    const want = plain.map((r) => ({ ...r, ts_ns: hand(BigInt(r.ts_ns), r.cpu) }))
      .map((r, i) => ({ r, i }))
      .sort((x, y) => (x.r.ts_ns < y.r.ts_ns ? -1 : x.r.ts_ns > y.r.ts_ns ? 1 : x.r.cpu - y.r.cpu || x.i - y.i));
    let crossings = 0;
    for (let i = 0; i < got.length; i++) {
      assert.equal(BigInt(got[i]!.ts_ns), want[i]!.r.ts_ns, `row ${i} time`);
      assert.equal(got[i]!.cpu, want[i]!.r.cpu, `row ${i} cpu`);
      if (i > 0 && got[i]!.cpu !== got[i - 1]!.cpu) crossings++;
    }
    // the shift reorders: CPU 1 rows interleave with CPU 0 rows differently than unshifted
    const plainCrossings = plain.reduce((n, r, i) => n + (i > 0 && r.cpu !== plain[i - 1]!.cpu ? 1 : 0), 0);
    assert.notEqual(crossings, plainCrossings);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TIME_SHIFT guest file: the same table as `trace-cmd report -t` of it, to the nanosecond', async (t) => {
  if (spawnSync('trace-cmd', ['--version']).error) return t.skip('trace-cmd is not installed');
  const { traceCmd } = await import('../../../collectors/trace-cmd/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-tshift-'));
  try {
    const guest = guestFile(dir);
    const rep = spawnSync('trace-cmd', ['report', '-t', '-i', guest], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(rep.status, 0, rep.stderr);
    const txtPath = join(dir, 'guest.report-t.txt');
    writeFileSync(txtPath, rep.stdout);
    assertSameAsReport(await collectRows(traceDat, guest), await collectRows(traceCmd, txtPath));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostTime: one sample adds its offset; stepwise uses the lower sample; 64-bit wrap as in C; unreadable option refused', () => {
  const s = (time: bigint, offset: bigint, scaling = 1n, fraction = 0n) => ({ time, offset, scaling, fraction });
  const shift = (flags: number, ...cpus: ReturnType<typeof s>[][]): TimeShift => ({ peerTraceId: 0n, flags, cpus });
  assert.equal(hostTime(100n, 0, shift(0, [s(5n, -30n)])), 70n);
  assert.equal(hostTime(100n, 1, shift(0, [s(5n, -30n)])), 100n, 'a CPU without samples keeps its time');
  const step = shift(0, [s(0n, 10n), s(200n, 20n), s(400n, 40n)]);
  assert.equal(hostTime(100n, 0, step), 110n);
  assert.equal(hostTime(300n, 0, step), 320n);
  assert.equal(hostTime(200n, 0, step), 220n, 'an exact sample time takes that sample');
  const interp = shift(TSYNC_INTERPOLATE, [s(0n, 0n), s(3n, 10n)]);
  assert.equal(hostTime(1n, 0, interp), 1n + 3n, '(1*10 + 1) / 3 = 3 (C truncation)');
  assert.equal(hostTime(5n, 0, shift(0, [s(0n, -10n)])), (1n << 64n) - 5n, 'below zero wraps as an unsigned 64-bit time');
  assert.equal(hostTime(1n << 62n, 0, shift(0, [s(0n, 0n, 8n), s(1n, 0n, 8n)])), 0n, 'the scaling product wraps at 2^64');
  const bad = Buffer.alloc(20);
  bad.writeUInt32LE(3, 12); // 3 CPUs announced, no samples
  assert.match(parseTimeShift(bad, true) as string, /ends before CPU 1's sample count|announces/);
});

test('DATE and OFFSET options (trace-cmd record --date / --ts-offset): added to every time, the table of `trace-cmd report -t`', async (t) => {
  if (spawnSync('trace-cmd', ['--version']).error) return t.skip('trace-cmd is not installed');
  const { traceCmd } = await import('../../../collectors/trace-cmd/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'es2scope-tsoff-'));
  try {
    const plain = await collectRows(traceDat, FIX);
    // a --date offset as trace-cmd writes it (µs in hex: ~2026 minus the boot clock) plus a --ts-offset
    for (const [args, add] of [[['--date', '0x64458f3c74e80'], 0x64458f3c74e80n * 1000n], [['--ts-offset', '-1500'], -1500n], [['--date', '0x10', '--ts-offset', '7'], 16007n]] as const) {
      const out = join(dir, 'offset.dat');
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/tracedat/slim.ts'), FIX, out, '--systems', 'sched', ...args], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const { table, diag } = await collectTable(traceDat, out);
      const bin = table.toArray().map((x) => x.toJSON() as Row);
      assert.ok(diag.notes.some((n) => n.includes(`${add} ns added to every time`)), diag.notes.join('\n'));
      assert.equal(bin.length, plain.length);
      for (let i = 0; i < bin.length; i++) assert.equal(BigInt(bin[i]!.ts_ns), BigInt(plain[i]!.ts_ns) + add, `${args.join(' ')}: row ${i}`);
      const rep = spawnSync('trace-cmd', ['report', '-t', '-i', out], { encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.equal(rep.status, 0, rep.stderr);
      const txtPath = join(dir, 'offset.report-t.txt');
      writeFileSync(txtPath, rep.stdout);
      const txt = await collectRows(traceCmd, txtPath);
      assert.equal(txt.length, bin.length);
      for (let i = 0; i < bin.length; i++) assert.equal(String(txt[i]!.ts_ns), String(bin[i]!.ts_ns), `${args.join(' ')}: row ${i} against trace-cmd report`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('strtoll as C reads DATE/OFFSET texts: hex, octal, decimal, sign, junk after, overflow clamped', () => {
  assert.equal(strtoll('0x10'), 16n);
  assert.equal(strtoll(' -0x10\n'), -16n);
  assert.equal(strtoll('010'), 8n);
  assert.equal(strtoll('0x'), 0n, '"0x" without digits is the 0 before it');
  assert.equal(strtoll('123abc'), 123n);
  assert.equal(strtoll('abc'), 0n);
  assert.equal(strtoll('0xffffffffffffffff'), (1n << 63n) - 1n, 'overflow clamps to LLONG_MAX');
  assert.equal(strtoll('-99999999999999999999'), -(1n << 63n));
});
