import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countKicks, type KickRow } from '../../../collectors/lab/kicks.js';
import type { NotifyRange } from '../../../collectors/lab/pciInfo.js';

const RANGES: NotifyRange[] = [
  { id: 'blk0', kind: 'mmio', start: 0x180007000n, end: 0x180007fffn },
  { id: 'blk0', kind: 'pio', start: 0xc050n, end: 0xc051n },
  { id: 'net0', kind: 'mmio', start: 0x180003000n, end: 0x180003fffn },
];
const row = (event: string, o: Partial<KickRow> = {}): KickRow => ({ event, write: null, gpa: null, port: null, reason: null, ...o });

test('kvm_pvm shape: kvm_mmio writes at the notify address are kicks, reads and other addresses are not', () => {
  const k = countKicks([
    row('kvm_mmio', { write: true, gpa: 0x180007000n }),
    row('kvm_mmio', { write: true, gpa: 0x180007000n }),
    row('kvm_mmio', { write: false, gpa: 0x180007000n }),
    row('kvm_mmio', { write: true, gpa: 0x180003004n }),
    row('kvm_mmio', { write: true, gpa: 0xfee000b0n }),
    row('kvm_msr', { write: true }),
    row('sched_switch'),
  ], RANGES);
  assert.equal(k.source, 'io-events');
  assert.deepEqual(k.byId, { blk0: 2, net0: 1 });
  assert.deepEqual(k.byAddress, { 'mmio 0x180007000': 2, 'mmio 0x180003004': 1 });
  assert.equal(k.total, 3);
  assert.equal(k.kvmEvents, 6);
});

test('VMX shape: kvm_exit EPT_MISCONFIG + kvm_fast_mmio is one kick, not two', () => {
  const k = countKicks([
    row('kvm_exit', { reason: 'EPT_MISCONFIG' }), row('kvm_fast_mmio', { gpa: 0x180007000n }), row('kvm_entry'),
    row('kvm_exit', { reason: 'EPT_MISCONFIG' }), row('kvm_fast_mmio', { gpa: 0x180007000n }), row('kvm_entry'),
  ], RANGES);
  assert.equal(k.source, 'io-events');
  assert.equal(k.byId.blk0, 2);
  assert.equal(k.total, 2);
});

test('legacy virtio-pci: kvm_pio write to BAR0+16 is a kick; the ISR read is not', () => {
  const k = countKicks([row('kvm_pio', { write: true, port: 0xc050 }), row('kvm_pio', { write: false, port: 0xc053 })], RANGES);
  assert.equal(k.byId.blk0, 1);
  assert.deepEqual(k.byAddress, { 'pio 0xc050': 1 });
});

test('exits but no I/O events traced: I/O exit reasons are the kicks, attributed to the first range', () => {
  const k = countKicks([row('kvm_exit', { reason: 'EPT_MISCONFIG' }), row('kvm_exit', { reason: 'npf' }), row('kvm_exit', { reason: 'HLT' })], RANGES);
  assert.equal(k.source, 'kvm_exit');
  assert.equal(k.total, 2);
  assert.equal(k.byId.blk0, 2);
});

test('TCG trace (sched events only): no kicks and no kvm events, every range reported as 0', () => {
  const k = countKicks([row('sched_switch'), row('sched_wakeup')], RANGES);
  assert.deepEqual(k, { byId: { blk0: 0, net0: 0 }, byAddress: {}, total: 0, source: 'none', kvmEvents: 0 });
});
