// kvm_exit and kvm_nested_vmexit (arch/x86/kvm/trace.h TRACE_EVENT_KVM_EXIT; plugin_kvm.c).
// Example lines, one per era/tool (payload after "kvm_exit: "):
//   reason EXTERNAL_INTERRUPT rip 0x100 info 0 800000f6                 <= 5.3 kernel; plugin any era
//   vcpu 0 reason HLT rip 0xffffffff81 info 0 0                          5.4 .. 5.9
//   vcpu 0 reason INVALID_STATE FAILED_VMENTRY rip 0xfff0 info 0 0       5.8+ VMX exit flags
//   vcpu 0 reason EXCEPTION_NMI rip 0xfd0bd info1 0x0000000000000000 info2 0x0000000000000413 intr_info 0x80000306 error_code 0x00000000
//   ... error_code 0x00000000 requests 0x0000000000000000                6.14+
//   reason EXIT_NPF rip 0x4015c2 info 6a 0 / reason GP excp rip ... / reason 0x4c rip ... / reason UNKNOWN (76) rip ...
// kvm_nested_vmexit: the kvm_exit form since 5.10; plugin " rip 7fa9ee5224e4 reason IO_INSTRUCTION
// info1 5658000b info2 0 int_info 0 int_info_err 0"; pre-5.10 kernel "rip: 0x.. reason: X ext_inf1: 0x..
// ext_inf2: 0x.. ext_int: 0x.. ext_int_err: 0x..".
// Payloads are read as key/value tokens; the reason runs up to " rip " because SVM names hold spaces.
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import { canonicalReason, reasonName, VMX_REASON_FLAGS, type Isa } from '../exitReasons.js';
import { defineDecoder } from './define.js';
import { PerDict } from './intern.js';
import { decU, dropLast, eq, find, hexU, skipSp, tokEnd, trimEnd } from './scan.js';
import type { CompiledFieldReader, FieldReader, PrintTable, TracepointDecoder } from './types.js';

/** What one distinct reason text decodes to, as codes of one builder's dictionaries. */
interface ReasonInfo {
  readonly reason: number;
  /** NaN when the name is not in any table. */
  readonly code: number;
  /** isa dictionary code, -1 when unknown. */
  readonly isa: number;
  /** detail dictionary code for VMX flags ("FAILED_VMENTRY"), -1 when none. */
  readonly detail: number;
}

const FLAG_TOKEN = /^(?:[A-Z][A-Z0-9_]*VMENTRY|0x[0-9a-f]+)$/i;

/** Splits "INVALID_STATE FAILED_VMENTRY" into name and VMX flags; SVM "GP excp" stays whole. */
export function reasonInfo(text: string, b: EventBatchBuilder): ReasonInfo {
  let name = text;
  let flags = '';
  const sp = text.indexOf(' ');
  if (sp > 0 && !text.startsWith('UNKNOWN (')) {
    const rest = text.slice(sp + 1);
    if (rest.split(' ').every((f) => FLAG_TOKEN.test(f))) {
      name = text.slice(0, sp);
      flags = rest;
    }
  }
  const c = canonicalReason(name);
  const isa: Isa | undefined = c.isa ?? (flags ? 'VMX' : undefined);
  return {
    reason: b.dictionaries[C.reason]!.code(name),
    code: c.code ?? NaN,
    isa: isa ? b.dictionaries[C.isa]!.code(isa) : -1,
    detail: flags ? b.dictionaries[C.detail]!.code(flags) : -1,
  };
}

function setReason(b: EventBatchBuilder, ri: ReasonInfo): void {
  b.dictCode(C.reason, ri.reason);
  if (ri.code === ri.code) b.num64(C.reason_code, ri.code);
  if (ri.isa >= 0) b.dictCode(C.isa, ri.isa);
  if (ri.detail >= 0) b.dictCode(C.detail, ri.detail);
}

/** End of the reason text that starts at vs: " rip " (kvm_exit), else the next known key, else one token. */
function reasonEnd(t: string, vs: number, e: number): number {
  let re = find(t, ' rip ', vs, e);
  if (re < 0) re = find(t, ' info1 ', vs, e);
  if (re < 0) re = find(t, ' ext_inf1:', vs, e);
  if (re >= 0) return re;
  re = tokEnd(t, vs, e);
  // plugin "UNKNOWN (76)" is two tokens
  if (eq(t, vs, re, 'UNKNOWN') && re + 1 < e && t.charCodeAt(re + 1) === 40) re = tokEnd(t, re + 1, e);
  return re;
}

function setU32Hex(b: EventBatchBuilder, col: number, t: string, s: number, e: number): void {
  const v = hexU(t, s, e);
  if (v >= 0 && v <= 0xffffffff) b.u32(col, v);
}

