// es2scope export <trace|events.arrow>: analysis + what-if as OpenTelemetry metrics (and, with
// --spans, the longest exits / interrupt deliveries as spans) over OTLP/HTTP, or served for a
// Prometheus scrape with --prometheus <port>.
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { modelInputFromAnalysis } from '../../analyze/whatif/fromAnalysis.js';
import { runWhatif } from '../../analyze/whatif/model.js';
import { parseMechanisms } from '../../analyze/whatif/params.js';
import { clockMapping, parseTimeArg, type ClockMode } from '../../export/clock.js';
import { whatifExport } from '../../export/fromWhatif.js';
import { buildMetrics } from '../../export/metrics.js';
import { OtlpConfigError, resolveOtlpConfig, type OtlpFlags } from '../../export/otlpConfig.js';
import { collectSpans, pushMetrics, pushSpans, serializeMetrics } from '../../export/otlpExport.js';
import { OtlpExportError } from '../../export/otlpHttp.js';
import { prometheusText, serveScrape } from '../../export/prometheus.js';
import { buildResource } from '../../export/resource.js';
import { cyclesWarning } from '../../analyze/quality.js';
import { analyzeTrace, TSC_HZ_OPTION } from './stat.js';

export interface ExportArgs {
  input: string;
  format: string;
  endpoint?: string;
  'metrics-endpoint'?: string;
  'traces-endpoint'?: string;
  header?: string[];
  timeout?: number;
  protocol?: string;
  compression?: string;
  retries: number;
  prometheus?: number;
  'listen-host': string;
  once: boolean;
  'serve-seconds': number;
  spans: boolean;
  'span-threshold-ns': number;
  'spans-max': number;
  window: number;
  'max-windows': number;
  clock: string;
  'trace-end-time'?: string;
  resource?: string[];
  'host-name'?: string;
  whatif: boolean;
  mechanisms: string;
  print?: string;
  json: boolean;
  quiet: boolean;
  'tsc-hz'?: number;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch { return '0'; }
}

