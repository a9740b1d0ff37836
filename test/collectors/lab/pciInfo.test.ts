import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notifyRanges, parseQueryPci } from '../../../collectors/lab/pciInfo.js';

// shaped like QEMU 7.2 `query-pci` (qapi/pci.json), addresses as numbers
const QUERY_PCI = [{
  bus: 0,
  devices: [
    { qdev_id: '', id: { vendor: 0x8086, device: 0x1237 }, regions: [] },
    { qdev_id: 'net0', id: { vendor: 0x1af4, device: 0x1000 }, regions: [
      { bar: 0, type: 'io', address: 0xc000, size: 32 },
      { bar: 1, type: 'memory', address: 0xfebd1000, size: 4096 },
      { bar: 4, type: 'memory', address: 0x180000000, size: 16384, mem_type_64: true, prefetch: true },
    ] },
    { qdev_id: 'blk0', id: { vendor: 0x1af4, device: 0x1001 }, regions: [
      { bar: 0, type: 'io', address: 0xc040, size: 128 },
      { bar: 4, type: 'memory', address: 0x180004000, size: 16384, mem_type_64: true, prefetch: true },
    ] },
    { qdev_id: 'bridge', id: { vendor: 0x1b36, device: 1 }, regions: [], pci_bridge: { devices: [
      { qdev_id: 'blk1', id: { vendor: 0x1af4, device: 0x1042 }, regions: [{ bar: 4, type: 'memory', address: -1, size: 16384 }] },
    ] } },
  ],
}];

test('modern notify area is BAR4 + 0x3000 .. +0x3fff; legacy is I/O BAR0 + 16, 2 bytes', () => {
  const r = notifyRanges(parseQueryPci(QUERY_PCI), ['blk0']);
  assert.deepEqual(r, [
    { id: 'blk0', kind: 'mmio', start: 0x180007000n, end: 0x180007fffn },
    { id: 'blk0', kind: 'pio', start: 0xc050n, end: 0xc051n },
  ]);
});

test('the reference lab net tx kick 0x180003004 falls in net0 notify range', () => {
  const [mmio] = notifyRanges(parseQueryPci(QUERY_PCI), ['net0']);
  assert.ok(mmio && 0x180003004n >= mmio.start && 0x180003004n <= mmio.end);
});

test('devices behind a bridge are found; a BAR the guest has not programmed (address -1) is left out', () => {
  const devs = parseQueryPci(QUERY_PCI);
  const blk1 = devs.find((d) => d.id === 'blk1');
  assert.ok(blk1);
  assert.equal(blk1.vendorDevice, '1af4:1042');
  assert.deepEqual(blk1.bars, []);
  assert.deepEqual(notifyRanges(devs, ['blk1']), []);
});

test('garbage instead of a query-pci return gives no devices, not a crash', () => {
  assert.deepEqual(parseQueryPci(null), []);
  assert.deepEqual(parseQueryPci({ error: 'x' }), []);
  assert.deepEqual(parseQueryPci([{ devices: [{ regions: [{ bar: 'x' }] }] }]).map((d) => d.bars), [[]]);
});
