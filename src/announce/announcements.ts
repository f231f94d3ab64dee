// (Config, Services, EndpointSlices, this Node) → the prefixes this node sends to each of its peers,
// with their attributes, and for every Service IP whether it is announced and why not.
//
// Each Service is judged on its own (MetalLB's per-Service ShouldAnnounce); the advertisements are
// then the union over all announced Services, so a shared IP (or an aggregate covering several
// IPs) stays announced while any Service using it may announce it (MetalLB #295), and is sent once.
import type { BgpAdvertisement, Peer } from '../config/types.js';
import type { EndpointSliceInfo, ServiceInfo } from '../api/cluster.js';
import { familyOfText, type IpFamily, type ParsedIp, parseIp, prefixOf } from '../net/ip.js';
import { advertisementsByPool } from './advertisements.js';
import { unionCommunities } from './communities.js';
import { peerFamilies, peersForNode } from './peers.js';
import { poolLookup } from './pool-lookup.js';
import type { RememberedDecision, RouteArguments, ServiceDecisionMemo } from './service-decision-memo.js';
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
  const scope = announceScope(input);
  const slices = slicesByService(input.endpointSlices);
  const table = new PeerRouteTable();
  const decisions: ServiceDecision[] = [];
  const { context } = scope;
  memo?.enter({
    config: input.config,
    node: input.node,
    ignoreExcludeLB: context.ignoreExcludeLB,
    lbClass: context.lbClass,
  });

  for (const service of input.services) {
    if (service.type !== 'LoadBalancer') continue;
    const serviceSlices = slices.get(serviceKey(service)) ?? [];
    const judged = memo?.recall(service, serviceSlices) ?? judgeService(service, serviceSlices, scope);
    decisions.push(...judged.decisions);
    for (const route of judged.routes) table.add(route);
    memo?.remember(service, serviceSlices, judged);
  }

  const coverage = new PrefixCoverage(decisions);
  return {
    advertisements: table.advertisements(),
    decisions: sortDecisions(decisions.map((decision) => withSharing(decision, coverage))),
    warnings: table.warnings(),
  };
}

/** What every Service's decision on this node depends on besides the Service and its EndpointSlices. */
export interface AnnounceScope {
  readonly peers: readonly NodePeer[];
  readonly context: AnnounceContext;
}

export function announceScope(input: Pick<AnnounceInput, 'config' | 'node' | 'options'>): AnnounceScope {
  const { config, node } = input;
  return {
    // Families are worked out once per session, not per IP.
    peers: peersForNode(config, node).map((peer) => ({ peer, families: peerFamilies(peer) })),
    context: {
      node,
      poolFor: poolLookup(config.pools),
      advertisementsByPool: advertisementsByPool(config),
      ignoreExcludeLB: input.options?.ignoreExcludeLB ?? false,
      lbClass: input.options?.lbClass ?? '',
    },
  };
}

/**
 * One LoadBalancer Service on its own (MetalLB's per-Service ShouldAnnounce): its decisions, before
 * sharing with other Services is known, and the routes it adds to the node's table.
 */
export function judgeService(
  service: ServiceInfo,
  slices: readonly EndpointSliceInfo[],
  scope: AnnounceScope,
): RememberedDecision {
  const routes: RouteArguments[] = [];
  const recording = { add: (...route: RouteArguments) => void routes.push(route) };
  const decisions: ServiceDecision[] = [];
  const verdict = shouldAnnounce(service, slices, scope.context);
  if (verdict.eligible) {
    for (const ip of verdict.ips)
      decisions.push(routeServiceIp(service, ip, verdict, scope.peers, recording));
  } else {
    for (const ip of verdict.ips) decisions.push(refusedDecision(service, ip, verdict));
  }
  return { decisions, routes };
}

/** A BGP session of this node and the address families it carries. */
export interface NodePeer {
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
    withheld: NONE,
    sharedWith: NONE,
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
  table: { add(...route: RouteArguments): void },
): ServiceDecision {
  const routes = new Map<string, { prefix: string; peer: string; advertisements: string[] }>();
  const owner = serviceKey(service);
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
      table.add(prefix, ip.family, peer.name, advertisement, owner);
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
    withheld: withheld.length === 0 ? NONE : withheld,
    sharedWith: NONE,
  };
}

/** The empty list every decision without sharing or withheld peers points at (one per decision otherwise). */
const NONE: readonly never[] = Object.freeze([]);

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
  // kept per Service IP: one flat string (join), not a rope of seven parts
  return [
    'Announced as ',
    prefixes.join(', '),
    ' to ',
    peers.join(', '),
    ' (BGPAdvertisements ',
    advertisements.join(', '),
    ').',
  ].join('');
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

