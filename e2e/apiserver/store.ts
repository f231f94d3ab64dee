// Objects by resource and key, one global revision counter (resourceVersion), a bounded history
// of changes for watches to resume from, and synchronous fan-out of new changes to watchers.
import type { KubeObject } from './object.js';
import { deepCopy } from './object.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  revision: number;
  resource: string;
  type: ChangeType;
  /** The object after the change; for DELETED, its last state with the deletion's revision. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED), so watches can apply selectors to both. */
  previous?: KubeObject;
}

export type HistorySince = { ok: true; changes: Change[] } | { ok: false; oldestAvailable: number };

export class ObjectStore {
  private revision = 1;
  private compactedThrough = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly uids = new Map<string, { resource: string; key: string }>();
  private history: Change[] = [];
  private readonly watchers = new Set<(change: Change) => void>();

  constructor(private readonly historyLimit: number) {}

  get currentRevision(): number {
    return this.revision;
  }

  get(resource: string, key: string): KubeObject | undefined {
    const found = this.objects.get(resource)?.get(key);
    return found ? deepCopy(found) : undefined;
  }

  /** The stored object itself, read only (the caller must not keep or change it): no copy. */
  peek(resource: string, key: string): Readonly<KubeObject> | undefined {
    return this.objects.get(resource)?.get(key);
  }

  /** Whether the object exists, without copying it. */
  has(resource: string, key: string): boolean {
    return this.objects.get(resource)?.has(key) === true;
  }

  /** How many objects of a resource there are (for which `test` holds), without copying any. */
  count(resource: string, test: (object: Readonly<KubeObject>) => boolean = () => true): number {
    let found = 0;
    for (const object of this.objects.get(resource)?.values() ?? []) if (test(object)) found++;
    return found;
  }

  byUid(uid: string): { resource: string; key: string } | undefined {
    return this.uids.get(uid);
  }

  /** All objects of a resource, ordered by key like etcd returns them. */
  list(resource: string): KubeObject[] {
    const all = this.objects.get(resource);
    if (!all) return [];
    return [...all.keys()].sort().map((key) => deepCopy(all.get(key) as KubeObject));
  }

  /**
   * Copies of the objects of a resource for which `test` holds, in no particular order; `test` sees
   * the stored objects (read only): garbage collection asks this for every delete, and copying and
   * sorting every object each time made deletes cost O(all objects).
   */
  filter(resource: string, test: (object: Readonly<KubeObject>) => boolean): KubeObject[] {
    const found: KubeObject[] = [];
    for (const object of this.objects.get(resource)?.values() ?? [])
      if (test(object)) found.push(deepCopy(object));
    return found;
  }

  /** Stores the object under a new revision and returns what was stored. */
  put(resource: string, key: string, object: KubeObject): KubeObject {
    const bucket = this.objects.get(resource) ?? new Map<string, KubeObject>();
    this.objects.set(resource, bucket);
    const previous = bucket.get(key);
    const stored = deepCopy(object);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(key, stored);
    if (stored.metadata.uid) this.uids.set(stored.metadata.uid, { resource, key });
    this.record({
      revision: this.revision,
      resource,
      type: previous ? 'MODIFIED' : 'ADDED',
      object: stored,
      ...(previous ? { previous } : {}),
    });
    return deepCopy(stored);
  }

  remove(resource: string, key: string): KubeObject | undefined {
    const bucket = this.objects.get(resource);
    const previous = bucket?.get(key);
    if (!bucket || !previous) return undefined;
    bucket.delete(key);
    if (previous.metadata.uid) this.uids.delete(previous.metadata.uid);
    const last = deepCopy(previous);
    last.metadata.resourceVersion = String(++this.revision);
    this.record({ revision: this.revision, resource, type: 'DELETED', object: last, previous });
    return deepCopy(last);
  }

  /** Changes after `revision`, or how far back history reaches when it no longer covers them. */
  changesSince(revision: number, resource: string): HistorySince {
    if (revision < this.compactedThrough) return { ok: false, oldestAvailable: this.compactedThrough + 1 };
    return {
      ok: true,
      changes: this.history.filter((c) => c.revision > revision && c.resource === resource),
    };
  }

  watch(listener: (change: Change) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** Forgets all history: any watch resuming from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedThrough = this.revision;
    this.history = [];
  }

  private record(change: Change): void {
    this.history.push(change);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.compactedThrough = dropped.revision;
    }
    for (const watcher of [...this.watchers]) watcher(change);
  }
}
