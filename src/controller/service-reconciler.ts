// The controller's Service reconciler: the allocator's pools, and per Service the converge step
// (src/ipam) followed by the writes it implies (status and annotation through the ServiceWriter,
// Events through the recorder). Allocation is synchronous and in memory; the writes go out
// afterwards, only where something differs from what the cluster shows, and a Service being
// converged is seen with the controller's own writes still on their way.
import type { Logger } from 'winston';
import type { ServiceInfo } from '../api/cluster.js';
import type { NamespaceInfo } from '../api/resources.js';
import type { Pool } from '../config/types.js';
import { Allocator, type PoolStats } from '../ipam/allocator.js';
import { convergeService, convergeServices, type ServiceConvergence } from '../ipam/converge.js';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL } from '../ipam/request.js';
import type { BackoffPolicy } from '../k8s/backoff.js';
import type { KubeClient } from '../k8s/client.js';
import { EventRecorder, referenceTo } from '../k8s/events.js';
import type { TaskLimiter } from '../util/task-limiter.js';
import { handlesService } from '../api/load-balancer-class.js';
import { ServiceViews, type ServiceObject } from './service-view.js';
import { ServiceWriter, type ServiceWriterStats } from './service-writer.js';

/** Event source of the controller, as MetalLB names it. */
export const CONTROLLER_COMPONENT = 'metallb-controller';

/** The Services as the informer has them. */
export interface ServiceSource {
  get(key: string): ServiceObject | undefined;
  snapshot(): readonly ServiceObject[];
}

export interface ServiceReconcilerOptions {
  readonly client: KubeClient;
  readonly services: ServiceSource;
  /** `--lb-class`; '' = Services without a loadBalancerClass */
  readonly lbClass: string;
  readonly logger: Logger;
  /** bounds the Events in flight */
  readonly tasks: TaskLimiter;
  /** Service writes in flight */
  readonly writeConcurrency: number;
  readonly writeBackoff?: BackoffPolicy;
}

const keyOf = (service: ServiceObject): string => `${service.info.namespace}/${service.info.name}`;

/** The Service as the controller will have written it: what it shows, or what is on its way. */
function withIntended(
  info: ServiceInfo,
  intended: { ips: readonly string[]; pool: string | undefined },
): ServiceInfo {
  const annotations: Record<string, string> = { ...info.annotations };
  delete annotations[ANNOTATION_IP_ALLOCATED_FROM_POOL];
  if (intended.pool !== undefined) annotations[ANNOTATION_IP_ALLOCATED_FROM_POOL] = intended.pool;
  return { ...info, ingressIPs: intended.ips, annotations };
}

export class ServiceReconciler {
  private readonly allocator = new Allocator([]);
  private readonly views: ServiceViews;
  private readonly writer: ServiceWriter;
  private readonly recorder: EventRecorder;
  private appliedPools: string | undefined;
  private appliedNamespaces: string | undefined;
  private eventCount = 0;

  constructor(private readonly options: ServiceReconcilerOptions) {
    const { client, logger } = options;
    this.views = new ServiceViews((key) => options.services.get(key));
    this.writer = new ServiceWriter({
      client,
      views: this.views,
      logger,
      concurrency: options.writeConcurrency,
      ...(options.writeBackoff ? { backoff: options.writeBackoff } : {}),
    });
    this.recorder = new EventRecorder({ client, component: CONTROLLER_COMPONENT, logger });
  }

  assignmentOf(service: string): { ips: readonly string[]; pool: string } | undefined {
    return this.allocator.assignmentOf(service);
  }

  poolStats(): PoolStats[] {
    return this.allocator.poolStats();
  }

  /** Events recorded so far */
  get events(): number {
    return this.eventCount;
  }

  writerStats(): ServiceWriterStats {
    return this.writer.stats();
  }

  /** Service writes not yet done. */
  get pendingWrites(): number {
    return this.writer.pending;
  }

  idle(): Promise<void> {
    return this.writer.idle();
  }

  stop(): void {
    this.writer.stop();
  }

