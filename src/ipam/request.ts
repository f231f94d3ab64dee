// What a Service asks of the allocator, read from its spec and annotations. MetalLB reads the
// annotations under `metallb.io/` and falls back to the deprecated `metallb.universe.tf/`
// prefix; the new key wins whenever it is present, even with an empty value.
import type { ServiceInfo } from '../api/cluster.js';
import { type IpFamily, type ParsedIp, parseIp } from '../net/ip.js';

export const ANNOTATION_ADDRESS_POOL = 'metallb.io/address-pool';
export const ANNOTATION_LOAD_BALANCER_IPS = 'metallb.io/loadBalancerIPs';
export const ANNOTATION_ALLOW_SHARED_IP = 'metallb.io/allow-shared-ip';
/** Written by the controller, only with the current prefix. */
export const ANNOTATION_IP_ALLOCATED_FROM_POOL = 'metallb.io/ip-allocated-from-pool';
export const DEPRECATED_ANNOTATION_PREFIX = 'metallb.universe.tf';
const DEPRECATED_ADDRESS_POOL = `${DEPRECATED_ANNOTATION_PREFIX}/address-pool`;
const DEPRECATED_LOAD_BALANCER_IPS = `${DEPRECATED_ANNOTATION_PREFIX}/loadBalancerIPs`;
const DEPRECATED_ALLOW_SHARED_IP = `${DEPRECATED_ANNOTATION_PREFIX}/allow-shared-ip`;

/** The address families a Service needs, from its clusterIPs: one family, or both. */
export type ServiceFamily = IpFamily | 'dual';
export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export interface AllocationRequest {
  /** `namespace/name`, the allocator's key for the Service */
  readonly service: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly family: ServiceFamily;
  readonly policy: IpFamilyPolicy;
  /** IPv4 unless `spec.ipFamilies[0]` is IPv6 */
  readonly primaryFamily: IpFamily;
  /** `address-pool` annotation; undefined when absent or empty */
  readonly pool: string | undefined;
  /** `loadBalancerIPs` annotation or `spec.loadBalancerIP`; empty when none is requested */
  readonly ips: readonly ParsedIp[];
  /** `allow-shared-ip`; '' = the Service does not share */
  readonly sharingKey: string;
  /** '' for externalTrafficPolicy Cluster, the selector for Local (same backends, same nodes) */
  readonly backendKey: string;
  /** `PROTOCOL/port`, e.g. `TCP/80` */
  readonly ports: readonly string[];
  /** deprecated annotation keys the Service uses, for the `deprecatedAnnotation` warning */
  readonly deprecatedAnnotations: readonly string[];
}

/** Why a Service's request cannot be served at all; `reason` is the Event reason MetalLB uses. */
export interface RequestError {
  readonly reason: 'LoadBalancerFailed' | 'noclusterIPsIPFamily';
  readonly message: string;
}

export function serviceKey(service: Pick<ServiceInfo, 'namespace' | 'name'>): string {
  return `${service.namespace}/${service.name}`;
}