function makeText(): (t: string, s: number, e: number, b: EventBatchBuilder) => boolean {
  const reasons = new PerDict<ReasonInfo>();
  return (t, s, e, b) => {
    e = trimEnd(t, s, e);
    let i = skipSp(t, s, e);
    let seen = false;
    while (i < e) {
      let ke = tokEnd(t, i, e);
      const next = skipSp(t, ke, e);
      if (t.charCodeAt(ke - 1) === 58) ke--; // "reason:" in pre-5.10 kvm_nested_vmexit
      const vs = next;
      const ve = tokEnd(t, vs, e);
      switch (t.charCodeAt(i)) {
        case 118: // vcpu
          if (eq(t, i, ke, 'vcpu')) {
            const v = decU(t, vs, dropLast(t, vs, ve, 44));
            if (v >= 0) b.i32(C.vcpu, v);
            i = skipSp(t, ve, e);
            continue;
          }
          break;
        case 114: // reason, rip, requests
          if (eq(t, i, ke, 'reason')) {
            const re = reasonEnd(t, vs, e);
            if (re <= vs) return false;
            const map = reasons.of(b.dictionaries[C.reason]!);
            setReason(b, map.get(t, vs, re) ?? map.getOr(t, vs, re, (str) => reasonInfo(str, b)));
            seen = true;
            i = skipSp(t, re, e);
            continue;
          }
          if (eq(t, i, ke, 'rip')) {
            b.hex64(C.rip, t, vs, ve);
            i = skipSp(t, ve, e);
            continue;
          }
          if (eq(t, i, ke, 'requests')) {
            b.hex64(C.requests, t, vs, ve);
            i = skipSp(t, ve, e);
            continue;
          }
          break;
        case 105: // info, info1, info2, intr_info, int_info, int_info_err
          if (eq(t, i, ke, 'info')) {
            // "info %llx %llx": two bare hex values
            b.hex64(C.info1, t, vs, ve);
            const v2 = skipSp(t, ve, e);
            const v2e = tokEnd(t, v2, e);
            b.hex64(C.info2, t, v2, v2e);
            i = skipSp(t, v2e, e);
            continue;
          }
          if (eq(t, i, ke, 'info1')) { b.hex64(C.info1, t, vs, ve); i = skipSp(t, ve, e); continue; }
          if (eq(t, i, ke, 'info2')) { b.hex64(C.info2, t, vs, ve); i = skipSp(t, ve, e); continue; }
          if (eq(t, i, ke, 'intr_info') || eq(t, i, ke, 'int_info')) {
            setU32Hex(b, C.intr_info, t, vs, ve);
            i = skipSp(t, ve, e);
            continue;
          }
          if (eq(t, i, ke, 'int_info_err')) { setU32Hex(b, C.error_code, t, vs, ve); i = skipSp(t, ve, e); continue; }
          break;
        case 101: // error_code, ext_inf1, ext_inf2, ext_int, ext_int_err
          if (eq(t, i, ke, 'error_code') || eq(t, i, ke, 'ext_int_err')) {
            setU32Hex(b, C.error_code, t, vs, ve);
            i = skipSp(t, ve, e);
            continue;
          }
          if (eq(t, i, ke, 'ext_inf1')) { b.hex64(C.info1, t, vs, ve); i = skipSp(t, ve, e); continue; }
          if (eq(t, i, ke, 'ext_inf2')) { b.hex64(C.info2, t, vs, ve); i = skipSp(t, ve, e); continue; }
          if (eq(t, i, ke, 'ext_int')) { setU32Hex(b, C.intr_info, t, vs, ve); i = skipSp(t, ve, e); continue; }
          break;
      }
      // Unknown token (plugin guest symbol "func+0x10", private keys, "[...]" suffixes): skip it alone.
      i = next;
    }
    return seen;
  };
}

/** The n-th __print_symbolic table of a field (flags tables skipped). */
function nthSymbolic(tables: readonly PrintTable[], n: number): ReadonlyMap<number, string> | undefined {
  for (const pt of tables) if (pt.kind === 'symbolic' && n-- === 0) return pt.table;
  return undefined;
}

function flagNames(bits: number, tables: readonly PrintTable[]): string {
  let table: ReadonlyMap<number, string> = VMX_REASON_FLAGS;
  for (const pt of tables) if (pt.kind === 'flags') table = pt.table;
  const out: string[] = [];
  let rest = bits;
  for (const [bit, name] of table) {
    const ub = bit >>> 0;
    if (ub !== 0 && ((rest & ub) >>> 0) === ub) {
      out.push(name);
      rest = (rest & ~ub) >>> 0;
    }
  }
  if (rest) out.push('0x' + rest.toString(16)); // __print_flags prints leftover bits in hex
  return out.join(' ');
}

