// libzstd's decoder in WebAssembly, from zstddec's "stream" build (the decoder three.js uses),
// for trace.dat's zstd chunks (one frame each, size known) and perf record -z (one zstd stream
// across all COMPRESSED records, flushed but never ended). zstddec's own streaming API is a
// generator that pulls its input, which perf's records, arriving one at a time, cannot feed; so
// the module's exports (ZSTD_decompressStream and friends) are driven here. zstddec hands its
// instance to the documented `_init` hook, which a subclass overrides to keep it.
// Errors: a libzstd size_t result above -ZSTD_error_maxCode is an error code (ZSTD_isError; the
// build exports no ZSTD_getErrorName, so messages carry the code). Callers that want a reason
// can retry with fzstd (see ../tracedat/decompress.ts).
import type { ZSTDDecoder } from 'zstddec/stream';

interface Exports {
  memory: WebAssembly.Memory;
  malloc(n: number): number;
  free(p: number): void;
  ZSTD_decompress(dst: number, dstCap: number, src: number, srcSize: number): number;
  /** unsigned long long: a BigInt (i64 across the WebAssembly boundary). */
  ZSTD_findDecompressedSize(src: number, srcSize: number): bigint;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(d: number): number;
  ZSTD_DStreamOutSize(): number;
  ZSTD_decompressStream(d: number, out: number, input: number): number;
}

/** ZSTD_error_maxCode of libzstd 1.5 (zstd_errors.h), with room: codes are -1..-120 as int32. */
const ERROR_MAX = 120;
const isError = (r: number): boolean => r < 0 && r >= -ERROR_MAX;

/** A frame may declare, or be expected to hold, up to this (checked before any allocation). */
const MAX_DECLARED = 1 << 28;
/** A stream's output not yet taken may grow up to this (ZstdStream.reserve). */
const MAX_PENDING = 1 << 28;

/** Copy `data` into the module's memory at a new allocation (the caller frees it). */
function copyIn(x: Exports, data: Uint8Array): number {
  const p = x.malloc(Math.max(1, data.length));
  if (p === 0) throw new Error(`zstd: no memory for ${data.length} bytes`);
  new Uint8Array(x.memory.buffer, p, data.length).set(data);
  return p;
}

let loading: Promise<ZstdWasm> | null = null;
let ready: ZstdWasm | null = null;

/** The decoder, loaded once per thread (~50 ms: compiling the module). */
export function loadZstdWasm(): Promise<ZstdWasm> {
  loading ??= (async () => {
    const { ZSTDDecoder } = await import('zstddec/stream');
    let exports: Exports | null = null;
    class Keeper extends ZSTDDecoder {
      override _init(result: WebAssembly.WebAssemblyInstantiatedSource): void {
        exports = result.instance.exports as unknown as Exports;
        super._init(result);
      }
    }
    const d: ZSTDDecoder = new Keeper();
    // zstddec fetches its embedded module as a data: URL when `fetch` exists, and Node's fetch
    // loads undici for that (~40 ms). Hidden while init() looks, it compiles from a Buffer instead.
    const fetchDesc = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
    if (fetchDesc?.configurable) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
    let init: Promise<void>;
    try {
      init = d.init();
    } finally {
      if (fetchDesc?.configurable) Object.defineProperty(globalThis, 'fetch', fetchDesc);
    }
    await init;
    if (exports === null) throw new Error('zstddec did not hand over its WebAssembly instance');
    return (ready = new ZstdWasm(exports));
  })();
  return loading;
}

/** The decoder when loadZstdWasm() has finished, else null. */
export function zstdWasmReady(): ZstdWasm | null { return ready; }

export class ZstdWasm {
  constructor(private readonly x: Exports) {}

  /** A fresh copy of the heap bytes [p, p + n). */
  private copyOut(p: number, n: number): Uint8Array { return new Uint8Array(this.x.memory.buffer, p, n).slice(); }

  /**
   * One whole frame expected to hold `size` bytes (trace.dat chunks): its bytes, as many as it
   * really holds (the caller compares), in `into` when it has room (a view of it), else in a fresh
   * buffer. Throws on a libzstd error, e.g. when the frame holds more than `size` and its header
   * does not say how much (fzstd can then decode it with a growing buffer).
   */
  decodeFrame(src: Uint8Array, size: number, into?: Uint8Array): Uint8Array {
    const x = this.x;
    const s = copyIn(x, src);
    let d = 0;
    try {
      // the frame's own content size (-1 unknown, -2 error): room for all of it when it says more,
      // after a sanity bound (the module's memory never shrinks)
      const declared = x.ZSTD_findDecompressedSize(s, src.length);
      if (declared > BigInt(MAX_DECLARED)) throw new Error(`frame declares ${declared} bytes`);
      if (size > MAX_DECLARED) throw new Error(`${size} bytes expected, more than a frame here may hold`);
      const cap = declared > BigInt(size) ? Number(declared) : size;
      d = x.malloc(Math.max(1, cap));
      if (d === 0) throw new Error(`zstd: no memory for ${cap} bytes`);
      const r = x.ZSTD_decompress(d, cap, s, src.length);
      if (isError(r)) throw new Error(`zstd error ${-r}`);
      const n = r >>> 0;
      if (into === undefined || into.length < n) return this.copyOut(d, n);
      const out = into.subarray(0, n);
      out.set(new Uint8Array(x.memory.buffer, d, n));
      return out;
    } finally {
      x.free(s);
      if (d !== 0) x.free(d);
    }
  }

