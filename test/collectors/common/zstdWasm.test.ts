// libzstd in WebAssembly (collectors/common/zstdWasm.ts) against hostile frames, built by hand
// from RFC 8878: RLE blocks (type 1) of 128 KiB each, 4 bytes apiece. Quirks covered: a stream
// whose output would pass the pending cap throws (module memory never shrinks) and the stream
// works again after reset(); a frame declaring a huge content size is refused before any
// allocation; a frame holding fewer bytes than expected returns what it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadZstdWasm } from '../../../collectors/common/zstdWasm.js';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A frame of `blocks` RLE blocks of 128 KiB zeros; `fcs8`: an 8-byte content size in the header. */
function rleFrame(blocks: number, fcs8?: bigint): Uint8Array {
  const out = [...MAGIC];
  if (fcs8 === undefined) out.push(0x00, 0x38); // FHD: no size, not single-segment; window 2^17
  else {
    out.push(0xc0, 0x38); // FHD: 8-byte content size; window 2^17
    for (let i = 0n; i < 8n; i++) out.push(Number((fcs8 >> (8n * i)) & 0xffn));
  }
  for (let b = 0; b < blocks; b++) {
    const h = (131072 << 3) | (1 << 1) | (b === blocks - 1 ? 1 : 0);
    out.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0x00);
  }
  return Uint8Array.from(out);
}

test('a stream that would decompress past the pending cap throws; after reset it decodes again', async () => {
  const z = (await loadZstdWasm()).stream();
  try {
    assert.throws(() => z.push(rleFrame(2100)), /over 256 MiB of output/); // 2100 x 128 KiB = 262.5 MiB
    z.reset();
    z.push(rleFrame(3));
    assert.equal(z.pending, 3 * 131072);
    const out = new Uint8Array(z.pending);
    z.takeInto(out);
    assert.ok(out.every((b) => b === 0));
    assert.equal(z.pending, 0);
  } finally {
    z.dispose();
  }
});

test('a frame declaring 2^40 bytes is refused before allocating; a short frame returns what it holds', async () => {
  const w = await loadZstdWasm();
  assert.throws(() => w.decodeFrame(rleFrame(1, 1n << 40n), 131072), /frame declares 1099511627776 bytes/);
  const into = new Uint8Array(4 * 131072).fill(7);
  const got = w.decodeFrame(rleFrame(2), 4 * 131072, into);
  assert.equal(got.length, 2 * 131072, 'as many bytes as the frame holds');
  assert.equal(got.buffer, into.buffer, 'written into the caller\'s buffer');
  assert.ok(got.every((b) => b === 0));
});
