// The adapter from the analyzer's result, on a real trace (hip24/exits-6.5-tsc2nsec-trace.dat:
// 22,772 kvm_exit incl. EPT_MISCONFIG 983, IO_INSTRUCTION 84, EOI_INDUCED 61, APIC_WRITE 8251;
// no kvm_mmio/kvm_pio, no interrupt events). Skips when the shared traces are absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAnalyzer } from '../../../src/analyze/analyzer.js';
import { modelInputFromAnalysis } from '../../../src/analyze/whatif/fromAnalysis.js';
import { runWhatif } from '../../../src/analyze/whatif/model.js';
import { readEvents } from '../../../src/cli/pipeline.js';

const TRACE = resolve(import.meta.dirname, '../../../../shared/traces/hip24/exits-6.5-tsc2nsec-trace.dat');

async function analyse(path: string) {
  const an = createAnalyzer();
  await readEvents(path, (b) => an.push(b));
  return an.finish(null);
}

test('exits-only trace: APICv shown by EOI_INDUCED/APIC_WRITE exits, io_request exits stand for kicks, EHT agrees with the analyzer', async (t) => {
  if (!existsSync(TRACE)) { t.skip(`real trace missing: ${TRACE}`); return; }
  const a = await analyse(TRACE);
  const input = modelInputFromAnalysis(a);
  assert.equal(input.exitsTraced, true);
  assert.ok(input.postedEvidence.some((e) => e.startsWith('61 EOI_INDUCED')), input.postedEvidence.join('; '));
  assert.ok(input.postedEvidence.some((e) => e.startsWith('8251 APIC_WRITE')), input.postedEvidence.join('; '));
  assert.equal(input.kicksFromExits, true);
  assert.equal(input.kicks.length, 983 + 84);
  assert.equal(input.irqs.length, 0);
  const r = runWhatif(input);
  assert.equal(r.pi!.alreadyPosted, true);
  assert.equal(r.pi!.avoidedCount, 0);
  assert.equal(r.pi!.residual.EOI_INDUCED, 61);
  // The model takes G/H/Hh from the analyzer (it also drops guest intervals spanning lost events),
  // so its baseline EHT is the analyzer's, and its own exit-derived H/Hh agree exactly.
  const g = r.vcpus.reduce((s, v) => s + v.gNs, 0);
  const h = r.vcpus.reduce((s, v) => s + v.hNs, 0);
  const hh = r.vcpus.reduce((s, v) => s + v.hhNs, 0);
  const tot = a.eht.total!;
  assert.deepEqual({ g, h, hh }, { g: tot.guestNs, h: tot.handlingNs, hh: tot.haltNs });
  assert.equal(r.stages[0]!.eht!.busy, tot.ehtBusy);
  const own = runWhatif({ ...input, accounts: undefined });
  assert.equal(own.vcpus.reduce((s, v) => s + v.hNs, 0), tot.handlingNs);
  assert.equal(own.vcpus.reduce((s, v) => s + v.hhNs, 0), tot.haltNs);
  const st = r.stages;
  assert.ok(st.at(-1)!.exitsAvoided > 0 && st.at(-1)!.eht!.busy! < st[0]!.eht!.busy!);
});
