// Runs every bench/*.bench.mjs, one after the other, each in its own node process (so peak RSS and
// timings of one do not leak into the next); each prints its own numbers.
// Usage: npm run bench [-- [--no-build] [filter-substring ...]]
// The benches time the compiled CLI (node bin/es2scope.js), so the project is built first.
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const filters = args.filter((a) => !a.startsWith('--'));

if (!noBuild) {
  console.log('# npm run build');
  const b = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  // tsc still emits when some other file has a type error; the benches only need the CLI
  if (b.status !== 0 && !existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) process.exit(b.status ?? 1);
  if (b.status !== 0) console.log('# build reported type errors (see above); dist/ was emitted, running the benches anyway');
}

const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.mjs')).sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (benches.length === 0) { console.error('no bench matched'); process.exit(1); }
let failed = 0;
for (const f of benches) {
  console.log(`\n# ${f}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--expose-gc', join(root, 'bench', f)], { cwd: root, stdio: 'inherit' });
  console.log(`# ${f}: exit ${r.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
