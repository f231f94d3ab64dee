// What a node announces, and why not: the output of the announce decision (`announcementsForNode`),
// consumed by the FRR model (advertisements), ServiceBGPStatus and metrics (decisions) and
// `ferry explain` (explainText).
import type { Community, Config } from '../config/types.js';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import type { IpFamily } from '../net/ip.js';

/**
 * MetalLB's reasons for not announcing a Service IP from a node (speaker `SetBalancer` and
 * `ShouldAnnounce`, in that order), plus ferry's `otherLoadBalancerClass` (MetalLB skips such a
 * Service without a word) and `noPeers`: the IP may be announced but no BGP session of this node
 * may receive its prefix.
 */
export type WithdrawReason =
  | 'otherLoadBalancerClass'
  | 'noIPAllocated'
  | 'invalidIP'
  | 'ipNotAllowed'
  | 'notOwner'
  | 'noMatchingAdvertisement'
  | 'conflictingAdvertisements'
  | 'nodeNetworkUnavailable'
  | 'nodeLabeledExcludeBalancers'
  | 'noLocalEndpoints'
  | 'noEndpoints'
  | 'noPeers';

export interface AnnounceOptions {
  /** MetalLB's `--ignore-exclude-lb`: announce even from nodes labeled exclude-from-external-load-balancers */
  readonly ignoreExcludeLB?: boolean;
  /**
   * MetalLB's `--lb-class`, the same setting as the controller's: only Services of this
   * spec.loadBalancerClass are announced; '' (default) = only Services without one
   */
  readonly lbClass?: string;
}

export interface AnnounceInput {
  readonly config: Config;
  /** the node this speaker runs on */
  readonly node: NodeInfo;
  /** every Service; other types are ignored, other loadBalancerClasses refused (`otherLoadBalancerClass`) */
  readonly services: readonly ServiceInfo[];
  /** EndpointSlices of the whole cluster (ETP Cluster looks at every node) */
  readonly endpointSlices: readonly EndpointSliceInfo[];
  readonly options?: AnnounceOptions;
}

/** One prefix sent to one peer with its attributes. */
export interface PeerAdvertisement {
  /** canonical CIDR after aggregation */
  readonly prefix: string;
  readonly family: IpFamily;
  /** BGPPeer name */
  readonly peer: string;
  /** union over the matching advertisements that include this peer; sorted, deduplicated */
  readonly communities: readonly Community[];
  /** 0 = unset; the highest when announcements of several Services disagree (see `warnings`) */
  readonly localPref: number;
}

/** One prefix of one Service IP going to one peer, and the BGPAdvertisements that send it. */
export interface RouteToPeer {
  readonly prefix: string;
  readonly peer: string;
  /** BGPAdvertisement names, sorted */
  readonly advertisements: readonly string[];
}

/** A peer of this node that does not get a prefix of an announced Service IP, and why. */
export interface PeerWithheld {
  readonly peer: string;
  readonly prefix: string;
  readonly why: string;
}

export interface ServiceDecision {
  readonly namespace: string;
  readonly name: string;
  /**
   * canonical ingress IP; the raw text when it does not parse; '' when the Service has none, or for
   * an entry without an ip (a hostname)
   */
  readonly ip: string;
  /** at least one peer of this node gets a prefix for this IP because of this Service */
  readonly announced: boolean;
  /** '' when announced */
  readonly reason: WithdrawReason | '';
  /** a sentence for `ferry explain` */
  readonly detail: string;
  /** peers the IP's prefix goes to from this node because of this Service; sorted */
  readonly peers: readonly string[];
  /**
   * MetalLB's ShouldAnnounce passed (its `metallb_speaker_announced` gauge and `nodeAssigned` event),
   * even when no session may carry the prefix (`noPeers`).
   */
  readonly eligible: boolean;
  /** the IPAddressPool holding the Service's IPs; '' when none */
  readonly pool: string;
  /** sorted by prefix, then peer */
  readonly routes: readonly RouteToPeer[];
  /** peers of this node left out for an eligible IP; sorted by peer, then prefix */
  readonly withheld: readonly PeerWithheld[];
  /**
   * Other Services (`namespace/name`) whose announcements from this node carry a prefix containing
   * this IP: a shared IP (or aggregate) stays announced while any of them announces it.
   */
  readonly sharedWith: readonly string[];
}

export interface AnnounceResult {
  /** sorted by prefix (family, address, length), then peer; one entry per (prefix, peer) */
  readonly advertisements: readonly PeerAdvertisement[];
  /** sorted by namespace, name, ip */
  readonly decisions: readonly ServiceDecision[];
  /** attribute clashes between Services that ferry resolved deterministically */
  readonly warnings: readonly string[];
}
