// packBits turns one 0/1 byte per row into an Arrow bitmap, eight rows per step through 32-bit
// words (a multiply gathers each word's four bits), with a native scan for all-set columns and an
// optional scratch buffer reused across batches. Quirks covered: lengths not a multiple of 8 (the
// tail), views at unaligned byte offsets (no word path), a dirty scratch from a longer batch, all
// set (null bitmap), none set. Checked bit by bit against a plain loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packBits } from '../../src/table/eventsArrow.js';

function reference(bytes: Uint8Array): { bitmap: Uint8Array | null; unset: number } {
  const out = new Uint8Array(((bytes.length + 63) >> 6) << 3);
  let unset = 0;
  bytes.forEach((v, i) => { if (v) out[i >> 3]! |= 1 << (i & 7); else unset++; });
  return { bitmap: unset === 0 ? null : out, unset };
}

test('bitmaps equal a plain bit loop: tails, unaligned views, dirty scratch, all and none set', () => {
  let seed = 11;
  const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 16; };
  const scratch = new Uint8Array(4096).fill(0xa5); // dirty: left over from an earlier, longer batch
  for (const n of [0, 1, 7, 8, 9, 37, 64, 65, 1000, 4099, 20000]) {
    for (const offset of [0, 1, 3, 4]) {
      for (const density of ['random', 'all', 'none', 'sparse'] as const) {
        const backing = new Uint8Array(n + offset + 8);
        const bytes = backing.subarray(offset, offset + n);
        for (let i = 0; i < n; i++) {
          bytes[i] = density === 'all' ? 1 : density === 'none' ? 0 : density === 'sparse' ? (rnd() % 97 === 0 ? 1 : 0) : rnd() & 1;
        }
        const want = reference(bytes);
        const fresh = packBits(bytes);
        const reused = packBits(bytes, scratch);
        for (const [name, got] of [['fresh', fresh], ['scratch', reused]] as const) {
          const where = `n=${n} offset=${offset} ${density} ${name}`;
          assert.equal(got.unset, want.unset, where);
          if (want.bitmap === null) assert.equal(got.bitmap, null, where);
          else assert.deepEqual([...got.bitmap!], [...want.bitmap], where);
        }
        if (n < 4096) scratch.fill(0x5a, 0, 512); // dirty it again for the next case
      }
    }
  }
});
