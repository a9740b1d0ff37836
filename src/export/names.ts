// The exported metric names, units and attribute keys: the one place a dashboard's vocabulary is
// defined. OpenTelemetry naming (dot-separated namespaces, UCUM units, no unit in the name); the
// Prometheus form (underscores, unit suffix, _total) is derived by promName() as the OTel
// "Prometheus and OpenMetrics compatibility" spec does, so both paths (scrape, OTLP into a
// Prometheus-style store) show the same names.
//
// Durations are in `ns`, not the semconv-preferred `s`: the analysis holds integer ns, and integer
// sums/counts survive the trip to a store exactly (compared EXACTLY with `es2scope stat --json`);
// sub-µs exits would otherwise become long decimal fractions.

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  name: string;
  kind: MetricKind;
  unit: string;
  description: string;
  /** Point attribute keys this metric carries (documented for dashboards; checked by tests). */
  attributes: readonly string[];
}

/** Point attribute keys. */
export const ATTR = {
  reason: 'kvm.exit.reason',
  category: 'kvm.exit.category',
  isa: 'kvm.exit.isa',
  vm: 'kvm.vm',
  vcpu: 'kvm.vcpu.id',
  halt: 'kvm.exit.halt',
  irqSource: 'kvm.irq.source',
  irqDelivery: 'kvm.irq.delivery',
  targetState: 'kvm.vcpu.state',
  ehtDefinition: 'es2.eht.definition',
  scope: 'es2.scope',
  mechanism: 'es2.mechanism',
  /** Data quality: which unpaired kind (exit_without_entry_at_end, ...; src/analyze/quality.ts). */
  unpairedKind: 'es2scope.unpaired.kind',
  /** Data quality: why a pair was left out (lost_events, rip_jump). */
  leftOutCause: 'es2scope.left_out.cause',
} as const;

/** Resource attribute keys beyond the standard service.* / host.name. */
export const RES = {
  traceFile: 'es2scope.trace.file',
  traceFormat: 'es2scope.trace.format',
  traceStartNs: 'es2scope.trace.start_ns',
  traceEndNs: 'es2scope.trace.end_ns',
  /** Offset added to trace-clock ns to get Unix-epoch ns (0 when the trace clock is the wall clock). */
  clockOffsetNs: 'es2scope.trace.clock_offset_ns',
  vm: 'kvm.vm',
  /** "ns" or "cycles" (raw TSC/counter cycles, no --tsc-hz): what every duration here counts. */
  timeUnit: 'es2scope.trace.time_unit',
} as const;

const m = (name: string, kind: MetricKind, unit: string, description: string, attributes: readonly string[]): MetricSpec =>
  ({ name, kind, unit, description, attributes });

