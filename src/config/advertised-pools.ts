// The pools a BGPAdvertisement or L2Advertisement applies to, as MetalLB resolves them:
// `ipAddressPools` by name ∪ `ipAddressPoolSelectors` by label, or every pool when it names none.
// A named pool that does not exist (or is invalid) is a warning, not an error: MetalLB accepts it.
import type { Issues } from './issues.js';
import type { BuiltPool } from './pools.js';
import { anySelectorMatches } from './selector.js';
import type { LabelSelector } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';

export function advertisedPools(
  names: readonly string[] | undefined,
  selectors: readonly LabelSelector[],
  rawSelectorCount: number,
  pools: readonly BuiltPool[],
  ref: ObjectRef,
  issues: Issues,
): string[] {
  const validPools = new Set(pools.map((built) => built.pool.name));
  (names ?? []).forEach((name, index) => {
    if (!validPools.has(name)) {
      issues.warning(
        ref,
        `spec.ipAddressPools[${index}]`,
        `IPAddressPool ${JSON.stringify(name)} does not exist or is invalid; nothing is announced for it`,
      );
    }
  });
  const selectsAll = (names ?? []).length === 0 && rawSelectorCount === 0;
  return pools
    .filter(
      (built) =>
        selectsAll ||
        (names ?? []).includes(built.pool.name) ||
        (selectors.length > 0 && anySelectorMatches(selectors, built.pool.labels)),
    )
    .map((built) => built.pool.name)
    .sort();
}
