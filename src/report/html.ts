// The self-contained report page: inlined vega, vega-lite and vega-embed, the chart specs as a
// JSON data block, a data-quality box and the model's parameters. Pure: strings in, a string out.
// A Content-Security-Policy with script hashes means only the scripts written here can run, and
// nothing can be fetched (no fonts, images or connections); trace text is escaped besides.
import { createHash } from 'node:crypto';
import { assertInlineSafe, escapeHtml, jsonForScript } from './escape.js';
import type { ReportData } from './model.js';
import { FONT, type ChartSpec } from './specs.js';

export interface VendorScripts {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

const BOOT = `(function () {
  var data = JSON.parse(document.getElementById('es2scope-charts').textContent);
  var pending = data.length;
  data.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    // the section heading already names the chart; SVG/PNG files keep the title
    var spec = Object.assign({}, c.spec);
    delete spec.title;
    // ast: true evaluates expressions with vega's interpreter, so the CSP needs no 'unsafe-eval'
    vegaEmbed(el, spec, { actions: false, renderer: 'svg', ast: true })
      .then(function () { el.setAttribute('data-rendered', 'yes'); })
      .catch(function (err) { el.setAttribute('data-rendered', 'error'); el.textContent = 'chart failed: ' + err; console.error(err); })
      .finally(function () { if (--pending === 0) document.body.setAttribute('data-charts-done', 'yes'); });
  });
})();`;

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

function fmtNum(n: number | null | undefined, digits = 3, unit = ''): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'not traced';
  return `${Number(n.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits })}${unit}`;
}

function fmtSpan(spanNs: string | null): string {
  if (spanNs === null) return 'unknown';
  const ns = BigInt(spanNs);
  // integer ns -> ms with 3 decimals, without going through a float of seconds
  const ms = ns / 1_000_000n;
  const frac = ((ns % 1_000_000n) / 1000n).toString().padStart(3, '0');
  return `${ms.toLocaleString('en-US')}.${frac} ms (${ns.toLocaleString('en-US')} ns)`;
}

function row(k: string, v: string): string {
  return `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`;
}

function qualityBox(d: ReportData): string {
  const q = d.quality;
  const res = q.timePrecisionNs >= 1000 ? `${q.timePrecisionNs / 1000} µs (exits shorter than this read as 0)` : `${q.timePrecisionNs} ns`;
  const rows = [
    row('input format', q.format),
    row('events', q.events.toLocaleString('en-US')),
    row('trace span', fmtSpan(q.spanNs)),
    row('time resolution', res),
    row('lost events', q.lostMarkers === 0 ? 'none reported' : `${q.lostEventsTotal === null ? 'unknown number' : q.lostEventsTotal.toLocaleString('en-US')} in ${q.lostMarkers} marker(s)`),
    row('exits without entry', q.unpairedExits === null ? 'not traced' : q.byKind
      ? `${q.byKind.exitsWithoutEntry.atEnd} at the trace end, ${q.byKind.exitsWithoutEntry.beforeNextExit} before the next exit`
      : q.unpairedExits.toLocaleString('en-US')),
    ...(q.byKind && q.unpairedExits !== null ? [row('entries without exit', `${q.byKind.entriesWithoutExit.atStart} at the start, ${q.byKind.entriesWithoutExit.inMiddle} in the middle`)] : []),
    row('pairs left out', q.excludedPairs === null ? 'not traced' : q.byKind
      ? `${q.byKind.pairsLeftOut.lostEvents} across lost events, ${q.byKind.pairsLeftOut.ripJump} with a guest RIP jump (events missing without a lost marker)`
      : q.excludedPairs.toLocaleString('en-US')),
    ...(q.byKind?.timeUnit === 'cycles' ? [row('time unit', 'TSC cycles, not ns (give --tsc-hz to convert)')] : []),
    row('timestamps going backwards (per CPU)', q.timeInversions.toLocaleString('en-US')),
    row('input truncated', q.truncated ? 'yes: the last record was cut' : 'no'),
    row('warnings', q.warningCount.toLocaleString('en-US')),
  ];
  const warn = q.warnings.length
    ? `<ul class="warnings">${q.warnings.map((w) => `<li><b>${escapeHtml(w.kind)}</b> ×${w.count}${w.example ? `: <code>${escapeHtml(w.example)}</code>` : ''}</li>`).join('')}</ul>`
    : '';
  const notes = q.notes.length ? `<ul class="notes">${q.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<section class="box" id="data-quality"><h2>Data quality</h2><table>${rows.join('')}</table>${warn}${notes}</section>`;
}

function paramsBox(d: ReportData): string {
  if (d.params.length === 0) return `<section class="box" id="parameters"><h2>Model parameters</h2><p>The what-if model did not run.</p></section>`;
  const rows = d.params.map((p) => `<tr><th><code>${escapeHtml(p.name)}</code></th><td>${escapeHtml(p.value)} ${escapeHtml(p.unit)}</td><td>${escapeHtml(p.doc)}</td></tr>`);
  return `<section class="box wide" id="parameters"><h2>Model parameters</h2><table>${rows.join('')}</table></section>`;
}

