// Core Kubernetes objects (v1 Node, Service, Secret, Namespace; discovery.k8s.io/v1 EndpointSlice)
// reduced to the fields ferry uses. Works on the JSON shape the API server returns and manifests use,
// so the informers (src/k8s) and `ferry render` read objects the same way. Fields of the wrong type
// are reported; absent fields get Kubernetes' defaults.
import { Buffer } from 'node:buffer';
import { parseIp } from '../net/ip.js';
import type {
  EndpointInfo,
  EndpointSliceInfo,
  NodeInfo,
  SecretInfo,
  ServiceInfo,
  ServicePort,
  SpeakerPodInfo,
} from './cluster.js';
import type { NamespaceInfo } from './resources.js';
import type { FieldProblem } from '../util/field-problem.js';
import { sharedString } from '../util/shared-string.js';

export type Parsed<T> = { readonly value: T; readonly problems: readonly FieldProblem[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads typed fields from untrusted JSON, recording a problem for each field of the wrong type. */
class FieldReader {
  readonly problems: FieldProblem[] = [];

  record(value: unknown, field: string): Record<string, unknown> {
    if (value === undefined || value === null) return {};
    if (isRecord(value)) return value;
    this.problems.push({ field, message: 'must be an object' });
    return {};
  }

  list(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.problems.push({ field, message: 'must be a list' });
    return [];
  }

  string(value: unknown, field: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    this.problems.push({ field, message: `must be a string, got ${JSON.stringify(value)}` });
    return undefined;
  }

  boolean(value: unknown, field: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    this.problems.push({ field, message: `must be true or false, got ${JSON.stringify(value)}` });
    return undefined;
  }

  stringMap(value: unknown, field: string): Record<string, string> {
    const map: Record<string, string> = {};
    for (const [key, entry] of Object.entries(this.record(value, field))) {
      const text = this.string(entry, `${field}[${JSON.stringify(key)}]`);
      if (text !== undefined) map[key] = text;
    }
    return map;
  }

  stringList(value: unknown, field: string): string[] {
    return this.list(value, field).flatMap((entry, index) => this.string(entry, `${field}[${index}]`) ?? []);
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
    const text = this.string(value, field);
    if (text === undefined) return undefined;
    const found = allowed.find((candidate) => candidate === text);
    if (found === undefined)
      this.problems.push({
        field,
        message: `must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`,
      });
    return found;
  }
}

const sharedOrUndefined = (text: string | undefined) => (text === undefined ? undefined : sharedString(text));

function meta(reader: FieldReader, object: Record<string, unknown>) {
  const metadata = reader.record(object['metadata'], 'metadata');
  return {
    name: reader.string(metadata['name'], 'metadata.name') ?? '',
    namespace: sharedString(reader.string(metadata['namespace'], 'metadata.namespace') ?? ''),
    uid: reader.string(metadata['uid'], 'metadata.uid') ?? '',
    labels: reader.stringMap(metadata['labels'], 'metadata.labels'),
    annotations: reader.stringMap(metadata['annotations'], 'metadata.annotations'),
  };
}

export function toNodeInfo(object: Record<string, unknown>): Parsed<NodeInfo> {
  const reader = new FieldReader();
  const { name, labels } = meta(reader, object);
  const status = reader.record(object['status'], 'status');
  const conditions = reader
    .list(status['conditions'], 'status.conditions')
    .map((entry, index) => reader.record(entry, `status.conditions[${index}]`));
  const networkUnavailable = conditions.some(
    (condition) => condition['type'] === 'NetworkUnavailable' && condition['status'] === 'True',
  );
  const internalIPs = reader
    .list(status['addresses'], 'status.addresses')
    .map((entry, index) => reader.record(entry, `status.addresses[${index}]`))
    .filter((entry) => entry['type'] === 'InternalIP' && typeof entry['address'] === 'string')
    .flatMap((entry) => parseIp(String(entry['address']))?.text ?? []);
  const readyCondition = conditions.find((condition) => condition['type'] === 'Ready');
  // Only an explicit False/Unknown counts: a Node without conditions (manifests) is not known dead.
  const ready = readyCondition === undefined ? undefined : readyCondition['status'] === 'True';
  return {
    value: {
      name,
      labels,
      networkUnavailable,
      ...(ready === undefined ? {} : { ready }),
      ...(internalIPs.length === 0 ? {} : { internalIPs }),
    },
    problems: reader.problems,
  };
}

/** A speaker pod: ready only while its Ready condition is True and it is not being deleted. */
export function toSpeakerPodInfo(object: Record<string, unknown>): Parsed<SpeakerPodInfo> {
  const reader = new FieldReader();
  const { name } = meta(reader, object);
  const metadata = reader.record(object['metadata'], 'metadata');
  const spec = reader.record(object['spec'], 'spec');
  const status = reader.record(object['status'], 'status');
  const ready = reader
    .list(status['conditions'], 'status.conditions')
    .map((entry, index) => reader.record(entry, `status.conditions[${index}]`))
    .some((condition) => condition['type'] === 'Ready' && condition['status'] === 'True');
  const deleting = reader.string(metadata['deletionTimestamp'], 'metadata.deletionTimestamp') !== undefined;
  return {
    value: {
      name,
      nodeName: reader.string(spec['nodeName'], 'spec.nodeName') ?? '',
      ready: ready && !deleting,
      deleting,
    },
    problems: reader.problems,
  };
}

export function toNamespaceInfo(object: Record<string, unknown>): Parsed<NamespaceInfo> {
  const reader = new FieldReader();
  const { name, labels } = meta(reader, object);
  return { value: { name, labels }, problems: reader.problems };
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const FAMILIES = ['IPv4', 'IPv6'] as const;

function canonicalIps(reader: FieldReader, texts: readonly string[], field: string): string[] {
  return texts.flatMap((text, index) => {
    const ip = parseIp(text);
    if (ip === undefined) {
      reader.problems.push({
        field: `${field}[${index}]`,
        message: `${JSON.stringify(text)} is not an IP address`,
      });
      return [];
    }
    return [ip.text];
  });
}

/** Annotation prefixes ferry reads on a Service: MetalLB's, current and deprecated. */
const METALLB_ANNOTATION_PREFIXES = ['metallb.io/', 'metallb.universe.tf/'];

/**
 * Only MetalLB's annotations are kept: the others (above all kubectl's last-applied-configuration,
 * a JSON copy of the whole Service) would be a per-Service copy of text in every speaker's cache.
 */
export function metallbAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations))
    if (METALLB_ANNOTATION_PREFIXES.some((prefix) => key.startsWith(prefix))) kept[key] = value;
  return kept;
}

