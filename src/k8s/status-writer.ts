// Create-or-update of ferry's status objects: namespaced custom resources whose content lives in
// `status` (ServiceBGPStatus, BGPSessionState, ConfigurationState). The object is created with its
// labels and ownerReference, then its status is set by JSON merge patch on `/status`. The writer
// remembers what each object's status is (last written or observed) and sends nothing when the
// desired status equals it, so a steady cluster causes no writes. `start()` lists the objects it
// owns (by label) so stale ones from a previous run can be garbage-collected by `sync()`.
import type { Logger } from 'winston';
import type { KubeClient } from './client.js';
import { createObject, deleteObject, getObject, listObjects, mergePatchObject } from './client.js';
import type { KubeError, KubeResult } from './errors.js';
import { describeKubeError, failed, isAlreadyExists, isNotFound, ok } from './errors.js';
import type { KubeObject, OwnerReference } from './kube-object.js';
import { isRecord } from './kube-object.js';
import { TaskLimiter } from '../util/task-limiter.js';
import { KeyedQueue } from './keyed-queue.js';
import { silentLogger } from './logger.js';
import { jsonEqual, mergePatchBetween } from './merge-patch.js';
import type { NamespacedRef } from './resources.js';
import { apiVersionOf } from './resources.js';

export type JsonObject = Record<string, unknown>;

/** Requests one `sync` has in flight at most. */
const SYNC_CONCURRENCY = 16;

/** One status object as the caller wants it. */
export interface DesiredStatusObject {
  /** The caller's identity for the object (e.g. `default/web` for a Service's ServiceBGPStatus). */
  readonly key: string;
  /** A fixed name (`speaker-node1`); when absent, `generateName` is used on create. */
  readonly name?: string;
  readonly generateName?: string;
  /** Must include the writer's `selector` labels, or `start()` of the next run will not find it. */
  readonly labels: Readonly<Record<string, string>>;
  readonly status: JsonObject;
}

export interface StatusWriterOptions {
  readonly client: KubeClient;
  /** The resource type, narrowed to the namespace the objects live in. */
  readonly resource: NamespacedRef;
  /** Labels every object of this writer carries, e.g. `{ 'metallb.io/node': 'node1' }`. */
  readonly selector: Readonly<Record<string, string>>;
  /** The key of an existing object (from its labels or name); undefined marks it as garbage. */
  readonly keyOf: (object: KubeObject) => string | undefined;
  /** Set on created objects (the speaker pod, so they go away with it). */
  readonly owner?: OwnerReference;
  /**
   * false: the objects belong to someone else (the IPAddressPools a user made); only those made
   * known with `observe` get their status written, and one that is gone is not created again.
   * Default true.
   */
  readonly createMissing?: boolean;
  readonly logger?: Logger;
}

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export interface SyncReport {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly errors: readonly { readonly key: string; readonly error: KubeError }[];
}

interface Known {
  name: string;
  labels: Record<string, string>;
  status: JsonObject;
}

export function labelSelectorText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function statusOf(object: KubeObject): JsonObject {
  return isRecord(object.status) ? structuredClone(object.status) : {};
}

export class StatusWriter {
  private readonly known = new Map<string, Known>();
  private readonly queue = new KeyedQueue();
  private readonly logger: Logger;

  constructor(private readonly options: StatusWriterOptions) {
    this.logger = (options.logger ?? silentLogger()).child({
      statusWriter: `${options.resource.kind} ${options.resource.namespace}`,
    });
  }

  /**
   * Lists the objects carrying the selector labels and remembers them, deleting duplicates for one
   * key and objects without a key. Call before the first `write`/`sync`; again after a failure.
   */
  async start(): Promise<KubeResult<void>> {
    // a retried start begins afresh: what a failed one half learned would make its objects duplicates
    this.known.clear();
    const listed = await listObjects(this.options.client, this.options.resource, {
      labelSelector: labelSelectorText(this.options.selector),
    });
    if (!listed.ok) return listed;
    // Of duplicates for one key, keep one that carries a status (it was written to), then by name.
    const rank = (object: KubeObject): string =>
      `${Object.keys(statusOf(object)).length > 0 ? 0 : 1} ${object.metadata.name ?? ''}`;
    const objects = [...listed.value.items].sort((a, b) => rank(a).localeCompare(rank(b)));
    for (const object of objects) {
      const name = object.metadata.name ?? '';
      const key = this.options.keyOf(object);
      if (key === undefined || this.known.has(key)) {
        this.logger.info('deleting stray status object', { name, key });
        const deleted = await deleteObject(this.options.client, this.options.resource, name);
        if (!deleted.ok && !isNotFound(deleted.error)) return deleted;
        continue;
      }
      this.observe(object);
    }
    return ok(undefined);
  }

  /** Keys of the objects the writer knows to exist. */
  keys(): string[] {
    return [...this.known.keys()].sort();
  }

  /** The name of the object for `key`, if it exists. */
  nameOf(key: string): string | undefined {
    return this.known.get(key)?.name;
  }

  /** The status of the object for `key` as last written or observed, if it exists. */
  statusOf(key: string): JsonObject | undefined {
    const known = this.known.get(key);
    return known === undefined ? undefined : structuredClone(known.status);
  }

  /**
   * Records an object's current state as seen elsewhere (an informer on these objects), so a status
   * someone else changed is written back. Objects without a key are ignored.
   */
  observe(object: KubeObject): void {
    const key = this.options.keyOf(object);
    if (key === undefined || !object.metadata.name) return;
    this.known.set(key, {
      name: object.metadata.name,
      labels: { ...(object.metadata.labels ?? {}) },
      status: statusOf(object),
    });
  }

