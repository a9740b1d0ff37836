// The pipeline reads left to right: collectors -> table -> analyze -> report / export; only
// src/cli wires stages together. This test fails on an import that points backwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function stageOf(file: string): string {
  const rel = relative(root, file).replaceAll('\\\\', '/');
  if (rel.startsWith('collectors/')) return 'collectors';
  const m = /^src\/([^/]+)\//.exec(rel);
  return m ? m[1]! : 'other';
}

// which stages each stage may import from (its own stage always allowed)
const ALLOWED: Record<string, string[]> = {
  collectors: [],
  table: ['collectors'],
  analyze: ['table', 'collectors'],
  report: ['analyze', 'table'],
  export: ['analyze', 'table'],
  cli: ['collectors', 'table', 'analyze', 'report', 'export'],
};

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('imports point forward only (collectors -> table -> analyze -> report/export; cli wires)', () => {
  const files = [...walk(join(root, 'collectors'), []), ...walk(join(root, 'src'), [])];
  const bad: string[] = [];
  for (const f of files) {
    const from = stageOf(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = stageOf(resolve(dirname(f), m[1]!));
      if (target === from || target === 'other') continue;
      if (!(ALLOWED[from] ?? []).includes(target)) bad.push(`${relative(root, f)} (${from}) imports ${m[1]} (${target})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('analyze stays pure: no fs, net, child_process or process I/O in src/analyze', () => {
  const bad: string[] = [];
  for (const f of walk(join(root, 'src', 'analyze'), [])) {
    const text = readFileSync(f, 'utf8');
    if (/from\s+['"]node:(fs|net|http|https|child_process)/.test(text) || /process\.(stdout|stderr|exit)/.test(text)) bad.push(relative(root, f));
  }
  assert.deepEqual(bad, []);
});
