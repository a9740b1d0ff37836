// Timing helpers shared by the benches: a command under /usr/bin/time, and repeated runs of
// several commands interleaved (A B A B ...), summarised by their medians. Why repeat and
// interleave: on the shared 2-CPU build VM one run of the same command varies by 20-50 % (peer
// tools too: `perf script` 6.8-11 s on one file within an hour), and a slow minute hits every
// side of a round alike. BENCH_REPEAT sets the rounds (default 3).
import { spawnSync } from 'node:child_process';

/** Run under /usr/bin/time, stdout to `stdoutFile`; wall s, CPU s (user+sys), peak RSS MB. */
export function timed(cmd, args, { cwd, stdoutFile = '/dev/null', env = process.env } = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'sh', '-c', `"$@" > '${stdoutFile}'`, 'sh', cmd, ...args],
    { cwd, encoding: 'utf8', maxBuffer: 1 << 26, env });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, kb] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { wallSec: wall, cpuSec: Number((user + sys).toFixed(2)), peakRssMb: Math.round(kb / 1024) };
}

export const benchRepeat = () => Math.max(1, Number(process.env.BENCH_REPEAT ?? 3) || 3);

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : Number(((s[m - 1] + s[m]) / 2).toFixed(3));
}

/**
 * `rounds` rounds, each running every arm once in order (arms: name -> () => timed(...));
 * per arm: median wall and CPU, the highest peak RSS, and every run.
 */
export function interleaved(rounds, arms) {
  const runs = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) for (const [k, run] of Object.entries(arms)) runs[k].push(run());
  return Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, {
    wallSec: median(rs.map((x) => x.wallSec)),
    cpuSec: median(rs.map((x) => x.cpuSec)),
    peakRssMb: Math.max(...rs.map((x) => x.peakRssMb)),
    runs: rs.map((x) => [x.wallSec, x.cpuSec, x.peakRssMb]),
  }]));
}

/** Ratio a/b to 2 decimals. */
export const ratio = (a, b) => Number((a / b).toFixed(2));
