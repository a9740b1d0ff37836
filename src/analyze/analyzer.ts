// The analyzer: events-table RecordBatches in (pushed one at a time, in trace order), derived
// tables out (exits, irqs, vcpu_runs, io_kicks, accesses), plus EHT and data quality. Single pass,
// pure (no I/O), state bounded per vCPU thread. Time is read as two 32-bit halves and kept as ns
// relative to the first event (a double holding an integer, exact below 2^53 ns); absolute times are
// written back from the original halves, never through floating point.
import type { RecordBatch } from 'apache-arrow';
import { LOST_EVENT } from '../../collectors/common/columns.js';
import { BatchView, DictMeanings, bool, hi64, isValid, lo64, num32, u64num, type ColumnView } from './batchView.js';
import { apicRegCategory, canonicalReason, msrCategory, ownerPidFromVhostComm, vcpuFromComm } from './categories.js';
import { EhtAccumulator } from './eht.js';
import { platformDevice } from './platformDevices.js';
import { timeUnitOf } from './quality.js';
import {
  ChunkedBuilder, newAccessesChunk, newExitsChunk, newIrqsChunk, newKicksChunk, newRunsChunk, newStatExitsChunk,
} from './tables.js';
import {
  ACCESS_KINDS, CAT, CATEGORIES, EXIT_FLAG, IRQ_DELIVERIES, IRQ_FLAG, IRQ_SOURCES, RUN_FLAG, VCPU_STATES,
  type AccessesChunk, type AnalysisResult, type AnalyzeOptions, type Analyzer, type DataQuality, type DeviceInfo,
  type ExitsChunk, type InputMeta, type IoKicksChunk, type IrqsChunk, type ReasonInfo, type ThreadInfo,
  type VcpuRunsChunk, type VmInfo,
} from './types.js';

export const ANALYSIS_SCHEMA_VERSION = 1;
/** VmInfo.labelNote of a VM derived without a host pid. */
export const DERIVED_VM_NOTE = 'derived: no pid in the trace; threads grouped so that vCPU ids are unique per VM';
const TWO32 = 4294967296;
/** Interrupts waiting for delivery per target thread before the oldest is given up (bounded state). */
const MAX_PENDING_IRQS = 256;

const enum Ev {
  Other, Exit, Entry, Lost, Msr, Apic, FastMmio, Mmio, Pio, Msi, SetIrq, ApicIpi, Accept, ApicvAccept,
  AvicDoorbell, InjVirq, Wakeup, SchedSwitch, AvicUnaccel,
}

const EVENT_KIND: Readonly<Record<string, Ev>> = {
  kvm_exit: Ev.Exit, kvm_entry: Ev.Entry, [LOST_EVENT]: Ev.Lost, kvm_msr: Ev.Msr, kvm_apic: Ev.Apic,
  kvm_fast_mmio: Ev.FastMmio, kvm_mmio: Ev.Mmio, kvm_pio: Ev.Pio, kvm_msi_set_irq: Ev.Msi, kvm_set_irq: Ev.SetIrq,
  kvm_apic_ipi: Ev.ApicIpi, kvm_apic_accept_irq: Ev.Accept, kvm_apicv_accept_irq: Ev.ApicvAccept,
  kvm_avic_doorbell: Ev.AvicDoorbell, kvm_inj_virq: Ev.InjVirq, kvm_vcpu_wakeup: Ev.Wakeup,
  sched_switch: Ev.SchedSwitch, kvm_avic_unaccelerated_access: Ev.AvicUnaccel,
};

const ACC = { mmio_write: 0, mmio_read: 1, pio_write: 2, pio_read: 3, fast_mmio: 4 } as const;
const SRC = Object.fromEntries(IRQ_SOURCES.map((s, i) => [s, i])) as Record<(typeof IRQ_SOURCES)[number], number>;
const DLV = Object.fromEntries(IRQ_DELIVERIES.map((s, i) => [s, i])) as Record<(typeof IRQ_DELIVERIES)[number], number>;
const ST = Object.fromEntries(VCPU_STATES.map((s, i) => [s, i])) as Record<(typeof VCPU_STATES)[number], number>;

/**
 * Whether the guest RIP at kvm_entry is outside [exit RIP, exit RIP + 15]. KVM re-enters at the
 * exiting instruction or just past it (x86 instructions are at most 15 bytes); interrupt and
 * exception injection happen at VM entry and leave the traced RIP alone. RIP 0 means unknown
 * (protected guests: TDX, SEV-ES).
 */
function ripJumped(exitLo: number, exitHi: number, entryLo: number, entryHi: number): boolean {
  if ((exitLo === 0 && exitHi === 0) || (entryLo === 0 && entryHi === 0)) return false;
  const sameHi = exitHi === entryHi;
  const d = entryLo - exitLo;
  if (sameHi) return d < 0 || d > 15;
  // the low word wrapped between them
  return !(entryHi === ((exitHi + 1) >>> 0) && d + 4294967296 >= 0 && d + 4294967296 <= 15);
}

interface PendingAccess { kind: number; lo: number; hi: number; rel: number; device: number }

