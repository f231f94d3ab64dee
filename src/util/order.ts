// Deterministic ordering: ferry's output (frr.conf, status, explain) must not depend on the order of
// any input list nor on the machine's locale.

/** Code-unit order: locale-independent, so output is the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts by a key computed once per item, then by `tieBreak`. */
export function sortByKey<T, K>(
  items: readonly T[],
  key: (item: T) => K,
  compareKeys: (a: K, b: K) => number,
  tieBreak: (a: T, b: T) => number = () => 0,
): T[] {
  return items
    .map((item) => ({ item, key: key(item) }))
    .sort((a, b) => compareKeys(a.key, b.key) || tieBreak(a.item, b.item))
    .map(({ item }) => item);
}
