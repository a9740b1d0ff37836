// OTLP/HTTP exporter settings from flags and the standard environment variables
// (https://opentelemetry.io/docs/specs/otel/protocol/exporter/): flags win over signal-specific
// variables (OTEL_EXPORTER_OTLP_METRICS_*), which win over the generic ones (OTEL_EXPORTER_OTLP_*).
// Pure: the environment is passed in.

export type Signal = 'metrics' | 'traces';
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface OtlpFlags {
  /** Base URL (like OTEL_EXPORTER_OTLP_ENDPOINT): /v1/<signal> is appended. */
  endpoint?: string;
  /** Full URL for this signal (like OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT). */
  signalEndpoint?: string;
  headers?: string[];
  timeoutMs?: number;
  protocol?: string;
  compression?: string;
  retries?: number;
}

export interface OtlpConfig {
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  protocol: OtlpProtocol;
  compression: 'gzip' | 'none';
  /** Attempts after the first one, for retryable failures only. */
  retries: number;
}

export class OtlpConfigError extends Error {}

const DEFAULT_BASE = 'http://localhost:4318';

function envOf(env: Record<string, string | undefined>, signal: Signal, key: string): string | undefined {
  const specific = env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${key}`];
  if (specific !== undefined && specific.trim() !== '') return specific.trim();
  const generic = env[`OTEL_EXPORTER_OTLP_${key}`];
  return generic !== undefined && generic.trim() !== '' ? generic.trim() : undefined;
}

/** "k1=v1,k2=v2" (values URL-encoded, W3C baggage style) -> object. */
export function parseHeaderList(text: string, origin: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OtlpConfigError(`${origin}: "${part.trim()}" is not key=value (example: api-key=secret,x-tenant=a)`);
    out[decodeURIComponent(part.slice(0, eq).trim()).toLowerCase()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

function parseUrl(text: string, origin: string): URL {
  let u: URL;
  try { u = new URL(text); } catch {
    throw new OtlpConfigError(`${origin}: "${text}" is not a URL (example: http://127.0.0.1:4318)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new OtlpConfigError(`${origin}: "${text}" must be http:// or https:// (OTLP/gRPC is not supported; use the collector's HTTP port, 4318)`);
  }
  return u;
}

function appendSignalPath(base: URL, signal: Signal): URL {
  const u = new URL(base.href);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return u;
}

export function resolveOtlpConfig(signal: Signal, flags: OtlpFlags, env: Record<string, string | undefined>): OtlpConfig {
  const SIG = signal.toUpperCase();
  let url: URL;
  if (flags.signalEndpoint) url = parseUrl(flags.signalEndpoint, `--${signal}-endpoint`);
  else if (flags.endpoint) url = appendSignalPath(parseUrl(flags.endpoint, '--endpoint'), signal);
  else if (env[`OTEL_EXPORTER_OTLP_${SIG}_ENDPOINT`]?.trim()) url = parseUrl(env[`OTEL_EXPORTER_OTLP_${SIG}_ENDPOINT`]!.trim(), `OTEL_EXPORTER_OTLP_${SIG}_ENDPOINT`);
  else if (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) url = appendSignalPath(parseUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT.trim(), 'OTEL_EXPORTER_OTLP_ENDPOINT'), signal);
  else url = appendSignalPath(new URL(DEFAULT_BASE), signal);

  const headers: Record<string, string> = {
    ...(env.OTEL_EXPORTER_OTLP_HEADERS ? parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS') : {}),
    ...(env[`OTEL_EXPORTER_OTLP_${SIG}_HEADERS`] ? parseHeaderList(env[`OTEL_EXPORTER_OTLP_${SIG}_HEADERS`]!, `OTEL_EXPORTER_OTLP_${SIG}_HEADERS`) : {}),
  };
  for (const h of flags.headers ?? []) Object.assign(headers, parseHeaderList(h, '--header'));

  let timeoutMs = flags.timeoutMs;
  if (timeoutMs === undefined) {
    const t = envOf(env, signal, 'TIMEOUT');
    if (t !== undefined) {
      if (!/^\d+$/.test(t)) throw new OtlpConfigError(`OTEL_EXPORTER_OTLP_(${SIG}_)TIMEOUT: "${t}" is not a whole number of milliseconds`);
      timeoutMs = Number(t);
    }
  }
  timeoutMs ??= 10_000;
  if (!(timeoutMs > 0)) throw new OtlpConfigError(`timeout must be > 0 ms (got ${timeoutMs})`);

  const protoText = flags.protocol ?? envOf(env, signal, 'PROTOCOL') ?? 'http/protobuf';
  const protocol = ({ 'http/protobuf': 'http/protobuf', protobuf: 'http/protobuf', 'http/json': 'http/json', json: 'http/json' } as const)[protoText as 'json'];
  if (!protocol) {
    throw new OtlpConfigError(`protocol "${protoText}" is not supported: use http/protobuf (default) or http/json${protoText === 'grpc' ? ' (gRPC is not implemented; point at the collector\'s OTLP/HTTP port 4318)' : ''}`);
  }
  const compText = flags.compression ?? envOf(env, signal, 'COMPRESSION') ?? 'none';
  if (compText !== 'gzip' && compText !== 'none') throw new OtlpConfigError(`compression "${compText}" is not supported: gzip or none`);
  const retries = flags.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new OtlpConfigError(`--retries must be 0..10 (got ${retries})`);
  return { url, headers, timeoutMs, protocol, compression: compText, retries };
}
