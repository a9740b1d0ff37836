// es2scope report <trace|events.arrow> -o <dir>: analysis + ES2 what-if -> a self-contained HTML
// page, charts as SVG/PNG/Vega-Lite JSON, and summary.json.
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { TSC_HZ_OPTION } from './stat.js';
import { createAnalyzer } from '../../analyze/analyzer.js';
import { modelInputFromAnalysis } from '../../analyze/whatif/fromAnalysis.js';
import { runWhatif, sweepIdleWindow } from '../../analyze/whatif/model.js';
import { DEFAULT_PARAMS, parseMechanisms, validateParams, type WhatifParams } from '../../analyze/whatif/params.js';
import { EventsAggregate } from '../../report/eventsAggregate.js';
import { reportDataFromAnalysis } from '../../report/fromAnalysis.js';
import type { ReportData } from '../../report/model.js';
import { writeReport, type WrittenReport } from '../../report/writeReport.js';
import { TraceInputError } from '../../../collectors/common/diagnostics.js';
import { readEvents } from '../pipeline.js';
import { isDatasetPath } from '../dataset/fromDataset.js';
import { buildDatasetReportData } from '../dataset/reportDataset.js';

export interface ReportArgs {
  trace: string;
  output?: string;
  format: string;
  title?: string;
  images: boolean;
  mechanisms: string;
  'idle-window-ns': number;
  'enter-gap-ns': number;
  'redirect-cost-ns': number;
  'kick-window-ns': number;
  quiet: boolean;
  'tsc-hz'?: number;
}

export function defaultReportDir(trace: string): string {
  const name = trace === '-' ? 'stdin' : basename(trace.replace(/\/+$/, '')).replace(/\.(gz)$/, '').replace(/\.(txt|dat|data|arrow|log|trace)$/, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  return `reports/${name}/`;
}

/** Read, analyse, model and build the report's data (no files written). */
export async function buildReportData(trace: string, opts: { format?: string; title?: string; params?: Partial<WhatifParams>; progress?: boolean; tscHz?: number }): Promise<ReportData> {
  const analyzer = createAnalyzer();
  const events = new EventsAggregate();
  const run = await readEvents(trace, (b) => { analyzer.push(b); events.push(b); }, { format: opts.format, progress: opts.progress ?? false, ...(opts.tscHz !== undefined ? { tscHz: opts.tscHz } : {}) });
  const d = run.diagnostics;
  const analysis = analyzer.finish({
    path: run.input.path, format: run.input.format, sizeBytes: run.input.sizeBytes,
    diagnostics: { timePrecisionNs: d.timePrecisionNs, lostEventsTotal: d.lostEventsTotal, lostMarkers: d.lostMarkers, notes: d.notes, warningCount: d.warningCount, timeUnit: d.timeUnit },
  });
  const input = modelInputFromAnalysis(analysis);
  const whatif = runWhatif(input, opts.params ?? {});
  const sweep = sweepIdleWindow(input, opts.params ?? {});
  return reportDataFromAnalysis({
    title: opts.title ?? `es2scope report: ${basename(run.input.path)}`,
    generatedBy: 'es2scope report',
    input: run.input,
    analysis, whatif, sweep,
    events: events.result(),
    diagnostics: run.diagnostics,
    summary: run.summary,
  });
}

export function registerReport(y: Argv): Argv {
  return y.command<ReportArgs>(
    'report <trace>',
    'analyse a trace (or events .arrow) and write a self-contained HTML report with charts (SVG, PNG, Vega-Lite) and summary.json',
    (a) => a
      .positional('trace', { type: 'string', demandOption: true, describe: 'trace file or events .arrow; - for stdin' })
      .option('output', { alias: 'o', type: 'string', describe: 'report folder (default: reports/<trace name>/)' })
      .option('format', { type: 'string', default: 'auto', describe: 'input format (auto detects)' })
      .option('title', { type: 'string', describe: 'page title' })
      .option('images', { type: 'boolean', default: true, describe: 'render charts/*.svg and *.png (--no-images skips them)' })
      .option('mechanisms', { type: 'string', default: DEFAULT_PARAMS.mechanisms.join(','), describe: 'ES2 mechanisms to model: pi,hybrid,redirect' })
      .option('idle-window-ns', { type: 'number', default: DEFAULT_PARAMS.idleWindowNs, describe: 'hybrid I/O: POLL ends after this long without a kick (ns)' })
      .option('enter-gap-ns', { type: 'number', default: DEFAULT_PARAMS.enterGapNs, describe: 'hybrid I/O: enter POLL when kicks come closer than this (ns)' })
      .option('redirect-cost-ns', { type: 'number', default: DEFAULT_PARAMS.redirectCostNs, describe: 'redirection: latency of a redirected interrupt (ns)' })
      .option('kick-window-ns', { type: 'number', default: DEFAULT_PARAMS.kickWindowNs, describe: 'posted interrupts: window that makes an EXTERNAL_INTERRUPT exit an injection kick (ns)' })
      .option('tsc-hz', TSC_HZ_OPTION)
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print nothing on success' }) as Argv<ReportArgs>,
    async (args) => {
      const params: Partial<WhatifParams> = {
        mechanisms: parseMechanisms(args.mechanisms),
        idleWindowNs: args['idle-window-ns'], enterGapNs: args['enter-gap-ns'],
        redirectCostNs: args['redirect-cost-ns'], kickWindowNs: args['kick-window-ns'],
      };
      const bad = validateParams({ ...DEFAULT_PARAMS, ...params } as WhatifParams);
      if (bad.length) throw new TraceInputError(`bad model parameters: ${bad.join('; ')}`, undefined, 'see es2scope report --help');
      const dir = args.output ?? defaultReportDir(args.trace);
      // a folder is a dataset (es2scope ingest --dataset): one report across its hosts, compared per host
      const data = isDatasetPath(args.trace)
        ? await buildDatasetReportData(args.trace, { ...(args.title ? { title: args.title } : {}), params })
        : await buildReportData(args.trace, { format: args.format, ...(args.title ? { title: args.title } : {}), params, progress: !args.quiet, ...(args['tsc-hz'] !== undefined ? { tscHz: args['tsc-hz'] } : {}) });
      const written: WrittenReport = await writeReport(dir, data, { noImages: !args.images });
      if (!args.quiet) {
        process.stdout.write(`report: ${written.html} (${(written.htmlBytes / 1024).toFixed(0)} KiB, opens offline)\n`);
        process.stdout.write(`charts: ${written.charts.length} in ${dir.replace(/\/$/, '')}/charts/ (${args.images ? 'svg, png, ' : ''}vl.json); summary: ${written.summary}\n`);
        for (const n of data.notices.slice(0, 1)) if (!data.headline.exitsTraced) process.stdout.write(`note: ${n}\n`);
      }
    },
  );
}
