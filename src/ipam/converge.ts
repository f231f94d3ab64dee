// One Service's desired load-balancer state, computed against the allocator the way MetalLB's
// controller converges a balancer (`controller/service.go` convergeBalancer): keep what the
// Service already shows when configuration still allows it, else clear it and allocate anew, with
// MetalLB's Event reasons. The controller shell writes `ips`/`pool` back and records `events`.
//
// Restart safety (MetalLB #1774, #2443, #2479): `convergeServices` first re-asserts the current
// addresses of every Service, in name order, and only then allocates; the result does not depend
// on the order the Services were listed in.
import type { ServiceInfo } from '../api/cluster.js';
import { parseIp, type ParsedIp } from '../net/ip.js';
import { compareText } from '../util/order.js';
import type { Allocator } from './allocator.js';
import {
  ANNOTATION_IP_ALLOCATED_FROM_POOL,
  familyOfAddresses,
  isRequestError,
  quoteList,
  requestedAddresses,
  serviceKey,
  serviceRequest,
  type AllocationRequest,
  type ServiceFamily,
} from './request.js';

export interface ServiceEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface ServiceConvergence {
  /** `namespace/name` */
  readonly service: string;
  /** desired `status.loadBalancer.ingress[].ip` */
  readonly ips: readonly string[];
  /** desired `metallb.io/ip-allocated-from-pool`; undefined = remove the annotation */
  readonly pool: string | undefined;
  readonly events: readonly ServiceEvent[];
  /** ips or pool differ from what the Service shows: write status */
  readonly changed: boolean;
  /** false when MetalLB would report a failed convergence (the controller does not retry by itself) */
  readonly converged: boolean;
  /** addresses or sharing keys changed in a way that may let pending Services fit: converge them again */
  readonly reprocessAll: boolean;
}

function normal(reason: string, message: string): ServiceEvent {
  return { type: 'Normal', reason, message };
}

function warning(reason: string, message: string): ServiceEvent {
  return { type: 'Warning', reason, message };
}

function sameAddressSet(a: readonly string[], b: readonly string[]): boolean {
  const sortedA = [...a].sort();
  const sortedB = [...b].sort();
  return sortedA.length === sortedB.length && sortedA.every((ip, index) => ip === sortedB[index]);
}

/** MetalLB's serviceFamilyChanged: PreferDualStack tolerates one address for a dual-stack Service. */
function familyChanged(
  current: ServiceFamily | undefined,
  wanted: ServiceFamily,
  policy: AllocationRequest['policy'],
): boolean {
  if (current === undefined) return true;
  if (current === wanted) return false;
  return !(wanted === 'dual' && policy === 'PreferDualStack');
}

type Held =
  /** the Service keeps `ips` (possibly none) and convergence goes on */
  | {
      readonly kind: 'kept';
      readonly ips: readonly string[];
      readonly request: AllocationRequest | undefined;
    }
  /** stop here: nothing more to do (not a LoadBalancer) or a failure already reported */
  | { readonly kind: 'done'; readonly ips: readonly string[]; readonly converged: boolean };

/**
 * The addresses the Service keeps from its current status, re-asserted into the allocator, or the
 * reason it keeps none. Shared by the restart pass and by convergeService so both decide alike.
 */
function holdCurrentAddresses(allocator: Allocator, service: ServiceInfo, events: ServiceEvent[]): Held {
  const key = serviceKey(service);
  const clear = (): void => {
    allocator.release(key);
  };
  if (service.type !== 'LoadBalancer') {
    clear();
    return { kind: 'done', ips: [], converged: true };
  }
  if (!allocator.hasPools() || service.clusterIPs.length === 0) {
    clear();
    return { kind: 'done', ips: [], converged: false };
  }
  const policy = service.ipFamilyPolicy ?? 'SingleStack';
  if (policy === 'RequireDualStack' && service.clusterIPs.length < 2) {
    const message = `Service requires dual stack but not enough clusterips ${quoteList(service.clusterIPs)}`;
    events.push(warning('not enough clusterips', message));
    clear();
    return { kind: 'done', ips: [], converged: false };
  }
  const current = service.ingressIPs.filter((ip) => ip !== '');
  const request = serviceRequest(service);
  if (current.length === 0) {
    clear();
    return { kind: 'kept', ips: [], request: isRequestError(request) ? undefined : request };
  }
  const parsed = current.map((text) => parseIp(text));
  const currentFamily = parsed.every((ip) => ip !== undefined)
    ? familyOfAddresses(parsed as ParsedIp[])
    : undefined;
  if (currentFamily === undefined || 'problem' in currentFamily) {
    const problem = currentFamily?.problem ?? 'not every entry is an IP address';
    events.push(
      warning('nolbIPsIPFamily', `Failed to retrieve LBIPs IPFamily for ${quoteList(current)}: ${problem}`),
    );
  }
  if (isRequestError(request)) {
    // MetalLB leaves the Service as it is when its clusterIPs make no sense.
    events.push(warning(request.reason, request.message));
    return { kind: 'done', ips: current, converged: false };
  }
  const family = currentFamily !== undefined && 'family' in currentFamily ? currentFamily.family : undefined;
  if (familyChanged(family, request.family, policy)) {
    clear();
    return { kind: 'kept', ips: [], request };
  }
  const reasserted = allocator.reassert(request, current);
  if (!reasserted.ok) {
    const message = `current IP for ${JSON.stringify(key)} not allowed by config, will attempt for new IP assignment: ${reasserted.message}`;
    events.push(normal('ClearAssignment', message));
    clear();
    return { kind: 'kept', ips: [], request };
  }
  if (request.pool !== undefined && reasserted.pool !== request.pool) {
    // The user asked for another pool than the one the addresses are from.
    clear();
    return { kind: 'kept', ips: [], request };
  }
  const desired = requestedAddresses(service);
  if ('reason' in desired) {
    events.push(warning(desired.reason, `invalid requested loadbalancer IPs: ${desired.message}`));
    return { kind: 'done', ips: current, converged: false };
  }
  if (
    desired.length > 0 &&
    !sameAddressSet(
      current,
      desired.map((ip) => ip.text),
    )
  ) {
    clear();
    return { kind: 'kept', ips: [], request };
  }
  return { kind: 'kept', ips: current, request };
}

