// kvm_entry (arch/x86/kvm/trace.h; plugin_kvm.c kvm_entry handler). Payloads by era/tool:
//   vcpu 0                                                              <= 5.9
//   vcpu 0, rip 0xf7d6b                                                 5.10+
//   vcpu 0, rip 0xffffffff81036706[immediate exit]                      6.9+ (suffix glued on)
//   vcpu 0, rip 0xffffffff81000aa0 intr_info 0x80000b0e error_code 0x00000000   6.14+
//    vcpu 0 rip 0xffffffffb33f2e60                                      plugin (leading space, no comma)
// Unknown "[...]" suffixes (e.g. "[guest]" from unmerged patches) and "L1" tokens are skipped.
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import { defineDecoder } from './define.js';
import { decU, dropLast, eq, find, findChar, hexU, skipSp, tokEnd, trimEnd } from './scan.js';
import type { CompiledFieldReader, FieldReader, TracepointDecoder } from './types.js';

const IMM = '[immediate exit]';

function decodeText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  // "[immediate exit]" is printed with %s right after the previous field, without a space.
  const imm = t.charCodeAt(e - 1) === 93 ? find(t, IMM, s, e) : -1;
  if (imm >= 0) {
    b.bool(C.flag, true);
    e = imm;
  }
  let i = skipSp(t, s, e);
  let seen = false;
  while (i < e) {
    const ke = tokEnd(t, i, e);
    const vs = skipSp(t, ke, e);
    const ve = tokEnd(t, vs, e);
    if (eq(t, i, ke, 'vcpu')) {
      const v = decU(t, vs, dropLast(t, vs, ve, 44));
      if (v < 0) return false;
      b.i32(C.vcpu, v);
      seen = true;
    } else if (eq(t, i, ke, 'rip')) {
      // "[...]" suffixes may be glued onto the rip
      const br = findChar(t, 91, vs, ve);
      b.hex64(C.rip, t, vs, br >= 0 ? br : ve);
    } else if (eq(t, i, ke, 'intr_info') || eq(t, i, ke, 'inj')) {
      const v = hexU(t, vs, ve);
      if (v >= 0 && v <= 0xffffffff) b.u32(C.intr_info, v);
    } else if (eq(t, i, ke, 'error_code') || eq(t, i, ke, 'inj_error_code')) {
      const v = hexU(t, vs, ve);
      if (v >= 0 && v <= 0xffffffff) b.u32(C.error_code, v);
    } else {
      i = vs; // unknown token: skip it alone
      continue;
    }
    i = skipSp(t, ve, e);
  }
  return seen;
}

/** Binary record: vcpu_id[, rip][, immediate_exit][, intr_info, error_code]. */
function decodeFields(r: FieldReader, b: EventBatchBuilder): void {
  const vcpu = r.num('vcpu_id');
  if (vcpu !== undefined) b.i32(C.vcpu, vcpu);
  r.set64('rip', C.rip, b);
  const imm = r.num('immediate_exit');
  if (imm !== undefined) b.bool(C.flag, imm !== 0);
  const ii = r.num('intr_info');
  if (ii !== undefined) b.u32(C.intr_info, ii >>> 0);
  const ec = r.num('error_code');
  if (ec !== undefined) b.u32(C.error_code, ec >>> 0);
}

/** decodeFields compiled for one record format (fields resolved once). */
function compileFields(r: CompiledFieldReader): (b: EventBatchBuilder) => void {
  const fVcpu = r.ref('vcpu_id'), fRip = r.ref('rip'), fImm = r.ref('immediate_exit'), fIntr = r.ref('intr_info'), fErr = r.ref('error_code');
  return (b: EventBatchBuilder): void => {
    const vcpu = r.numAt(fVcpu);
    if (vcpu !== undefined) b.i32(C.vcpu, vcpu);
    r.set64At(fRip, C.rip, b);
    const imm = r.numAt(fImm);
    if (imm !== undefined) b.bool(C.flag, imm !== 0);
    const ii = r.numAt(fIntr);
    if (ii !== undefined) b.u32(C.intr_info, ii >>> 0);
    const ec = r.numAt(fErr);
    if (ec !== undefined) b.u32(C.error_code, ec >>> 0);
  };
}

export function kvmEntryDecoders(): TracepointDecoder[] {
  return [defineDecoder('kvm_entry', decodeText, decodeFields, ['vcpu_id'], compileFields)];
}
