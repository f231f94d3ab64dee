// `show bgp [vrf NAME] summary json` and `show bgp vrf all summary json` → one record per peer, with
// the per-address-family sections (`ipv4Unicast`, `ipv6Unicast`, ...) merged into one peer.
import { parseBgpState, peerIdentity, type BgpSessionBasics } from './bgp-session-state.js';
import {
  msToSeconds,
  numberField,
  objectEntries,
  objectField,
  stringField,
  type JsonObject,
} from './json-fields.js';

export interface BgpSummaryPeer extends BgpSessionBasics {
  /** FRR's `peerState`: `OK`, `Admin`, `PfxFlow`, `Policy` */
  readonly peerState: string | undefined;
  readonly messagesReceived: number | undefined;
  readonly messagesSent: number | undefined;
}

function summaryPeer(vrf: string, family: string, key: string, peer: JsonObject): BgpSummaryPeer {
  const stateText = stringField(peer, 'state');
  const state = parseBgpState(stateText);
  const established = state === 'Established';
  const peerState = stringField(peer, 'peerState');
  return {
    vrf,
    ...peerIdentity(key, stringField(peer, 'neighborAddr') ?? stringField(peer, 'bgpNeighborAddr')),
    hostname: stringField(peer, 'hostname'),
    remoteAs: numberField(peer, 'remoteAs'),
    localAs: numberField(peer, 'localAs'),
    state,
    adminShutdown: peerState === 'Admin' || (stateText?.includes('(Admin)') ?? false),
    peerState,
    uptimeSeconds: established ? msToSeconds(numberField(peer, 'peerUptimeMsec')) : undefined,
    establishedEpoch: established ? numberField(peer, 'peerUptimeEstablishedEpoch') : undefined,
    connectionsEstablished: numberField(peer, 'connectionsEstablished'),
    connectionsDropped: numberField(peer, 'connectionsDropped'),
    messagesReceived: numberField(peer, 'msgRcvd'),
    messagesSent: numberField(peer, 'msgSent'),
    prefixes: Object.fromEntries([
      [family, { sent: numberField(peer, 'pfxSnt'), received: numberField(peer, 'pfxRcd') }],
    ]),
  };
}

/** `show bgp [vrf NAME] summary json`: `{"ipv4Unicast": {"peers": {...}}, "ipv6Unicast": {...}}`. */
export function parseBgpSummary(document: unknown, vrf = 'default'): BgpSummaryPeer[] {
  const byPeer = new Map<string, BgpSummaryPeer>();
  for (const [family, section] of objectEntries(document)) {
    const sectionVrf = stringField(section, 'vrfName') ?? vrf;
    for (const [key, peer] of objectEntries(objectField(section, 'peers'))) {
      const parsed = summaryPeer(sectionVrf, family, key, peer);
      const id = `${sectionVrf}\u0000${key}`;
      const seen = byPeer.get(id);
      // A peer active in several families appears once per family; session fields are the same.
      byPeer.set(
        id,
        seen === undefined ? parsed : { ...seen, prefixes: { ...seen.prefixes, ...parsed.prefixes } },
      );
    }
  }
  return [...byPeer.values()];
}

/** `show bgp vrf all summary json`: the same per VRF, wrapped in `{"<vrf>": ...}`. */
export function parseBgpSummaryAllVrfs(document: unknown): BgpSummaryPeer[] {
  return objectEntries(document).flatMap(([vrf, sections]) => parseBgpSummary(sections, vrf));
}
