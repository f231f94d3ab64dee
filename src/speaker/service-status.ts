// Announce decisions + what FRR really advertises → ServiceBGPStatus (metallb.io), one per Service ×
// node: the BGPPeers the Service's prefixes actually reach according to FRR's adj-out, not only the
// intent MetalLB reports. A Service whose prefixes reach no peer gets no object (MetalLB deletes it).
import type { AnnounceResult } from '../announce/types.js';
import type { Peer } from '../config/types.js';
import { neighborKey } from '../frr/build-model.js';

export interface ServiceStatus {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  /** BGPPeer names, sorted */
  readonly peers: readonly string[];
}

/**
 * @param advertised neighbor key (address or interface, `-<vrf>` outside the default VRF) → the
 *   prefixes FRR advertises to it
 */
export function serviceStatuses(input: {
  readonly node: string;
  readonly announce: AnnounceResult;
  readonly peers: readonly Peer[];
  readonly advertised: ReadonlyMap<string, ReadonlySet<string>>;
}): ServiceStatus[] {
  const peerByName = new Map(input.peers.map((p) => [p.name, p]));
  const byService = new Map<string, { namespace: string; name: string; peers: Set<string> }>();
  for (const decision of input.announce.decisions) {
    const id = `${decision.namespace}/${decision.name}`;
    const entry = byService.get(id) ?? {
      namespace: decision.namespace,
      name: decision.name,
      peers: new Set(),
    };
    byService.set(id, entry);
    for (const route of decision.routes) {
      const peer = peerByName.get(route.peer);
      if (peer !== undefined && input.advertised.get(neighborKey(peer))?.has(route.prefix) === true) {
        entry.peers.add(route.peer);
      }
    }
  }
  return [...byService.values()]
    .filter((entry) => entry.peers.size > 0)
    .map((entry) => ({
      namespace: entry.namespace,
      name: entry.name,
      node: input.node,
      peers: [...entry.peers].sort(),
    }))
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`, 'en'));
}
