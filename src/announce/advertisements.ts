// Which BGPAdvertisements apply to a Service IP on a node, and whether they clash, following
// MetalLB's speaker (`poolMatchesNodeBGP`, `bgpAdsForService`, `checkBGPAdvConflicts`).
import { anySelectorMatches } from '../config/selector.js';
import type { BgpAdvertisement, Config, Pool } from '../config/types.js';
import type { NodeInfo, ServiceInfo } from '../api/cluster.js';
import { compareText } from '../util/order.js';

/** The advertisements of each pool, sorted by name, so lookups per Service are O(ads of its pool). */
export function advertisementsByPool(config: Config): Map<string, BgpAdvertisement[]> {
  const byPool = new Map<string, BgpAdvertisement[]>();
  const sorted = [...config.advertisements].sort((a, b) => compareText(a.name, b.name));
  for (const advertisement of sorted) {
    for (const pool of advertisement.pools) {
      const list = byPool.get(pool) ?? [];
      list.push(advertisement);
      byPool.set(pool, list);
    }
  }
  return byPool;
}

/** Advertisements whose nodeSelectors select the node (empty = every node). */
export function advertisementsForNode(
  advertisements: readonly BgpAdvertisement[],
  node: NodeInfo,
): BgpAdvertisement[] {
  return advertisements.filter((advertisement) =>
    anySelectorMatches(advertisement.nodeSelectors, node.labels),
  );
}

/** Of those, the ones whose serviceSelectors match the Service's labels (OR; empty = every Service). */
export function advertisementsForService(
  advertisements: readonly BgpAdvertisement[],
  service: ServiceInfo,
): BgpAdvertisement[] {
  return advertisements.filter((advertisement) =>
    anySelectorMatches(advertisement.serviceSelectors, service.labels),
  );
}

export interface LocalPrefConflict {
  readonly first: BgpAdvertisement;
  readonly second: BgpAdvertisement;
}

/**
 * The first pair (by name) of advertisements, all selecting this node and Service, that would send
 * the same prefix to the same peer with different LOCAL_PREF. MetalLB checks this per Service
 * because serviceSelectors make the config-time check incomplete.
 */
export function findLocalPrefConflict(
  advertisements: readonly BgpAdvertisement[],
  pool: Pool,
): LocalPrefConflict | undefined {
  for (const [index, first] of advertisements.entries()) {
    for (const second of advertisements.slice(index + 1)) {
      if (!localPrefCompatible(first, second, pool)) return { first, second };
    }
  }
  return undefined;
}

/**
 * MetalLB's rule: equal LOCAL_PREF, or different prefixes (aggregation differs for every family the
 * pool has), or disjoint explicit peer lists. (Disjoint node sets would also do, but both
 * advertisements here select this node.)
 */
function localPrefCompatible(a: BgpAdvertisement, b: BgpAdvertisement, pool: Pool): boolean {
  if (a.localPref === b.localPref) return true;
  if (aggregationDiffers(a, b, pool)) return true;
  return a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((peer) => b.peers.includes(peer));
}

function aggregationDiffers(a: BgpAdvertisement, b: BgpAdvertisement, pool: Pool): boolean {
  const hasV4 = pool.cidrs.some((cidr) => cidr.family === 'ipv4');
  const hasV6 = pool.cidrs.some((cidr) => cidr.family === 'ipv6');
  const v4Differs = a.aggregationLength !== b.aggregationLength;
  const v6Differs = a.aggregationLengthV6 !== b.aggregationLengthV6;
  if (!hasV4 && !hasV6) return true;
  if (!hasV6) return v4Differs;
  if (!hasV4) return v6Differs;
  return v4Differs && v6Differs;
}
