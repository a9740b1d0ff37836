// trace-cmd extract embeds the format of every kernel event; odd print fmts of events that have no
// record (xdp/..., kvm_update_master_clock's VDSO_CLOCKMODE_* symbols) are one note, not warnings.
// The real case: `trace-cmd extract` of sched events on this machine gave 1480 tracedat-meta
// warnings, all for __print_symbolic entries of events absent from the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectTable } from '../../helpers/collect.js';

const APICV = join(import.meta.dirname, '../../../../shared/traces/hip24/apicv-6.5-trace.dat');
const FIX = join(import.meta.dirname, '../../../fixtures/tracedat');

test('print-fmt oddities of events with no records: one note with the count, zero warnings', async (t) => {
  if (!existsSync(APICV)) return t.skip(`shared trace missing: ${APICV}`);
  const { table, diag } = await collectTable(traceDat, APICV);
  assert.equal(table.numRows, 7792);
  // kvm_update_master_clock, kvm_track_tsc, kvm_nested_vmenter_failed, ... have odd symbol tables but no record here
  const events = new Set([...table.getChild('event')!]);
  assert.ok(!events.has('kvm_update_master_clock') && !events.has('kvm_track_tsc'));
  assert.equal(diag.warningCount, 0, JSON.stringify(diag.toJSON().warnings));
  const note = diag.notes.find((n) => /oddities in the format texts of \d+ events that have no record/.test(n));
  assert.ok(note, diag.notes.join('\n'));
  assert.match(note, /^11 oddities in the format texts of 4 events/);
  assert.match(note, /@0x[0-9a-f]+: kvm\/\w+ format: print fmt: __print_symbolic/);
});

test('a clean file (sched events, trace-cmd extract on this machine, slimmed) gives zero warnings and no format note', async () => {
  for (const name of ['sched-lost-v6.dat', 'sched-lost-v7-zstd.dat']) {
    const { diag } = await collectTable(traceDat, join(FIX, name));
    assert.equal(diag.warningCount, 0, `${name}: ${JSON.stringify(diag.toJSON().warnings)}`);
    assert.ok(!diag.notes.some((n) => n.includes('oddities')), `${name}: ${diag.notes.join('\n')}`);
  }
});
