// vCPU halt / userspace payloads (include/trace/events/kvm.h):
//   kvm_vcpu_wakeup:    wait time 89859 ns, polling valid      ("%s time %lld ns, polling %s"; older: no ", polling")
//   kvm_halt_poll_ns:   vcpu 0: halt_poll_ns 40000 (grow 20000) ("vcpu %u: halt_poll_ns %u (%s %u)")
//   kvm_userspace_exit: reason KVM_EXIT_IO (2) | reason restart (4) | reason error (14)
//                       ("reason %s (%d)": errno < 0 prints restart/error and -errno)
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import { defineDecoder } from './define.js';
import { DictSetter } from './intern.js';
import { decI, decU, dropLast, eq, find, findLast, skipSp, tokEnd, trimEnd } from './scan.js';
import type { FieldReader, TracepointDecoder } from './types.js';

function wakeupText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  const i = skipSp(t, s, e);
  const ke = tokEnd(t, i, e);
  const waited = eq(t, i, ke, 'wait');
  if (!waited && !eq(t, i, ke, 'poll')) return false;
  const ts = skipSp(t, ke, e);
  if (!t.startsWith('time ', ts)) return false;
  const vs = skipSp(t, ts + 5, e);
  const ns = decI(t, vs, tokEnd(t, vs, e));
  if (ns !== ns) return false;
  b.bool(C.flag, waited);
  b.num64(C.wait_ns, ns);
  const p = find(t, 'polling ', vs, e);
  if (p >= 0) b.dict(C.detail, t.startsWith('valid', p + 8) ? 'valid' : 'invalid');
  return true;
}

function wakeupFields(r: FieldReader, b: EventBatchBuilder): void {
  r.set64('ns', C.wait_ns, b);
  const w = r.num('waited');
  if (w !== undefined) b.bool(C.flag, w !== 0);
  const v = r.num('valid');
  if (v !== undefined) b.dict(C.detail, v ? 'valid' : 'invalid');
}

function haltPollText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  let i = skipSp(t, s, e);
  if (!t.startsWith('vcpu ', i)) return false;
  i = skipSp(t, i + 5, e);
  let ie = tokEnd(t, i, e);
  const vcpu = decU(t, i, dropLast(t, i, ie, 58));
  if (vcpu < 0) return false;
  i = skipSp(t, ie, e);
  if (!t.startsWith('halt_poll_ns ', i)) return false;
  i = skipSp(t, i + 13, e);
  ie = tokEnd(t, i, e);
  const nv = decU(t, i, ie);
  if (nv < 0) return false;
  b.i32(C.vcpu, vcpu);
  b.num64(C.wait_ns, nv);
  i = skipSp(t, ie, e);
  if (t.charCodeAt(i) === 40) {
    const ws = i + 1;
    const we = tokEnd(t, ws, e);
    b.bool(C.flag, eq(t, ws, we, 'grow'));
    const os = skipSp(t, we, e);
    const old = decU(t, os, dropLast(t, os, tokEnd(t, os, e), 41));
    if (old >= 0) b.num64(C.value, old);
  }
  return true;
}

function haltPollFields(r: FieldReader, b: EventBatchBuilder): void {
  const v = r.num('vcpu_id');
  if (v !== undefined) b.i32(C.vcpu, v);
  const nv = r.num('new');
  if (nv !== undefined) b.num64(C.wait_ns, nv);
  const g = r.num('grow');
  if (g !== undefined) b.bool(C.flag, g !== 0);
  const old = r.num('old');
  if (old !== undefined) b.num64(C.value, old);
}

/** KVM_EXIT_* by number (include/uapi/linux/kvm.h), the fallback when the file has no table. */
const KVM_EXITS = ['UNKNOWN', 'EXCEPTION', 'IO', 'HYPERCALL', 'DEBUG', 'HLT', 'MMIO', 'IRQ_WINDOW_OPEN', 'SHUTDOWN',
  'FAIL_ENTRY', 'INTR', 'SET_TPR', 'TPR_ACCESS', 'S390_SIEIC', 'S390_RESET', 'DCR', 'NMI', 'INTERNAL_ERROR', 'OSI',
  'PAPR_HCALL', 'S390_UCONTROL', 'WATCHDOG', 'S390_TSCH', 'EPR', 'SYSTEM_EVENT', 'S390_STSI', 'IOAPIC_EOI', 'HYPERV',
  'ARM_NISV', 'X86_RDMSR', 'X86_WRMSR', 'DIRTY_RING_FULL', 'AP_RESET_HOLD', 'X86_BUS_LOCK', 'XEN', 'RISCV_SBI',
  'RISCV_CSR', 'NOTIFY', 'LOONGARCH_IOCSR', 'MEMORY_FAULT'].map((n) => `KVM_EXIT_${n}`);

function makeUserspaceExit(): TracepointDecoder {
  const reason = new DictSetter(C.reason);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    const i = skipSp(t, s, e);
    if (!t.startsWith('reason ', i)) return false;
    const rs = skipSp(t, i + 7, e);
    const p = findLast(t, ' (', rs, e);
    if (p < 0 || t.charCodeAt(e - 1) !== 41) return false;
    const n = decU(t, p + 2, e - 1);
    if (n < 0 || p <= rs) return false;
    reason.set(b, t, rs, p);
    if (eq(t, rs, p, 'restart') || eq(t, rs, p, 'error')) b.i32(C.errno, -n);
    else b.num64(C.reason_code, n);
    return true;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const errno = r.num('errno');
    const code = r.num('reason');
    if (errno !== undefined) b.i32(C.errno, errno);
    if (errno !== undefined && errno < 0) {
      b.dict(C.reason, errno === -4 ? 'restart' : 'error');
    } else if (code !== undefined) {
      b.dict(C.reason, r.printTables('reason')[0]?.table.get(code) ?? KVM_EXITS[code] ?? String(code));
      b.num64(C.reason_code, code);
    }
  };
  return defineDecoder('kvm_userspace_exit', text, fields, ['reason']);
}

export function vcpuDecoders(): TracepointDecoder[] {
  return [
    defineDecoder('kvm_vcpu_wakeup', wakeupText, wakeupFields, ['ns']),
    defineDecoder('kvm_halt_poll_ns', haltPollText, haltPollFields, ['vcpu_id']),
    makeUserspaceExit(),
  ];
}
