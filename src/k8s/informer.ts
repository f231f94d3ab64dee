// A typed cache of one collection kept current by list + watch, built to survive what client-node
// 1.4 alone does not: a watch that stalls silently (staleness watchdog, fed by bookmarks), history
// compaction (410 Gone → relist, delivering the difference), and an API server that goes away
// (restart with jittered, capped exponential backoff; the cache keeps serving the last known state).
// It reports `synced` only after its first complete list, so no reconciler acts on a partial view.
import type { Logger } from 'winston';
import type { BackoffPolicy } from './backoff.js';
import { backoffDelay, defaultBackoff } from './backoff.js';
import type { KubeClient, WatchEvent } from './client.js';
import { listObjects } from './client.js';
import type { KubeError, KubeResult } from './errors.js';
import { describeKubeError, isGone, kubeErrorFromStatus } from './errors.js';
import type { KubeObject } from './kube-object.js';
import { isKubeObject, objectKey } from './kube-object.js';
import { silentLogger } from './logger.js';
import { sleep } from './sleep.js';
import type { K8sClientMetrics } from './metrics.js';
import type { ResourceRef } from './resources.js';
import { describeResource, resourcePath } from './resources.js';
import { TypedEmitter } from './typed-emitter.js';

/** What happened to the informer's connection, for logs and metrics. */
export type InformerLifecycleEvent =
  /** A watch was accepted by the server, resuming from `resourceVersion`. */
  | { readonly kind: 'connect'; readonly resourceVersion: string; readonly reconnect: boolean }
  /** A restart is scheduled after `delayMs` (attempt counts consecutive failures). */
  | { readonly kind: 'reconnect'; readonly attempt: number; readonly delayMs: number; readonly cause: string }
  /** A full list completed and the cache now equals it. */
  | {
      readonly kind: 'relist';
      readonly reason: 'initial' | 'gone';
      readonly items: number;
      readonly resourceVersion: string;
    }
  /** No event or bookmark for `idleMs`: the watch is presumed dead and was aborted. */
  | { readonly kind: 'stale'; readonly idleMs: number }
  | { readonly kind: 'error'; readonly phase: 'list' | 'watch'; readonly error: KubeError }
  /** `maxAttempts` consecutive failures: the informer stopped. */
  | { readonly kind: 'give-up'; readonly attempts: number; readonly error: KubeError | undefined };

export interface InformerEvents<T> {
  add: [object: T];
  update: [object: T, previous: T];
  delete: [object: T];
  /** Once, after the first complete list. */
  synced: [];
  lifecycle: [event: InformerLifecycleEvent];
}

export interface InformerOptions<T> {
  readonly client: KubeClient;
  /** The collection; `namespace` narrows it. */
  readonly resource: ResourceRef;
  readonly labelSelector?: string;
  /** e.g. `metadata.name=<node>` for a speaker's own Node. */
  readonly fieldSelector?: string;
  /**
   * Raw object → the value handlers and `snapshot()` see (e.g. via src/api's converters). Omit it
   * only when T is KubeObject.
   */
  readonly decode?: (object: KubeObject) => T;
  /** For logs; defaults to the resource. */
  readonly name?: string;
  readonly logger?: Logger;
  readonly metrics?: K8sClientMetrics;
  /** Abort a watch that delivered neither event nor bookmark for this long. Default 90 s. */
  readonly staleAfterMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Asks the server to end each watch after this long (default 5–10 min, random per watch). */
  readonly watchTimeoutSeconds?: () => number;
  /** Items per list page. Default 500. */
  readonly pageSize?: number;
  /** Consecutive failures after which the informer gives up and stops. Default: never. */
  readonly maxAttempts?: number;
  readonly random?: () => number;
}

/**
 * Only the decoded value and the resourceVersion are kept: holding the raw object as well (with its
 * managedFields) doubled a speaker's memory at 10,000 Services.
 */
interface Entry<T> {
  readonly resourceVersion: string | undefined;
  readonly value: T;
}

type WatchOutcome = 'progress-end' | 'quiet-end' | 'gone' | 'stale' | 'error' | 'stopped';

interface WatchResult {
  readonly kind: WatchOutcome;
  /** Whether the watch delivered any event or bookmark: proof the connection worked. */
  readonly progressed: boolean;
  readonly error?: KubeError;
}

export class Informer<T = KubeObject> {
  private readonly emitter: TypedEmitter<InformerEvents<T>>;
  private readonly cache = new Map<string, Entry<T>>();
  private readonly logger: Logger;
  private readonly label: string;
  private readonly decode: (object: KubeObject) => T;
  private readonly stopController = new AbortController();
  private resourceVersion = '';
  private isSynced = false;
  private syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;
  private connectedOnce = false;

  constructor(private readonly options: InformerOptions<T>) {
    this.label = options.name ?? describeResource(options.resource);
    this.logger = (options.logger ?? silentLogger()).child({ informer: this.label });
    this.decode = options.decode ?? ((object) => object as unknown as T);
    this.emitter = new TypedEmitter((event, error) => this.handlerFailed(String(event), error));
  }