/** Reason text, numeric code and VMX flag names ("" for none) of a binary exit_reason. */
function exitReason(er: number, isa: Isa | undefined, tables: readonly PrintTable[]): { reason: string; code: number; flags: string } {
  const u = er >>> 0;
  let name: string | undefined;
  let code: number;
  let flagText = '';
  if (isa === 'VMX') {
    code = u & 0xffff;
    name = nthSymbolic(tables, 0)?.get(code);
    const flags = (u & 0xffff0000) >>> 0;
    if (flags) flagText = flagNames(flags, tables);
  } else if (isa === 'SVM') {
    code = u === 0xffffffff ? -1 : u;
    const tb = nthSymbolic(tables, 1) ?? nthSymbolic(tables, 0);
    name = tb?.get(code) ?? tb?.get(u) ?? tb?.get(u | 0);
  } else {
    code = u;
    name = nthSymbolic(tables, 0)?.get(u);
  }
  return { reason: name ?? (isa ? reasonName(isa, code) : '0x' + u.toString(16)), code, flags: flagText };
}

/** Binary record: exit_reason, isa, guest_rip, info1, info2[, intr_info, error_code][, vcpu_id][, requests]. */
export function decodeExitFields(r: FieldReader, b: EventBatchBuilder): void {
  const er = r.num('exit_reason');
  const isaN = r.num('isa');
  const isa: Isa | undefined = isaN === 1 ? 'VMX' : isaN === 2 ? 'SVM' : undefined;
  if (er !== undefined) {
    const x = exitReason(er, isa, r.printTables('exit_reason'));
    if (x.flags !== '') b.dict(C.detail, x.flags);
    b.dict(C.reason, x.reason);
    b.num64(C.reason_code, x.code);
  }
  if (isa) b.dict(C.isa, isa);
  const vcpu = r.num('vcpu_id');
  if (vcpu !== undefined) b.i32(C.vcpu, vcpu);
  r.set64('guest_rip', C.rip, b);
  r.set64('info1', C.info1, b);
  r.set64('info2', C.info2, b);
  const ii = r.num('intr_info');
  if (ii !== undefined) b.u32(C.intr_info, ii >>> 0);
  const ec = r.num('error_code');
  if (ec !== undefined) b.u32(C.error_code, ec >>> 0);
  r.set64('requests', C.requests, b);
}

/**
 * decodeExitFields compiled for one record format: fields resolved once, and the reason, detail
 * and isa dictionary codes cached per (exit_reason, isa) value for the builder they were made with.
 */
function compileExitFields(r: CompiledFieldReader): (b: EventBatchBuilder) => void {
  const fReason = r.ref('exit_reason'), fIsa = r.ref('isa'), fVcpu = r.ref('vcpu_id');
  const fRip = r.ref('guest_rip'), fInfo1 = r.ref('info1'), fInfo2 = r.ref('info2');
  const fIntr = r.ref('intr_info'), fErr = r.ref('error_code'), fReq = r.ref('requests');
  const tables = r.printTables('exit_reason');
  let dicts: EventBatchBuilder['dictionaries'] | null = null;
  // (exit_reason << 2 | isa) -> [reason code, reason_code value, detail code or -1]
  let cache = new Map<number, readonly [number, number, number]>();
  const isaCodes = [-1, -1, -1];
  return (b: EventBatchBuilder): void => {
    if (b.dictionaries !== dicts) { dicts = b.dictionaries; cache = new Map(); isaCodes.fill(-1); }
    const er = r.numAt(fReason);
    const isaN = r.numAt(fIsa);
    const isaK = isaN === 1 ? 1 : isaN === 2 ? 2 : 0;
    if (er !== undefined) {
      const key = (er >>> 0) * 4 + isaK;
      let hit = cache.get(key);
      if (hit === undefined) {
        const x = exitReason(er, isaK === 1 ? 'VMX' : isaK === 2 ? 'SVM' : undefined, tables);
        hit = [b.dictionaries[C.reason]!.code(x.reason), x.code, x.flags !== '' ? b.dictionaries[C.detail]!.code(x.flags) : -1];
        cache.set(key, hit);
      }
      if (hit[2] >= 0) b.dictCode(C.detail, hit[2]);
      b.dictCode(C.reason, hit[0]);
      b.num64(C.reason_code, hit[1]);
    }
    if (isaK !== 0) {
      let c = isaCodes[isaK]!;
      if (c < 0) c = isaCodes[isaK] = b.dictionaries[C.isa]!.code(isaK === 1 ? 'VMX' : 'SVM');
      b.dictCode(C.isa, c);
    }
    const vcpu = r.numAt(fVcpu);
    if (vcpu !== undefined) b.i32(C.vcpu, vcpu);
    r.set64At(fRip, C.rip, b);
    r.set64At(fInfo1, C.info1, b);
    r.set64At(fInfo2, C.info2, b);
    const ii = r.numAt(fIntr);
    if (ii !== undefined) b.u32(C.intr_info, ii >>> 0);
    const ec = r.numAt(fErr);
    if (ec !== undefined) b.u32(C.error_code, ec >>> 0);
    r.set64At(fReq, C.requests, b);
  };
}

export function kvmExitDecoders(): TracepointDecoder[] {
  return [
    defineDecoder('kvm_exit', makeText(), decodeExitFields, ['exit_reason'], compileExitFields),
    defineDecoder('kvm_nested_vmexit', makeText(), decodeExitFields, ['exit_reason'], compileExitFields),
  ];
}
