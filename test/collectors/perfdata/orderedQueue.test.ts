// perf's ordering contract: after FINISHED_ROUND nothing older than the *previous* round's newest
// record arrives; records of equal time keep their arrival order (tools/perf/util/ordered-events.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderedQueue } from '../../../collectors/perfdata/orderedQueue.js';

function run(script: (q: OrderedQueue, push: (ts: number, tag: number) => void, out: number[]) => void): number[] {
  const out: number[] = [];
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const q = new OrderedQueue((_b, _d, off) => out.push(off));
  script(q, (ts, tag) => q.push(buf, dv, tag, 0, ts, 0, 0), out);
  return out;
}

test('a round flushes only up to the previous round\'s newest record', () => {
  let afterRound1: number[] = [];
  let afterRound2: number[] = [];
  const out = run((q, push, o) => {
    push(10, 1); push(30, 2); push(20, 3); // CPU0 10, CPU1 30, CPU0 20
    q.round();
    afterRound1 = [...o]; // limit was 0: nothing yet
    push(25, 4); push(15, 5); push(40, 6); // 15 < 30: legal, it belongs before 20
    q.round();
    afterRound2 = [...o]; // up to 30
    q.finish();
  });
  assert.deepEqual(afterRound1, []);
  assert.deepEqual(afterRound2, [1, 5, 3, 4, 2]);
  assert.deepEqual(out, [1, 5, 3, 4, 2, 6]);
});

test('equal timestamps keep arrival order, also against records kept from an earlier flush', () => {
  const out = run((q, push) => {
    push(5, 1); push(50, 2); push(50, 3);
    q.round(); q.round(); // second round flushes <= 50
    push(50, 4); push(7, 5);
    q.finish();
  });
  assert.deepEqual(out, [1, 2, 3, 5, 4]);
});

test('timestamps above 2^32 ns (uptime > 4.3 s) and above 2^53 sort by both halves', () => {
  const out: number[] = [];
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const q = new OrderedQueue((_b, _d, off) => out.push(off));
  q.push(buf, dv, 1, 0, 5, 0x300000, 0); // ~2^53.6 ns
  q.push(buf, dv, 2, 0, 0xffffffff, 2, 0);
  q.push(buf, dv, 3, 0, 0, 3, 0);
  q.push(buf, dv, 4, 0, 4, 0x300000, 0);
  q.finish();
  assert.deepEqual(out, [2, 3, 4, 1]);
});

test('the hard cap emits the older half early instead of growing without bound', () => {
  const out: number[] = [];
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const q = new OrderedQueue((_b, _d, off) => out.push(off), 8);
  for (let i = 0; i < 8; i++) q.push(buf, dv, i, 0, 100 - i, 0, 0);
  assert.equal(q.size, 4);
  assert.deepEqual(out, [7, 6, 5, 4]);
});
