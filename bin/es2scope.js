#!/usr/bin/env node
// Runs the compiled CLI (npm ci builds it through the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('es2scope: not built yet; run "npm run build" (npm ci does it)\n');
  process.exit(70);
}
await import(compiled);
