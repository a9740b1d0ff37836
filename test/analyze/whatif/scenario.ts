// Small builders for hand-made what-if scenarios (not a test file: no ".test." in the name). Rows
// are written as objects and turned into the model's columnar input by modelInputFromRows.
import type { HybridResult } from '../../../src/analyze/whatif/hybrid.js';
import { KICK_FLAG } from '../../../src/analyze/whatif/hybrid.js';
import { PI_RULES, type PiResult, type PiRule } from '../../../src/analyze/whatif/posted.js';
import { modelInputFromRows, type ModelExit, type ModelIrq, type ModelKick, type ModelRowsInput } from '../../../src/analyze/whatif/rows.js';
import { idAt, type ExitCategory, type ModelInput } from '../../../src/analyze/whatif/types.js';

export function exit(id: number, vcpu: number, exitNs: number, entryNs: number | null, reason: string, category: ExitCategory, extra: Partial<ModelExit> = {}): ModelExit {
  return {
    id, vm: 'vm1', vcpu, exitNs, entryNs, reason, category, device: null,
    interruptWindow: reason === 'INTERRUPT_WINDOW', externalInterrupt: reason === 'EXTERNAL_INTERRUPT',
    eoiVector: null, eoiLevel: null, broken: false, ...extra,
  };
}

export function irq(id: number, target: number | null, raiseNs: number, deliveryNs: number | null, kind: ModelIrq['kind'] = 'device', extra: Partial<ModelIrq> = {}): ModelIrq {
  return { id, vm: 'vm1', targetVcpu: target, raiseNs, deliveryNs, kind, vector: 33, state: 'unknown', ...extra };
}

export function kick(id: number, tsNs: number, device = 'mmio:0xfe003000', exitId: number | null = null, extra: Partial<ModelKick> = {}): ModelKick {
  return { id, vm: 'vm1', vcpu: 0, tsNs, device, exitId, ...extra };
}

/** A scenario as rows (defaults: exits traced, no posted evidence, a 1 ms window). */
export function rows(parts: Partial<ModelRowsInput>): ModelRowsInput {
  return { exits: [], irqs: [], kicks: [], exitsTraced: true, postedEvidence: [], windowNs: { startNs: 0, endNs: 1_000_000 }, ...parts };
}

/** A scenario as the model's columnar input. */
export function input(parts: Partial<ModelRowsInput>): ModelInput {
  return modelInputFromRows(rows(parts));
}

/** PI's removed exits as (exit id, rule), in the order PI decided them. */
export function piAvoided(inp: ModelInput, r: PiResult): [number, PiRule][] {
  return Array.from(r.order, (pos) => [idAt(inp.exits, pos), PI_RULES[r.rule[pos]! - 1]!]);
}

/** Hybrid decisions as rows in kick order (position). */
export function kickDecisions(inp: ModelInput, r: HybridResult): { kickId: number; avoided: boolean; enteredPoll: boolean }[] {
  return Array.from(r.kickFlags, (f, pos) => ({ kickId: idAt(inp.kicks, pos), avoided: (f & KICK_FLAG.AVOIDED) !== 0, enteredPoll: (f & KICK_FLAG.ENTERED_POLL) !== 0 }));
}

/** Seeded PRNG (mulberry32) so property tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
