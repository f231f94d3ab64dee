// `ferry controller`'s reconciler: MetalLB's controller (IPAM for LoadBalancer Services) over the
// informers of src/k8s and the allocator of src/ipam.
//
// - Start: every cache synced, then the pools built (buildConfig), then ONE restart-safe pass over
//   all Services (`convergeServices` re-asserts every shown address before allocating anything), so
//   a restart never moves or duplicates an IP and, on a steady cluster, writes nothing.
// - After that, watch events mark Services dirty; a flush (coalescing a burst into one turn of the
//   event loop) converges them, re-converges the pending ones when the allocator says addresses
//   may have become free (`reprocessAll`), and does a full pass when the pools or the namespace
//   labels their selectors read changed (`setPools`).
// - Allocation is synchronous and in memory; the writes it implies (Service status and annotation,
//   Events, IPAddressPool status, ConfigurationState `controller`) go out afterwards, only where
//   something differs from what the cluster shows.
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { ServiceInfo } from '../api/cluster.js';
import { toNamespaceInfo } from '../api/cluster-objects.js';
import type { CrdValidator } from '../api/crd-validator.js';
import { handlesService } from '../api/load-balancer-class.js';
import type { NamespaceInfo } from '../api/resources.js';
import { formatConfigError } from '../config/problem.js';
import type { Pool } from '../config/types.js';
import { Allocator } from '../ipam/allocator.js';
import { convergeService, convergeServices, type ServiceConvergence } from '../ipam/converge.js';
import { poolStatus } from '../ipam/pool-metrics.js';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL } from '../ipam/request.js';
import type { BackoffPolicy } from '../k8s/backoff.js';
import type { KubeClient } from '../k8s/client.js';
import { getObject, mergePatchObject } from '../k8s/client.js';
import { describeKubeError } from '../k8s/errors.js';
import { EventRecorder, referenceTo } from '../k8s/events.js';
import { Informer } from '../k8s/informer.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { isRecord } from '../k8s/kube-object.js';
import { jsonEqual } from '../k8s/merge-patch.js';
import { k8sClientMetrics, type K8sClientMetrics } from '../k8s/metrics.js';
import { inNamespace, resourceTypes } from '../k8s/resources.js';
import { StatusWriter, type JsonObject } from '../k8s/status-writer.js';
import { allocatorMetrics, type AllocatorMetrics } from './allocator-metrics.js';
import {
  COMPONENT_TYPE_LABEL,
  CONFIGURATION_STATE_NAME,
  configurationStateObject,
  configurationVerdict,
  type ConfigurationVerdict,
} from './configuration-state.js';
import { poolConfiguration } from './pool-configuration.js';
import { decodeService, ServiceViews, type ServiceObject } from './service-view.js';
import { ServiceWriter, type ServiceWriterStats } from './service-writer.js';
import { TaskLimiter } from '../util/task-limiter.js';

/** Event source of the controller, as MetalLB names it. */
export const CONTROLLER_COMPONENT = 'metallb-controller';

export interface ControllerOptions {
  readonly client: KubeClient;
  /** ferry's namespace: IPAddressPools, Communities and the ConfigurationState live here */
  readonly namespace: string;
  /** `--lb-class`; '' = Services without a loadBalancerClass */
  readonly lbClass: string;
  readonly logger: Logger;
  readonly registry: Registry;
  /** checks IPAddressPools and Communities against ferry's CRDs (`ferryCrdValidator()`) */
  readonly validator: CrdValidator;
  /** Service writes in flight. Default 32. */
  readonly writeConcurrency?: number;
  /** Events and pool status writes in flight. Default 16. */
  readonly eventConcurrency?: number;
  /** Passed to the informers (tests shorten them). */
  readonly informerBackoff?: BackoffPolicy;
  readonly writeBackoff?: BackoffPolicy;
  readonly now?: () => Date;
}

