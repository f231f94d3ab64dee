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
import { compareText } from '../../util/order.js';
import { parseConfigTree } from './config-tree.js';

/** A prefix bgpd advertises in one router's address family with no desired network line for it. */
export interface StaleAdvertisement {
  /** `router bgp ASN [vrf NAME]`, as rendered */
  readonly router: string;
  /** `address-family ipv4|ipv6 unicast` */
  readonly family: string;
  readonly prefix: string;
}

/** The prefixes with a network line: a Set, or a Map keyed by prefix. */
export interface PrefixLookup {
  has(prefix: string): boolean;
  keys(): Iterable<string>;
}

/** One `router bgp` of a desired config: its line and the prefixes of its network lines per family. */
export interface DesiredRouter {
  readonly router: string;
  readonly networks: ReadonlyMap<UnicastFamily, PrefixLookup>;
}

/** VRF ('' = default) → its router in the desired config. */
export type DesiredRouters = ReadonlyMap<string, DesiredRouter>;

/** The routers of a desired config known only as text (parsed: O(its lines)). */
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

/**
 * The family of a host route ferry could have rendered: a cheap look at the length first (every
 * advertised prefix passes here, 10,000s per read), the address checked only for a candidate.
 */
function hostRouteFamily(prefix: string): UnicastFamily | undefined {
  const slash = prefix.indexOf('/');
  const length = prefix.slice(slash + 1);
  if (slash < 0 || (length !== '32' && length !== '128')) return undefined;
  return length === '32' ? 'ipv4' : 'ipv6';
}

/** bgpd's own output, but it goes back into a vtysh command: only an address and its host length. */
function isHostRoute(prefix: string, family: UnicastFamily): boolean {
  const address = prefix.slice(0, prefix.indexOf('/'));
  return family === 'ipv4' ? isIPv4(address) : isIPv6(address);
}

/**
 * The host routes advertised in a VRF whose router is in the desired config but that no network line
 * of that router and family originates, sorted by VRF then prefix. O(advertised prefixes), no copies:
 * it runs on every full read of bgpd's adj-out.
 * @param advertised VRF ('' = default) → the prefix sets bgpd advertises to each of its peers there
 */
export function surplusAdvertisements(
  routers: DesiredRouters,
  advertised: ReadonlyMap<string, readonly Iterable<string>[]>,
): StaleAdvertisement[] {
  const surplus: StaleAdvertisement[] = [];
  for (const vrf of [...advertised.keys()].sort()) {
    const router = routers.get(vrf);
    if (router === undefined) continue;
    const found = new Map<string, UnicastFamily>();
    for (const prefixes of advertised.get(vrf) ?? [])
      for (const prefix of prefixes) {
        const family = hostRouteFamily(prefix);
        if (family === undefined || router.networks.get(family)?.has(prefix) === true) continue;
        if (isHostRoute(prefix, family)) found.set(prefix, family);
      }
    for (const [prefix, family] of [...found].sort(([a], [b]) => compareText(a, b)))
      surplus.push({ router: router.router, family: addressFamilyLineText({ family }), prefix });
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