export function toServiceInfo(object: Record<string, unknown>): Parsed<ServiceInfo> {
  const reader = new FieldReader();
  const { name, namespace, uid, labels, annotations: allAnnotations } = meta(reader, object);
  const annotations = metallbAnnotations(allAnnotations);
  const spec = reader.record(object['spec'], 'spec');
  const clusterIPs = canonicalIps(
    reader,
    reader.stringList(spec['clusterIPs'], 'spec.clusterIPs').filter((ip) => ip !== 'None'),
    'spec.clusterIPs',
  );
  const ipFamilies = reader
    .list(spec['ipFamilies'], 'spec.ipFamilies')
    .flatMap((entry, index) => reader.oneOf(entry, `spec.ipFamilies[${index}]`, FAMILIES) ?? []);
  // Without spec.ipFamilies (a manifest, not yet defaulted by the API server) the cluster IPs tell the
  // families; failing that, Kubernetes' default single-stack IPv4.
  const families: ('IPv4' | 'IPv6')[] =
    ipFamilies.length > 0
      ? ipFamilies
      : clusterIPs.length > 0
        ? clusterIPs.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'))
        : ['IPv4'];
  const ports: ServicePort[] = reader.list(spec['ports'], 'spec.ports').map((entry, index) => {
    const port = reader.record(entry, `spec.ports[${index}]`);
    const number = port['port'];
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
      reader.problems.push({ field: `spec.ports[${index}].port`, message: 'must be a port number 1-65535' });
    }
    return {
      name: reader.string(port['name'], `spec.ports[${index}].name`) ?? '',
      protocol: reader.oneOf(port['protocol'], `spec.ports[${index}].protocol`, PROTOCOLS) ?? 'TCP',
      port: typeof number === 'number' ? number : 0,
    };
  });
  const status = reader.record(object['status'], 'status');
  const loadBalancer = reader.record(status['loadBalancer'], 'status.loadBalancer');
  const ingress = reader.list(loadBalancer['ingress'], 'status.loadBalancer.ingress');
  // One text per entry, kept even when it is no IP: whoever reads the Service decides what an
  // unusable entry means (the speaker refuses that Service with `invalidIP`, as MetalLB does); it is
  // never a reason to reject the object, nor the configuration or manifests around it.
  const ingressIPs = ingress.map((entry, index) => {
    const field = `status.loadBalancer.ingress[${index}]`;
    const text = reader.string(reader.record(entry, field)['ip'], `${field}.ip`) ?? '';
    return parseIp(text)?.text ?? text;
  });
  return {
    value: {
      namespace,
      name,
      uid,
      labels,
      annotations,
      type: sharedString(reader.string(spec['type'], 'spec.type') ?? 'ClusterIP'),
      loadBalancerClass: reader.string(spec['loadBalancerClass'], 'spec.loadBalancerClass'),
      loadBalancerIP: reader.string(spec['loadBalancerIP'], 'spec.loadBalancerIP') || undefined,
      externalTrafficPolicy:
        reader.oneOf(spec['externalTrafficPolicy'], 'spec.externalTrafficPolicy', [
          'Cluster',
          'Local',
        ] as const) ?? 'Cluster',
      ipFamilies: families,
      ipFamilyPolicy: reader.oneOf(spec['ipFamilyPolicy'], 'spec.ipFamilyPolicy', [
        'SingleStack',
        'PreferDualStack',
        'RequireDualStack',
      ] as const),
      clusterIPs,
      selector: reader.stringMap(spec['selector'], 'spec.selector'),
      ports,
      ingressIPs,
    },
    problems: reader.problems,
  };
}