export interface ControllerStats {
  /** time spent converging Services in the allocator (synchronous, no I/O) */
  readonly allocatorMs: number;
  /** time spent building the pools from IPAddressPools, Communities and Namespaces */
  readonly configurationMs: number;
  /** allocator time of the first full pass (every Service, existing addresses first) */
  readonly firstPassMs: number;
  /** Services converged (one Service can count in several flushes) */
  readonly converged: number;
  readonly flushes: number;
  readonly serviceWrites: ServiceWriterStats;
  readonly events: number;
}

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

export class Controller {
  private readonly services: Informer<ServiceObject>;
  private readonly namespaces: Informer<NamespaceInfo>;
  private readonly pools: Informer<KubeObject>;
  private readonly communities: Informer<KubeObject>;
  private readonly informers: readonly Informer<unknown>[];
  private readonly allocator = new Allocator([]);
  private readonly views: ServiceViews;
  private readonly writer: ServiceWriter;
  private readonly recorder: EventRecorder;
  private readonly tasks: TaskLimiter;
  private readonly configurationState: StatusWriter;
  private readonly clientMetrics: K8sClientMetrics;
  private readonly allocatorGauges: AllocatorMetrics;
  private readonly logger: Logger;
  private readonly now: () => Date;

  private readonly dirty = new Set<string>();
  private configDirty = true;
  private flushScheduled = false;
  private initialized = false;
  private stopped = false;
  private lastValidPools: readonly Pool[] | undefined;
  private appliedPools: string | undefined;
  private appliedNamespaces: string | undefined;
  private verdict: ConfigurationVerdict | undefined;
  private stateStatus: JsonObject | undefined;
  private stateWrite: Promise<void> = Promise.resolve();
  /** pool name → the status last written (JSON) */
  private readonly poolStatusWritten = new Map<string, string>();
  private poolStatusDirty = false;
  private poolStatusRunning: Promise<void> | undefined;
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private counts = {
    allocatorMs: 0,
    configurationMs: 0,
    firstPassMs: 0,
    converged: 0,
    flushes: 0,
    events: 0,
  };

  constructor(private readonly options: ControllerOptions) {
    const { client, namespace, registry } = options;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.clientMetrics = k8sClientMetrics(registry);
    this.allocatorGauges = allocatorMetrics(registry);
    const common = {
      client,
      logger: this.logger,
      metrics: this.clientMetrics,
      ...(options.informerBackoff ? { backoff: options.informerBackoff } : {}),
    };
    this.services = new Informer<ServiceObject>({
      ...common,
      resource: resourceTypes.services,
      decode: decodeService,
      name: 'services',
    });
    this.namespaces = new Informer<NamespaceInfo>({
      ...common,
      resource: resourceTypes.namespaces,
      decode: (object) => toNamespaceInfo(object).value,
      name: 'namespaces',
    });
    this.pools = new Informer<KubeObject>({
      ...common,
      resource: inNamespace(resourceTypes.ipAddressPools, namespace),
      name: 'ipaddresspools',
    });
    this.communities = new Informer<KubeObject>({
      ...common,
      resource: inNamespace(resourceTypes.communities, namespace),
      name: 'communities',
    });
    this.informers = [this.services, this.namespaces, this.pools, this.communities] as Informer<unknown>[];
    this.views = new ServiceViews((key) => this.services.get(key));
    this.writer = new ServiceWriter({
      client,
      views: this.views,
      logger: this.logger,
      concurrency: options.writeConcurrency ?? 32,
      ...(options.writeBackoff ? { backoff: options.writeBackoff } : {}),
    });
    this.recorder = new EventRecorder({ client, component: CONTROLLER_COMPONENT, logger: this.logger });
    this.tasks = new TaskLimiter(options.eventConcurrency ?? 16);
    this.configurationState = new StatusWriter({
      client,
      resource: inNamespace(resourceTypes.configurationStates, namespace),
      selector: { [COMPONENT_TYPE_LABEL]: 'controller' },
      keyOf: (object) =>
        object.metadata.name === CONFIGURATION_STATE_NAME ? CONFIGURATION_STATE_NAME : undefined,
      logger: this.logger,
    });

    const serviceChanged = (service: ServiceObject): void =>
      this.markService(`${service.info.namespace}/${service.info.name}`);
    this.services.on('add', serviceChanged);
    this.services.on('update', serviceChanged);
    this.services.on('delete', serviceChanged);
    const configChanged = (): void => this.markConfiguration();
    // Only what the configuration reads counts: not the pool status the controller writes itself.
    const onConfigurationChange = <T>(informer: Informer<T>, read: (object: T) => unknown): void => {
      informer.on('add', configChanged);
      informer.on('delete', configChanged);
      informer.on('update', (object, previous) => {
        if (!jsonEqual(read(object), read(previous))) configChanged();
      });
    };
    const specAndLabels = (object: KubeObject): unknown => [object.spec, object.metadata.labels];
    onConfigurationChange(this.pools, specAndLabels);
    onConfigurationChange(this.communities, specAndLabels);
    onConfigurationChange(this.namespaces, (namespace) => namespace.labels);
  }

