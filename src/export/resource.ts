// The OTel resource of an export: who produced the numbers and from what. Precedence (lowest
// first): es2scope's defaults (host, trace file, format, trace window, single VM),
// OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME, then --resource flags. Pure: env passed in.
import type { AttributeValue } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { AnalysisResult } from '../analyze/types.js';
import type { ClockMapping } from './clock.js';
import { parseHeaderList } from './otlpConfig.js';
import { RES } from './names.js';

export interface ResourceInputs {
  hostName: string;
  tracePath: string;
  traceFormat: string;
  version: string;
  /** --resource k=v,... flags. */
  extra?: string[];
}

export function buildResource(a: AnalysisResult, clock: ClockMapping, inp: ResourceInputs, env: Record<string, string | undefined>): Resource {
  const attrs: Record<string, AttributeValue> = {
    'service.name': 'es2scope',
    'service.version': inp.version,
    'host.name': inp.hostName,
    [RES.traceFile]: inp.tracePath,
    [RES.traceFormat]: inp.traceFormat,
    [RES.clockOffsetNs]: clock.offsetNs.toString(),
    // loud when durations are raw cycles: a dashboard must not read them as ns
    [RES.timeUnit]: a.quality.timeUnit ?? 'ns',
  };
  // bigint ns as strings: OTel attribute numbers are doubles and would round them.
  if (a.quality.firstNs !== null) attrs[RES.traceStartNs] = a.quality.firstNs.toString();
  if (a.quality.lastNs !== null) attrs[RES.traceEndNs] = a.quality.lastNs.toString();
  if (a.vms.length === 1) attrs[RES.vm] = a.vms[0]!.label;
  if (env.OTEL_RESOURCE_ATTRIBUTES) Object.assign(attrs, parseHeaderList(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES'));
  if (env.OTEL_SERVICE_NAME?.trim()) attrs['service.name'] = env.OTEL_SERVICE_NAME.trim();
  for (const e of inp.extra ?? []) Object.assign(attrs, parseHeaderList(e, '--resource'));
  return resourceFromAttributes(attrs);
}
