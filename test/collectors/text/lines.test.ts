// The shared line scanner: chunk boundaries, CRLF, cut last line, huge lines, empty input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../../collectors/common/diagnostics.js';
import { EventBatchBuilder } from '../../../collectors/common/eventBatch.js';
import { openTraceSource } from '../../../collectors/common/source.js';
import { scanLines } from '../../../collectors/common/text/lines.js';
import { tmpTrace, warningsOf } from './textUtil.js';

async function lines(content: string | Buffer, chunkSize?: number, maxLineBytes?: number): Promise<{ got: [number, string][]; diag: Diagnostics }> {
  const source = await openTraceSource(tmpTrace(content));
  const diag = new Diagnostics(source.name);
  const builder = new EventBatchBuilder(() => {});
  const got: [number, string][] = [];
  await scanLines({ source, builder, diag, ...(chunkSize ? { chunkSize } : {}) },
    (t, s, e, n) => { got.push([n, t.slice(s, e)]); }, maxLineBytes ? { maxLineBytes } : {});
  return { got, diag };
}

test('lines split across chunks come out whole, with 1-based numbers, at any chunk size', async () => {
  const text = 'alpha\nbeta gamma\n\nCPU 0/KVM-1 [000] 1.000001: x: y\nlast\n';
  const want = [[1, 'alpha'], [2, 'beta gamma'], [3, ''], [4, 'CPU 0/KVM-1 [000] 1.000001: x: y'], [5, 'last']];
  for (const cs of [1, 2, 7, 13, 4093]) assert.deepEqual((await lines(text, cs)).got, want, `chunk ${cs}`);
});

test('CRLF line ends lose their CR', async () => {
  assert.deepEqual((await lines('a\r\nb\r\n', 1)).got, [[1, 'a'], [2, 'b']]);
});

test('UTF-8 comm split across a chunk boundary decodes intact', async () => {
  const text = 'Ünïcode-thread-1 [000] 1.0: e: p\n';
  for (const cs of [1, 2, 3, 5]) assert.equal((await lines(text, cs)).got[0]![1], text.trimEnd(), `chunk ${cs}`);
});

test('a last line without newline is kept and warned as truncated', async () => {
  const { got, diag } = await lines('one\ntwo, cut he', 4);
  assert.deepEqual(got, [[1, 'one'], [2, 'two, cut he']]);
  assert.equal(warningsOf(diag).get('truncated'), 1);
  assert.match(diag.toJSON().warnings[0]!.examples[0]!.where, /:2$/);
});

test('a huge line is skipped with a warning naming its line, the next lines still come', async () => {
  const huge = 'x'.repeat(5000);
  for (const cs of [7, 1000, 65536]) {
    const { got, diag } = await lines(`a\n${huge}\nb\n`, cs, 1024);
    assert.deepEqual(got, [[1, 'a'], [3, 'b']], `chunk ${cs}`);
    assert.equal(warningsOf(diag).get('huge-line'), 1);
    assert.match(diag.toJSON().warnings[0]!.examples[0]!.where, /:2$/);
  }
});

test('empty file: no lines, no warnings', async () => {
  const { got, diag } = await lines('');
  assert.deepEqual(got, []);
  assert.equal(diag.warningCount, 0);
});
