// Where trace bytes come from: a file, stdin ("-") or a gzip file. Text collectors stream chunks;
// binary collectors need random access, so a non-seekable input (stdin, .gz) is spilled to a
// temporary file first. Nothing here holds a whole trace in memory.
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { TraceInputError } from './diagnostics.js';

const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;

export interface RandomAccess {
  readonly size: number;
  /** Read exactly `length` bytes at `position` (fewer only at end of file). */
  read(position: number, length: number): Promise<Buffer>;
  /**
   * Optional: read up to `length` bytes at `position` into buf[0..) and return how many (fewer
   * only at end of file). Why: binary readers reuse their chunk buffers instead of a fresh
   * allocation (and its page faults) per read.
   */
  readInto?(buf: Uint8Array, position: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export interface TraceSource {
  /** Name used in messages: the path, or "<stdin>". */
  readonly name: string;
  /** First bytes (decompressed), for format detection. */
  readonly head: Buffer;
  /** Uncompressed size when known (plain files). */
  readonly size: number | null;
  /** Stream the (decompressed) bytes in chunks. Callable once per source. */
  chunks(chunkSize?: number): AsyncIterable<Buffer>;
  /** Random access to the (decompressed) bytes; spills stdin/gzip to a temp file. */
  random(): Promise<RandomAccess>;
  /** Remove temporary files. */
  dispose(): Promise<void>;
}

const HEAD_BYTES = 64 * 1024;

class FileRandomAccess implements RandomAccess {
  constructor(private readonly fh: FileHandle, readonly size: number) {}
  async read(position: number, length: number): Promise<Buffer> {
    const len = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.fh.read(buf, done, len - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === len ? buf : buf.subarray(0, done);
  }
  async readInto(buf: Uint8Array, position: number, length: number): Promise<number> {
    const len = Math.max(0, Math.min(length, this.size - position, buf.length));
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.fh.read(buf, done, len - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }
  close(): Promise<void> { return this.fh.close(); }
}

async function openRandom(path: string): Promise<RandomAccess> {
  const fh = await open(path, 'r');
  const st = await fh.stat();
  return new FileRandomAccess(fh, st.size);
}

async function readHead(stream: AsyncIterable<Buffer>): Promise<{ head: Buffer; rest: AsyncIterator<Buffer>; first: Buffer[] }> {
  const it = stream[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let have = 0;
  while (have < HEAD_BYTES) {
    const r = await it.next();
    if (r.done) break;
    first.push(r.value);
    have += r.value.length;
  }
  const head = Buffer.concat(first).subarray(0, HEAD_BYTES);
  return { head, rest: it, first };
}

/** Open a trace input. `path` "-" is stdin. Gzip is detected by magic bytes, not by name. */
export async function openTraceSource(path: string): Promise<TraceSource> {
  const temps: string[] = [];
  if (path === '/dev/stdin') path = '-';
  if (path !== '-') {
    const fh = await open(path, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) {
      await fh.close();
      throw new TraceInputError('is a directory, not a trace file', path, 'name a trace file (a dataset folder is read by stat, whatif and sql)');
    }
    const magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
    await fh.close();
    const gz = magic[0] === GZIP_MAGIC0 && magic[1] === GZIP_MAGIC1;
    if (!gz) {
      const ra = await openRandom(path);
      const head = await ra.read(0, HEAD_BYTES);
      await ra.close();
      return {
        name: path,
        head,
        size: st.size,
        chunks: (chunkSize = 1 << 20) => readAheadChunks(path, chunkSize, FILE_READ_BYTES),
        random: () => openRandom(path),
        dispose: async () => {},
      };
    }
    return fromStream(path, () => createReadStream(path).pipe(createGunzip()), temps);
  }
  return fromStream('<stdin>', null, temps);
}

/**
 * Bytes [start, end) of a regular file in chunks of `chunkSize`, read `readBytes` at a time into
 * two reused buffers, one read ahead: the next read runs in libuv's thread pool while the current
 * one is parsed. Why not createReadStream: with the 64 KiB chunks the text scanner wants, each read
 * is one thread-pool round trip, and the main thread sat idle for most of them (160 MB: 740 ms
 * against 90 ms here). Why reused buffers: the first touch of fresh memory costs ~15-20 µs per 4 KiB
 * page on a paravirtualised (kvm-pvm) host like the build VM, 3-4 s for an 836 MB file. The
 * contract: a chunk is valid until the consumer asks for the next one; a consumer that keeps bytes
 * copies them (text/lines.ts copies the partial last line). Also the reader of a chunk worker's
 * byte range (parallel/rangeSource.ts).
 */
export async function* readAheadChunks(path: string, chunkSize: number, readBytes: number, start = 0, end = Infinity): AsyncIterable<Buffer> {
  const fh = await open(path, 'r');
  const size = Math.max(chunkSize, readBytes);
  const bufs = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let pos = start;
  /** Fill `buf` from pos (up to size bytes, not past end); returns the bytes read (fewer: end or EOF). */
  const fill = async (buf: Buffer): Promise<number> => {
    const want = Math.min(size, end - pos);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await fh.read(buf, filled, want - filled, pos + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    pos += filled;
    return filled;
  };
  let cur = 0;
  let pending: Promise<number> | null = fill(bufs[0]!);
  try {
    while (pending !== null) {
      const n: number = await pending;
      const buf = bufs[cur]!;
      cur ^= 1;
      // read ahead into the other buffer (its pieces were all handed out and used) unless at the end
      pending = n === size ? fill(bufs[cur]!) : null;
      for (let o = 0; o < n; o += chunkSize) yield buf.subarray(o, Math.min(n, o + chunkSize));
    }
  } finally {
    if (pending !== null) await pending.catch(() => 0);
    await fh.close();
  }
}

/** A serial read's file read size: larger reads than the text pieces (4 MiB measured best, bench/README.md). */
const FILE_READ_BYTES = 4 << 20;

/** stdin or gzip: peek the head, then either keep streaming or spill to disk for random access. */
async function fromStream(name: string, reopen: (() => Readable) | null, temps: string[]): Promise<TraceSource> {
  const raw: Readable = reopen ? reopen() : process.stdin;
  let peek = await readHead(raw as AsyncIterable<Buffer>);
  if (!reopen && peek.head[0] === GZIP_MAGIC0 && peek.head[1] === GZIP_MAGIC1) {
    // gzip on stdin: the compressed bytes already read, then the rest of stdin, through gunzip.
    // (constants captured here: the generator runs later, after `peek` is replaced below)
    const compressedFirst = peek.first;
    const compressedRest = peek.rest;
    const compressed = Readable.from((async function* () {
      for (const b of compressedFirst) yield b;
      for (;;) {
        const r = await compressedRest.next();
        if (r.done) return;
        yield r.value;
      }
    })());
    peek = await readHead(compressed.pipe(createGunzip()) as AsyncIterable<Buffer>);
  }
  const { head, first, rest } = peek;
  let consumed = false;
  const chunks = async function* (): AsyncIterable<Buffer> {
    if (consumed) throw new Error(`${name}: input can only be read once`);
    consumed = true;
    for (const b of first) yield b;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  };
  let spilled: string | null = null;
  return {
    name,
    head,
    size: null,
    chunks: () => chunks(),
    random: async () => {
      if (!spilled) {
        const dir = await fsp.mkdtemp(join(tmpdir(), 'es2scope-'));
        spilled = join(dir, basename(name === '<stdin>' ? 'stdin' : name).replace(/\.gz$/, ''));
        temps.push(dir);
        await pipeline(Readable.from(chunks()), createWriteStream(spilled));
      }
      return openRandom(spilled);
    },
    dispose: async () => {
      for (const d of temps) await fsp.rm(d, { recursive: true, force: true });
    },
  };
}
