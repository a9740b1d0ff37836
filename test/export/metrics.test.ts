// The OTel mapping, checked through the SDK's in-memory exporter: names, units, attributes, and
// points that carry the trace's own time windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { ExportResultCode } from '@opentelemetry/core';
import { clockMapping, hrTimeOf } from '../../src/export/clock.js';
import { buildMetrics } from '../../src/export/metrics.js';
import { ATTR, METRICS, promName } from '../../src/export/names.js';
import { prometheusText } from '../../src/export/prometheus.js';
import { fixtureAnalysis, T0 } from './fixture.js';

const NOW = 1_750_000_000_000_000_000n;

async function exported() {
  const a = fixtureAnalysis();
  const clock = clockMapping(a.quality.firstNs!, a.quality.lastNs!, 'auto', NOW);
  const built = buildMetrics(a, {
    avoided: [{ mechanism: 'hybrid', reason: 'EPT_MISCONFIG', vm: 'pid 100', count: 1, returnedNs: 600 }],
    pollingNs: [{ vm: 'pid 100', ns: 40_000 }], ehtAfter: { busy: 0.05, wall: 0.9 },
    irqLatencyAfterNs: [{ vm: 'pid 100', latencyNs: 1_000 }], throughputGainBound: 1.25,
  }, { resource: resourceFromAttributes({ 'service.name': 'es2scope' }), clock });
  const mem = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const code = await new Promise<number>((r) => mem.export(built.resourceMetrics, (res) => r(res.code)));
  assert.equal(code, ExportResultCode.SUCCESS);
  const metrics = new Map<string, MetricData>(mem.getMetrics()[0]!.scopeMetrics[0]!.metrics.map((m) => [m.descriptor.name, m]));
  return { a, clock, built, metrics };
}

test('names and units follow OpenTelemetry naming; every exported metric is declared in names.ts', async () => {
  const { metrics } = await exported();
  const declared = new Map(Object.values(METRICS).map((s) => [s.name, s]));
  for (const [name, m] of metrics) {
    const spec = declared.get(name);
    assert.ok(spec, `${name} is declared`);
    assert.equal(m.descriptor.unit, spec.unit, name);
    assert.match(name, /^[a-z0-9_]+(\.[a-z0-9_]+)+$/, 'dot-separated lower-case namespaces');
    for (const p of m.dataPoints) for (const k of Object.keys(p.attributes)) assert.ok(spec.attributes.includes(k), `${name} carries only declared attributes (${k})`);
  }
  assert.equal(metrics.get('kvm.exit.duration')!.descriptor.unit, 'ns');
  assert.equal(promName(METRICS.exitDuration), 'kvm_exit_duration_nanoseconds');
  assert.equal(promName(METRICS.exitCount), 'kvm_exit_count_total');
  assert.equal(promName(METRICS.ehtRatio), 'kvm_exit_handling_time_ratio');
});

test('boot-clock trace: points are cumulative per 1 s window, start at the trace start, and the trace end lands at export time', async () => {
  const { metrics, clock } = await exported();
  assert.equal(clock.offsetNs, NOW - (T0 + 3_000_000_000n - 1n));
  const counts = metrics.get('kvm.exit.count')!;
  assert.equal(counts.dataPointType, DataPointType.SUM);
  const apic0 = (counts.dataPoints as DataPoint<number>[]).filter((p) => p.attributes[ATTR.reason] === 'APIC_WRITE' && p.attributes[ATTR.vcpu] === 0);
  // APIC_WRITE on vCPU 0: 1 exit in window 0, none in 1, 2 in window 2 (one broken by lost events still counts as an exit).
  assert.deepEqual(apic0.map((p) => p.value), [1, 1, 3]);
  for (const p of apic0) assert.deepEqual(p.startTime, hrTimeOf(T0 + clock.offsetNs));
  assert.deepEqual(apic0.map((p) => p.endTime), [T0 + 1_000_000_000n, T0 + 2_000_000_000n, T0 + 3_000_000_000n - 1n].map((t) => hrTimeOf(t + clock.offsetNs)));
  assert.deepEqual(apic0[2]!.endTime, hrTimeOf(NOW));
});

test('broken pairs count as exits but stay out of the handling-time histogram; 250 ns falls in the le=250 bucket', async () => {
  const { metrics } = await exported();
  const h = metrics.get('kvm.exit.duration')!.dataPoints as DataPoint<Histogram>[];
  const apicLast = h.filter((p) => p.attributes[ATTR.reason] === 'APIC_WRITE').at(-1)!;
  assert.equal(apicLast.value.count, 3);
  assert.equal(apicLast.value.sum, 2_000 + 1_500 + 250);
  assert.equal(apicLast.value.min, 250);
  assert.equal(apicLast.value.buckets.counts[0], 1);
  assert.equal(apicLast.value.buckets.counts.reduce((x, y) => x + y, 0), 3);
});

test('EHT: both definitions, total at the trace end, windows with their own start/end; a window hit by lost events is left out', async () => {
  const { metrics, clock } = await exported();
  const pts = metrics.get('kvm.exit.handling_time.ratio')!.dataPoints as DataPoint<number>[];
  const total = pts.filter((p) => p.attributes[ATTR.scope] === 'total');
  assert.deepEqual(total.map((p) => p.attributes[ATTR.ehtDefinition]).sort(), ['busy', 'wall']);
  assert.equal(total.find((p) => p.attributes[ATTR.ehtDefinition] === 'busy')!.value, 100 / 1000);
  const win = pts.filter((p) => p.attributes[ATTR.scope] === 'window' && p.attributes[ATTR.ehtDefinition] === 'busy');
  assert.equal(win.length, 2);
  assert.deepEqual(win[1]!.startTime, hrTimeOf(T0 + 1_000_000_000n + clock.offsetNs));
});

test('interrupt latency: only delivered interrupts; what-if by mechanism', async () => {
  const { metrics } = await exported();
  const lat = metrics.get('kvm.irq.delivery.latency')!.dataPoints as DataPoint<Histogram>[];
  assert.equal(lat.at(-1)!.value.count, 1);
  assert.equal(lat.at(-1)!.attributes[ATTR.irqDelivery], 'posted');
  const av = metrics.get('es2.whatif.exit.avoided')!.dataPoints as DataPoint<number>[];
  assert.deepEqual(av.map((p) => [p.attributes[ATTR.mechanism], p.value]), [['hybrid', 1]]);
  assert.equal((metrics.get('es2.whatif.guest.time.returned')!.dataPoints[0] as DataPoint<number>).value, 600);
});

test('Prometheus exposition: one sample per series (the last point), no duplicate series', async () => {
  const { built } = await exported();
  const text = prometheusText(built.resourceMetrics);
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' ')))).size, lines.length);
  assert.match(text, /kvm_exit_count_total\{kvm_exit_reason="APIC_WRITE",kvm_exit_category="eoi",kvm_vm="pid 100",kvm_vcpu_id="0"[^}]*\} 3\n/);
});

test('a trace whose clock is the wall clock keeps its own timestamps', () => {
  const first = 1_716_000_000_000_000_000n;
  assert.equal(clockMapping(first, first + 10n, 'auto', NOW).offsetNs, 0n);
  assert.equal(clockMapping(first, first + 10n, 'anchor', NOW).offsetNs, NOW - first - 10n);
});
