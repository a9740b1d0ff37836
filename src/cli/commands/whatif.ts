// es2scope whatif <trace|events.arrow>: replay a trace through the ES2 what-if model (posted
// interrupts, hybrid I/O, interrupt redirection), stacked baseline -> +PI -> +hybrid -> +redirect.
// Prints a terminal summary or --json; --out DIR writes the model tables as Arrow IPC files.
import type { Argv } from 'yargs';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { createAnalyzer } from '../../analyze/analyzer.js';
import { modelInputFromAnalysis } from '../../analyze/whatif/fromAnalysis.js';
import { DEFAULT_SWEEP_NS, runWhatif, sweepHybrid } from '../../analyze/whatif/model.js';
import { DEFAULT_PARAMS, PARAM_SOURCES, parseMechanisms, validateParams, type WhatifParams } from '../../analyze/whatif/params.js';
import { whatifSummary } from '../../analyze/whatif/summary.js';
import { whatifTables } from '../../analyze/whatif/tables.js';
import { writeArrowTables } from '../../table/whatifArrow.js';
import { dataQualityLines, dataQualitySummary, irqCounts } from '../../analyze/quality.js';
import { readEvents } from '../pipeline.js';
import { inputMetaOf, TSC_HZ_OPTION } from './stat.js';
import { formatWhatif } from '../print/whatif.js';
import { isDatasetPath, whatifDataset } from '../dataset/fromDataset.js';

export interface WhatifArgs {
  trace: string;
  format: string;
  mechanisms: string;
  'kick-window-ns': number;
  'eoi-unknown-trigger': string;
  'enter-gap-ns': number;
  'idle-window-ns': number;
  poller: string;
  'quota-ns': number;
  'quota-period-ns': number;
  'poll-mode': string;
  'poll-max-ns': number;
  'poll-grow': number;
  'poll-shrink': number;
  'redirect-cost-ns': number;
  'indirect-cost-ns': number;
  sweep: boolean;
  'sweep-ns'?: string;
  out?: string;
  json: boolean;
  'tsc-hz'?: number;
}

/** Command-line arguments -> model parameters (validated; a bad value is a usage error with a hint). */
export function paramsFromArgs(a: WhatifArgs): WhatifParams {
  let mechanisms;
  try {
    mechanisms = parseMechanisms(a.mechanisms);
  } catch (e) {
    throw new TraceInputError(`--mechanisms: ${(e as Error).message}`, undefined, 'e.g. --mechanisms pi,hybrid');
  }
  if (a['eoi-unknown-trigger'] !== 'edge' && a['eoi-unknown-trigger'] !== 'level') throw new TraceInputError('--eoi-unknown-trigger must be edge or level');
  if (a.poller !== 'per-key' && a.poller !== 'shared') throw new TraceInputError('--poller must be per-key or shared');
  if (a['poll-mode'] !== 'fixed' && a['poll-mode'] !== 'adaptive') throw new TraceInputError('--poll-mode must be fixed or adaptive', undefined, 'adaptive replays QEMU\'s poll-max-ns / poll-grow / poll-shrink');
  const p: WhatifParams = {
    mechanisms,
    kickWindowNs: a['kick-window-ns'], eoiUnknownTrigger: a['eoi-unknown-trigger'],
    enterGapNs: a['enter-gap-ns'], idleWindowNs: a['idle-window-ns'], poller: a.poller,
    quotaNs: a['quota-ns'], quotaPeriodNs: a['quota-period-ns'],
    pollMode: a['poll-mode'], pollMaxNs: a['poll-max-ns'], pollGrow: a['poll-grow'], pollShrink: a['poll-shrink'],
    redirectCostNs: a['redirect-cost-ns'], indirectCostNs: a['indirect-cost-ns'],
  };
  const bad = validateParams(p);
  if (bad.length) throw new TraceInputError(`invalid model parameters: ${bad.join('; ')}`, undefined, 'all times are integer nanoseconds');
  return p;
}

function parseSweep(text: string | undefined): number[] {
  if (text === undefined) return [...DEFAULT_SWEEP_NS];
  const v = text.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (!v.length || v.some((x) => !Number.isInteger(x) || x < 0)) throw new TraceInputError(`--sweep-ns: expected comma-separated integer ns, got "${text}"`);
  return v.sort((a, b) => a - b);
}

/**
 * Read and analyse one trace into the model's input plus the data-quality facts printed with it.
 * The analysis (the analyzer's per-row tables) is not returned: once the columnar input is built
 * it can be collected before the model runs (10 M exits: ~0.3 GB less at the peak).
 */
async function modelInputOfTrace(trace: string, opts: { format?: string; progress?: boolean; tscHz?: number }) {
  const analyzer = createAnalyzer({ keepAccesses: false }); // the model reads exits, irqs and kicks only
  const run = await readEvents(trace, (b) => analyzer.push(b), { format: opts.format, progress: opts.progress ?? false, ...(opts.tscHz !== undefined ? { tscHz: opts.tscHz } : {}) });
  const analysis = analyzer.finish(inputMetaOf(run));
  // the same data-quality numbers and interrupt counts as stat / report / export (src/analyze/quality.ts)
  const facts = {
    timeUnit: analysis.quality.timeUnit ?? 'ns',
    quality: dataQualitySummary(analysis.quality, analysis.vms),
    qualityLines: dataQualityLines(analysis.quality, analysis.vms),
    irqCounts: irqCounts(analysis),
  };
  const { lostMarkers, timeResolutionNs } = analysis.quality;
  return { run, input: modelInputFromAnalysis(analysis), facts, lostMarkers, timeResolutionNs };
}

