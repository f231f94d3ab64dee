// The controller's writes on Services: `status.loadBalancer.ingress` (merge patch on
// `services/{name}/status`) and annotations such as `metallb.io/ip-allocated-from-pool` (merge patch
// on the object). Both compare with the Service as last seen (the informer's copy) and send only
// the difference, so re-asserting assignments after a restart costs no writes.
import type { KubeClient } from './client.js';
import { mergePatchObject } from './client.js';
import type { KubeResult } from './errors.js';
import { ok } from './errors.js';
import type { KubeObject } from './kube-object.js';
import { isRecord } from './kube-object.js';
import { jsonEqual } from './merge-patch.js';
import { inNamespace, resourceTypes } from './resources.js';

export const poolAnnotation = 'metallb.io/ip-allocated-from-pool';

export interface LoadBalancerIngress {
  /** '' on an entry without one */
  readonly ip: string;
  /** only 'Proxy' is kept: 'VIP' is what the API server (>= 1.30) fills in for what ferry writes */
  readonly ipMode?: 'Proxy';
  /** never written by ferry: kept when reading so that such an entry counts as a difference */
  readonly hostname?: string;
}

export interface ServiceWriteOptions {
  /**
   * The resourceVersion the decision was based on: the write fails with 409 Conflict if the
   * Service changed since, instead of overwriting a newer state.
   */
  readonly resourceVersion?: string;
}

/**
 * `status.loadBalancer.ingress` of a raw Service, one element per entry. An entry ferry would not
 * write (a hostname, no ip) stays visible, so the controller replaces it with IPs only, as MetalLB's.
 */
export function ingressOf(service: KubeObject): LoadBalancerIngress[] {
  const status = isRecord(service.status) ? service.status : {};
  const loadBalancer = isRecord(status.loadBalancer) ? status.loadBalancer : {};
  const ingress = Array.isArray(loadBalancer.ingress) ? loadBalancer.ingress : [];
  return ingress.map((entry: unknown) => {
    if (!isRecord(entry)) return { ip: '' };
    return {
      ip: typeof entry.ip === 'string' ? entry.ip : '',
      ...(entry.ipMode === 'Proxy' ? { ipMode: entry.ipMode } : {}),
      ...(typeof entry.hostname === 'string' ? { hostname: entry.hostname } : {}),
    };
  });
}

export const ingressFromIps = (ips: readonly string[]): LoadBalancerIngress[] => ips.map((ip) => ({ ip }));

function preconditionOf(options: ServiceWriteOptions): { metadata?: { resourceVersion: string } } {
  return options.resourceVersion ? { metadata: { resourceVersion: options.resourceVersion } } : {};
}

/**
 * Sets the Service's ingress to `desired` (empty clears it) unless `service` already has exactly
 * that. `service` is the raw object as last seen.
 */
export async function writeServiceIngress(
  client: KubeClient,
  service: KubeObject,
  desired: readonly LoadBalancerIngress[],
  options: ServiceWriteOptions = {},
): Promise<KubeResult<'updated' | 'unchanged'>> {
  if (jsonEqual(ingressOf(service), desired)) return ok('unchanged');
  const services = inNamespace(resourceTypes.services, service.metadata.namespace ?? 'default');
  const result = await mergePatchObject(
    client,
    services,
    service.metadata.name ?? '',
    {
      ...preconditionOf(options),
      status: { loadBalancer: { ingress: desired.length > 0 ? desired : null } },
    },
    'status',
  );
  return result.ok ? ok('updated') : result;
}

/**
 * Sets (string) or removes (null) the given annotations, leaving all others alone; sends nothing
 * when the Service already carries exactly these values.
 */
export async function writeServiceAnnotations(
  client: KubeClient,
  service: KubeObject,
  desired: Readonly<Record<string, string | null>>,
  options: ServiceWriteOptions = {},
): Promise<KubeResult<'updated' | 'unchanged'>> {
  const current = service.metadata.annotations ?? {};
  const changes: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (value === null ? key in current : current[key] !== value) changes[key] = value;
  }
  if (Object.keys(changes).length === 0) return ok('unchanged');
  const services = inNamespace(resourceTypes.services, service.metadata.namespace ?? 'default');
  const precondition = preconditionOf(options).metadata ?? {};
  const result = await mergePatchObject(client, services, service.metadata.name ?? '', {
    metadata: { ...precondition, annotations: changes },
  });
  return result.ok ? ok('updated') : result;
}
