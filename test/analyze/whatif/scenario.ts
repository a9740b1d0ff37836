// Small builders for hand-made what-if scenarios (not a test file: no ".test." in the name).
import type { ExitCategory, ModelExit, ModelInput, ModelIrq, ModelKick } from '../../../src/analyze/whatif/types.js';

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

export function input(parts: Partial<ModelInput>): ModelInput {
  return { exits: [], irqs: [], kicks: [], exitsTraced: true, postedEvidence: [], windowNs: { startNs: 0, endNs: 1_000_000 }, ...parts };
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