/** One interrupt in flight (raise seen, delivery not yet). */
interface IrqInFlight {
  raiseLo: number; raiseHi: number; raiseRel: number; raisePos: number;
  acceptRel: number;
  source: number; delivery: number; targetState: number;
  target: number; targetVcpu: number; vector: number; gsi: number; raiserTid: number; raiserPid: number;
  trig: number; flags: number; posted: boolean;
}

/** Per vCPU thread state: one open exit, the last entry, run state, interrupts awaiting delivery. */
interface VThread {
  idx: number; tid: number; pid: number; vcpu: number; vcpuFrom: ThreadInfo['vcpuFrom']; comm: string;
  inExit: boolean; exitLo: number; exitHi: number; exitRipKnown: boolean; exitRipLo: number; exitRipHi: number; exitRel: number; exitPos: number; exitCpu: number;
  exitReason: number; exitCat: number; exitDevice: number; exitDetail: number; exitHalt: boolean;
  accesses: PendingAccess[];
  seenPair: boolean; lastEntryRel: number; lastEntryPos: number; lastEntryCpu: number;
  onCpu: number; // 1 on, 0 off, -1 unknown
  blocked: boolean; woken: boolean;
  runOpen: boolean; runLo: number; runHi: number; runRel: number; runPos: number; runCpu: number; runEdge: boolean;
  pending: IrqInFlight[];
}

interface Raiser { pending: IrqInFlight | null; lastAccepted: IrqInFlight | null }

