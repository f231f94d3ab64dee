// Why a Service has (or has not) its external IP, from the same allocator code the controller
// runs: every other Service's shown addresses are re-asserted first (as the controller does after a
// restart), then this Service is converged alone. The allocator's answer (MetalLB's message) is
// then narrowed to a cause a user can act on, with the pools' reasons behind it.
import type { ServiceInfo } from '../api/cluster.js';
import type { Pool } from '../config/types.js';
import { handlesService } from '../api/load-balancer-class.js';
import { Allocator } from '../ipam/allocator.js';
import { convergeService, convergeServices } from '../ipam/converge.js';
import { poolServes, resolvePoolScope } from '../ipam/pool-scope.js';
import {
  ANNOTATION_ADDRESS_POOL,
  isRequestError,
  parseAllocationRequest,
  serviceKey,
  type AllocationRequest,
} from '../ipam/request.js';
import { controllerHealth, type ControllerHealth } from './controller-health.js';
import type { ClusterSnapshot } from './snapshot.js';

/** A pool's addresses in use (a shared address counts once) out of all it has. */
export interface PoolUsage {
  readonly pool: string;
  readonly autoAssign: boolean;
  readonly used: number;
  /** decimal: IPv6 pools exceed a JavaScript number */
  readonly total: string;
}

export type AssignmentVerdict =
  /** the Service shows addresses and the allocator keeps them */
  | 'assigned'
  /** pending, but the allocator would give it addresses: the controller has not (yet) */
  | 'wouldAssign'
  /** pending, and the allocator cannot give it addresses */
  | 'cannotAssign'
  /** the Service shows addresses the allocator would take away or replace */
  | 'wouldChange'
  /** not ferry's: not a LoadBalancer, or another loadBalancerClass */
  | 'notHandled';

export type AssignmentCause =
  | 'notLoadBalancer'
  | 'otherLoadBalancerClass'
  | 'noPools'
  | 'noAutoAssignPool'
  | 'unknownPool'
  | 'ipOutsidePools'
  | 'poolExhausted'
  | 'selectorsNotMatching'
  | 'sharingConflict'
  | 'portConflict'
  | 'noPoolForFamily'
  | 'invalidRequest'
  | 'controllerNotRunning'
  | 'invalidConfiguration'
  | 'controllerBehind'
  | 'allocationFailed';

/** One pool, as it stands towards this Service. */
export interface PoolVerdict extends PoolUsage {
  /** why the pool may not serve this Service; '' when it may */
  readonly scopeProblem: string;
}

export interface AssignmentDiagnosis {
  readonly verdict: AssignmentVerdict;
  /** undefined when assigned and nothing is wrong */
  readonly cause: AssignmentCause | undefined;
  /** one sentence */
  readonly message: string;
  /** addresses shown in status.loadBalancer.ingress */
  readonly shownIps: readonly string[];
  /** the addresses and pool the allocator gives it (held or would give); empty when none */
  readonly ips: readonly string[];
  readonly pool: string;
  /** other Services named by the cause (holders of a requested IP) */
  readonly conflictsWith: readonly string[];
  readonly pools: readonly PoolVerdict[];
  readonly controller: ControllerHealth;
}

export interface AssignmentOptions {
  /** the controller's `--lb-class` ('' = Services without a class) */
  readonly lbClass: string;
}

function namespaceLabels(snapshot: ClusterSnapshot): Map<string, Readonly<Record<string, string>>> {
  return new Map(snapshot.resources.namespaces.map((ns) => [ns.name, ns.labels] as const));
}

function scopeProblem(pool: Pool, service: ServiceInfo, labels: ReturnType<typeof namespaceLabels>): string {
  const scope = resolvePoolScope(pool, labels);
  if (scope.namespaces !== undefined && !scope.namespaces.has(service.namespace)) {
    return `its serviceAllocation namespaces/namespaceSelectors do not select namespace ${service.namespace}`;
  }
  if (!poolServes(scope, service.namespace, service.labels)) {
    return "its serviceAllocation serviceSelectors do not match the Service's labels";
  }
  return '';
}

