// Which Services a pool may serve, and in which order pools are tried for a Service.
//
// MetalLB: a pool with `serviceAllocation` leaves the generic auto-assign set and is only used
// for the Services it matches ("pinned"), lower priority numbers first and 0 (unset) last; only
// when no pinned pool yields an address are the auto-assign pools without `serviceAllocation`
// tried. MetalLB breaks priority ties and orders the generic pools at random (Go map order);
// here both are ordered by pool name so that the same inputs give the same addresses.
//
// Deviation: when `namespaces`/`namespaceSelectors` are given but currently select no namespace,
// MetalLB applies no namespace restriction at all (the pool then serves every namespace on
// request). Here such a pool serves no namespace until one matches, which is what was written.
import type { Pool } from '../config/types.js';
import { anySelectorMatches, selectorMatches } from '../config/selector.js';

/** Namespace name → its labels, to resolve `serviceAllocation.namespaceSelectors`. */
export type NamespaceLabels = ReadonlyMap<string, Readonly<Record<string, string>>>;

export interface PoolScope {
  readonly pool: Pool;
  /** undefined = every namespace */
  readonly namespaces: ReadonlySet<string> | undefined;
}

export function resolvePoolScope(pool: Pool, namespaceLabels: NamespaceLabels): PoolScope {
  const allocation = pool.serviceAllocation;
  if (allocation === undefined) return { pool, namespaces: undefined };
  if (allocation.namespaces.length === 0 && allocation.namespaceSelectors.length === 0) {
    return { pool, namespaces: undefined };
  }
  const namespaces = new Set(allocation.namespaces);
  for (const [name, labels] of namespaceLabels) {
    if (allocation.namespaceSelectors.some((selector) => selectorMatches(selector, labels)))
      namespaces.add(name);
  }
  return { pool, namespaces };
}

/** Whether the pool may give an address to a Service in `namespace` with `labels`. */
export function poolServes(
  scope: PoolScope,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (scope.namespaces !== undefined && !scope.namespaces.has(namespace)) return false;
  return anySelectorMatches(scope.pool.serviceAllocation?.serviceSelectors ?? [], labels);
}

function priorityRank(pool: Pool): number {
  const priority = pool.serviceAllocation?.priority ?? 0;
  return priority === 0 ? Number.POSITIVE_INFINITY : priority;
}

function byName(a: PoolScope, b: PoolScope): number {
  return a.pool.name < b.pool.name ? -1 : a.pool.name > b.pool.name ? 1 : 0;
}

/** The pools automatic allocation may use, in the order they are tried (before per-Service filtering). */
export interface PoolOrder {
  /** auto-assign pools with serviceAllocation, by priority then name */
  readonly pinned: readonly PoolScope[];
  /** auto-assign pools without serviceAllocation, by name */
  readonly generic: readonly PoolScope[];
}

export function poolOrder(scopes: Iterable<PoolScope>): PoolOrder {
  const auto = [...scopes].filter((scope) => scope.pool.autoAssign).sort(byName);
  const pinned = auto
    .filter((scope) => scope.pool.serviceAllocation !== undefined)
    .sort((a, b) => priorityRank(a.pool) - priorityRank(b.pool) || byName(a, b));
  const generic = auto.filter((scope) => scope.pool.serviceAllocation === undefined);
  return { pinned, generic };
}
