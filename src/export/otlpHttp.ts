// OTLP over HTTP: POST one serialized request with a hard per-attempt deadline and bounded retries
// (the OTLP/HTTP spec's retryable cases: 429, 502, 503, 504, and transport failures), honouring
// Retry-After up to a cap. Every failure ends in an OtlpExportError that names the URL, what
// happened, the attempts made and a hint; nothing waits longer than the deadlines allow.
import http from 'node:http';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import type { OtlpConfig } from './otlpConfig.js';

export class OtlpExportError extends Error {
  constructor(message: string, readonly attempts: number, readonly status?: number) { super(message); }
}

export interface SendOptions {
  /** First backoff (doubles each retry, capped at maxBackoffMs). Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Cap on the response body kept for error messages / partial-success decoding. */
  maxResponseBytes?: number;
  /** Called before each retry (for verbose output). */
  onRetry?: (attempt: number, why: string, waitMs: number) => void;
}

export interface SendResult {
  status: number;
  attempts: number;
  body: Uint8Array;
  contentType: string;
}

interface AttemptOutcome {
  kind: 'ok' | 'retryable' | 'fatal';
  status?: number;
  why: string;
  body?: Uint8Array;
  contentType?: string;
  retryAfterMs?: number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);

function describeNetError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED': return 'connection refused (ECONNREFUSED): nothing listens there';
    case 'ECONNRESET': return 'connection reset by the server (ECONNRESET)';
    case 'ENOTFOUND': return `host not found (ENOTFOUND ${(e as { hostname?: string }).hostname ?? ''})`.trim();
    case 'EAI_AGAIN': return 'DNS lookup failed temporarily (EAI_AGAIN)';
    default: return e.code ? `${e.message} (${e.code})` : e.message;
  }
}

function parseRetryAfter(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

function attempt(cfg: OtlpConfig, body: Uint8Array, contentType: string, maxResponseBytes: number): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const lib = cfg.url.protocol === 'https:' ? https : http;
    let settled = false;
    const done = (o: AttemptOutcome) => { if (!settled) { settled = true; clearTimeout(timer); resolve(o); } };
    const headers: Record<string, string | number> = {
      ...cfg.headers, 'content-type': contentType, 'content-length': body.byteLength, 'user-agent': 'es2scope-otlp',
    };
    if (cfg.compression === 'gzip') headers['content-encoding'] = 'gzip';
    const req = lib.request(cfg.url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (c: Buffer) => { if (kept < maxResponseBytes) { chunks.push(c); kept += c.length; } });
      res.on('error', (e) => done({ kind: 'retryable', why: `response broke off: ${describeNetError(e)}` }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const resBody = new Uint8Array(Buffer.concat(chunks));
        const ct = String(res.headers['content-type'] ?? '');
        if (status >= 200 && status < 300) return done({ kind: 'ok', status, why: 'ok', body: resBody, contentType: ct });
        const text = Buffer.from(resBody).toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 300);
        const why = `HTTP ${status} ${res.statusMessage ?? ''}`.trim() + (text ? `: ${text}` : '');
        const retryAfterMs = parseRetryAfter(res.headers['retry-after'] as string | undefined);
        done({ kind: RETRYABLE_STATUS.has(status) ? 'retryable' : 'fatal', status, why, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
      });
    });
    // A hard deadline for the whole attempt: a server that accepts and then trickles or stalls
    // does not keep us beyond it (socket idle timeouts alone would).
    const timer = setTimeout(() => {
      req.destroy();
      done({ kind: 'retryable', why: `no complete response within ${cfg.timeoutMs} ms (timeout)` });
    }, cfg.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      done({ kind: e.code && RETRYABLE_CODES.has(e.code) ? 'retryable' : 'fatal', why: describeNetError(e) });
    });
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** POST `payload`; resolves on 2xx, throws OtlpExportError otherwise (after bounded retries). */
export async function sendOtlp(cfg: OtlpConfig, payload: Uint8Array, opts: SendOptions = {}): Promise<SendResult> {
  const contentType = cfg.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  const body = cfg.compression === 'gzip' ? new Uint8Array(gzipSync(payload)) : payload;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  let backoff = opts.backoffMs ?? 250;
  let last: AttemptOutcome = { kind: 'fatal', why: 'not attempted' };
  const attempts = cfg.retries + 1;
  for (let n = 1; n <= attempts; n++) {
    last = await attempt(cfg, body, contentType, opts.maxResponseBytes ?? 65_536);
    if (last.kind === 'ok') return { status: last.status!, attempts: n, body: last.body!, contentType: last.contentType ?? '' };
    if (last.kind === 'fatal' || n === attempts) {
      throw new OtlpExportError(`OTLP export to ${cfg.url.href} failed: ${last.why} (${n} attempt${n > 1 ? 's' : ''}${last.kind === 'fatal' && n < attempts ? ', not retryable' : ''}). ${hint(last)}`, n, last.status);
    }
    const wait = Math.min(maxBackoff, Math.max(backoff, last.retryAfterMs ?? 0));
    opts.onRetry?.(n, last.why, wait);
    await sleep(wait);
    backoff = Math.min(maxBackoff, backoff * 2);
  }
  throw new OtlpExportError(`OTLP export to ${cfg.url.href} failed: ${last.why}`, attempts, last.status);
}

function hint(o: AttemptOutcome): string {
  if (o.status === 404) return 'Hint: wrong path? OTLP/HTTP metrics go to <base>/v1/metrics (VictoriaMetrics: http://host:8428/opentelemetry/v1/metrics); --endpoint takes the base, --metrics-endpoint the full URL.';
  if (o.status === 401 || o.status === 403) return 'Hint: the server wants credentials: --header or OTEL_EXPORTER_OTLP_HEADERS (e.g. authorization=Bearer%20TOKEN).';
  if (o.status === 415 || o.status === 400) return 'Hint: the server may not accept this encoding: try --protocol http/json or http/protobuf.';
  if (o.why.includes('timeout')) return 'Hint: the server is slow or stalled: raise --timeout (ms) or OTEL_EXPORTER_OTLP_TIMEOUT, or check the server.';
  return 'Hint: check --endpoint / OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318) and that the receiver is running.';
}
