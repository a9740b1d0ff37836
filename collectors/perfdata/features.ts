// Feature sections of perf.data (after the data section in a file; HEADER_FEATURE records in pipe
// mode). Writers: tools/perf/util/header.c write_hostname/write_osrelease/... ; e.g. `perf report
// --header-only` prints "# hostname : vm", "# os release : 6.18.44", "# nrcpus online : 2",
// "# cmdline : /usr/bin/perf record -e sched:sched_switch ...", "# event : name = sched:sched_switch, id = { 12, 13 }".
// Strings are perf_header_string {u32 len; char str[len]} (NUL-padded to 64).
import { parseAttr, type PerfAttr } from './attr.js';
import { Feat } from './constants.js';

export interface EventDesc {
  readonly attr: PerfAttr;
  /** "sched:sched_switch", "cycles", ... */
  readonly name: string;
  readonly ids: readonly number[];
}

export interface PerfFeatures {
  hostname?: string;
  osRelease?: string;
  perfVersion?: string;
  arch?: string;
  cpuDesc?: string;
  nrCpusAvail?: number;
  nrCpusOnline?: number;
  cmdline?: string[];
  eventDesc?: EventDesc[];
  clockId?: number;
  /** HEADER_COMPRESSED: {version, type (1 = zstd), level, ratio, mmap_len}. */
  compressed?: { type: number; level: number };
}

const latin1 = new TextDecoder('latin1');

class Cursor {
  p: number;
  constructor(readonly dv: DataView, start: number, readonly end: number, readonly le: boolean) { this.p = start; }
  need(n: number): void {
    if (n < 0 || this.p + n > this.end) throw new RangeError(`needs ${n} bytes at +${this.p}, section ends at +${this.end}`);
  }
  u32(): number { this.need(4); const v = this.dv.getUint32(this.p, this.le); this.p += 4; return v; }
  u64(): number {
    this.need(8);
    const a = this.dv.getUint32(this.p, this.le);
    const b = this.dv.getUint32(this.p + 4, this.le);
    this.p += 8;
    return this.le ? b * 4294967296 + a : a * 4294967296 + b;
  }
  str(): string {
    const len = this.u32();
    this.need(len);
    const bytes = new Uint8Array(this.dv.buffer, this.dv.byteOffset + this.p, len);
    let z = bytes.indexOf(0);
    if (z < 0) z = len;
    this.p += len;
    return latin1.decode(bytes.subarray(0, z));
  }
}

/**
 * Read feature `feat` from dv[start, start + size) into `into`. Unknown features are ignored (perf
 * has ~30; we need a handful). Throws RangeError on a size that runs past the section.
 */
export function readFeature(feat: number, dv: DataView, start: number, size: number, le: boolean, into: PerfFeatures): void {
  const c = new Cursor(dv, start, start + size, le);
  switch (feat) {
    case Feat.HOSTNAME: into.hostname = c.str(); break;
    case Feat.OSRELEASE: into.osRelease = c.str(); break;
    case Feat.VERSION: into.perfVersion = c.str(); break;
    case Feat.ARCH: into.arch = c.str(); break;
    case Feat.CPUDESC: into.cpuDesc = c.str(); break;
    case Feat.NRCPUS: into.nrCpusAvail = c.u32(); into.nrCpusOnline = c.u32(); break;
    case Feat.CMDLINE: {
      const n = c.u32();
      const out: string[] = [];
      for (let i = 0; i < n && i < 4096; i++) out.push(c.str());
      into.cmdline = out;
      break;
    }
    case Feat.EVENT_DESC: {
      const n = c.u32();
      const attrSize = c.u32();
      const out: EventDesc[] = [];
      for (let i = 0; i < n && i < 65536; i++) {
        c.need(attrSize);
        const attr = parseAttr(dv, c.p, attrSize, le);
        c.p += attrSize;
        const nIds = c.u32();
        const name = c.str();
        c.need(nIds * 8);
        const ids: number[] = [];
        for (let k = 0; k < nIds; k++) ids.push(c.u64());
        if (attr) out.push({ attr, name, ids });
      }
      into.eventDesc = out;
      break;
    }
    case Feat.CLOCKID: into.clockId = c.u64(); break;
    case Feat.COMPRESSED: {
      c.u32(); // version
      const type = c.u32();
      const level = c.u32();
      into.compressed = { type, level };
      break;
    }
    default: break;
  }
}
