// core/v1 Events about the objects ferry acts on (MetalLB's reasons: IPAllocated, nodeAssigned, …).
// A repeat of the same event (same object, type, reason, message) bumps `count` and `lastTimestamp`
// on the existing Event instead of creating another, and each (object, reason) pair is rate-limited
// so a flapping Service cannot flood the API server. Recording never throws; results are values the
// caller may ignore.
import { randomInt } from 'node:crypto';
import type { Logger } from 'winston';
import type { KubeClient } from './client.js';
import { createObject, mergePatchObject } from './client.js';
import type { KubeResult } from './errors.js';
import { describeKubeError, isAlreadyExists, isNotFound, ok } from './errors.js';
import type { KubeObject, ObjectReference } from './kube-object.js';
import { KeyedQueue } from './keyed-queue.js';
import { TaskLimiter } from '../util/task-limiter.js';
import { silentLogger } from './logger.js';
import type { RateLimit } from './rate-limit.js';
import { KeyedTokenBuckets } from './rate-limit.js';
import { inNamespace, resourceTypes } from './resources.js';

export type EventType = 'Normal' | 'Warning';

/** Names tried for one new Event before its creation counts as failed. */
const NAME_ATTEMPTS = 3;

export interface EventInput {
  readonly involvedObject: ObjectReference;
  readonly type: EventType;
  /** UpperCamelCase by convention; MetalLB's own reasons are kept as they are (`nodeAssigned`). */
  readonly reason: string;
  readonly message: string;
}

export type RecordOutcome = 'created' | 'aggregated' | 'rate-limited';

export interface EventRecorderOptions {
  readonly client: KubeClient;
  /** `source.component` and `reportingComponent`: `metallb-speaker`, `metallb-controller`. */
  readonly component: string;
  /** `source.host` and `reportingInstance`, e.g. the node name. */
  readonly host?: string;
  /** Per (object, reason). Default: a burst of 10, then one every 30 s. */
  readonly rateLimit?: RateLimit;
  /** How many distinct events are remembered for aggregation. Default 4096. */
  readonly cacheSize?: number;
  /**
   * Event writes in flight at most; default 4. Events matter less than status: a burst of 10,000
   * `nodeAssigned` Events must not fill the connection pool ahead of the ServiceBGPStatus writes.
   */
  readonly concurrency?: number;
  readonly now?: () => Date;
  readonly logger?: Logger;
}

interface Recorded {
  namespace: string;
  name: string;
  count: number;
}

/** Kubernetes timestamps have second precision: `2025-01-01T00:00:00Z`. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The reference an Event needs, from a raw object as informers deliver it. */
export function referenceTo(
  object: KubeObject,
  kind = object.kind ?? '',
  apiVersion = object.apiVersion,
): ObjectReference {
  return {
    kind,
    name: object.metadata.name ?? '',
    ...(apiVersion ? { apiVersion } : {}),
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
  };
}

export class EventRecorder {
  private readonly recorded = new Map<string, Recorded>();
  private readonly limits: KeyedTokenBuckets;
  private readonly queue = new KeyedQueue();
  private readonly inFlight: TaskLimiter;
  private readonly logger: Logger;
  private readonly now: () => Date;
  /** Starts at random: two speakers recording the same Service's event in the same millisecond. */
  private sequence = BigInt(randomInt(1_000_000));

  constructor(private readonly options: EventRecorderOptions) {
    this.limits = new KeyedTokenBuckets(
      options.rateLimit ?? { burst: 10, refillMs: 30_000 },
      options.cacheSize ?? 4096,
    );
    this.inFlight = new TaskLimiter(options.concurrency ?? 4);
    this.logger = (options.logger ?? silentLogger()).child({ eventRecorder: options.component });
    this.now = options.now ?? (() => new Date());
  }

