// Dictionary codes for text ranges without allocating a substring per row. Each decoder owns its
// caches (no module state); a cache is keyed by the builder's Dictionary because codes are per
// builder. The first sighting of a name allocates it once; later rows hash the range and compare
// in place with startsWith.
import type { Dictionary, EventBatchBuilder } from '../eventBatch.js';

/**
 * A copy of `s` that shares no memory with the string it was sliced from. Why: V8 makes a slice of
 * 13 or more characters a view that keeps its parent alive, and a kept key would pin a whole
 * 64 KiB chunk of the input (comm and event names are kept for the whole read). Runs once per new key.
 */
export function ownCopy(s: string): string {
  if (s.length < 13) return s;
  // latin1 when that is exact: a one-byte copy of a one-byte string compares with it fast
  const c = Buffer.from(s, 'latin1').toString('latin1');
  return c === s ? c : Buffer.from(s, 'utf16le').toString('utf16le');
}

/**
 * Map from text ranges to values: an open-addressing table over a 32-bit FNV-1a hash of the range,
 * confirmed with startsWith. Why not a Map of buckets: this runs several times per row, and a
 * Map lookup plus a bucket array walk cost more than the hash itself.
 */
export class RangeMap<V> {
  private keys: (string | undefined)[] = new Array<string | undefined>(16);
  private hashes = new Int32Array(16);
  private vals: (V | undefined)[] = new Array<V | undefined>(16);
  private mask = 15;
  private size = 0;

  static hash(t: string, s: number, e: number): number {
    let h = 0x811c9dc5 ^ (e - s);
    for (let i = s; i < e; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
    return h;
  }

  /** Slot of the range: its index when present, else -1 - (the free slot where it would go). */
  private slot(t: string, s: number, e: number, h: number): number {
    const n = e - s;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === undefined) return -1 - i;
      if (this.hashes[i] === h && k.length === n && t.startsWith(k, s)) return i;
    }
  }

  get(t: string, s: number, e: number): V | undefined {
    const i = this.slot(t, s, e, RangeMap.hash(t, s, e));
    return i >= 0 ? this.vals[i] : undefined;
  }

  /** Value for the range, computing it from the range's text on a miss. */
  getOr(t: string, s: number, e: number, make: (text: string) => V): V {
    const h = RangeMap.hash(t, s, e);
    const i = this.slot(t, s, e, h);
    if (i >= 0) return this.vals[i]!;
    const str = ownCopy(t.slice(s, e));
    const v = make(str);
    this.insert(-1 - i, str, h, v);
    return v;
  }

  /** Add a range that get() just missed (slot from a fresh lookup). */
  private insert(i: number, str: string, h: number, v: V): void {
    this.keys[i] = str;
    this.hashes[i] = h;
    this.vals[i] = v;
    if (++this.size * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const { keys, hashes, vals } = this;
    const cap = (this.mask + 1) * 2;
    this.keys = new Array<string | undefined>(cap);
    this.hashes = new Int32Array(cap);
    this.vals = new Array<V | undefined>(cap);
    this.mask = cap - 1;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === undefined) continue;
      let i = hashes[j]! & this.mask;
      while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.hashes[i] = hashes[j]!;
      this.vals[i] = vals[j];
    }
  }
}

/** Per-dictionary RangeMaps (one per builder that the decoder writes to). */
export class PerDict<V> {
  private readonly byDict = new WeakMap<Dictionary, RangeMap<V>>();
  private lastDict: Dictionary | null = null;
  private lastMap: RangeMap<V> | null = null;

  of(d: Dictionary): RangeMap<V> {
    if (d === this.lastDict) return this.lastMap!;
    let m = this.byDict.get(d);
    if (m === undefined) this.byDict.set(d, (m = new RangeMap<V>()));
    this.lastDict = d;
    this.lastMap = m;
    return m;
  }
}

/** Sets a dict column from a text range, caching the code per dictionary. */
export class DictSetter {
  private readonly codes = new PerDict<number>();
  private dict: Dictionary | null = null;
  private readonly make = (str: string): number => this.dict!.code(str);
  constructor(private readonly col: number) {}
  set(b: EventBatchBuilder, t: string, s: number, e: number): void {
    const d = b.dictionaries[this.col]!;
    this.dict = d;
    b.dictCode(this.col, this.codes.of(d).getOr(t, s, e, this.make));
  }
}
