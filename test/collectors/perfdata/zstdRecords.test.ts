// perf record -z: one zstd stream across COMPRESSED records, decoded by libzstd in WebAssembly
// (collectors/common/zstdWasm.ts) or by fzstd. Quirks covered: both decoders give the same records
// from the same payloads (records spanning payloads included); an output buffer is reused only when
// no queued record points into it; a corrupt payload throws and the stream can go on after reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadZstdWasm } from '../../../collectors/common/zstdWasm.js';
import { ZstdRecords } from '../../../collectors/perfdata/zstdRecords.js';

const FILE = join(import.meta.dirname, '../../../fixtures/perfdata/sched-zstd.perf.data');

/** The payloads of the file's COMPRESSED(2) records, in file order (perf.data-file-format.txt). */
function payloads(): Uint8Array[] {
  const b = readFileSync(FILE);
  const dataOff = Number(b.readBigUInt64LE(40));
  const dataEnd = dataOff + Number(b.readBigUInt64LE(48));
  const out: Uint8Array[] = [];
  for (let p = dataOff; p + 8 <= dataEnd;) {
    const type = b.readUInt32LE(p);
    const size = b.readUInt16LE(p + 6);
    if (type === 81) out.push(b.subarray(p + 8, p + size));
    if (type === 83) out.push(b.subarray(p + 16, p + 16 + Number(b.readBigUInt64LE(p + 8))));
    p += size;
  }
  return out;
}

/** All records the payloads decode to, as hex, one string per push result. */
function decodeAll(z: ZstdRecords, ps: Uint8Array[]): string[] {
  const got: string[] = [];
  for (const p of ps) {
    const r = z.push(p);
    if (r) got.push(Buffer.from(r.buf.subarray(0, r.complete)).toString('hex'));
  }
  return got;
}

test('WebAssembly and fzstd decode the same records from perf -z payloads', async () => {
  await loadZstdWasm();
  const ps = payloads();
  assert.ok(ps.length >= 2, `${ps.length} compressed records`);
  const wasm = decodeAll(new ZstdRecords(true, () => false, true), ps);
  const js = decodeAll(new ZstdRecords(true, () => false, false), ps);
  assert.ok(wasm.join('').length > 1000);
  assert.equal(wasm.join(''), js.join(''));
});

test('an output buffer is reused only once no queued record points into it', async () => {
  await loadZstdWasm();
  const ps = payloads();
  const held = new Set<Uint8Array>();
  const z = new ZstdRecords(true, (v) => held.has(v), true);
  let first: { buf: Uint8Array; complete: number } | null = null;
  let bytes = Buffer.alloc(0);
  let reusedWhileHeld = false;
  let after = 0;
  for (const p of ps) {
    const r = z.push(p);
    if (!r) continue;
    if (first === null) {
      first = r;
      held.add(r.buf); // queued records point into it from now on
      bytes = Buffer.from(r.buf.subarray(0, r.complete));
      continue;
    }
    after++;
    if (r.buf.buffer === first.buf.buffer) reusedWhileHeld = true;
  }
  assert.ok(first && after >= 1, `${after} outputs after the held one`);
  assert.equal(reusedWhileHeld, false, 'a held buffer was written over');
  assert.ok(Buffer.from(first.buf.subarray(0, first.complete)).equals(bytes), 'the held records are unchanged');
  // nothing held: every output may go into the same buffer
  const z2 = new ZstdRecords(true, () => false, true);
  const outs = ps.map((p) => z2.push(p)).filter((r) => r !== null);
  assert.ok(outs.length >= 2 && outs.every((r) => r!.buf.buffer === outs[0]!.buf.buffer), 'free buffers are reused');
});

test('a corrupt payload throws; after reset a new stream decodes', async () => {
  await loadZstdWasm();
  const ps = payloads();
  const z = new ZstdRecords(true, () => false, true);
  const bad = Buffer.from(ps[0]!);
  bad.fill(0xff, 0, Math.min(bad.length, 16)); // no zstd frame header
  assert.throws(() => z.push(bad), /zstd error \d+/);
  // the same stream from its start decodes after the reset push() did
  const again = decodeAll(z, ps);
  const fresh = decodeAll(new ZstdRecords(true, () => false, true), ps);
  assert.equal(again.join(''), fresh.join(''));
});
