// Dictionary codes for text ranges without allocating a substring per row. Each decoder owns its
// caches (no module state); a cache is keyed by the builder's Dictionary because codes are per
// builder. The first sighting of a name allocates it once; later rows hash the range and compare
// in place with startsWith.
import type { Dictionary, EventBatchBuilder } from '../eventBatch.js';

interface Entry<V> { readonly s: string; readonly v: V }

/** Map from text ranges to values, hashed over the range's characters. */
export class RangeMap<V> {
  private readonly buckets = new Map<number, Entry<V>[]>();

  private static hash(t: string, s: number, e: number): number {
    let h = 0x811c9dc5 ^ (e - s);
    for (let i = s; i < e; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
    return h;
  }

  get(t: string, s: number, e: number): V | undefined {
    const list = this.buckets.get(RangeMap.hash(t, s, e));
    if (list === undefined) return undefined;
    const n = e - s;
    for (const en of list) if (en.s.length === n && t.startsWith(en.s, s)) return en.v;
    return undefined;
  }

  /** Value for the range, computing it from the range's text on a miss. */
  getOr(t: string, s: number, e: number, make: (text: string) => V): V {
    const h = RangeMap.hash(t, s, e);
    let list = this.buckets.get(h);
    const n = e - s;
    if (list !== undefined) for (const en of list) if (en.s.length === n && t.startsWith(en.s, s)) return en.v;
    const str = t.slice(s, e);
    const v = make(str);
    if (list === undefined) this.buckets.set(h, (list = []));
    list.push({ s: str, v });
    return v;
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
  constructor(private readonly col: number) {}
  set(b: EventBatchBuilder, t: string, s: number, e: number): void {
    const d = b.dictionaries[this.col]!;
    b.dictCode(this.col, this.codes.of(d).getOr(t, s, e, (str) => d.code(str)));
  }
}
