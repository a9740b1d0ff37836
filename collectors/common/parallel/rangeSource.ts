// A TraceSource over one byte range of a regular file: what a chunk worker reads, through the same
// read-ahead reader as a serial read (source.ts readAheadChunks: two reused buffers, the next read
// in libuv's thread pool while the current one is parsed). Pieces of the asked chunk size are
// handed out, so a text parser sees a file of its own.
import { readAheadChunks, type TraceSource } from '../source.js';
import type { ByteRange } from './protocol.js';

/** Bytes per read system call: fewer, larger reads than the 64 KiB text pieces handed out. */
const READ_BYTES = 1 << 20;

export function rangeSource(path: string, name: string, range: ByteRange): TraceSource {
  let consumed = false;
  return {
    name,
    head: Buffer.alloc(0),
    size: range.end - range.start,
    chunks(chunkSize = 1 << 20) {
      if (consumed) throw new Error(`${name}: a chunk can only be read once`);
      consumed = true;
      return readAheadChunks(path, chunkSize, READ_BYTES, range.start, range.end);
    },
    random: () => Promise.reject(new Error('rangeSource: no random access in a chunk worker')),
    dispose: async () => {},
  };
}