  on<K extends keyof InformerEvents<T>>(
    event: K,
    listener: (...args: InformerEvents<T>[K]) => unknown,
  ): () => void {
    return this.emitter.on(event, listener);
  }

  /** True once the first list completed; stays true across relists and outages. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** The resourceVersion the cache reflects (of the last list, event or bookmark). */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Resolves true once synced, or false if `signal` aborts (or the informer stops) first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.isSynced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        this.stopController.signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => done(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.stopController.signal.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => done(true));
    });
  }

  /** Every cached object, ordered by namespace/name. */
  snapshot(): T[] {
    return [...this.cache.keys()].sort().map((key) => (this.cache.get(key) as Entry<T>).value);
  }

  /** One cached object by `namespace/name` (or `name` when cluster-scoped). */
  get(key: string): T | undefined {
    return this.cache.get(key)?.value;
  }

  get size(): number {
    return this.cache.size;
  }

  /** Starts listing and watching in the background. Idempotent. */
  start(): this {
    this.running ??= this.run().catch((error: unknown) => {
      // A bug, not an API failure (those are values): make it visible and stop.
      this.logger.error('informer crashed', { error: String(error) });
    });
    return this;
  }

  /** Stops watching; resolves when no request of this informer is left running. */
  async stop(): Promise<void> {
    this.stopController.abort();
    this.stopWatch?.();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<void> {
    const policy = this.options.backoff ?? defaultBackoff;
    const random = this.options.random ?? Math.random;
    let needList = true;
    let listReason: 'initial' | 'gone' = 'initial';
    let attempt = 0;
    let lastError: KubeError | undefined;

    const retry = async (cause: string, immediate = false): Promise<boolean> => {
      attempt++;
      if (this.options.maxAttempts !== undefined && attempt > this.options.maxAttempts) {
        this.lifecycle({ kind: 'give-up', attempts: attempt - 1, error: lastError });
        this.stopController.abort();
        return false;
      }
      const delayMs = immediate ? 0 : backoffDelay(policy, attempt, random);
      this.lifecycle({ kind: 'reconnect', attempt, delayMs, cause });
      await sleep(delayMs, this.stopController.signal);
      return !this.stopped;
    };

    while (!this.stopped) {
      if (needList) {
        const listed = await this.listAll();
        if (this.stopped) break;
        if (!listed.ok) {
          lastError = listed.error;
          this.lifecycle({ kind: 'error', phase: 'list', error: listed.error });
          if (!(await retry('list failed'))) break;
          continue;
        }
        this.replaceAll(listed.value.items, listed.value.resourceVersion);
        this.lifecycle({
          kind: 'relist',
          reason: listReason,
          items: listed.value.items.length,
          resourceVersion: listed.value.resourceVersion,
        });
        needList = false;
        if (!this.isSynced) {
          this.isSynced = true;
          this.emitter.emit('synced');
          for (const waiter of this.syncWaiters.splice(0)) waiter();
        }
      }
      const outcome = await this.watchOnce();
      if (outcome.error) lastError = outcome.error;
      // A watch that delivered anything proves the connection worked: failures count afresh.
      if (outcome.progressed) attempt = 0;
      switch (outcome.kind) {
        case 'stopped':
          break;
        case 'progress-end':
          // The server ended a healthy watch (timeoutSeconds, or a clean drop): resume at once.
          break;
        case 'gone':
          needList = true;
          listReason = 'gone';
          // The first 410 relists at once; repeated ones back off like any other failure.
          if (!(await retry('resourceVersion too old (410 Gone)', attempt === 0))) return;
          break;
        case 'quiet-end':
          if (!(await retry('watch ended before any event'))) return;
          break;
        case 'stale':
          if (!(await retry('watch stale'))) return;
          break;
        case 'error':
          if (!(await retry(`watch failed: ${outcome.error ? describeKubeError(outcome.error) : 'unknown'}`)))
            return;
          break;
      }
    }
  }

  /** All pages of the collection; the first page's resourceVersion is the list's. */
  private async listAll(): Promise<KubeResult<{ items: KubeObject[]; resourceVersion: string }>> {
    const items: KubeObject[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const page = await listObjects(this.options.client, this.options.resource, {
        ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
        ...(this.options.fieldSelector ? { fieldSelector: this.options.fieldSelector } : {}),
        limit: this.options.pageSize ?? 500,
        ...(continueToken ? { continueToken } : {}),
        signal: this.stopController.signal,
      });
      if (!page.ok) return page;
      items.push(...page.value.items);
      if (resourceVersion === '') resourceVersion = page.value.resourceVersion;
      continueToken = page.value.continueToken;
    } while (continueToken && !this.stopped);
    return { ok: true, value: { items, resourceVersion } };
  }

  private watchOnce(): Promise<WatchResult> {
    const staleAfterMs = this.options.staleAfterMs ?? 90_000;
    const random = this.options.random ?? Math.random;
    const timeoutSeconds = this.options.watchTimeoutSeconds?.() ?? Math.round(300 + random() * 300);
    const from = this.resourceVersion;
    return new Promise((resolve) => {
      let finished = false;
      let progressed = false;
      let lastActivity = Date.now();
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (kind: WatchOutcome, error?: KubeError): void => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        this.stopWatch = undefined;
        handle.abort();
        resolve(error ? { kind, progressed, error } : { kind, progressed });
      };
      const feedWatchdog = (): void => {
        lastActivity = Date.now();
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          this.lifecycle({ kind: 'stale', idleMs: Date.now() - lastActivity });
          finish('stale');
        }, staleAfterMs);
      };
      const handle = this.options.client.watch({
        path: resourcePath(this.options.resource),
        query: {
          resourceVersion: from,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
        },
        onConnected: () => {
          feedWatchdog();
          this.lifecycle({ kind: 'connect', resourceVersion: from, reconnect: this.connectedOnce });
          this.connectedOnce = true;
        },
        onEvent: (event) => {
          if (finished) return;
          feedWatchdog();
          const result = this.apply(event);
          if (result === 'progress') progressed = true;
          else if (result !== 'ignored') finish(isGone(result) ? 'gone' : 'error', result);
        },
        onEnd: (error) => {
          if (finished) return;
          if (this.stopped) finish('stopped');
          else if (error && isGone(error)) finish('gone', error);
          else if (error) {
            this.lifecycle({ kind: 'error', phase: 'watch', error });
            finish('error', error);
          } else finish(progressed ? 'progress-end' : 'quiet-end');
        },
      });
      this.stopWatch = () => finish('stopped');
      if (this.stopped) finish('stopped');
      else feedWatchdog();
    });
  }

  /** Applies one watch event to the cache; an ERROR event comes back as a KubeError. */
  private apply(event: WatchEvent): 'progress' | 'ignored' | KubeError {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: unknown } | undefined;
      return kubeErrorFromStatus(typeof status?.code === 'number' ? status.code : 500, event.object);
    }
    if (!isKubeObject(event.object)) return 'ignored';
    const object = event.object;
    const version = object.metadata.resourceVersion;
    if (version) this.resourceVersion = version;
    if (event.type === 'BOOKMARK') return 'progress';
    const key = objectKey(object);
    if (event.type === 'DELETED') this.remove(key);
    else this.upsert(key, object);
    return 'progress';
  }

  /** Makes the cache equal to a fresh list, delivering only the difference. */
  private replaceAll(items: KubeObject[], resourceVersion: string): void {
    const seen = new Set<string>();
    for (const object of items) {
      const key = objectKey(object);
      seen.add(key);
      this.upsert(key, object);
    }
    for (const key of [...this.cache.keys()]) if (!seen.has(key)) this.remove(key);
    this.resourceVersion = resourceVersion;
  }

  private upsert(key: string, object: KubeObject): void {
    const previous = this.cache.get(key);
    if (previous && previous.resourceVersion === object.metadata.resourceVersion) return;
    let value: T;
    try {
      value = this.decode(object);
    } catch (error) {
      // A decoder bug must not stop the informer; the object stays as it was (or absent).
      this.handlerFailed('decode', error);
      this.options.metrics?.updateErrors.inc();
      return;
    }
    const entry = { resourceVersion: object.metadata.resourceVersion, value };
    this.cache.set(key, entry);
    if (previous) this.deliver('update', entry.value, previous.value);
    else this.deliver('add', entry.value);
  }

  private remove(key: string): void {
    const previous = this.cache.get(key);
    if (!previous) return;
    this.cache.delete(key);
    this.deliver('delete', previous.value);
  }

  private deliver(event: 'add' | 'delete', object: T): void;
  private deliver(event: 'update', object: T, previous: T): void;
  private deliver(event: 'add' | 'update' | 'delete', object: T, previous?: T): void {
    this.options.metrics?.updates.inc();
    const pending =
      event === 'update'
        ? this.emitter.emit('update', object, previous as T)
        : this.emitter.emit(event, object);
    for (const promise of pending) promise.catch((error: unknown) => this.handlerFailed(event, error));
  }

  private handlerFailed(event: string, error: unknown): void {
    if (event === 'add' || event === 'update' || event === 'delete') this.options.metrics?.updateErrors.inc();
    this.logger.warn('informer handler failed', {
      event,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private lifecycle(event: InformerLifecycleEvent): void {
    const fields = { resource: describeResource(this.options.resource), ...flatten(event) };
    switch (event.kind) {
      case 'error':
      case 'stale':
        this.logger.warn(`informer ${event.kind}`, fields);
        break;
      case 'give-up':
        this.logger.error('informer gave up', fields);
        break;
      case 'relist':
        this.logger.info('informer listed', fields);
        break;
      default:
        this.logger.debug(`informer ${event.kind}`, fields);
    }
    this.emitter.emit('lifecycle', event);
  }
}

function flatten(event: InformerLifecycleEvent): Record<string, unknown> {
  if ('error' in event) {
    const { error, ...rest } = event;
    return { ...rest, ...(error ? { error: describeKubeError(error) } : {}) };
  }
  return { ...event };
}
