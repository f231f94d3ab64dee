// Everything ferry reads from manifests or the API server, typed: the metallb.io resources and the
// core cluster objects. `src/config` turns this into a Config; `src/ipam` and `src/announce` use the
// cluster objects.
import type { EndpointSliceInfo, NodeInfo, SecretInfo, ServiceInfo } from './cluster.js';
import type {
  BFDProfileResource,
  BGPAdvertisementResource,
  BGPPeerResource,
  CommunityResource,
  IPAddressPoolResource,
  L2AdvertisementResource,
} from './metallb.js';

/** A v1 Namespace, for IPAddressPool `serviceAllocation.namespaceSelectors`. */
export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Resources {
  readonly ipAddressPools: readonly IPAddressPoolResource[];
  /** both served versions */
  readonly bgpPeers: readonly BGPPeerResource[];
  readonly bgpAdvertisements: readonly BGPAdvertisementResource[];
  readonly l2Advertisements: readonly L2AdvertisementResource[];
  readonly bfdProfiles: readonly BFDProfileResource[];
  readonly communities: readonly CommunityResource[];
  readonly nodes: readonly NodeInfo[];
  readonly services: readonly ServiceInfo[];
  readonly endpointSlices: readonly EndpointSliceInfo[];
  readonly secrets: readonly SecretInfo[];
  readonly namespaces: readonly NamespaceInfo[];
}

/** Resources whose lists can still be filled (while reading manifests or caches). */
export type MutableResources = { -readonly [K in keyof Resources]: Resources[K][number][] };

export function emptyResources(): MutableResources {
  return {
    ipAddressPools: [],
    bgpPeers: [],
    bgpAdvertisements: [],
    l2Advertisements: [],
    bfdProfiles: [],
    communities: [],
    nodes: [],
    services: [],
    endpointSlices: [],
    secrets: [],
    namespaces: [],
  };
}
