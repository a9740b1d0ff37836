// summary.json: the report's numbers without the charts' binned data, for scripts and CI diffs.
import type { ReportData } from './model.js';
import type { ChartSpec } from './specs.js';

export const SUMMARY_VERSION = 1;

export function buildSummary(d: ReportData, charts: ChartSpec[]) {
  return {
    summaryVersion: SUMMARY_VERSION,
    title: d.title,
    generatedBy: d.generatedBy,
    input: d.input,
    headline: d.headline,
    notices: d.notices,
    quality: d.quality,
    params: d.params,
    exitsByReason: d.exitsByReason,
    avoided: d.avoided,
    sweep: d.sweep,
    devices: d.devices,
    paper: d.paper,
    ...(d.hosts ? { hosts: d.hosts } : {}),
    charts: charts.map((c) => ({ id: c.id, title: c.title })),
  };
}
