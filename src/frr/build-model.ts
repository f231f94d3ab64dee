// Config + this node's announcements → the FRR model (what frr.conf must contain). Pure.
// Session-level shape follows MetalLB's FRR mode (docs/metallb-compatibility.md §2); how prefixes get their
// attributes and reach their peers follows docs/decisions/0001-frr-config-shape.md.
import { peerFamilies } from '../announce/peers.js';
import type { PeerAdvertisement } from '../announce/types.js';
import type { BfdProfile, Peer } from '../config/types.js';
import {
  announceClasses,
  classForMapping,
  type AnnounceClass,
  type NeighborAttributes,
} from './announce-class.js';
import type {
  AddressFamily,
  AddressFamilyModel,
  BfdProfileModel,
  FrrModel,
  NeighborModel,
  RouteMapModel,
  RouterModel,
} from './model.js';
import { compareText } from '../util/order.js';
import { comparePrefixKeys, prefixKey } from '../net/address-order.js';
import { communityText } from '../config/community.js';

export interface FrrModelInput {
  /** the BGPPeers selected for this node */
  readonly peers: readonly Peer[];
  readonly bfdProfiles: readonly BfdProfile[];
  readonly advertisements: readonly PeerAdvertisement[];
  /** FRR log level for `log stdout`; default `informational` */
  readonly logLevel?: string;
  /** addresses of the other nodes to run BFD with (layer 2 liveness); canonical IPs */
  readonly livenessPeers?: readonly string[];
  /**
   * the liveness sessions administratively down: this speaker is handing its layer 2 IPs over
   * (graceful stop), and the other nodes see its session go down at once
   */
  readonly livenessShutdown?: boolean;
}

/** Layer 2 liveness timers: 100 ms × 3, a failed node is detected within 300 ms. */
export const LIVENESS_BFD = { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } as const;

export interface Neighbor {
  readonly peer: Peer;
  readonly key: string;
  readonly families: readonly AddressFamily[];
  readonly model: NeighborModel;
}

const FAMILIES: readonly AddressFamily[] = ['ipv4', 'ipv6'];

export function neighborKey(peer: Peer): string {
  const id = peer.address ?? peer.interface ?? '';
  return peer.vrf === '' ? id : `${id}-${peer.vrf}`;
}

function isExternal(peer: Peer): boolean {
  if (peer.dynamicASN !== undefined) return peer.dynamicASN === 'external';
  return peer.peerASN !== peer.myASN;
}

function neighborModel(peer: Peer, key: string, families: readonly AddressFamily[]): NeighborModel {
  const timers =
    peer.holdTime !== undefined && peer.keepaliveTime !== undefined
      ? { keepalive: peer.keepaliveTime, hold: peer.holdTime }
      : undefined;
  return {
    id: peer.address ?? peer.interface ?? '',
    unnumbered: peer.interface !== undefined,
    remoteAs: peer.dynamicASN ?? String(peer.peerASN),
    ebgpMultihop: peer.ebgpMultiHop,
    localAs: peer.localASN,
    port: peer.port === 179 ? undefined : peer.port,
    timers,
    connectTime: peer.connectTime,
    password: peer.password,
    updateSource: peer.sourceAddress,
    gracefulRestart: peer.enableGracefulRestart,
    bfdProfile: peer.bfdProfile,
    // FRR refuses single-hop eBGP to a global IPv6 address it does not see as connected; MetalLB
    // sets this for plain IPv6 neighbors only (not dual-stack family, not unnumbered, not multihop).
    disableConnectedCheck:
      families.length === 1 &&
      families[0] === 'ipv6' &&
      peer.interface === undefined &&
      !peer.ebgpMultiHop &&
      isExternal(peer),
    routeMapIn: `${key}-in`,
    routeMapOut: `${key}-out`,
  };
}

export function neighborsOf(peers: readonly Peer[]): Neighbor[] {
  const seen = new Set<string>();
  const neighbors: Neighbor[] = [];
  for (const peer of [...peers].sort((a, b) => compareText(a.name, b.name))) {
    const key = neighborKey(peer);
    // Identical sessions (same address and VRF) collapse into one neighbor, as in MetalLB.
    if (seen.has(key)) continue;
    seen.add(key);
    const families = peerFamilies(peer);
    neighbors.push({ peer, key, families, model: neighborModel(peer, key, families) });
  }
  return neighbors.sort((a, b) => compareText(a.key, b.key));
}

interface ClassifiedPrefix {
  readonly prefix: string;
  readonly family: AddressFamily;
  readonly announceClass: AnnounceClass;
}

