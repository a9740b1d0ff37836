// The dataset's manifest: one JSON line per ingested trace (identity, host, span, counts, data
// quality, and the exact Parquet parts it owns). Queries read only the parts the manifest names,
// so a part left behind by a crash is never read; the manifest is replaced atomically (write a
// temporary file, then rename) after the parts are in place.
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const DATASET_SCHEMA_VERSION = 1;
export const MARKER_FILE = 'es2scope-dataset.json';
export const MANIFEST_FILE = 'manifest.jsonl';
export const STAGING_DIR = '.staging';

export interface ManifestEntry {
  /** sha256 of the input bytes (hex): the same trace ingested twice has the same id. */
  traceId: string;
  host: string;
  input: { path: string; format: string; sizeBytes: number | null };
  ingestedAt: string;
  schemaVersion: number;
  firstNs: string | null;
  lastNs: string | null;
  rows: Record<string, number>;
  quality: { lostMarkers: number; lostEvents: number | null; warnings: number; unpairedExits: number; timePrecisionNs: number; truncated: boolean };
  /** Parquet parts, relative to the dataset root, by table. */
  parts: Record<string, string[]>;
}

export class DatasetError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = 'DatasetError';
  }
}

/** Create the dataset folder (or check an existing one): marker file with the schema version. */
export function openOrCreateDataset(dir: string): void {
  const marker = join(dir, MARKER_FILE);
  if (existsSync(dir) && !existsSync(marker)) {
    const entries = readdirSync(dir).filter((n) => !n.startsWith('.'));
    if (entries.length > 0) {
      throw new DatasetError(`${dir} exists and is not an es2scope dataset (no ${MARKER_FILE})`, 'name a new or empty folder for --dataset');
    }
  }
  mkdirSync(dir, { recursive: true });
  if (!existsSync(marker)) {
    writeFileSync(marker, `${JSON.stringify({ es2scopeDataset: true, schemaVersion: DATASET_SCHEMA_VERSION }, null, 2)}\n`);
  }
  checkDataset(dir);
}

/** Throw a clear error when `dir` is not a dataset es2scope can read. */
export function checkDataset(dir: string): void {
  const marker = join(dir, MARKER_FILE);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError(`${dir}: no such dataset folder`);
  if (!existsSync(marker)) throw new DatasetError(`${dir} is not an es2scope dataset (no ${MARKER_FILE})`, 'create one with: es2scope ingest TRACE... --dataset DIR');
  let m: { schemaVersion?: number };
  try { m = JSON.parse(readFileSync(marker, 'utf8')) as { schemaVersion?: number }; } catch (e) {
    throw new DatasetError(`${marker}: not valid JSON (${(e as Error).message})`);
  }
  if (m.schemaVersion !== DATASET_SCHEMA_VERSION) {
    throw new DatasetError(`${dir} has dataset schema version ${m.schemaVersion}, this es2scope writes and reads version ${DATASET_SCHEMA_VERSION}`,
      'use the es2scope version that wrote it, or ingest the traces into a new dataset');
  }
}

export function readManifest(dir: string): ManifestEntry[] {
  const p = join(dir, MANIFEST_FILE);
  if (!existsSync(p)) return [];
  const out: ManifestEntry[] = [];
  readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let e: ManifestEntry;
    try { e = JSON.parse(line) as ManifestEntry; } catch (err) {
      throw new DatasetError(`${p}:${i + 1}: not a JSON line (${(err as Error).message})`, 'the manifest was edited by hand or damaged; restore it from a copy');
    }
    if (e.schemaVersion !== DATASET_SCHEMA_VERSION) {
      throw new DatasetError(`${p}:${i + 1}: trace ${e.traceId} has schema version ${e.schemaVersion}, expected ${DATASET_SCHEMA_VERSION}`, 'mixed schema versions in one dataset: re-ingest into a new dataset');
    }
    out.push(e);
  });
  return out;
}

/** Append entries by rewriting the manifest to a temporary file and renaming it over the old one. */
export function appendManifest(dir: string, entries: readonly ManifestEntry[]): void {
  const p = join(dir, MANIFEST_FILE);
  const old = existsSync(p) ? readFileSync(p, 'utf8') : '';
  const text = old + entries.map((e) => `${JSON.stringify(e)}\n`).join('');
  const tmp = `${p}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, p);
}

/** Every .parquet under the table folders that no manifest entry names (left by a crash). */
export function orphanParts(dir: string, entries: readonly ManifestEntry[]): string[] {
  const owned = new Set(entries.flatMap((e) => Object.values(e.parts).flat()));
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      if (ent.name.startsWith('.')) continue;
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.parquet') && !owned.has(relative(dir, p))) out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}
