// The model's result laid out as tables (named columns of plain values) for Arrow output
// (src/table/whatifArrow.ts writes them). Pure. Absolute times are trace-clock ns again.
import type { TableData, TypedColumn } from '../../table/whatifArrow.js';
import { MECH_CODES, type WhatifResult, type HybridSweepRow } from './model.js';
import type { DeviceAdaptive } from './adaptive.js';
import { KICK_FLAG } from './hybrid.js';
import { positionsById } from './order.js';
import { PI_RULES } from './posted.js';
import { EXIT_CATEGORIES, emptyExits, idAt, IRQ_KINDS, NULL_I32, VCPU_STATE_NAMES, type ModelInput } from './types.js';

const KICK_STATES = ['notify', 'poll'] as const;

const gather = (col: Int32Array, pos: Int32Array): Int32Array => Int32Array.from(pos, (p) => col[p]!);
const gatherF64 = (col: Float64Array, pos: Int32Array): Float64Array => Float64Array.from(pos, (p) => col[p]!);

/** An Int32 column whose NULL_I32 rows are nulls. */
function nullableI32(name: string, data: Int32Array): TypedColumn {
  const valid = Uint8Array.from(data, (v) => (v === NULL_I32 ? 0 : 1));
  return { name, type: 'i32', data, valid };
}

/** A Float64 column whose NaN rows are nulls. */
function nullableF64(name: string, data: Float64Array): TypedColumn {
  const valid = Uint8Array.from(data, (v) => (Number.isNaN(v) ? 0 : 1));
  return { name, type: 'f64', data, valid };
}

/**
 * Absolute trace-clock ns (base + t, exact: the integer ns as bigint, as base + BigInt(t)) of the
 * rows at `pos`; NaN rows are nulls.
 */
function absColumn(base: bigint, pos: Int32Array, t: Float64Array): { data: BigInt64Array; valid: Uint8Array } {
  const data = new BigInt64Array(pos.length);
  const valid = new Uint8Array(pos.length);
  for (let k = 0; k < pos.length; k++) {
    const v = t[pos[k]!]!;
    if (Number.isNaN(v)) continue;
    data[k] = base + BigInt(v);
    valid[k] = 1;
  }
  return { data, valid };
}

