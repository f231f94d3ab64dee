// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the leader renews the
// Lease every retry period; a candidate takes the Lease over only after it has seen the same record
// unchanged for the holder's lease duration (its own clock, so clock skew between nodes does not
// matter), or at once when the holder released it. Every write carries the resourceVersion it was
// based on, so two candidates racing for an expired Lease cannot both win. A leader that cannot
// renew within the renew deadline stops leading on a timer, before anyone may take over
// (renewDeadline < leaseDuration).
import type { Logger } from 'winston';
import type { KubeClient } from './client.js';
import { createObject, getObject, replaceObject } from './client.js';
import type { KubeResult } from './errors.js';
import { describeKubeError, isNotFound } from './errors.js';
import type { KubeObject } from './kube-object.js';
import { isRecord } from './kube-object.js';
import { silentLogger } from './logger.js';
import { sleep } from './sleep.js';
import type { NamespacedRef } from './resources.js';
import { inNamespace, resourceTypes } from './resources.js';

export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  /** The Lease's name, e.g. `ferry-controller`. */
  readonly name: string;
  /** Unique per candidate, e.g. the pod name. */
  readonly identity: string;
  /** How long a Lease holds without renewal. Default 15 s; written rounded up to whole seconds. */
  readonly leaseDurationMs?: number;
  /** A leader that could not renew for this long stops leading. Default 10 s; < leaseDurationMs. */
  readonly renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2 s. */
  readonly retryPeriodMs?: number;
  /** Give the Lease up on `stop()` so another candidate takes over at once. Default true. */
  readonly releaseOnStop?: boolean;
  /** Called on becoming leader; `signal` aborts when leadership ends. */
  readonly onStartedLeading: (signal: AbortSignal) => unknown;
  /** Called when leadership ends (lost, or `stop()`); not called if it never started. */
  readonly onStoppedLeading?: () => unknown;
  /** Called when the observed holder changes (including to this candidate). */
  readonly onNewLeader?: (identity: string) => unknown;
  readonly logger?: Logger;
}

interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

