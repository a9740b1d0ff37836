// es2scope command line: the only place that wires collectors, table, analyze, report and export.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { TraceInputError } from '../../collectors/common/diagnostics.js';
import { commandsFor } from './commands/index.js';
import { mayExitAtOnce } from './exitAtOnce.js';

/** Options whose value "-" means standard output (elsewhere "-" is standard input). */
const OUTPUT_FLAGS = new Set(['-o', '--output', '--out']);

export async function main(argv: string[]): Promise<number> {
  // yargs reads a lone "-" as "": name stdin (a trace) or stdout (after -o) by its device path.
  // Only ingest writes one file, which can be a pipe; the other commands write folders or run tools.
  const toStdout = argv.some((a, i) => a === '-' && OUTPUT_FLAGS.has(argv[i - 1]!));
  if (toStdout && argv[0] !== 'ingest') {
    process.stderr.write(`es2scope: ${argv[0]}: "-o -" (standard output) is only for ingest; name a folder or file\n`);
    return 2;
  }
  let y = yargs(argv.map((a, i) => (a === '-' ? (OUTPUT_FLAGS.has(argv[i - 1]!) ? '/dev/stdout' : '/dev/stdin') : a)))
    .scriptName('es2scope')
    .usage('$0 <command> [options]\n\nKVM host traces -> VM-exit and interrupt-path analysis, and the ES2 what-if model.')
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err, yy) => {
      if (err) throw err;
      process.stderr.write(`${yy.help() ? '' : ''}es2scope: ${msg}\nRun "es2scope --help" for usage.\n`);
      process.exit(2);
    });
  // load only the named command's module (see commands/index.ts: start-up cost)
  for (const register of await commandsFor(argv)) y = register(y);
  skipHelpCache(y);
  try {
    await y.parseAsync();
    return 0;
  } catch (err) {
    if (err instanceof TraceInputError) {
      process.stderr.write(`es2scope: ${err.message}\n`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
      process.stderr.write(`es2scope: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * yargs renders the full help text of the command it runs right after starting its handler, kept
 * for a later showHelp()/getHelp() (yargs build/lib/command.js: cacheHelpMessage). Nothing here
 * calls those, and our fail() prints no help text: skip it. Why: 30-50 ms of every start-up
 * (string-width over each option line), a tenth of an ingest's start-up. yargs is pinned to an
 * exact version; if its internals change, the help is simply cached as before.
 */
function skipHelpCache(y: Argv): void {
  type Usage = { cacheHelpMessage?: () => void };
  const internal = (y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => Usage } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

main(hideBin(process.argv)).then((code) => {
  if (mayExitAtOnce()) process.exit(code);
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`es2scope: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 70;
});