  /** Creates or aggregates the Event; resolves with what happened, never rejects. */
  record(event: EventInput): Promise<KubeResult<RecordOutcome>> {
    const ref = event.involvedObject;
    const objectId = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}/${ref.uid ?? ''}`;
    if (!this.limits.take(`${objectId}/${event.reason}`, this.now().getTime())) {
      this.logger.debug('event rate-limited', { object: objectId, reason: event.reason });
      return Promise.resolve(ok('rate-limited'));
    }
    const key = `${objectId}/${event.type}/${event.reason}/${event.message}`;
    return this.queue.run(key, () => this.inFlight.run(() => this.write(key, event)));
  }

  /** `Normal` event shorthand. */
  normal(
    involvedObject: ObjectReference,
    reason: string,
    message: string,
  ): Promise<KubeResult<RecordOutcome>> {
    return this.record({ involvedObject, type: 'Normal', reason, message });
  }

  /** `Warning` event shorthand. */
  warning(
    involvedObject: ObjectReference,
    reason: string,
    message: string,
  ): Promise<KubeResult<RecordOutcome>> {
    return this.record({ involvedObject, type: 'Warning', reason, message });
  }

  private async write(key: string, event: EventInput): Promise<KubeResult<RecordOutcome>> {
    const now = timestamp(this.now());
    const known = this.recorded.get(key);
    const events = inNamespace(resourceTypes.events, event.involvedObject.namespace ?? 'default');
    if (known) {
      const patched = await mergePatchObject(this.options.client, events, known.name, {
        count: known.count + 1,
        lastTimestamp: now,
      });
      if (patched.ok) {
        known.count++;
        this.remember(key, known);
        return ok('aggregated');
      }
      if (!isNotFound(patched.error)) return this.failed(event, patched);
      // The Event expired (the API server's TTL) or was deleted: start a new one.
      this.recorded.delete(key);
    }
    const created = await this.create(events.namespace, event, now);
    if (!created.ok) return this.failed(event, created);
    this.remember(key, { namespace: events.namespace, name: created.value, count: 1 });
    return ok('created');
  }

  /**
   * A new Event; its name again if another process (the speaker on the next node, reacting to the
   * same watch event) took the name first. Resolves with the name it got.
   */
  private async create(namespace: string, event: EventInput, now: string): Promise<KubeResult<string>> {
    const events = inNamespace(resourceTypes.events, namespace);
    for (let attempt = 1; ; attempt++) {
      const name = `${event.involvedObject.name}.${this.uniqueSuffix()}`;
      const created = await createObject(this.options.client, events, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: event.involvedObject,
        reason: event.reason,
        message: event.message,
        type: event.type,
        source: {
          component: this.options.component,
          ...(this.options.host ? { host: this.options.host } : {}),
        },
        reportingComponent: this.options.component,
        reportingInstance: this.options.host ?? this.options.component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
      if (created.ok) return ok(name);
      if (!isAlreadyExists(created.error) || attempt === NAME_ATTEMPTS)
        return { ok: false, error: created.error };
    }
  }

  /**
   * Like client-go: the creation time in nanoseconds, hex; the sub-millisecond part is a counter
   * (unique within this process) from a random start (unlikely to meet another process's).
   */
  private uniqueSuffix(): string {
    this.sequence++;
    return (BigInt(this.now().getTime()) * 1_000_000n + (this.sequence % 1_000_000n)).toString(16);
  }

  private remember(key: string, recorded: Recorded): void {
    this.recorded.delete(key);
    this.recorded.set(key, recorded);
    if (this.recorded.size > (this.options.cacheSize ?? 4096)) {
      const oldest = this.recorded.keys().next();
      if (!oldest.done) this.recorded.delete(oldest.value);
    }
  }

  private failed(event: EventInput, result: KubeResult<unknown> & { ok: false }): KubeResult<RecordOutcome> {
    this.logger.warn('event not recorded', {
      reason: event.reason,
      object: `${event.involvedObject.kind} ${event.involvedObject.namespace ?? ''}/${event.involvedObject.name}`,
      error: describeKubeError(result.error),
    });
    return result;
  }
}