/** Go's `%q` of a list: `["192.0.2.1" "2001:db8::1"]`, as MetalLB's messages print addresses. */
export function quoteList(values: readonly string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(' ')}]`;
}

function annotation(
  annotations: Readonly<Record<string, string>>,
  current: string,
  deprecated: string,
): string {
  if (Object.hasOwn(annotations, current)) return annotations[current] ?? '';
  return annotations[deprecated] ?? '';
}

export type FamilyOfAddresses = { readonly family: ServiceFamily } | { readonly problem: string };

/** The family of one address, or of two addresses of different families (dual-stack). */
export function familyOfAddresses(ips: readonly ParsedIp[]): FamilyOfAddresses {
  const [first, second] = ips;
  if (first === undefined || ips.length > 2) {
    return { problem: `expected one or two addresses, got ${ips.length}` };
  }
  if (second === undefined) return { family: first.family };
  if (first.family === second.family) {
    const family = first.family === 'ipv4' ? 'IPv4' : 'IPv6';
    return {
      problem: `${quoteList(ips.map((ip) => ip.text))} are both ${family}; give at most one address of each family`,
    };
  }
  return { family: 'dual' };
}

/**
 * The addresses the Service asks for (`loadBalancerIPs` annotation or `spec.loadBalancerIP`);
 * empty when it asks for none. The error message is MetalLB's, without the Event's prefix.
 */
export function requestedAddresses(service: ServiceInfo): readonly ParsedIp[] | RequestError {
  const listed = annotation(service.annotations, ANNOTATION_LOAD_BALANCER_IPS, DEPRECATED_LOAD_BALANCER_IPS);
  const single = service.loadBalancerIP ?? '';
  if (listed === '' && single === '') return [];
  const failed = (message: string): RequestError => ({ reason: 'LoadBalancerFailed', message });
  if (listed !== '' && single !== '') {
    return failed(`service can not have both ${ANNOTATION_LOAD_BALANCER_IPS} and svc.Spec.LoadBalancerIP`);
  }
  if (listed === '') {
    const ip = parseIp(single.trim());
    return ip === undefined ? failed(`invalid spec.loadBalancerIP ${JSON.stringify(single)}`) : [ip];
  }
  const ips: ParsedIp[] = [];
  for (const text of listed.split(',')) {
    const ip = parseIp(text.trim());
    if (ip === undefined) return failed(`invalid ${ANNOTATION_LOAD_BALANCER_IPS}: ${JSON.stringify(listed)}`);
    ips.push(ip);
  }
  const family = familyOfAddresses(ips);
  if ('problem' in family) {
    return failed(`invalid ${ANNOTATION_LOAD_BALANCER_IPS} ${JSON.stringify(listed)}: ${family.problem}`);
  }
  return ips;
}

/** Kubernetes' `labels.Set(selector).String()`: sorted `key=value` pairs joined by commas. */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector)
    .sort()
    .map((key) => `${key}=${selector[key] ?? ''}`)
    .join(',');
}

function serviceFamily(service: ServiceInfo): ServiceFamily | RequestError {
  const parsed = service.clusterIPs.map((text) => parseIp(text));
  const ips = parsed.filter((ip): ip is ParsedIp => ip !== undefined);
  const family: FamilyOfAddresses =
    ips.length === parsed.length ? familyOfAddresses(ips) : { problem: 'not every entry is an IP address' };
  if ('family' in family) return family.family;
  return {
    reason: 'noclusterIPsIPFamily',
    message: `Failed to retrieve ClusterIPs IPFamily for ${quoteList(service.clusterIPs)}: ${family.problem}`,
  };
}

/**
 * Everything about the Service the allocator needs except the requested addresses (`ips` is
 * empty); fails only when its clusterIPs give no address family.
 */
export function serviceRequest(service: ServiceInfo): AllocationRequest | RequestError {
  const family = serviceFamily(service);
  if (typeof family !== 'string') return family;
  const pool = annotation(service.annotations, ANNOTATION_ADDRESS_POOL, DEPRECATED_ADDRESS_POOL);
  return {
    service: serviceKey(service),
    namespace: service.namespace,
    labels: service.labels,
    family,
    policy: service.ipFamilyPolicy ?? 'SingleStack',
    primaryFamily: service.ipFamilies[0] === 'IPv6' ? 'ipv6' : 'ipv4',
    pool: pool === '' ? undefined : pool,
    ips: [],
    sharingKey: annotation(service.annotations, ANNOTATION_ALLOW_SHARED_IP, DEPRECATED_ALLOW_SHARED_IP),
    backendKey: service.externalTrafficPolicy === 'Local' ? selectorText(service.selector) : '',
    ports: service.ports.map((port) => `${port.protocol}/${port.port}`),
    deprecatedAnnotations: Object.keys(service.annotations)
      .filter((key) => key.startsWith(DEPRECATED_ANNOTATION_PREFIX))
      .sort(),
  };
}

/** Reads what `service` asks for; pure, and the same answer for the same Service. */
export function parseAllocationRequest(service: ServiceInfo): AllocationRequest | RequestError {
  const request = serviceRequest(service);
  if (isRequestError(request)) return request;
  const ips = requestedAddresses(service);
  if ('reason' in ips) return ips;
  return { ...request, ips };
}

export function isRequestError(value: AllocationRequest | RequestError): value is RequestError {
  return 'reason' in value;
}
