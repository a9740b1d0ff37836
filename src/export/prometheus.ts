// Prometheus exposition of the built metrics, and a scrape endpoint that serves it.
// A scrape has no history: each series shows its last point (the whole-trace total for the
// cumulative series, the last window for window gauges); sample timestamps are left out so
// Prometheus stamps them at scrape time (old trace times would fall outside its TSDB head).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { METRICS, promName, type MetricSpec } from './names.js';

const SPEC_BY_NAME = new Map<string, MetricSpec>(Object.values(METRICS).map((s) => [s.name, s]));

/** Last point per series, metric names in their Prometheus form. Pure. */
export function scrapeView(rm: ResourceMetrics): ResourceMetrics {
  return {
    resource: rm.resource,
    scopeMetrics: rm.scopeMetrics.map((sm) => ({
      scope: sm.scope,
      metrics: sm.metrics.map((md): MetricData => {
        const spec = SPEC_BY_NAME.get(md.descriptor.name);
        const name = spec ? promName(spec) : md.descriptor.name;
        const last = new Map<string, (typeof md.dataPoints)[number]>();
        for (const p of md.dataPoints) {
          const key = JSON.stringify(Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
          const prev = last.get(key);
          if (!prev || prev.endTime[0] < p.endTime[0] || (prev.endTime[0] === p.endTime[0] && prev.endTime[1] <= p.endTime[1])) last.set(key, p);
        }
        return { ...md, descriptor: { ...md.descriptor, name }, dataPoints: [...last.values()] } as MetricData;
      }),
    })),
  };
}

export function prometheusText(rm: ResourceMetrics): string {
  return new PrometheusSerializer('', false).serialize(scrapeView(rm));
}

export interface ScrapeServerOptions {
  host: string;
  port: number;
  /** Stop after the first successful GET /metrics. */
  once?: boolean;
  /** Stop after this many seconds (0 = until stop()). */
  serveSeconds?: number;
  onScrape?: (n: number) => void;
}

export interface ScrapeServer {
  /** The bound address (port 0 picks a free one). */
  host: string;
  port: number;
  /** Resolves when the server stopped: number of /metrics scrapes served. */
  closed: Promise<number>;
  stop(): void;
}

/** Serve `text` at /metrics. Rejects with a clear error when the port is taken or not allowed. */
export function serveScrape(text: string, o: ScrapeServerOptions): Promise<ScrapeServer> {
  return new Promise((resolveStart, rejectStart) => {
    let scrapes = 0;
    let timer: NodeJS.Timeout | undefined;
    let resolveClosed!: (n: number) => void;
    const closed = new Promise<number>((r) => { resolveClosed = r; });
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET' }).end(); return; }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text, () => {
          scrapes++;
          o.onScrape?.(scrapes);
          if (o.once) stop();
        });
        return;
      }
      res.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(path === '/' ? 'es2scope: metrics at /metrics\n' : 'not found: metrics are at /metrics\n');
    });
    server.keepAliveTimeout = 1000;
    const stop = () => {
      if (timer) clearTimeout(timer);
      server.close(() => resolveClosed(scrapes));
      server.closeAllConnections();
    };
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? `port ${o.port} on ${o.host} is already in use` : e.code === 'EACCES' ? `not allowed to listen on port ${o.port}` : e.message;
      rejectStart(new Error(`cannot serve the Prometheus endpoint: ${why}. Hint: pick another --prometheus port (0 = any free port).`));
    });
    server.listen(o.port, o.host, () => {
      const a = server.address() as AddressInfo;
      if (o.serveSeconds && o.serveSeconds > 0) timer = setTimeout(stop, o.serveSeconds * 1000);
      resolveStart({ host: a.address, port: a.port, closed, stop });
    });
  });
}
