// PERF_RECORD_COMPRESSED / COMPRESSED2 payloads (perf record -z): one zstd stream across all such
// records (tools/perf/util/zstd.c keeps one ZSTD_DStream), and a record inside may continue into
// the next compressed record. This class turns payloads into buffers of whole records, keeping the
// incomplete tail for the next call. Decoder: fzstd (pure JS; Node 20 has no zstd in zlib).
import { Decompress } from 'fzstd';
import { RECORD_HEADER_BYTES } from './constants.js';

export class ZstdRecords {
  private decomp: Decompress | null = null;
  private pieces: Uint8Array[] = [];
  private left: Uint8Array = new Uint8Array(0);

  constructor(private readonly le: boolean) {}

  /**
   * Decompress one payload; returns the whole records now available (a fresh buffer and the
   * length of its complete part), or null when none is complete yet. Throws on bad zstd data
   * (the stream is reset so that later records can still be tried).
   */
  push(data: Uint8Array): { buf: Uint8Array; complete: number } | null {
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
    const dv = new DataView(buf.buffer);
    let p = 0;
    while (p + RECORD_HEADER_BYTES <= total) {
      const size = dv.getUint16(p + 6, this.le);
      if (size < RECORD_HEADER_BYTES || p + size > total) break;
      p += size;
    }
    // a size below 8 cannot be framed: hand it over so the caller reports it, drop the rest
    const bad = p + RECORD_HEADER_BYTES <= total && dv.getUint16(p + 6, this.le) < RECORD_HEADER_BYTES;
    this.left = bad ? new Uint8Array(0) : buf.slice(p);
    return { buf, complete: bad ? total : p };
  }

  reset(): void {
    this.decomp = null;
    this.pieces = [];
    this.left = new Uint8Array(0);
  }
}
