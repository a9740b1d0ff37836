// Runs every test/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Usage: node test/run.mjs [filter-substring ...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const filters = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(root, p));
  }
})(join(root, 'test'));
const picked = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;

// Python readers the tests check our Arrow/Parquet files with: install them when pip can (a
// local mirror or PyPI); tests that need them skip with a printed reason otherwise.
function ensurePythonReaders() {
  const mods = ['pyarrow', 'polars'];
  const probe = () => spawnSync('python3', ['-c', `import ${mods.join(', ')}`], { stdio: 'ignore' }).status === 0;
  if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status !== 0) return console.log('# test setup: no python3: pyarrow/polars checks will skip');
  if (probe()) return;
  const r = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...mods], { stdio: 'inherit', timeout: 600_000 });
  console.log(`# test setup: pip install ${mods.join(' ')}: ${r.status === 0 && probe() ? 'ok' : 'failed (those checks will skip)'}`);
}
if (!process.env.ES2SCOPE_NO_TEST_SETUP) ensurePythonReaders();
if (picked.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...picked], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, '--max-old-space-size=4096'].filter(Boolean).join(' ') },
});
process.exit(r.status ?? 1);
