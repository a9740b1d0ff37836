// Posted-interrupt and AVIC payloads (arch/x86/kvm/trace.h):
//   kvm_pi_irte_update:  VT-d PI is enabled and being updated for irq 24, vcpu 0, gsi: 0x18, gvec: 0x22, pi_desc_addr: 0x1f3a4c040
//                        (< 6.10; >= 6.10 "PI is ..."; 6.18 drops pi_desc_addr and prints vcpu with %d)
//   kvm_avic_incomplete_ipi:        vcpu=0, icrh:icrl=0x00000001:000400ec, id=1, index=0
//   kvm_avic_unaccelerated_access:  vcpu=1, offset=0xb0(APIC_EOI), trap, write, vec=0x0
//   kvm_avic_ga_log:                vmid=1, vcpuid=0
//   kvm_avic_kick_vcpu_slowpath:    icrh:icrl=0x000001:000400ec, index=0
//   kvm_avic_doorbell:              vcpuid=0, apicid=0
// Tokens are "key value," or "key=value," or "key: value,"; commas are trimmed.
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import { defineDecoder } from './define.js';
import { DictSetter } from './intern.js';
import { apicRegName } from './msr.js';
import { decI, dropLast, eq, find, findChar, hexU, numU, skipSp, tokEnd, trimEnd } from './scan.js';
import type { FieldReader, TracepointDecoder } from './types.js';

/** Walks "k=v, k=v" tokens (also "k: v," and "k v,"); calls on(ks, ke, vs, ve) with commas trimmed. */
function eqPairs(t: string, s: number, e: number, on: (ks: number, ke: number, vs: number, ve: number) => void): void {
  let i = skipSp(t, s, e);
  while (i < e) {
    const te = dropLast(t, i, tokEnd(t, i, e), 44);
    const eqAt = findChar(t, 61, i, te);
    if (eqAt >= 0) {
      on(i, eqAt, eqAt + 1, te);
      i = skipSp(t, tokEnd(t, i, e), e);
      continue;
    }
    if (te < tokEnd(t, i, e)) {
      // a bare word with its comma ("trap,", "write,"): a value without a key
      on(i, te, te, te);
      i = skipSp(t, te + 1, e);
      continue;
    }
    const ke = t.charCodeAt(te - 1) === 58 ? te - 1 : te; // "gsi:"
    const vs = skipSp(t, tokEnd(t, i, e), e);
    const ve = dropLast(t, vs, tokEnd(t, vs, e), 44);
    on(i, ke, vs, ve);
    i = skipSp(t, tokEnd(t, vs, e), e);
  }
}

function piText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  const isAt = find(t, 'PI is ', s, e);
  if (isAt < 0) return false;
  const forAt = find(t, ' for ', isAt, e);
  if (forAt < 0) return false;
  b.bool(C.flag, t.startsWith('enabled', isAt + 6));
  let ok = false;
  eqPairs(t, forAt + 5, e, (ks, ke, vs, ve) => {
    if (eq(t, ks, ke, 'irq')) { const v = numU(t, vs, ve); if (v >= 0) { b.i32(C.level, v); ok = true; } }
    else if (eq(t, ks, ke, 'vcpu')) { const v = decI(t, vs, ve); if (v === v) b.i32(C.vcpu, v); }
    else if (eq(t, ks, ke, 'gsi')) { const v = hexU(t, vs, ve); if (v >= 0) b.i32(C.gsi, v); }
    else if (eq(t, ks, ke, 'gvec')) { const v = hexU(t, vs, ve); if (v >= 0) b.i32(C.vector, v); }
    else if (eq(t, ks, ke, 'pi_desc_addr')) b.hex64(C.gpa, t, vs, ve);
  });
  return ok;
}

function piFields(r: FieldReader, b: EventBatchBuilder): void {
  const hi = r.num('host_irq');
  if (hi !== undefined) b.i32(C.level, hi);
  const v = r.num('vcpu_id');
  if (v !== undefined) b.i32(C.vcpu, v);
  const gsi = r.num('gsi');
  if (gsi !== undefined) b.i32(C.gsi, gsi);
  const gvec = r.num('gvec');
  if (gvec !== undefined) b.i32(C.vector, gvec);
  r.set64('pi_desc_addr', C.gpa, b);
  const set = r.num('set');
  if (set !== undefined) b.bool(C.flag, set !== 0);
}

/** AVIC_IPI_FAILURE_* causes (arch/x86/include/asm/svm.h), the "id" of kvm_avic_incomplete_ipi. */
const AVIC_IPI_FAILURES = ['INVALID_INT_TYPE', 'TARGET_NOT_RUNNING', 'INVALID_TARGET', 'INVALID_BACKING_PAGE', 'INVALID_IPI_VECTOR'];

/** "icrh:icrl=0x00000001:000400ec" value part -> info1 = icrl, info2 = icrh, vector = icrl & 0xff. */
function setIcr(t: string, vs: number, ve: number, b: EventBatchBuilder): boolean {
  const colon = findChar(t, 58, vs, ve);
  if (colon < 0) return false;
  const h = hexU(t, vs, colon);
  const l = hexU(t, colon + 1, ve);
  if (h < 0 || l < 0) return false;
  b.num64(C.info1, l);
  b.num64(C.info2, h);
  b.i32(C.vector, l & 0xff);
  return true;
}

