// OTEL_EXPORTER_OTLP_* precedence: flags > signal-specific variables > generic variables > default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpConfigError, resolveOtlpConfig } from '../../src/export/otlpConfig.js';

test('generic endpoint gets /v1/<signal> appended; the signal-specific one is used as is; flags win', () => {
  assert.equal(resolveOtlpConfig('metrics', {}, {}).url.href, 'http://localhost:4318/v1/metrics');
  assert.equal(resolveOtlpConfig('metrics', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/base/' }).url.href, 'http://c:4318/base/v1/metrics');
  assert.equal(resolveOtlpConfig('traces', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).url.href, 'http://c:4318/v1/traces');
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://vm:8428/opentelemetry/v1/metrics' };
  assert.equal(resolveOtlpConfig('metrics', {}, env).url.href, 'http://vm:8428/opentelemetry/v1/metrics');
  assert.equal(resolveOtlpConfig('metrics', { endpoint: 'http://flag:1' }, env).url.href, 'http://flag:1/v1/metrics');
});

test('timeout, protocol and headers: signal-specific variables override generic ones', () => {
  const c = resolveOtlpConfig('metrics', {}, {
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '2500',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'b=3',
  });
  assert.equal(c.timeoutMs, 2500);
  assert.equal(c.protocol, 'http/json');
  assert.deepEqual(c.headers, { a: '1', b: '3' });
  assert.equal(resolveOtlpConfig('metrics', {}, {}).protocol, 'http/protobuf');
});

test('bad settings are errors that say what to write instead', () => {
  assert.throws(() => resolveOtlpConfig('metrics', { endpoint: 'localhost:4318' }, {}), (e: unknown) => e instanceof OtlpConfigError && /http:\/\/ or https:\/\//.test(e.message));
  assert.throws(() => resolveOtlpConfig('metrics', { protocol: 'grpc' }, {}), /gRPC is not implemented.*4318/);
  assert.throws(() => resolveOtlpConfig('metrics', {}, { OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }), /whole number of milliseconds/);
  assert.throws(() => resolveOtlpConfig('metrics', {}, { OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }), /not key=value/);
});
