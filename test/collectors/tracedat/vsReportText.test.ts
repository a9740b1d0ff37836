// The binary reader and the trace-cmd report text reader must agree row for row, to the
// nanosecond, on the same recording (`trace-cmd report -t -i sched-lost-v6.dat`, stored next to it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { traceDat } from '../../../collectors/tracedat/index.js';
import { collectRows } from '../../helpers/collect.js';
import { assertSameAsReport } from '../../helpers/sameRows.js';

const FIX = join(import.meta.dirname, '../../../fixtures/tracedat');
const TEXT_COLLECTOR = join(import.meta.dirname, '../../../collectors/trace-cmd/index.ts');

test('trace.dat and its `trace-cmd report -t` text give the same table (except src_line)', async (t) => {
  if (!existsSync(TEXT_COLLECTOR)) return t.skip('trace-cmd text collector not written yet');
  const { traceCmd } = await import('../../../collectors/trace-cmd/index.js');
  const bin = await collectRows(traceDat, join(FIX, 'sched-lost-v6.dat'));
  const txt = await collectRows(traceCmd, join(FIX, 'sched-lost-v6.report-t.txt'));
  const pluginStates = assertSameAsReport(bin, txt);
  assert.ok(pluginStates < bin.length / 2);
});
