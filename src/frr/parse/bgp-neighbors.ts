// `show bgp neighbors json` and `show bgp vrf all neighbors json` → one typed record per BGP peer.
import {
  parseBgpState,
  peerIdentity,
  type BgpSessionBasics,
  type PrefixCounters,
} from './bgp-session-state.js';
import {
  booleanField,
  msToSeconds,
  numberField,
  objectEntries,
  objectField,
  stringField,
  type JsonObject,
} from './json-fields.js';

/** One direction of `messageStats`. */
export interface BgpMessageCounters {
  readonly opens: number | undefined;
  readonly notifications: number | undefined;
  readonly updates: number | undefined;
  readonly keepalives: number | undefined;
  readonly routeRefresh: number | undefined;
  readonly capability: number | undefined;
  readonly total: number | undefined;
}

/** The last NOTIFICATION sent or received; it stays after the session recovers. */
export interface BgpNotification {
  /** e.g. `OPEN Message Error/Bad Peer AS`, `Cease/BFD Down`, `Hold Timer Expired` */
  readonly reason: string | undefined;
  /** from `lastErrorCodeSubcode` (`0202` → 2 / 2) */
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly hardReset: boolean | undefined;
}

export type BgpPeerBfdStatus = 'up' | 'down' | 'init' | 'admin-down' | 'unknown';

/** BFD as bgpd sees it for this peer (`peerBfdInfo`); absent when the neighbor has no `bfd`. */
export interface BgpPeerBfd {
  readonly status: BgpPeerBfdStatus;
  /** `single hop` / `multi hop` */
  readonly type: string | undefined;
  readonly detectMultiplier: number | undefined;
  readonly receiveIntervalMs: number | undefined;
  readonly transmitIntervalMs: number | undefined;
  /** FRR's `d:hh:mm:ss` since the last status change, or `never` */
  readonly lastUpdate: string | undefined;
}

export interface BgpPeerState extends BgpSessionBasics {
  readonly peerGroup: string | undefined;
  readonly remoteRouterId: string | undefined;
  /** negotiated timers */
  readonly holdTimeSeconds: number | undefined;
  readonly keepaliveSeconds: number | undefined;
  readonly lastResetDueTo: string | undefined;
  readonly lastNotification: BgpNotification | undefined;
  readonly messagesSent: BgpMessageCounters;
  readonly messagesReceived: BgpMessageCounters;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly remotePort: number | undefined;
  readonly bfd: BgpPeerBfd | undefined;
}

function messageCounters(stats: JsonObject | undefined, direction: 'Sent' | 'Recv'): BgpMessageCounters {
  return {
    opens: numberField(stats, `opens${direction}`),
    notifications: numberField(stats, `notifications${direction}`),
    updates: numberField(stats, `updates${direction}`),
    keepalives: numberField(stats, `keepalives${direction}`),
    routeRefresh: numberField(stats, `routeRefresh${direction}`),
    capability: numberField(stats, `capability${direction}`),
    total: numberField(stats, `total${direction}`),
  };
}

const CODE_SUBCODE = /^([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})$/;

function lastNotification(peer: JsonObject): BgpNotification | undefined {
  const reason = stringField(peer, 'lastNotificationReason');
  const codes = CODE_SUBCODE.exec(stringField(peer, 'lastErrorCodeSubcode') ?? '');
  if (reason === undefined && codes === null) return undefined;
  return {
    reason,
    code: codes?.[1] === undefined ? undefined : parseInt(codes[1], 16),
    subcode: codes?.[2] === undefined ? undefined : parseInt(codes[2], 16),
    hardReset: booleanField(peer, 'lastNotificationHardReset'),
  };
}

export function parseBfdStatus(text: string | undefined): BgpPeerBfdStatus {
  switch (text?.toLowerCase().replace(/[\s_-]/g, '')) {
    case 'up':
      return 'up';
    case 'down':
      return 'down';
    case 'init':
      return 'init';
    case 'admindown':
    case 'shutdown':
      return 'admin-down';
    default:
      return 'unknown';
  }
}

