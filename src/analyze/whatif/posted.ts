// Mechanism 1: posted-interrupt delivery (MODEL.md "Mechanism 1"). Pure: exit and irq columns +
// params in, the exits PI would remove (with the rule that removed each) out, by exit position.
import type { WhatifParams } from './params.js';
import { groupBy, orderByTime, VcpuIndex } from './order.js';
import { CATEGORY_CODE, EOI_LEVEL, EOI_UNKNOWN, EXIT_FLAG, NULL_I32, type ModelInput } from './types.js';

export type PiRule = 'interrupt_window' | 'eoi_edge' | 'injection_kick';
/** PiResult.rule values: 0 = kept, else 1 + index here. */
export const PI_RULES: readonly PiRule[] = ['interrupt_window', 'eoi_edge', 'injection_kick'];

export interface PiResult {
  /** false when the trace already shows posted delivery (then nothing is removed). */
  applies: boolean;
  alreadyPosted: boolean;
  /** What in the trace shows posted delivery (event names, exit reasons). */
  evidence: string[];
  /** Per exit position: 0 = kept, 1 + index in PI_RULES = removed by that rule. */
  rule: Uint8Array;
  /** Exit positions removed, in the order PI decided them (exit time order). */
  order: Int32Array;
  /** How many exits PI removes. */
  avoidedCount: number;
  /** Exits PI could touch at all: interrupt and eoi categories (the bound for `avoidedCount`). */
  eligible: number;
  /** Per rule: removed count. */
  byRule: Record<PiRule, number>;
  /** EOI exits kept because their vector is level-triggered (or unknown and eoiUnknownTrigger=level). */
  eoiKeptLevel: number;
  /** EOI exits whose trigger mode was unknown and assumed per the parameter. */
  eoiTriggerAssumed: number;
  /** EXTERNAL_INTERRUPT exits with no interrupt raised for the vCPU within kickWindowNs: host interrupts, kept. */
  externalKept: number;
  /** Interrupt/eoi exits left after PI (all of them when already posted), by reason. */
  residual: Record<string, number>;
}

/** Exit reasons whose presence proves APICv virtual-interrupt delivery (they exist only with it). */
export const POSTED_EXIT_REASONS: readonly string[] = ['EOI_INDUCED', 'APIC_WRITE'];

const RULE_IW = 1, RULE_EOI = 2, RULE_KICK = 3;

export function modelPostedInterrupts(inp: Pick<ModelInput, 'strings' | 'exits' | 'irqs'>, postedEvidence: readonly string[], p: WhatifParams): PiResult {
  const { exits, irqs, strings } = inp;
  const byRule: Record<PiRule, number> = { interrupt_window: 0, eoi_edge: 0, injection_kick: 0 };
  const rule = new Uint8Array(exits.length);
  const catInt = CATEGORY_CODE.interrupt, catEoi = CATEGORY_CODE.eoi;
  let nCand = 0;
  for (let i = 0; i < exits.length; i++) { const c = exits.category[i]!; if (c === catInt || c === catEoi) nCand++; }
  const candidatePos = new Int32Array(nCand);
  for (let i = 0, k = 0; i < exits.length; i++) { const c = exits.category[i]!; if (c === catInt || c === catEoi) candidatePos[k++] = i; }
  const alreadyPosted = postedEvidence.length > 0;
  const order: number[] = [];
  const res: PiResult = {
    applies: !alreadyPosted, alreadyPosted, evidence: [...postedEvidence], rule, order: new Int32Array(0), avoidedCount: 0, eligible: nCand,
    byRule, eoiKeptLevel: 0, eoiTriggerAssumed: 0, externalKept: 0, residual: {},
  };
  if (!alreadyPosted) {
    // Raise times per (vm, vcpu), ascending, for the injection-kick match.
    const keys = new VcpuIndex();
    const keyOf = new Int32Array(irqs.length);
    for (let i = 0; i < irqs.length; i++) {
      const v = irqs.targetVcpu[i]!;
      keyOf[i] = v === NULL_I32 ? -1 : keys.of(irqs.vm[i]!, v);
    }
    const g = groupBy(keyOf, keys.size);
    const raises = new Float64Array(g.pos.length);
    for (let k = 0; k < g.pos.length; k++) raises[k] = irqs.raiseNs[g.pos[k]!]!;
    for (let k = 0; k < keys.size; k++) raises.subarray(g.start[k]!, g.start[k + 1]!).sort();
    const cursor = g.start.slice(0, keys.size); // absolute index into `raises` per key
    const ordered = orderByTime(candidatePos, exits.exitNs, exits.id);
    const unknownIsLevel = p.eoiUnknownTrigger === 'level';
    for (let o = 0; o < ordered.length; o++) {
      const e = ordered[o]!;
      const flags = exits.flags[e]!;
      if (flags & EXIT_FLAG.INTERRUPT_WINDOW) {
        rule[e] = RULE_IW; order.push(e);
        continue;
      }
      if (exits.category[e] === catEoi) {
        const lv = exits.eoiLevel[e]!;
        const level = lv === EOI_UNKNOWN ? unknownIsLevel : lv === EOI_LEVEL;
        if (lv === EOI_UNKNOWN) res.eoiTriggerAssumed++;
        if (level) res.eoiKeptLevel++;
        else { rule[e] = RULE_EOI; order.push(e); }
        continue;
      }
      if (flags & EXIT_FLAG.EXTERNAL_INTERRUPT) {
        // Greedy earliest match: each raised interrupt explains at most one kick exit.
        const k = keys.get(exits.vm[e]!, exits.vcpu[e]!);
        if (k < 0) { res.externalKept++; continue; }
        const end = g.start[k + 1]!;
        const t = exits.exitNs[e]!;
        let i = cursor[k]!;
        while (i < end && raises[i]! < t - p.kickWindowNs) i++;
        if (i < end && raises[i]! <= t) {
          rule[e] = RULE_KICK; order.push(e);
          i++;
        } else {
          res.externalKept++;
        }
        cursor[k] = i;
      }
    }
    for (const e of order) byRule[PI_RULES[rule[e]! - 1]!]++;
  }
  res.order = Int32Array.from(order);
  res.avoidedCount = order.length;
  // per reason code, keys in first-seen order (as the object was filled row by row)
  const residual = new Map<number, number>();
  for (let k = 0; k < candidatePos.length; k++) {
    const e = candidatePos[k]!;
    if (rule[e]) continue;
    const r = exits.reason[e]!;
    residual.set(r, (residual.get(r) ?? 0) + 1);
  }
  for (const [r, n] of residual) res.residual[strings[r]!] = (res.residual[strings[r]!] ?? 0) + n;
  return res;
}
