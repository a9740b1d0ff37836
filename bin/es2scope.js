#!/usr/bin/env node
// Runs the compiled CLI (npm ci builds it through the "prepare" script).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('es2scope: not built yet; run "npm run build" (npm ci does it)\n');
  process.exit(70);
}
// dist/bundle/main.js (src/cli/bundle.mjs, made by "npm run build" after tsc) starts in about half
// the time. Run it only while none of its sources changed since it was built (a few dozen stats),
// so that edited sources are never shadowed by a stale bundle; else run dist/ as tsc compiled it.
function freshBundle() {
  if (process.env.ES2SCOPE_NO_BUNDLE) return null; // A/B timing, debugging with dist/'s source maps
  try {
    const dir = join(root, 'dist', 'bundle');
    const { builtMs, files } = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8'));
    if (!existsSync(join(dir, 'main.js')) || !Array.isArray(files) || files.length === 0) return null;
    for (const f of files) if (statSync(join(root, f)).mtimeMs > builtMs) return null;
    return join(dir, 'main.js');
  } catch {
    return null; // no bundle, or a source is gone
  }
}
await import(freshBundle() ?? compiled);
