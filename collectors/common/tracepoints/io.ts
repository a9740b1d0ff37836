// I/O exits' payloads: kvm_pio, kvm_mmio, kvm_fast_mmio (arch/x86/kvm/trace.h, include/trace/events/kvm.h).
//   kvm_pio:       pio_read at 0x5658 size 4 count 1 val 0x4       ("pio_%s at 0x%x size %d count %d val 0x%x %s";
//                  trailing space, or "(...)" when count > 1; pre-4.x kernels have no val)
//   kvm_mmio:      mmio write len 4 gpa 0xfec00000 val 0x26         ("mmio %s len %u gpa 0x%llx val 0x%llx")
//   kvm_fast_mmio: fast mmio at gpa 0x800007004                     ("fast mmio at gpa 0x%llx"; the virtio kick)
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import { defineDecoder } from './define.js';
import { DictSetter } from './intern.js';
import { decU, eq, find, hexU, skipSp, tokEnd, trimEnd } from './scan.js';
import type { FieldReader, TracepointDecoder } from './types.js';

function pioText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  let i = skipSp(t, s, e);
  if (!t.startsWith('pio_', i)) return false;
  const dir = t.charCodeAt(i + 4);
  if (dir !== 119 && dir !== 114) return false; // write / read
  b.bool(C.write, dir === 119);
  i = skipSp(t, tokEnd(t, i, e), e);
  let port = false;
  while (i < e) {
    const ke = tokEnd(t, i, e);
    const vs = skipSp(t, ke, e);
    const ve = tokEnd(t, vs, e);
    if (eq(t, i, ke, 'at')) {
      const v = hexU(t, vs, ve);
      if (v < 0) return false;
      b.i32(C.port, v);
      port = true;
    } else if (eq(t, i, ke, 'size')) {
      const v = decU(t, vs, ve);
      if (v >= 0) b.i32(C.len, v);
    } else if (eq(t, i, ke, 'count')) {
      const v = decU(t, vs, ve);
      if (v >= 0) b.i32(C.count, v);
    } else if (eq(t, i, ke, 'val')) {
      b.hex64(C.value, t, vs, ve);
    } else {
      i = vs; // "(...)" and anything newer
      continue;
    }
    i = skipSp(t, ve, e);
  }
  return port;
}

function pioFields(r: FieldReader, b: EventBatchBuilder): void {
  const rw = r.num('rw');
  if (rw !== undefined) b.bool(C.write, rw !== 0);
  const port = r.num('port');
  if (port !== undefined) b.i32(C.port, port);
  const size = r.num('size');
  if (size !== undefined) b.i32(C.len, size);
  const count = r.num('count');
  if (count !== undefined) b.i32(C.count, count);
  r.set64('val', C.value, b);
}

const MMIO_TYPES = ['unsatisfied-read', 'read', 'write'];

function makeMmio(): TracepointDecoder {
  const detail = new DictSetter(C.detail);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let i = skipSp(t, s, e);
    if (!t.startsWith('mmio ', i)) return false;
    i = skipSp(t, i + 5, e);
    const te = tokEnd(t, i, e);
    detail.set(b, t, i, te);
    b.bool(C.write, eq(t, i, te, 'write'));
    i = skipSp(t, te, e);
    let gpa = false;
    while (i < e) {
      const ke = tokEnd(t, i, e);
      const vs = skipSp(t, ke, e);
      const ve = tokEnd(t, vs, e);
      if (eq(t, i, ke, 'len')) {
        const v = decU(t, vs, ve);
        if (v >= 0) b.i32(C.len, v);
      } else if (eq(t, i, ke, 'gpa')) {
        gpa = b.hex64(C.gpa, t, vs, ve);
      } else if (eq(t, i, ke, 'val')) {
        b.hex64(C.value, t, vs, ve);
      } else {
        i = vs;
        continue;
      }
      i = skipSp(t, ve, e);
    }
    return gpa;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const type = r.num('type');
    if (type !== undefined) {
      const name = r.printTables('type')[0]?.table.get(type) ?? MMIO_TYPES[type] ?? String(type);
      b.dict(C.detail, name);
      b.bool(C.write, name === 'write');
    }
    const len = r.num('len');
    if (len !== undefined) b.i32(C.len, len);
    r.set64('gpa', C.gpa, b);
    r.set64('val', C.value, b);
  };
  return defineDecoder('kvm_mmio', text, fields, ['gpa']);
}

function fastMmioText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  const g = find(t, 'gpa ', s, e);
  if (g < 0) return false;
  const vs = skipSp(t, g + 4, e);
  return b.hex64(C.gpa, t, vs, tokEnd(t, vs, e));
}

function fastMmioFields(r: FieldReader, b: EventBatchBuilder): void {
  r.set64('gpa', C.gpa, b);
}

export function ioDecoders(): TracepointDecoder[] {
  return [
    defineDecoder('kvm_pio', pioText, pioFields, ['port']),
    makeMmio(),
    defineDecoder('kvm_fast_mmio', fastMmioText, fastMmioFields, ['gpa']),
  ];
}
