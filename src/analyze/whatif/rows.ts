// Row objects -> the model's columnar input (types.ts). For hand-made scenarios and tests, and any
// small input written by hand; the trace path builds columns directly (fromAnalysis.ts). Pure.
import {
  CATEGORY_CODE, EOI_EDGE, EOI_LEVEL, EOI_UNKNOWN, EXIT_FLAG, IRQ_KINDS, NULL_I32, STATE_CODE,
  type ExitCategory, type ExitColumns, type IrqColumns, type IrqKind, type KickColumns, type ModelInput, type VcpuState,
} from './types.js';

/** One VM exit paired with its re-entry, as a row. */
export interface ModelExit {
  id: number;
  vm: string;
  vcpu: number;
  exitNs: number;
  /** null when the pair is broken. */
  entryNs: number | null;
  reason: string;
  category: ExitCategory;
  device: string | null;
  interruptWindow: boolean;
  externalInterrupt: boolean;
  /** Not used by the model (kept so hand-made rows can say it). */
  eoiVector?: number | null;
  /** For eoi exits: whether the vector was level-triggered; null = unknown. */
  eoiLevel: boolean | null;
  broken: boolean;
}

export interface ModelIrq {
  id: number;
  vm: string;
  targetVcpu: number | null;
  raiseNs: number;
  deliveryNs: number | null;
  kind: IrqKind;
  vector: number | null;
  state: VcpuState;
}

export interface ModelKick {
  id: number;
  vm: string;
  vcpu: number | null;
  tsNs: number;
  device: string;
  exitId: number | null;
}

/** ModelInput with row arrays instead of columns (and no string table). */
export type ModelRowsInput = Omit<ModelInput, 'strings' | 'exits' | 'irqs' | 'kicks'> & { exits: ModelExit[]; irqs: ModelIrq[]; kicks: ModelKick[] };

/** String -> code in a growing table (unique entries). */
export class StringTable {
  readonly strings: string[] = [];
  private readonly codes = new Map<string, number>();
  constructor(initial: readonly string[] = []) {
    for (const s of initial) this.code(s);
  }
  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) { c = this.strings.length; this.strings.push(s); this.codes.set(s, c); }
    return c;
  }
}

/** Ids as a column: null when every id is its position; throws on a repeated or non-int32 id. */
function idColumn(rows: readonly { id: number }[], what: string): Int32Array | null {
  let identity = true;
  const seen = new Set<number>();
  for (let i = 0; i < rows.length; i++) {
    const id = rows[i]!.id;
    if (!Number.isInteger(id) || id < NULL_I32 + 1 || id > 2 ** 31 - 1) throw new Error(`${what} ${i}: id ${id} is not a 32-bit integer`);
    if (seen.has(id)) throw new Error(`${what} ${i}: id ${id} repeats (ids must be unique)`);
    seen.add(id);
    if (id !== i) identity = false;
  }
  return identity ? null : Int32Array.from(rows, (r) => r.id);
}

const i32OrNull = (v: number | null): number => (v === null ? NULL_I32 : v);
const f64OrNull = (v: number | null): number => (v === null ? Number.NaN : v);

export function exitColumns(rows: readonly ModelExit[], st: StringTable): ExitColumns {
  const n = rows.length;
  const c: ExitColumns = {
    length: n, id: idColumn(rows, 'exit'), vm: new Int32Array(n), vcpu: new Int32Array(n), exitNs: new Float64Array(n), entryNs: new Float64Array(n),
    reason: new Int32Array(n), category: new Uint8Array(n), device: new Int32Array(n), flags: new Uint8Array(n), eoiLevel: new Uint8Array(n),
  };
  rows.forEach((e, i) => {
    c.vm[i] = st.code(e.vm);
    c.vcpu[i] = e.vcpu;
    c.exitNs[i] = e.exitNs;
    c.entryNs[i] = f64OrNull(e.entryNs);
    c.reason[i] = st.code(e.reason);
    c.category[i] = CATEGORY_CODE[e.category];
    c.device[i] = e.device === null ? -1 : st.code(e.device);
    c.flags[i] = (e.interruptWindow ? EXIT_FLAG.INTERRUPT_WINDOW : 0) | (e.externalInterrupt ? EXIT_FLAG.EXTERNAL_INTERRUPT : 0) | (e.broken ? EXIT_FLAG.BROKEN : 0);
    c.eoiLevel[i] = e.eoiLevel === null ? EOI_UNKNOWN : e.eoiLevel ? EOI_LEVEL : EOI_EDGE;
  });
  return c;
}

export function irqColumns(rows: readonly ModelIrq[], st: StringTable): IrqColumns {
  const n = rows.length;
  const c: IrqColumns = {
    length: n, id: idColumn(rows, 'irq'), vm: new Int32Array(n), targetVcpu: new Int32Array(n), raiseNs: new Float64Array(n),
    deliveryNs: new Float64Array(n), kind: new Uint8Array(n), vector: new Int32Array(n), state: new Uint8Array(n),
  };
  rows.forEach((q, i) => {
    c.vm[i] = st.code(q.vm);
    c.targetVcpu[i] = i32OrNull(q.targetVcpu);
    c.raiseNs[i] = q.raiseNs;
    c.deliveryNs[i] = f64OrNull(q.deliveryNs);
    c.kind[i] = IRQ_KINDS.indexOf(q.kind);
    c.vector[i] = i32OrNull(q.vector);
    c.state[i] = STATE_CODE[q.state];
  });
  return c;
}

export function kickColumns(rows: readonly ModelKick[], st: StringTable): KickColumns {
  const n = rows.length;
  const c: KickColumns = {
    length: n, id: idColumn(rows, 'kick'), vm: new Int32Array(n), vcpu: new Int32Array(n), tsNs: new Float64Array(n),
    device: new Int32Array(n), exitId: new Int32Array(n),
  };
  rows.forEach((k, i) => {
    c.vm[i] = st.code(k.vm);
    c.vcpu[i] = i32OrNull(k.vcpu);
    c.tsNs[i] = k.tsNs;
    c.device[i] = st.code(k.device);
    c.exitId[i] = i32OrNull(k.exitId);
  });
  return c;
}

/** Row objects -> the columnar ModelInput (one string table for all columns). */
export function modelInputFromRows(r: ModelRowsInput): ModelInput {
  const st = new StringTable();
  const { exits, irqs, kicks, ...rest } = r;
  return { ...rest, exits: exitColumns(exits, st), irqs: irqColumns(irqs, st), kicks: kickColumns(kicks, st), strings: st.strings };
}