export function toEndpointSliceInfo(object: Record<string, unknown>): Parsed<EndpointSliceInfo> {
  const reader = new FieldReader();
  const { name, namespace, labels } = meta(reader, object);
  const endpoints: EndpointInfo[] = reader.list(object['endpoints'], 'endpoints').map((entry, index) => {
    const field = `endpoints[${index}]`;
    const endpoint = reader.record(entry, field);
    const conditions = reader.record(endpoint['conditions'], `${field}.conditions`);
    return {
      addresses: canonicalIps(
        reader,
        reader.stringList(endpoint['addresses'], `${field}.addresses`),
        `${field}.addresses`,
      ),
      nodeName: sharedOrUndefined(reader.string(endpoint['nodeName'], `${field}.nodeName`)),
      ready: reader.boolean(conditions['ready'], `${field}.conditions.ready`),
      serving: reader.boolean(conditions['serving'], `${field}.conditions.serving`),
      terminating: reader.boolean(conditions['terminating'], `${field}.conditions.terminating`),
    };
  });
  const serviceName = labels['kubernetes.io/service-name'] ?? '';
  if (serviceName === '') {
    reader.problems.push({
      field: 'metadata.labels["kubernetes.io/service-name"]',
      message: 'is required to tie the slice to its Service',
    });
  }
  return { value: { namespace, name, serviceName, endpoints }, problems: reader.problems };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toSecretInfo(object: Record<string, unknown>): Parsed<SecretInfo> {
  const reader = new FieldReader();
  const { name, namespace } = meta(reader, object);
  const data: Record<string, string> = {};
  for (const [key, encoded] of Object.entries(reader.stringMap(object['data'], 'data'))) {
    if (!BASE64.test(encoded)) {
      reader.problems.push({ field: `data[${JSON.stringify(key)}]`, message: 'must be base64-encoded' });
      continue;
    }
    data[key] = Buffer.from(encoded, 'base64').toString('utf8');
  }
  // stringData is write-only and wins over data, as the API server merges it.
  Object.assign(data, reader.stringMap(object['stringData'], 'stringData'));
  return {
    value: { namespace, name, type: reader.string(object['type'], 'type') ?? 'Opaque', data },
    problems: reader.problems,
  };
}
