// A map from keys to sets of strings for indexes where nearly every key has one member (the
// Services carrying a prefix, the Services routing to a (prefix, peer)): a lone member is stored as
// the string itself, a Set only from the second one on. At 10,000 Services the speaker holds ~50,000
// such sets; a V8 Set with one entry costs ~150 bytes, the string reference nothing.
export class StringSetMap<K> {
  private readonly table = new Map<K, string | Set<string>>();

  /** Adds `member` to the set of `key` (no-op when present). */
  add(key: K, member: string): void {
    const held = this.table.get(key);
    if (held === undefined) this.table.set(key, member);
    else if (typeof held === 'string') {
      if (held !== member) this.table.set(key, new Set([held, member]));
    } else held.add(member);
  }

  /** Removes `member` from the set of `key`; a set left empty is removed. */
  delete(key: K, member: string): void {
    const held = this.table.get(key);
    if (held === undefined) return;
    if (typeof held === 'string') {
      if (held === member) this.table.delete(key);
      return;
    }
    held.delete(member);
    if (held.size === 1) this.table.set(key, held.values().next().value as string);
  }

  /** The members of `key`'s set in insertion order (none when absent). */
  members(key: K): readonly string[] {
    const held = this.table.get(key);
    if (held === undefined) return [];
    return typeof held === 'string' ? [held] : [...held];
  }

  has(key: K): boolean {
    return this.table.has(key);
  }

  keys(): IterableIterator<K> {
    return this.table.keys();
  }

  clear(): void {
    this.table.clear();
  }
}