function poolVerdicts(snapshot: ClusterSnapshot, allocator: Allocator, service: ServiceInfo): PoolVerdict[] {
  const labels = namespaceLabels(snapshot);
  const stats = new Map(allocator.poolStats().map((s) => [s.pool, s]));
  return [...snapshot.config.pools]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((pool) => ({
      pool: pool.name,
      autoAssign: pool.autoAssign,
      scopeProblem: scopeProblem(pool, service, labels),
      used: stats.get(pool.name)?.inUse ?? 0,
      total: String(stats.get(pool.name)?.total ?? 0n),
    }));
}

function usage(pool: PoolVerdict): string {
  return `${pool.pool} ${pool.used}/${pool.total} used`;
}

/** Services other than `key` showing any of `ips`. */
function holdersOf(services: readonly ServiceInfo[], key: string, ips: readonly string[]): string[] {
  return services
    .filter((s) => serviceKey(s) !== key && s.ingressIPs.some((ip) => ips.includes(ip)))
    .map(serviceKey)
    .sort();
}

interface Cause {
  readonly cause: AssignmentCause;
  readonly message: string;
  readonly conflictsWith?: readonly string[];
}

/** Narrows the allocator's failure to what a user changes. */
function causeOfFailure(
  snapshot: ClusterSnapshot,
  allocator: Allocator,
  service: ServiceInfo,
  request: AllocationRequest,
  pools: readonly PoolVerdict[],
  failure: string,
): Cause {
  const key = serviceKey(service);
  const fitsFamily = (poolName: string): boolean => {
    const pool = snapshot.config.pools.find((p) => p.name === poolName);
    const families = new Set(pool?.cidrs.map((cidr) => cidr.family) ?? []);
    return request.family === 'dual'
      ? request.policy === 'PreferDualStack'
        ? families.size > 0
        : families.has('ipv4') && families.has('ipv6')
      : families.has(request.family);
  };
  if (request.ips.length > 0) {
    const texts = request.ips.map((ip) => ip.text);
    const holders = holdersOf(snapshot.resources.services, key, texts);
    const inPool = allocator.poolOfAddresses(texts);
    if (inPool === undefined) {
      return {
        cause: 'ipOutsidePools',
        message: `the requested ${texts.join(', ')} is in no IPAddressPool (${pools.map((p) => p.pool).join(', ') || 'there are none'})`,
      };
    }
    if (request.pool !== undefined && inPool !== request.pool) {
      return {
        cause: 'unknownPool',
        message: `the requested ${texts.join(', ')} is in pool ${inPool}, not in the requested pool ${request.pool}`,
      };
    }
    const problem = pools.find((p) => p.pool === inPool)?.scopeProblem ?? '';
    if (problem !== '') {
      return { cause: 'selectorsNotMatching', message: `pool ${inPool} may not serve it: ${problem}` };
    }
    if (failure.includes('port ')) {
      return {
        cause: 'portConflict',
        message: `${failure}; ${holders.join(', ')} uses it (shared IPs need the same allow-shared-ip key and different ports)`,
        conflictsWith: holders,
      };
    }
    if (failure.includes('sharing') || failure.includes('backend key')) {
      return {
        cause: 'sharingConflict',
        message: `the requested ${texts.join(', ')} is held by ${holders.join(', ')}: ${failure}`,
        conflictsWith: holders,
      };
    }
    return { cause: 'allocationFailed', message: failure };
  }
  if (request.pool !== undefined) {
    const pool = pools.find((p) => p.pool === request.pool);
    const rejected = snapshot.configErrors.find((error) =>
      error.startsWith(`IPAddressPool ${snapshot.namespace}/${request.pool}:`),
    );
    if (pool === undefined && rejected !== undefined) {
      return {
        cause: 'invalidConfiguration',
        message: `${ANNOTATION_ADDRESS_POOL} asks for pool ${request.pool}, which ferry rejects: ${rejected}`,
      };
    }
    if (pool === undefined) {
      return {
        cause: 'unknownPool',
        message: `${ANNOTATION_ADDRESS_POOL} asks for pool ${request.pool}, which does not exist (pools: ${pools.map((p) => p.pool).join(', ') || 'none'})`,
      };
    }
    if (pool.scopeProblem !== '') {
      return {
        cause: 'selectorsNotMatching',
        message: `pool ${pool.pool} may not serve it: ${pool.scopeProblem}`,
      };
    }
    if (!fitsFamily(pool.pool)) {
      return { cause: 'noPoolForFamily', message: `pool ${pool.pool} has no ${request.family} addresses` };
    }
    return { cause: 'poolExhausted', message: `pool ${pool.pool} is exhausted (${usage(pool)})` };
  }
  const auto = pools.filter((p) => p.autoAssign);
  if (auto.length === 0) {
    return {
      cause: 'noAutoAssignPool',
      message: `no IPAddressPool has autoAssign (${pools.map((p) => p.pool).join(', ')}): request one with ${ANNOTATION_ADDRESS_POOL}`,
    };
  }
  const serving = auto.filter((p) => p.scopeProblem === '');
  if (serving.length === 0) {
    return {
      cause: 'selectorsNotMatching',
      message: `no autoAssign pool may serve it: ${auto.map((p) => `${p.pool}: ${p.scopeProblem}`).join('; ')}`,
    };
  }
  const ofFamily = serving.filter((p) => fitsFamily(p.pool));
  if (ofFamily.length === 0) {
    return {
      cause: 'noPoolForFamily',
      message: `no autoAssign pool serving it has ${request.family} addresses (${serving.map((p) => p.pool).join(', ')})`,
    };
  }
  return {
    cause: 'poolExhausted',
    message: `every pool that may serve it is exhausted (${ofFamily.map(usage).join(', ')})`,
  };
}

