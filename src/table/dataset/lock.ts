// One writer at a time per dataset: DIR/.lock holds the writer's pid (created with O_EXCL). A lock
// whose pid no longer runs is stale (a killed ingest) and is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './manifest.js';

export const LOCK_FILE = '.lock';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Take the dataset's write lock; returns the release function. */
export function lockDataset(dir: string): () => void {
  const p = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(p, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(p, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(p, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) {
        throw new DatasetError(`${dir} is being written by another es2scope (pid ${pid}, ${p})`, 'wait for it to finish; if no es2scope runs, remove the .lock file');
      }
      rmSync(p, { force: true }); // stale: its writer is gone
    }
  }
  throw new DatasetError(`${dir}: could not take the write lock ${p}`);
}
