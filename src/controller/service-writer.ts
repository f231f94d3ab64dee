// Writes each Service's load-balancer state: `status.loadBalancer.ingress` (`[{ip}]`, JSON merge
// patch on `services/{name}/status`) and the `metallb.io/ip-allocated-from-pool` annotation (merge
// patch on the object, removed when the Service holds nothing). Only the difference from the newest
// known object is sent, so a steady cluster costs no writes. Per Service the latest desired state
// wins and one write runs at a time; across Services a bounded number run in parallel. A failed
// write is retried with backoff; a Service that is gone is dropped.
import type { Logger } from 'winston';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from '../k8s/backoff.js';
import type { KubeClient } from '../k8s/client.js';
import { mergePatchObject } from '../k8s/client.js';
import type { KubeError } from '../k8s/errors.js';
import { describeKubeError, isNotFound } from '../k8s/errors.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { jsonEqual } from '../k8s/merge-patch.js';
import { inNamespace, resourceTypes } from '../k8s/resources.js';
import { ingressFromIps, ingressOf, poolAnnotation } from '../k8s/service-status.js';
import type { ServiceViews } from './service-view.js';

/** What a Service should show. */
export interface BalancerState {
  readonly ips: readonly string[];
  /** undefined = no annotation */
  readonly pool: string | undefined;
}

export interface ServiceWriterOptions {
  readonly client: KubeClient;
  readonly views: ServiceViews;
  readonly logger: Logger;
  /** Writes in flight across all Services. Default 32. */
  readonly concurrency?: number;
  readonly backoff?: BackoffPolicy;
}

export interface ServiceWriterStats {
  /** PATCH requests sent (status and annotation writes count separately) */
  readonly requests: number;
  readonly failures: number;
  /** total time spent waiting for the API server, summed over requests */
  readonly roundTripMs: number;
}

type Outcome = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly error: KubeError };

export class ServiceWriter {
  /** the newest state asked for and not yet confirmed written */
  private readonly intended = new Map<string, BalancerState>();
  /** states waiting to be written (a running write's state is no longer here) */
  private readonly desired = new Map<string, BalancerState>();
  /** keys waiting for a free slot, in order */
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private counts = { requests: 0, failures: 0, roundTripMs: 0 };

  constructor(private readonly options: ServiceWriterOptions) {}

  /** Makes the Service show `state` (replacing any state not yet written). */
  set(key: string, state: BalancerState): void {
    if (this.stopped) return;
    this.intended.set(key, state);
    this.desired.set(key, state);
    const timer = this.timers.get(key);
    if (timer !== undefined) {
      // A newer state need not wait for the backoff of an older one.
      clearTimeout(timer);
      this.timers.delete(key);
    }
    this.enqueue(key);
  }

  /** Forgets a Service that was deleted. */
  drop(key: string): void {
    this.intended.delete(key);
    this.desired.delete(key);
    this.attempts.delete(key);
    const timer = this.timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(key);
  }

  /**
   * What the Service will show once pending writes land, when that is not yet written: the
   * controller decides on this, not on the older object, so its own writes in flight are not undone.
   */
  intendedState(key: string): BalancerState | undefined {
    return this.intended.get(key);
  }

  stats(): ServiceWriterStats {
    return { ...this.counts };
  }

  /** Keys with a state not yet written (waiting, running or backing off). */
  get pending(): number {
    return this.desired.size + this.running.size;
  }

  /** Resolves once every desired state is written or dropped (retries included). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.desired.clear();
    this.intended.clear();
    this.queue.length = 0;
    this.queued.clear();
    this.settleIdle();
  }

  private isIdle(): boolean {
    return this.desired.size === 0 && this.running.size === 0;
  }

  private settleIdle(): void {
    if (!this.isIdle() && !this.stopped) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private enqueue(key: string): void {
    if (this.queued.has(key) || this.running.has(key) || this.timers.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 32;
    while (!this.stopped && this.running.size < limit && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.queued.delete(key);
      const state = this.desired.get(key);
      if (state === undefined) continue;
      this.desired.delete(key);
      this.running.add(key);
      void this.write(key, state).then((outcome) => this.finished(key, state, outcome));
    }
  }

  private finished(key: string, state: BalancerState, outcome: Outcome): void {
    this.running.delete(key);
    if (outcome.kind === 'retry' && !this.stopped) {
      this.counts.failures++;
      // Retry the newest state: the one that failed unless a newer one arrived meanwhile.
      if (!this.desired.has(key)) this.desired.set(key, state);
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      const delay = backoffDelay(this.options.backoff ?? defaultBackoff, attempt);
      this.options.logger.warn('service write failed, retrying', {
        service: key,
        attempt,
        delayMs: delay,
        error: describeKubeError(outcome.error),
      });
      this.timers.set(
        key,
        setTimeout(() => {
          this.timers.delete(key);
          this.enqueue(key);
        }, delay),
      );
    } else {
      this.attempts.delete(key);
      if (this.desired.has(key)) this.enqueue(key);
      else if (this.intended.get(key) === state) this.intended.delete(key);
    }
    this.pump();
    this.settleIdle();
  }

  private async write(key: string, state: BalancerState): Promise<Outcome> {
    const { views } = this.options;
    const current = views.get(key);
    if (current === undefined) return { kind: 'done' };
    const ingress = ingressFromIps(state.ips);
    if (!jsonEqual(ingressOf(current.raw), ingress)) {
      const patch = { status: { loadBalancer: { ingress: ingress.length > 0 ? ingress : null } } };
      const written = await this.patch(current.raw, patch, 'status');
      if (written.kind !== 'written') return written.outcome;
      views.wrote(written.object);
      this.options.logger.debug('service ingress written', { service: key, ips: state.ips });
    }
    const afterStatus = views.get(key);
    if (afterStatus === undefined) return { kind: 'done' };
    const shown = afterStatus.raw.metadata.annotations?.[poolAnnotation];
    if (shown !== state.pool) {
      const patch = { metadata: { annotations: { [poolAnnotation]: state.pool ?? null } } };
      const written = await this.patch(afterStatus.raw, patch);
      if (written.kind !== 'written') return written.outcome;
      views.wrote(written.object);
      this.options.logger.debug('service pool annotation written', {
        service: key,
        pool: state.pool ?? null,
      });
    }
    return { kind: 'done' };
  }

  private async patch(
    service: KubeObject,
    patch: Record<string, unknown>,
    subresource?: 'status',
  ): Promise<{ kind: 'written'; object: KubeObject } | { kind: 'failed'; outcome: Outcome }> {
    const ref = inNamespace(resourceTypes.services, service.metadata.namespace ?? 'default');
    const started = performance.now();
    const result = await mergePatchObject(
      this.options.client,
      ref,
      service.metadata.name ?? '',
      patch,
      subresource,
    );
    this.counts.requests++;
    this.counts.roundTripMs += performance.now() - started;
    if (result.ok) return { kind: 'written', object: result.value };
    if (isNotFound(result.error)) return { kind: 'failed', outcome: { kind: 'done' } };
    return { kind: 'failed', outcome: { kind: 'retry', error: result.error } };
  }
}
