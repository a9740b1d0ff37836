// Interrupt raise / accept / inject payloads (include/trace/events/kvm.h, arch/x86/kvm/trace.h).
//   kvm_set_irq:          gsi 11 level 0 source 0
//   kvm_msi_set_irq:      dst 1 vec 42 (Fixed|logical|edge)      6.x "dst %llx vec %u (%s|%s|%s%s)" ("|rh" suffix);
//                         3.x "dst %u vec %x": told apart only when a hex letter shows (see README)
//   kvm_ioapic_set_irq:   pin 11 dst 1 vec 43 (Fixed|logical|level|masked)[ (coalesced)]
//   kvm_pic_set_irq:      chip 1 pin 3 (edge|masked)[ (coalesced)]   gsi = chip * 8 + pin
//   kvm_apic_accept_irq / kvm_apicv_accept_irq:  apicid 0 vec 236 (Fixed|edge)[ (coalesced) on old kernels]
//   kvm_inj_virq:         <= 5.18 "irq 236" (decimal); >= 5.19 "IRQ 0xec", "Soft/INTn 0x80 [reinjected]" (hex)
//   kvm_eoi:              apicid 0 vector 43
//   kvm_apic_ipi:         dst 1 vec 236 (Fixed|physical|assert|edge|dst)
//   kvm_ack_irq:          irqchip IOAPIC pin 11   (irqchip "PIC master" holds a space)
import { C } from '../columns.js';
import type { EventBatchBuilder } from '../eventBatch.js';
import { DELIVERY_MODES, deliveryIndex, flagGroup, Read64, setIrqPart, type Halves } from './common.js';
import { defineDecoder } from './define.js';
import { DictSetter } from './intern.js';
import { decI, decU, eq, find, hexU, skipSp, tokEnd, trimEnd } from './scan.js';
import type { FieldReader, TracepointDecoder } from './types.js';

/** Walks "key value key value ..." tokens; `on` returns false for an unknown key (then skipped alone). */
function keyValues(t: string, s: number, e: number, on: (ks: number, ke: number, vs: number, ve: number) => boolean): number {
  let i = skipSp(t, s, e);
  while (i < e) {
    if (t.charCodeAt(i) === 40) return i; // the "(...)" flag group ends the key/value part
    const ke = tokEnd(t, i, e);
    const vs = skipSp(t, ke, e);
    const ve = tokEnd(t, vs, e);
    if (on(i, ke, vs, ve)) i = skipSp(t, ve, e);
    else i = vs;
  }
  return i;
}

function setIrqText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  let gsi = false;
  keyValues(t, s, e, (ks, ke, vs, ve) => {
    if (eq(t, ks, ke, 'gsi')) { const v = decU(t, vs, ve); if (v >= 0) { b.i32(C.gsi, v); gsi = true; } return true; }
    if (eq(t, ks, ke, 'level')) { const v = decI(t, vs, ve); if (v === v) b.i32(C.level, v); return true; }
    if (eq(t, ks, ke, 'source')) { const v = decI(t, vs, ve); if (v === v) b.i32(C.irq_source, v); return true; }
    return false;
  });
  return gsi;
}

function setIrqFields(r: FieldReader, b: EventBatchBuilder): void {
  const gsi = r.num('gsi');
  if (gsi !== undefined) b.i32(C.gsi, gsi);
  const level = r.num('level');
  if (level !== undefined) b.i32(C.level, level);
  const src = r.num('irq_source_id');
  if (src !== undefined) b.i32(C.irq_source, src);
}

/** Hex digits a-f in t[s, e) (a decimal reading would be wrong). */
function hasHexLetter(t: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i) | 32;
    if (c >= 97 && c <= 102) return true;
  }
  return false;
}

