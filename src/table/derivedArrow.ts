// Derived tables (exits, irqs, vcpu_runs, io_kicks) -> Arrow IPC files, readable by pyarrow and
// Polars. Chunks of the analyzer's columnar tables become record batches without per-row objects;
// lookup indices become dictionary columns whose (complete) dictionary is written once, with the
// first batch. Durations of -1 (unknown) become nulls.
import {
  Bool, Data, Dictionary as ArrowDictionary, Field, Int32, Int64, RecordBatch, RecordBatchFileWriter, Schema,
  Struct, Utf8, Vector, makeData, vectorFromArray, type DataType,
} from 'apache-arrow';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

// The analyzer's result, structurally (src/table must not import src/analyze: the CLI passes
// an AnalysisResult plus its vocabularies, see src/cli/commands/analyze.ts).
interface Chunk { length: number }
export interface DerivedInput {
  exits: { chunks: (Chunk & { exitNs: BigInt64Array; durNs: Float64Array; thread: Int32Array; cpu: Int16Array; reason: Uint16Array; category: Uint8Array; flags: Uint8Array; device: Int32Array; detail: Uint16Array })[] };
  irqs: { chunks: (Chunk & { raiseNs: BigInt64Array; acceptDelayNs: Float64Array; latencyNs: Float64Array; source: Uint8Array; delivery: Uint8Array; targetState: Uint8Array; target: Int32Array; targetVcpu: Int32Array; vm: Int32Array; vector: Int16Array; gsi: Int32Array; raiserTid: Int32Array; trigLevel: Uint8Array; flags: Uint8Array })[] };
  vcpuRuns: { chunks: (Chunk & { startNs: BigInt64Array; durNs: Float64Array; thread: Int32Array; cpu: Int16Array; endState: Uint16Array; flags: Uint8Array })[] };
  ioKicks: { chunks: (Chunk & { tsNs: BigInt64Array; thread: Int32Array; device: Int32Array; inExit: Uint8Array })[] };
  threads: readonly { tid: number; vm: number; vcpu: number }[];
  vms: readonly { pid: number }[];
  reasons: readonly { name: string; isa: string }[];
  devices: readonly { label: string }[];
  details: readonly string[];
}
/** Names behind the enum-like indices of the rows, and the exit flag bits. */
export interface DerivedVocab {
  categories: readonly string[];
  irqSources: readonly string[];
  irqDeliveries: readonly string[];
  vcpuStates: readonly string[];
  exitFlagBrokenByLost: number;
  exitFlagNoEntryAtEnd: number;
}

export const DERIVED_SCHEMA_VERSION = 1;
const TWO32 = 4294967296;

/** Null bitmap from a predicate; null when every row is valid. */
function bitmap(n: number, valid: (i: number) => boolean): { bm: Uint8Array | undefined; nulls: number } {
  const bm = new Uint8Array(((n + 63) >> 6) << 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid(i)) bm[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bm: nulls ? bm : undefined, nulls };
}

/** Int64 column of integer ns held in a Float64Array; negative = null. */
function i64FromNum(src: Float64Array, n: number): Data {
  const out = new BigInt64Array(n);
  const h = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    if (v >= 0) { h[i << 1] = v % TWO32; h[(i << 1) + 1] = Math.floor(v / TWO32); }
  }
  const { bm, nulls } = bitmap(n, (i) => src[i]! >= 0);
  return makeData({ type: new Int64(), length: n, nullCount: nulls, nullBitmap: bm, data: out });
}

/** abs + dur as Int64 (entry_ns = exit_ns + dur_ns), null where dur < 0; carried over 32-bit halves. */
function i64Sum(abs: BigInt64Array, dur: Float64Array, n: number): Data {
  const out = new BigInt64Array(n);
  const a = new Uint32Array(abs.buffer, abs.byteOffset, n * 2);
  const h = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const d = dur[i]!;
    if (d < 0) continue;
    const lo = a[i << 1]! + (d % TWO32);
    h[i << 1] = lo % TWO32;
    h[(i << 1) + 1] = a[(i << 1) + 1]! + Math.floor(d / TWO32) + (lo >= TWO32 ? 1 : 0);
  }
  const { bm, nulls } = bitmap(n, (i) => dur[i]! >= 0);
  return makeData({ type: new Int64(), length: n, nullCount: nulls, nullBitmap: bm, data: out });
}

function i64(abs: BigInt64Array, n: number): Data {
  return makeData({ type: new Int64(), length: n, nullCount: 0, data: abs.subarray(0, n) });
}

