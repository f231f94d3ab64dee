// (Config, Services, EndpointSlices, this Node) → the prefixes this node sends to each of its peers,
// with their attributes, and for every Service IP whether it is announced and why not.
//
// Each Service is judged on its own (MetalLB's per-Service ShouldAnnounce); the advertisements are
// then the union over all announced Services, so a shared IP (or an aggregate covering several
// IPs) stays announced while any Service using it may announce it (MetalLB #295), and is sent once.
import type { BgpAdvertisement, Community, Peer } from '../config/types.js';
import type { EndpointSliceInfo, ServiceInfo } from '../api/cluster.js';
import { type IpFamily, type ParsedIp, parseIp, prefixOf } from '../net/ip.js';
import { advertisementsByPool } from './advertisements.js';
import { unionCommunities } from './communities.js';
import { peerFamilies, peersForNode } from './peers.js';
import { poolLookup } from './pool-lookup.js';
import type { RouteArguments, ServiceDecisionMemo } from './service-decision-memo.js';
import { shouldAnnounce, type AnnounceContext, type ServiceVerdict } from './should-announce.js';
import type {
  AnnounceInput,
  AnnounceResult,
  PeerAdvertisement,
  PeerWithheld,
  RouteToPeer,
  ServiceDecision,
} from './types.js';
import { addressKey, compareAddressKeys, comparePrefixKeys, prefixKey } from '../net/address-order.js';
import { compareText, sortByKey } from '../util/order.js';

/**
 * @param memo the caller's per-Service memo, for callers that decide again and again on mostly the
 *   same objects (the speaker); without it every Service is judged afresh
 */
export function announcementsForNode(input: AnnounceInput, memo?: ServiceDecisionMemo): AnnounceResult {
  const { config, node } = input;
  // Families are worked out once per session, not per IP.
  const peers: NodePeer[] = peersForNode(config, node).map((peer) => ({
    peer,
    families: peerFamilies(peer),
  }));
  const context: AnnounceContext = {
    node,
    poolFor: poolLookup(config.pools),
    advertisementsByPool: advertisementsByPool(config),
    ignoreExcludeLB: input.options?.ignoreExcludeLB ?? false,
    lbClass: input.options?.lbClass ?? '',
  };
  const slices = slicesByService(input.endpointSlices);
  const table = new PeerRouteTable();
  const decisions: ServiceDecision[] = [];
  memo?.enter({ config, node, ignoreExcludeLB: context.ignoreExcludeLB, lbClass: context.lbClass });

  for (const service of input.services) {
    if (service.type !== 'LoadBalancer') continue;
    const serviceSlices = slices.get(serviceKey(service)) ?? [];
    const remembered = memo?.recall(service, serviceSlices);
    if (remembered !== undefined) {
      decisions.push(...remembered.decisions);
      for (const route of remembered.routes) table.add(...route);
      continue;
    }
    const recording = new RecordingTable(table);
    const serviceDecisions: ServiceDecision[] = [];
    const verdict = shouldAnnounce(service, serviceSlices, context);
    if (verdict.eligible) {
      for (const ip of verdict.ips)
        serviceDecisions.push(routeServiceIp(service, ip, verdict, peers, recording));
    } else {
      for (const ip of verdict.ips) serviceDecisions.push(refusedDecision(service, ip, verdict));
    }
    decisions.push(...serviceDecisions);
    memo?.remember(service, serviceSlices, { decisions: serviceDecisions, routes: recording.recorded });
  }

  const coverage = new PrefixCoverage(decisions);
  return {
    advertisements: table.advertisements(),
    decisions: sortDecisions(decisions.map((decision) => withSharing(decision, coverage))),
    warnings: table.warnings(),
  };
}

/** Adds to the real table and remembers what was added, for the memo. */
class RecordingTable {
  readonly recorded: RouteArguments[] = [];
  constructor(private readonly table: PeerRouteTable) {}
  add(...route: RouteArguments): void {
    this.recorded.push(route);
    this.table.add(...route);
  }
}

/** A BGP session of this node and the address families it carries. */
interface NodePeer {
  readonly peer: Peer;
  readonly families: readonly IpFamily[];
}

type Eligible = Extract<ServiceVerdict, { eligible: true }>;
type Refused = Extract<ServiceVerdict, { eligible: false }>;

function refusedDecision(service: ServiceInfo, ip: string, verdict: Refused): ServiceDecision {
  return {
    namespace: service.namespace,
    name: service.name,
    ip,
    announced: false,
    reason: verdict.reason,
    detail: verdict.detail,
    peers: [],
    eligible: false,
    pool: verdict.pool,
    routes: [],
    withheld: [],
    sharedWith: [],
  };
}

/**
 * Sends the IP's prefix of every matching advertisement to the advertisement's peers (all of the
 * node's peers when it names none) whose session carries the IP's family.
 */
