// `ferry controller`'s reconciler: MetalLB's controller (IPAM for LoadBalancer Services) over the
// informers of src/k8s and the allocator of src/ipam. This file wires the parts and paces them:
//
// - Start: every cache synced, then the pools built (poolConfiguration), then ONE restart-safe pass
//   over all Services (`convergeAll` re-asserts every shown address before allocating anything), so
//   a restart never moves or duplicates an IP and, on a steady cluster, writes nothing.
// - After that, watch events mark Services dirty; a flush (coalescing a burst into one turn of the
//   event loop) converges them (ServiceReconciler), and does a full pass when the pools or the
//   namespace labels their selectors read changed.
// - The writes a flush implies go out afterwards: Service status, annotation and Events
//   (ServiceReconciler), IPAddressPool status (PoolStatusPublisher), ConfigurationState
//   `controller` (ConfigurationStatePublisher).
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { CrdValidator } from '../api/crd-validator.js';
import { formatConfigError } from '../config/problem.js';
import type { Pool } from '../config/types.js';
import type { BackoffPolicy } from '../k8s/backoff.js';
import type { KubeClient } from '../k8s/client.js';
import { k8sClientMetrics } from '../k8s/metrics.js';
import { TaskLimiter } from '../util/task-limiter.js';
import { allocatorMetrics, type AllocatorMetrics } from './allocator-metrics.js';
import { configurationVerdict } from './configuration-state.js';
import { ConfigurationStatePublisher } from './configuration-state-publisher.js';
import { ControllerInformers } from './controller-informers.js';
import { poolConfiguration } from './pool-configuration.js';
import { PoolStatusPublisher } from './pool-status-publisher.js';
import { ServiceReconciler } from './service-reconciler.js';
import type { ServiceWriterStats } from './service-writer.js';
import { nextTurn } from '../util/next-turn.js';

export { CONTROLLER_COMPONENT } from './service-reconciler.js';

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

export class Controller {
  private readonly informers: ControllerInformers;
  private readonly services: ServiceReconciler;
  private readonly poolStatus: PoolStatusPublisher;
  private readonly configurationState: ConfigurationStatePublisher;
  private readonly tasks: TaskLimiter;
  private readonly allocatorGauges: AllocatorMetrics;
  private readonly logger: Logger;

  private readonly dirty = new Set<string>();
  private configDirty = true;
  private flushScheduled = false;
  private initialized = false;
  private stopped = false;
  private lastValidPools: readonly Pool[] | undefined;
  private counts = { allocatorMs: 0, configurationMs: 0, firstPassMs: 0, converged: 0, flushes: 0 };

  constructor(private readonly options: ControllerOptions) {
    const { client, namespace, registry } = options;
    this.logger = options.logger;
    const clientMetrics = k8sClientMetrics(registry);
    this.allocatorGauges = allocatorMetrics(registry);
    this.tasks = new TaskLimiter(options.eventConcurrency ?? 16);
    const retryMs = options.writeBackoff?.maxMs ?? 5_000;
    this.informers = new ControllerInformers({
      client,
      namespace,
      logger: this.logger,
      metrics: clientMetrics,
      ...(options.informerBackoff ? { backoff: options.informerBackoff } : {}),
      onService: (key) => this.markService(key),
      onConfiguration: () => this.markConfiguration(),
    });
    this.services = new ServiceReconciler({
      client,
      services: this.informers.services,
      lbClass: options.lbClass,
      logger: this.logger,
      tasks: this.tasks,
      writeConcurrency: options.writeConcurrency ?? 32,
      ...(options.writeBackoff ? { writeBackoff: options.writeBackoff } : {}),
    });
    this.poolStatus = new PoolStatusPublisher({
      client,
      namespace,
      pool: (key) => this.informers.pools.get(key),
      stats: () => this.services.poolStats(),
      tasks: this.tasks,
      logger: this.logger,
      retryMs,
    });
    this.configurationState = new ConfigurationStatePublisher({
      client,
      namespace,
      logger: this.logger,
      metrics: clientMetrics,
      now: options.now ?? (() => new Date()),
      retryMs,
      onRetry: () => this.markConfiguration(),
    });
  }

  /**
   * Lists and watches, waits for every cache, then converges all Services once. Resolves false
   * when stopped before the caches synced.
   */
  async start(): Promise<boolean> {
    await this.configurationState.start();
    const synced = await this.informers.start();
    if (this.stopped || !synced) return false;
    this.initialized = true;
    this.configDirty = true;
    this.flush();
    return true;
  }

  /** Stops watching; lets writes in flight finish for up to `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.informers.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.poolStatus.stop();
    this.configurationState.stop();
    this.services.stop();
  }

  /** Caches synced, a configuration loaded and the first pass done. */
  get ready(): boolean {
    return this.initialized && this.lastValidPools !== undefined && !this.stopped;
  }

  /** The allocator's current assignment of `namespace/name`, for tests and diagnostics. */
  assignmentOf(service: string): { ips: readonly string[]; pool: string } | undefined {
    return this.services.assignmentOf(service);
  }

  stats(): ControllerStats {
    return { ...this.counts, events: this.services.events, serviceWrites: this.services.writerStats() };
  }

  /** Resolves when nothing is left to converge or write. */
  async idle(): Promise<void> {
    for (;;) {
      await nextTurn();
      if (this.flushScheduled) continue;
      await Promise.all([
        this.services.idle(),
        this.tasks.idle(),
        this.configurationState.idle(),
        this.poolStatus.idle(),
      ]);
      if (!this.flushScheduled && this.services.pendingWrites === 0 && !this.poolStatus.pending) return;
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
    const dirty = [...this.dirty];
    this.dirty.clear();
    // No configuration was ever valid: converging now would clear every Service.
    if (this.lastValidPools === undefined) return;
    const results = fullPass ? this.services.convergeAll(dirty) : this.services.convergeChanged(dirty);
    const allocatorMs = performance.now() - started;
    this.counts.allocatorMs += allocatorMs;
    if (fullPass && this.counts.firstPassMs === 0) this.counts.firstPassMs = allocatorMs;
    this.counts.converged += results.length;
    this.services.publish(results);
    if (fullPass || results.some((result) => result.changed)) {
      this.allocatorGauges.update(this.services.poolStats());
      this.poolStatus.publish();
    }
  }

  /** Builds the pools; true when the allocator got new pools (or namespace labels): converge all. */
  private applyConfiguration(): boolean {
    const { pools, communities, namespaces } = this.informers;
    const built = poolConfiguration(
      {
        ipAddressPools: pools.snapshot(),
        communities: communities.snapshot(),
        namespaces: namespaces.snapshot(),
      },
      this.options.namespace,
      this.options.validator,
    );
    const verdict = configurationVerdict(built.errors);
    if (verdict.result === 'Valid') this.lastValidPools = built.pools;
    this.configurationState.publish(
      verdict,
      built.errors.map(formatConfigError),
      this.lastValidPools?.map((pool) => pool.name),
    );
    if (this.lastValidPools === undefined) return false;
    return this.services.setPools(this.lastValidPools, namespaces.snapshot());
  }
}