/** Why a pending Service the allocator could serve is still pending. */
function causeOfDelay(controller: ControllerHealth): Cause {
  if (controller.running === 'notRunning') {
    return {
      cause: 'controllerNotRunning',
      message: `ferry's controller is not running: ${controller.runningDetail}`,
    };
  }
  if (controller.configuration === 'Invalid') {
    return {
      cause: 'invalidConfiguration',
      message: `ferry's controller rejects the configuration and keeps its last valid pools (ConfigurationState controller: ${controller.configurationMessage})`,
    };
  }
  return {
    cause: 'controllerBehind',
    message: `the controller has not written it yet (${controller.runningDetail})`,
  };
}

/**
 * The allocator as the controller holds it after a restart: every address Services show (except
 * `exceptKey`'s) re-asserted, in name order.
 */
export function allocatorWithShownAddresses(
  snapshot: ClusterSnapshot,
  lbClass: string,
  exceptKey?: string,
): Allocator {
  const allocator = new Allocator(snapshot.config.pools, namespaceLabels(snapshot));
  convergeServices(
    allocator,
    snapshot.resources.services.filter(
      (s) => serviceKey(s) !== exceptKey && handlesService(s, lbClass) && s.ingressIPs.length > 0,
    ),
  );
  return allocator;
}

export function diagnoseAssignment(
  snapshot: ClusterSnapshot,
  service: ServiceInfo,
  options: AssignmentOptions,
): AssignmentDiagnosis {
  const diagnosis = replayAssignment(snapshot, service, options);
  if (!snapshot.configFatal || diagnosis.verdict === 'assigned' || diagnosis.verdict === 'notHandled')
    return diagnosis;
  // The controller runs its last valid pools, not these: say so before anything derived from them.
  return {
    ...diagnosis,
    cause: 'invalidConfiguration',
    message: `ferry rejects the configuration as a whole and keeps the last valid one (${snapshot.configErrors.join('; ')}); with the objects as they are: ${diagnosis.message}`,
  };
}

