// Builders for objects as a user writes them (MetalLB resources, Nodes, Secrets, Services): for
// `load()` (objects → YAML → loadManifests with ferry's CRDs, the path of `ferry render`) and for
// objects created on the test API server.
import { stringify } from 'yaml';
import { ferryCrdValidator } from '../../src/api/load-directory.js';
import { loadManifests, type LoadResult } from '../../src/api/manifests.js';

export const NS = 'metallb-system';

type Spec = Record<string, unknown>;
type Meta = { namespace?: string; labels?: Record<string, string> };

function object(apiVersion: string, kind: string, name: string, spec: Spec | undefined, meta: Meta = {}) {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: meta.namespace ?? NS, ...(meta.labels ? { labels: meta.labels } : {}) },
    ...(spec === undefined ? {} : { spec }),
  };
}

export const pool = (name: string, spec: Spec, meta?: Meta) =>
  object('metallb.io/v1beta1', 'IPAddressPool', name, spec, meta);
export const peer = (name: string, spec: Spec, meta?: Meta & { version?: 'v1beta1' | 'v1beta2' }) =>
  object(`metallb.io/${meta?.version ?? 'v1beta2'}`, 'BGPPeer', name, spec, meta);
export const advertisement = (name: string, spec: Spec, meta?: Meta) =>
  object('metallb.io/v1beta1', 'BGPAdvertisement', name, spec, meta);
export const l2Advertisement = (name: string, spec: Spec, meta?: Meta) =>
  object('metallb.io/v1beta1', 'L2Advertisement', name, spec, meta);
export const bfdProfile = (name: string, spec: Spec, meta?: Meta) =>
  object('metallb.io/v1beta1', 'BFDProfile', name, spec, meta);
export const community = (name: string, aliases: { name: string; value: string }[], meta?: Meta) =>
  object('metallb.io/v1beta1', 'Community', name, { communities: aliases }, meta);
export const node = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
});
export const secret = (name: string, type: string, stringData: Record<string, string>, namespace = NS) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type,
  stringData,
});

export interface ServiceFields {
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  /** merged into spec; defaults: LoadBalancer, TCP/80, one IPv4 clusterIP (a new one per Service) */
  readonly spec?: Record<string, unknown>;
}

let clusterIpCounter = 0;

export function service(namespace: string, name: string, fields: ServiceFields = {}) {
  clusterIpCounter++;
  const clusterIp = `10.96.${(clusterIpCounter >> 8) & 255}.${clusterIpCounter & 255}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      ...(fields.annotations ? { annotations: fields.annotations } : {}),
      ...(fields.labels ? { labels: fields.labels } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP' }],
      clusterIP: clusterIp,
      clusterIPs: [clusterIp],
      selector: { app: name },
      ...fields.spec,
    },
  };
}

/** The seed configuration of deploy/examples, as objects. */
export function seed(): object[] {
  return [
    pool('prod-pool', { addresses: ['203.0.113.0/24'] }),
    peer('tor1', { peerAddress: '192.0.2.1', peerASN: 65000, myASN: 65100, bfdProfile: 'tor-bfd' }),
    peer('tor2', { peerAddress: '198.51.100.1', peerASN: 65000, myASN: 65100, bfdProfile: 'tor-bfd' }),
    advertisement('prod-adv', { ipAddressPools: ['prod-pool'], communities: ['65000:100'], localPref: 100 }),
    bfdProfile('tor-bfd', { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 }),
  ];
}

/** Loads objects through YAML and the CRD schemas. */
export function load(objects: readonly object[]): LoadResult {
  const text = objects.map((entry) => stringify(entry)).join('---\n');
  return loadManifests([{ path: 'test.yaml', text }], ferryCrdValidator(), { defaultNamespace: NS });
}
