// The analyzer on the real traces in /work/shared/traces (never copied into the project):
// exit counts per reason from traces/README.md, and the vhost-net kick -> MSI -> posted chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createAnalyzer } from '../../src/analyze/analyzer.js';
import { readEvents } from '../../src/cli/pipeline.js';
import { collectorByName } from '../../collectors/index.js';
import { CATEGORIES, IRQ_DELIVERIES, IRQ_SOURCES, type AnalysisResult } from '../../src/analyze/types.js';

const TRACES = join(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/traces/hip24');
const VHOST = join(TRACES, 'vhost-host-report.txt');

async function analyze(path: string): Promise<AnalysisResult> {
  const a = createAnalyzer();
  await readEvents(path, (b) => a.push(b));
  return a.finish(null);
}

function exitsByReason(r: AnalysisResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ch of r.exits.chunks) for (let i = 0; i < ch.length; i++) {
    const n = r.reasons[ch.reason[i]!]!.name;
    out[n] = (out[n] ?? 0) + 1;
  }
  return out;
}

test('vhost-host-report: 810 exits, 806 entries; every exit is a row; pairing gaps counted', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const r = await analyze(VHOST);
  assert.equal(r.quality.exitEvents, 810);
  assert.equal(r.quality.entryEvents, 806);
  assert.equal(r.exits.length, 810);
  // the excerpt has 8 exit->exit and 4 entry->entry places on its only vCPU thread (awk-checked)
  assert.equal(r.quality.exitsWithoutEntry, 8);
  assert.equal(r.quality.entriesWithoutExit, 4);
  // 12 pairs whose guest RIP jumped (the excerpt has lines cut out without a lost marker)
  assert.equal(r.quality.exitsRipJump, 12);
  assert.equal(r.quality.pairedExits, 790);
  assert.equal(r.quality.timeResolutionNs, 1000);
  assert.equal(r.threads.length, 1);
  assert.equal(r.threads[0]!.tid, 150750);
  assert.equal(r.threads[0]!.vcpu, 0);
  // 43 kvm_fast_mmio (README) are all kicks
  const fast = r.ioKicks.chunks.flatMap((c) => [...c.device.subarray(0, c.length)]).filter((d) => r.devices[d]!.label === 'mmio 0x800007004');
  assert.ok(fast.length >= 43, `fast mmio kicks ${fast.length}`);
});

test('vhost-host-report: kick (EPT_MISCONFIG + kvm_fast_mmio) -> MSI from vhost -> posted delivery appear as rows', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const r = await analyze(VHOST);
  // the kick exit at 16063.478152 (trace-formats.md 2.2): EPT_MISCONFIG, io_request, device = the notify gpa
  let kickRow = -1;
  const ex = r.exits.chunks[0]!;
  for (let i = 0; i < ex.length; i++) if (ex.exitNs[i] === 16063478152000n) kickRow = i;
  assert.ok(kickRow >= 0, 'kick exit found');
  assert.equal(r.reasons[ex.reason[kickRow]!]!.name, 'EPT_MISCONFIG');
  assert.equal(CATEGORIES[ex.category[kickRow]!], 'io_request');
  assert.equal(r.devices[ex.device[kickRow]!]!.label, 'mmio 0x800007004');
  // the MSI raised by vhost-150742 (tid 150787) at 16063.478175, accepted and posted at .478176
  let found = false;
  for (const c of r.irqs.chunks) for (let i = 0; i < c.length; i++) {
    if (c.raiseNs[i] !== 16063478175000n) continue;
    found = true;
    assert.equal(IRQ_SOURCES[c.source[i]!], 'msi');
    assert.equal(c.raiserTid[i], 150787);
    assert.equal(c.vector[i], 42);
    assert.equal(c.acceptDelayNs[i], 1000);
    assert.equal(IRQ_DELIVERIES[c.delivery[i]!], 'posted');
    assert.equal(r.threads[c.target[i]!]!.tid, 150750);
    assert.ok(c.latencyNs[i]! >= 1000, `latency ${c.latencyNs[i]}`);
  }
  assert.ok(found, 'MSI row at 16063.478175');
  // 44 kvm_msi_set_irq in the README: each is one irqs row with source msi
  let msi = 0;
  for (const c of r.irqs.chunks) for (let i = 0; i < c.length; i++) if (IRQ_SOURCES[c.source[i]!] === 'msi') msi++;
  assert.equal(msi, 44);
  assert.equal(r.postedDelivery, true);
});

const TRACEDAT: [string, Record<string, number>][] = [
  ['apicv-6.5-trace.dat', { APIC_WRITE: 1055, HLT: 472, EXTERNAL_INTERRUPT: 16, EPT_MISCONFIG: 11, PREEMPTION_TIMER: 3, EOI_INDUCED: 1 }],
  ['exits-6.5-tsc2nsec-trace.dat', { APIC_WRITE: 8251, HLT: 7590, MSR_WRITE: 4726, EPT_MISCONFIG: 983, PAUSE_INSTRUCTION: 772, PREEMPTION_TIMER: 176, EXTERNAL_INTERRUPT: 101, IO_INSTRUCTION: 84, EOI_INDUCED: 61, MSR_READ: 20, EPT_VIOLATION: 8 }],
];
for (const [file, counts] of TRACEDAT) {
  test(`${file}: exits per reason equal traces/README.md`, async (t) => {
    const path = join(TRACES, file);
    if (!existsSync(path)) return t.skip(`real trace missing: ${path}`);
    if (!collectorByName('trace.dat') && !collectorByName('tracedat')) return t.skip('no trace.dat collector registered in collectors/all.ts yet');
    const r = await analyze(path);
    assert.deepEqual(exitsByReason(r), counts);
  });
}
