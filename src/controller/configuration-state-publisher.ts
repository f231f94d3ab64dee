// The controller's verdict on its configuration, published: as the ConfigurationState `controller`
// (through the writer shared with the speaker; each verdict after the previous write, a failed write
// tried again after a pause, the configuration then looked at anew: `onRetry`), as MetalLB's
// config_stale/config_loaded gauges, and as a log line when it changes.
import type { Logger } from 'winston';
import type { KubeClient } from '../k8s/client.js';
import { ConfigurationStateWriter } from '../k8s/configuration-state-writer.js';
import type { ConfigurationVerdict } from '../k8s/configuration-state.js';
import { describeKubeError } from '../k8s/errors.js';
import type { K8sClientMetrics } from '../k8s/metrics.js';
import { RetryTimer } from '../util/retry-timer.js';
import { controllerConditions } from './configuration-state.js';

export interface ConfigurationStatePublisherOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly logger: Logger;
  readonly metrics: K8sClientMetrics;
  readonly now: () => Date;
  readonly retryMs: number;
  /** asked after a failed write: publish the verdict again */
  readonly onRetry: () => void;
}

export class ConfigurationStatePublisher {
  private readonly writer: ConfigurationStateWriter;
  private readonly retry: RetryTimer;
  private writes: Promise<void> = Promise.resolve();
  private logged: ConfigurationVerdict | undefined;

  constructor(private readonly options: ConfigurationStatePublisherOptions) {
    this.writer = new ConfigurationStateWriter({
      client: options.client,
      namespace: options.namespace,
      component: { kind: 'controller' },
      logger: options.logger,
      now: options.now,
    });
    this.retry = new RetryTimer(options.retryMs, options.onRetry);
  }

  /** Finds the object of a previous run, so its transition time carries over. */
  async start(): Promise<void> {
    const started = await this.writer.start();
    if (!started.ok) {
      this.options.logger.warn('cannot list ConfigurationStates', {
        error: describeKubeError(started.error),
      });
    }
  }

  /**
   * @param errors the verdict's errors, one per entry
   * @param lastValidPools the names of the pools in force, undefined before a first valid configuration
   */
  publish(
    verdict: ConfigurationVerdict,
    errors: readonly string[],
    lastValidPools: readonly string[] | undefined,
  ): void {
    const { logger, metrics } = this.options;
    metrics.configStale.set(verdict.result === 'Valid' ? 0 : 1);
    metrics.configLoaded.set(lastValidPools === undefined ? 0 : 1);
    if (this.logged?.errorSummary !== verdict.errorSummary) {
      if (verdict.result === 'Valid')
        logger.info('configuration valid', { pools: lastValidPools?.length ?? 0 });
      else
        logger.warn('configuration invalid, keeping the last valid pools', {
          errors,
          lastValidPools: lastValidPools ?? null,
        });
      this.logged = verdict;
    }
    this.writes = this.writes.then(async () => {
      const result = await this.writer.write(verdict, controllerConditions(verdict));
      if (!result.ok) {
        this.retry.schedule();
        this.options.logger.warn('ConfigurationState not written', {
          error: describeKubeError(result.error),
        });
      } else if (result.value !== 'unchanged') {
        this.options.logger.info('ConfigurationState written', {
          name: this.writer.name,
          result: verdict.result,
        });
      }
    });
  }

  /** Resolves when the writes asked for so far are done. */
  idle(): Promise<void> {
    return this.writes;
  }

  stop(): void {
    this.retry.stop();
  }
}
