// Tracepoint name (without system) -> its payload decoder, for text and binary collectors.
// The decoders hold per-builder dictionary-code caches, so the table is built once per process.
import { kvmEntryDecoders } from './kvmEntry.js';
import { kvmExitDecoders } from './kvmExit.js';
import { ioDecoders } from './io.js';
import { irqDecoders } from './irq.js';
import { msrDecoders } from './msr.js';
import { piDecoders } from './pi.js';
import { schedDecoders } from './sched.js';
import { vcpuDecoders } from './vcpu.js';
import type { TracepointDecoder } from './types.js';

export type { FieldReader, PrintTable, TracepointDecoder } from './types.js';

/** A fresh set of decoders (tests; or a collector that wants its own caches). */
export function createTracepointDecoders(): ReadonlyMap<string, TracepointDecoder> {
  const all: TracepointDecoder[] = [
    ...kvmExitDecoders(),
    ...kvmEntryDecoders(),
    ...ioDecoders(),
    ...msrDecoders(),
    ...irqDecoders(),
    ...piDecoders(),
    ...vcpuDecoders(),
    ...schedDecoders(),
  ];
  return new Map(all.map((d) => [d.name, d]));
}

const DECODERS = createTracepointDecoders();

/** The decoder for a tracepoint name without system ("kvm_exit"), or undefined. */
export function tracepointDecoder(name: string): TracepointDecoder | undefined {
  return DECODERS.get(name);
}

/** Names of every tracepoint with a decoder. */
export function decodedTracepoints(): string[] {
  return [...DECODERS.keys()];
}
