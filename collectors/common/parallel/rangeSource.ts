// A TraceSource over one byte range of a regular file: what a chunk worker reads. Two reused
// buffers, read asynchronously one ahead: the next read runs in libuv's thread pool while the
// current one is parsed (reads cost real I/O time on the build VM), and no buffer is allocated
// per read. Pieces of the asked chunk size are handed out, so a text parser sees a file of its own.
import { open } from 'node:fs/promises';
import type { TraceSource } from '../source.js';
import type { ByteRange } from './protocol.js';

/** Bytes per read system call: fewer, larger reads than the 64 KiB text pieces handed out. */
const READ_BYTES = 1 << 20;

export function rangeSource(path: string, name: string, range: ByteRange): TraceSource {
  let consumed = false;
  return {
    name,
    head: Buffer.alloc(0),
    size: range.end - range.start,
    async *chunks(chunkSize = 1 << 20) {
      if (consumed) throw new Error(`${name}: a chunk can only be read once`);
      consumed = true;
      const fh = await open(path, 'r');
      const size = Math.max(READ_BYTES, chunkSize);
      const bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
      const readAt = async (buf: Buffer, pos: number): Promise<number> =>
        (pos >= range.end ? 0 : (await fh.read(buf, 0, Math.min(size, range.end - pos), pos)).bytesRead);
      let pos = range.start;
      let cur = 0;
      let pending = readAt(bufs[0]!, pos);
      try {
        for (;;) {
          const n = await pending;
          if (n <= 0) break;
          const buf = bufs[cur]!;
          pos += n;
          cur ^= 1;
          // read ahead into the other buffer; the consumer copies what it keeps (lines.ts), so
          // a buffer is refilled only after all its pieces were handed out and used
          pending = readAt(bufs[cur]!, pos);
          for (let p = 0; p < n; p += chunkSize) yield buf.subarray(p, Math.min(n, p + chunkSize));
        }
      } finally {
        await pending.catch(() => 0);
        await fh.close();
      }
    },
    random: () => Promise.reject(new Error('rangeSource: no random access in a chunk worker')),
    dispose: async () => {},
  };
}
