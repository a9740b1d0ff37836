// Helpers shared by several decoders: exact 64-bit field reads, interrupt delivery-mode names,
// and the "(Fixed|logical|edge)" flag group that KVM's irq tracepoints print.
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import type { DictSetter } from './intern.js';
import { eq, findChar } from './scan.js';
import type { FieldReader } from './types.js';

/** kvm_deliver_mode in arch/x86/kvm/trace.h / include/trace/events/kvm.h, by (dm >> 8) & 7. */
export const DELIVERY_MODES = ['Fixed', 'LowPrio', 'SMI', 'Res3', 'NMI', 'INIT', 'SIPI', 'ExtINT'] as const;

/** A u64 field as two 32-bit halves, exact (FieldReader.num is exact only below 2^53). */
export interface Halves { lo: number; hi: number }

/** Captures what FieldReader.set64 writes, without a real builder row. One per decoder. */
export class Read64 {
  private lo = 0;
  private hi = 0;
  private readonly sink = {
    halves64: (_c: number, lo: number, hi: number) => { this.lo = lo >>> 0; this.hi = hi >>> 0; },
    big64: (_c: number, v: bigint) => {
      const u = BigInt.asUintN(64, v);
      this.lo = Number(u & 0xffffffffn);
      this.hi = Number(u >> 32n);
    },
    num64: (_c: number, v: number) => { this.lo = v % 4294967296; this.hi = Math.floor(v / 4294967296); },
  } as unknown as EventBatchBuilder;

  /** The field's value, or undefined when absent. The returned object is reused by the next call. */
  read(r: FieldReader, field: string, out: Halves): Halves | undefined {
    if (!r.set64(field, 0, this.sink)) return undefined;
    out.lo = this.lo;
    out.hi = this.hi;
    return out;
  }
}

/** Index of a delivery-mode name in t[s, e), or -1. */
export function deliveryIndex(t: string, s: number, e: number): number {
  for (let k = 0; k < DELIVERY_MODES.length; k++) if (eq(t, s, e, DELIVERY_MODES[k]!)) return k;
  return -1;
}

/**
 * Reads a "(A|B|C...)" group starting at t[s] === '(' and calls back per part; returns the index
 * after ')' or -1 when there is no ')'.
 */
export function flagGroup(t: string, s: number, e: number, part: (ps: number, pe: number, k: number) => void): number {
  if (t.charCodeAt(s) !== 40) return -1;
  const close = findChar(t, 41, s, e);
  if (close < 0) return -1;
  let ps = s + 1;
  let k = 0;
  for (let i = ps; i <= close; i++) {
    const c = t.charCodeAt(i);
    if (c === 124 || i === close) {
      part(ps, i, k++);
      ps = i + 1;
    }
  }
  return close + 1;
}

/** Sets delivery / trig_level from one flag-group part when it is a delivery mode or edge/level. */
export function setIrqPart(b: EventBatchBuilder, delivery: DictSetter, t: string, ps: number, pe: number): boolean {
  if (eq(t, ps, pe, 'edge')) { b.bool(C.trig_level, false); return true; }
  if (eq(t, ps, pe, 'level')) { b.bool(C.trig_level, true); return true; }
  if (deliveryIndex(t, ps, pe) >= 0) { delivery.set(b, t, ps, pe); return true; }
  return false;
}