  stream(): ZstdStream { return new ZstdStream(this.x); }
}

/**
 * One zstd stream fed piece by piece. Output accumulates in module memory (`pending`) until the
 * caller takes a prefix of it (into its own buffer); the rest stays for the next piece.
 */
export class ZstdStream {
  private dctx: number;
  /** ZSTD_inBuffer and ZSTD_outBuffer structs ({ptr, size, pos}, 4 bytes each in wasm32). */
  private readonly inBuf: number;
  private readonly outBuf: number;
  /** Accumulated output: acc[0, accLen) of accCap bytes. */
  private acc = 0;
  private accCap = 0;
  private accLen = 0;
  private readonly step: number;

  constructor(private readonly x: Exports) {
    this.dctx = x.ZSTD_createDCtx();
    this.inBuf = x.malloc(12);
    this.outBuf = x.malloc(12);
    this.step = x.ZSTD_DStreamOutSize();
    if (this.dctx === 0 || this.inBuf === 0 || this.outBuf === 0) throw new Error('zstd: no memory for a stream');
  }

  get pending(): number { return this.accLen; }

  /** A view of the pending output; valid until the next push() or takeInto(). */
  pendingView(): Uint8Array { return new Uint8Array(this.x.memory.buffer, this.acc, this.accLen); }

  /** Decompress one piece of the stream onto the pending output. Throws on a libzstd error. */
  push(data: Uint8Array): void {
    const x = this.x;
    const src = copyIn(x, data);
    try {
      let dv = new DataView(x.memory.buffer);
      dv.setUint32(this.inBuf, src, true);
      dv.setUint32(this.inBuf + 4, data.length, true);
      dv.setUint32(this.inBuf + 8, 0, true);
      for (;;) {
        this.reserve(this.step);
        const room = this.accCap - this.accLen;
        dv = new DataView(x.memory.buffer); // reserve() may have grown the memory
        dv.setUint32(this.outBuf, this.acc + this.accLen, true);
        dv.setUint32(this.outBuf + 4, room, true);
        dv.setUint32(this.outBuf + 8, 0, true);
        const r = x.ZSTD_decompressStream(this.dctx, this.outBuf, this.inBuf);
        dv = new DataView(x.memory.buffer);
        if (isError(r)) throw new Error(`zstd error ${-r}`);
        const wrote = dv.getUint32(this.outBuf + 8, true);
        this.accLen += wrote;
        // done with this piece: all of it read, and the output not filled up (nothing held back)
        if (dv.getUint32(this.inBuf + 8, true) >= data.length && wrote < room) break;
      }
    } finally {
      x.free(src);
    }
  }

  /** Move the first `out.length` pending bytes into `out`; the rest moves to the front. */
  takeInto(out: Uint8Array): void {
    const n = out.length;
    const mem = new Uint8Array(this.x.memory.buffer);
    out.set(mem.subarray(this.acc, this.acc + n));
    mem.copyWithin(this.acc, this.acc + n, this.acc + this.accLen);
    this.accLen -= n;
  }

  /** Forget the stream (after an error): a new decoding context, no pending output. */
  reset(): void {
    this.x.ZSTD_freeDCtx(this.dctx);
    this.dctx = this.x.ZSTD_createDCtx();
    this.accLen = 0;
  }

  /** Free the module memory this stream holds. */
  dispose(): void {
    const x = this.x;
    x.ZSTD_freeDCtx(this.dctx);
    x.free(this.inBuf);
    x.free(this.outBuf);
    if (this.acc !== 0) x.free(this.acc);
    this.acc = this.accCap = this.accLen = 0;
  }

  /** Room for `more` bytes after the pending output. */
  private reserve(more: number): void {
    if (this.accCap - this.accLen >= more) return;
    const cap = Math.max(this.accCap * 2, this.accLen + more, 1 << 20);
    // perf records are at most 64 KiB and a compressed record's output a few MB: far more is a
    // corrupt (or hostile) stream, and module memory never shrinks
    if (cap > MAX_PENDING) throw new Error(`zstd: over ${MAX_PENDING >> 20} MiB of output without a whole record`);
    const p = this.x.malloc(cap);
    if (p === 0) throw new Error(`zstd: no memory for ${cap} bytes of output`);
    if (this.accLen > 0) new Uint8Array(this.x.memory.buffer).copyWithin(p, this.acc, this.acc + this.accLen);
    if (this.acc !== 0) this.x.free(this.acc);
    this.acc = p;
    this.accCap = cap;
  }
}
