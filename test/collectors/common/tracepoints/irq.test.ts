import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFieldsRow, decodeRow, fakeReader, missing, realPayload, VHOST_REPORT } from './helpers.js';

test('kvm_set_irq gsi level source', () => {
  assert.deepEqual(decodeRow('kvm_set_irq', 'gsi 11 level 0 source 0').row, { gsi: 11, level: 0, irq_source: 0 });
  assert.deepEqual(decodeFieldsRow('kvm_set_irq', fakeReader({ gsi: 4, level: 1, irq_source_id: 0 })), { gsi: 4, level: 1, irq_source: 0 });
});

test('kvm_msi_set_irq 6.x hex dst, decimal vec (real vhost MSI)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_msi_set_irq', 'dst 1 vec 42 (Fixed|logical|edge)');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_msi_set_irq', p).row, { apicid: 1, vector: 42, delivery: 'Fixed', detail: 'logical', trig_level: false });
  assert.equal(decodeRow('kvm_msi_set_irq', 'dst ff vec 35 (Fixed|physical|edge|rh)').row.apicid, 0xff);
});

test('kvm_msi_set_irq 3.x decimal dst, hex vec told apart by a hex letter', () => {
  const { row } = decodeRow('kvm_msi_set_irq', 'dst 0 vec 4a (Fixed|physical|edge)');
  assert.equal(row.vector, 0x4a);
  assert.equal(row.apicid, 0);
});

test('kvm_msi_set_irq binary address/data with extended destination id', () => {
  const row = decodeFieldsRow('kvm_msi_set_irq', fakeReader({ address: 0xfee01004n, data: 0x402a }));
  assert.deepEqual(row, { gpa: 0xfee01004n, apicid: 1, detail: 'logical', value: 0x402an, vector: 42, delivery: 'Fixed', trig_level: false });
});

test('kvm_ioapic_set_irq masked level entry (real 6.5 line) and coalesced suffix', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_ioapic_set_irq', 'pin 11 dst 1 vec 43 (Fixed|logical|level|masked)');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_ioapic_set_irq', p).row, { gsi: 11, apicid: 1, vector: 43, delivery: 'Fixed', trig_level: true, detail: 'logical|masked', flag: false });
  assert.equal(decodeRow('kvm_ioapic_set_irq', 'pin 2 dst 0 vec 48 (Fixed|physical|edge) (coalesced)').row.flag, true);
});

test('kvm_ioapic_set_irq binary u64 entry above 2^53 keeps the low bits', () => {
  // dst 1 in bits 56..63, vector 43, logical, level, masked
  const e = (1n << 56n) | 0x1882bn;
  const row = decodeFieldsRow('kvm_ioapic_set_irq', fakeReader({ e, pin: 11, coalesced: 0 }));
  assert.deepEqual(row, { gsi: 11, apicid: 1, vector: 43, delivery: 'Fixed', trig_level: true, detail: 'logical|masked', flag: false });
});

test('kvm_pic_set_irq chip/pin to PIC irq number', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_pic_set_irq', 'chip 1 pin 3 (edge|masked)');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_pic_set_irq', p).row, { gsi: 11, trig_level: false, detail: 'masked', flag: false });
  assert.deepEqual(decodeFieldsRow('kvm_pic_set_irq', fakeReader({ chip: 0, pin: 4, elcr: 0, imr: 0, coalesced: 0 })), { gsi: 4, trig_level: false, flag: false });
});

test('kvm_apic_accept_irq and kvm_apicv_accept_irq (real posted delivery)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_apicv_accept_irq', 'kvm_apicv_accept_irq: apicid 0 vec 42 (Fixed|edge)');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  const want = { apicid: 0, vector: 42, delivery: 'Fixed', trig_level: false };
  assert.deepEqual(decodeRow('kvm_apicv_accept_irq', p).row, want);
  assert.deepEqual(decodeRow('kvm_apic_accept_irq', p).row, want);
  assert.equal(decodeRow('kvm_apic_accept_irq', 'apicid 1 vec 239 (Fixed|edge) (coalesced)').row.flag, true);
  assert.deepEqual(decodeFieldsRow('kvm_apic_accept_irq', fakeReader({ apicid: 2, dm: 0x400, tm: 0, vec: 2 })), { apicid: 2, vector: 2, delivery: 'NMI', trig_level: false });
});

test('kvm_inj_virq <=5.18 decimal irq', () => {
  assert.deepEqual(decodeRow('kvm_inj_virq', 'irq 236').row, { vector: 236 });
  assert.deepEqual(decodeFieldsRow('kvm_inj_virq', fakeReader({ irq: 236 })), { vector: 236 });
});

test('kvm_inj_virq 5.19 hex vector, Soft/INTn and [reinjected]', () => {
  assert.deepEqual(decodeRow('kvm_inj_virq', 'IRQ 0xec').row, { vector: 0xec, flag: false });
  assert.deepEqual(decodeRow('kvm_inj_virq', 'Soft/INTn 0x80 [reinjected]').row, { vector: 0x80, flag: true, detail: 'reinjected' });
  assert.deepEqual(decodeFieldsRow('kvm_inj_virq', fakeReader({ vector: 0xec, soft: 0, reinjected: 1 })), { vector: 0xec, flag: false, detail: 'reinjected' });
});

test('kvm_eoi apicid hex, vector decimal', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_eoi', 'apicid 0 vector 43');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_eoi', p).row, { apicid: 0, vector: 43 });
  assert.deepEqual(decodeRow('kvm_eoi', 'apicid 1f vector 236').row, { apicid: 0x1f, vector: 236 });
});

test('kvm_apic_ipi five-part flag group rebuilds icr_low', () => {
  const { row } = decodeRow('kvm_apic_ipi', 'dst 1 vec 253 (Fixed|physical|assert|edge|dst)');
  assert.deepEqual(row, { apicid: 1, vector: 253, delivery: 'Fixed', trig_level: false, detail: 'dst', info1: BigInt(0x40fd) });
  const bin = decodeFieldsRow('kvm_apic_ipi', fakeReader({ icr_low: 0xc40fd, dest_id: 0 }));
  assert.deepEqual(bin, { apicid: 0, info1: 0xc40fdn, vector: 253, delivery: 'Fixed', trig_level: false, detail: 'all-but-self' });
});

test('kvm_ack_irq irqchip name with a space (PIC master)', (t) => {
  const p = realPayload(VHOST_REPORT, 'kvm_ack_irq', 'irqchip IOAPIC pin 11');
  if (p === undefined) return t.skip(missing(VHOST_REPORT));
  assert.deepEqual(decodeRow('kvm_ack_irq', p).row, { detail: 'IOAPIC', gsi: 11 });
  assert.deepEqual(decodeRow('kvm_ack_irq', 'irqchip PIC master pin 0').row, { detail: 'PIC master', gsi: 0 });
  assert.deepEqual(decodeFieldsRow('kvm_ack_irq', fakeReader({ irqchip: 1, pin: 4 })), { detail: 'PIC slave', gsi: 4 });
});