  /**
   * Lists and watches, waits for every cache, then converges all Services once. Resolves false
   * when stopped before the caches synced.
   */
  async start(): Promise<boolean> {
    const started = await this.configurationState.start();
    if (!started.ok) {
      this.logger.warn('cannot list ConfigurationStates', { error: describeKubeError(started.error) });
    }
    const existing = await getObject(
      this.options.client,
      inNamespace(resourceTypes.configurationStates, this.options.namespace),
      CONFIGURATION_STATE_NAME,
    );
    if (existing.ok && isRecord(existing.value.status)) this.stateStatus = existing.value.status;

    for (const informer of this.informers) informer.start();
    const synced = await Promise.all(this.informers.map((informer) => informer.waitForSync()));
    if (this.stopped || synced.some((done) => !done)) return false;
    this.logger.info('caches synced', {
      services: this.services.size,
      namespaces: this.namespaces.size,
      ipAddressPools: this.pools.size,
      communities: this.communities.size,
    });
    this.initialized = true;
    this.configDirty = true;
    this.flush();
    return true;
  }

  /** Stops watching; lets writes in flight finish for up to `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.informers.map((informer) => informer.stop()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    for (const retry of this.retries.values()) clearTimeout(retry);
    this.writer.stop();
  }

  /** Caches synced, a configuration loaded and the first pass done. */
  get ready(): boolean {
    return this.initialized && this.lastValidPools !== undefined && !this.stopped;
  }

  /** The allocator's current assignment of `namespace/name`, for tests and diagnostics. */
  assignmentOf(service: string): { ips: readonly string[]; pool: string } | undefined {
    return this.allocator.assignmentOf(service);
  }

  stats(): ControllerStats {
    return { ...this.counts, serviceWrites: this.writer.stats() };
  }

