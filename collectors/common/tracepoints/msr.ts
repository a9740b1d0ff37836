// Register-access payloads: kvm_msr, kvm_cr, kvm_apic (arch/x86/kvm/trace.h).
//   kvm_msr:  msr_write 6e0 = 0x4dcfc45840          ("msr_%s %x = 0x%llx%s", suffix " (#GP)")
//   kvm_cr:   cr_write 0 = 0x80050033               ("cr_%s %x = 0x%lx"; register to detail as "CR0")
//   kvm_apic: apic_write APIC_EOI = 0x0             ("apic_%s %s = 0x%llx"; older kernels 0x%x)
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import { defineDecoder } from './define.js';
import { DictSetter } from './intern.js';
import { find, hexU, skipSp, tokEnd, trimEnd } from './scan.js';
import type { FieldReader, TracepointDecoder } from './types.js';

/** APIC register offsets (kvm_trace_symbol_apic), the fallback when the file has no table. */
export const APIC_REGS: ReadonlyMap<number, string> = new Map([
  [0x20, 'ID'], [0x30, 'LVR'], [0x80, 'TASKPRI'], [0x90, 'ARBPRI'], [0xa0, 'PROCPRI'], [0xb0, 'EOI'],
  [0xc0, 'RRR'], [0xd0, 'LDR'], [0xe0, 'DFR'], [0xf0, 'SPIV'], [0x100, 'ISR'], [0x180, 'TMR'],
  [0x200, 'IRR'], [0x280, 'ESR'], [0x300, 'ICR'], [0x310, 'ICR2'], [0x320, 'LVTT'], [0x330, 'LVTTHMR'],
  [0x340, 'LVTPC'], [0x350, 'LVT0'], [0x360, 'LVT1'], [0x370, 'LVTERR'], [0x380, 'TMICT'],
  [0x390, 'TMCCT'], [0x3e0, 'TDCR'], [0x3f0, 'SELF_IPI'], [0x400, 'EFEAT'], [0x410, 'ECTRL'],
].map(([k, v]) => [k as number, `APIC_${v}`]));

export function apicRegName(r: FieldReader, field: string, reg: number): string {
  return r.printTables(field)[0]?.table.get(reg) ?? APIC_REGS.get(reg) ?? '0x' + reg.toString(16);
}

/**
 * "<prefix>_read|write <what> = 0x<value>": sets write and value, returns [whatStart, whatEnd] via
 * the callback, or false when the shape does not match.
 */
function accessText(prefix: string, t: string, s: number, e: number, b: EventBatchBuilder, what: (ws: number, we: number) => boolean): boolean {
  e = trimEnd(t, s, e);
  const i = skipSp(t, s, e);
  if (!t.startsWith(prefix, i)) return false;
  const dir = t.charCodeAt(i + prefix.length);
  if (dir !== 119 && dir !== 114) return false;
  const ws = skipSp(t, tokEnd(t, i, e), e);
  const eqAt = find(t, ' = ', ws, e);
  if (eqAt < 0) return false;
  if (!what(ws, eqAt)) return false;
  b.bool(C.write, dir === 119);
  const vs = eqAt + 3;
  const ve = tokEnd(t, vs, e);
  if (!b.hex64(C.value, t, vs, ve)) return false;
  return true;
}

function msrText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  const ok = accessText('msr_', t, s, e, b, (ws, we) => {
    const v = hexU(t, ws, we);
    if (v < 0 || v > 0xffffffff) return false;
    b.u32(C.msr, v);
    return true;
  });
  // " (#GP)" since 4.x (exception field); absent means no fault
  if (ok) b.bool(C.flag, t.charCodeAt(e - 1) === 41 && find(t, '(#GP)', e - 5, e) >= 0);
  return ok;
}

function msrFields(r: FieldReader, b: EventBatchBuilder): void {
  const w = r.num('write');
  if (w !== undefined) b.bool(C.write, w !== 0);
  const ecx = r.num('ecx');
  if (ecx !== undefined) b.u32(C.msr, ecx >>> 0);
  r.set64('data', C.value, b);
  const ex = r.num('exception');
  if (ex !== undefined) b.bool(C.flag, ex !== 0);
}

function makeCr(): TracepointDecoder {
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean =>
    accessText('cr_', t, s, e, b, (ws, we) => {
      const v = hexU(t, ws, we);
      if (v < 0) return false;
      b.dict(C.detail, `CR${v}`);
      return true;
    });
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const rw = r.num('rw');
    if (rw !== undefined) b.bool(C.write, rw !== 0);
    const cr = r.num('cr');
    if (cr !== undefined) b.dict(C.detail, `CR${cr}`);
    r.set64('val', C.value, b);
  };
  return defineDecoder('kvm_cr', text, fields, ['cr']);
}

function makeApic(): TracepointDecoder {
  const detail = new DictSetter(C.detail);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean =>
    accessText('apic_', t, s, e, b, (ws, we) => {
      if (we <= ws) return false;
      detail.set(b, t, ws, we);
      return true;
    });
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const rw = r.num('rw');
    if (rw !== undefined) b.bool(C.write, rw !== 0);
    const reg = r.num('reg');
    if (reg !== undefined) b.dict(C.detail, apicRegName(r, 'reg', reg));
    r.set64('val', C.value, b);
  };
  return defineDecoder('kvm_apic', text, fields, ['reg']);
}

export function msrDecoders(): TracepointDecoder[] {
  return [defineDecoder('kvm_msr', msrText, msrFields, ['ecx']), makeCr(), makeApic()];
}