function setIcrFields(r: FieldReader, b: EventBatchBuilder): void {
  const l = r.num('icrl');
  const h = r.num('icrh');
  if (l !== undefined) { b.num64(C.info1, l >>> 0); b.i32(C.vector, l & 0xff); }
  if (h !== undefined) b.num64(C.info2, h >>> 0);
}

function makeIncompleteIpi(): TracepointDecoder {
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let ok = false;
    eqPairs(t, s, e, (ks, ke, vs, ve) => {
      if (eq(t, ks, ke, 'vcpu')) { const v = numU(t, vs, ve); if (v >= 0) { b.i32(C.vcpu, v); ok = true; } }
      else if (eq(t, ks, ke, 'icrh:icrl')) setIcr(t, vs, ve, b);
      else if (eq(t, ks, ke, 'id')) { const v = numU(t, vs, ve); if (v >= 0) b.dict(C.detail, AVIC_IPI_FAILURES[v] ?? String(v)); }
    });
    return ok;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const v = r.num('vcpu');
    if (v !== undefined) b.i32(C.vcpu, v);
    setIcrFields(r, b);
    const id = r.num('id');
    if (id !== undefined) b.dict(C.detail, AVIC_IPI_FAILURES[id] ?? String(id));
  };
  return defineDecoder('kvm_avic_incomplete_ipi', text, fields, ['vcpu']);
}

function makeUnaccelerated(): TracepointDecoder {
  const detail = new DictSetter(C.detail);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let ok = false;
    eqPairs(t, s, e, (ks, ke, vs, ve) => {
      if (eq(t, ks, ke, 'vcpu')) { const v = numU(t, vs, ve); if (v >= 0) { b.i32(C.vcpu, v); ok = true; } }
      else if (eq(t, ks, ke, 'offset')) {
        // "0xb0(APIC_EOI)"
        const p = findChar(t, 40, vs, ve);
        const end = p >= 0 ? p : ve;
        const off = hexU(t, vs, end);
        if (off >= 0) b.num64(C.info1, off);
        if (end < ve && t.charCodeAt(ve - 1) === 41) detail.set(b, t, end + 1, ve - 1);
      } else if (eq(t, ks, ke, 'vec')) { const v = numU(t, vs, ve); if (v >= 0) b.i32(C.vector, v); }
      else if (eq(t, ks, ke, 'write')) b.bool(C.write, true);
      else if (eq(t, ks, ke, 'read')) b.bool(C.write, false);
    });
    return ok;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const v = r.num('vcpu');
    if (v !== undefined) b.i32(C.vcpu, v);
    const off = r.num('offset');
    if (off !== undefined) { b.num64(C.info1, off); b.dict(C.detail, apicRegName(r, 'offset', off)); }
    const rw = r.num('rw');
    if (rw !== undefined) b.bool(C.write, rw !== 0);
    const vec = r.num('vec');
    if (vec !== undefined) b.i32(C.vector, vec);
  };
  return defineDecoder('kvm_avic_unaccelerated_access', text, fields, ['vcpu']);
}

function gaLogText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  let ok = false;
  eqPairs(t, s, e, (ks, ke, vs, ve) => {
    if (eq(t, ks, ke, 'vmid')) { const v = numU(t, vs, ve); if (v >= 0) b.num64(C.info1, v); }
    else if (eq(t, ks, ke, 'vcpuid')) { const v = numU(t, vs, ve); if (v >= 0) { b.i32(C.vcpu, v); ok = true; } }
  });
  return ok;
}

function gaLogFields(r: FieldReader, b: EventBatchBuilder): void {
  const vmid = r.num('vmid');
  if (vmid !== undefined) b.num64(C.info1, vmid);
  const v = r.num('vcpuid');
  if (v !== undefined) b.i32(C.vcpu, v);
}

function kickText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  let ok = false;
  eqPairs(t, s, e, (ks, ke, vs, ve) => {
    if (eq(t, ks, ke, 'icrh:icrl')) ok = setIcr(t, vs, ve, b);
  });
  return ok;
}

function doorbellText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  let ok = false;
  eqPairs(t, s, e, (ks, ke, vs, ve) => {
    if (eq(t, ks, ke, 'vcpuid')) { const v = numU(t, vs, ve); if (v >= 0) { b.i32(C.vcpu, v); ok = true; } }
    else if (eq(t, ks, ke, 'apicid')) { const v = numU(t, vs, ve); if (v >= 0) b.i32(C.apicid, v); }
  });
  return ok;
}

function doorbellFields(r: FieldReader, b: EventBatchBuilder): void {
  const v = r.num('vcpuid');
  if (v !== undefined) b.i32(C.vcpu, v);
  const a = r.num('apicid');
  if (a !== undefined) b.i32(C.apicid, a);
}

export function piDecoders(): TracepointDecoder[] {
  return [
    defineDecoder('kvm_pi_irte_update', piText, piFields, ['host_irq']),
    makeIncompleteIpi(),
    makeUnaccelerated(),
    defineDecoder('kvm_avic_ga_log', gaLogText, gaLogFields, ['vcpuid']),
    defineDecoder('kvm_avic_kick_vcpu_slowpath', kickText, setIcrFields, ['icrl']),
    defineDecoder('kvm_avic_doorbell', doorbellText, doorbellFields, ['vcpuid']),
  ];
}
