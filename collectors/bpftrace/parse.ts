// Parser for the compact lines printed by collectors/bpftrace/es2scope.bt (see script.ts):
//   kvm_exit 795288091051 3 1577 1575 48 0xffffffff81000aa0 1 0x0 0x0 0 0 0\tCPU 0/KVM
//   # fields kvm_exit exit_reason guest_rip isa info1 info2 intr_info error_code vcpu_id
//   Lost 12 events
// Field values are decoded by the shared per-tracepoint decoders through a FieldReader, exactly
// like binary records (bpftrace prints raw tracefs fields, not TP_printk text).
// "Lost N events" is what bpftrace prints when its perf ring buffer overflowed (src/output.cpp).
import { C, LOST_EVENT } from '../common/columns.js';
import type { Diagnostics } from '../common/diagnostics.js';
import type { EventBatchBuilder } from '../common/eventBatch.js';
import type { FieldReader, PrintTable } from '../common/tracepoints/types.js';
import { tracepointDecoder } from '../common/tracepoints/index.js';
import { HEADER_MAGIC } from './script.js';

interface EventLayout {
  nums: string[];
  strs: string[];
  index: Map<string, number>;
}

const NO_TABLES: readonly PrintTable[] = [];

/** FieldReader over the value tokens of one line (positions into the line, no copies). */
class LineFieldReader implements FieldReader {
  line = '';
  starts: number[] = [];
  ends: number[] = [];
  layout: EventLayout | null = null;
  has(field: string): boolean { return this.layout!.index.has(field); }
  private pos(field: string): number { return this.layout!.index.get(field) ?? -1; }
  num(field: string): number | undefined {
    const i = this.pos(field);
    if (i < 0 || i >= this.layout!.nums.length) return undefined;
    const s = this.line.slice(this.starts[i], this.ends[i]);
    const v = s.startsWith('0x') ? parseInt(s.slice(2), 16) : Number(s);
    return Number.isFinite(v) ? v : undefined;
  }
  set64(field: string, col: number, b: EventBatchBuilder): boolean {
    const i = this.pos(field);
    if (i < 0 || i >= this.layout!.nums.length) return false;
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (this.line.startsWith('0x', s)) return b.hex64(col, this.line, s, e);
    const text = this.line.slice(s, e);
    if (e - s <= 15) b.num64(col, Number(text));
    else b.big64(col, BigInt(text));
    return true;
  }
  str(field: string): string | undefined {
    const i = this.pos(field);
    if (i < this.layout!.nums.length) return undefined;
    return this.line.slice(this.starts[i], this.ends[i]);
  }
  printTables(): readonly PrintTable[] { return NO_TABLES; }
}

export class BpftraceLineParser {
  private readonly layouts = new Map<string, EventLayout>();
  private readonly reader = new LineFieldReader();
  private sawHeader = false;
  /** Timestamp text of the last event: a "Lost" line has no time of its own. */
  private lastTs = '0';

  constructor(private readonly b: EventBatchBuilder, private readonly diag: Diagnostics) {
    diag.precision(1);
  }

  get headerSeen(): boolean { return this.sawHeader; }

  line(line: string, lineNo: number): void {
    if (line.length === 0) return;
    if (line.charCodeAt(0) === 35 /* # */) return this.comment(line);
    if (line.startsWith('Lost ')) return this.lost(line, lineNo);
    if (line.startsWith('Attaching ') || line.startsWith('ERROR') || line.startsWith('WARNING')) return;
    const sp = line.indexOf(' ');
    const name = sp > 0 ? line.slice(0, sp) : '';
    const layout = this.layouts.get(name);
    if (!layout) {
      this.diag.warn('unknown-line', `${this.diag.file}:${lineNo}`, 'not an es2scope bpftrace event line', line,
        this.sawHeader ? 'lines must start with an event declared in a "# fields" header line' : 'no "# es2scope-bpftrace" header seen: was this recorded with collectors/bpftrace/es2scope.bt?');
      return;
    }
    // header tokens: nsecs cpu tid pid, then the numeric fields, space separated up to the first tab
    const tab = line.indexOf('\t', sp);
    const numEnd = tab < 0 ? line.length : tab;
    const r = this.reader;
    r.line = line;
    r.layout = layout;
    const tok: number[] = [];
    let p = sp + 1;
    while (p < numEnd) {
      let q = line.indexOf(' ', p);
      if (q < 0 || q > numEnd) q = numEnd;
      tok.push(p, q);
      p = q + 1;
    }
    const want = 4 + layout.nums.length;
    if (tok.length / 2 !== want || tab < 0) {
      this.diag.warn('field-count', `${this.diag.file}:${lineNo}`, `expected ${want} numbers and a tab-separated comm for ${name}`, line);
      return;
    }
    // string fields (and comm, always last) after tabs
    let strs = 0;
    const strStarts: number[] = [];
    const strEnds: number[] = [];
    p = tab + 1;
    for (;;) {
      const q = line.indexOf('\t', p);
      if (q < 0 || strs === layout.strs.length) { strStarts.push(p); strEnds.push(line.length); break; }
      strStarts.push(p); strEnds.push(q); strs++; p = q + 1;
    }
    if (strs !== layout.strs.length) {
      this.diag.warn('field-count', `${this.diag.file}:${lineNo}`, `expected ${layout.strs.length} string fields for ${name}`, line);
      return;
    }
    const b = this.b;
    const ts = line.slice(tok[0], tok[1]);
    this.lastTs = ts;
    if (ts.length <= 15) b.num64(C.ts_ns, Number(ts)); else b.big64(C.ts_ns, BigInt(ts));
    b.i32(C.cpu, Number(line.slice(tok[2], tok[3])));
    b.i32(C.tid, Number(line.slice(tok[4], tok[5])));
    b.i32(C.pid, Number(line.slice(tok[6], tok[7])));
    b.dict(C.comm, line.slice(strStarts[strStarts.length - 1], strEnds[strEnds.length - 1]));
    b.dict(C.event, name);
    b.num64(C.src_line, lineNo);
    r.starts = [];
    r.ends = [];
    for (let i = 8; i < tok.length; i += 2) { r.starts.push(tok[i]!); r.ends.push(tok[i + 1]!); }
    for (let i = 0; i < layout.strs.length; i++) { r.starts.push(strStarts[i]!); r.ends.push(strEnds[i]!); }
    tracepointDecoder(name)?.decodeFields(r, b);
    b.end();
  }

  private comment(line: string): void {
    if (line.startsWith(HEADER_MAGIC)) {
      this.sawHeader = true;
      return;
    }
    if (line.startsWith('# fields ')) {
      const [head, ...strParts] = line.slice(9).split('\t');
      const [event, ...nums] = head!.trim().split(/ +/);
      const strs = strParts.map((s) => s.trim()).filter((s) => s.length > 0);
      const index = new Map<string, number>();
      [...nums, ...strs].forEach((n, i) => index.set(n, i));
      this.layouts.set(event!, { nums, strs, index });
    }
  }

  private lost(line: string, lineNo: number): void {
    const m = /^Lost (\d+) events/.exec(line);
    if (!m) return;
    const count = Number(m[1]);
    const where = `${this.diag.file}:${lineNo}`;
    // bpftrace reports the loss when it reads the buffer: stamp it with the last event's time
    this.diag.lostEvents({ cpu: null, tsNs: BigInt(this.lastTs), count, where });
    const b = this.b;
    b.big64(C.ts_ns, BigInt(this.lastTs));
    b.dict(C.event, LOST_EVENT);
    b.i32(C.count, count);
    b.num64(C.src_line, lineNo);
    b.end();
  }
}
