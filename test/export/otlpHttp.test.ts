// Bad endpoints, refused connections and slow servers: clear errors, bounded retries, nothing hangs.
// Each case uses a local socket on 127.0.0.1 that refuses, stalls, or answers with an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { resolveOtlpConfig } from '../../src/export/otlpConfig.js';
import { OtlpExportError, sendOtlp } from '../../src/export/otlpHttp.js';
import { freePort } from '../helpers/servers.js';

const cfgFor = (url: string, extra: Record<string, string> = {}) =>
  resolveOtlpConfig('metrics', { signalEndpoint: url, timeoutMs: 300, retries: 2 }, extra);
const payload = new Uint8Array([1, 2, 3]);

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void>; hits: () => number }> {
  let hits = 0;
  const s = http.createServer((q, r) => { hits++; handler(q, r); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/v1/metrics`, hits: () => hits, close: () => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); }) };
}

test('refused connection: retried a bounded number of times, then a clear error naming the URL', async () => {
  const port = await freePort(); // closed again: nothing listens
  const t0 = Date.now();
  await assert.rejects(sendOtlp(cfgFor(`http://127.0.0.1:${port}/v1/metrics`), payload, { backoffMs: 10 }), (e: unknown) => {
    assert.ok(e instanceof OtlpExportError);
    assert.equal(e.attempts, 3);
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}/v1/metrics.*connection refused.*3 attempts`));
    assert.match(e.message, /Hint: check --endpoint/);
    return true;
  });
  assert.ok(Date.now() - t0 < 5_000);
});

test('a server that accepts and never answers: each attempt ends at the deadline; total time bounded', async () => {
  const sockets: net.Socket[] = [];
  const stall = net.createServer((c) => { sockets.push(c); }); // reads nothing, answers nothing
  await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
  const port = (stall.address() as net.AddressInfo).port;
  const t0 = Date.now();
  try {
    await assert.rejects(sendOtlp(cfgFor(`http://127.0.0.1:${port}/v1/metrics`), payload, { backoffMs: 10 }), /no complete response within 300 ms \(timeout\).*3 attempts.*raise --timeout/s);
    const ms = Date.now() - t0;
    assert.ok(ms >= 900 && ms < 3_000, `3 attempts x 300 ms deadline (+ backoff), took ${ms} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => stall.close(r));
  }
});

test('a server that trickles the response slower than the deadline is cut off too', async () => {
  const srv = await listen((_q, r) => {
    r.writeHead(200, { 'content-type': 'application/x-protobuf' });
    const iv = setInterval(() => { if (!r.destroyed) r.write('x'); else clearInterval(iv); }, 50);
    r.on('close', () => clearInterval(iv));
  });
  try {
    await assert.rejects(sendOtlp({ ...cfgFor(srv.url), retries: 0 }, payload), /timeout/);
  } finally { await srv.close(); }
});

test('503 then 200: retried and succeeds; Retry-After honoured', async () => {
  let n = 0;
  const srv = await listen((_q, r) => { n++; if (n < 3) r.writeHead(503, { 'retry-after': '0' }).end('busy'); else r.writeHead(200).end(); });
  try {
    const res = await sendOtlp(cfgFor(srv.url), payload, { backoffMs: 10 });
    assert.equal(res.attempts, 3);
    assert.equal(res.status, 200);
  } finally { await srv.close(); }
});

test('400 and 404 are not retried; the error quotes the server and hints at the cause', async () => {
  const srv = await listen((q, r) => { r.writeHead(q.url === '/v1/metrics' ? 400 : 404).end('cannot parse OTLP request'); });
  try {
    await assert.rejects(sendOtlp(cfgFor(srv.url), payload), (e: unknown) => {
      assert.ok(e instanceof OtlpExportError);
      assert.equal(e.attempts, 1);
      assert.equal(e.status, 400);
      assert.match(e.message, /HTTP 400 Bad Request: cannot parse OTLP request.*not retryable/);
      return true;
    });
    await assert.rejects(sendOtlp(cfgFor(srv.url.replace('/v1/metrics', '/wrong')), payload), /HTTP 404.*wrong path/);
    assert.equal(srv.hits(), 2);
  } finally { await srv.close(); }
});

test('headers from OTEL_EXPORTER_OTLP_HEADERS and gzip compression reach the server', async () => {
  let seen: http.IncomingHttpHeaders = {};
  const srv = await listen((q, r) => { seen = q.headers; q.resume(); q.on('end', () => r.writeHead(200).end()); });
  try {
    const cfg = resolveOtlpConfig('metrics', { signalEndpoint: srv.url }, { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=t1', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    await sendOtlp(cfg, payload);
    assert.equal(seen.authorization, 'Bearer abc');
    assert.equal(seen['x-tenant'], 't1');
    assert.equal(seen['content-encoding'], 'gzip');
    assert.equal(seen['content-type'], 'application/x-protobuf');
  } finally { await srv.close(); }
});
