// The BGP sessions a node runs, and which address families each can carry.
import { anySelectorMatches } from '../config/selector.js';
import type { Config, Peer } from '../config/types.js';
import type { NodeInfo } from '../api/cluster.js';
import { type IpFamily, parseIp } from '../net/ip.js';
import { compareText } from '../util/order.js';

/** Peers whose nodeSelectors match the node's labels (empty = every node), sorted by name. */
export function peersForNode(config: Config, node: NodeInfo): Peer[] {
  return config.peers
    .filter((peer) => anySelectorMatches(peer.nodeSelectors, node.labels))
    .sort((a, b) => compareText(a.name, b.name));
}

/**
 * The families a session carries, as MetalLB's FRR mode activates them: the peer address's family;
 * both for an interface (unnumbered) peer or with `dualStackAddressFamily`. So an IPv4 prefix does not
 * go over a session to an IPv6 address (nor IPv6 over IPv4) unless dualStackAddressFamily is set
 * (MetalLB #2858).
 */
export function peerFamilies(peer: Peer): readonly IpFamily[] {
  if (peer.interface !== undefined || peer.dualStackAddressFamily) return ['ipv4', 'ipv6'];
  if (peer.address === undefined) return [];
  const address = parseIp(peer.address);
  return address === undefined ? [] : [address.family];
}
