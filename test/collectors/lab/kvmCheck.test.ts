import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvmVerdict } from '../../../collectors/lab/kvmCheck.js';

test('kvm-pvm host without nested_pvm: reason quotes dmesg, hint offers --accel tcg', () => {
  const v = kvmVerdict({ devKvm: false, dmesg: ['[    0.5] random line', '[    1.2] kvm-pvm: this kernel is itself a kvm-pvm guest; not binding'] });
  assert.equal(v.ok, false);
  assert.match(v.reason, /\/dev\/kvm is missing; dmesg: "\[    1\.2\] kvm-pvm: this kernel is itself a kvm-pvm guest; not binding"/);
  assert.match(v.hint, /nested_pvm=1/);
  assert.match(v.hint, /--accel tcg/);
});

test('no kvm line in dmesg: says the module may not be loaded', () => {
  const v = kvmVerdict({ devKvm: false, dmesg: ['[ 0.1] nothing relevant'] });
  assert.equal(v.ok, false);
  assert.match(v.reason, /no kvm line in dmesg/);
  assert.match(v.hint, /modprobe/);
});

test('/dev/kvm present is enough, whatever dmesg says', () => {
  assert.equal(kvmVerdict({ devKvm: true, dmesg: ['kvm: disabled by bios'] }).ok, true);
});
