// Index helpers for the replay at 10 M rows: look rows up by id without a Map when ids are their
// positions (as the adapter makes them), and order rows by time without sorting objects. Pure.

/** True when items[i].id === i for every i (then an id is its own position). */
export function idsArePositions(items: readonly { id: number }[]): boolean {
  for (let i = 0; i < items.length; i++) if (items[i]!.id !== i) return false;
  return true;
}

/** id -> position in `items`; -1 when absent. No Map when ids are positions. */
export function positionOfId(items: readonly { id: number }[]): (id: number) => number {
  if (idsArePositions(items)) return (id) => (Number.isInteger(id) && id >= 0 && id < items.length ? id : -1);
  const m = new Map<number, number>();
  items.forEach((x, i) => m.set(x.id, i)); // the last wins, as new Map(items.map(...)) did
  return (id) => m.get(id) ?? -1;
}

/**
 * Positions of the selected items ordered by (time, id), as sorting the items with
 * `a.t - b.t || a.id - b.id` would order them. Already-ordered input (the common case) is not
 * sorted; otherwise an Int32Array of positions is sorted against typed copies of the keys.
 */
export function orderByTime<T extends { id: number }>(items: readonly T[], positions: ArrayLike<number>, timeOf: (x: T) => number): Int32Array {
  const n = positions.length;
  const pos = new Int32Array(n);
  const t = new Float64Array(n);
  const id = new Float64Array(n);
  let sorted = true;
  for (let k = 0; k < n; k++) {
    const x = items[positions[k]!]!;
    pos[k] = positions[k]!;
    t[k] = timeOf(x);
    id[k] = x.id;
    if (k > 0 && sorted && (t[k]! < t[k - 1]! || (t[k] === t[k - 1] && id[k]! < id[k - 1]!))) sorted = false;
  }
  if (sorted) return pos;
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) idx[k] = k;
  idx.sort((a, b) => t[a]! - t[b]! || id[a]! - id[b]!);
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = pos[idx[k]!]!;
  return out;
}

/** Two-level lookup (vm label, vCPU id) -> small index, without building a string key per row. */
export class VcpuIndex {
  private readonly byVm = new Map<string, Map<number, number>>();
  size = 0;
  /** Index of (vm, vcpu), created on first use. */
  of(vm: string, vcpu: number): number {
    let m = this.byVm.get(vm);
    if (!m) this.byVm.set(vm, (m = new Map()));
    let k = m.get(vcpu);
    if (k === undefined) { k = this.size++; m.set(vcpu, k); }
    return k;
  }
  /** Index of (vm, vcpu), -1 when never seen. */
  get(vm: string, vcpu: number): number { return this.byVm.get(vm)?.get(vcpu) ?? -1; }
}