function recordOf(lease: KubeObject): LeaseRecord {
  const spec = isRecord(lease.spec) ? lease.spec : {};
  return {
    holderIdentity: typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '',
    leaseDurationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : 0,
    ...(typeof spec.acquireTime === 'string' ? { acquireTime: spec.acquireTime } : {}),
    ...(typeof spec.renewTime === 'string' ? { renewTime: spec.renewTime } : {}),
    leaseTransitions: typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0,
  };
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  private readonly stopController = new AbortController();
  private running: Promise<void> | undefined;
  private leadership: AbortController | undefined;
  private deadline: NodeJS.Timeout | undefined;
  /** The Lease as last read or written, and when this candidate first saw that version. */
  private observed: { lease: KubeObject; record: LeaseRecord; at: number } | undefined;
  private observedHolder = '';

  constructor(private readonly options: LeaderElectionOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs)
      throw new Error('leader election: renewDeadlineMs must be shorter than leaseDurationMs');
    this.logger = (options.logger ?? silentLogger()).child({
      lease: `${options.namespace}/${options.name}`,
      identity: options.identity,
    });
  }

  /** Whether this candidate leads right now. */
  get isLeader(): boolean {
    return this.leadership !== undefined;
  }

  /** The holder this candidate last saw ('' when none). */
  get leader(): string {
    return this.observedHolder;
  }

  /** Campaigns in the background until `stop()`. Idempotent. */
  start(): this {
    this.running ??= this.run().catch((error: unknown) => {
      this.logger.error('leader election crashed', { error: String(error) });
      this.stopLeading();
    });
    return this;
  }

  /** Stops campaigning; a leader stops leading and (by default) releases the Lease. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // Candidate: try until the Lease is ours.
      let acquiredAt: number | undefined;
      while (!this.stopped && acquiredAt === undefined) {
        const startedAt = Date.now();
        if ((await this.tryAcquireOrRenew(this.retryPeriodMs)).acquired) acquiredAt = startedAt;
        else await sleep(this.retryPeriodMs * (1 + 0.2 * Math.random()), this.stopController.signal);
      }
      if (this.stopped || acquiredAt === undefined) break;
      // The deadline counts from before the successful write: the Lease holds at least that long.
      this.startLeading(acquiredAt);
      // Leader: renew every retry period until the deadline timer ends leadership, or stop().
      while (!this.stopped && this.isLeader) {
        await sleep(this.retryPeriodMs, this.stopController.signal);
        if (this.stopped || !this.isLeader) break;
        const startedAt = Date.now();
        const attempt = await this.tryAcquireOrRenew(
          Math.max(this.renewDeadlineMs - this.sinceRenewal(startedAt), 1),
        );
        if (attempt.acquired && this.isLeader) this.renewed(startedAt);
        else if (!attempt.acquired && attempt.heldByOther) this.stopLeading();
      }
    }
    this.stopLeading();
    if (this.options.releaseOnStop ?? true) await this.release();
  }

  private lastRenewal = 0;

  private sinceRenewal(now: number): number {
    return now - this.lastRenewal;
  }

  private startLeading(renewedAt: number): void {
    this.leadership = new AbortController();
    this.renewed(renewedAt);
    this.logger.info('started leading');
    try {
      const result = this.options.onStartedLeading(this.leadership.signal);
      if (result instanceof Promise)
        result.catch((error: unknown) =>
          this.logger.error('onStartedLeading failed', { error: String(error) }),
        );
    } catch (error) {
      this.logger.error('onStartedLeading failed', { error: String(error) });
    }
  }

  /** `renewedAt` is when the successful attempt started: the Lease holds at least until then + duration. */
  private renewed(renewedAt: number): void {
    this.lastRenewal = renewedAt;
    clearTimeout(this.deadline);
    this.deadline = setTimeout(
      () => {
        this.logger.warn('could not renew the lease before the deadline; stopping leading');
        this.stopLeading();
      },
      Math.max(renewedAt + this.renewDeadlineMs - Date.now(), 0),
    );
  }

  private stopLeading(): void {
    clearTimeout(this.deadline);
    const leadership = this.leadership;
    if (!leadership) return;
    this.leadership = undefined;
    leadership.abort();
    this.logger.info('stopped leading');
    try {
      const result = this.options.onStoppedLeading?.();
      if (result instanceof Promise)
        result.catch((error: unknown) =>
          this.logger.error('onStoppedLeading failed', { error: String(error) }),
        );
    } catch (error) {
      this.logger.error('onStoppedLeading failed', { error: String(error) });
    }
  }

  private leases(): NamespacedRef {
    return inNamespace(resourceTypes.leases, this.options.namespace);
  }

  private observe(lease: KubeObject, now: number): LeaseRecord {
    const record = recordOf(lease);
    if (this.observed?.lease.metadata.resourceVersion !== lease.metadata.resourceVersion) {
      this.observed = { lease, record, at: now };
    }
    if (record.holderIdentity !== this.observedHolder) {
      this.observedHolder = record.holderIdentity;
      if (record.holderIdentity) {
        this.logger.info('new leader observed', { leader: record.holderIdentity });
        try {
          void this.options.onNewLeader?.(record.holderIdentity);
        } catch (error) {
          this.logger.error('onNewLeader failed', { error: String(error) });
        }
      }
    }
    return record;
  }

  /** One attempt: create the Lease, renew ours, or take over a released or expired one. */
  private async tryAcquireOrRenew(timeoutMs: number): Promise<{ acquired: boolean; heldByOther: boolean }> {
    const { client, name, identity } = this.options;
    const now = Date.now();
    const durationSeconds = Math.max(Math.ceil(this.leaseDurationMs / 1000), 1);
    const limits = { timeoutMs };
    const current = await getObject(client, this.leases(), name, limits);
    if (!current.ok && isNotFound(current.error)) {
      const created = await createObject(
        client,
        this.leases(),
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: this.options.namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: microTime(new Date(now)),
            renewTime: microTime(new Date(now)),
            leaseTransitions: 0,
          },
        },
        limits,
      );
      if (!created.ok) return this.attemptFailed('create', created);
      this.observe(created.value, now);
      return { acquired: true, heldByOther: false };
    }
    if (!current.ok) return this.attemptFailed('get', current);
    const record = this.observe(current.value, Date.now());
    const heldByOther = record.holderIdentity !== '' && record.holderIdentity !== identity;
    const holdMs =
      record.leaseDurationSeconds > 0 ? record.leaseDurationSeconds * 1000 : this.leaseDurationMs;
    if (heldByOther && (this.observed?.at ?? now) + holdMs > now)
      return { acquired: false, heldByOther: true };
    const ours = record.holderIdentity === identity;
    const updated = await replaceObject(
      client,
      this.leases(),
      {
        ...current.value,
        spec: {
          ...(isRecord(current.value.spec) ? current.value.spec : {}),
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: ours && record.acquireTime ? record.acquireTime : microTime(new Date(now)),
          renewTime: microTime(new Date(now)),
          leaseTransitions: ours ? record.leaseTransitions : record.leaseTransitions + 1,
        },
      },
      limits,
    );
    if (!updated.ok) return this.attemptFailed(ours ? 'renew' : 'take over', updated);
    this.observe(updated.value, now);
    if (!ours) this.logger.info('took over the lease', { from: record.holderIdentity || '(released)' });
    return { acquired: true, heldByOther: false };
  }

  private attemptFailed(
    step: string,
    result: KubeResult<unknown> & { ok: false },
  ): { acquired: false; heldByOther: false } {
    // Conflicts are the normal outcome of a race; other failures are worth a line.
    const level = result.error.kind === 'http' && result.error.status === 409 ? 'debug' : 'warn';
    this.logger.log(level, `lease ${step} failed`, { error: describeKubeError(result.error) });
    return { acquired: false, heldByOther: false };
  }

  /** Gives the Lease up (empty holder) so another candidate need not wait for it to expire. */
  private async release(): Promise<void> {
    const lease = this.observed?.lease;
    if (!lease || recordOf(lease).holderIdentity !== this.options.identity) return;
    const now = microTime(new Date());
    const released = await replaceObject(
      this.options.client,
      this.leases(),
      {
        ...lease,
        spec: {
          ...(isRecord(lease.spec) ? lease.spec : {}),
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
        },
      },
      { timeoutMs: this.renewDeadlineMs },
    );
    if (released.ok) this.logger.info('released the lease');
    else this.logger.warn('could not release the lease', { error: describeKubeError(released.error) });
  }
}
