// Announce decisions + what FRR really advertises → ServiceBGPStatus (metallb.io), one per Service ×
// node: the BGPPeers the Service's prefixes actually reach according to FRR's adj-out, not only the
// intent MetalLB reports. A Service whose prefixes reach no peer gets no object (MetalLB deletes it).
import type { ServiceDecision } from '../announce/types.js';
import type { Peer } from '../config/types.js';
import { neighborKey } from '../frr/build-model.js';
import { compareText } from '../util/order.js';

export interface ServiceStatus {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  /** BGPPeer names, sorted */
  readonly peers: readonly string[];
}

/** Whether FRR advertises `prefix` to the neighbor (see neighborKey). */
export type IsAdvertised = (neighbor: string, prefix: string) => boolean;

/**
 * One Service's status from its decisions (one per ingress IP): undefined when none of its prefixes
 * reaches a peer. O(its routes): the speaker calls it only for Services whose decisions, or whose
 * prefixes' advertisement, changed.
 */
export function serviceStatusOf(input: {
  readonly node: string;
  readonly decisions: readonly ServiceDecision[];
  readonly peerByName: ReadonlyMap<string, Peer>;
  readonly advertised: IsAdvertised;
}): ServiceStatus | undefined {
  const first = input.decisions[0];
  if (first === undefined) return undefined;
  const peers = new Set<string>();
  for (const decision of input.decisions)
    for (const route of decision.routes) {
      const peer = input.peerByName.get(route.peer);
      if (peer !== undefined && input.advertised(neighborKey(peer), route.prefix)) peers.add(route.peer);
    }
  if (peers.size === 0) return undefined;
  return {
    namespace: first.namespace,
    name: first.name,
    node: input.node,
    peers: [...peers].sort(compareText),
  };
}
