// The metallb.io resources as users write them (MetalLB's CRD fields), after structural validation
// against deploy/crds and with the CRD defaults applied. Nothing here is checked beyond the schema:
// meaning, ranges the schema cannot express and cross-references are src/config's job.

/** The metadata fields ferry reads. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
}

/** metav1.LabelSelector as written (checked by src/config/selector.ts). */
export interface RawLabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }[];
}

export interface IPAddressPoolSpec {
  readonly addresses: readonly string[];
  /** CRD default true */
  readonly autoAssign: boolean;
  /** CRD default false */
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation?: {
    readonly priority?: number;
    readonly namespaces?: readonly string[];
    readonly namespaceSelectors?: readonly RawLabelSelector[];
    readonly serviceSelectors?: readonly RawLabelSelector[];
  };
}

export interface IPAddressPoolResource {
  readonly apiVersion: 'metallb.io/v1beta1';
  readonly kind: 'IPAddressPool';
  readonly metadata: ObjectMeta;
  readonly spec: IPAddressPoolSpec;
}

/**
 * BGPPeer spec in its v1beta2 shape. v1beta1 objects use the same type: their fields are a subset
 * with the same names, and the legacy nodeSelectors items are label selectors as written.
 */
export interface BGPPeerSpec {
  readonly myASN: number;
  readonly peerASN?: number;
  readonly dynamicASN?: 'internal' | 'external';
  readonly localASN?: number;
  readonly peerAddress?: string;
  readonly interface?: string;
  readonly sourceAddress?: string;
  /** v1beta2 CRD default 179; v1beta1 has no default */
  readonly peerPort?: number;
  readonly holdTime?: string;
  readonly keepaliveTime?: string;
  readonly connectTime?: string;
  readonly routerID?: string;
  readonly nodeSelectors?: readonly RawLabelSelector[];
  readonly password?: string;
  readonly passwordSecret?: { readonly name?: string; readonly namespace?: string };
  readonly bfdProfile?: string;
  readonly enableGracefulRestart?: boolean;
  readonly ebgpMultiHop?: boolean;
  readonly vrf?: string;
  readonly disableMP?: boolean;
  readonly dualStackAddressFamily?: boolean;
}

export interface BGPPeerResource {
  readonly apiVersion: 'metallb.io/v1beta1' | 'metallb.io/v1beta2';
  readonly kind: 'BGPPeer';
  readonly metadata: ObjectMeta;
  readonly spec: BGPPeerSpec;
}

export interface BGPAdvertisementSpec {
  /** CRD default 32 */
  readonly aggregationLength: number;
  /** CRD default 128 */
  readonly aggregationLengthV6: number;
  readonly localPref?: number;
  readonly communities?: readonly string[];
  readonly ipAddressPools?: readonly string[];
  readonly ipAddressPoolSelectors?: readonly RawLabelSelector[];
  readonly nodeSelectors?: readonly RawLabelSelector[];
  readonly peers?: readonly string[];
  readonly serviceSelectors?: readonly RawLabelSelector[];
}

export interface BGPAdvertisementResource {
  readonly apiVersion: 'metallb.io/v1beta1';
  readonly kind: 'BGPAdvertisement';
  readonly metadata: ObjectMeta;
  readonly spec: BGPAdvertisementSpec;
}

export interface L2AdvertisementSpec {
  readonly ipAddressPools?: readonly string[];
  readonly ipAddressPoolSelectors?: readonly RawLabelSelector[];
  readonly nodeSelectors?: readonly RawLabelSelector[];
  readonly interfaces?: readonly string[];
}

export interface L2AdvertisementResource {
  readonly apiVersion: 'metallb.io/v1beta1';
  readonly kind: 'L2Advertisement';
  readonly metadata: ObjectMeta;
  readonly spec: L2AdvertisementSpec;
}

export interface BFDProfileSpec {
  readonly receiveInterval?: number;
  readonly transmitInterval?: number;
  readonly detectMultiplier?: number;
  readonly echoInterval?: number;
  readonly echoMode?: boolean;
  readonly passiveMode?: boolean;
  readonly minimumTtl?: number;
}

export interface BFDProfileResource {
  readonly apiVersion: 'metallb.io/v1beta1';
  readonly kind: 'BFDProfile';
  readonly metadata: ObjectMeta;
  readonly spec: BFDProfileSpec;
}

export interface CommunityResource {
  readonly apiVersion: 'metallb.io/v1beta1';
  readonly kind: 'Community';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly communities?: readonly { readonly name?: string; readonly value?: string }[] };
}

export type MetallbResource =
  | IPAddressPoolResource
  | BGPPeerResource
  | BGPAdvertisementResource
  | L2AdvertisementResource
  | BFDProfileResource
  | CommunityResource;
