#!/usr/bin/env node
// Runs the compiled CLI (npm ci builds it through the "prepare" script).
// CommonJS (bin/package.json): Node then starts without its ES module loader, ~10 ms less CPU of
// every start; the ES module bundle and dist/ are still loaded with import() when needed.
'use strict';
const { existsSync, readFileSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script, constants } = require('node:vm');

const root = join(__dirname, '..');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('es2scope: not built yet; run "npm run build" (npm ci does it)\n');
  process.exit(70);
}
// ES2SCOPE_BUNDLE_OUTDIR: a bundle built elsewhere (test/cli/bundle.test.ts), as in bundle.mjs
const bundleDir = process.env.ES2SCOPE_BUNDLE_OUTDIR || join(root, 'dist', 'bundle');
// ES2SCOPE_TRACE_STARTUP=1: say on stderr which program runs (tests, timing)
const trace = process.env.ES2SCOPE_TRACE_STARTUP ? (what) => process.stderr.write(`es2scope start-up: ${what}\n`) : () => {};

// dist/bundle/ (src/cli/bundle.mjs, made by "npm run build" after tsc) starts in about half the
// time. Run it only while none of its sources changed since it was built (stats of the files
// listed in dist/bundle/inputs.json), so that edited sources are never shadowed by a stale
// bundle; else run dist/ as tsc compiled it.
function readManifest() {
  if (process.env.ES2SCOPE_NO_BUNDLE) return null; // A/B timing, debugging with dist/'s source maps
  try {
    return JSON.parse(readFileSync(join(bundleDir, 'inputs.json'), 'utf8'));
  } catch {
    return null; // no bundle
  }
}

/** None of `files` (paths from the project root) changed since `builtMs`. */
function unchangedSince(builtMs, files) {
  if (typeof builtMs !== 'number' || !Array.isArray(files) || files.length === 0) return false;
  try {
    for (const f of files) if (statSync(join(root, f)).mtimeMs > builtMs) return false;
    return true;
  } catch {
    return false; // a source is gone
  }
}

/**
 * The command's start-up script, when the bundle has one (dist/bundle/startup-<command>.cjs: the
 * CLI with only that command, as one CommonJS function; see bundle.mjs), compiled with its V8
 * code cache made at build time after a warm-up run: no compile of the ES module bundle, and the
 * functions the warm-up ran come as bytecode. Returns 'ran'; 'stale' when one of its sources
 * changed (then so did the bundle's: its sources are a subset, and dist/ runs); 'none' when it
 * cannot be used (then the ES module bundle runs): other command (--help, typos), no script, or it
 * does not compile. A cache that V8 rejects (another node, other V8 flags) or that is missing only
 * costs the compile time. ES2SCOPE_NO_STARTUP=1: skip it (A/B timing).
 */
function runStartupScript(built) {
  const command = process.argv[2];
  const scripts = built.startup && built.startup.scripts;
  if (!scripts || !Object.hasOwn(scripts, command) || process.env.ES2SCOPE_NO_STARTUP) return 'none';
  let fn;
  let file;
  try {
    const { script, cache, files } = scripts[command];
    // its own sources (and its workers'): fewer stats than the whole bundle's
    if (!unchangedSince(built.builtMs, files)) {
      trace(`${script} is stale`);
      return 'stale';
    }
    file = join(bundleDir, script);
    const source = readFileSync(file, 'latin1'); // ASCII (bundle.mjs checks): one byte a character
    let cachedData;
    try {
      if (cache) cachedData = readFileSync(join(bundleDir, cache));
    } catch {
      // no cache: compile
    }
    const code = new Script(source, { filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    trace(`${script} (code cache ${cachedData === undefined ? 'none' : code.cachedDataRejected ? 'rejected' : 'used'})`);
    fn = code.runInThisContext();
  } catch (err) {
    trace(`no start-up script (${err && err.message})`);
    return 'none';
  }
  const module = { exports: {} };
  fn(module.exports, createRequire(file), module, file, bundleDir);
  return 'ran';
}

const built = readManifest();
const startup = built ? runStartupScript(built) : 'none';
if (startup !== 'ran') {
  const fresh = startup === 'none' && built && existsSync(join(bundleDir, 'main.js')) && unchangedSince(built.builtMs, built.files);
  const main = fresh ? join(bundleDir, 'main.js') : compiled;
  trace(main);
  import(pathToFileURL(main).href).catch((err) => {
    process.stderr.write(`es2scope: cannot load the CLI: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  });
}
