// Serialize metrics / spans to OTLP (protobuf or JSON, by @opentelemetry/otlp-transformer) and
// send them with otlpHttp. The server's partial-success answer (rejected points/spans) is an
// error: silently dropped points would make a dashboard lie.
import type { Resource } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { AnalysisResult } from '../analyze/types.js';
import type { OtlpConfig } from './otlpConfig.js';
import { OtlpExportError, sendOtlp, type SendOptions, type SendResult } from './otlpHttp.js';
import { emitSpans, type SpanOptions } from './spans.js';
import { SCOPE_NAME } from './metrics.js';

export interface ExportOutcome extends SendResult {
  bytes: number;
  /** Server said it rejected this many items (partial success); 0 otherwise. */
  rejected: number;
}

function partial(cfg: OtlpConfig, res: SendResult, kind: 'metrics' | 'traces'): { rejected: number; message: string } {
  if (res.body.byteLength === 0) return { rejected: 0, message: '' };
  try {
    const r = kind === 'metrics'
      ? (cfg.protocol === 'http/json' ? JsonMetricsSerializer : ProtobufMetricsSerializer).deserializeResponse(res.body)
      : (cfg.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer).deserializeResponse(res.body);
    const ps = r.partialSuccess as { rejectedDataPoints?: number | string; rejectedSpans?: number | string; errorMessage?: string } | undefined;
    return { rejected: Number(ps?.rejectedDataPoints ?? ps?.rejectedSpans ?? 0), message: ps?.errorMessage ?? '' };
  } catch {
    // Many receivers answer 2xx with an empty or non-OTLP body (VictoriaMetrics: empty); that is success.
    return { rejected: 0, message: '' };
  }
}

async function sendChecked(cfg: OtlpConfig, payload: Uint8Array | undefined, kind: 'metrics' | 'traces', opts?: SendOptions): Promise<ExportOutcome> {
  if (!payload) throw new OtlpExportError(`could not serialize the ${kind} to OTLP ${cfg.protocol}`, 0);
  const res = await sendOtlp(cfg, payload, opts);
  const p = partial(cfg, res, kind);
  if (p.rejected > 0) {
    throw new OtlpExportError(`OTLP export to ${cfg.url.href}: the server rejected ${p.rejected} ${kind === 'metrics' ? 'data points' : 'spans'}${p.message ? `: ${p.message}` : ''}`, res.attempts, res.status);
  }
  return { ...res, bytes: payload.byteLength, rejected: 0 };
}

export function serializeMetrics(rm: ResourceMetrics, protocol: OtlpConfig['protocol']): Uint8Array | undefined {
  return (protocol === 'http/json' ? JsonMetricsSerializer : ProtobufMetricsSerializer).serializeRequest(rm);
}

export function serializeSpans(spans: ReadableSpan[], protocol: OtlpConfig['protocol']): Uint8Array | undefined {
  return (protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer).serializeRequest(spans);
}

export function pushMetrics(rm: ResourceMetrics, cfg: OtlpConfig, opts?: SendOptions): Promise<ExportOutcome> {
  return sendChecked(cfg, serializeMetrics(rm, cfg.protocol), 'metrics', opts);
}

/** Build the spans through the SDK tracer (explicit start/end times) and collect them in memory. */
export async function collectSpans(a: AnalysisResult, resource: Resource, o: SpanOptions): Promise<ReadableSpan[]> {
  const mem = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter: mem })] });
  emitSpans(a, provider.getTracer(SCOPE_NAME), o);
  await provider.forceFlush();
  const spans = [...mem.getFinishedSpans()];
  await provider.shutdown();
  return spans;
}

export function pushSpans(spans: ReadableSpan[], cfg: OtlpConfig, opts?: SendOptions): Promise<ExportOutcome> {
  return sendChecked(cfg, serializeSpans(spans, cfg.protocol), 'traces', opts);
}
