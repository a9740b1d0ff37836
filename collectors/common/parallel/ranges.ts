// Cutting a file into chunks for the worker pool. Text is cut just after a newline byte, so that
// every line lies in exactly one chunk and each worker can read its chunk as a file of its own.
import { closeSync, openSync, readSync } from 'node:fs';
import type { ByteRange } from './protocol.js';

/** Bytes read at a time while looking for the newline after a cut point. */
const PROBE_BYTES = 64 * 1024;

/**
 * Ranges of about `chunkBytes` covering [0, size), each (but the last) ending just after a '\n'.
 * A line longer than a chunk simply makes its chunk longer.
 */
export function lineAlignedRanges(path: string, size: number, chunkBytes: number): ByteRange[] {
  const out: ByteRange[] = [];
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(PROBE_BYTES);
    let start = 0;
    while (start < size) {
      let cut = start + chunkBytes;
      if (cut >= size) { out.push({ start, end: size }); break; }
      // the newline at or after cut - 1 ends this chunk
      let pos = cut - 1;
      cut = size;
      while (pos < size) {
        const n = readSync(fd, buf, 0, Math.min(PROBE_BYTES, size - pos), pos);
        if (n <= 0) break;
        const nl = buf.subarray(0, n).indexOf(10);
        if (nl >= 0) { cut = pos + nl + 1; break; }
        pos += n;
      }
      out.push({ start, end: cut });
      start = cut;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
