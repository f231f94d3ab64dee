// Builders for validated, typed values (Config parts, cluster objects as ferry's informers decode
// them): complete objects with MetalLB's defaults, so each test states only the fields it is about.
// `config()` and `world()` are a small cluster (one dual-stack pool, two IPv4 ToRs, one node with a
// ready endpoint) that each announce case changes in one respect.
import type { EndpointInfo, EndpointSliceInfo, NodeInfo, ServiceInfo } from '../../src/api/cluster.js';
import type { AnnounceInput } from '../../src/announce/types.js';
import type {
  BfdProfile,
  BgpAdvertisement,
  Community,
  Config,
  LabelSelector,
  Peer,
  Pool,
  ServiceAllocation,
} from '../../src/config/types.js';
import type { ServiceConvergence } from '../../src/ipam/converge.js';
import type { L2Decision } from '../../src/l2/election.js';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL } from '../../src/ipam/request.js';
import { parseCidr, type Cidr } from '../../src/net/ip.js';

export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad CIDR in test: ${text}`);
  return parsed;
}

export function selector(matchLabels: Record<string, string>): LabelSelector {
  return { matchLabels, matchExpressions: [] };
}

export function community(text: string): Community {
  return text.startsWith('large:')
    ? { kind: 'large', value: text.slice('large:'.length) }
    : { kind: 'standard', value: text };
}

export function pool(
  name: string,
  cidrs: readonly string[],
  options: Partial<Omit<Pool, 'name' | 'cidrs' | 'serviceAllocation'>> & {
    serviceAllocation?: Partial<ServiceAllocation>;
  } = {},
): Pool {
  const { serviceAllocation, ...rest } = options;
  return {
    name,
    labels: {},
    cidrs: cidrs.map(cidr),
    autoAssign: true,
    avoidBuggyIPs: false,
    ...rest,
    serviceAllocation:
      serviceAllocation === undefined
        ? undefined
        : { priority: 0, namespaces: [], namespaceSelectors: [], serviceSelectors: [], ...serviceAllocation },
  };
}

/** A BGPPeer from AS 65100 to AS 65000 on port 179, everything else unset. */
export function peer(name: string, address: string | undefined, overrides: Partial<Peer> = {}): Peer {
  return {
    name,
    myASN: 65100,
    peerASN: 65000,
    dynamicASN: undefined,
    localASN: undefined,
    address,
    interface: undefined,
    sourceAddress: undefined,
    port: 179,
    holdTime: undefined,
    keepaliveTime: undefined,
    connectTime: undefined,
    routerID: undefined,
    nodeSelectors: [],
    password: undefined,
    bfdProfile: undefined,
    enableGracefulRestart: false,
    ebgpMultiHop: false,
    vrf: '',
    dualStackAddressFamily: false,
    ...overrides,
  };
}

export function bfdProfile(name: string, overrides: Partial<BfdProfile> = {}): BfdProfile {
  return {
    name,
    receiveInterval: undefined,
    transmitInterval: undefined,
    detectMultiplier: undefined,
    echoInterval: undefined,
    echoMode: undefined,
    passiveMode: undefined,
    minimumTtl: undefined,
    ...overrides,
  };
}

export function advertisement(name: string, overrides: Partial<BgpAdvertisement> = {}): BgpAdvertisement {
  return {
    name,
    aggregationLength: 32,
    aggregationLengthV6: 128,
    localPref: 0,
    communities: [],
    pools: ['pool-a'],
    nodeSelectors: [],
    peers: [],
    serviceSelectors: [],
    ...overrides,
  };
}

export function node(
  name: string,
  labels: Record<string, string> = {},
  networkUnavailable = false,
): NodeInfo {
  return { name, labels: { 'kubernetes.io/hostname': name, ...labels }, networkUnavailable };
}

/**
 * A TCP/80 LoadBalancer Service with an IPv4 clusterIP and no ingress unless told otherwise; `name`
 * is `namespace/name`, or just a name in `default`.
 */
export function service(name: string, fields: Partial<ServiceInfo> = {}): ServiceInfo {
  const [namespace = '', serviceName = ''] = name.includes('/') ? name.split('/') : ['default', name];
  return {
    namespace,
    name: serviceName,
    uid: `uid-${namespace}-${serviceName}`,
    labels: {},
    annotations: {},
    type: 'LoadBalancer',
    loadBalancerClass: undefined,
    loadBalancerIP: undefined,
    externalTrafficPolicy: 'Cluster',
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    clusterIPs: ['10.96.0.10'],
    selector: { app: serviceName },
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    ingressIPs: [],
    ...fields,
  };
}

export const DUAL_STACK: Partial<ServiceInfo> = {
  ipFamilies: ['IPv4', 'IPv6'],
  ipFamilyPolicy: 'RequireDualStack',
  clusterIPs: ['10.96.0.10', 'fd00::10'],
};

export const IPV6_ONLY: Partial<ServiceInfo> = {
  ipFamilies: ['IPv6'],
  ipFamilyPolicy: 'SingleStack',
  clusterIPs: ['fd00::20'],
};

/** The Service as the controller writes it back after `result`: status and pool annotation. */
export function written(svc: ServiceInfo, result: ServiceConvergence): ServiceInfo {
  const annotations: Record<string, string> = { ...svc.annotations };
  delete annotations[ANNOTATION_IP_ALLOCATED_FROM_POOL];
  if (result.pool !== undefined) annotations[ANNOTATION_IP_ALLOCATED_FROM_POOL] = result.pool;
  return { ...svc, ingressIPs: result.ips, annotations };
}

export function endpoint(nodeName: string | undefined, overrides: Partial<EndpointInfo> = {}): EndpointInfo {
  return {
    addresses: ['10.244.0.5'],
    nodeName,
    ready: true,
    serving: true,
    terminating: false,
    ...overrides,
  };
}

/** `namespace/service` */
export function slice(key: string, endpoints: readonly EndpointInfo[], suffix = 'x'): EndpointSliceInfo {
  const [namespace = '', serviceName = ''] = key.split('/');
  return { namespace, name: `${serviceName}-${suffix}`, serviceName, endpoints };
}

export function config(parts: Partial<Config> = {}): Config {
  return {
    pools: [pool('pool-a', ['203.0.113.0/24', '2001:db8::/64'])],
    peers: [peer('tor1', '192.0.2.1'), peer('tor2', '192.0.2.2')],
    advertisements: [advertisement('adv-a')],
    l2Advertisements: [],
    bfdProfiles: [],
    ...parts,
  };
}

/** default/web on 203.0.113.10 with a ready endpoint on n1, announced from n1 to tor1 and tor2. */
export function world(parts: Partial<AnnounceInput> = {}): AnnounceInput {
  return {
    config: config(),
    node: node('n1'),
    services: [service('default/web', { ingressIPs: ['203.0.113.10'] })],
    endpointSlices: [slice('default/web', [endpoint('n1')])],
    ...parts,
  };
}

/** A layer 2 decision of node-21's view: `candidates[0]` owns; node-21 announces when `announced`. */
export function l2Decision(
  name: string,
  announced: boolean,
  fields: {
    readonly ip?: string;
    readonly candidates?: readonly string[];
    readonly interfaces?: readonly string[];
  } = {},
): L2Decision {
  const candidates = fields.candidates ?? (announced ? ['node-21', 'node-22'] : ['node-22', 'node-21']);
  return {
    namespace: 'default',
    name,
    ips: [fields.ip ?? '192.0.2.200'],
    pool: 'l2-pool',
    announced,
    reason: announced ? '' : 'notOwner',
    detail: '',
    owner: candidates[0],
    candidates,
    excluded: [],
    interfaces: fields.interfaces,
  };
}
