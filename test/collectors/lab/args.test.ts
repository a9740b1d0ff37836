import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAbArgs, parseLabArgs } from '../../../collectors/lab/args.js';

const NOW = new Date('2026-11-25T03:04:05.678Z');

test('lab defaults: kvm, every tool, net and disk scenarios, dated out folder, XDG cache', () => {
  const r = parseLabArgs([], { XDG_CACHE_HOME: '/c' }, NOW);
  assert.ok(r.ok);
  assert.equal(r.value.accel, 'kvm');
  assert.deepEqual(r.value.tools, ['perf', 'trace-cmd', 'ftrace', 'bpftrace']);
  assert.deepEqual(r.value.scenarios, ['net-tx', 'net-rr', 'disk']);
  assert.equal(r.value.outDir, '/tmp/es2scope-lab/20261125T030405Z', 'recordings go outside the repo');
  assert.equal(r.value.cacheDir, '/c/es2scope-lab');
  assert.equal(r.value.pollMaxNs, undefined);
});

test('cache falls back to $HOME/.cache when XDG_CACHE_HOME is unset or empty', () => {
  const r = parseLabArgs([], { XDG_CACHE_HOME: '', HOME: '/home/u', TMPDIR: '/scratch' }, NOW);
  assert.ok(r.ok);
  assert.equal(r.value.cacheDir, '/home/u/.cache/es2scope-lab');
  assert.equal(r.value.outDir, '/scratch/es2scope-lab/20261125T030405Z');
});

test('--opt value and --opt=value forms are the same; lists are de-duplicated', () => {
  const a = parseLabArgs(['--accel', 'tcg', '--tools', 'perf,ftrace,perf', '--work-ms', '500', '--poll-max-ns=0'], {}, NOW);
  const b = parseLabArgs(['--accel=tcg', '--tools=perf,ftrace', '--work-ms=500', '--poll-max-ns', '0'], {}, NOW);
  assert.ok(a.ok && b.ok);
  assert.deepEqual(a.value, b.value);
  assert.deepEqual(a.value.tools, ['perf', 'ftrace']);
  assert.equal(a.value.pollMaxNs, 0);
});

test('bad values are errors that name the option, never defaults', () => {
  const cases: [string[], RegExp][] = [
    [['--accel', 'hvf'], /--accel: "hvf"/],
    [['--tools', 'perf,strace'], /unknown "strace"/],
    [['--scenarios', ''], /empty list/],
    [['--work-ms', '1.5'], /not a whole number/],
    [['--work-ms', '0'], />= 1/],
    [['--disk-bs', '1000'], /multiple of 512/],
    [['--disk-qd', '64'], /at most 32/],
    [['--frobnicate'], /unknown option "--frobnicate"/],
    [['--out'], /needs a folder/],
  ];
  for (const [argv, re] of cases) {
    const r = parseLabArgs(argv, {}, NOW);
    assert.equal(r.ok, false, argv.join(' '));
    if (!r.ok) assert.match(r.error, re);
  }
});

test('A/B options fix the disk scenario and one tool; lab options pass through', () => {
  const r = parseAbArgs(['--tool', 'ftrace', '--on-ns', '131072', '--accel', 'tcg', '--disk-qd', '16'], {}, NOW);
  assert.ok(r.ok);
  assert.equal(r.value.tool, 'ftrace');
  assert.equal(r.value.onNs, 131072);
  assert.deepEqual(r.value.lab.scenarios, ['disk']);
  assert.deepEqual(r.value.lab.tools, ['ftrace']);
  assert.equal(r.value.lab.accel, 'tcg');
  assert.equal(r.value.lab.diskQd, 16);
  const d = parseAbArgs([], {}, NOW);
  assert.ok(d.ok);
  assert.equal(d.value.tool, 'perf');
  assert.ok(d.value.onNs > 32768, 'the on run polls longer than QEMU default');
});

test('A/B refuses options that would change what is compared', () => {
  for (const argv of [['--scenarios', 'net-rr'], ['--poll-max-ns', '0'], ['--tools', 'perf'], ['--tool', 'dtrace'], ['--on-ns', '0']]) {
    const r = parseAbArgs(argv, {}, NOW);
    assert.equal(r.ok, false, argv.join(' '));
  }
});
