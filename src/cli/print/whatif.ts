// Terminal summary of `es2scope whatif`: parameters, per-mechanism findings, the stacked table
// (baseline, +PI, +hybrid I/O, +redirection), avoided exits by reason/device, the sweep, and the
// paper's figures side by side. Reads only the JSON summary, so --json and the terminal agree.
import { cyclesWarning, irqCountsLine, type IrqCounts } from '../../analyze/quality.js';
import type { WhatifSummary } from '../../analyze/whatif/summary.js';
import type { DeviceAdaptive } from '../../analyze/whatif/adaptive.js';

export function fmtDurNs(ns: number | null): string {
  if (ns === null) return '-';
  if (ns < 10_000) return `${Math.round(ns)} ns`;
  if (ns < 10_000_000) return `${(ns / 1_000).toFixed(1)} µs`;
  if (ns < 10_000_000_000) return `${(ns / 1_000_000).toFixed(2)} ms`;
  return `${(ns / 1_000_000_000).toFixed(3)} s`;
}
const pct = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? 'not traced' : `${(x * 100).toFixed(digits)} %`);
const times = (x: number | null): string => (x === null ? '-' : `${x.toFixed(5)}x`);

function table(head: string[], rows: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), ...rows.map(line)];
}

/** The whatif command adds these to the model summary (src/cli/commands/whatif.ts); absent in older JSON. */
type WhatifPrintable = WhatifSummary & { timeUnit?: 'ns' | 'cycles'; qualityLines?: string[]; irqCounts?: IrqCounts };