function peerBfd(peer: JsonObject): BgpPeerBfd | undefined {
  const info = objectField(peer, 'peerBfdInfo');
  if (info === undefined) return undefined;
  return {
    status: parseBfdStatus(stringField(info, 'status')),
    type: stringField(info, 'type'),
    detectMultiplier: numberField(info, 'detectMultiplier'),
    receiveIntervalMs: numberField(info, 'rxMinInterval'),
    transmitIntervalMs: numberField(info, 'txMinInterval'),
    lastUpdate: stringField(info, 'lastUpdate'),
  };
}

function prefixCounters(peer: JsonObject): Record<string, PrefixCounters> {
  // fromEntries defines own properties, so a hostile key such as `__proto__` stays a plain key.
  return Object.fromEntries(
    objectEntries(peer['addressFamilyInfo']).map(([family, info]) => [
      family,
      { sent: numberField(info, 'sentPrefixCounter'), received: numberField(info, 'acceptedPrefixCounter') },
    ]),
  );
}

function isPeerObject(value: JsonObject): boolean {
  return Object.hasOwn(value, 'bgpState') || Object.hasOwn(value, 'remoteAs');
}

function knownAddress(text: string | undefined): string | undefined {
  return text === undefined || text === 'Unknown' || text === 'none' ? undefined : text;
}

function bgpPeerState(vrf: string, key: string, peer: JsonObject): BgpPeerState {
  const state = parseBgpState(stringField(peer, 'bgpState'));
  const established = state === 'Established';
  const stats = objectField(peer, 'messageStats');
  const localPort = numberField(peer, 'portLocal');
  const remotePort = numberField(peer, 'portForeign');
  return {
    vrf,
    ...peerIdentity(
      key,
      knownAddress(stringField(peer, 'bgpNeighborAddr') ?? stringField(peer, 'hostForeign')),
    ),
    hostname: stringField(peer, 'hostname'),
    peerGroup: stringField(peer, 'peerGroup'),
    remoteAs: numberField(peer, 'remoteAs'),
    localAs: numberField(peer, 'localAs'),
    remoteRouterId: stringField(peer, 'remoteRouterId'),
    state,
    adminShutdown: booleanField(peer, 'adminShutDown') ?? false,
    uptimeSeconds: established ? msToSeconds(numberField(peer, 'bgpTimerUpMsec')) : undefined,
    establishedEpoch: established ? numberField(peer, 'bgpTimerUpEstablishedEpoch') : undefined,
    holdTimeSeconds: msToSeconds(numberField(peer, 'bgpTimerHoldTimeMsecs')),
    keepaliveSeconds: msToSeconds(numberField(peer, 'bgpTimerKeepAliveIntervalMsecs')),
    connectionsEstablished: numberField(peer, 'connectionsEstablished'),
    connectionsDropped: numberField(peer, 'connectionsDropped'),
    lastResetDueTo: stringField(peer, 'lastResetDueTo'),
    lastNotification: lastNotification(peer),
    prefixes: prefixCounters(peer),
    messagesSent: messageCounters(stats, 'Sent'),
    messagesReceived: messageCounters(stats, 'Recv'),
    localAddress: knownAddress(stringField(peer, 'hostLocal')),
    // FRR prints -1 for "no connection".
    localPort: localPort !== undefined && localPort >= 0 ? localPort : undefined,
    remotePort: remotePort !== undefined && remotePort >= 0 ? remotePort : undefined,
    bfd: peerBfd(peer),
  };
}

/**
 * `show bgp [vrf NAME] neighbors [X] json`: peers keyed by address or interface, without a VRF
 * wrapper. `vrf` names the VRF the command was run for.
 */
export function parseBgpNeighbors(document: unknown, vrf = 'default'): BgpPeerState[] {
  return objectEntries(document)
    .filter(([, peer]) => isPeerObject(peer))
    .map(([key, peer]) => bgpPeerState(vrf, key, peer));
}

/**
 * `show bgp vrf all neighbors json`: `{"<vrf>": {"vrfId": 0, "vrfName": "default", "<peer>": {...}}}`,
 * VRF metadata mixed with peer keys.
 */
export function parseBgpNeighborsAllVrfs(document: unknown): BgpPeerState[] {
  return objectEntries(document).flatMap(([vrfKey, vrfObject]) =>
    parseBgpNeighbors(vrfObject, stringField(vrfObject, 'vrfName') ?? vrfKey),
  );
}
