// es2scope record: one command that records what the analysis needs, with the tool the user has.
import type { Argv } from 'yargs';
import { RECORD_TOOLS, record, type RecordTool } from '../../../collectors/record/recorders.js';

interface RecordArgs {
  tool: RecordTool;
  duration: number;
  pid?: number;
  output: string;
  'buffer-kb'?: number;
  aggregate: boolean;
}

const DEFAULT_OUTPUT: Record<RecordTool, string> = {
  perf: 'perf.data',
  'trace-cmd': 'trace.dat',
  ftrace: 'trace.ftrace.txt',
  bpftrace: 'trace.bpf.txt',
};

export function registerRecord(y: Argv): Argv {
  return y.command<RecordArgs>(
    'record',
    'record kvm_exit/kvm_entry, the I/O and interrupt events and sched_switch with perf, trace-cmd, ftrace or bpftrace (needs root)',
    (a) => a
      .option('tool', { choices: RECORD_TOOLS, default: 'perf' as RecordTool, describe: 'recorder' })
      .option('duration', { type: 'number', default: 10, describe: 'seconds to record' })
      .option('pid', { type: 'number', describe: 'QEMU process id: only its threads' })
      .option('output', { alias: 'o', type: 'string', describe: 'output file (default by tool: perf.data, trace.dat, trace.ftrace.txt, trace.bpf.txt)' })
      .option('buffer-kb', { type: 'number', describe: 'per-CPU ring buffer for trace-cmd/ftrace (default sized for 10^6 events/s)' })
      .option('aggregate', { type: 'boolean', default: false, describe: 'bpftrace only: per-reason exit-time histograms kept in the kernel (for very busy hosts)' }) as Argv<RecordArgs>,
    async (args) => {
      const output = args.output ?? DEFAULT_OUTPUT[args.tool];
      const r = await record({
        tool: args.tool, durationS: args.duration, output, aggregate: args.aggregate,
        ...(args.pid !== undefined ? { pid: args.pid } : {}),
        ...(args['buffer-kb'] !== undefined ? { bufferKb: args['buffer-kb'] } : {}),
      });
      process.stderr.write(`recorded ${r.events.length} tracepoints into ${r.output}\nnext: ${r.nextCommand}\n`);
    },
  );
}