export function whatifTables(input: ModelInput, r: WhatifResult, sweep: readonly HybridSweepRow[] | null): TableData[] {
  const base = input.timeBaseNs ?? 0n;
  const out: TableData[] = [];
  const st = r.stages;
  out.push({
    name: 'whatif_stages',
    doc: 'one row per stacked stage: baseline, +pi, +hybrid, +redirect (= ES2 when all are on)',
    columns: [
      { name: 'stage', type: 'utf8', values: st.map((s) => s.name) },
      { name: 'mechanisms', type: 'utf8', values: st.map((s) => s.mechanisms.join(',')) },
      { name: 'exits_avoided', type: 'i32', values: st.map((s) => s.exitsAvoided) },
      { name: 'kicks_avoided', type: 'i32', values: st.map((s) => s.kicksAvoided) },
      { name: 'd_handling_ns', type: 'f64', values: st.map((s) => s.dHandlingNs) },
      { name: 'dh_ns', type: 'f64', values: st.map((s) => s.dHNs) },
      { name: 'eht_busy', type: 'f64', values: st.map((s) => s.eht?.busy ?? null) },
      { name: 'eht_wall', type: 'f64', values: st.map((s) => s.eht?.wall ?? null) },
      { name: 'throughput_bound_all', type: 'f64', values: st.map((s) => s.throughputBoundAll) },
      { name: 'throughput_bound_max_vcpu', type: 'f64', values: st.map((s) => s.throughputBoundMaxVcpu) },
      { name: 'irq_latency_n', type: 'i32', values: st.map((s) => s.latency.n) },
      { name: 'irq_latency_p50_ns', type: 'f64', values: st.map((s) => s.latency.p50Ns) },
      { name: 'irq_latency_p90_ns', type: 'f64', values: st.map((s) => s.latency.p90Ns) },
      { name: 'irq_latency_p99_ns', type: 'f64', values: st.map((s) => s.latency.p99Ns) },
      { name: 'irq_latency_max_ns', type: 'f64', values: st.map((s) => s.latency.maxNs) },
      { name: 'redirected', type: 'i32', values: st.map((s) => s.redirected) },
      { name: 'polling_cpu_ns', type: 'f64', values: st.map((s) => s.pollingCpuNs) },
      { name: 'polling_cpus', type: 'f64', values: st.map((s) => s.pollingCpus) },
    ],
  });
  out.push({
    name: 'whatif_avoided',
    doc: 'exits avoided by mechanism, reason and device, with their handling time',
    columns: [
      { name: 'mechanism', type: 'utf8', values: r.avoidedBy.map((a) => a.mechanism) },
      { name: 'reason', type: 'utf8', values: r.avoidedBy.map((a) => a.reason) },
      { name: 'device', type: 'utf8', values: r.avoidedBy.map((a) => a.device) },
      { name: 'exits', type: 'i32', values: r.avoidedBy.map((a) => a.exits) },
      { name: 'handling_ns', type: 'f64', values: r.avoidedBy.map((a) => a.handlingNs) },
    ],
  });
  const S = input.strings;
  const E = input.exitsTraced ? input.exits : emptyExits();
  // Per-row tables are typed columns (no JS value per row); string columns are codes into the
  // input's string table or a small constant list.
  // removed exits by id (numeric order, as sort((a, b) => a - b) of the ids)
  const av = r.avoidedExits;
  const ex = Int32Array.from(av.order);
  if (E.id === null) ex.sort(); else { const id = E.id; ex.sort((a, b) => id[a]! - id[b]!); }
  const exAbs = absColumn(base, ex, E.exitNs);
  const dur = new Float64Array(ex.length);
  const durValid = new Uint8Array(ex.length);
  ex.forEach((e, k) => { const d = E.entryNs[e]! - E.exitNs[e]!; if (!Number.isNaN(d)) { dur[k] = d; durValid[k] = 1; } });
  const rule = r.pi?.rule;
  out.push({
    name: 'whatif_exits',
    doc: 'one row per avoided exit: which mechanism (and PI rule) removed it',
    columns: [
      { name: 'exit_id', type: 'i32', data: E.id === null ? ex : gather(E.id, ex) },
      { name: 'vm', type: 'utf8', codes: gather(E.vm, ex), dict: S },
      { name: 'vcpu', type: 'i32', data: gather(E.vcpu, ex) },
      { name: 'exit_ns', type: 'i64', data: exAbs.data, valid: exAbs.valid },
      { name: 'dur_ns', type: 'f64', data: dur, valid: durValid },
      { name: 'reason', type: 'utf8', codes: gather(E.reason, ex), dict: S },
      { name: 'category', type: 'utf8', codes: Int32Array.from(ex, (e) => E.category[e]!), dict: EXIT_CATEGORIES },
      { name: 'device', type: 'utf8', codes: gather(E.device, ex), dict: S },
      { name: 'mechanism', type: 'utf8', codes: Int32Array.from(ex, (e) => av.mech[e]! - 1), dict: MECH_CODES },
      { name: 'pi_rule', type: 'utf8', codes: Int32Array.from(ex, (e) => (rule ? rule[e]! - 1 : -1)), dict: PI_RULES },
    ],
  });
  if (r.hybrid) {
    const K = input.kicks;
    const flags = r.hybrid.kickFlags;
    const ks = positionsById(K);
    const ts = absColumn(base, ks, K.tsNs);
    const kf = (bit: number) => Uint8Array.from(ks, (k) => ((flags[k]! & bit) !== 0 ? 1 : 0));
    out.push({
      name: 'whatif_kicks',
      doc: 'one row per I/O kick: hybrid I/O state at the kick and whether it was avoided',
      columns: [
        { name: 'kick_id', type: 'i32', data: K.id === null ? ks : gather(K.id, ks) },
        { name: 'vm', type: 'utf8', codes: gather(K.vm, ks), dict: S },
        nullableI32('vcpu', gather(K.vcpu, ks)),
        { name: 'ts_ns', type: 'i64', data: ts.data, valid: ts.valid },
        { name: 'device', type: 'utf8', codes: gather(K.device, ks), dict: S },
        nullableI32('exit_id', gather(K.exitId, ks)),
        { name: 'state', type: 'utf8', codes: Int32Array.from(ks, (k) => (flags[k]! & KICK_FLAG.AVOIDED ? 1 : 0)), dict: KICK_STATES },
        { name: 'avoided', type: 'bool', data: kf(KICK_FLAG.AVOIDED) },
        { name: 'entered_poll', type: 'bool', data: kf(KICK_FLAG.ENTERED_POLL) },
        // adaptive poller only (fixed-mode tables keep their bytes): QEMU's poll_ns when the kick came
        ...(r.hybrid.pollNsAtKick ? [{ name: 'qemu_poll_ns', type: 'f64' as const, data: gatherF64(r.hybrid.pollNsAtKick, ks) }] : []),
      ],
    });
    const dv = r.hybrid.devices;
    out.push({
      name: 'whatif_devices',
      doc: 'hybrid I/O per device key: kicks, avoided, polling time',
      columns: [
        { name: 'vm', type: 'utf8', values: dv.map((x) => x.vm) },
        { name: 'device', type: 'utf8', values: dv.map((x) => x.device) },
        { name: 'kicks', type: 'i32', values: dv.map((x) => x.kicks) },
        { name: 'avoided', type: 'i32', values: dv.map((x) => x.avoided) },
        { name: 'poll_ns', type: 'f64', values: dv.map((x) => x.pollNs) },
        { name: 'poll_entries', type: 'i32', values: dv.map((x) => x.pollEntries) },
        { name: 'quota_cuts', type: 'i32', values: dv.map((x) => x.quotaCuts) },
        ...(r.hybrid.pollNsAtKick ? adaptiveDeviceColumns(dv as DeviceAdaptive[]) : []),
      ],
    });
  }
  if (r.redirect) {
    const Q = input.irqs;
    const d = r.redirect;
    const qs = d.byId;
    const raise = absColumn(base, qs, Q.raiseNs);
    out.push({
      name: 'whatif_irqs',
      doc: 'one row per interrupt: target state at raise, baseline latency L0, latency after redirection L',
      columns: [
        { name: 'irq_id', type: 'i32', data: Q.id === null ? qs : gather(Q.id, qs) },
        { name: 'vm', type: 'utf8', codes: gather(Q.vm, qs), dict: S },
        nullableI32('target_vcpu', gather(Q.targetVcpu, qs)),
        { name: 'raise_ns', type: 'i64', data: raise.data, valid: raise.valid },
        { name: 'kind', type: 'utf8', codes: Int32Array.from(qs, (q) => Q.kind[q]!), dict: IRQ_KINDS },
        nullableI32('vector', gather(Q.vector, qs)),
        { name: 'state', type: 'utf8', codes: Int32Array.from(qs, (q) => d.state[q]!), dict: VCPU_STATE_NAMES },
        nullableF64('l0_ns', gatherF64(d.l0Ns, qs)),
        nullableF64('l_ns', gatherF64(d.lNs, qs)),
        nullableI32('redirected_to', gather(d.redirectedTo, qs)),
      ],
    });
  }
  if (sweep) {
    out.push({
      name: 'whatif_sweep',
      doc: `hybrid I/O alone over ${sweep.length && 'pollMaxNs' in sweep[0]! ? 'poll-max-ns (adaptive poller)' : 'idle windows'}: exits avoided against polling CPU`,
      columns: [
        sweep.length && 'pollMaxNs' in sweep[0]!
          ? { name: 'poll_max_ns', type: 'f64', values: sweep.map((s) => ('pollMaxNs' in s ? s.pollMaxNs : null)) }
          : { name: 'idle_window_ns', type: 'f64', values: sweep.map((s) => ('idleWindowNs' in s ? s.idleWindowNs : null)) },
        { name: 'kicks_avoided', type: 'i32', values: sweep.map((s) => s.kicksAvoided) },
        { name: 'exits_avoided', type: 'i32', values: sweep.map((s) => s.exitsAvoided) },
        { name: 'd_handling_ns', type: 'f64', values: sweep.map((s) => s.dHandlingNs) },
        { name: 'polling_cpu_ns', type: 'f64', values: sweep.map((s) => s.pollingCpuNs) },
        { name: 'polling_cpus', type: 'f64', values: sweep.map((s) => s.pollingCpus) },
      ],
    });
  }
  return out;
}

/** whatif_devices columns of the adaptive poller: how QEMU's poll_ns moved per device key. */
function adaptiveDeviceColumns(dv: readonly DeviceAdaptive[]) {
  return [
    { name: 'poll_grows', type: 'i32' as const, values: dv.map((x) => x.grows) },
    { name: 'poll_shrinks', type: 'i32' as const, values: dv.map((x) => x.shrinks) },
    { name: 'qemu_poll_ns_peak', type: 'f64' as const, values: dv.map((x) => x.pollNsPeak) },
    { name: 'qemu_poll_ns_end', type: 'f64' as const, values: dv.map((x) => x.pollNsEnd) },
  ];
}
