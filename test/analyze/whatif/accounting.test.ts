// Time accounting: G, H, Hh per vCPU, both EHT definitions, and the throughput bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountAfter, accountVcpus } from '../../../src/analyze/whatif/accounting.js';
import { exit, input } from './scenario.js';

// vCPU 0: entry at 100; guest 100..1000 (900), MMIO exit 1000..1100 (100), guest ..2000 (900),
// HLT 2000..5000 (3000), guest ..5500 (500), MSR 5500..5600 (100).
const exits = [
  exit(1, 0, 0, 100, 'MSR_WRITE', 'msr'),
  exit(2, 0, 1_000, 1_100, 'EPT_MISCONFIG', 'io_request', { device: 'mmio:0xfe003000' }),
  exit(3, 0, 2_000, 5_000, 'HLT', 'halt'),
  exit(4, 0, 5_500, 5_600, 'MSR_WRITE', 'msr'),
];

test('G, H and Hh: halt time is kept apart from handling time', () => {
  const [a] = accountVcpus(input({ exits }));
  assert.deepEqual({ g: a!.gNs, h: a!.hNs, hh: a!.hhNs }, { g: 2_300, h: 300, hh: 3_000 });
});

test('EHT busy = H/(G+H), wall = (H+Hh)/(G+H+Hh); avoiding the MMIO exit returns its 100 ns', () => {
  const acc = accountVcpus(input({ exits }));
  const r = accountAfter(acc, input({ exits }), new Set([2]), 0);
  assert.equal(r.before.busy, 300 / 2_600);
  assert.equal(r.before.wall, 3_300 / 5_600);
  assert.equal(r.after.busy, 200 / 2_500);
  assert.equal(r.dHandlingNs, 100);
  assert.equal(r.boundAll, 2_600 / 2_500);
});

test('indirect cost per avoided exit enlarges dH for the bound but not the EHT', () => {
  const acc = accountVcpus(input({ exits }));
  const r = accountAfter(acc, input({ exits }), new Set([2]), 50);
  assert.equal(r.dHNs, 150);
  assert.equal(r.after.busy, 200 / 2_500);
  assert.equal(r.boundAll, 2_600 / 2_450);
});

test('a broken pair (lost events) is excluded and cuts the guest interval around it', () => {
  const withBroken = [...exits.slice(0, 2), exit(3, 0, 2_000, null, 'HLT', 'halt', { broken: true }), exit(4, 0, 5_500, 5_600, 'MSR_WRITE', 'msr')];
  const [a] = accountVcpus(input({ exits: withBroken }));
  assert.equal(a!.excluded, 1);
  assert.deepEqual({ g: a!.gNs, h: a!.hNs, hh: a!.hhNs }, { g: 900, h: 300, hh: 0 });
});