function i32(n: number, get: (i: number) => number, nullBelow0 = false): Data {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = get(i);
  const { bm, nulls } = nullBelow0 ? bitmap(n, (i) => out[i]! >= 0) : { bm: undefined, nulls: 0 };
  return makeData({ type: new Int32(), length: n, nullCount: nulls, nullBitmap: bm, data: out });
}

function boolCol(n: number, get: (i: number) => boolean): Data {
  const { bm } = bitmap(n, get);
  return makeData({ type: new Bool(), length: n, nullCount: 0, data: bm ?? bitmap(n, () => true).bm ?? allSet(n) });
}
function allSet(n: number): Uint8Array { return new Uint8Array(((n + 63) >> 6) << 3).fill(0xff); }

/** A dictionary column builder sharing one complete dictionary Vector across batches. */
class DictCol {
  readonly type: ArrowDictionary<Utf8, Int32>;
  private readonly dict: Vector<Utf8>;
  constructor(values: readonly string[], id: number) {
    this.type = new ArrowDictionary(new Utf8(), new Int32(), id, false);
    // never empty: null slots hold code 0, which Polars checks against the dictionary
    this.dict = vectorFromArray(values.length ? [...values] : [''], new Utf8());
  }
  data(n: number, code: (i: number) => number): Data {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = code(i);
    const { bm, nulls } = bitmap(n, (i) => out[i]! >= 0);
    // Polars rejects negative keys even under a null bit
    if (nulls) for (let i = 0; i < n; i++) if (out[i]! < 0) out[i] = 0;
    return makeData({ type: this.type, length: n, nullCount: nulls, nullBitmap: bm, data: out, dictionary: this.dict });
  }
}

interface TableSpec<T extends { length: number }> {
  table: string;
  chunks: T[];
  columns: (ch: T) => { name: string; type: DataType; nullable: boolean; data: Data }[];
}

async function writeTable<T extends { length: number }>(path: string, spec: TableSpec<T>, metadata: Map<string, string>, emptyChunk: T): Promise<number> {
  const writer = new RecordBatchFileWriter();
  const out = createWriteStream(path);
  writer.toNodeStream().pipe(out);
  const done = once(out, 'finish');
  let schema: Schema | null = null;
  let rows = 0;
  const chunks = spec.chunks.length ? spec.chunks : [emptyChunk];
  for (const ch of chunks) {
    const cols = spec.columns(ch);
    if (!schema) {
      const md = new Map(metadata);
      md.set('es2scope.table', spec.table);
      md.set('es2scope.schema_version', String(DERIVED_SCHEMA_VERSION));
      schema = new Schema(cols.map((c) => new Field(c.name, c.type, c.nullable)), md);
    }
    const data = makeData({ type: new Struct(schema.fields), length: ch.length, nullCount: 0, children: cols.map((c) => c.data) });
    writer.write(new RecordBatch(schema, data));
    rows += ch.length;
  }
  writer.finish();
  await done;
  return rows;
}

/** Column descriptions, for the README and `analyze --help`. */
export const DERIVED_TABLES = {
  exits: 'one row per kvm_exit: exit_ns, entry_ns, dur_ns (null when the pair is broken), vm_pid, vm, vcpu, tid, cpu, reason, isa, category, device, detail, flags, broken_by_lost, trace_edge',
  irqs: 'one row per interrupt: raise_ns, accept_delay_ns, latency_ns, source, delivery, target_state, vm, target_vcpu, target_tid, vector, gsi, raiser_tid, level_triggered, flags',
  vcpu_runs: 'on-CPU intervals of vCPU threads: start_ns, dur_ns, vm, vcpu, tid, cpu, end_state, flags',
  io_kicks: 'guest notify writes (kvm_fast_mmio, kvm_mmio write, kvm_pio write): ts_ns, vm, vcpu, tid, device, in_exit',
} as const;