  /** Resolves when nothing is left to converge or write. */
  async idle(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.flushScheduled) continue;
      await Promise.all([this.writer.idle(), this.tasks.idle(), this.stateWrite, this.poolStatusRunning]);
      if (!this.flushScheduled && this.writer.pending === 0 && !this.poolStatusDirty) return;
    }
  }

  private markService(key: string): void {
    this.dirty.add(key);
    this.scheduleFlush();
  }

  private markConfiguration(): void {
    this.configDirty = true;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.initialized || this.stopped) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** The synchronous heart: configuration, allocation, then the writes it implies. */
  private flush(): void {
    this.flushScheduled = false;
    if (!this.initialized || this.stopped) return;
    this.counts.flushes++;
    const configurationStarted = performance.now();
    const fullPass = this.configDirty ? this.applyConfiguration() : false;
    const started = performance.now();
    this.counts.configurationMs += started - configurationStarted;
    this.configDirty = false;
    if (this.lastValidPools === undefined) {
      // No configuration was ever valid: converging now would clear every Service.
      this.dirty.clear();
      return;
    }
    const results = fullPass ? this.convergeAll() : this.convergeDirty();
    const allocatorMs = performance.now() - started;
    this.counts.allocatorMs += allocatorMs;
    if (fullPass && this.counts.firstPassMs === 0) this.counts.firstPassMs = allocatorMs;
    this.counts.converged += results.length;
    this.publish(results);
    if (fullPass || results.some((result) => result.changed)) this.publishPoolState();
  }

  /** Builds the pools; true when the allocator got new pools (or namespace labels): converge all. */
  private applyConfiguration(): boolean {
    const built = poolConfiguration(
      {
        ipAddressPools: this.pools.snapshot(),
        communities: this.communities.snapshot(),
        namespaces: this.namespaces.snapshot(),
      },
      this.options.namespace,
      this.options.validator,
    );
    const verdict = configurationVerdict(built.errors);
    if (verdict.result === 'Valid') this.lastValidPools = built.pools;
    this.clientMetrics.configStale.set(verdict.result === 'Valid' ? 0 : 1);
    this.clientMetrics.configLoaded.set(this.lastValidPools === undefined ? 0 : 1);
    if (this.verdict?.errorSummary !== verdict.errorSummary) {
      if (verdict.result === 'Valid') this.logger.info('configuration valid', { pools: built.pools.length });
      else
        this.logger.warn('configuration invalid, keeping the last valid pools', {
          errors: built.errors.map(formatConfigError),
          lastValidPools: this.lastValidPools?.map((pool) => pool.name) ?? null,
        });
      this.verdict = verdict;
    }
    this.writeConfigurationState(verdict);
    if (this.lastValidPools === undefined) return false;

    const namespaceLabels = new Map(this.namespaces.snapshot().map((ns) => [ns.name, ns.labels] as const));
    const poolsText = JSON.stringify(this.lastValidPools);
    const namespacesText = JSON.stringify([...namespaceLabels]);
    if (poolsText === this.appliedPools && namespacesText === this.appliedNamespaces) return false;
    const poolsChanged = poolsText !== this.appliedPools;
    this.appliedPools = poolsText;
    this.appliedNamespaces = namespacesText;
    const cleared = this.allocator.setPools(this.lastValidPools, namespaceLabels);
    if (poolsChanged)
      this.logger.info('pools applied', {
        pools: this.lastValidPools.map((pool) => pool.name),
        clearedServices: cleared.length,
      });
    for (const assignment of cleared) {
      this.logger.info('assignment no longer allowed by the pools', {
        service: assignment.service,
        ips: assignment.ips,
        pool: assignment.pool,
        reason: assignment.message,
      });
    }
    return true;
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

  private convergeAll(): ServiceConvergence[] {
    for (const key of this.dirty) if (this.effective(key) === undefined) this.forget(key);
    this.dirty.clear();
    const services: ServiceInfo[] = [];
    for (const service of this.services.snapshot()) {
      const info = this.effective(`${service.info.namespace}/${service.info.name}`);
      if (info !== undefined) services.push(info);
    }
    return convergeServices(this.allocator, services);
  }

  private convergeDirty(): ServiceConvergence[] {
    const results: ServiceConvergence[] = [];
    /** position in this flush at which each Service was last converged, and of the last trigger */
    const convergedAt = new Map<string, number>();
    let triggeredAt = -1;
    const converge = (key: string, info: ServiceInfo): void => {
      const result = convergeService(this.allocator, info);
      results.push(result);
      convergedAt.set(key, results.length);
      if (result.reprocessAll) triggeredAt = results.length;
    };
    const keys = [...this.dirty].sort();
    this.dirty.clear();
    const present: [string, ServiceInfo][] = [];
    // Services that went away first, so the addresses they free are there for the others.
    for (const key of keys) {
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
      for (const service of this.services.snapshot()) {
        const key = `${service.info.namespace}/${service.info.name}`;
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
  private publish(results: readonly ServiceConvergence[]): void {
    for (const result of results) {
      const view = this.views.get(result.service);
      if (view === undefined) continue;
      if (result.events.length > 0) {
        const involvedObject = referenceTo(view.raw, 'Service', 'v1');
        for (const event of result.events) {
          this.counts.events++;
          void this.tasks.run(() => this.recorder.record({ involvedObject, ...event }));
        }
      }
      if (!result.changed) continue;
      const shown = this.effective(result.service);
      this.logger.info('service assignment changed', {
        service: result.service,
        ips: result.ips,
        pool: result.pool ?? null,
        previousIps: shown?.ingressIPs ?? [],
      });
      this.writer.set(result.service, { ips: result.ips, pool: result.pool });
    }
  }

  /** Gauges now; IPAddressPool status as soon as the previous status writes are done. */
  private publishPoolState(): void {
    this.allocatorGauges.update(this.allocator.poolStats());
    this.poolStatusDirty = true;
    this.poolStatusRunning ??= this.writePoolStatuses().finally(() => {
      this.poolStatusRunning = undefined;
    });
  }

  private async writePoolStatuses(): Promise<void> {
    while (this.poolStatusDirty && !this.stopped) {
      this.poolStatusDirty = false;
      const stats = this.allocator.poolStats();
      const writes: Promise<void>[] = [];
      for (const pool of stats) {
        const object = this.pools.get(`${this.options.namespace}/${pool.pool}`);
        if (object === undefined) continue;
        const desired = { ...poolStatus(pool) };
        const text = JSON.stringify(desired);
        const shown = isRecord(object.status) ? object.status : {};
        if (this.poolStatusWritten.get(pool.pool) === text) continue;
        if (jsonEqual({ ...shown, ...desired }, shown)) {
          this.poolStatusWritten.set(pool.pool, text);
          continue;
        }
        writes.push(
          this.tasks.run(async () => {
            const ref = inNamespace(resourceTypes.ipAddressPools, this.options.namespace);
            const result = await mergePatchObject(
              this.options.client,
              ref,
              pool.pool,
              { status: desired },
              'status',
            );
            if (result.ok) {
              this.poolStatusWritten.set(pool.pool, text);
              this.logger.debug('pool status written', { pool: pool.pool, ...desired });
            } else {
              this.poolStatusWritten.delete(pool.pool);
              this.retryLater('pool status', () => this.publishPoolState());
              this.logger.warn('pool status not written', {
                pool: pool.pool,
                error: describeKubeError(result.error),
              });
            }
          }),
        );
      }
      for (const name of [...this.poolStatusWritten.keys()]) {
        if (!stats.some((pool) => pool.pool === name)) this.poolStatusWritten.delete(name);
      }
      await Promise.all(writes);
    }
  }

  /** Runs `retry` once after a pause (a failed status write); one pending retry per kind is enough. */
  private retryLater(key: string, retry: () => void): void {
    if (this.stopped || this.retries.has(key)) return;
    const timer = setTimeout(() => {
      this.retries.delete(key);
      if (!this.stopped) retry();
    }, this.options.writeBackoff?.maxMs ?? 5_000);
    timer.unref();
    this.retries.set(key, timer);
  }

  private writeConfigurationState(verdict: ConfigurationVerdict): void {
    const desired = configurationStateObject(verdict, this.stateStatus, this.now());
    if (this.stateStatus !== undefined && jsonEqual(this.stateStatus, desired.status)) return;
    this.stateStatus = desired.status;
    this.stateWrite = this.stateWrite.then(async () => {
      const result = await this.configurationState.write(desired);
      if (!result.ok) {
        this.stateStatus = undefined;
        this.retryLater('ConfigurationState', () => this.markConfiguration());
        this.logger.warn('ConfigurationState not written', { error: describeKubeError(result.error) });
      } else if (result.value !== 'unchanged') {
        this.logger.info('ConfigurationState written', {
          name: CONFIGURATION_STATE_NAME,
          result: verdict.result,
        });
      }
    });
  }
}