function replayAssignment(
  snapshot: ClusterSnapshot,
  service: ServiceInfo,
  options: AssignmentOptions,
): AssignmentDiagnosis {
  const controller = controllerHealth(snapshot);
  const key = serviceKey(service);
  const allocator = allocatorWithShownAddresses(snapshot, options.lbClass, key);
  const base = {
    shownIps: service.ingressIPs,
    conflictsWith: [],
    controller,
  };
  const pools = (): PoolVerdict[] => poolVerdicts(snapshot, allocator, service);
  if (service.type !== 'LoadBalancer') {
    return {
      ...base,
      verdict: 'notHandled',
      cause: 'notLoadBalancer',
      message: `type ${service.type}: only type LoadBalancer Services get an external IP`,
      ips: [],
      pool: '',
      pools: [],
    };
  }
  if (!handlesService(service, options.lbClass)) {
    const theirs = service.loadBalancerClass ?? '(none)';
    const ours = options.lbClass === '' ? 'Services without one' : `class ${options.lbClass}`;
    return {
      ...base,
      verdict: 'notHandled',
      cause: 'otherLoadBalancerClass',
      message: `spec.loadBalancerClass is ${theirs}: another load balancer handles it (ferry handles ${ours})`,
      ips: [],
      pool: '',
      pools: [],
    };
  }
  if (snapshot.config.pools.length === 0) {
    return {
      ...base,
      verdict: service.ingressIPs.length > 0 ? 'wouldChange' : 'cannotAssign',
      cause: 'noPools',
      message: `there is no valid IPAddressPool in ${snapshot.namespace}${snapshot.configErrors.length === 0 ? '' : ` (ferry rejects: ${snapshot.configErrors.join('; ')})`}`,
      ips: [],
      pool: '',
      pools: [],
    };
  }
  const result = convergeService(allocator, service);
  const held = allocator.assignmentOf(key);
  // the Event's message without its `Failed to allocate IP for "ns/name": ` prefix
  const warning = (result.events.find((event) => event.type === 'Warning')?.message ?? '').replace(
    /^Failed to allocate IP for "[^"]*": /,
    '',
  );
  if (service.ingressIPs.length > 0) {
    // Only the addresses count: the controller also rewrites a missing pool annotation, which
    // changes nothing a user sees.
    const kept =
      held !== undefined &&
      held.ips.length === service.ingressIPs.length &&
      held.ips.every((ip) => service.ingressIPs.includes(ip));
    return {
      ...base,
      verdict: kept ? 'assigned' : 'wouldChange',
      cause: kept ? undefined : 'allocationFailed',
      message: kept
        ? `assigned from IPAddressPool ${held.pool}`
        : `the controller would change it: ${result.events.map((e) => e.message).join('; ') || `to ${result.ips.join(', ') || 'nothing'}`}`,
      ips: held?.ips ?? [],
      pool: held?.pool ?? '',
      pools: pools(),
    };
  }
  if (held !== undefined) {
    const delay = causeOfDelay(controller);
    return {
      ...base,
      verdict: 'wouldAssign',
      cause: delay.cause,
      message: `would get ${held.ips.join(', ')} from IPAddressPool ${held.pool}, but ${delay.message}`,
      ips: held.ips,
      pool: held.pool,
      pools: pools(),
    };
  }
  const verdicts = pools();
  const request = parseAllocationRequest(service);
  if (isRequestError(request)) {
    return {
      ...base,
      verdict: 'cannotAssign',
      cause: 'invalidRequest',
      message: request.message,
      ips: [],
      pool: '',
      pools: verdicts,
    };
  }
  const cause = causeOfFailure(snapshot, allocator, service, request, verdicts, warning);
  return {
    ...base,
    verdict: 'cannotAssign',
    cause: cause.cause,
    message: cause.message,
    conflictsWith: cause.conflictsWith ?? [],
    ips: [],
    pool: '',
    pools: verdicts,
  };
}