/**
 * What each neighbor gets for one prefix, from that prefix's per-peer advertisements in the order
 * of `advertisements` (prefix, then peer); undefined when no neighbor of this node may get it.
 */
export function prefixMapping(
  advertisements: readonly PeerAdvertisement[],
  neighborByPeer: ReadonlyMap<string, Neighbor>,
): { readonly family: AddressFamily; readonly attributes: NeighborAttributes[] } | undefined {
  let family: AddressFamily | undefined;
  const attributes = new Map<string, NeighborAttributes>();
  for (const ad of advertisements) {
    const neighbor = neighborByPeer.get(ad.peer);
    // A prefix only reaches a neighbor that carries its family.
    if (neighbor === undefined || !neighbor.families.includes(ad.family)) continue;
    family ??= ad.family;
    attributes.set(neighbor.key, {
      neighborKey: neighbor.key,
      communities: ad.communities,
      localPref: ad.localPref,
    });
  }
  return family === undefined ? undefined : { family, attributes: [...attributes.values()] };
}

/** Groups per-peer advertisements by prefix and gives each prefix its announce class. */
function classifyPrefixes(
  advertisements: readonly PeerAdvertisement[],
  neighborByPeer: ReadonlyMap<string, Neighbor>,
): { prefixes: ClassifiedPrefix[]; classes: Map<string, AnnounceClass> } {
  const byPrefix = new Map<string, PeerAdvertisement[]>();
  for (const ad of advertisements) {
    const list = byPrefix.get(ad.prefix);
    if (list === undefined) byPrefix.set(ad.prefix, [ad]);
    else list.push(ad);
  }
  const mapped = [...byPrefix.entries()].flatMap(([prefix, ads]) => {
    const mapping = prefixMapping(ads, neighborByPeer);
    return mapping === undefined ? [] : [{ prefix, ...mapping }];
  });
  const classes = announceClasses(mapped.map((entry) => entry.attributes));
  const prefixes = mapped
    .map((entry) => ({
      prefix: entry.prefix,
      family: entry.family,
      announceClass: classForMapping(classes, entry.attributes),
    }))
    .map((p) => ({ p, key: prefixKey(p.prefix) }))
    .sort((a, b) => comparePrefixKeys(a.key, b.key))
    .map(({ p }) => p);
  return { prefixes, classes };
}

function distinctClasses(prefixes: readonly ClassifiedPrefix[]): AnnounceClass[] {
  const byId = new Map<number, AnnounceClass>();
  for (const p of prefixes) byId.set(p.announceClass.id, p.announceClass);
  return [...byId.values()].sort((a, b) => compareText(a.name, b.name));
}

const EMPTY_ENTRY = {
  matchLargeCommunity: undefined,
  setCommunity: undefined,
  setLargeCommunity: undefined,
  setLargeCommunityAdditive: false,
  deleteLargeCommunityList: undefined,
  setLocalPreference: undefined,
} as const;

function classRouteMap(announceClass: AnnounceClass): RouteMapModel {
  return {
    name: announceClass.name,
    entries: [{ ...EMPTY_ENTRY, action: 'permit', sequence: 10, setLargeCommunity: announceClass.marker }],
  };
}

function outRouteMap(neighbor: Neighbor, classes: readonly AnnounceClass[]): RouteMapModel {
  const entries = classes.flatMap((announceClass) => {
    const attributes = announceClass.neighbors.find((n) => n.neighborKey === neighbor.key);
    if (attributes === undefined) return [];
    const standard = attributes.communities.filter((c) => c.kind === 'standard').map(communityText);
    const large = attributes.communities.filter((c) => c.kind === 'large').map((c) => c.value);
    return [
      {
        ...EMPTY_ENTRY,
        action: 'permit' as const,
        matchLargeCommunity: announceClass.name,
        setCommunity: standard.length > 0 ? standard.join(' ') : undefined,
        setLargeCommunity: large.length > 0 ? large.join(' ') : undefined,
        setLargeCommunityAdditive: large.length > 0,
        deleteLargeCommunityList: announceClass.name,
        setLocalPreference: attributes.localPref > 0 ? attributes.localPref : undefined,
      },
    ];
  });
  const numbered = entries.map((entry, index) => ({ ...entry, sequence: (index + 1) * 10 }));
  // Explicit final deny: only what a class entry permitted leaves this node.
  return {
    name: neighbor.model.routeMapOut,
    entries: [...numbered, { ...EMPTY_ENTRY, action: 'deny', sequence: 65535 }],
  };
}

