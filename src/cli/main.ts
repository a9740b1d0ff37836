// es2scope command line: the only place that wires collectors, table, analyze, report and export.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { TraceInputError } from '../../collectors/common/diagnostics.js';

export async function main(argv: string[]): Promise<number> {
  // yargs reads a lone "-" positional as "": name stdin by its device path instead
  let y = yargs(argv.map((a) => (a === '-' ? '/dev/stdin' : a)))
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
  // `ingest` of a big trace is the hot path: load only its module. The other commands pull in
  // charting, OpenTelemetry and DuckDB, about a second of start-up CPU that ingest never uses.
  const commands = argv[0] === 'ingest'
    ? [(await import('./commands/ingest.js')).registerIngest]
    : (await import('./commands/index.js')).COMMANDS;
  for (const register of commands) y = register(y);
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

main(hideBin(process.argv)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`es2scope: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 70;
});
