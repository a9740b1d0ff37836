// PERF_RECORD_COMPRESSED / COMPRESSED2 payloads (perf record -z): one zstd stream across all such
// records (tools/perf/util/zstd.c keeps one ZSTD_DStream), and a record inside may continue into
// the next compressed record. This class turns payloads into buffers of whole records, keeping the
// incomplete tail for the next call. Decoder: libzstd in WebAssembly (../common/zstdWasm.ts) when
// it was loaded before the stream's first payload (reader.ts loads it there), else fzstd (pure JS):
// a stream cannot change decoders midway. Measured on a perf record -z file of 1.2 M sched events
// (4.6 MB): fzstd 1.70-2.04 s, WebAssembly see collectors/perfdata/README.md.
import { Decompress } from 'fzstd';
import { zstdWasmReady, type ZstdStream } from '../common/zstdWasm.js';
import { RECORD_HEADER_BYTES } from './constants.js';

export class ZstdRecords {
  private wasm: ZstdStream | null | undefined = undefined; // undefined: decoder not chosen yet
  private decomp: Decompress | null = null;
  private pieces: Uint8Array[] = [];
  private left: Uint8Array = new Uint8Array(0);
  /**
   * Output buffers handed out (WebAssembly path), reused once `held` says no queued record points
   * into the view last handed out. Why: a fresh buffer per payload (~1 MB) was a fresh mmap, its
   * page faults a third of a -z ingest here.
   */
  private readonly pool: { backing: Uint8Array; view: Uint8Array | null }[] = [];

  /**
   * `held(view)`: whether records queued for later still point into a buffer push() returned.
   * `useWasm` false: fzstd even when the WebAssembly decoder is loaded (tests).
   */
  constructor(private readonly le: boolean, private readonly held: (view: Uint8Array) => boolean = () => true, private readonly useWasm = true) {}

  /**
   * Decompress one payload; returns the whole records now available (a fresh buffer and the
   * length of its complete part), or null when none is complete yet. Throws on bad zstd data
   * (the stream is reset so that later records can still be tried).
   */
  push(data: Uint8Array): { buf: Uint8Array; complete: number } | null {
    if (this.wasm === undefined) this.wasm = this.useWasm ? zstdWasmReady()?.stream() ?? null : null;
    if (this.wasm !== null) return this.pushWasm(this.wasm, data);
    if (!this.decomp) this.decomp = new Decompress((chunk) => { this.pieces.push(chunk.slice()); });
    try {
      this.decomp.push(data);
    } catch (e) {
      this.reset();
      throw e;
    }
    if (this.pieces.length === 0) return null;
    const parts = [this.left, ...this.pieces];
    this.pieces = [];
    let total = 0;
    for (const x of parts) total += x.length;
    const buf = new Uint8Array(total);
    let o = 0;
    for (const x of parts) { buf.set(x, o); o += x.length; }
    const { complete, bad } = this.frame(buf);
    this.left = bad ? new Uint8Array(0) : buf.slice(complete);
    return { buf, complete: bad ? total : complete };
  }

  private pushWasm(z: ZstdStream, data: Uint8Array): { buf: Uint8Array; complete: number } | null {
    try {
      z.push(data);
    } catch (e) {
      z.reset();
      throw e;
    }
    const { complete, bad } = this.frame(z.pendingView());
    // a size below 8 cannot be framed: hand all of it over so the caller reports it
    const n = bad ? z.pending : complete;
    if (n === 0) return null;
    const slot = this.freeSlot(n);
    const view = slot.backing.subarray(0, n);
    z.takeInto(view);
    slot.view = view;
    return { buf: view, complete: bad ? n : complete };
  }

  private freeSlot(n: number): { backing: Uint8Array; view: Uint8Array | null } {
    let slot = this.pool.find((s) => s.backing.length >= n && (s.view === null || !this.held(s.view)));
    if (slot === undefined) {
      slot = { backing: new Uint8Array(Math.max(n, 1 << 20)), view: null };
      this.pool.push(slot);
    }
    return slot;
  }

  /** Whole records at the start of `buf`; `bad`: the next one's size is below a record header. */
  private frame(buf: Uint8Array): { complete: number; bad: boolean } {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const total = buf.length;
    let p = 0;
    while (p + RECORD_HEADER_BYTES <= total) {
      const size = dv.getUint16(p + 6, this.le);
      if (size < RECORD_HEADER_BYTES || p + size > total) break;
      p += size;
    }
    return { complete: p, bad: p + RECORD_HEADER_BYTES <= total && dv.getUint16(p + 6, this.le) < RECORD_HEADER_BYTES };
  }

  reset(): void {
    this.decomp = null;
    this.pieces = [];
    this.left = new Uint8Array(0);
    this.wasm?.reset();
  }

  /** Free the WebAssembly memory of the stream. */
  dispose(): void {
    this.wasm?.dispose();
    this.wasm = null;
  }
}
