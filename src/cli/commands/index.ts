// The es2scope subcommands. Each module registers one command on the yargs instance.
import type { Argv } from 'yargs';
import { registerIngest } from './ingest.js';

export const COMMANDS: readonly ((y: Argv) => Argv)[] = [
  registerIngest,
];