function makeMsi(): TracepointDecoder {
  const delivery = new DictSetter(C.delivery);
  const detail = new DictSetter(C.detail);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let dstS = -1, dstE = -1, vecS = -1, vecE = -1;
    const g = keyValues(t, s, e, (ks, ke, vs, ve) => {
      if (eq(t, ks, ke, 'dst')) { dstS = vs; dstE = ve; return true; }
      if (eq(t, ks, ke, 'vec')) { vecS = vs; vecE = ve; return true; }
      return false;
    });
    if (dstS < 0 || vecS < 0) return false;
    // 6.x prints dst in hex and vec in decimal; 3.x the other way round. Default to 6.x.
    const old = hasHexLetter(t, vecS, vecE) && !hasHexLetter(t, dstS, dstE);
    const dst = old ? decU(t, dstS, dstE) : hexU(t, dstS, dstE);
    const vec = old ? hexU(t, vecS, vecE) : decU(t, vecS, vecE);
    if (dst < 0 || vec < 0) return false;
    b.i32(C.apicid, dst);
    b.i32(C.vector, vec);
    flagGroup(t, g, e, (ps, pe, k) => {
      if (!setIrqPart(b, delivery, t, ps, pe) && k === 1) detail.set(b, t, ps, pe); // logical/physical
    });
    return true;
  };
  const h: Halves = { lo: 0, hi: 0 };
  const d: Halves = { lo: 0, hi: 0 };
  const r64 = new Read64();
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const a = r64.read(r, 'address', h);
    if (a) {
      b.halves64(C.gpa, a.lo, a.hi);
      // (u8)(address >> 12) | ((address >> 32) & 0xffffff00): extended destination ID
      b.i32(C.apicid, (((a.lo >>> 12) & 0xff) | (a.hi & 0xffffff00)) | 0);
      b.dict(C.detail, a.lo & 4 ? 'logical' : 'physical');
    }
    const dt = r64.read(r, 'data', d);
    if (dt) {
      b.halves64(C.value, dt.lo, dt.hi);
      b.i32(C.vector, dt.lo & 0xff);
      b.dict(C.delivery, DELIVERY_MODES[(dt.lo >>> 8) & 7]!);
      b.bool(C.trig_level, (dt.lo & 0x8000) !== 0);
    }
  };
  return defineDecoder('kvm_msi_set_irq', text, fields, ['address', 'data']);
}

/** " (coalesced)" after the flag group. */
function coalescedAfter(t: string, i: number, e: number): boolean {
  return i >= 0 && find(t, '(coalesced)', i, e) >= 0;
}

function ioapicDetail(logical: boolean, masked: boolean): string {
  return logical ? (masked ? 'logical|masked' : 'logical') : masked ? 'physical|masked' : 'physical';
}

function makeIoapic(): TracepointDecoder {
  const delivery = new DictSetter(C.delivery);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let pin = false;
    const g = keyValues(t, s, e, (ks, ke, vs, ve) => {
      if (eq(t, ks, ke, 'pin')) { const v = decU(t, vs, ve); if (v >= 0) { b.i32(C.gsi, v); pin = true; } return true; }
      if (eq(t, ks, ke, 'dst')) { const v = hexU(t, vs, ve); if (v >= 0) b.i32(C.apicid, v); return true; }
      if (eq(t, ks, ke, 'vec')) { const v = decU(t, vs, ve); if (v >= 0) b.i32(C.vector, v); return true; }
      return false;
    });
    if (!pin) return false;
    // detail keeps the destination mode and "masked": "logical|masked"
    let logical = -1, masked = false;
    const after = flagGroup(t, g, e, (ps, pe) => {
      if (setIrqPart(b, delivery, t, ps, pe)) return;
      if (eq(t, ps, pe, 'logical')) logical = 1;
      else if (eq(t, ps, pe, 'physical')) logical = 0;
      else if (eq(t, ps, pe, 'masked')) masked = true;
    });
    if (logical >= 0) b.dict(C.detail, ioapicDetail(logical === 1, masked));
    b.bool(C.flag, coalescedAfter(t, after, e));
    return true;
  };
  const h: Halves = { lo: 0, hi: 0 };
  const r64 = new Read64();
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const pin = r.num('pin');
    if (pin !== undefined) b.i32(C.gsi, pin);
    const x = r64.read(r, 'e', h);
    if (x) {
      b.i32(C.apicid, x.hi >>> 24);
      b.i32(C.vector, x.lo & 0xff);
      b.dict(C.delivery, DELIVERY_MODES[(x.lo >>> 8) & 7]!);
      b.bool(C.trig_level, (x.lo & 0x8000) !== 0);
      b.dict(C.detail, ioapicDetail((x.lo & 0x800) !== 0, (x.lo & 0x10000) !== 0));
    }
    const co = r.num('coalesced');
    if (co !== undefined) b.bool(C.flag, co !== 0);
  };
  return defineDecoder('kvm_ioapic_set_irq', text, fields, ['e', 'pin']);
}

