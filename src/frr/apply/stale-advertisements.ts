// Routes bgpd still advertises although no `network` line of the desired config originates them. Seen
// under faults (speaker kill -9 and FRR restarts, chaos seed 2026): FRR's running config held exactly
// the desired network lines, yet bgpd kept two host routes whose lines were gone, so a check of the
// running config alone cannot see it. The speaker reads what bgpd advertises to each peer anyway
// (ServiceBGPStatus); this compares that with the desired config. Pure.
import { isIPv4, isIPv6 } from 'node:net';
import {
  addressFamilyLineText,
  parseAddressFamilyLine,
  parseNetworkLine,
  parseRouterBgpLine,
  routerBgpLineText,
  type UnicastFamily,
} from './bgp-lines.js';
import { parseConfigTree } from './config-tree.js';

/** A prefix bgpd advertises in one router's address family with no desired network line for it. */
export interface StaleAdvertisement {
  /** `router bgp ASN [vrf NAME]`, as rendered */
  readonly router: string;
  /** `address-family ipv4|ipv6 unicast` */
  readonly family: string;
  readonly prefix: string;
}

interface DesiredRouter {
  readonly router: string;
  readonly networks: ReadonlyMap<UnicastFamily, ReadonlySet<string>>;
}

/** VRF ('' = default) → its `router bgp` line and the prefixes of its network lines per family. */
export function desiredRouters(desired: string): Map<string, DesiredRouter> {
  const routers = new Map<string, DesiredRouter>();
  for (const node of parseConfigTree(desired)) {
    const router = node.context ? parseRouterBgpLine(node.line) : undefined;
    if (router === undefined) continue;
    const networks = new Map<UnicastFamily, Set<string>>();
    for (const familyNode of node.children) {
      const family = familyNode.context ? parseAddressFamilyLine(familyNode.line) : undefined;
      if (family === undefined) continue;
      const prefixes = networks.get(family.family) ?? new Set<string>();
      for (const line of familyNode.children) {
        const network = line.context ? undefined : parseNetworkLine(line.line);
        if (network !== undefined) prefixes.add(network.prefix);
      }
      networks.set(family.family, prefixes);
    }
    routers.set(router.vrf ?? '', { router: routerBgpLineText(router), networks });
  }
  return routers;
}

/** Ferry originates host routes only: the family of a prefix it could have rendered, if it is one. */
function hostRouteFamily(prefix: string): UnicastFamily | undefined {
  // bgpd's own output, but it goes back into a vtysh command: only an address and its host length
  const [address = '', length, ...rest] = prefix.split('/');
  if (rest.length > 0) return undefined;
  if (isIPv4(address)) return length === '32' ? 'ipv4' : undefined;
  if (isIPv6(address)) return length === '128' ? 'ipv6' : undefined;
  return undefined;
}

/**
 * The host routes advertised in a VRF whose router is in the desired config but that no network line
 * of that router and family originates, sorted by VRF then prefix.
 * @param advertised VRF ('' = default) → prefixes bgpd advertises to any of its peers there
 */
export function surplusAdvertisements(
  desired: string,
  advertised: ReadonlyMap<string, ReadonlySet<string>>,
): StaleAdvertisement[] {
  const routers = desiredRouters(desired);
  const surplus: StaleAdvertisement[] = [];
  for (const vrf of [...advertised.keys()].sort()) {
    const router = routers.get(vrf);
    if (router === undefined) continue;
    for (const prefix of [...(advertised.get(vrf) ?? [])].sort()) {
      const family = hostRouteFamily(prefix);
      if (family === undefined || router.networks.get(family)?.has(prefix) === true) continue;
      surplus.push({ router: router.router, family: addressFamilyLineText({ family }), prefix });
    }
  }
  return surplus;
}

const key = (stale: StaleAdvertisement) => `${stale.router} / ${stale.family} / ${stale.prefix}`;

/**
 * What to repair: the surplus seen in two consecutive observations with no apply in between (an
 * apply in flight or just done may still be withdrawing a route bgpd then stops sending).
 * @param previous the surplus of the observation before, undefined when there was none
 * @param appliedSince whether an apply ran (or the desired config changed) since `previous`
 */
export function confirmedStale(
  previous: readonly StaleAdvertisement[] | undefined,
  current: readonly StaleAdvertisement[],
  appliedSince: boolean,
): StaleAdvertisement[] {
  if (previous === undefined || appliedSince) return [];
  const seen = new Set(previous.map(key));
  return current.filter((stale) => seen.has(key(stale)));
}