export function formatWhatif(s: WhatifPrintable): string {
  const p = s.params;
  const L: string[] = [];
  const warn = cyclesWarning(s.timeUnit);
  if (warn) L.push(warn); // first line: every "ns"/"µs" below is cycles
  const inp = s.input as { path?: string; format?: string } | null;
  L.push(`ES2 what-if: ${inp?.path ?? '?'} (${inp?.format ?? '?'})   trace window ${fmtDurNs(s.traceWindowNs)}   kvm_exit traced: ${s.exitsTraced ? 'yes' : 'NO (EHT not traced)'}   schema v${s.schemaVersion}`);
  L.push(`parameters: mechanisms=${p.mechanisms.join(',') || '(none)'}  kick_window=${fmtDurNs(p.kickWindowNs)}  eoi_unknown_trigger=${p.eoiUnknownTrigger}  `
    + (p.pollMode === 'adaptive'
      ? `poll_mode=adaptive (QEMU) poll_max=${fmtDurNs(p.pollMaxNs)} poll_grow=${p.pollGrow || '0 (x2)'} poll_shrink=${p.pollShrink || '0 (reset)'}  poller=${p.poller}  `
      : `enter_gap=${fmtDurNs(p.enterGapNs)}  idle_window=${fmtDurNs(p.idleWindowNs)}  poller=${p.poller}  `)
    + `quota=${p.quotaNs > 0 ? `${fmtDurNs(p.quotaNs)}/${fmtDurNs(p.quotaPeriodNs)}` : 'none'}  redirect_cost=${fmtDurNs(p.redirectCostNs)}  indirect_cost=${fmtDurNs(p.indirectCostNs)}/exit`);
  L.push('');
  if (s.pi) {
    if (s.pi.alreadyPosted) {
      L.push(`posted interrupts: ALREADY POSTED here (${s.pi.evidence.join('; ')}); nothing removed.`);
    } else {
      L.push(`posted interrupts: removes ${s.pi.avoided} of ${s.pi.eligible} interrupt/EOI exits `
        + `(interrupt window ${s.pi.byRule.interrupt_window}, edge EOI ${s.pi.byRule.eoi_edge}, injection kicks ${s.pi.byRule.injection_kick}; `
        + `kept: level EOI ${s.pi.eoiKeptLevel}, host external interrupts ${s.pi.externalKept}; EOI trigger assumed ${p.eoiUnknownTrigger} for ${s.pi.eoiTriggerAssumed})`);
    }
    const res = Object.entries(s.pi.residual).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    L.push(`  residual interrupt/EOI exits: ${res || 'none'}`);
  }
  if (s.hybrid) {
    L.push(`hybrid I/O: ${s.hybrid.kicksAvoided} of ${s.hybrid.kicks} kicks avoided on ${s.hybrid.devices.length} device key(s); polling CPU ${fmtDurNs(s.hybrid.pollingCpuNs)}`
      + ` (${s.traceWindowNs > 0 ? (s.hybrid.pollingCpuNs / s.traceWindowNs).toFixed(4) : '-'} CPUs over the window, poller=${p.poller})`);
    for (const d of s.hybrid.devices.slice(0, 8)) {
      const ad = 'pollNsPeak' in d ? d as DeviceAdaptive : null;
      L.push(`  ${d.vm} ${d.device}: kicks ${d.kicks}, avoided ${d.avoided}, POLL entered ${d.pollEntries}x, polling ${fmtDurNs(d.pollNs)}${d.quotaCuts ? `, quota cuts ${d.quotaCuts}` : ''}`
        + (ad ? `; poll_ns grew ${ad.grows}x, shrank ${ad.shrinks}x, peak ${fmtDurNs(ad.pollNsPeak)}, end ${fmtDurNs(ad.pollNsEnd)}` : ''));
    }
  }
  if (s.redirect) {
    const bs = Object.entries(s.redirect.byState).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
    L.push(`interrupt redirection: ${s.redirect.redirected} of ${s.redirect.eligible} device interrupts with a known target (MSI + IOAPIC non-timer; the eligible ones) redirected `
      + `(target state at raise: ${bs || '-'}; no running peer ${s.redirect.noRunningPeer}; state unknown ${s.redirect.stateUnknown})`);
  }
  L.push('');
  L.push(...table(
    ['stage', 'exits avoided', 'kicks avoided', 'dH (guest time returned)', 'EHT busy', 'EHT wall', 'thr. bound all', 'bound max vCPU', 'irq lat p50', 'p90', 'p99', 'max', 'redirected', 'polling CPU'],
    s.stages.map((st) => [
      st.name, String(st.exitsAvoided), String(st.kicksAvoided), st.dHNs === null ? 'not traced' : fmtDurNs(st.dHNs),
      pct(st.eht?.busy), pct(st.eht?.wall), times(st.throughputBoundAll), times(st.throughputBoundMaxVcpu),
      fmtDurNs(st.latency.p50Ns), fmtDurNs(st.latency.p90Ns), fmtDurNs(st.latency.p99Ns), fmtDurNs(st.latency.maxNs),
      String(st.redirected), fmtDurNs(st.pollingCpuNs),
    ]),
  ).map((l) => `  ${l}`));
  L.push('  EHT busy = H / (G + H) (share of busy vCPU time in the hypervisor); EHT wall = (H + Hh) / (G + H + Hh) (perf kvm stat basis, idle-dominated).');
  L.push(`  irq latency: raise -> delivery over ${s.stages[0]?.latency.n ?? 0} interrupt(s) with a traced raise and delivery (accept-only rows left out).`);
  L.push(`  ${s.throughputAssumption}`);
  if (s.avoidedBy.length) {
    L.push('');
    L.push('exits avoided by mechanism, reason and device:');
    L.push(...table(['mechanism', 'reason', 'device', 'exits', 'handling time'],
      s.avoidedBy.slice(0, 20).map((a) => [a.mechanism, a.reason, a.device ?? '-', String(a.exits), fmtDurNs(a.handlingNs)])).map((l) => `  ${l}`));
  }
  if (s.sweep) {
    L.push('');
    const adaptive = p.pollMode === 'adaptive';
    L.push(adaptive
      ? `sweep of poll-max-ns (hybrid I/O alone, adaptive poller, poll_grow=${p.pollGrow || '0 (x2)'} poll_shrink=${p.pollShrink || '0 (reset)'}): exits avoided vs polling CPU`
      : `sweep of idle_window (hybrid I/O alone, enter_gap=${fmtDurNs(p.enterGapNs)}): exits avoided vs polling CPU`);
    L.push(...table([adaptive ? 'poll-max-ns' : 'idle window', 'kicks avoided', 'exits avoided', 'dH', 'polling CPU', 'CPUs'],
      s.sweep.map((r) => [fmtDurNs('pollMaxNs' in r ? r.pollMaxNs : r.idleWindowNs), String(r.kicksAvoided), String(r.exitsAvoided), r.dHandlingNs === null ? 'not traced' : fmtDurNs(r.dHandlingNs),
        fmtDurNs(r.pollingCpuNs), r.pollingCpus === null ? '-' : r.pollingCpus.toFixed(4)])).map((l) => `  ${l}`));
  }
  L.push('');
  const last = s.stages.at(-1);
  L.push(`against the paper: EHT < ${pct(s.paper.ehtTcpStreamBelow, 1)} (TCP stream), < ${pct(s.paper.ehtUdpStreamBelow, 1)} (UDP stream); Memcached ${s.paper.memcachedSpeedup}x, Nginx ${s.paper.nginxSpeedup}x.`);
  L.push(`  this trace: EHT busy ${pct(s.stages[0]?.eht?.busy)} -> ${pct(last?.eht?.busy)}; throughput upper bound ${times(last?.throughputBoundAll ?? null)} (all vCPUs), ${times(last?.throughputBoundMaxVcpu ?? null)} (most-helped vCPU).`);
  L.push(`  ${s.paper.caveat}`);
  for (const n of s.notes) L.push(`note: ${n}`);
  if (s.irqCounts) L.push(irqCountsLine(s.irqCounts));
  if (s.qualityLines) {
    L.push('data quality:');
    for (const l of s.qualityLines) L.push(`  ${l}`);
  }
  return `${L.join('\n')}\n`;
}
