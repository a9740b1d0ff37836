import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGuestReply } from '../../../collectors/lab/host/reply.js';

test('guest reply: numbers by key, command word kept, trailing CR tolerated', () => {
  const r = parseGuestReply('done disk ms=1500 ops=2344 bytes=9601024 qd=8 bs=4096\r');
  assert.deepEqual(r, { ok: true, command: 'disk', fields: { ms: 1500, ops: 2344, bytes: 9601024, qd: 8, bs: 4096 }, line: 'done disk ms=1500 ops=2344 bytes=9601024 qd=8 bs=4096' });
});

test('guest error reply is not ok and keeps negative errno text', () => {
  const r = parseGuestReply('error disk open -2');
  assert.equal(r?.ok, false);
  assert.equal(r?.command, 'disk');
  assert.deepEqual(r?.fields, {});
});

test('the hello line and noise are not replies', () => {
  assert.equal(parseGuestReply('hello es2lab 1'), null);
  assert.equal(parseGuestReply(''), null);
});