function headline(d: ReportData): string {
  const h = d.headline;
  const items = [
    ['exits', h.exitsTraced ? fmtNum(h.exits, 0) : 'not traced'],
    ['EHT (busy)', h.exitsTraced ? `${fmtNum(h.ehtBusyPct, 3, ' %')} → ${fmtNum(h.ehtBusyAfterPct, 3, ' %')} with ES2` : 'not traced'],
    ['EHT (wall, incl. halt)', h.exitsTraced ? `${fmtNum(h.ehtWallPct, 3, ' %')} → ${fmtNum(h.ehtWallAfterPct, 3, ' %')} with ES2` : 'not traced'],
    // 4 decimals and the gain in %: a bound of 1.0003x must not print as "1x"
    ['throughput upper bound', h.throughputBound === null ? 'n/a' : `≤ ${fmtNum(h.throughputBound, 4, 'x')} (+${fmtNum((h.throughputBound - 1) * 100, 3, ' %')})`],
    ['device interrupts', h.irqs === null ? 'not traced' : `${fmtNum(h.irqs, 0)} (${fmtNum(h.redirected ?? 0, 0)} redirected by the model)`],
    ['vCPUs seen', String(h.vcpus)],
  ];
  const bound = h.throughputBound === null ? '' :
    '<p class="small">Upper bound: for a guest whose vCPU is the bottleneck and whose work per request does not change, throughput gain ≤ (G + H) / (G + H − ΔH), ΔH = handling time of the avoided exits.</p>';
  return `<section class="box" id="headline"><h2>At a glance</h2><table>${items.map(([k, v]) => row(k!, v!)).join('')}</table>${bound}</section>`;
}

const CSS = `body{font-family:${FONT};margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:16px;margin:0 0 8px}
.meta{color:#555;font-size:13px;margin-bottom:16px;word-break:break-all}
.notice{background:#fff4e5;border:1px solid #f0b46a;padding:8px 12px;margin:8px 0;border-radius:4px}
.boxes{display:flex;flex-wrap:wrap;gap:16px;margin:16px 0}
.box{border:1px solid #ccc;border-radius:6px;padding:12px 16px;flex:1 1 340px}
.box ul{font-size:13px;padding-left:18px} .box.wide{flex-basis:100%} .box.wide td:last-child{color:#555}
.box table{border-collapse:collapse;font-size:13px} .box th{text-align:left;padding:2px 12px 2px 0;font-weight:600;vertical-align:top} .box td{padding:2px 8px 2px 0;vertical-align:top}
.chart{margin:24px 0;padding-top:8px;border-top:1px solid #eee}
.caption{font-size:13px;color:#444;max-width:900px} .small{font-size:12px;color:#555}
.files{font-size:12px} code{font-size:12px}`;

const pctText = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(2)} %`);

/** Dataset reports: the per-host comparison as a table (the chart shows the same numbers). */
function hostsBox(d: ReportData): string {
  if (!d.hosts || d.hosts.length === 0) return '';
  const head = ['host', 'traces', 'VMs', 'span (s)', 'exits', 'exits/s', 'EHT busy', 'EHT wall', 'avoided', 'avoided %'];
  const rows = d.hosts.map((h) => [h.host, String(h.traces), String(h.vms), (h.spanNs / 1e9).toFixed(3), h.exits.toLocaleString('en-US'),
    h.exitsPerSec === null ? '–' : h.exitsPerSec.toFixed(0), pctText(h.ehtBusy), pctText(h.ehtWall), h.exitsAvoided.toLocaleString('en-US'),
    h.avoidedPct === null ? '–' : `${h.avoidedPct.toFixed(1)} %`]);
  return `<section class="box wide" id="hosts"><h2>Per host</h2><table><tr>${head.map((x) => `<th>${escapeHtml(x)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</table><p class="small">Each host's traces summed; the ES2 model runs per trace (each trace has its own clock).</p></section>`;
}

export function buildHtml(d: ReportData, charts: ChartSpec[], vendor: VendorScripts): string {
  for (const [name, js] of Object.entries(vendor)) assertInlineSafe(name, js);
  const scripts = [vendor.vega, vendor.vegaLite, vendor.vegaEmbed, BOOT];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const notices = d.notices.map((n) => `<p class="notice">${escapeHtml(n)}</p>`).join('');
  const sections = charts.map((c) => `<section class="chart" id="section-${escapeHtml(c.id)}">
<h2>${escapeHtml(c.title)}</h2><p class="caption">${escapeHtml(c.caption)}</p>
<div class="vega" id="chart-${escapeHtml(c.id)}"></div>
<p class="files">files: <a href="charts/${escapeHtml(c.id)}.svg">SVG</a> · <a href="charts/${escapeHtml(c.id)}.png">PNG</a> · <a href="charts/${escapeHtml(c.id)}.vl.json">Vega-Lite spec</a></p>
</section>`).join('\n');
  const chartData = charts.map((c) => ({ id: c.id, spec: c.spec }));
  const size = d.input.sizeBytes === null ? '' : `, ${d.input.sizeBytes.toLocaleString('en-US')} bytes`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(d.generatedBy)}">
<title>${escapeHtml(d.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(d.title)}</h1>
<div class="meta">input: <code>${escapeHtml(d.input.path)}</code> (${escapeHtml(d.input.format)}${escapeHtml(size)}) · ${escapeHtml(d.generatedBy)} · opens offline: every script is inlined, nothing is fetched</div>
${notices}
<div class="boxes">${headline(d)}${qualityBox(d)}${paramsBox(d)}${hostsBox(d)}</div>
${sections}
<script type="application/json" id="es2scope-charts">${jsonForScript(chartData)}</script>
<script>${vendor.vega}</script>
<script>${vendor.vegaLite}</script>
<script>${vendor.vegaEmbed}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
