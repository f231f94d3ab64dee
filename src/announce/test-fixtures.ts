// Builders for the announce tests: a small cluster (one dual-stack pool, two IPv4 ToRs, one node
// with a ready endpoint) that each case changes in one respect.
import type { EndpointInfo, EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import type { BgpAdvertisement, Community, Config, LabelSelector, Peer, Pool } from '../config/types.js';
import { testPeer } from '../frr/testing/peer.js';
import { parseCidr } from '../net/ip.js';
import type { AnnounceInput } from './types.js';

export function selector(matchLabels: Record<string, string>): LabelSelector {
  return { matchLabels, matchExpressions: [] };
}

export function community(text: string): Community {
  return text.startsWith('large:')
    ? { kind: 'large', value: text.slice('large:'.length) }
    : { kind: 'standard', value: text };
}

export function pool(name: string, cidrs: readonly string[]): Pool {
  return {
    name,
    labels: {},
    cidrs: cidrs.map((text) => {
      const cidr = parseCidr(text);
      if (cidr === undefined) throw new Error(`bad CIDR in test: ${text}`);
      return cidr;
    }),
    autoAssign: true,
    avoidBuggyIPs: false,
    serviceAllocation: undefined,
  };
}

export function peer(name: string, address: string | undefined, overrides: Partial<Peer> = {}): Peer {
  return testPeer({ name, address, ...overrides });
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

/** `namespace/name` */
export function service(
  key: string,
  ingressIPs: readonly string[],
  overrides: Partial<ServiceInfo> = {},
): ServiceInfo {
  const [namespace = '', name = ''] = key.split('/');
  return {
    namespace,
    name,
    uid: `uid-${namespace}-${name}`,
    labels: {},
    annotations: {},
    type: 'LoadBalancer',
    loadBalancerClass: undefined,
    loadBalancerIP: undefined,
    externalTrafficPolicy: 'Cluster',
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    clusterIPs: ['10.96.0.10'],
    selector: { app: name },
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    ingressIPs,
    ...overrides,
  };
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
    services: [service('default/web', ['203.0.113.10'])],
    endpointSlices: [slice('default/web', [endpoint('n1')])],
    ...parts,
  };
}
