// A progress bar on stderr for long inputs; silent when stderr is not a terminal.
import cliProgress from 'cli-progress';

export interface Progress {
  update(bytes: number): void;
  stop(): void;
}

export function makeProgress(totalBytes: number | null, label: string): Progress | null {
  if (!process.stderr.isTTY || !totalBytes || totalBytes < 32 * 1024 * 1024) return null;
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label.slice(-40)} [{bar}] {percentage}% | {value}/{total} MB`,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  const mb = (b: number) => Math.round(b / 1048576);
  bar.start(mb(totalBytes), 0);
  return { update: (bytes) => bar.update(mb(bytes)), stop: () => bar.stop() };
}
