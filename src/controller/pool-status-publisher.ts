// IPAddressPool status (MetalLB's assigned/available counts per family), written through a
// StatusWriter that only patches pools it was shown (the user's objects: never created, never
// deleted). What a pool shows is taken from the informer the first time, then from what was written,
// so a steady cluster and a restart write nothing. The counts are published after every allocation
// that changed something; one round of writes runs at a time and the next one takes the newest
// counts. A failed write is tried again after a pause.
import type { Logger } from 'winston';
import type { PoolStats } from '../ipam/allocator.js';
import { poolStatus } from '../ipam/pool-metrics.js';
import type { KubeClient } from '../k8s/client.js';
import { describeKubeError } from '../k8s/errors.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { inNamespace, resourceTypes } from '../k8s/resources.js';
import { StatusWriter } from '../k8s/status-writer.js';
import { RetryTimer } from '../util/retry-timer.js';
import type { TaskLimiter } from '../util/task-limiter.js';

export interface PoolStatusPublisherOptions {
  readonly client: KubeClient;
  /** ferry's namespace, where the IPAddressPools live */
  readonly namespace: string;
  /** the IPAddressPool named so, as the informer has it */
  readonly pool: (name: string) => KubeObject | undefined;
  /** the counts to publish now (the allocator's) */
  readonly stats: () => readonly PoolStats[];
  /** shared with the Events: bounds the requests in flight */
  readonly tasks: TaskLimiter;
  readonly logger: Logger;
  readonly retryMs: number;
}

export class PoolStatusPublisher {
  private readonly writer: StatusWriter;
  private readonly retry: RetryTimer;
  private dirty = false;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: PoolStatusPublisherOptions) {
    this.writer = new StatusWriter({
      client: options.client,
      resource: inNamespace(resourceTypes.ipAddressPools, options.namespace),
      selector: {},
      keyOf: (object) => object.metadata.name,
      createMissing: false,
      logger: options.logger,
    });
    this.retry = new RetryTimer(options.retryMs, () => this.publish());
  }

  /** True while counts wait to be written. */
  get pending(): boolean {
    return this.dirty;
  }

  /** Writes the current counts as soon as the previous round is done. */
  publish(): void {
    this.dirty = true;
    this.running ??= this.writeRounds().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when the round in flight is done. */
  async idle(): Promise<void> {
    await this.running;
  }

  stop(): void {
    this.stopped = true;
    this.retry.stop();
  }

  private async writeRounds(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      const stats = this.options.stats();
      const names = new Set(stats.map((pool) => pool.pool));
      // a pool that went away is seen afresh from the informer should it come back
      for (const name of this.writer.keys()) if (!names.has(name)) this.writer.forget(name);
      await Promise.all(stats.map((pool) => this.write(pool)));
    }
  }

  private async write(pool: PoolStats): Promise<void> {
    const object = this.options.pool(`${this.options.namespace}/${pool.pool}`);
    if (object === undefined) {
      this.writer.forget(pool.pool);
      return;
    }
    if (this.writer.nameOf(pool.pool) === undefined) this.writer.observe(object);
    const status = { ...poolStatus(pool) };
    const result = await this.options.tasks.run(() =>
      this.writer.write({ key: pool.pool, name: pool.pool, labels: {}, status }),
    );
    if (result.ok) {
      if (result.value !== 'unchanged')
        this.options.logger.debug('pool status written', { pool: pool.pool, ...status });
      return;
    }
    // seen afresh next time: the informer may know better by then
    this.writer.forget(pool.pool);
    this.retry.schedule();
    this.options.logger.warn('pool status not written', {
      pool: pool.pool,
      error: describeKubeError(result.error),
    });
  }
}