function allocationFailed(key: string, message: string): ServiceEvent {
  return warning('AllocationFailed', `Failed to allocate IP for ${JSON.stringify(key)}: ${message}`);
}

/** Converges one Service against the allocator's current state. */
export function convergeService(allocator: Allocator, service: ServiceInfo): ServiceConvergence {
  const key = serviceKey(service);
  const previousIps = allocator.assignmentOf(key)?.ips ?? [];
  const previousKey = allocator.allocationKey(key);
  const events: ServiceEvent[] = [];
  const { ips, converged } = allocate(allocator, service, events);

  const pool = ips.length > 0 ? allocator.assignmentOf(key)?.pool : undefined;
  const shownPool = service.annotations[ANNOTATION_IP_ALLOCATED_FROM_POOL];
  const changed =
    ips.length !== service.ingressIPs.length ||
    ips.some((ip, index) => ip !== service.ingressIPs[index]) ||
    pool !== shownPool;
  if (changed) {
    // MetalLB warns only when it has something to write, so that every resync is not an Event.
    for (const annotation of Object.keys(service.annotations).sort()) {
      if (annotation.startsWith('metallb.universe.tf')) {
        events.push(warning('deprecatedAnnotation', `Service uses deprecated annotation ${annotation}`));
      }
    }
  }
  const released = previousIps.length > 0 && allocator.assignmentOf(key) === undefined;
  const reprocessAll =
    previousKey !== allocator.allocationKey(key) ||
    (released && allocator.poolOfAddresses(previousIps) !== undefined);
  return { service: key, ips, pool, events, changed, converged, reprocessAll };
}

function allocate(
  allocator: Allocator,
  service: ServiceInfo,
  events: ServiceEvent[],
): { ips: readonly string[]; converged: boolean } {
  const key = serviceKey(service);
  const held = holdCurrentAddresses(allocator, service, events);
  if (held.kind === 'done') return held;
  let ips = held.ips;
  const request = held.request;
  // MetalLB also tries this for single-stack clusterIPs, which makes the Service flap between one
  // and two addresses; only a dual-stack Service is given a second family here.
  if (ips.length === 1 && request?.policy === 'PreferDualStack' && request.family === 'dual') {
    const additional = allocator.assignAdditionalFamily(request);
    if (additional.ok) {
      ips = additional.ips;
      const added = additional.ips.find((ip) => !held.ips.includes(ip)) ?? '';
      events.push(normal('IPAllocated', `Assigned additional IP ${JSON.stringify(added)}`));
    } else {
      events.push(
        normal(
          'AdditionalAssignFailed',
          `cannot assign additional IP in PreferDualStack: ${additional.message}`,
        ),
      );
    }
  }
  if (ips.length > 0) return { ips, converged: true };

  if (request === undefined) {
    // Only a Service whose clusterIPs give no family has no request.
    const parsed = serviceRequest(service);
    events.push(allocationFailed(key, isRequestError(parsed) ? parsed.message : 'no usable clusterIPs'));
    return { ips: [], converged: false };
  }
  const desired = requestedAddresses(service);
  if ('reason' in desired) {
    events.push(allocationFailed(key, desired.message));
    return { ips: [], converged: false };
  }
  const result = allocator.assign({ ...request, ips: desired });
  if (!result.ok) {
    allocator.release(key);
    events.push(allocationFailed(key, result.message));
    return { ips: [], converged: false };
  }
  events.push(normal('IPAllocated', `Assigned IP ${quoteList(result.ips)}`));
  return { ips: result.ips, converged: true };
}

/**
 * Converges every Service restart-safely: first every Service's current addresses are
 * re-asserted (in name order, so a conflict in the stored status is settled the same way every
 * time), then each Service is converged, those that showed addresses first. Returns the results
 * in that order.
 */
export function convergeServices(
  allocator: Allocator,
  services: readonly ServiceInfo[],
): ServiceConvergence[] {
  const byName = [...services].sort((a, b) => compareText(serviceKey(a), serviceKey(b)));
  for (const service of byName) {
    if (service.ingressIPs.length > 0) holdCurrentAddresses(allocator, service, []);
  }
  const shownFirst = [
    ...byName.filter((service) => service.ingressIPs.length > 0),
    ...byName.filter((service) => service.ingressIPs.length === 0),
  ];
  return shownFirst.map((service) => convergeService(allocator, service));
}
