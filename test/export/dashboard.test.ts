// The Grafana dashboard parses and references only metrics es2scope exports (in their Prometheus
// form), so it cannot silently drift from src/export/names.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTR, METRICS, promLabel, promName } from '../../src/export/names.js';
import { ROOT } from '../helpers/cli.js';

test('dashboards/es2scope-kvm.json: valid JSON, every metric and label it queries is exported', () => {
  const d = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'es2scope-kvm.json'), 'utf8')) as {
    panels: { id: number; targets: { expr: string }[] }[]; templating: { list: { query: string }[] };
  };
  const names = new Set<string>();
  for (const s of Object.values(METRICS)) {
    const n = promName(s);
    names.add(n);
    if (s.kind === 'histogram') for (const x of ['_bucket', '_sum', '_count']) names.add(n + x);
  }
  const labels = new Set([...Object.values(ATTR).map(promLabel), 'le']);
  const exprs = [...d.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...d.templating.list.map((v) => v.query)];
  assert.ok(d.panels.length >= 8 && new Set(d.panels.map((p) => p.id)).size === d.panels.length);
  const FUNCS = new Set(['sum', 'by', 'rate', 'histogram_quantile', 'label_values']);
  let used = 0;
  for (const e of exprs) {
    const stripped = e.replace(/"[^"]*"/g, '""').replace(/\[[^\]]*\]/g, '');
    for (const m of stripped.matchAll(/\b([a-z_][a-z0-9_]*)\b\s*(\{|\)|$|,)/g)) {
      const id = m[1]!;
      if (FUNCS.has(id) || labels.has(id)) continue;
      assert.ok(names.has(id), `dashboard queries ${id}, which es2scope does not export (in: ${e})`);
      used++;
    }
    for (const m of stripped.matchAll(/[{,]\s*([a-z_][a-z0-9_]*)\s*(=~|!=|=)/g)) assert.ok(labels.has(m[1]!), `unknown label ${m[1]} in ${e}`);
    for (const m of stripped.matchAll(/by \(([^)]*)\)/g)) for (const l of m[1]!.split(',')) assert.ok(labels.has(l.trim()), `unknown label ${l} in ${e}`);
  }
  assert.ok(used >= 12, `the dashboard queries the exported metrics (${used} references)`);
});