// Keys held per Service in several tables are built with join(), which gives a flat string: a template
// literal longer than 12 characters is a V8 rope (a 32-byte cell per `+` plus its parts), ~2× the size.
export function serviceKey(service: { readonly namespace: string; readonly name: string }): string {
  return [service.namespace, service.name].join('/');
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
  private readonly routes = new Map<string, RouteArguments[]>();

  add(route: RouteArguments): void {
    const key = routeKey(route);
    const list = this.routes.get(key);
    if (list === undefined) this.routes.set(key, [route]);
    else list.push(route);
  }

  advertisements(): PeerAdvertisement[] {
    return sortByPrefixThenPeer([...this.routes.values()].map(mergedAdvertisement));
  }

  warnings(): string[] {
    return [...this.routes.values()]
      .map(localPrefWarning)
      .filter((warning) => warning !== undefined)
      .sort(compareText);
  }
}

/** The key of the (prefix, peer) a route goes to: routes with the same key are merged. */
export function routeKey(route: RouteArguments): string {
  return [route[0], route[2]].join(' ');
}

/** What one (prefix, peer) carries, from every route to it (all with the same prefix and peer). */
export function mergedAdvertisement(routes: readonly RouteArguments[]): PeerAdvertisement {
  const [prefix = '', family = 'ipv4', peer = ''] = routes[0] ?? [];
  return {
    prefix,
    family,
    peer,
    communities: unionCommunities(routes.map((route) => route[3].communities)),
    localPref: Math.max(0, ...routes.map((route) => route[3].localPref)),
  };
}

/**
 * Per-Service conflict checks cannot see two Services whose advertisements give one (prefix, peer)
 * different LOCAL_PREF. MetalLB then lets whichever route-map entry comes last win; ferry sends
 * the highest value and says so.
 */
export function localPrefWarning(routes: readonly RouteArguments[]): string | undefined {
  /** LOCAL_PREF → the Services asking for it */
  const localPrefs = new Map<number, Set<string>>();
  for (const [, , , advertisement, service] of routes) {
    if (advertisement.localPref === 0) continue;
    const services = localPrefs.get(advertisement.localPref) ?? new Set<string>();
    services.add(service);
    localPrefs.set(advertisement.localPref, services);
  }
  if (localPrefs.size < 2) return undefined;
  const [first] = routes;
  const asked = [...localPrefs.entries()]
    .sort(([a], [b]) => a - b)
    .map(([localPref, services]) => `${localPref} (${[...services].sort(compareText).join(', ')})`);
  const highest = Math.max(...localPrefs.keys());
  return `Prefix ${first?.[0] ?? ''} to peer ${first?.[2] ?? ''}: LOCAL_PREF ${asked.join(' vs ')} differ; sending ${highest}.`;
}

/** Which Services' announcements from this node carry a prefix containing an IP. */
export interface ServiceCoverage {
  servicesCovering(ip: ParsedIp): ReadonlySet<string>;
}

/** Which announced Services carry a prefix containing a given IP. */
class PrefixCoverage implements ServiceCoverage {
  /** family/length → prefix → Services */
  private readonly byLength = new Map<string, Map<string, Set<string>>>();

  constructor(decisions: readonly ServiceDecision[]) {
    for (const decision of decisions) {
      for (const route of decision.routes) {
        const [, length = ''] = route.prefix.split('/');
        const family = familyOfText(route.prefix);
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

export function withSharing(decision: ServiceDecision, coverage: ServiceCoverage): ServiceDecision {
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

export function sortByPrefixThenPeer<T extends { readonly prefix: string; readonly peer: string }>(
  items: T[],
): T[] {
  return sortByKey(
    items,
    (item) => prefixKey(item.prefix),
    comparePrefixKeys,
    (a, b) => compareText(a.peer, b.peer),
  );
}

export function sortDecisions(decisions: readonly ServiceDecision[]): ServiceDecision[] {
  return sortByKey(
    decisions,
    (decision) => ({ namespace: decision.namespace, name: decision.name, ip: addressKey(decision.ip) }),
    (a, b) =>
      compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareAddressKeys(a.ip, b.ip),
    // Only for duplicate Services in the input: keep the output independent of their order.
    (a, b) => compareText(JSON.stringify(a), JSON.stringify(b)),
  );
}