/** Read, analyse and model one trace; returns the summary, the model input and the result. */
export async function whatifOfTrace(trace: string, p: WhatifParams, opts: { format?: string; sweepNs?: number[] | null; progress?: boolean; tscHz?: number } = {}) {
  const { run, input, facts, lostMarkers, timeResolutionNs } = await modelInputOfTrace(trace, opts);
  const result = runWhatif(input, p);
  const sweep = opts.sweepNs ? sweepHybrid(input, p, opts.sweepNs) : null;
  const summary = { ...whatifSummary(result, sweep, run.input), ...facts };
  if (lostMarkers > 0) summary.notes.push(`${lostMarkers} lost-event marker(s): exits spanning them are excluded from EHT and dH.`);
  if (timeResolutionNs >= 1000) summary.notes.push(`time resolution ${timeResolutionNs} ns: sub-µs exits (most APIC_WRITE) round to 0 or 1 µs; dH is coarse.`);
  return { summary, input, result, sweep, run };
}

export function registerWhatif(y: Argv): Argv {
  const D = DEFAULT_PARAMS;
  const S = PARAM_SOURCES;
  return y.command<WhatifArgs>(
    'whatif <trace>',
    'ES2 what-if: exits avoided, EHT before/after, interrupt latency, polling cost and a throughput bound for posted interrupts, hybrid I/O and interrupt redirection',
    (a) => a
      .positional('trace', { type: 'string', demandOption: true, describe: 'trace file or events .arrow; - for stdin' })
      .option('format', { type: 'string', default: 'auto', describe: 'input format (auto detects)' })
      .option('mechanisms', { type: 'string', default: D.mechanisms.join(','), describe: 'mechanisms to model, stacked in the order pi, hybrid, redirect' })
      .option('kick-window-ns', { type: 'number', default: D.kickWindowNs, describe: `PI: an EXTERNAL_INTERRUPT exit this soon after an interrupt raised for the vCPU is an injection kick (${S.kickWindowNs})` })
      .option('eoi-unknown-trigger', { type: 'string', default: D.eoiUnknownTrigger, describe: 'PI: edge|level for EOI exits whose vector trigger mode is not traced' })
      .option('enter-gap-ns', { type: 'number', default: D.enterGapNs, describe: `hybrid: enter POLL when kicks come closer than this (${S.enterGapNs})` })
      .option('idle-window-ns', { type: 'number', default: D.idleWindowNs, describe: `hybrid: POLL ends after this long without a kick (${S.idleWindowNs})` })
      .option('poller', { type: 'string', default: D.poller, describe: 'hybrid: per-key (one poller per device key) or shared (one per VM)' })
      .option('quota-ns', { type: 'number', default: D.quotaNs, describe: 'hybrid: polling CPU budget per quota period (0 = no quota)' })
      .option('quota-period-ns', { type: 'number', default: D.quotaPeriodNs, describe: 'hybrid: quota period' })
      .option('poll-mode', { type: 'string', default: D.pollMode, describe: 'hybrid: fixed (enter gap + idle window) or adaptive (QEMU iothread adaptive polling replayed: poll-max-ns, poll-grow, poll-shrink; enter gap and idle window unused)' })
      .option('poll-max-ns', { type: 'number', default: D.pollMaxNs, describe: `hybrid, adaptive: QEMU poll-max-ns, the most it polls after an event; 0 = off (${S.pollMaxNs})` })
      .option('poll-grow', { type: 'number', default: D.pollGrow, describe: `hybrid, adaptive: QEMU poll-grow (${S.pollGrow})` })
      .option('poll-shrink', { type: 'number', default: D.pollShrink, describe: `hybrid, adaptive: QEMU poll-shrink (${S.pollShrink})` })
      .option('redirect-cost-ns', { type: 'number', default: D.redirectCostNs, describe: `redirection: latency of a redirected interrupt (${S.redirectCostNs})` })
      .option('indirect-cost-ns', { type: 'number', default: D.indirectCostNs, describe: 'guest time lost per exit to cache/TLB pollution, added to dH' })
      .option('sweep', { type: 'boolean', default: false, describe: 'also sweep idle_window (0 .. 1 ms), or poll-max-ns with --poll-mode adaptive: exits avoided vs polling CPU' })
      .option('sweep-ns', { type: 'string', describe: 'idle windows (or poll-max-ns values with --poll-mode adaptive) for --sweep, comma-separated ns' })
      .option('out', { alias: 'o', type: 'string', describe: 'write the model tables as Arrow IPC files into this folder' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .option('tsc-hz', TSC_HZ_OPTION) as Argv<WhatifArgs>,
    async (args) => {
      const p = paramsFromArgs(args);
      // a folder is a dataset (es2scope ingest --dataset): the model per trace, compared per host
      if (isDatasetPath(args.trace)) { process.stdout.write(await whatifDataset(args.trace, p, args.json)); return; }
      const sweepNs = args.sweep || args['sweep-ns'] !== undefined ? parseSweep(args['sweep-ns']) : null;
      const { summary, input, result, sweep } = await whatifOfTrace(args.trace, p, { format: args.format, sweepNs, progress: !args.json, ...(args['tsc-hz'] !== undefined ? { tscHz: args['tsc-hz'] } : {}) });
      let written: string[] = [];
      if (args.out) {
        const md = new Map([
          ['es2scope.schema_version', String(summary.schemaVersion)],
          ['es2scope.params', JSON.stringify(summary.params)],
          ['es2scope.input', JSON.stringify(summary.input)],
        ]);
        written = await writeArrowTables(args.out, whatifTables(input, result, sweep), md);
      }
      if (args.json) process.stdout.write(`${JSON.stringify({ ...summary, tablesWritten: written }, null, 2)}\n`);
      else {
        process.stdout.write(formatWhatif(summary));
        if (written.length) process.stdout.write(`tables: ${written.join(', ')}\n`);
      }
    },
  );
}