function makePic(): TracepointDecoder {
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let chip = -1, pin = -1;
    const g = keyValues(t, s, e, (ks, ke, vs, ve) => {
      if (eq(t, ks, ke, 'chip')) { chip = decU(t, vs, ve); return true; }
      if (eq(t, ks, ke, 'pin')) { pin = decU(t, vs, ve); return true; }
      return false;
    });
    if (chip < 0 || pin < 0) return false;
    b.i32(C.gsi, chip * 8 + pin);
    let masked = false;
    const after = flagGroup(t, g, e, (ps, pe) => {
      if (eq(t, ps, pe, 'edge')) b.bool(C.trig_level, false);
      else if (eq(t, ps, pe, 'level')) b.bool(C.trig_level, true);
      else if (eq(t, ps, pe, 'masked')) masked = true;
    });
    if (masked) b.dict(C.detail, 'masked');
    b.bool(C.flag, coalescedAfter(t, after, e));
    return true;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const chip = r.num('chip');
    const pin = r.num('pin');
    if (chip !== undefined && pin !== undefined) b.i32(C.gsi, chip * 8 + pin);
    const elcr = r.num('elcr');
    const imr = r.num('imr');
    if (elcr !== undefined && pin !== undefined) b.bool(C.trig_level, (elcr & (1 << pin)) !== 0);
    if (imr !== undefined && pin !== undefined && imr & (1 << pin)) b.dict(C.detail, 'masked');
    const co = r.num('coalesced');
    if (co !== undefined) b.bool(C.flag, co !== 0);
  };
  return defineDecoder('kvm_pic_set_irq', text, fields, ['chip', 'pin']);
}

function makeAcceptIrq(name: string): TracepointDecoder {
  const delivery = new DictSetter(C.delivery);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let i = skipSp(t, s, e);
    if (!t.startsWith('apicid ', i)) return false;
    i = skipSp(t, i + 7, e);
    let ie = tokEnd(t, i, e);
    const apicid = hexU(t, i, ie);
    if (apicid < 0) return false;
    b.i32(C.apicid, apicid);
    i = skipSp(t, ie, e);
    if (!t.startsWith('vec ', i)) return false;
    i = skipSp(t, i + 4, e);
    ie = tokEnd(t, i, e);
    const vec = decU(t, i, ie);
    if (vec < 0) return false;
    b.i32(C.vector, vec);
    const after = flagGroup(t, skipSp(t, ie, e), e, (ps, pe) => { setIrqPart(b, delivery, t, ps, pe); });
    if (coalescedAfter(t, after, e)) b.bool(C.flag, true);
    return true;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const apicid = r.num('apicid');
    if (apicid !== undefined) b.i32(C.apicid, apicid);
    const vec = r.num('vec');
    if (vec !== undefined) b.i32(C.vector, vec);
    const dm = r.num('dm');
    if (dm !== undefined) b.dict(C.delivery, DELIVERY_MODES[(dm >>> 8) & 7]!);
    const tm = r.num('tm');
    if (tm !== undefined) b.bool(C.trig_level, tm !== 0);
    const co = r.num('coalesced');
    if (co !== undefined) b.bool(C.flag, co !== 0);
  };
  return defineDecoder(name, text, fields, ['vec']);
}

function injVirqText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  const i = skipSp(t, s, e);
  const ke = tokEnd(t, i, e);
  const vs = skipSp(t, ke, e);
  const ve = tokEnd(t, vs, e);
  let vec: number;
  if (eq(t, i, ke, 'irq')) {
    vec = decU(t, vs, ve); // <= 5.18: decimal
    if (vec < 0) return false;
  } else if (eq(t, i, ke, 'IRQ') || eq(t, i, ke, 'Soft/INTn')) {
    vec = hexU(t, vs, ve); // >= 5.19: hex
    if (vec < 0) return false;
    b.bool(C.flag, t.charCodeAt(i) === 83);
    if (find(t, '[reinjected]', ve, e) >= 0) b.dict(C.detail, 'reinjected');
  } else return false;
  b.i32(C.vector, vec);
  return true;
}

function injVirqFields(r: FieldReader, b: EventBatchBuilder): void {
  const v = r.num('vector') ?? r.num('irq');
  if (v !== undefined) b.i32(C.vector, v);
  const soft = r.num('soft');
  if (soft !== undefined) b.bool(C.flag, soft !== 0);
  if (r.num('reinjected')) b.dict(C.detail, 'reinjected');
}

function eoiText(t: string, s: number, e: number, b: EventBatchBuilder): boolean {
  e = trimEnd(t, s, e);
  let apic = false, vec = false;
  keyValues(t, s, e, (ks, ke, vs, ve) => {
    if (eq(t, ks, ke, 'apicid')) { const v = hexU(t, vs, ve); if (v >= 0) { b.i32(C.apicid, v); apic = true; } return true; }
    if (eq(t, ks, ke, 'vector')) { const v = decI(t, vs, ve); if (v === v) { b.i32(C.vector, v); vec = true; } return true; }
    return false;
  });
  return apic && vec;
}

