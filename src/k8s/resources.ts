// Which collection a request or an informer is about, and the URL path the API serves it under.
// One table of the resources ferry reads and writes, so no caller spells a path by hand.

export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural as in the URL: `services`, `bgppeers`. */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** A resource type, optionally narrowed to one namespace (all namespaces when absent). */
export interface ResourceRef extends ResourceType {
  readonly namespace?: string;
}

const core = (plural: string, kind: string, namespaced = true): ResourceType => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced,
});
const metallb = (plural: string, kind: string, version = 'v1beta1'): ResourceType => ({
  group: 'metallb.io',
  version,
  plural,
  kind,
  namespaced: true,
});

export const resourceTypes = {
  nodes: core('nodes', 'Node', false),
  namespaces: core('namespaces', 'Namespace', false),
  services: core('services', 'Service'),
  secrets: core('secrets', 'Secret'),
  pods: core('pods', 'Pod'),
  events: core('events', 'Event'),
  endpointSlices: {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
  },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
  ipAddressPools: metallb('ipaddresspools', 'IPAddressPool'),
  bgpPeers: metallb('bgppeers', 'BGPPeer', 'v1beta2'),
  bgpAdvertisements: metallb('bgpadvertisements', 'BGPAdvertisement'),
  l2Advertisements: metallb('l2advertisements', 'L2Advertisement'),
  bfdProfiles: metallb('bfdprofiles', 'BFDProfile'),
  communities: metallb('communities', 'Community'),
  serviceBGPStatuses: metallb('servicebgpstatuses', 'ServiceBGPStatus'),
  serviceL2Statuses: metallb('servicel2statuses', 'ServiceL2Status'),
  configurationStates: metallb('configurationstates', 'ConfigurationState'),
  bgpSessionStates: {
    group: 'frrk8s.metallb.io',
    version: 'v1beta1',
    plural: 'bgpsessionstates',
    kind: 'BGPSessionState',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceType>;

/** A resource type narrowed to one namespace. */
export type NamespacedRef = ResourceRef & { readonly namespace: string };

/** The resource type narrowed to a namespace. */
export function inNamespace(type: ResourceType, namespace: string): NamespacedRef {
  return { ...type, namespace };
}

/** `apps/v1` or `v1`. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/**
 * `/api/v1/namespaces/ns/services/name/status`: the collection when `name` is absent, one object or
 * its subresource otherwise.
 */
export function resourcePath(ref: ResourceRef, name?: string, subresource?: 'status'): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const scope = ref.namespaced && ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  let path = `${base}${scope}/${ref.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (name !== undefined && subresource) path += `/${subresource}`;
  return path;
}

/** `services metallb-system/*` for logs and metric labels. */
export function describeResource(ref: ResourceRef): string {
  const qualified = ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
  return ref.namespace ? `${qualified} ${ref.namespace}/*` : qualified;
}