function routeServiceIp(
  service: ServiceInfo,
  ip: ParsedIp,
  verdict: Eligible,
  peers: readonly NodePeer[],
  table: Pick<PeerRouteTable, 'add'>,
): ServiceDecision {
  const routes = new Map<string, { prefix: string; peer: string; advertisements: string[] }>();
  const reasonsLeftOut = new Map<string, { prefix: string; peer: string; why: string[] }>();
  for (const advertisement of verdict.advertisements) {
    const prefix = prefixOf(ip, aggregationLength(advertisement, ip.family)).text;
    for (const { peer, families } of peers) {
      const key = `${prefix} ${peer.name}`;
      const why = whyNotSent(advertisement, peer.name, families, ip.family);
      if (why !== undefined) {
        const entry = reasonsLeftOut.get(key) ?? { prefix, peer: peer.name, why: [] };
        entry.why.push(why);
        reasonsLeftOut.set(key, entry);
        continue;
      }
      const route = routes.get(key) ?? { prefix, peer: peer.name, advertisements: [] };
      route.advertisements.push(advertisement.name);
      routes.set(key, route);
      table.add(prefix, ip.family, peer.name, advertisement, serviceKey(service));
    }
  }

  const sortedRoutes: RouteToPeer[] = sortByPrefixThenPeer([...routes.values()]);
  const withheld: PeerWithheld[] = sortByKey(
    [...reasonsLeftOut.entries()]
      .filter(([key]) => !routes.has(key))
      .map(([, entry]) => ({ peer: entry.peer, prefix: entry.prefix, why: entry.why.join('; ') })),
    (entry) => ({ peer: entry.peer, prefix: prefixKey(entry.prefix) }),
    (a, b) => compareText(a.peer, b.peer) || comparePrefixKeys(a.prefix, b.prefix),
  );
  const routedPeers = [...new Set(sortedRoutes.map((route) => route.peer))].sort(compareText);
  const announced = sortedRoutes.length > 0;
  return {
    namespace: service.namespace,
    name: service.name,
    ip: ip.text,
    announced,
    reason: announced ? '' : 'noPeers',
    detail: announced ? announcedDetail(sortedRoutes, routedPeers) : noPeersDetail(peers, withheld),
    peers: routedPeers,
    eligible: true,
    pool: verdict.pool.name,
    routes: sortedRoutes.map((route) => ({
      ...route,
      advertisements: [...route.advertisements].sort(compareText),
    })),
    withheld,
    sharedWith: [],
  };
}

function aggregationLength(advertisement: BgpAdvertisement, family: IpFamily): number {
  return family === 'ipv4' ? advertisement.aggregationLength : advertisement.aggregationLengthV6;
}

function whyNotSent(
  advertisement: BgpAdvertisement,
  peer: string,
  families: readonly IpFamily[],
  family: IpFamily,
): string | undefined {
  if (advertisement.peers.length > 0 && !advertisement.peers.includes(peer)) {
    return `not in spec.peers of BGPAdvertisement ${advertisement.name}`;
  }
  if (families.includes(family)) return undefined;
  if (families.length === 0) return 'the session has no address family';
  return `the session carries ${familyName(families[0] ?? family)} only (dualStackAddressFamily is off)`;
}

function announcedDetail(routes: readonly RouteToPeer[], peers: readonly string[]): string {
  const prefixes = distinct(routes.map((route) => route.prefix));
  const advertisements = distinct(routes.flatMap((route) => route.advertisements)).sort(compareText);
  return `Announced as ${prefixes.join(', ')} to ${peers.join(', ')} (BGPAdvertisements ${advertisements.join(', ')}).`;
}

function noPeersDetail(peers: readonly NodePeer[], withheld: readonly PeerWithheld[]): string {
  if (peers.length === 0)
    return 'No BGPPeer selects this node (nodeSelectors), so there is no session to announce to.';
  const reasons = withheld.map((entry) => `${entry.peer} (${entry.prefix}): ${entry.why}`).join('; ');
  return `No peer of this node may receive the prefix: ${reasons}.`;
}

function familyName(family: IpFamily): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function serviceKey(service: { readonly namespace: string; readonly name: string }): string {
  return `${service.namespace}/${service.name}`;
}

function slicesByService(slices: readonly EndpointSliceInfo[]): Map<string, EndpointSliceInfo[]> {
  const byService = new Map<string, EndpointSliceInfo[]>();
  for (const slice of slices) {
    const key = serviceKey({ namespace: slice.namespace, name: slice.serviceName });
    const list = byService.get(key) ?? [];
    list.push(slice);
    byService.set(key, list);
  }
  return byService;
}