export const METRICS = {
  exitCount: m('kvm.exit.count', 'counter', '{exit}',
    'VM exits (kvm_exit records), by reason, category, VM and vCPU',
    [ATTR.reason, ATTR.category, ATTR.vm, ATTR.vcpu]),
  exitDuration: m('kvm.exit.duration', 'histogram', 'ns',
    'Exit handling time (kvm_entry - kvm_exit) of paired exits not broken by lost events or trace edges',
    [ATTR.reason, ATTR.category, ATTR.vm]),
  ehtRatio: m('kvm.exit.handling_time.ratio', 'gauge', '1',
    'Exit handling time share (EHT): busy = H/(G+H), wall = (H+Hh)/(G+H+Hh); scope total|vm|vcpu|window',
    [ATTR.ehtDefinition, ATTR.scope, ATTR.vm, ATTR.vcpu]),
  guestTime: m('kvm.vcpu.guest.time', 'counter', 'ns',
    'Time in guest mode (G), summed over vCPUs, over the analysed windows', []),
  handlingTime: m('kvm.exit.handling.time', 'counter', 'ns',
    'Exit handling time summed over vCPUs: H (kvm.exit.halt=false) and halt time Hh (kvm.exit.halt=true)', [ATTR.halt]),
  irqLatency: m('kvm.irq.delivery.latency', 'histogram', 'ns',
    'Interrupt delivery latency: raise (MSI / set_irq / IPI) to delivery (injection or next entry when posted)',
    [ATTR.vm, ATTR.irqSource, ATTR.irqDelivery, ATTR.targetState]),
  avoidedExits: m('es2.whatif.exit.avoided', 'counter', '{exit}',
    'Exits the ES2 what-if model removes, by mechanism (pi, hybrid, redirect) and exit reason',
    [ATTR.mechanism, ATTR.reason, ATTR.vm]),
  guestTimeReturned: m('es2.whatif.guest.time.returned', 'counter', 'ns',
    'Handling time of the avoided exits, returned to the guest (dH), by mechanism', [ATTR.mechanism, ATTR.vm]),
  pollingCpu: m('es2.whatif.polling.time', 'counter', 'ns',
    'CPU time the hybrid I/O poller spends polling (cost of the avoided kicks)', [ATTR.vm]),
  ehtAfterRatio: m('es2.whatif.exit.handling_time.ratio', 'gauge', '1',
    'EHT after the what-if model (both definitions)', [ATTR.ehtDefinition]),
  irqLatencyAfter: m('es2.whatif.irq.delivery.latency', 'histogram', 'ns',
    'Interrupt delivery latency after interrupt redirection (what-if)', [ATTR.vm]),
  throughputBound: m('es2.whatif.throughput.gain.bound', 'gauge', '1',
    'Upper bound on throughput gain (G+H)/(G+H-dH) for a vCPU-bound guest whose work per request does not change', []),
  lostEvents: m('es2scope.trace.lost.events', 'counter', '{event}',
    'Events the tracer reported lost (sum of known counts)', []),
  unpaired: m('es2scope.trace.unpaired', 'gauge', '{event}',
    'kvm_exit without its kvm_entry (exit_without_entry_at_end, exit_without_entry_before_next_exit) and kvm_entry without its kvm_exit (entry_without_exit_at_start, entry_without_exit_in_middle)',
    [ATTR.unpairedKind]),
  pairsLeftOut: m('es2scope.trace.pairs.left_out', 'gauge', '{exit}',
    'Exit/entry pairs seen but left out of durations: across lost events (lost_events) or with a guest RIP jump (rip_jump)',
    [ATTR.leftOutCause]),
  timeResolution: m('es2scope.trace.time.resolution', 'gauge', 'ns',
    'Coarsest timestamp resolution of the trace (1000 for µs text); in cycles when es2scope.trace.time_unit = cycles', []),
  timeInversions: m('es2scope.trace.time.inversions', 'gauge', '{event}',
    "Rows whose ts_ns is below the previous row's on the same CPU", []),
} as const satisfies Record<string, MetricSpec>;

export const SPAN_NAMES = { exit: 'kvm.exit', irq: 'kvm.irq.delivery' } as const;

/** Default histogram boundaries in ns: 250 ns (sub-µs APIC exits) to 1 s (long halts). */
export const DURATION_BOUNDARIES_NS: readonly number[] = [
  250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
  1_000_000, 2_000_000, 5_000_000, 10_000_000, 100_000_000, 1_000_000_000,
];

// UCUM unit -> Prometheus suffix (OTel Prometheus compatibility spec, the units used here).
const PROM_UNIT: Record<string, string> = { ns: 'nanoseconds', s: 'seconds', ms: 'milliseconds', us: 'microseconds', By: 'bytes' };

/** The Prometheus name of an OTel metric: dots -> underscores, unit suffix, `_ratio` for unit 1 gauges, `_total` for counters. */
export function promName(spec: Pick<MetricSpec, 'name' | 'kind' | 'unit'>): string {
  let name = spec.name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_');
  // Annotations in braces ({exit}) are dropped by the spec.
  const unit = spec.unit.replace(/\{[^}]*\}/g, '');
  const suffix = unit === '1' ? (spec.kind === 'gauge' ? 'ratio' : '') : (PROM_UNIT[unit] ?? unit.replace(/[^a-zA-Z0-9_]/g, '_'));
  if (suffix && !name.endsWith(`_${suffix}`)) name += `_${suffix}`;
  if (spec.kind === 'counter' && !name.endsWith('_total')) name += '_total';
  return name;
}

/** The Prometheus label of an attribute key. */
export function promLabel(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}
