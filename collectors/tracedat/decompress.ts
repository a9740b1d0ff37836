// Section and chunk decompression for trace.dat v7 ("name\0version\0" in the file header).
// trace-cmd writes zlib with compress2() (lib/trace-cmd/trace-compress-zlib.c: a zlib stream,
// "78 da ..."), zstd with ZSTD_compress (trace-compress-zstd.c: a zstd frame "28 b5 2f fd ...").
// Node 20 has zlib but no zstd. zstd frames go to libzstd in WebAssembly (../common/zstdWasm.ts);
// a frame it refuses goes through fzstd (pure JS) too, which throws with a reason or returns what
// the frame really holds. Either way the caller gets the frame's bytes and warns when their size
// is not the chunk header's. Measured on a 20 MB zstd trace.dat of 3.03 M events (4420 chunks),
// interleaved A/B: fzstd 1.97-2.01 s, WebAssembly into the stream's own buffer 1.08 s wall.
import { inflateSync } from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';
import { loadZstdWasm } from '../common/zstdWasm.js';

/**
 * `into`: a buffer the caller reuses for every chunk (a CPU stream's block is dead once the next
 * is loaded); the result may be a view of it. Without it the result is the caller's to keep.
 */
export type Decompressor = (data: Uint8Array, expectedSize: number, into?: Buffer) => Buffer;

/** The decompressor for a compression name, or null when es2scope cannot read it. */
export async function decompressorFor(name: string): Promise<Decompressor | null> {
  switch (name) {
    case 'none':
      return (d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    case 'zlib':
      return (d, n) => inflateSync(d, { maxOutputLength: Math.max(n, 1) });
    case 'zstd': {
      const wasm = await loadZstdWasm();
      return (d, n, into) => {
        let out: Uint8Array;
        try {
          out = wasm.decodeFrame(d, n, into);
        } catch {
          // fzstd throws with a reason, or decodes a frame that holds more than the chunk header
          // says and does not say how much itself (the caller warns about the size)
          out = fzstdDecompress(d);
        }
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      };
    }
    default:
      return null;
  }
}
