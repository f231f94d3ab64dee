// What bgpd advertises to each neighbor (its adj-out, after the out route maps), kept between reads.
// A full read replaces it, a read of single prefixes updates only those; both answer which prefixes
// changed, so ServiceBGPStatus is recomputed only for the Services behind them. Pure.

/** One prefix read alone: which of the neighbors that could carry it bgpd advertises it to. */
export interface PrefixAdvertised {
  readonly prefix: string;
  /** neighbor keys (see neighborKey) whose sessions carry the prefix's family */
  readonly scope: readonly string[];
  readonly to: ReadonlySet<string>;
}

export class AdvertisedIndex {
  private byNeighbor = new Map<string, Set<string>>();

  has(neighbor: string, prefix: string): boolean {
    return this.byNeighbor.get(neighbor)?.has(prefix) === true;
  }

  /** Neighbor key → prefixes, as of the last reads (a live view: it changes with the next one). */
  view(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.byNeighbor;
  }

  /**
   * A full read: every neighbor's advertised routes, taken over (the caller hands them on and keeps
   * no reference: copying 10,000s of prefixes each read is what this avoids). Returns the prefixes
   * whose neighbors changed.
   */
  replaceAll(next: Map<string, Set<string>>): Set<string> {
    const changed = new Set<string>();
    for (const [neighbor, before] of this.byNeighbor) {
      const after = next.get(neighbor);
      for (const prefix of before) if (after?.has(prefix) !== true) changed.add(prefix);
    }
    for (const [neighbor, after] of next) {
      const before = this.byNeighbor.get(neighbor);
      for (const prefix of after) if (before?.has(prefix) !== true) changed.add(prefix);
    }
    this.byNeighbor = next;
    return changed;
  }

  /** One prefix read alone; true when what it is advertised to changed. */
  setPrefix(read: PrefixAdvertised): boolean {
    let changed = false;
    for (const neighbor of read.scope) {
      const advertised = read.to.has(neighbor);
      const prefixes = this.byNeighbor.get(neighbor);
      if ((prefixes?.has(read.prefix) === true) === advertised) continue;
      changed = true;
      if (advertised) {
        if (prefixes === undefined) this.byNeighbor.set(neighbor, new Set([read.prefix]));
        else prefixes.add(read.prefix);
      } else prefixes?.delete(read.prefix);
    }
    return changed;
  }
}
