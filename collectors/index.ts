// Format detection over the list in collectors/all.ts. Binary formats are tried first: their magic
// bytes are unambiguous; text sniffers then look at the first lines.
import type { Collector } from './common/collector.js';
import { ALL_COLLECTORS } from './all.js';

export function collectors(): readonly Collector[] {
  return [...ALL_COLLECTORS].sort((a, b) => Number(b.binary) - Number(a.binary));
}

export function collectorByName(name: string): Collector | undefined {
  return ALL_COLLECTORS.find((c) => c.name === name);
}

export interface Detection {
  collector: Collector | null;
  /** Why each format declined, in the order tried. */
  declined: { name: string; why: string }[];
}

export function detectFormat(head: Buffer): Detection {
  const declined: { name: string; why: string }[] = [];
  for (const c of collectors()) {
    const r = c.sniff(head);
    if (r.ok) return { collector: c, declined };
    declined.push({ name: c.name, why: r.why });
  }
  return { collector: null, declined };
}
