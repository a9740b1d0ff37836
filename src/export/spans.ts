// The longest exits and interrupt deliveries as OTel spans, with the trace's own start/end times
// (the tracing API takes explicit times, so the SDK's Tracer is used as is), all children of one
// root span covering the trace, so a trace viewer draws them on the trace's timeline.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { CATEGORIES, IRQ_DELIVERIES, IRQ_SOURCES, VCPU_STATES, type AnalysisResult } from '../analyze/types.js';
import { vmLabel } from '../analyze/whatif/fromAnalysis.js';
import { traceHrTime, type ClockMapping } from './clock.js';
import { ATTR, SPAN_NAMES } from './names.js';

export interface SpanOptions {
  /** Only exits / deliveries at least this long. */
  thresholdNs: number;
  /** At most this many of each kind (the longest). */
  maxPerKind: number;
  clock: ClockMapping;
}

interface Candidate { chunk: number; row: number; durNs: number }

/** The `max` longest rows with duration >= threshold, longest first (ties: earlier row first). */
export function longest(durs: Iterable<{ chunk: number; row: number; durNs: number }>, thresholdNs: number, max: number): Candidate[] {
  let kept: Candidate[] = [];
  for (const c of durs) {
    if (c.durNs < thresholdNs || c.durNs < 0) continue;
    kept.push({ chunk: c.chunk, row: c.row, durNs: c.durNs });
    if (kept.length > 4 * max + 1024) kept = sortTrim(kept, max);
  }
  return sortTrim(kept, max);
}

function sortTrim(c: Candidate[], max: number): Candidate[] {
  return c.sort((x, y) => y.durNs - x.durNs || x.chunk - y.chunk || x.row - y.row).slice(0, max);
}

function* exitDurations(a: AnalysisResult) {
  for (let k = 0; k < a.exits.chunks.length; k++) {
    const ch = a.exits.chunks[k]!;
    for (let i = 0; i < ch.length; i++) if (ch.flags[i] === 0) yield { chunk: k, row: i, durNs: ch.durNs[i]! };
  }
}

function* irqLatencies(a: AnalysisResult) {
  for (let k = 0; k < a.irqs.chunks.length; k++) {
    const ch = a.irqs.chunks[k]!;
    for (let i = 0; i < ch.length; i++) if (ch.flags[i] === 0) yield { chunk: k, row: i, durNs: ch.latencyNs[i]! };
  }
}

/** Emit the spans on `tracer`; returns how many of each kind. */
export function emitSpans(a: AnalysisResult, tracer: Tracer, o: SpanOptions): { exits: number; irqs: number } {
  const t = (ns: bigint) => traceHrTime(ns, o.clock);
  const firstNs = a.quality.firstNs ?? 0n;
  const lastNs = a.quality.lastNs ?? firstNs;
  const root = tracer.startSpan('es2scope.trace', { kind: SpanKind.INTERNAL, startTime: t(firstNs), attributes: {
    'es2scope.span.threshold_ns': o.thresholdNs,
  } });
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const exits = longest(exitDurations(a), o.thresholdNs, o.maxPerKind);
  for (const c of exits) {
    const ch = a.exits.chunks[c.chunk]!;
    const th = a.threads[ch.thread[c.row]!];
    const vm = vmLabel(a, th ? th.vm : -1);
    const reason = a.reasons[ch.reason[c.row]!]?.name ?? 'unknown';
    const exitNs = ch.exitNs[c.row]!;
    const attrs: Attributes = {
      [ATTR.reason]: reason, [ATTR.category]: CATEGORIES[ch.category[c.row]!] ?? 'other', [ATTR.vm]: vm,
      [ATTR.vcpu]: th?.vcpu ?? -1, 'thread.id': th?.tid ?? -1, 'cpu.logical_number': ch.cpu[c.row]!,
      'kvm.exit.duration_ns': c.durNs, 'es2scope.trace.ts_ns': exitNs.toString(),
    };
    const dev = ch.device[c.row]!;
    if (dev >= 0 && a.devices[dev]) attrs['kvm.device'] = a.devices[dev]!.label;
    const det = ch.detail[c.row]!;
    if (det > 0 && a.details[det]) attrs['kvm.exit.detail'] = a.details[det]!;
    const s = tracer.startSpan(SPAN_NAMES.exit, { kind: SpanKind.INTERNAL, startTime: t(exitNs), attributes: attrs }, ctx);
    s.setStatus({ code: SpanStatusCode.UNSET });
    s.end(t(exitNs + BigInt(c.durNs)));
  }
  const irqs = longest(irqLatencies(a), o.thresholdNs, o.maxPerKind);
  for (const c of irqs) {
    const ch = a.irqs.chunks[c.chunk]!;
    const raiseNs = ch.raiseNs[c.row]!;
    const vmI = ch.vm[c.row]!;
    const attrs: Attributes = {
      [ATTR.vm]: vmLabel(a, vmI),
      [ATTR.vcpu]: ch.targetVcpu[c.row]!, [ATTR.irqSource]: IRQ_SOURCES[ch.source[c.row]!] ?? 'unknown',
      [ATTR.irqDelivery]: IRQ_DELIVERIES[ch.delivery[c.row]!] ?? 'unknown', [ATTR.targetState]: VCPU_STATES[ch.targetState[c.row]!] ?? 'unknown',
      'kvm.irq.vector': ch.vector[c.row]!, 'kvm.irq.gsi': ch.gsi[c.row]!, 'kvm.irq.raiser_tid': ch.raiserTid[c.row]!,
      'kvm.irq.accept_delay_ns': ch.acceptDelayNs[c.row]!, 'kvm.irq.latency_ns': c.durNs, 'es2scope.trace.ts_ns': raiseNs.toString(),
    };
    tracer.startSpan(SPAN_NAMES.irq, { kind: SpanKind.INTERNAL, startTime: t(raiseNs), attributes: attrs }, ctx).end(t(raiseNs + BigInt(c.durNs)));
  }
  root.setAttributes({ 'es2scope.span.exits': exits.length, 'es2scope.span.irqs': irqs.length });
  root.end(t(lastNs));
  return { exits: exits.length, irqs: irqs.length };
}
