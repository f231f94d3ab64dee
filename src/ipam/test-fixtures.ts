// Builders for the ipam tests: a Pool or a Service with only the fields a case cares about.
import type { ServiceInfo } from '../api/cluster.js';
import type { Pool, ServiceAllocation } from '../config/types.js';
import type { ServiceConvergence } from './converge.js';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL } from './request.js';
import { type Cidr, parseCidr } from '../net/ip.js';
import { service as serviceWithIngress } from '../announce/test-fixtures.js';

export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad CIDR in test: ${text}`);
  return parsed;
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

/** A TCP/80 LoadBalancer Service with an IPv4 clusterIP unless told otherwise; `name` may be `ns/name`. */
export function service(name: string, fields: Partial<ServiceInfo> = {}): ServiceInfo {
  const key = name.includes('/') ? name : `default/${name}`;
  return serviceWithIngress(key, fields.ingressIPs ?? [], fields);
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
