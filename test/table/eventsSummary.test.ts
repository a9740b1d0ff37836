// EventsSummary keeps seen threads and CPUs in typed arrays (a bit per tid below 2^22, a slot per
// CPU below 4096) with a Set/Map for the rest. Quirks covered: tids at and past PID_MAX_LIMIT and
// negative ones, CPUs past the array, null tid/cpu rows, time inversions counted per CPU (not
// across CPUs), event counts in descending order (ties in dictionary order), several batches.
// Expected values come from a plain Set/Map reference over the same rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { C } from '../../collectors/common/columns.js';
import { EventBatchBuilder, type EventBatch } from '../../collectors/common/eventBatch.js';
import { EventsSummary } from '../../src/table/eventsSummary.js';

interface Row { ts: number; event: string; tid: number | null; cpu: number | null }

function reference(rows: Row[]) {
  const byEventCount = new Map<string, number>();
  const order: string[] = [];
  const tids = new Set<number>();
  const cpus = new Set<number>();
  const last = new Map<number, number>();
  let inversions = 0;
  for (const r of rows) {
    if (!byEventCount.has(r.event)) order.push(r.event);
    byEventCount.set(r.event, (byEventCount.get(r.event) ?? 0) + 1);
    if (r.tid !== null) tids.add(r.tid);
    if (r.cpu !== null) {
      cpus.add(r.cpu);
      if (r.ts < (last.get(r.cpu) ?? -Infinity)) inversions++;
      last.set(r.cpu, r.ts);
    }
  }
  const byEvent: Record<string, number> = {};
  for (const e of order.map((name, i) => ({ name, i, n: byEventCount.get(name)! })).sort((a, b) => b.n - a.n || a.i - b.i)) byEvent[e.name] = e.n;
  const ts = rows.map((r) => r.ts);
  const first = Math.min(...ts);
  const lastNs = Math.max(...ts);
  return {
    events: rows.length, byEvent, firstNs: String(first), lastNs: String(lastNs), spanNs: String(lastNs - first),
    cpus: [...cpus].sort((a, b) => a - b), threads: tids.size, timeInversions: inversions,
  };
}

function summarize(rows: Row[], batchRows: number) {
  const summary = new EventsSummary();
  const b = new EventBatchBuilder((batch: EventBatch) => summary.add(batch), batchRows);
  for (const r of rows) {
    b.num64(C.ts_ns, r.ts);
    b.dict(C.event, r.event);
    b.num64(C.src_line, 1);
    if (r.tid !== null) b.i32(C.tid, r.tid);
    if (r.cpu !== null) b.i32(C.cpu, r.cpu);
    b.end();
  }
  b.flush();
  return summary.toJSON();
}

test('threads and CPUs outside the typed-array ranges count like the others; inversions per CPU', () => {
  const tids = [0, 1, 4194303, 4194304, 2147483647, -1, -2147483648, 60250, 1];
  const cpus = [0, 1, 4095, 4096, 100000, -1, 3];
  const events = ['sched_switch', 'kvm_exit', 'sched_wakeup', 'kvm_entry'];
  const rows: Row[] = [];
  let seed = 7;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  for (let i = 0; i < 5000; i++) {
    rows.push({
      ts: 1_000_000_000 + i * 10 - rnd(25), // steps back now and then
      event: events[rnd(7) % events.length]!,
      tid: rnd(10) === 0 ? null : tids[rnd(tids.length)]!,
      cpu: rnd(12) === 0 ? null : cpus[rnd(cpus.length)]!,
    });
  }
  const want = reference(rows);
  assert.ok(want.timeInversions > 0 && want.cpus.includes(100000) && want.threads === tids.length - 1);
  for (const batchRows of [5000, 333, 64]) assert.deepEqual(summarize(rows, batchRows), want, `batches of ${batchRows}`);
});

test('a stream without tid or cpu columns: no threads, no CPUs, no inversions', () => {
  const rows: Row[] = [{ ts: 5, event: 'x', tid: null, cpu: null }, { ts: 3, event: 'y', tid: null, cpu: null }];
  const got = summarize(rows, 64);
  assert.deepEqual(got, reference(rows));
  assert.equal(got.threads, 0);
  assert.deepEqual(got.cpus, []);
});