/** Write exits/irqs/vcpu_runs/io_kicks .arrow into `dir`; returns file -> rows. */
export async function writeDerivedTables(dir: string, r: DerivedInput, v: DerivedVocab, metadata: Map<string, string>): Promise<Record<string, number>> {
  let dictId = 0;
  const d = (values: readonly string[]) => new DictCol(values, dictId++);
  const reasonD = d(r.reasons.map((x) => x.name));
  const isaD = d(['VMX', 'SVM', 'unknown']);
  const isaOfReason = r.reasons.map((x) => ['VMX', 'SVM', 'unknown'].indexOf(x.isa));
  const catD = d(v.categories);
  const devD = d(r.devices.map((x) => x.label));
  const detD = d(r.details);
  const tVcpu = r.threads.map((t) => t.vcpu);
  const tTid = r.threads.map((t) => t.tid);
  const tVm = r.threads.map((t) => t.vm);
  const vmPid = r.vms.map((v) => v.pid);
  const out: Record<string, number> = {};

  out['exits.arrow'] = await writeTable(`${dir}/exits.arrow`, {
    table: 'exits', chunks: r.exits.chunks,
    columns: (c) => {
      const n = c.length;
      return [
        { name: 'exit_ns', type: new Int64(), nullable: false, data: i64(c.exitNs, n) },
        { name: 'entry_ns', type: new Int64(), nullable: true, data: i64Sum(c.exitNs, c.durNs, n) },
        { name: 'dur_ns', type: new Int64(), nullable: true, data: i64FromNum(c.durNs, n) },
        { name: 'vm_pid', type: new Int32(), nullable: true, data: i32(n, (i) => vmPid[tVm[c.thread[i]!]!] ?? -1, true) },
        { name: 'vm', type: new Int32(), nullable: true, data: i32(n, (i) => tVm[c.thread[i]!]!, true) },
        { name: 'vcpu', type: new Int32(), nullable: true, data: i32(n, (i) => tVcpu[c.thread[i]!]!, true) },
        { name: 'tid', type: new Int32(), nullable: false, data: i32(n, (i) => tTid[c.thread[i]!]!) },
        { name: 'cpu', type: new Int32(), nullable: true, data: i32(n, (i) => c.cpu[i]!, true) },
        { name: 'reason', type: reasonD.type, nullable: false, data: reasonD.data(n, (i) => c.reason[i]!) },
        { name: 'isa', type: isaD.type, nullable: false, data: isaD.data(n, (i) => isaOfReason[c.reason[i]!]!) },
        { name: 'category', type: catD.type, nullable: false, data: catD.data(n, (i) => c.category[i]!) },
        { name: 'device', type: devD.type, nullable: true, data: devD.data(n, (i) => c.device[i]!) },
        { name: 'detail', type: detD.type, nullable: true, data: detD.data(n, (i) => (c.detail[i]! === 0 ? -1 : c.detail[i]!)) },
        { name: 'flags', type: new Int32(), nullable: false, data: i32(n, (i) => c.flags[i]!) },
        { name: 'broken_by_lost', type: new Bool(), nullable: false, data: boolCol(n, (i) => (c.flags[i]! & v.exitFlagBrokenByLost) !== 0) },
        { name: 'trace_edge', type: new Bool(), nullable: false, data: boolCol(n, (i) => (c.flags[i]! & v.exitFlagNoEntryAtEnd) !== 0) },
      ];
    },
  }, metadata, emptyLike(r.exits.chunks[0], 'exits'));

  const srcD = d(v.irqSources), dlvD = d(v.irqDeliveries), stD = d(v.vcpuStates);
  out['irqs.arrow'] = await writeTable(`${dir}/irqs.arrow`, {
    table: 'irqs', chunks: r.irqs.chunks,
    columns: (c) => {
      const n = c.length;
      return [
        { name: 'raise_ns', type: new Int64(), nullable: false, data: i64(c.raiseNs, n) },
        { name: 'accept_delay_ns', type: new Int64(), nullable: true, data: i64FromNum(c.acceptDelayNs, n) },
        { name: 'latency_ns', type: new Int64(), nullable: true, data: i64FromNum(c.latencyNs, n) },
        { name: 'source', type: srcD.type, nullable: false, data: srcD.data(n, (i) => c.source[i]!) },
        { name: 'delivery', type: dlvD.type, nullable: false, data: dlvD.data(n, (i) => c.delivery[i]!) },
        { name: 'target_state', type: stD.type, nullable: false, data: stD.data(n, (i) => c.targetState[i]!) },
        { name: 'vm', type: new Int32(), nullable: true, data: i32(n, (i) => c.vm[i]!, true) },
        { name: 'target_vcpu', type: new Int32(), nullable: true, data: i32(n, (i) => c.targetVcpu[i]!, true) },
        { name: 'target_tid', type: new Int32(), nullable: true, data: i32(n, (i) => (c.target[i]! >= 0 ? tTid[c.target[i]!]! : -1), true) },
        { name: 'vector', type: new Int32(), nullable: true, data: i32(n, (i) => c.vector[i]!, true) },
        { name: 'gsi', type: new Int32(), nullable: true, data: i32(n, (i) => c.gsi[i]!, true) },
        { name: 'raiser_tid', type: new Int32(), nullable: true, data: i32(n, (i) => c.raiserTid[i]!, true) },
        { name: 'level_triggered', type: new Int32(), nullable: true, data: i32(n, (i) => (c.trigLevel[i] === 255 ? -1 : c.trigLevel[i]!), true) },
        { name: 'flags', type: new Int32(), nullable: false, data: i32(n, (i) => c.flags[i]!) },
      ];
    },
  }, metadata, emptyLike(r.irqs.chunks[0], 'irqs'));

  out['vcpu_runs.arrow'] = await writeTable(`${dir}/vcpu_runs.arrow`, {
    table: 'vcpu_runs', chunks: r.vcpuRuns.chunks,
    columns: (c) => {
      const n = c.length;
      return [
        { name: 'start_ns', type: new Int64(), nullable: false, data: i64(c.startNs, n) },
        { name: 'dur_ns', type: new Int64(), nullable: true, data: i64FromNum(c.durNs, n) },
        { name: 'vm', type: new Int32(), nullable: true, data: i32(n, (i) => tVm[c.thread[i]!]!, true) },
        { name: 'vcpu', type: new Int32(), nullable: true, data: i32(n, (i) => tVcpu[c.thread[i]!]!, true) },
        { name: 'tid', type: new Int32(), nullable: false, data: i32(n, (i) => tTid[c.thread[i]!]!) },
        { name: 'cpu', type: new Int32(), nullable: true, data: i32(n, (i) => c.cpu[i]!, true) },
        { name: 'end_state', type: detD.type, nullable: true, data: detD.data(n, (i) => (c.endState[i]! === 0 ? -1 : c.endState[i]!)) },
        { name: 'flags', type: new Int32(), nullable: false, data: i32(n, (i) => c.flags[i]!) },
      ];
    },
  }, metadata, emptyLike(r.vcpuRuns.chunks[0], 'runs'));

  out['io_kicks.arrow'] = await writeTable(`${dir}/io_kicks.arrow`, {
    table: 'io_kicks', chunks: r.ioKicks.chunks,
    columns: (c) => {
      const n = c.length;
      return [
        { name: 'ts_ns', type: new Int64(), nullable: false, data: i64(c.tsNs, n) },
        { name: 'vm', type: new Int32(), nullable: true, data: i32(n, (i) => (c.thread[i]! >= 0 ? tVm[c.thread[i]!]! : -1), true) },
        { name: 'vcpu', type: new Int32(), nullable: true, data: i32(n, (i) => (c.thread[i]! >= 0 ? tVcpu[c.thread[i]!]! : -1), true) },
        { name: 'tid', type: new Int32(), nullable: true, data: i32(n, (i) => (c.thread[i]! >= 0 ? tTid[c.thread[i]!]! : -1), true) },
        { name: 'device', type: devD.type, nullable: false, data: devD.data(n, (i) => c.device[i]!) },
        { name: 'in_exit', type: new Bool(), nullable: false, data: boolCol(n, (i) => c.inExit[i] === 1) },
      ];
    },
  }, metadata, emptyLike(r.ioKicks.chunks[0], 'kicks'));
  return out;
}

/** A zero-row chunk so that an empty table still gets a file with its schema. */
function emptyLike<T>(first: T | undefined, kind: 'exits' | 'irqs' | 'runs' | 'kicks'): T {
  if (first) return first; // unused: chunks is non-empty
  const z = () => new Float64Array(0);
  const e = {
    length: 0, exitNs: new BigInt64Array(0), raiseNs: new BigInt64Array(0), startNs: new BigInt64Array(0), tsNs: new BigInt64Array(0),
    durNs: z(), acceptDelayNs: z(), latencyNs: z(), thread: new Int32Array(0), cpu: new Int16Array(0), reason: new Uint16Array(0),
    category: new Uint8Array(0), flags: new Uint8Array(0), device: new Int32Array(0), detail: new Uint16Array(0),
    source: new Uint8Array(0), delivery: new Uint8Array(0), targetState: new Uint8Array(0), target: new Int32Array(0),
    targetVcpu: new Int32Array(0), vm: new Int32Array(0), vector: new Int16Array(0), gsi: new Int32Array(0),
    raiserTid: new Int32Array(0), trigLevel: new Uint8Array(0), endState: new Uint16Array(0), inExit: new Uint8Array(0),
  };
  void kind;
  return e as unknown as T;
}
