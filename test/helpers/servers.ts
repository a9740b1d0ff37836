// Real metric servers for the end-to-end export tests, from Debian packages, on 127.0.0.1 only:
// - Prometheus 2.42 (bookworm `prometheus`) scraping es2scope's --prometheus endpoint;
// - VictoriaMetrics 1.112 (trixie `victoria-metrics`) receiving OTLP/protobuf at
//   /opentelemetry/v1/metrics (bookworm's 1.79 and Prometheus 2.42 accept no OTLP).
// Packages are fetched with `apt-get download` and unpacked with `dpkg -x` into a cache outside
// the project; nothing is installed system-wide and no service is started. trixie is reached
// through a source list and lists directory of our own, never the system's. Each server runs
// under `timeout` (bounded lifetime even if the test process dies) with its data in a temp dir;
// stop() kills it and removes the dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CACHE_DIR = process.env.ES2SCOPE_SERVERS_DIR ?? join(tmpdir(), 'es2scope-test-servers');
/** Hard cap on a server's life (s), whatever happens to the test process. */
const MAX_LIFETIME_S = 600;

type Provisioned = { bin: string } | { skip: string };

function run(cmd: string, args: string[], cwd?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function aptOpts(): string[] {
  const apt = join(CACHE_DIR, 'apt');
  return ['-o', 'Dir::Etc::SourceList=/dev/null', '-o', `Dir::Etc::SourceParts=${join(apt, 'sources.d')}`,
    '-o', `Dir::State::Lists=${join(apt, 'lists')}`, '-o', `Dir::Cache=${join(apt, 'cache')}`];
}

function trixieLists(): string | null {
  const apt = join(CACHE_DIR, 'apt');
  for (const d of ['sources.d', 'lists/partial', 'cache/archives/partial']) mkdirSync(join(apt, d), { recursive: true });
  writeFileSync(join(apt, 'sources.d', 'trixie.sources'), [
    'Types: deb', 'URIs: http://deb.debian.org/debian', 'Suites: trixie', 'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-trixie-stable.gpg /usr/share/keyrings/debian-archive-trixie-automatic.gpg', '',
  ].join('\n'));
  if (readdirSync(join(apt, 'lists')).some((f) => f.includes('trixie') && f.endsWith('Packages'))) return null;
  const r = run('flock', ['/tmp/es2scope-apt.lock', 'apt-get', '-q', ...aptOpts(), 'update']);
  return r.ok ? null : `apt-get update (trixie list) failed: ${r.out.slice(-400)}`;
}

/** Download + unpack a Debian package once; returns the path of `binName` inside it. */
function provision(pkg: string, binName: string, trixie: boolean): Provisioned {
  const root = join(CACHE_DIR, 'root', pkg);
  const bin = join(root, 'usr', 'bin', binName);
  if (existsSync(bin)) return { bin };
  if (!existsSync('/usr/bin/apt-get') || !existsSync('/usr/bin/dpkg')) return { skip: 'apt-get/dpkg not available on this machine' };
  if (trixie) {
    const why = trixieLists();
    if (why) return { skip: why };
  }
  const debs = join(CACHE_DIR, 'debs');
  mkdirSync(debs, { recursive: true });
  const r = run('flock', ['/tmp/es2scope-apt.lock', 'apt-get', '-q', ...(trixie ? aptOpts() : []), 'download', pkg], debs);
  const deb = readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) return { skip: `apt-get download ${pkg} failed: ${r.out.slice(-400)}` };
  mkdirSync(root, { recursive: true });
  const x = run('dpkg', ['-x', join(debs, deb), root]);
  if (!x.ok || !existsSync(bin)) return { skip: `dpkg -x ${deb} failed: ${x.out.slice(-300)}` };
  return { bin };
}

export const provisionVictoriaMetrics = (): Provisioned => provision('victoria-metrics', 'victoria-metrics', true);
export const provisionPrometheus = (): Provisioned => provision('prometheus', 'prometheus', false);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

async function waitReady(url: string, proc: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}) before it was ready:\n${log().slice(-1500)}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not ready at ${url} within ${timeoutMs} ms:\n${log().slice(-1500)}`);
}

async function startProcess(bin: string, args: string[], port: number, readyPath: string, dataDir: string): Promise<RunningServer> {
  // Own process group (detached): stop() kills `timeout` and the server together.
  const proc = spawn('timeout', ['-s', 'KILL', String(MAX_LIFETIME_S), bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
  proc.stderr!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000); });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      try { process.kill(-proc.pid!, 'SIGKILL'); } catch { proc.kill('SIGKILL'); }
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${url}${readyPath}`, proc, () => out, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, proc, log: () => out, stop };
}

/** VictoriaMetrics single-node on 127.0.0.1, OTLP names converted the Prometheus way, data visible at once. */
export async function startVictoriaMetrics(bin: string): Promise<RunningServer> {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'es2scope-vm-'));
  return startProcess(bin, [
    `-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${data}`, '-retentionPeriod=100y',
    '-search.latencyOffset=0s', '-opentelemetry.usePrometheusNaming', '-search.disableCache', '-loggerLevel=ERROR',
  ], port, '/health', data);
}

/** Prometheus on 127.0.0.1 scraping `target` (host:port) every second. */
export async function startPrometheus(bin: string, target: string): Promise<RunningServer> {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'es2scope-prom-'));
  const cfg = join(data, 'prometheus.yml');
  writeFileSync(cfg, [
    'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s',
    'scrape_configs:', '  - job_name: es2scope', '    static_configs:', `      - targets: ['${target}']`, '',
  ].join('\n'));
  return startProcess(bin, [
    `--config.file=${cfg}`, `--storage.tsdb.path=${join(data, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error',
  ], port, '/-/ready', data);
}

export interface PromSample { metric: Record<string, string>; value: [number, string] }

/** Instant query through the Prometheus HTTP API (both servers speak it). */
export async function promQuery(base: string, query: string, timeSec?: number): Promise<PromSample[]> {
  const u = new URL('/api/v1/query', base);
  u.searchParams.set('query', query);
  if (timeSec !== undefined) u.searchParams.set('time', String(timeSec));
  const r = await fetch(u, { signal: AbortSignal.timeout(10_000) });
  const body = (await r.json()) as { status: string; data?: { result: PromSample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error ?? r.status}`);
  return body.data!.result;
}
