// The validated, immutable configuration every part of ferry works from: MetalLB resources
// (metallb.io) after structural (CRD schema) and semantic validation, with defaults applied,
// references resolved (Community aliases, pool selectors, password Secrets) and every string that
// can reach frr.conf already re-serialized from a strict grammar. Pure data, no behaviour.
import type { Cidr } from '../net/ip.js';
import type { ObjectRef } from '../util/object-ref.js';

/** A Kubernetes label selector (metav1.LabelSelector). The v1beta1 BGPPeer legacy form is converted to this. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** A user-actionable rejection: names the object, the field path and what is wrong. */
export interface ConfigError {
  readonly object: ObjectRef;
  /** JSON-ish field path, e.g. `spec.communities[1]`; empty when the whole object is at fault. */
  readonly field: string;
  readonly message: string;
}

export interface ServiceAllocation {
  /** lower number = higher priority; 0 = unset = lowest */
  readonly priority: number;
  readonly namespaces: readonly string[];
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface Pool {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** ranges `a-b` are summarized into CIDRs; order as written */
  readonly cidrs: readonly Cidr[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  /** undefined when the pool has no `serviceAllocation` (a generic auto-assign pool) */
  readonly serviceAllocation: ServiceAllocation | undefined;
}

/** A BGP community in canonical text: `65000:100` or `large:1:2:3`. */
export interface Community {
  readonly kind: 'standard' | 'large';
  /** `65000:100` for standard; `1:2:3` (without the `large:` prefix) for large */
  readonly value: string;
}

export interface Peer {
  /** BGPPeer metadata.name */
  readonly name: string;
  readonly myASN: number;
  /** exactly one of peerASN / dynamicASN is set */
  readonly peerASN: number | undefined;
  readonly dynamicASN: 'internal' | 'external' | undefined;
  readonly localASN: number | undefined;
  /** canonical IP; exactly one of address / interface is set */
  readonly address: string | undefined;
  readonly interface: string | undefined;
  readonly sourceAddress: string | undefined;
  /** default 179 */
  readonly port: number;
  /** seconds, after defaulting (hold only → keepalive = hold/3, keepalive only → hold = 3×keepalive) */
  readonly holdTime: number | undefined;
  readonly keepaliveTime: number | undefined;
  readonly connectTime: number | undefined;
  readonly routerID: string | undefined;
  /** empty = all nodes */
  readonly nodeSelectors: readonly LabelSelector[];
  /** resolved from `password` or from the basic-auth Secret of `passwordSecret`; never logged */
  readonly password: string | undefined;
  readonly bfdProfile: string | undefined;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  /** '' = default VRF */
  readonly vrf: string;
  readonly dualStackAddressFamily: boolean;
}

export interface BgpAdvertisement {
  readonly name: string;
  /** default 32 */
  readonly aggregationLength: number;
  /** default 128 */
  readonly aggregationLengthV6: number;
  /** 0 = not set */
  readonly localPref: number;
  /** aliases resolved; deduplicated; sorted (standard first, then large, numerically) */
  readonly communities: readonly Community[];
  /** names of the pools this advertisement applies to (ipAddressPools ∪ ipAddressPoolSelectors, or all pools); sorted */
  readonly pools: readonly string[];
  /** empty = all nodes */
  readonly nodeSelectors: readonly LabelSelector[];
  /** BGPPeer names; empty = all peers */
  readonly peers: readonly string[];
  /** empty = all services */
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface L2Advertisement {
  readonly name: string;
  /** names of the pools it applies to (ipAddressPools ∪ ipAddressPoolSelectors, or all pools); sorted */
  readonly pools: readonly string[];
  /** empty = all nodes */
  readonly nodeSelectors: readonly LabelSelector[];
  /** interface names to answer on, sorted, deduplicated; empty = every suitable interface */
  readonly interfaces: readonly string[];
}

export interface BfdProfile {
  readonly name: string;
  /** ms; undefined = FRR default */
  readonly receiveInterval: number | undefined;
  readonly transmitInterval: number | undefined;
  readonly detectMultiplier: number | undefined;
  readonly echoInterval: number | undefined;
  readonly echoMode: boolean | undefined;
  readonly passiveMode: boolean | undefined;
  readonly minimumTtl: number | undefined;
}

/** The whole validated configuration. Arrays are sorted by name so that output is order-independent. */
export interface Config {
  readonly pools: readonly Pool[];
  readonly peers: readonly Peer[];
  readonly advertisements: readonly BgpAdvertisement[];
  readonly l2Advertisements: readonly L2Advertisement[];
  readonly bfdProfiles: readonly BfdProfile[];
}

/**
 * Result of building a Config: the valid part plus every rejection. An invalid object is left out
 * (and reported) where MetalLB would keep the others; `fatal` is true where MetalLB would reject the
 * whole configuration (e.g. overlapping pools), in which case callers keep their last good Config.
 */
export interface ConfigResult {
  readonly config: Config;
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly ConfigError[];
  readonly fatal: boolean;
}