  /** Forgets an object deleted elsewhere; the next `write` creates it again. */
  forget(key: string): void {
    this.known.delete(key);
  }

  /** Creates the object or merge-patches its status; nothing is sent when nothing changed. */
  write(desired: DesiredStatusObject): Promise<KubeResult<WriteOutcome>> {
    return this.queue.run(desired.key, () => this.writeNow(desired, true));
  }

  /** Deletes the object for `key`, if there is one. */
  delete(key: string): Promise<KubeResult<'deleted' | 'absent'>> {
    return this.queue.run(key, () => this.deleteNow(key));
  }

  /**
   * Makes the objects equal to `desired`: writes each, deletes every known object whose key is not
   * among them. Failures are collected, not thrown; the rest proceeds.
   */
  async sync(desired: readonly DesiredStatusObject[]): Promise<SyncReport> {
    const wanted = new Set(desired.map((d) => d.key));
    const counts = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
    const errors: { key: string; error: KubeError }[] = [];
    // A speaker with 10,000 Services must not open 10,000 requests at once.
    const limiter = new TaskLimiter(SYNC_CONCURRENCY);
    await Promise.all([
      ...desired.map(async (object) => {
        const result = await limiter.run(() => this.write(object));
        if (result.ok) counts[result.value]++;
        else errors.push({ key: object.key, error: result.error });
      }),
      ...this.keys()
        .filter((key) => !wanted.has(key))
        .map(async (key) => {
          const result = await limiter.run(() => this.delete(key));
          if (!result.ok) errors.push({ key, error: result.error });
          else if (result.value === 'deleted') counts.deleted++;
        }),
    ]);
    return { ...counts, errors };
  }

  private async writeNow(
    desired: DesiredStatusObject,
    mayRecreate: boolean,
  ): Promise<KubeResult<WriteOutcome>> {
    const { client, resource } = this.options;
    let known = this.known.get(desired.key);
    let outcome: WriteOutcome = 'updated';
    if (!known) {
      if (this.options.createMissing === false) return failed(this.unknown(desired.key));
      const created = await this.create(desired);
      if (!created.ok) return created;
      known = created.value;
      outcome = 'created';
    }
    if (!jsonEqual(known.labels, { ...known.labels, ...desired.labels })) {
      const labels = await mergePatchObject(client, resource, known.name, {
        metadata: { labels: desired.labels },
      });
      if (!labels.ok) return this.afterFailure(desired, labels.error, mayRecreate);
      known.labels = { ...(labels.value.metadata.labels ?? {}) };
    }
    const patch = mergePatchBetween(known.status, desired.status);
    if (patch === undefined) return ok(outcome === 'created' ? 'created' : 'unchanged');
    const patched = await mergePatchObject(client, resource, known.name, { status: patch }, 'status');
    if (!patched.ok) return this.afterFailure(desired, patched.error, mayRecreate);
    known.status = structuredClone(desired.status);
    this.logger.debug('status written', { key: desired.key, name: known.name, outcome });
    return ok(outcome);
  }

  /** The object vanished behind our back: forget it and create it again, once. */
  private async afterFailure(
    desired: DesiredStatusObject,
    error: KubeError,
    mayRecreate: boolean,
  ): Promise<KubeResult<WriteOutcome>> {
    if (isNotFound(error)) {
      this.known.delete(desired.key);
      if (mayRecreate && this.options.createMissing !== false) return this.writeNow(desired, false);
    }
    // the caller has the error as a value and decides whether and how to log it
    this.logger.debug('status write failed', { key: desired.key, error: describeKubeError(error) });
    return failed(error);
  }

  /** The answer for a key `createMissing: false` does not know: as if the server had said 404. */
  private unknown(key: string): KubeError {
    const { kind, namespace } = this.options.resource;
    return {
      kind: 'http',
      status: 404,
      reason: 'NotFound',
      message: `${kind} ${namespace}/${key} is not known`,
    };
  }

  private async create(desired: DesiredStatusObject): Promise<KubeResult<Known>> {
    const { client, resource, owner } = this.options;
    const naming = desired.name
      ? { name: desired.name }
      : { generateName: desired.generateName ?? `${resource.kind.toLowerCase()}-` };
    const created = await createObject(client, resource, {
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      metadata: {
        ...naming,
        namespace: resource.namespace,
        labels: { ...desired.labels },
        ...(owner ? { ownerReferences: [owner] } : {}),
      },
      spec: {},
    });
    let object: KubeObject;
    if (created.ok) object = created.value;
    else if (desired.name && isAlreadyExists(created.error)) {
      // Made by an earlier run that `start()` did not see (other labels): adopt it.
      const existing = await getObject(client, resource, desired.name);
      if (!existing.ok) return existing;
      object = existing.value;
    } else return created;
    const known: Known = {
      name: object.metadata.name ?? '',
      labels: { ...(object.metadata.labels ?? {}) },
      status: statusOf(object),
    };
    this.known.set(desired.key, known);
    this.logger.info('status object created', { key: desired.key, name: known.name });
    return ok(known);
  }

  private async deleteNow(key: string): Promise<KubeResult<'deleted' | 'absent'>> {
    const known = this.known.get(key);
    if (!known) return ok('absent');
    const deleted = await deleteObject(this.options.client, this.options.resource, known.name);
    if (!deleted.ok && !isNotFound(deleted.error)) return deleted;
    this.known.delete(key);
    this.logger.info('status object deleted', { key, name: known.name });
    return ok(deleted.ok ? 'deleted' : 'absent');
  }
}