export function createAnalyzer(opts: AnalyzeOptions = {}): Analyzer {
  const windowNs = opts.windowNs ?? 1e9;
  const keepExits = opts.keepExits ?? true;
  // stat --event vmexit and whatif need neither: at 10 M exits these tables are ~150 MB
  const keepKicks = opts.keepKicks ?? true;
  const keepAccesses = opts.keepAccesses ?? true;

  // ---- lookup tables -------------------------------------------------------------------------
  const threads: VThread[] = [];
  const byTid = new Map<number, VThread>();
  const reasons: ReasonInfo[] = [];
  const reasonByKey = new Map<number, number>();
  const details: string[] = [''];
  const detailIdx = new Map<string, number>([['', 0]]);
  const devices: (DeviceInfo & { pidKey: number })[] = [];
  const deviceIdx: Map<number, Map<number, number>>[] = [new Map(), new Map()]; // [mmio, pio] pid -> addr -> idx
  const raisers = new Map<number, Raiser>();
  /** Per device index: the platform device it belongs to (platformDevices.ts), null for a possible virtqueue. */
  const devPlatform: (string | null)[] = [];

  // dictionary meanings (index = dictionary code)
  const evMeaning = new DictMeanings<Ev>((s) => EVENT_KIND[s] ?? Ev.Other);
  const commVcpu = new DictMeanings<number>(vcpuFromComm);
  const commOwner = new DictMeanings<number>(ownerPidFromVhostComm);
  const nextCommVcpu = new DictMeanings<number>(vcpuFromComm);
  const isaMeaning = new DictMeanings<number>((s) => (s === 'VMX' ? 1 : s === 'SVM' ? 2 : 0));
  const reasonStr = new DictMeanings<string>((s) => s);
  const detailStr = new DictMeanings<string>((s) => s);
  const stateStr = new DictMeanings<number>((s) => detail(s));
  const stateBlocked = new DictMeanings<boolean>((s) => s.length > 0 && s[0] !== 'R');

  // ---- outputs --------------------------------------------------------------------------------
  const exits = new ChunkedBuilder<ExitsChunk>(opts.exitColumns === 'stat' ? newStatExitsChunk : newExitsChunk);
  const irqs = new ChunkedBuilder<IrqsChunk>(newIrqsChunk);
  const runs = new ChunkedBuilder<VcpuRunsChunk>(newRunsChunk);
  const kicks = new ChunkedBuilder<IoKicksChunk>(newKicksChunk);
  const accesses = new ChunkedBuilder<AccessesChunk>(newAccessesChunk);
  const halvesCache = new WeakMap<BigInt64Array, Uint32Array>();
  const eht = new EhtAccumulator(windowNs);

  const q: DataQuality = {
    lostMarkers: 0, lostEvents: 0, exitEvents: 0, entryEvents: 0, pairedExits: 0, unpairedExitsAtEnd: 0,
    entriesWithoutExitAtStart: 0, entriesWithoutExit: 0, exitsWithoutEntry: 0, exitsBrokenByLost: 0, exitsRipJump: 0,
    timeInversions: 0, timeResolutionNs: 1, firstNs: null, lastNs: null, events: 0, exitsTraced: false,
    warnings: [], notes: [],
  };
  const warnings = new Map<string, { count: number; example: string }>();
  const warn = (kind: string, example: string): void => {
    const w = warnings.get(kind);
    if (w) w.count++;
    else warnings.set(kind, { count: 1, example });
  };

  // ---- time and lost-event bookkeeping --------------------------------------------------------
  let baseLo = 0, baseHi = 0, haveBase = false;
  let lastRel = 0;
  let pos = 0; // global row index
  const lastTsByCpu: number[] = [];
  const lastLostPosByCpu: number[] = [];
  let lastLostPosNoCpu = -1;
  let lastLostPosAny = -1;
  let allMicro = true;
  let sawInjVirq = false;
  let postedDelivery = false;
  let runsBeforeIdentified = 0;

  function detail(s: string): number {
    let d = detailIdx.get(s);
    if (d === undefined) {
      d = details.length;
      if (d >= 65535) { warn('too_many_details', s); return 0; }
      details.push(s);
      detailIdx.set(s, d);
    }
    return d;
  }

  function lostBetween(sincePos: number, cpuA: number, cpuB: number): boolean {
    if (lastLostPosNoCpu > sincePos) return true;
    if (cpuA >= 0 && (lastLostPosByCpu[cpuA] ?? -1) > sincePos) return true;
    if (cpuB >= 0 && (lastLostPosByCpu[cpuB] ?? -1) > sincePos) return true;
    return false;
  }

  function thread(tid: number, pid: number, comm: string): VThread {
    let t = byTid.get(tid);
    if (!t) {
      t = {
        idx: threads.length, tid, pid, vcpu: -1, vcpuFrom: 'unknown', comm,
        inExit: false, exitLo: 0, exitHi: 0, exitRipKnown: false, exitRipLo: 0, exitRipHi: 0, exitRel: 0, exitPos: 0, exitCpu: -1, exitReason: 0, exitCat: 0,
        exitDevice: -1, exitDetail: 0, exitHalt: false, accesses: [],
        seenPair: false, lastEntryRel: -1, lastEntryPos: -1, lastEntryCpu: -1,
        onCpu: -1, blocked: false, woken: false,
        runOpen: false, runLo: 0, runHi: 0, runRel: 0, runPos: 0, runCpu: -1, runEdge: false,
        pending: [],
      };
      threads.push(t);
      byTid.set(tid, t);
      const fromName = vcpuFromComm(comm);
      if (fromName >= 0) { t.vcpu = fromName; t.vcpuFrom = 'comm'; }
    } else {
      if (t.pid < 0 && pid >= 0) t.pid = pid;
      if (!t.comm && comm) t.comm = comm;
    }
    return t;
  }

  function device(kind: 0 | 1, pidKey: number, addr: number): number {
    let m = deviceIdx[kind]!.get(pidKey);
    if (!m) deviceIdx[kind]!.set(pidKey, (m = new Map()));
    let d = m.get(addr);
    if (d === undefined) {
      d = devices.length;
      const hex = `0x${addr.toString(16)}`;
      const platform = platformDevice(kind === 0 ? 'mmio' : 'pio', addr);
      devices.push({ kind: kind === 0 ? 'mmio' : 'pio', addr: BigInt(addr), vm: -1, label: `${kind === 0 ? 'mmio' : 'pio'} ${hex}`, pidKey, platform });
      devPlatform.push(platform);
      m.set(addr, d);
    }
    return d;
  }

  function reasonIndex(key: number, name: string, isa: number, code: number): number {
    let r = reasonByKey.get(key);
    if (r === undefined) {
      const c = canonicalReason(name, isa === 1 ? 'VMX' : isa === 2 ? 'SVM' : '', code);
      r = reasons.findIndex((x) => x.name === c.name && x.isa === c.isa);
      if (r < 0) { r = reasons.length; reasons.push(c); }
      reasonByKey.set(key, r);
    }
    return r;
  }

  function putHalves(arr: BigInt64Array, row: number, lo: number, hi: number): void {
    let h = halvesCache.get(arr);
    if (!h) halvesCache.set(arr, (h = new Uint32Array(arr.buffer, arr.byteOffset, arr.length * 2)));
    h[row << 1] = lo;
    h[(row << 1) + 1] = hi;
  }

  function emitExit(t: VThread, durNs: number, flags: number): void {
    if (flags === 0) q.pairedExits++;
    if (flags & EXIT_FLAG.BROKEN_BY_LOST) q.exitsBrokenByLost++;
    if (flags & EXIT_FLAG.RIP_JUMP) q.exitsRipJump++;
    if (keepExits) {
      const ch = exits.next();
      const r = ch.length;
      putHalves(ch.exitNs, r, t.exitLo, t.exitHi);
      ch.durNs[r] = durNs;
      ch.thread[r] = t.idx;
      ch.cpu[r] = t.exitCpu;
      ch.reason[r] = t.exitReason;
      ch.category[r] = t.exitCat;
      ch.flags[r] = flags;
      ch.device[r] = t.exitDevice;
      ch.detail[r] = t.exitDetail;
      exits.commit();
    }
    for (const a of t.accesses) emitAccess(t, a, -1, flags | EXIT_FLAG.NO_ENTRY_BEFORE_NEXT_EXIT);
    t.accesses.length = 0;
  }

  function emitAccess(t: VThread, a: PendingAccess, durNs: number, flags: number): void {
    const ch = accesses.next();
    const r = ch.length;
    putHalves(ch.tsNs, r, a.lo, a.hi);
    ch.durNs[r] = flags ? -1 : durNs;
    ch.thread[r] = t.idx;
    ch.kind[r] = a.kind;
    ch.device[r] = a.device;
    ch.flags[r] = flags;
    accesses.commit();
  }

  function emitKick(t: VThread, lo: number, hi: number, dev: number): void {
    const ch = kicks.next();
    const r = ch.length;
    putHalves(ch.tsNs, r, lo, hi);
    ch.thread[r] = t.idx;
    ch.device[r] = dev;
    ch.inExit[r] = t.inExit ? 1 : 0;
    kicks.commit();
  }

  function emitIrq(x: IrqInFlight, deliveredRel: number, flags: number): void {
    const ch = irqs.next();
    const r = ch.length;
    putHalves(ch.raiseNs, r, x.raiseLo, x.raiseHi);
    const f = x.flags | flags;
    ch.acceptDelayNs[r] = x.acceptRel >= 0 ? x.acceptRel - x.raiseRel : -1;
    ch.latencyNs[r] = deliveredRel >= 0 && !(f & IRQ_FLAG.BROKEN_BY_LOST) ? deliveredRel - x.raiseRel : -1;
    ch.source[r] = x.source;
    ch.delivery[r] = deliveredRel >= 0 ? x.delivery : DLV.undelivered;
    ch.targetState[r] = x.targetState;
    ch.target[r] = x.target;
    ch.targetVcpu[r] = x.targetVcpu;
    ch.vm[r] = -1; // resolved at finish (VM identity is known only then)
    ch.vector[r] = x.vector;
    ch.gsi[r] = x.gsi;
    ch.raiserTid[r] = x.raiserTid;
    ch.trigLevel[r] = x.trig;
    ch.flags[r] = f;
    irqs.commit();
  }

  function stateOf(t: VThread): number {
    if (t.onCpu === 0) return t.blocked ? ST.halted : ST.runnable;
    if (t.inExit) return t.exitHalt && !t.woken ? ST.halted : ST.in_exit;
    if (t.seenPair) return ST.in_guest;
    return ST.unknown;
  }

  /** The vCPU thread with this vCPU id, preferring the raiser's VM; -1 when ambiguous or unknown. */
  function targetThread(vcpu: number, raiserPid: number): number {
    let found = -1, count = 0;
    for (const t of threads) {
      if (t.vcpu !== vcpu) continue;
      if (raiserPid >= 0 && t.pid === raiserPid) return t.idx;
      found = t.idx;
      count++;
    }
    return count === 1 ? found : -1;
  }

  function deliver(t: VThread, rel: number, posted: boolean, vector: number): void {
    // posted: every posted interrupt pending on t; injected: the oldest with this vector
    const p = t.pending;
    for (let k = 0; k < p.length; k++) {
      const x = p[k]!;
      if (posted ? x.posted : (vector < 0 || x.vector === vector || x.vector < 0)) {
        const lost = lastLostPosAny > x.raisePos ? IRQ_FLAG.BROKEN_BY_LOST : 0;
        if (!posted && x.delivery !== DLV.avic) x.delivery = DLV.injected;
        emitIrq(x, rel, lost);
        p.splice(k, 1);
        k--;
        if (!posted) return;
      }
    }
  }

  function newIrq(lo: number, hi: number, rel: number, source: number, vector: number, gsi: number, raiserTid: number, raiserPid: number): IrqInFlight {
    return {
      raiseLo: lo, raiseHi: hi, raiseRel: rel, raisePos: pos, acceptRel: -1, source, delivery: DLV.injected,
      targetState: ST.unknown, target: -1, targetVcpu: -1, vector, gsi, raiserTid, raiserPid, trig: 255, flags: 0, posted: false,
    };
  }

  function raiser(tid: number): Raiser {
    let r = raisers.get(tid);
    if (!r) raisers.set(tid, (r = { pending: null, lastAccepted: null }));
    return r;
  }

  function closeUnaccepted(r: Raiser): void {
    if (r.pending) emitIrq(r.pending, -1, 0);
    r.pending = null;
  }

  function enqueue(t: VThread, x: IrqInFlight): void {
    if (t.pending.length >= MAX_PENDING_IRQS) {
      warn('irq_pending_overflow', `thread ${t.tid}: more than ${MAX_PENDING_IRQS} interrupts awaiting delivery`);
      emitIrq(t.pending.shift()!, -1, 0);
    }
    t.pending.push(x);
  }

  // ---- the row loop ---------------------------------------------------------------------------
  function push(batch: RecordBatch): void {
    const v = new BatchView(batch);
    const n = v.length;
    const cTs = v.col('ts_ns'), cEv = v.col('event'), cCpu = v.col('cpu'), cPid = v.col('pid'), cTid = v.col('tid');
    const cComm = v.col('comm'), cVcpu = v.col('vcpu'), cReason = v.col('reason'), cRcode = v.col('reason_code');
    const cIsa = v.col('isa'), cGpa = v.col('gpa'), cPort = v.col('port'), cMsr = v.col('msr'), cWrite = v.col('write');
    const cVector = v.col('vector'), cApicid = v.col('apicid'), cGsi = v.col('gsi'), cLevel = v.col('level');
    const cTrig = v.col('trig_level'), cCount = v.col('count'), cDetail = v.col('detail');
    const cPrevPid = v.col('prev_pid'), cPrevState = v.col('prev_state'), cNextPid = v.col('next_pid');
    const cNextComm = v.col('next_comm'), cPrevComm = v.col('prev_comm'), cSrc = v.col('src_line'), cRip = v.col('rip');

    const evOf = evMeaning.update(cEv.dictionary);
    const commV = commVcpu.update(cComm.dictionary);
    const commO = commOwner.update(cComm.dictionary);
    const commS = detailStrOfComm(cComm);
    const nextV = nextCommVcpu.update(cNextComm.dictionary);
    const prevV = cPrevComm.dictionary ? new DictMeanings<number>(vcpuFromComm).update(cPrevComm.dictionary) : [];
    const isaOf = isaMeaning.update(cIsa.dictionary);
    reasonStr.update(cReason.dictionary);
    detailStr.update(cDetail.dictionary);
    const stOf = stateStr.update(cPrevState.dictionary);
    const stBlocked = stateBlocked.update(cPrevState.dictionary);
    const tsH = cTs.halves!;
    const evCodes = cEv.values!;

    for (let i = 0; i < n; i++, pos++) {
      const lo = tsH[(cTs.offset + i) << 1]!, hi = tsH[((cTs.offset + i) << 1) + 1]!;
      if (!haveBase) { baseLo = lo; baseHi = hi; haveBase = true; q.firstNs = (BigInt(hi) << 32n) | BigInt(lo); }
      const rel = (hi - baseHi) * TWO32 + (lo - baseLo);
      const ev = evOf[evCodes[cEv.offset + i]!]!;
      const cpu = num32(cCpu, i, -1);
      q.events++;
      if (allMicro && ((hi % 1000) * 296 + (lo % 1000)) % 1000 !== 0) allMicro = false; // 2^32 mod 1000 = 296
      if (cpu >= 0) {
        const last = lastTsByCpu[cpu];
        // one definition everywhere (src/table/eventsSummary.ts too): a row below the previous
        // row of its CPU; a concatenated trace counts once per seam, not once per later row
        if (last !== undefined && rel < last) q.timeInversions++;
        lastTsByCpu[cpu] = rel;
      }
      if (rel > lastRel) lastRel = rel;

      if (ev === Ev.Other) {
        // vCPU threads can be recognised by name on any event ("CPU 0/KVM")
        if (isValid(cComm, i)) {
          const code = cComm.values![cComm.offset + i]!;
          if (commV[code]! >= 0) {
            const tid = num32(cTid, i, num32(cPid, i, -1));
            if (tid >= 0 && !byTid.has(tid)) thread(tid, pidOf(cPid, cTid, i), commS(code));
          }
        }
        continue;
      }
      if (ev === Ev.Lost) {
        q.lostMarkers++;
        const cnt = num32(cCount, i, -1);
        if (cnt < 0) q.lostEvents = null;
        else if (q.lostEvents !== null) q.lostEvents += cnt;
        if (cpu >= 0) lastLostPosByCpu[cpu] = pos;
        else lastLostPosNoCpu = pos;
        lastLostPosAny = pos;
        eht.lostAt(rel);
        continue;
      }
      if (ev === Ev.SchedSwitch) {
        onSchedSwitch(i, lo, hi, rel, cpu);
        continue;
      }

      const tid = num32(cTid, i, num32(cPid, i, -1));
      if (tid < 0) { warn('event_without_thread', `src_line ${srcLine(cSrc, i)}`); continue; }
      const pid = pidOf(cPid, cTid, i);
      const commCode = num32(cComm, i, -1);

      switch (ev) {
        case Ev.Exit: {
          q.exitEvents++;
          q.exitsTraced = true;
          const t = thread(tid, pid, commCode >= 0 ? commS(commCode) : '');
          const pv = num32(cVcpu, i, -1);
          if (pv >= 0 && t.vcpuFrom !== 'payload') { t.vcpu = pv; t.vcpuFrom = 'payload'; }
          if (t.inExit) {
            q.exitsWithoutEntry++;
            emitExit(t, -1, EXIT_FLAG.NO_ENTRY_BEFORE_NEXT_EXIT | (lostBetween(t.exitPos, t.exitCpu, cpu) ? EXIT_FLAG.BROKEN_BY_LOST : 0));
          } else if (t.lastEntryRel >= 0 && rel >= t.lastEntryRel && !lostBetween(t.lastEntryPos, t.lastEntryCpu, cpu)) {
            eht.guest(t.idx, t.lastEntryRel, rel);
          }
          const rc = num32(cReason, i, -1);
          const code = isValid(cRcode, i) ? lo64(cRcode, i) | 0 : -1;
          const isa = isaOf[num32(cIsa, i, -1)] ?? 0;
          const key = rc >= 0 ? (rc + 1) * 4 + isa : -((code + 2) * 4 + isa);
          const r = reasonIndex(key, rc >= 0 ? reasonStr.string(rc) : String(code), isa, rc >= 0 ? code : code);
          t.inExit = true;
          t.exitLo = lo; t.exitHi = hi; t.exitRel = rel; t.exitPos = pos; t.exitCpu = cpu;
          t.exitRipKnown = isValid(cRip, i);
          if (t.exitRipKnown) { t.exitRipLo = lo64(cRip, i); t.exitRipHi = hi64(cRip, i); }
          t.exitReason = r;
          t.exitCat = CAT[reasons[r]!.category];
          t.exitHalt = t.exitCat === CAT.halt;
          t.exitDevice = -1; t.exitDetail = 0; t.woken = false;
          t.onCpu = t.onCpu === 0 ? 1 : t.onCpu; // it emitted an event: it runs
          break;
        }
        case Ev.Entry: {
          q.entryEvents++;
          q.exitsTraced = true;
          const t = thread(tid, pid, commCode >= 0 ? commS(commCode) : '');
          const pv = num32(cVcpu, i, -1);
          if (pv >= 0 && t.vcpuFrom !== 'payload') { t.vcpu = pv; t.vcpuFrom = 'payload'; }
          if (t.inExit) {
            let flags = 0;
            let dur = rel - t.exitRel;
            if (dur < 0) { flags |= EXIT_FLAG.TIME_INVERSION; dur = -1; }
            if (lostBetween(t.exitPos, t.exitCpu, cpu)) { flags |= EXIT_FLAG.BROKEN_BY_LOST; dur = -1; }
            if (t.exitRipKnown && isValid(cRip, i) && ripJumped(t.exitRipLo, t.exitRipHi, lo64(cRip, i), hi64(cRip, i))) {
              flags |= EXIT_FLAG.RIP_JUMP; dur = -1;
            }
            if (flags === 0) eht.exit(t.idx, t.exitHalt, t.exitRel, rel);
            // accesses first: emitExit would close them as broken
            for (const a of t.accesses) emitAccess(t, a, rel - a.rel, flags);
            t.accesses.length = 0;
            emitExit(t, dur, flags);
          } else if (!t.seenPair) q.entriesWithoutExitAtStart++;
          else q.entriesWithoutExit++;
          t.seenPair = true;
          t.inExit = false;
          t.lastEntryRel = rel; t.lastEntryPos = pos; t.lastEntryCpu = cpu;
          t.onCpu = 1; t.blocked = false;
          if (t.pending.length) {
            deliver(t, rel, true, -1);
            if (!sawInjVirq) while (t.pending.some((x) => !x.posted)) deliver(t, rel, false, -1);
          }
          break;
        }
        case Ev.Msr: {
          const t = byTid.get(tid);
          if (!t || !t.inExit || !isValid(cMsr, i)) break;
          // only an MSR exit is decided by its kvm_msr (KVM also emulates MSR writes inside other exits)
          if (t.exitCat !== CAT.msr) break;
          const m = msrCategory(cMsr.values![cMsr.offset + i]! >>> 0, bool(cWrite, i) === 1);
          t.exitDetail = detail(m.detail);
          if (m.category) t.exitCat = CAT[m.category];
          break;
        }
        case Ev.Apic: case Ev.AvicUnaccel: {
          const t = byTid.get(tid);
          if (!t || !t.inExit) break;
          if (t.exitCat !== CAT.other) break; // APIC_WRITE / APIC_ACCESS / avic_unaccelerated_access
          const reg = detailStr.string(num32(cDetail, i, -1));
          if (reg) t.exitDetail = detail(reg);
          const c = apicRegCategory(reg, bool(cWrite, i) !== 0);
          if (c) t.exitCat = CAT[c];
          break;
        }
        case Ev.FastMmio: case Ev.Mmio: case Ev.Pio: {
          const t = thread(tid, pid, commCode >= 0 ? commS(commCode) : '');
          let kind: number, dev: number;
          if (ev === Ev.Pio) {
            const port = num32(cPort, i, -1);
            if (port < 0) { warn('pio_without_port', `src_line ${srcLine(cSrc, i)}`); break; }
            dev = device(1, t.pid, port);
            kind = bool(cWrite, i) === 1 ? ACC.pio_write : ACC.pio_read;
          } else {
            if (!isValid(cGpa, i)) { warn('mmio_without_gpa', `src_line ${srcLine(cSrc, i)}`); break; }
            dev = device(0, t.pid, u64num(cGpa, i));
            if (ev === Ev.FastMmio) kind = ACC.fast_mmio;
            else {
              const ty = detailStr.string(num32(cDetail, i, -1));
              kind = ty === 'write' || bool(cWrite, i) === 1 ? ACC.mmio_write : ACC.mmio_read;
            }
          }
          const isWrite = kind === ACC.mmio_write || kind === ACC.pio_write || kind === ACC.fast_mmio;
          // fast MMIO is always an ioeventfd kick; writes to KVM-emulated platform devices are not
          if (isWrite && keepKicks && (kind === ACC.fast_mmio || devPlatform[dev] === null)) emitKick(t, lo, hi, dev);
          if (!t.inExit) break;
          t.exitDevice = dev;
          if (t.exitCat === CAT.mmu || t.exitCat === CAT.io_request || t.exitCat === CAT.other) t.exitCat = CAT.io_request;
          if (!keepAccesses) break;
          if (kind === ACC.mmio_read) {
            // perf kvm stat: MMIO read = kvm_exit -> kvm_mmio(R)
            const flags = lostBetween(t.exitPos, t.exitCpu, cpu) ? EXIT_FLAG.BROKEN_BY_LOST : 0;
            emitAccess(t, { kind, lo: t.exitLo, hi: t.exitHi, rel: t.exitRel, device: dev }, rel - t.exitRel, flags);
          } else if (t.accesses.length < 16) t.accesses.push({ kind, lo, hi, rel, device: dev });
          break;
        }
        case Ev.Msi: case Ev.SetIrq: case Ev.ApicIpi: {
          if (ev === Ev.SetIrq && num32(cLevel, i, 1) === 0) break; // de-assert of a level line
          const r = raiser(tid);
          closeUnaccepted(r);
          const src = ev === Ev.Msi ? SRC.msi : ev === Ev.SetIrq ? SRC.set_irq : SRC.ipi;
          const ownerPid = pid >= 0 ? pid : (commCode >= 0 ? commO[commCode]! : -1);
          const x = newIrq(lo, hi, rel, src, num32(cVector, i, -1), ev === Ev.SetIrq ? num32(cGsi, i, -1) : -1, tid, ownerPid >= 0 ? ownerPid : (byTid.get(tid)?.pid ?? -1));
          x.targetVcpu = ev === Ev.SetIrq ? -1 : num32(cApicid, i, -1);
          r.pending = x;
          break;
        }
        case Ev.Accept: {
          const r = raiser(tid);
          const vec = num32(cVector, i, -1);
          const apicid = num32(cApicid, i, -1);
          let x = r.pending;
          if (x && (x.vector < 0 || x.vector === vec)) r.pending = null;
          else {
            const ownerPid = pid >= 0 ? pid : (commCode >= 0 ? commO[commCode]! : -1);
            x = newIrq(lo, hi, rel, SRC.accept_only, vec, -1, tid, ownerPid);
            x.flags |= IRQ_FLAG.NO_RAISE;
          }
          x.acceptRel = rel;
          x.vector = vec;
          x.targetVcpu = apicid;
          const tr = bool(cTrig, i);
          x.trig = tr < 0 ? 255 : tr;
          x.target = apicid >= 0 ? targetThread(apicid, x.raiserPid) : -1;
          r.lastAccepted = x;
          if (x.target < 0) { emitIrq(x, -1, 0); break; }
          const t = threads[x.target]!;
          x.targetState = stateOf(t);
          enqueue(t, x);
          break;
        }
        case Ev.ApicvAccept: case Ev.AvicDoorbell: {
          postedDelivery = true;
          const r = raisers.get(tid);
          const x = r?.lastAccepted;
          if (!x || x.posted) break;
          x.posted = true;
          x.delivery = ev === Ev.ApicvAccept ? DLV.posted : DLV.avic;
          if (x.target < 0) break; // already emitted: target unknown
          const t = threads[x.target]!;
          // A vCPU in guest mode takes a posted interrupt at once (no tracepoint): delivered now.
          if (stateOf(t) === ST.in_guest) {
            const k = t.pending.indexOf(x);
            if (k >= 0) t.pending.splice(k, 1);
            emitIrq(x, rel, lastLostPosAny > x.raisePos ? IRQ_FLAG.BROKEN_BY_LOST : 0);
          }
          break;
        }
        case Ev.InjVirq: {
          sawInjVirq = true;
          const t = byTid.get(tid);
          if (t && t.pending.length) deliver(t, rel, false, num32(cVector, i, -1));
          break;
        }
        case Ev.Wakeup: {
          const t = byTid.get(tid);
          if (t) { t.woken = true; t.onCpu = 1; t.blocked = false; }
          break;
        }
        default: break;
      }
    }

    function onSchedSwitch(i: number, lo: number, hi: number, rel: number, cpu: number): void {
      const prev = num32(cPrevPid, i, -1);
      const next = num32(cNextPid, i, -1);
      if (prev > 0) {
        let t = byTid.get(prev);
        const pc = num32(cPrevComm, i, -1);
        if (!t && pc >= 0 && (prevV[pc] ?? -1) >= 0) t = thread(prev, -1, cPrevComm.dictionary!.get(pc) as string);
        const stCode = num32(cPrevState, i, -1);
        if (t) {
          const startRel = t.runOpen ? t.runRel : 0;
          const flags = (t.runOpen ? 0 : RUN_FLAG.STARTS_AT_EDGE) |
            (t.runOpen && lostBetween(t.runPos, t.runCpu, cpu) ? RUN_FLAG.BROKEN_BY_LOST : 0);
          emitRun(t, t.runOpen ? t.runLo : baseLo, t.runOpen ? t.runHi : baseHi, rel - startRel, cpu, stCode >= 0 ? stOf[stCode]! : 0, flags);
          t.runOpen = false;
          t.onCpu = 0;
          t.blocked = stCode >= 0 ? stBlocked[stCode]! : false;
        }
      }
      if (next > 0) {
        let t = byTid.get(next);
        const nc = num32(cNextComm, i, -1);
        if (!t && nc >= 0 && nextV[nc]! >= 0) t = thread(next, -1, cNextComm.dictionary!.get(nc) as string);
        if (t) {
          t.runOpen = true; t.runLo = lo; t.runHi = hi; t.runRel = rel; t.runPos = pos; t.runCpu = cpu;
          t.onCpu = 1; t.blocked = false;
        } else runsBeforeIdentified++;
      }
    }
  }

  function emitRun(t: VThread, lo: number, hi: number, durNs: number, cpu: number, endState: number, flags: number): void {
    const ch = runs.next();
    const r = ch.length;
    putHalves(ch.startNs, r, lo, hi);
    ch.durNs[r] = durNs;
    ch.thread[r] = t.idx;
    ch.cpu[r] = cpu;
    ch.endState[r] = endState;
    ch.flags[r] = flags;
    runs.commit();
  }

  // ---- finish ---------------------------------------------------------------------------------
  function finish(input: InputMeta | null): AnalysisResult {
    // trace edges: open exits, open runs, interrupts never delivered
    for (const t of threads) {
      if (t.inExit) {
        q.unpairedExitsAtEnd++;
        emitExit(t, -1, EXIT_FLAG.NO_ENTRY_AT_END);
        t.inExit = false;
      }
      if (t.runOpen) emitRun(t, t.runLo, t.runHi, lastRel - t.runRel, t.runCpu, 0, RUN_FLAG.ENDS_AT_EDGE);
      for (const x of t.pending) emitIrq(x, -1, IRQ_FLAG.NO_DELIVERY_AT_END);
      t.pending.length = 0;
    }
    for (const r of raisers.values()) if (r.pending) emitIrq(r.pending, -1, IRQ_FLAG.NO_DELIVERY_AT_END);

    // VM identity: host pid when known; otherwise derived groups in which vCPU ids are unique.
    const vms: VmInfo[] = [];
    const vmOfPid = new Map<number, number>();
    const threadVm: number[] = [];
    const derived: Set<number>[] = [];
    for (const t of threads) {
      let vm: number;
      if (t.pid >= 0) {
        vm = vmOfPid.get(t.pid) ?? -1;
        if (vm < 0) {
          vm = vms.length;
          vms.push({ pid: t.pid, label: `pid ${t.pid}`, from: 'pid', threads: [] });
          vmOfPid.set(t.pid, vm);
        }
      } else {
        let g = derived.findIndex((s) => t.vcpu < 0 || !s.has(t.vcpu));
        if (g < 0) { g = derived.length; derived.push(new Set()); }
        if (t.vcpu >= 0) derived[g]!.add(t.vcpu);
        // short label (metric label, chart legend); the why is in labelNote, shown once in data quality
        const label = `vm${g}`;
        vm = vms.findIndex((x) => x.from === 'derived' && x.label === label);
        if (vm < 0) { vm = vms.length; vms.push({ pid: -1, label, labelNote: DERIVED_VM_NOTE, from: 'derived', threads: [] }); }
      }
      vms[vm]!.threads.push(t.idx);
      threadVm.push(vm);
    }
    const onlyVm = vms.length === 1 ? 0 : -1;
    const outDevices: DeviceInfo[] = devices.map(({ pidKey, ...d }) => ({ ...d, vm: pidKey >= 0 ? (vmOfPid.get(pidKey) ?? onlyVm) : onlyVm }));

    const irqTable = irqs.finish();
    for (const ch of irqTable.chunks) {
      for (let r = 0; r < ch.length; r++) ch.vm[r] = ch.target[r]! >= 0 ? threadVm[ch.target[r]!]! : -1;
    }

    q.timeUnit = timeUnitOf(input?.diagnostics);
    q.timeResolutionNs = input?.diagnostics?.timePrecisionNs ?? (allMicro && q.events > 0 ? 1000 : 1);
    q.lastNs = haveBase ? ((BigInt(baseHi) << 32n) | BigInt(baseLo)) + BigInt(lastRel) : null;
    q.warnings = [...warnings].map(([kind, w]) => ({ kind, ...w }));
    if (!q.exitsTraced) q.notes.push('exits not traced: no kvm_exit/kvm_entry in this trace; EHT is unknown (not 0); io_kicks still show the request path');
    if (runsBeforeIdentified > 0) q.notes.push(`${runsBeforeIdentified} sched_switch-in of threads not (yet) known as vCPU threads were not counted as vCPU runs`);
    if (input?.diagnostics?.notes?.some((s) => /GUEST/i.test(s))) q.notes.push('a trace.dat GUEST map is present; vCPU ids come from payload/thread names first');
    if (q.timeResolutionNs >= 1000) q.notes.push(`timestamps have ${q.timeResolutionNs} ns resolution: exits shorter than that read as 0 or ${q.timeResolutionNs} ns`);

    const baseNs = q.firstNs ?? 0n;
    return {
      schemaVersion: ANALYSIS_SCHEMA_VERSION,
      input,
      exits: exits.finish(),
      irqs: irqTable,
      vcpuRuns: runs.finish(),
      ioKicks: kicks.finish(),
      accesses: accesses.finish(),
      threads: threads.map((t) => ({ tid: t.tid, vm: threadVm[t.idx]!, vcpu: t.vcpu, comm: t.comm, vcpuFrom: t.vcpuFrom })),
      vms,
      reasons,
      devices: outDevices,
      details,
      eht: eht.result(q.exitsTraced, threadVm, vms.length, baseNs, lastRel),
      quality: q,
      postedDelivery,
    };
  }

  return { push, finish };

  // comm strings are only needed when a thread is first registered
  function detailStrOfComm(c: ColumnView): (code: number) => string {
    return (code) => String(c.dictionary?.get(code) ?? '');
  }
}

function pidOf(cPid: ColumnView, cTid: ColumnView, i: number): number {
  // pid is the tgid only when the format also gives a tid; otherwise it is the thread itself
  return isValid(cTid, i) ? num32(cPid, i, -1) : -1;
}

function srcLine(c: ColumnView, i: number): number {
  return isValid(c, i) ? hi64(c, i) * TWO32 + lo64(c, i) : -1;
}

export { CATEGORIES, ACCESS_KINDS };
