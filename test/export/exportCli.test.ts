// `es2scope export` as a user runs it: a refused endpoint ends with exit 1 and a clear message
// (no hang); --spans sends the longest exits / deliveries as OTLP spans with the trace's times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, TRACES } from '../helpers/cli.js';
import { freePort } from '../helpers/servers.js';

const TRACE = join(TRACES, 'hip24', 'vhost-host-report.txt');

test('refused endpoint: exit code 1, the URL and a hint on stderr, bounded time', { timeout: 120_000 }, async (t) => {
  if (!existsSync(TRACE)) { t.skip(`trace missing: ${TRACE}`); return; }
  const port = await freePort();
  const r = await runCli(['export', TRACE, '--quiet', '--retries', '1', '--timeout', '500'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` } });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`es2scope: OTLP export to http://127\\.0\\.0\\.1:${port}/v1/metrics failed: connection refused.*2 attempts`));
});

test('--spans --protocol http/json: longest exits as spans under one root, with trace-clock attributes', { timeout: 120_000 }, async (t) => {
  if (!existsSync(TRACE)) { t.skip(`trace missing: ${TRACE}`); return; }
  const bodies = new Map<string, unknown>();
  const srv = http.createServer((q, r) => {
    let b = '';
    q.on('data', (d: Buffer) => { b += d.toString(); });
    q.on('end', () => { bodies.set(q.url!, JSON.parse(b)); r.writeHead(200, { 'content-type': 'application/json' }).end('{}'); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const r = await runCli(['export', TRACE, '--endpoint', base, '--protocol', 'http/json', '--spans', '--span-threshold-ns', '1000000', '--spans-max', '5', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const tr = bodies.get('/v1/traces') as { resourceSpans: { scopeSpans: { spans: { name: string; parentSpanId?: string; spanId: string; startTimeUnixNano: string; endTimeUnixNano: string; attributes: { key: string; value: { intValue?: string; doubleValue?: number; stringValue?: string } }[] }[] }[] }[] };
    const spans = tr.resourceSpans[0]!.scopeSpans[0]!.spans;
    const root = spans.find((s) => s.name === 'es2scope.trace')!;
    const exits = spans.filter((s) => s.name === 'kvm.exit');
    assert.equal(exits.length, 5, 'the 5 longest exits above 1 ms');
    for (const s of exits) {
      assert.equal(s.parentSpanId, root.spanId);
      const durNs = BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano);
      const attr = Object.fromEntries(s.attributes.map((a) => [a.key, a.value]));
      assert.ok(durNs >= 1_000_000n);
      assert.equal(String(durNs), String(attr['kvm.exit.duration_ns']!.intValue ?? attr['kvm.exit.duration_ns']!.doubleValue));
      assert.ok(attr['kvm.exit.reason']?.stringValue);
    }
    const longest = exits.map((s) => BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano));
    assert.deepEqual(longest, [...longest].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    assert.ok(bodies.has('/v1/metrics'));
  } finally {
    await new Promise((r) => srv.close(r));
  }
});
