// The lab's cluster as `kubectl ferry` lists it (deploy/examples plus what the controller and the
// speakers write when all is well), as raw objects the tests change one thing at a time.
import type { KubeObject } from '../../src/k8s/kube-object.js';
import type { ClusterObjects } from '../../src/diagnose/snapshot.js';

export const NOW = new Date('2026-12-06T08:00:00Z');
const NS = 'metallb-system';

export function object(
  name: string,
  fields: Record<string, unknown>,
  namespace: string | undefined = NS,
  labels: Record<string, string> = {},
): KubeObject {
  return { metadata: { name, ...(namespace === undefined ? {} : { namespace }), labels }, ...fields };
}

export function pool(name: string, spec: Record<string, unknown>): KubeObject {
  return object(name, { spec });
}

export function service(
  name: string,
  options: {
    ingress?: readonly string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    namespace?: string;
    spec?: Record<string, unknown>;
    clusterIP?: string;
  } = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      labels: options.labels ?? {},
      annotations: options.annotations ?? {},
      uid: `uid-${name}`,
    },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      selector: { app: name },
      clusterIP: options.clusterIP ?? '10.96.0.10',
      clusterIPs: [options.clusterIP ?? '10.96.0.10'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
      ...options.spec,
    },
    status: { loadBalancer: { ingress: (options.ingress ?? []).map((ip) => ({ ip })) } },
  };
}

export function endpointSlice(
  serviceName: string,
  nodes: readonly string[],
  namespace = 'default',
): KubeObject {
  return {
    metadata: {
      name: `${serviceName}-abc`,
      namespace,
      labels: { 'kubernetes.io/service-name': serviceName },
    },
    addressType: 'IPv4',
    endpoints: nodes.map((node, i) => ({
      addresses: [`10.244.${i + 1}.10`],
      nodeName: node,
      conditions: { ready: true, serving: true, terminating: false },
    })),
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  };
}

export function session(node: string, peer: string, bgpStatus = 'Established', lastError = ''): KubeObject {
  return object(`${node}-${peer.replace(/\./g, '-')}`, {
    status: {
      node,
      peer,
      vrf: '',
      bgpStatus,
      bfdStatus: bgpStatus === 'Established' ? 'up' : 'down',
      uptime: bgpStatus === 'Established' ? '3m10s' : '',
      prefixesSent: bgpStatus === 'Established' ? 1 : 0,
      prefixesReceived: 0,
      lastError,
      bfdTimers: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 },
    },
  });
}

export function serviceStatus(node: string, serviceName: string, peers: readonly string[]): KubeObject {
  return object(`bgp-${node}-${serviceName}`, {
    status: { node, serviceName, serviceNamespace: 'default', peers: [...peers] },
  });
}

export function configurationState(name: string, result = 'Valid', errorSummary = ''): KubeObject {
  return object(name, { status: { result, errorSummary, conditions: [] } });
}

export function lease(renewTime: Date, holder = 'ferry-controller-abc'): KubeObject {
  return object('ferry-controller', {
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: renewTime.toISOString() },
  });
}

const NODES = ['node-21', 'node-22', 'node-23'];
const PEERS = ['192.0.2.1', '198.51.100.1'];

/** The lab with web at 203.0.113.5 announced from node-21 and node-22 to tor1 and tor2. */
export function labCluster(): ClusterObjects {
  return {
    ipAddressPools: [pool('prod-pool', { addresses: ['203.0.113.0/24'], autoAssign: true })],
    bgpPeers: [
      object('tor1', {
        spec: { peerAddress: '192.0.2.1', peerASN: 65000, myASN: 65100, bfdProfile: 'tor-bfd' },
      }),
      object('tor2', {
        spec: { peerAddress: '198.51.100.1', peerASN: 65000, myASN: 65100, bfdProfile: 'tor-bfd' },
      }),
    ],
    l2Advertisements: [],
    bgpAdvertisements: [
      object('prod-adv', {
        spec: {
          ipAddressPools: ['prod-pool'],
          aggregationLength: 32,
          communities: ['65000:100'],
          localPref: 100,
        },
      }),
    ],
    bfdProfiles: [
      object('tor-bfd', { spec: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 } }),
    ],
    communities: [],
    secrets: [],
    nodes: NODES.map((name) => object(name, {}, undefined, { 'kubernetes.io/hostname': name })),
    namespaces: ['default', NS].map((name) =>
      object(name, {}, undefined, { 'kubernetes.io/metadata.name': name }),
    ),
    services: [
      service('web', {
        ingress: ['203.0.113.5'],
        annotations: {
          'metallb.io/loadBalancerIPs': '203.0.113.5',
          'metallb.io/ip-allocated-from-pool': 'prod-pool',
        },
      }),
    ],
    endpointSlices: [endpointSlice('web', ['node-21', 'node-22'])],
    bgpSessionStates: NODES.flatMap((node) => PEERS.map((peer) => session(node, peer))),
    serviceL2Statuses: [],
    serviceBGPStatuses: ['node-21', 'node-22'].map((node) => serviceStatus(node, 'web', ['tor1', 'tor2'])),
    configurationStates: [
      configurationState('controller'),
      ...NODES.map((n) => configurationState(`speaker-${n}`)),
    ],
    controllerLease: lease(new Date(NOW.getTime() - 2000)),
  };
}