  /**
   * Gives the allocator these pools and namespace labels; true when they differ from the ones it
   * has (every Service must then be converged again). Assignments the new pools no longer allow
   * are cleared here and logged; their Services get new ones in that pass.
   */
  setPools(pools: readonly Pool[], namespaces: readonly NamespaceInfo[]): boolean {
    const namespaceLabels = new Map(namespaces.map((ns) => [ns.name, ns.labels] as const));
    const poolsText = JSON.stringify(pools);
    const namespacesText = JSON.stringify([...namespaceLabels]);
    if (poolsText === this.appliedPools && namespacesText === this.appliedNamespaces) return false;
    const poolsChanged = poolsText !== this.appliedPools;
    this.appliedPools = poolsText;
    this.appliedNamespaces = namespacesText;
    const cleared = this.allocator.setPools(pools, namespaceLabels);
    const { logger } = this.options;
    if (poolsChanged)
      logger.info('pools applied', {
        pools: pools.map((pool) => pool.name),
        clearedServices: cleared.length,
      });
    for (const assignment of cleared) {
      logger.info('assignment no longer allowed by the pools', {
        service: assignment.service,
        ips: assignment.ips,
        pool: assignment.pool,
        reason: assignment.message,
      });
    }
    return true;
  }

  /** Every Service, existing addresses first (a restart never moves one); `gone` are released first. */
  convergeAll(gone: Iterable<string>): ServiceConvergence[] {
    for (const key of gone) if (this.effective(key) === undefined) this.forget(key);
    const services: ServiceInfo[] = [];
    for (const service of this.options.services.snapshot()) {
      const info = this.effective(keyOf(service));
      if (info !== undefined) services.push(info);
    }
    return convergeServices(this.allocator, services);
  }

  /** The Services that changed, then the pending ones that may fit in what that freed. */
  convergeChanged(keys: Iterable<string>): ServiceConvergence[] {
    const results: ServiceConvergence[] = [];
    /** position in this pass at which each Service was last converged, and of the last trigger */
    const convergedAt = new Map<string, number>();
    let triggeredAt = -1;
    const converge = (key: string, info: ServiceInfo): void => {
      const result = convergeService(this.allocator, info);
      results.push(result);
      convergedAt.set(key, results.length);
      if (result.reprocessAll) triggeredAt = results.length;
    };
    const present: [string, ServiceInfo][] = [];
    // Services that went away first, so the addresses they free are there for the others.
    for (const key of [...keys].sort()) {
      const info = this.effective(key);
      if (info !== undefined) present.push([key, info]);
      else if (this.forget(key)) triggeredAt = 0;
    }
    for (const [key, info] of present) converge(key, info);
    // Addresses were freed or sharing changed: Services still waiting may fit now. MetalLB
    // reprocesses all; a Service that holds its addresses cannot gain from it, and one converged
    // after the change has seen it, so only the other pending ones are converged again.
    for (let round = 0; triggeredAt >= 0 && round < 3; round++) {
      const since = triggeredAt;
      triggeredAt = -1;
      for (const service of this.options.services.snapshot()) {
        const key = keyOf(service);
        if (this.allocator.assignmentOf(key) !== undefined) continue;
        if ((convergedAt.get(key) ?? -1) >= since) continue;
        const info = this.effective(key);
        if (info === undefined || info.type !== 'LoadBalancer') continue;
        converge(key, info);
      }
    }
    return results;
  }

  /** Events and Service writes for the results, in order. */
  publish(results: readonly ServiceConvergence[]): void {
    for (const result of results) {
      const view = this.views.get(result.service);
      if (view === undefined) continue;
      if (result.events.length > 0) {
        const involvedObject = referenceTo(view.raw, 'Service', 'v1');
        for (const event of result.events) {
          this.eventCount++;
          void this.options.tasks.run(() => this.recorder.record({ involvedObject, ...event }));
        }
      }
      if (!result.changed) continue;
      const shown = this.effective(result.service);
      this.options.logger.info('service assignment changed', {
        service: result.service,
        ips: result.ips,
        pool: result.pool ?? null,
        previousIps: shown?.ingressIPs ?? [],
      });
      this.writer.set(result.service, { ips: result.ips, pool: result.pool });
    }
  }

  /** The Service to converge: newest view, with the controller's own writes still on their way. */
  private effective(key: string): ServiceInfo | undefined {
    const view = this.views.get(key);
    if (view === undefined || !handlesService(view.info, this.options.lbClass)) return undefined;
    const intended = this.writer.intendedState(key);
    return intended === undefined ? view.info : withIntended(view.info, intended);
  }

  /** A Service that is gone or not ours any more: free what it held. True when it held something. */
  private forget(key: string): boolean {
    if (this.views.get(key) === undefined) {
      this.writer.drop(key);
      this.views.forget(key);
    }
    return this.allocator.release(key);
  }
}
