// Every input format es2scope reads. Add a collector here (one import, one list entry).
import type { Collector } from './common/collector.js';

export const ALL_COLLECTORS: readonly Collector[] = [
];
