// Mechanism 1: posted-interrupt delivery (MODEL.md "Mechanism 1"). Pure: exits + irqs + params in,
// the set of exits PI would remove (with the rule that removed each) out.
import type { WhatifParams } from './params.js';
import { orderByTime, VcpuIndex } from './order.js';
import type { ModelExit, ModelIrq } from './types.js';

export type PiRule = 'interrupt_window' | 'eoi_edge' | 'injection_kick';

export interface PiResult {
  /** false when the trace already shows posted delivery (then nothing is removed). */
  applies: boolean;
  alreadyPosted: boolean;
  /** What in the trace shows posted delivery (event names, exit reasons). */
  evidence: string[];
  /** exit id -> rule that removes it. */
  avoided: Map<number, PiRule>;
  /** Exits PI could touch at all: interrupt and eoi categories (the bound for `avoided`). */
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

export function modelPostedInterrupts(exits: readonly ModelExit[], irqs: readonly ModelIrq[], postedEvidence: readonly string[], p: WhatifParams): PiResult {
  const byRule: Record<PiRule, number> = { interrupt_window: 0, eoi_edge: 0, injection_kick: 0 };
  const avoided = new Map<number, PiRule>();
  const candidatePos: number[] = [];
  for (let i = 0; i < exits.length; i++) if (exits[i]!.category === 'interrupt' || exits[i]!.category === 'eoi') candidatePos.push(i);
  const candidates = candidatePos.map((i) => exits[i]!);
  const alreadyPosted = postedEvidence.length > 0;
  const res: PiResult = {
    applies: !alreadyPosted, alreadyPosted, evidence: [...postedEvidence], avoided, eligible: candidates.length,
    byRule, eoiKeptLevel: 0, eoiTriggerAssumed: 0, externalKept: 0, residual: {},
  };
  if (!alreadyPosted) {
    // Raise times per (vm, vcpu), ascending, for the injection-kick match.
    const keys = new VcpuIndex();
    const raises: number[][] = [];
    for (const q of irqs) {
      if (q.targetVcpu === null) continue;
      (raises[keys.of(q.vm, q.targetVcpu)] ??= []).push(q.raiseNs);
    }
    for (const a of raises) a.sort((x, y) => x - y);
    const cursor: number[] = [];
    const ordered = orderByTime(exits, candidatePos, (e) => e.exitNs);
    for (let o = 0; o < ordered.length; o++) {
      const e = exits[ordered[o]!]!;
      if (e.interruptWindow) {
        avoided.set(e.id, 'interrupt_window');
        continue;
      }
      if (e.category === 'eoi') {
        const level = e.eoiLevel ?? (p.eoiUnknownTrigger === 'level');
        if (e.eoiLevel === null) res.eoiTriggerAssumed++;
        if (level) res.eoiKeptLevel++;
        else avoided.set(e.id, 'eoi_edge');
        continue;
      }
      if (e.externalInterrupt) {
        // Greedy earliest match: each raised interrupt explains at most one kick exit.
        const k = keys.get(e.vm, e.vcpu);
        const a = (k >= 0 ? raises[k] : undefined) ?? [];
        let i = cursor[k] ?? 0;
        while (i < a.length && a[i]! < e.exitNs - p.kickWindowNs) i++;
        if (i < a.length && a[i]! <= e.exitNs) {
          avoided.set(e.id, 'injection_kick');
          i++;
        } else {
          res.externalKept++;
        }
        if (k >= 0) cursor[k] = i;
      }
    }
    for (const r of avoided.values()) byRule[r]++;
  }
  for (const e of candidates) {
    if (avoided.has(e.id)) continue;
    res.residual[e.reason] = (res.residual[e.reason] ?? 0) + 1;
  }
  return res;
}
