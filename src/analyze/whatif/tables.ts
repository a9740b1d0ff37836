// The model's result laid out as tables (named columns of plain values) for Arrow output
// (src/table/whatifArrow.ts writes them). Pure. Absolute times are trace-clock ns again.
import type { TableData } from '../../table/whatifArrow.js';
import type { WhatifResult, SweepRow } from './model.js';
import { positionOfId } from './order.js';
import type { ModelInput } from './types.js';

const abs = (base: bigint, t: number | null): bigint | null => (t === null ? null : base + BigInt(t));

export function whatifTables(input: ModelInput, r: WhatifResult, sweep: readonly SweepRow[] | null): TableData[] {
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
  const exitPos = positionOfId(input.exits);
  const ids = Float64Array.from(r.avoidedExits.keys()).sort(); // numeric order, as sort((a, b) => a - b)
  const ex = Array.from(ids, (id) => input.exits[exitPos(id)]!);
  out.push({
    name: 'whatif_exits',
    doc: 'one row per avoided exit: which mechanism (and PI rule) removed it',
    columns: [
      { name: 'exit_id', type: 'i32', values: Array.from(ids) },
      { name: 'vm', type: 'utf8', values: ex.map((e) => e.vm) },
      { name: 'vcpu', type: 'i32', values: ex.map((e) => e.vcpu) },
      { name: 'exit_ns', type: 'i64', values: ex.map((e) => abs(base, e.exitNs)) },
      { name: 'dur_ns', type: 'f64', values: ex.map((e) => (e.entryNs === null ? null : e.entryNs - e.exitNs)) },
      { name: 'reason', type: 'utf8', values: ex.map((e) => e.reason) },
      { name: 'category', type: 'utf8', values: ex.map((e) => e.category) },
      { name: 'device', type: 'utf8', values: ex.map((e) => e.device) },
      { name: 'mechanism', type: 'utf8', values: Array.from(ids, (id) => r.avoidedExits.get(id)!) },
      { name: 'pi_rule', type: 'utf8', values: Array.from(ids, (id) => r.pi?.avoided.get(id) ?? null) },
    ],
  });
  if (r.hybrid) {
    const kickPos = positionOfId(input.kicks);
    const d = r.hybrid.decisions;
    const ks = d.map((x) => input.kicks[kickPos(x.kickId)]!);
    out.push({
      name: 'whatif_kicks',
      doc: 'one row per I/O kick: hybrid I/O state at the kick and whether it was avoided',
      columns: [
        { name: 'kick_id', type: 'i32', values: d.map((x) => x.kickId) },
        { name: 'vm', type: 'utf8', values: ks.map((k) => k.vm) },
        { name: 'vcpu', type: 'i32', values: ks.map((k) => k.vcpu) },
        { name: 'ts_ns', type: 'i64', values: ks.map((k) => abs(base, k.tsNs)) },
        { name: 'device', type: 'utf8', values: ks.map((k) => k.device) },
        { name: 'exit_id', type: 'i32', values: ks.map((k) => k.exitId) },
        { name: 'state', type: 'utf8', values: d.map((x) => x.state) },
        { name: 'avoided', type: 'bool', values: d.map((x) => x.avoided) },
        { name: 'entered_poll', type: 'bool', values: d.map((x) => x.enteredPoll) },
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
      ],
    });
  }
  if (r.redirect) {
    const irqPos = positionOfId(input.irqs);
    const d = r.redirect.decisions;
    const qs = d.map((x) => input.irqs[irqPos(x.irqId)]!);
    out.push({
      name: 'whatif_irqs',
      doc: 'one row per interrupt: target state at raise, baseline latency L0, latency after redirection L',
      columns: [
        { name: 'irq_id', type: 'i32', values: d.map((x) => x.irqId) },
        { name: 'vm', type: 'utf8', values: qs.map((q) => q.vm) },
        { name: 'target_vcpu', type: 'i32', values: qs.map((q) => q.targetVcpu) },
        { name: 'raise_ns', type: 'i64', values: qs.map((q) => abs(base, q.raiseNs)) },
        { name: 'kind', type: 'utf8', values: qs.map((q) => q.kind) },
        { name: 'vector', type: 'i32', values: qs.map((q) => q.vector) },
        { name: 'state', type: 'utf8', values: d.map((x) => x.state) },
        { name: 'l0_ns', type: 'f64', values: d.map((x) => x.l0Ns) },
        { name: 'l_ns', type: 'f64', values: d.map((x) => x.lNs) },
        { name: 'redirected_to', type: 'i32', values: d.map((x) => x.redirectedTo) },
      ],
    });
  }
  if (sweep) {
    out.push({
      name: 'whatif_sweep',
      doc: 'hybrid I/O alone over idle windows: exits avoided against polling CPU',
      columns: [
        { name: 'idle_window_ns', type: 'f64', values: sweep.map((s) => s.idleWindowNs) },
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