function inRouteMap(neighbor: Neighbor): RouteMapModel {
  // MetalLB accepts no routes from its peers.
  return { name: neighbor.model.routeMapIn, entries: [{ ...EMPTY_ENTRY, action: 'deny', sequence: 20 }] };
}

function routersOf(neighbors: readonly Neighbor[], prefixes: readonly ClassifiedPrefix[]): RouterModel[] {
  const groups = new Map<string, Neighbor[]>();
  for (const neighbor of neighbors) {
    const id = `${neighbor.peer.vrf}\u0000${neighbor.peer.myASN}`;
    groups.set(id, [...(groups.get(id) ?? []), neighbor]);
  }
  const routers = [...groups.values()].map((members): RouterModel => {
    const first = members[0];
    if (first === undefined) throw new Error('bug: empty router group');
    const keys = new Set(members.map((m) => m.key));
    const addressFamilies = FAMILIES.flatMap((family): AddressFamilyModel[] => {
      const active = members.filter((m) => m.families.includes(family));
      if (active.length === 0) return [];
      const networks = prefixes
        .filter((p) => p.family === family && p.announceClass.neighbors.some((n) => keys.has(n.neighborKey)))
        .map((p) => ({ prefix: p.prefix, routeMap: p.announceClass.name }));
      return [{ family, neighbors: active.map((m) => m.model), networks }];
    });
    return {
      asn: first.peer.myASN,
      vrf: first.peer.vrf,
      routerId: members.find((m) => m.peer.routerID !== undefined)?.peer.routerID,
      neighbors: members.map((m) => m.model),
      addressFamilies,
    };
  });
  // Default VRF first, then by VRF name, then ASN.
  return routers.sort((a, b) => compareText(a.vrf, b.vrf) || a.asn - b.asn);
}

function bfdProfileModel(profile: BfdProfile): BfdProfileModel {
  return {
    name: profile.name,
    detectMultiplier: profile.detectMultiplier,
    receiveInterval: profile.receiveInterval,
    transmitInterval: profile.transmitInterval,
    echoMode: profile.echoMode === true,
    echoInterval: profile.echoInterval,
    passiveMode: profile.passiveMode === true,
    minimumTtl: profile.minimumTtl,
  };
}

/** The model and what it was made of, for a caller that keeps it up to date per prefix. */
export interface FrrModelBuild {
  readonly model: FrrModel;
  /** the announce classes of the model, by mapping description (announce-class.ts) */
  readonly classes: ReadonlyMap<string, AnnounceClass>;
  /** BGPPeer name → the neighbor it became */
  readonly neighborByPeer: ReadonlyMap<string, Neighbor>;
}

export function frrModelForNode(input: FrrModelInput): FrrModel {
  return buildFrrModel(input).model;
}

export function buildFrrModel(input: FrrModelInput): FrrModelBuild {
  const neighbors = neighborsOf(input.peers);
  const neighborByPeer = new Map<string, Neighbor>();
  for (const peer of input.peers) {
    const neighbor = neighbors.find((n) => n.key === neighborKey(peer));
    if (neighbor !== undefined) neighborByPeer.set(peer.name, neighbor);
  }
  const { prefixes, classes: classByDescription } = classifyPrefixes(input.advertisements, neighborByPeer);
  const classes = distinctClasses(prefixes);
  const bgpAddresses = new Set(input.peers.flatMap((peer) => peer.address ?? []));
  const model: FrrModel = {
    logLevel: input.logLevel ?? 'informational',
    largeCommunityLists: classes.map((c) => ({ name: c.name, value: c.marker })),
    routeMaps: [
      ...classes.map(classRouteMap),
      ...neighbors.flatMap((n) => [inRouteMap(n), outRouteMap(n, classes)]),
    ],
    routers: routersOf(neighbors, prefixes),
    bfdProfiles: [...input.bfdProfiles].sort((a, b) => compareText(a.name, b.name)).map(bfdProfileModel),
    livenessPeers: [...new Set(input.livenessPeers ?? [])].sort(compareText).map((address) => ({
      address,
      ...LIVENESS_BFD,
      // bfdd shares one session per address: shutting a BGP neighbor's down would drop that session
      shutdown: input.livenessShutdown === true && !bgpAddresses.has(address),
    })),
    bfdBlock: input.bfdProfiles.length > 0 || (input.livenessPeers ?? []).length > 0,
  };
  return { model, classes: classByDescription, neighborByPeer };
}
