// The what-if figures the exporter sends, in a shape of its own: the model's result types are
// still growing, so src/cli adapts them to this (see whatifExport() there) and the OTel mapping
// does not break when the model adds fields. Integer ns everywhere.

export interface WhatifAvoided {
  /** 'pi' | 'hybrid' | 'redirect' (MODEL.md mechanisms). */
  mechanism: string;
  /** Exit reason as in the analysis' reasons table. */
  reason: string;
  /** VM label. */
  vm: string;
  count: number;
  /** Handling time of those exits, returned to the guest. */
  returnedNs: number;
}

export interface WhatifExport {
  avoided: WhatifAvoided[];
  /** Hybrid I/O polling CPU time per VM label. */
  pollingNs: { vm: string; ns: number }[];
  /** EHT after the model; null where not defined. */
  ehtAfter: { busy: number | null; wall: number | null } | null;
  /** Interrupt latencies after redirection (ns), per VM label. */
  irqLatencyAfterNs: { vm: string; latencyNs: number }[];
  /** (G + H) / (G + H - dH); null when undefined. */
  throughputGainBound: number | null;
}