/** The merged (prefix, peer) routes of all announced Services. */
class PeerRouteTable {
  private readonly routes = new Map<
    string,
    {
      prefix: string;
      family: IpFamily;
      peer: string;
      communities: (readonly Community[])[];
      /** LOCAL_PREF → the Services asking for it */
      localPrefs: Map<number, Set<string>>;
    }
  >();

  add(
    prefix: string,
    family: IpFamily,
    peer: string,
    advertisement: BgpAdvertisement,
    service: string,
  ): void {
    const key = `${prefix} ${peer}`;
    const route = this.routes.get(key) ?? {
      prefix,
      family,
      peer,
      communities: [] as (readonly Community[])[],
      localPrefs: new Map<number, Set<string>>(),
    };
    route.communities.push(advertisement.communities);
    if (advertisement.localPref !== 0) {
      const services = route.localPrefs.get(advertisement.localPref) ?? new Set<string>();
      services.add(service);
      route.localPrefs.set(advertisement.localPref, services);
    }
    this.routes.set(key, route);
  }

  advertisements(): PeerAdvertisement[] {
    return sortByPrefixThenPeer(
      [...this.routes.values()].map((route) => ({
        prefix: route.prefix,
        family: route.family,
        peer: route.peer,
        communities: unionCommunities(route.communities),
        localPref: Math.max(0, ...route.localPrefs.keys()),
      })),
    );
  }

  /**
   * Per-Service conflict checks cannot see two Services whose advertisements give one (prefix, peer)
   * different LOCAL_PREF. MetalLB then lets whichever route-map entry comes last win; ferry sends
   * the highest value and says so.
   */
  warnings(): string[] {
    const warnings: string[] = [];
    for (const route of this.routes.values()) {
      if (route.localPrefs.size < 2) continue;
      const asked = [...route.localPrefs.entries()]
        .sort(([a], [b]) => a - b)
        .map(([localPref, services]) => `${localPref} (${[...services].sort(compareText).join(', ')})`);
      const highest = Math.max(...route.localPrefs.keys());
      warnings.push(
        `Prefix ${route.prefix} to peer ${route.peer}: LOCAL_PREF ${asked.join(' vs ')} differ; sending ${highest}.`,
      );
    }
    return warnings.sort(compareText);
  }
}

/** Which announced Services carry a prefix containing a given IP. */
class PrefixCoverage {
  /** family/length → prefix → Services */
  private readonly byLength = new Map<string, Map<string, Set<string>>>();

  constructor(decisions: readonly ServiceDecision[]) {
    for (const decision of decisions) {
      for (const route of decision.routes) {
        const [, length = ''] = route.prefix.split('/');
        const family: IpFamily = route.prefix.includes(':') ? 'ipv6' : 'ipv4';
        const bucketKey = `${family}/${length}`;
        const bucket = this.byLength.get(bucketKey) ?? new Map<string, Set<string>>();
        const services = bucket.get(route.prefix) ?? new Set<string>();
        services.add(serviceKey(decision));
        bucket.set(route.prefix, services);
        this.byLength.set(bucketKey, bucket);
      }
    }
  }

  servicesCovering(ip: ParsedIp): Set<string> {
    const services = new Set<string>();
    for (const [bucketKey, bucket] of this.byLength) {
      const [family, length = ''] = bucketKey.split('/');
      if (family !== ip.family) continue;
      for (const service of bucket.get(prefixOf(ip, Number(length)).text) ?? []) services.add(service);
    }
    return services;
  }
}

function withSharing(decision: ServiceDecision, coverage: PrefixCoverage): ServiceDecision {
  const ip = parseIp(decision.ip);
  if (ip === undefined) return decision;
  const own = serviceKey(decision);
  const sharedWith = [...coverage.servicesCovering(ip)]
    .filter((service) => service !== own)
    .sort(compareText);
  if (sharedWith.length === 0) return decision;
  const sentence = decision.announced
    ? ` Also announced for ${sharedWith.join(', ')}.`
    : ` The IP stays announced from this node because ${sharedWith.join(', ')} also announce${sharedWith.length === 1 ? 's' : ''} it.`;
  return { ...decision, sharedWith, detail: decision.detail + sentence };
}

function sortByPrefixThenPeer<T extends { readonly prefix: string; readonly peer: string }>(items: T[]): T[] {
  return sortByKey(
    items,
    (item) => prefixKey(item.prefix),
    comparePrefixKeys,
    (a, b) => compareText(a.peer, b.peer),
  );
}

function sortDecisions(decisions: readonly ServiceDecision[]): ServiceDecision[] {
  return sortByKey(
    decisions,
    (decision) => ({ namespace: decision.namespace, name: decision.name, ip: addressKey(decision.ip) }),
    (a, b) =>
      compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareAddressKeys(a.ip, b.ip),
    // Only for duplicate Services in the input: keep the output independent of their order.
    (a, b) => compareText(JSON.stringify(a), JSON.stringify(b)),
  );
}
