// Text traces recorded with the x86-tsc/counter clock print raw counts ("849996567525273:"):
// the ftrace and trace-cmd collectors mark diag.timeUnit 'cycles' (it was only a note before);
// seconds.fraction timestamps stay 'ns'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ftrace } from '../../collectors/ftrace/index.js';
import { traceCmd } from '../../collectors/trace-cmd/index.js';
import { collectTable } from '../helpers/collect.js';

const FIX = join(import.meta.dirname, '../../fixtures');

test('ftrace text with x86-tsc raw counts: timeUnit cycles, values kept as printed', async () => {
  const { table, diag } = await collectTable(ftrace, join(FIX, 'ftrace/trace-x86-tsc.txt'));
  assert.equal(diag.timeUnit, 'cycles');
  assert.equal(diag.toJSON().timeUnit, 'cycles');
  assert.equal(table.getChild('ts_ns')!.get(0), 849996567525273n);
});

test('seconds.fraction text timestamps are ns (ftrace and trace-cmd report)', async () => {
  for (const [c, f] of [[ftrace, 'ftrace/trace.txt'], [traceCmd, 'trace-cmd/sched-instance-ns.txt']] as const) {
    const { diag } = await collectTable(c, join(FIX, f));
    assert.equal(diag.timeUnit, 'ns', f);
  }
});