export function registerExport(y: Argv): Argv {
  return y.command<ExportArgs>(
    'export <input>',
    'send the analysis as OpenTelemetry metrics over OTLP/HTTP (OTEL_EXPORTER_OTLP_* variables apply), or serve them for Prometheus with --prometheus <port>',
    (a) => a
      .positional('input', { type: 'string', demandOption: true, describe: 'trace (any supported format) or events .arrow' })
      .option('format', { type: 'string', default: 'auto', describe: 'input format (auto detects)' })
      .option('endpoint', { type: 'string', describe: 'OTLP/HTTP base URL; /v1/metrics and /v1/traces are appended (default $OTEL_EXPORTER_OTLP_ENDPOINT or http://localhost:4318)' })
      .option('metrics-endpoint', { type: 'string', describe: 'full metrics URL (like OTEL_EXPORTER_OTLP_METRICS_ENDPOINT), e.g. http://127.0.0.1:8428/opentelemetry/v1/metrics' })
      .option('traces-endpoint', { type: 'string', describe: 'full traces URL (like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)' })
      .option('header', { type: 'string', array: true, describe: 'extra HTTP header key=value (repeatable; also OTEL_EXPORTER_OTLP_HEADERS)' })
      .option('timeout', { type: 'number', describe: 'per-attempt deadline, ms (default $OTEL_EXPORTER_OTLP_TIMEOUT or 10000)' })
      .option('protocol', { type: 'string', describe: 'http/protobuf (default) or http/json (also OTEL_EXPORTER_OTLP_PROTOCOL)' })
      .option('compression', { type: 'string', describe: 'gzip or none (also OTEL_EXPORTER_OTLP_COMPRESSION)' })
      .option('retries', { type: 'number', default: 3, describe: 'retries after the first attempt, for 429/502/503/504, timeouts and connection failures' })
      .option('prometheus', { type: 'number', describe: 'serve /metrics on this port for a Prometheus scrape instead of pushing (0 = any free port)' })
      .option('listen-host', { type: 'string', default: '127.0.0.1', describe: 'address the --prometheus endpoint binds' })
      .option('once', { type: 'boolean', default: false, describe: 'with --prometheus: stop after the first scrape' })
      .option('serve-seconds', { type: 'number', default: 0, describe: 'with --prometheus: stop after this many seconds (0 = until Ctrl-C)' })
      .option('spans', { type: 'boolean', default: false, describe: 'also send the longest exits and interrupt deliveries as OTLP spans' })
      .option('span-threshold-ns', { type: 'number', default: 100_000, describe: 'spans only for exits / deliveries at least this long, ns' })
      .option('spans-max', { type: 'number', default: 200, describe: 'at most this many spans of each kind (the longest)' })
      .option('window', { type: 'number', default: 1e9, describe: 'timeline window, ns: one point per series per window' })
      .option('max-windows', { type: 'number', default: 1000, describe: 'widen windows so that there are at most this many' })
      .option('clock', { type: 'string', default: 'auto', choices: ['auto', 'trace', 'anchor'], describe: 'point times: trace clock as is (trace), trace end at export time (anchor), or trace when it is wall-clock time (auto)' })
      .option('trace-end-time', { type: 'string', describe: 'the wall time of the trace\'s last event (ISO date or Unix seconds); overrides --clock' })
      .option('resource', { type: 'string', array: true, describe: 'extra resource attributes key=value[,key=value] (also OTEL_RESOURCE_ATTRIBUTES)' })
      .option('host-name', { type: 'string', describe: 'host.name resource attribute: the traced host (default: this machine\'s name)' })
      .option('whatif', { type: 'boolean', default: true, describe: 'include the ES2 what-if metrics (--no-whatif leaves them out)' })
      .option('mechanisms', { type: 'string', default: 'pi,hybrid,redirect', describe: 'what-if mechanisms' })
      .option('print', { type: 'string', choices: ['otlp-json', 'prometheus'], describe: 'print the payload to stdout instead of sending it' })
      .option('json', { type: 'boolean', default: false, describe: 'print what was sent as JSON' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on success' })
      .option('tsc-hz', TSC_HZ_OPTION) as Argv<ExportArgs>,
    async (args) => {
      const env = process.env;
      const flags = (signalEndpoint: string | undefined): OtlpFlags => ({
        ...(args.endpoint ? { endpoint: args.endpoint } : {}), ...(signalEndpoint ? { signalEndpoint } : {}),
        ...(args.header ? { headers: args.header } : {}), ...(args.timeout !== undefined ? { timeoutMs: args.timeout } : {}),
        ...(args.protocol ? { protocol: args.protocol } : {}), ...(args.compression ? { compression: args.compression } : {}),
        retries: args.retries,
      });
      // Check the settings before reading a large trace.
      let metricsCfg; let tracesCfg;
      try {
        metricsCfg = resolveOtlpConfig('metrics', flags(args['metrics-endpoint']), env);
        tracesCfg = args.spans ? resolveOtlpConfig('traces', flags(args['traces-endpoint']), env) : null;
      } catch (e) {
        if (e instanceof OtlpConfigError) throw new TraceInputError(e.message, undefined, 'see es2scope export --help');
        throw e;
      }
      const clockMode = args.clock as ClockMode;
      let anchorEnd: bigint | undefined;
      try { if (args['trace-end-time']) anchorEnd = parseTimeArg(args['trace-end-time']); } catch (e) { throw new TraceInputError((e as Error).message); }
      if (!(args.window >= 1) || !(args['max-windows'] >= 1)) throw new TraceInputError('--window and --max-windows must be >= 1');

      const { run, result } = await analyzeTrace(args.input, { format: args.format, progress: !args.quiet && !args.print && !args.json, windowNs: args.window, ...(args['tsc-hz'] !== undefined ? { tscHz: args['tsc-hz'] } : {}) });
      const cyclesNote = cyclesWarning(result.quality.timeUnit);
      // stderr: --print output on stdout stays a clean payload
      if (cyclesNote) process.stderr.write(`es2scope: ${cyclesNote} Exported with resource attribute es2scope.trace.time_unit=cycles.\n`);
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const first = result.quality.firstNs ?? 0n;
      const clock = clockMapping(first, result.quality.lastNs ?? first, clockMode, nowNs, anchorEnd);
      const resource = buildResource(result, clock, {
        hostName: args['host-name'] ?? hostname(), tracePath: run.input.path, traceFormat: run.input.format, version: version(),
        ...(args.resource ? { extra: args.resource } : {}),
      }, env);
      let whatif = null;
      if (args.whatif) {
        const input = modelInputFromAnalysis(result);
        whatif = whatifExport(input, runWhatif(input, { mechanisms: parseMechanisms(args.mechanisms) }));
      }
      const built = buildMetrics(result, whatif, { resource, clock, windowNs: args.window, maxWindows: args['max-windows'], scopeVersion: version() });
      const rm = built.resourceMetrics;
      const points = rm.scopeMetrics.reduce((n, s) => n + s.metrics.reduce((k, m) => k + m.dataPoints.length, 0), 0);

      if (args.print === 'prometheus') { process.stdout.write(prometheusText(rm)); return; }
      if (args.print === 'otlp-json') { process.stdout.write(`${new TextDecoder().decode(serializeMetrics(rm, 'http/json'))}\n`); return; }

      if (args.prometheus !== undefined) {
        if (!Number.isInteger(args.prometheus) || args.prometheus < 0 || args.prometheus > 65535) throw new TraceInputError(`--prometheus must be a port 0..65535 (got ${args.prometheus})`);
        let server;
        try {
          server = await serveScrape(prometheusText(rm), { host: args['listen-host'], port: args.prometheus, once: args.once, serveSeconds: args['serve-seconds'] });
        } catch (e) { throw new TraceInputError((e as Error).message); }
        const stop = () => server.stop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // Parseable by scripts and tests (port 0 picks one): the first line says where.
        process.stdout.write(`serving ${points} points at http://${server.host}:${server.port}/metrics${args.once ? ' (until the first scrape)' : args['serve-seconds'] ? ` for ${args['serve-seconds']} s` : ' until Ctrl-C'}\n`);
        const scrapes = await server.closed;
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        if (!args.quiet) process.stdout.write(`stopped after ${scrapes} scrape${scrapes === 1 ? '' : 's'}\n`);
        return;
      }

      const retryNote = (kind: string) => (attempt: number, why: string, waitMs: number) => {
        if (!args.quiet) process.stderr.write(`es2scope: ${kind} attempt ${attempt} failed (${why}); retrying in ${waitMs} ms\n`);
      };
      try {
        const m = await pushMetrics(rm, metricsCfg, { onRetry: retryNote('metrics') });
        let spans = null;
        if (tracesCfg) {
          const list = await collectSpans(result, resource, { thresholdNs: args['span-threshold-ns'], maxPerKind: args['spans-max'], clock });
          spans = { count: list.length, ...(await pushSpans(list, tracesCfg, { onRetry: retryNote('traces') })) };
        }
        const summary = {
          metrics: { url: metricsCfg.url.href, protocol: metricsCfg.protocol, points, bytes: m.bytes, attempts: m.attempts, status: m.status },
          ...(spans && tracesCfg ? { spans: { url: tracesCfg.url.href, count: spans.count, bytes: spans.bytes, attempts: spans.attempts, status: spans.status } } : {}),
          clock: { offsetNs: clock.offsetNs.toString(), why: clock.why },
          windows: { count: built.grid.count, windowNs: built.grid.windowNs.toString() },
        };
        if (args.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else if (!args.quiet) {
          process.stdout.write(`sent ${points} points (${built.grid.count} windows of ${built.grid.windowNs} ns) to ${metricsCfg.url.href} [${metricsCfg.protocol}, HTTP ${m.status}]\n`);
          if (spans) process.stdout.write(`sent ${spans.count} spans to ${tracesCfg!.url.href}\n`);
          process.stdout.write(`time: ${clock.why}\n`);
        }
      } catch (e) {
        if (e instanceof OtlpExportError) throw new TraceInputError(e.message);
        throw e;
      }
    },
  );
}