function eoiFields(r: FieldReader, b: EventBatchBuilder): void {
  const a = r.num('apicid');
  if (a !== undefined) b.i32(C.apicid, a);
  const v = r.num('vector');
  if (v !== undefined) b.i32(C.vector, v);
}

const SHORTHANDS = ['dst', 'self', 'all', 'all-but-self'];

function makeApicIpi(): TracepointDecoder {
  const delivery = new DictSetter(C.delivery);
  const detail = new DictSetter(C.detail);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    let dst = -1, vec = -1;
    const g = keyValues(t, s, e, (ks, ke, vs, ve) => {
      if (eq(t, ks, ke, 'dst')) { dst = hexU(t, vs, ve); return true; }
      if (eq(t, ks, ke, 'vec')) { vec = decU(t, vs, ve); return true; }
      return false;
    });
    if (dst < 0 || vec < 0) return false;
    b.i32(C.apicid, dst);
    b.i32(C.vector, vec);
    // icr_low rebuilt from the printed parts: vec | dm << 8 | logical << 11 | assert << 14 | level << 15 | shorthand << 18
    let icr = vec & 0xff;
    flagGroup(t, g, e, (ps, pe, k) => {
      if (k === 0) { const dm = deliveryIndex(t, ps, pe); if (dm >= 0) { icr |= dm << 8; delivery.set(b, t, ps, pe); } }
      else if (k === 1) { if (eq(t, ps, pe, 'logical')) icr |= 1 << 11; }
      else if (k === 2) { if (eq(t, ps, pe, 'assert')) icr |= 1 << 14; }
      else if (k === 3) { const lv = eq(t, ps, pe, 'level'); b.bool(C.trig_level, lv); if (lv) icr |= 1 << 15; }
      else if (k === 4) {
        for (let j = 0; j < SHORTHANDS.length; j++) if (eq(t, ps, pe, SHORTHANDS[j]!)) icr |= j << 18;
        detail.set(b, t, ps, pe);
      }
    });
    b.num64(C.info1, icr >>> 0);
    return true;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const icr = r.num('icr_low');
    const dest = r.num('dest_id');
    if (dest !== undefined) b.i32(C.apicid, dest);
    if (icr !== undefined) {
      b.num64(C.info1, icr >>> 0);
      b.i32(C.vector, icr & 0xff);
      b.dict(C.delivery, DELIVERY_MODES[(icr >>> 8) & 7]!);
      b.bool(C.trig_level, (icr & 0x8000) !== 0);
      b.dict(C.detail, SHORTHANDS[(icr >>> 18) & 3]!);
    }
  };
  return defineDecoder('kvm_apic_ipi', text, fields, ['icr_low']);
}

const IRQCHIPS = ['PIC master', 'PIC slave', 'IOAPIC'];

function makeAckIrq(): TracepointDecoder {
  const detail = new DictSetter(C.detail);
  const text = (t: string, s: number, e: number, b: EventBatchBuilder): boolean => {
    e = trimEnd(t, s, e);
    const i = skipSp(t, s, e);
    if (!t.startsWith('irqchip ', i)) return false;
    const cs = i + 8;
    const p = find(t, ' pin ', cs, e);
    if (p < 0) return false;
    const pin = decU(t, p + 5, tokEnd(t, p + 5, e));
    if (pin < 0) return false;
    detail.set(b, t, cs, p);
    b.i32(C.gsi, pin);
    return true;
  };
  const fields = (r: FieldReader, b: EventBatchBuilder): void => {
    const chip = r.num('irqchip');
    if (chip !== undefined) b.dict(C.detail, r.printTables('irqchip')[0]?.table.get(chip) ?? IRQCHIPS[chip] ?? String(chip));
    const pin = r.num('pin');
    if (pin !== undefined) b.i32(C.gsi, pin);
  };
  return defineDecoder('kvm_ack_irq', text, fields, ['pin']);
}

export function irqDecoders(): TracepointDecoder[] {
  return [
    defineDecoder('kvm_set_irq', setIrqText, setIrqFields, ['gsi']),
    makeMsi(),
    makeIoapic(),
    makePic(),
    makeAcceptIrq('kvm_apic_accept_irq'),
    makeAcceptIrq('kvm_apicv_accept_irq'),
    defineDecoder('kvm_inj_virq', injVirqText, injVirqFields),
    defineDecoder('kvm_eoi', eoiText, eoiFields, ['vector']),
    makeApicIpi(),
    makeAckIrq(),
  ];
}
