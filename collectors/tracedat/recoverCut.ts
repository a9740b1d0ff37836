// A v7 trace.dat cut before its end loses the BUFFER option: trace-cmd (lib/trace-cmd/trace-output.c)
// writes it in the last OPTIONS section, after the ring-buffer data, once the per-CPU offsets are
// known. Sections follow one another from the file header on (16-byte header: u16 id, u16 flags,
// u32 string id, u64 size), so the BUFFER data section (id 3) is found by walking them. In a
// compressed file each CPU's data there is self-delimiting (u32 chunk count, then per chunk u32
// compressed size, u32 uncompressed size, bytes), CPUs one after another in ascending order.
// Example walk (fixtures/tracedat/sched-lost-v7-zstd.dat): 0x25 id 16 HEADER_INFO, 0x13a 17,
// 0x15f 18, 0x95f 19, 0x984 20, 0x9a9 21 CMDLINES, 0x1455 0 OPTIONS, 0x1482 0, 0x14fe 3 data.
import type { RandomAccess } from '../common/source.js';
import type { BufferInfo, CpuData, CpuStat } from './meta.js';

const BUFFER_DATA_SECTION = 3;

export interface RecoveredBuffer {
  readonly buffer: BufferInfo;
  /** Whether the CPU numbers came from CPUSTAT (else they are 0..n-1 by position). */
  readonly cpusKnown: boolean;
  readonly dataOffset: number;
}

/**
 * Find the top instance's CPU data in a cut compressed v7 file. `from` is the first section
 * header (just after the file header). Null when no data section starts inside the file.
 */
export async function recoverCutBuffer(ra: RandomAccess, from: number, le: boolean, pageSize: number, clock: string,
  cpuStats: ReadonlyMap<number, CpuStat>): Promise<RecoveredBuffer | null> {
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  let off = from;
  let data = -1;
  for (let guard = 0; guard < 4096 && off + 16 <= ra.size; guard++) {
    const h = await ra.read(off, 16);
    const id = le ? h.readUInt16LE(0) : h.readUInt16BE(0);
    if (id === BUFFER_DATA_SECTION) { data = off + 16; break; }
    const size = Number(le ? h.readBigUInt64LE(8) : h.readBigUInt64BE(8));
    if (id > 64 || size > ra.size) return null; // not a section header: give up rather than guess
    off += 16 + size;
  }
  if (data < 0) return null;
  const blocks: { offset: number; size: number }[] = [];
  // each CPU's data starts on a page boundary (zero padding before it)
  const align = (x: number): number => Math.ceil(x / pageSize) * pageSize;
  let p = align(data);
  while (p + 4 <= ra.size) {
    const start = p;
    const chunks = u32(await ra.read(p, 4), 0);
    p += 4;
    for (let i = 0; i < chunks && p < ra.size; i++) {
      if (p + 8 > ra.size) { p = ra.size; break; }
      p += 8 + u32(await ra.read(p, 8), 0);
    }
    blocks.push({ offset: start, size: Math.min(p, ra.size) - start });
    if (chunks === 0 || blocks.length > 4096) break;
    p = align(p);
  }
  if (blocks.length === 0) return null;
  // CPUSTAT lists every CPU; those with entries wrote data (trace-cmd skips empty CPUs)
  const withData = [...cpuStats.values()].filter((s) => (s.entries ?? 0) > 0 || (s.readEvents ?? 0) > 0).map((s) => s.cpu).sort((a, b) => a - b);
  // blocks after the cut are missing: the ones found are the first CPUs with events, in order
  const cpusKnown = withData.length >= blocks.length;
  const cpus: CpuData[] = blocks.map((b, i) => ({ cpu: cpusKnown ? withData[i]! : i, offset: b.offset, size: b.size }));
  return { buffer: { name: '', clock, pageSize, cpus }, cpusKnown, dataOffset: data };
}
