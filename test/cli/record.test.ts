// es2scope record with each tool on this machine, round-tripped through the matching collector.
// Recording needs root and tracefs: skipped with the reason where they are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record, RECORD_TOOLS, type RecordTool } from '../../collectors/record/recorders.js';
import { readEvents } from '../../src/cli/pipeline.js';
import { whyCannotTrace } from '../helpers/tracing.js';

const EXPECTED_FORMAT: Record<RecordTool, string> = { perf: 'perfdata', 'trace-cmd': 'tracedat', ftrace: 'ftrace', bpftrace: 'bpftrace' };
const BINARY: Record<RecordTool, string | undefined> = { perf: 'perf', 'trace-cmd': 'trace-cmd', ftrace: undefined, bpftrace: 'bpftrace' };

function enabled(ev: string): string {
  try { return readFileSync(`/sys/kernel/tracing/events/${ev}/enable`, 'utf8').trim(); } catch { return '?'; }
}

for (const tool of RECORD_TOOLS) {
  test(`record --tool ${tool} round-trips through its collector and leaves tracing as it found it`, async (t) => {
    const why = whyCannotTrace(BINARY[tool]);
    if (why) { t.skip(why); return; }
    const dir = mkdtempSync(join(tmpdir(), `es2scope-rec-${tool}-`));
    try {
      const before = [enabled('sched/sched_switch'), enabled('kvm/kvm_pio')];
      const out = join(dir, `trace.${tool}`);
      const logs: string[] = [];
      const r = await record({ tool, durationS: 0.5, output: out, log: (l) => logs.push(l) });
      assert.ok(r.events.includes('sched:sched_switch'));
      assert.deepEqual([enabled('sched/sched_switch'), enabled('kvm/kvm_pio')], before, 'event switches restored');
      let rows = 0;
      const run = await readEvents(out, (b) => { rows += b.numRows; });
      assert.equal(run.input.format, EXPECTED_FORMAT[tool], `detected as ${run.input.format}`);
      assert.ok((run.summary.byEvent['sched_switch'] ?? 0) > 0, `sched_switch rows: ${JSON.stringify(run.summary.byEvent)}`);
      assert.equal(rows, run.summary.events);
      assert.match(r.nextCommand, /^es2scope stat /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
