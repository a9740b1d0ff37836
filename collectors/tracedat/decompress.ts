// Section and chunk decompression for trace.dat v7 ("name\0version\0" in the file header).
// trace-cmd writes zlib with compress2() (lib/trace-cmd/trace-compress-zlib.c: a zlib stream,
// "78 da ..."), zstd with ZSTD_compress (trace-compress-zstd.c: a zstd frame "28 b5 2f fd ...").
// Node 20 has zlib but no zstd. zstd frames go to zstddec (libzstd's decoder in WebAssembly, the
// one three.js uses); fzstd (pure JS) is the fallback that names the error when a frame does not
// decode. Measured on a 20 MB zstd trace.dat of 3.03 M events (4420 chunks): fzstd 1.74 s, zstddec
// see bench/README.md.
import { inflateSync } from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';
import type { ZSTDDecoder } from 'zstddec';

export type Decompressor = (data: Uint8Array, expectedSize: number) => Buffer;

/** The decompressor for a compression name, or null when es2scope cannot read it. */
export async function decompressorFor(name: string): Promise<Decompressor | null> {
  switch (name) {
    case 'none':
      return (d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    case 'zlib':
      return (d, n) => inflateSync(d, { maxOutputLength: Math.max(n, 1) });
    case 'zstd': {
      const wasm = await zstdDecoder();
      return (d, n) => {
        // zstddec does not report errors (a failed ZSTD_decompress returns its error code as the
        // size): any other size than the header's goes through fzstd, which throws with a reason
        // or returns what the frame really holds
        const out = n > 0 ? wasm.decode(d, n) : null;
        if (out !== null && out.length === n) return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
        const slow = fzstdDecompress(d, outputBuffer(n));
        return Buffer.from(slow.buffer, slow.byteOffset, slow.byteLength);
      };
    }
    default:
      return null;
  }
}

let zstd: Promise<ZSTDDecoder> | null = null;

/** The WebAssembly decoder, instantiated once per process. */
function zstdDecoder(): Promise<ZSTDDecoder> {
  zstd ??= (async () => {
    // loaded only for zstd files: the module embeds its WebAssembly (~75 KB of base64)
    const { ZSTDDecoder } = await import('zstddec');
    const d = new ZSTDDecoder();
    // zstddec fetches its embedded module as a data: URL when `fetch` exists, and Node's fetch
    // loads undici for that (~40 ms). Hidden while init() looks, it compiles from a Buffer instead.
    const fetchDesc = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
    if (fetchDesc?.configurable) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
    let ready: Promise<void>;
    try {
      ready = d.init();
    } finally {
      if (fetchDesc?.configurable) Object.defineProperty(globalThis, 'fetch', fetchDesc);
    }
    await ready;
    return d;
  })();
  return zstd;
}

/**
 * An output buffer for fzstd's decompress. Why the toPrimitive: fzstd 0.1 tests its buffer
 * argument with `w == 1` (lib/index.js rzfh), which turns a plain Uint8Array into the string of
 * all its numbers, "0,0,0,...", on every chunk: about twice the chunk's size in garbage and the
 * time to format it. The buffer answers 0 instead (so the test is false, as it was).
 */
function outputBuffer(n: number): Uint8Array {
  const b = new Uint8Array(n);
  Object.defineProperty(b, Symbol.toPrimitive, { value: () => 0 });
  return b;
}
