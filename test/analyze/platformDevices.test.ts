// Platform devices emulated in KVM (IOAPIC, LAPIC, HPET, PIC/PIT/RTC/PCI-config/keyboard/UART ports)
// are not virtqueues: their writes are no io_kicks and no hybrid-I/O device keys, while their exits
// stay visible (same category) in stat --by device, marked with the device name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnalyzer } from '../../src/analyze/analyzer.js';
import { PLATFORM_DEVICES, platformDevice } from '../../src/analyze/platformDevices.js';
import { computeStat } from '../../src/analyze/stat.js';
import { modelInputFromAnalysis } from '../../src/analyze/whatif/fromAnalysis.js';
import { runWhatif } from '../../src/analyze/whatif/model.js';
import { DEFAULT_PARAMS } from '../../src/analyze/whatif/params.js';
import { CATEGORIES } from '../../src/analyze/types.js';
import { readEvents } from '../../src/cli/pipeline.js';

const VHOST = join(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/traces/hip24/vhost-host-report.txt');

test('platform ranges: edges are inclusive, neighbours are not platform', () => {
  for (const r of PLATFORM_DEVICES) {
    assert.equal(platformDevice(r.kind, r.first), r.name);
    assert.equal(platformDevice(r.kind, r.last), r.name);
    const other = r.kind === 'mmio' ? 'pio' : 'mmio';
    // the same number in the other address space is not that device
    if (!PLATFORM_DEVICES.some((x) => x.kind === other && r.first >= x.first && r.first <= x.last)) assert.equal(platformDevice(other, r.first), null);
  }
  assert.equal(platformDevice('mmio', 0xfec01000), null);
  assert.equal(platformDevice('mmio', 0xfed00400), null);
  assert.equal(platformDevice('pio', 0xc050), null); // a legacy virtio-pci notify port
  assert.equal(platformDevice('pio', 0x3fd), 'UART COM1');
  assert.equal(platformDevice('pio', 0xcfc), 'PCI config');
});

test('vhost trace: IOAPIC kvm_mmio writes (0xfec00000/0xfec00010) are no kicks and no what-if device, but stay as exits', async (t) => {
  if (!existsSync(VHOST)) return t.skip(`real trace missing: ${VHOST}`);
  const a = createAnalyzer();
  await readEvents(VHOST, (b) => a.push(b));
  const r = a.finish(null);
  const ioapic = r.devices.map((d, i) => [d, i] as const).filter(([d]) => d.platform === 'IOAPIC').map(([, i]) => i);
  assert.ok(ioapic.length > 0, 'the trace writes the IOAPIC');
  let kicksOnPlatform = 0, ioapicExits = 0;
  for (const ch of r.ioKicks.chunks) for (let i = 0; i < ch.length; i++) if (r.devices[ch.device[i]!]!.platform) kicksOnPlatform++;
  for (const ch of r.exits.chunks) for (let i = 0; i < ch.length; i++) {
    if (ioapic.includes(ch.device[i]!)) { ioapicExits++; assert.equal(CATEGORIES[ch.category[i]!], 'io_request'); }
  }
  assert.equal(kicksOnPlatform, 0);
  assert.ok(ioapicExits > 0);
  assert.ok(r.ioKicks.length > 0, 'fast MMIO kicks remain');
  const st = computeStat(r, { event: 'vmexit', by: 'device', key: 'sample' });
  assert.ok(st.rows.some((x) => x.key === 'mmio 0xfec00000 (IOAPIC)'), st.rows.map((x) => x.key).join(', '));
  const w = runWhatif(modelInputFromAnalysis(r), DEFAULT_PARAMS);
  const keys = w.hybrid!.devices.map((d) => d.device);
  assert.ok(keys.length > 0 && !keys.some((k) => /0xfec0/.test(k)), keys.join(', '));
});
