// Object semantics of the API server, independent of HTTP: admission (defaults, pruning,
// validation), resourceVersion preconditions, generation, status subresources, finalizers,
// namespaces, ownerReference garbage collection, server-side apply and CRD registration.
import { randomUUID } from 'node:crypto';
import type { KubeObject, OwnerReference } from './object.js';
import { deepCopy, deepEqual, isPlainObject, nowTimestamp, objectKey } from './object.js';
import { ObjectStore } from './store.js';
import type { ResourceDefinition, ResourceVersionInfo } from './resources.js';
import { apiVersionOf, builtinResources, resourceId } from './resources.js';
import { definitionFromCrd, establishedStatus } from './crd.js';
import { applyDefaults, pruneUnknownFields, validateAgainstSchema } from './schema.js';
import type { OpenApiSchema } from './schema.js';
import type { MergeKeyLookup } from './patch.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import type { FieldError } from './status.js';
import { alreadyExists, badRequest, conflict, failure, invalid, notFound } from './status.js';
import type { FieldPath, ManagerEntry, Operation } from './fieldowners.js';
import {
  changedPaths,
  fieldsV1,
  findConflicts,
  leafPaths,
  pathId,
  removePath,
  valueAt,
} from './fieldowners.js';
import type { FieldRequirement, LabelRequirement } from './selectors.js';
import { fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector } from './selectors.js';

export interface Target {
  definition: ResourceDefinition;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  fieldManager: string;
  force?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  created: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ObjectSelection {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

interface Ownership {
  manager: string;
  operation: Operation;
  appliedPaths?: FieldPath[];
}

const crdResource = resourceId('apiextensions.k8s.io', 'customresourcedefinitions');
const namespaceResource = resourceId('', 'namespaces');
const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export class Cluster {
  readonly store: ObjectStore;
  private readonly definitions = new Map<string, ResourceDefinition>();
  private readonly owners = new Map<string, ManagerEntry[]>();
  private readonly pendingCollections = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: { historyLimit?: number; clock?: () => Date } = {}) {
    this.store = new ObjectStore(options.historyLimit ?? 10_000);
    this.clock = options.clock ?? (() => new Date());
    for (const d of builtinResources()) this.definitions.set(resourceId(d.group, d.plural), d);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(
        this.target('', 'v1', 'namespaces'),
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        {
          fieldManager: 'ferry-e2e-apiserver',
        },
      );
    }
  }

  private readonly clock: () => Date;

  get resources(): ResourceDefinition[] {
    return [...this.definitions.values()];
  }

  /** The resource served at group/version/plural, if any. */
  find(group: string, version: string, plural: string): ResourceDefinition | undefined {
    const d = this.definitions.get(resourceId(group, plural));
    return d?.versions.some((v) => v.name === version) ? d : undefined;
  }

  target(group: string, version: string, plural: string, namespace?: string, name?: string): Target {
    const definition = this.find(group, version, plural);
    if (!definition) throw failure(404, 'NotFound', `the server could not find the requested resource`);
    return { definition, version, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
  }

  /** Stops pending garbage collection timers; call when the server shuts down. */
  close(): void {
    for (const timer of this.pendingCollections) clearTimeout(timer);
    this.pendingCollections.clear();
  }

  // ---- reads ----

  get(target: Target): KubeObject {
    const d = target.definition;
    const found = this.store.get(resourceId(d.group, d.plural), this.keyOf(target, target.name ?? ''));
    if (!found) throw notFound(d.group, d.plural, target.name ?? '');
    return this.present(d, target.version, found);
  }

  parseSelection(target: Target, labelSelector?: string, fieldSelector?: string): ObjectSelection {
    const labels = parseLabelSelector(labelSelector);
    if (!labels.ok) throw badRequest(labels.message);
    const fields = parseFieldSelector(fieldSelector, target.definition.selectableFields);
    if (!fields.ok) throw badRequest(fields.message);
    return { labels: labels.requirements, fields: fields.requirements };
  }

  /** Whether a stored object is in the target's namespace (if any) and matches the selection. */
  selects(target: Target, selection: ObjectSelection, object: KubeObject): boolean {
    if (target.namespace && object.metadata.namespace !== target.namespace) return false;
    return labelsMatch(object.metadata.labels, selection.labels) && fieldsMatch(object, selection.fields);
  }

  list(
    target: Target,
    selection: ObjectSelection,
    page: { limit?: number; continueToken?: string } = {},
  ): { items: KubeObject[]; resourceVersion: string; continueToken?: string } {
    const d = target.definition;
    let items = this.store
      .list(resourceId(d.group, d.plural))
      .filter((o) => this.selects(target, selection, o));
    const revision = String(this.store.currentRevision);
    if (page.continueToken) {
      const after = decodeContinue(page.continueToken);
      if (after === undefined) throw badRequest('continue key is not valid');
      items = items.filter((o) => objectKey(o.metadata.namespace, o.metadata.name ?? '') > after);
    }
    let continueToken: string | undefined;
    if (page.limit && page.limit > 0 && items.length > page.limit) {
      items = items.slice(0, page.limit);
      const last = items[items.length - 1];
      if (last) continueToken = encodeContinue(objectKey(last.metadata.namespace, last.metadata.name ?? ''));
    }
    return {
      items: items.map((o) => this.present(d, target.version, o)),
      resourceVersion: revision,
      ...(continueToken ? { continueToken } : {}),
    };
  }

  /** A stored object as the client sees it at the requested version (conversion strategy None). */
  present(definition: ResourceDefinition, version: string, stored: KubeObject): KubeObject {
    const object = deepCopy(stored);
    object.apiVersion = apiVersionOf(definition.group, version);
    object.kind = definition.kind;
    const schema = this.schemaOf(definition, version);
    if (schema) applyDefaults(object, schema);
    return object;
  }

  // ---- writes ----

  create(target: Target, body: unknown, options: WriteOptions, operation: Operation = 'Update'): WriteResult {
    const d = target.definition;
    const object = this.decode(target, body);
    const meta = object.metadata;
    if (d.namespaced) {
      if (meta.namespace && target.namespace && meta.namespace !== target.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = target.namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('the namespace of the object is required');
      this.requireWritableNamespace(meta.namespace);
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name) {
      throw invalid(d.group, d.kind, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          detail: 'Required value: name or generateName is required',
        },
      ]);
    }
    if (!dnsSubdomain.test(meta.name) || meta.name.length > 253) {
      throw invalid(d.group, d.kind, meta.name, [
        {
          field: 'metadata.name',
          reason: 'FieldValueInvalid',
          detail: `Invalid value: "${meta.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
        },
      ]);
    }
    const resource = resourceId(d.group, d.plural);
    const key = objectKey(meta.namespace, meta.name);
    if (this.store.has(resource, key)) throw alreadyExists(d.group, d.plural, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp(this.clock);
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    this.prepareStatusOnCreate(d, object);
    const warnings = this.admit(target, object, options);
    if (options.dryRun) return { object: this.present(d, target.version, object), warnings, created: true };
    this.recordOwnership(object, undefined, { manager: options.fieldManager, operation }, target.version);
    const stored = this.store.put(resource, key, object);
    this.afterWrite(d, stored);
    if (meta.ownerReferences?.length) this.scheduleCollection(resource, key);
    return { object: this.present(d, target.version, stored), warnings, created: true };
  }

  update(target: Target, body: unknown, options: WriteOptions, ownership?: Ownership): WriteResult {
    const d = target.definition;
    const resource = resourceId(d.group, d.plural);
    const key = this.keyOf(target, target.name ?? '');
    const stored = this.store.get(resource, key);
    if (!stored) throw notFound(d.group, d.plural, target.name ?? '');
    const old = this.present(d, target.version, stored);
    const incoming = this.decode(target, body);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== target.name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${target.name})`,
      );
    }
    const precondition = incoming.metadata.resourceVersion;
    if (precondition && precondition !== old.metadata.resourceVersion)
      throw conflict(d.group, d.plural, target.name ?? '');
    let next: KubeObject;
    if (target.subresource === 'status') {
      next = deepCopy(old);
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
    } else {
      next = incoming;
      for (const field of [
        'uid',
        'creationTimestamp',
        'namespace',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
      ] as const) {
        if (old.metadata[field] === undefined) delete next.metadata[field];
        else (next.metadata as Record<string, unknown>)[field] = old.metadata[field];
      }
      next.metadata.name = old.metadata.name;
      if (d.hasStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
    }
    next.metadata.generation = old.metadata.generation ?? 1;
    const warnings = this.admit(target, next, options);
    if (!deepEqual(specOf(old), specOf(next))) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    this.recordOwnership(
      next,
      old,
      ownership ?? { manager: options.fieldManager, operation: 'Update' },
      target.version,
    );
    if (deepEqual(withoutBookkeeping(old), withoutBookkeeping(next)))
      return { object: old, warnings, created: false };
    if (options.dryRun) return { object: this.present(d, target.version, next), warnings, created: false };
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      const removed = this.removeObject(d, key);
      return { object: this.present(d, target.version, removed ?? next), warnings, created: false };
    }
    const written = this.store.put(resource, key, next);
    this.afterWrite(d, written);
    return { object: this.present(d, target.version, written), warnings, created: false };
  }

  patch(target: Target, type: PatchType, body: unknown, options: WriteOptions): WriteResult {
    const d = target.definition;
    if (type === 'apply') return this.apply(target, body, options);
    if (type === 'strategic' && !d.strategicMergeKeyFor) {
      throw failure(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: ' +
          'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    const current = this.get(target);
    let patched: unknown;
    if (type === 'json') {
      const result = applyJsonPatch(current, body);
      if (!result.ok) throw failure(422, 'Invalid', result.message);
      patched = result.value;
    } else if (type === 'merge') {
      if (!isPlainObject(body)) throw badRequest('merge patch must be a JSON object');
      patched = applyMergePatch(current, body);
    } else {
      if (!isPlainObject(body)) throw badRequest('strategic merge patch must be a JSON object');
      patched = applyStrategicMergePatch(current, body, d.strategicMergeKeyFor ?? (() => undefined));
    }
    return this.update(target, patched, options);
  }

  /** Server-side apply: create, or merge the applied configuration and take ownership of its fields. */
  apply(target: Target, body: unknown, options: WriteOptions): WriteResult {
    const d = target.definition;
    const config = this.decode(target, body);
    if (!isPlainObject(body) || !body.apiVersion || !body.kind) {
      throw badRequest('apiVersion and kind must be set in an apply request');
    }
    if (config.metadata.name !== undefined && config.metadata.name !== target.name) {
      throw badRequest(
        `the name of the object (${config.metadata.name}) does not match the name on the URL (${target.name})`,
      );
    }
    const key = this.keyOf(target, target.name ?? '');
    if (!this.store.has(resourceId(d.group, d.plural), key)) {
      config.metadata.name = target.name ?? '';
      return this.create(target, config, options, 'Apply');
    }
    const current = this.get(target);
    const keyFor = this.mergeKeyLookup(d, target.version);
    const appliedPaths = leafPaths(withoutServerMetadata(config), keyFor);
    const entries = this.owners.get(current.metadata.uid ?? '') ?? [];
    if (!options.force) {
      const conflicts = findConflicts(current, config, appliedPaths, entries, options.fieldManager);
      if (conflicts.length > 0) {
        const lines = conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`);
        throw failure(
          409,
          'Conflict',
          `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${lines.join('\n')}`,
          {
            name: target.name ?? '',
            group: d.group,
            kind: d.plural,
            causes: conflicts.map((c) => ({
              reason: 'FieldManagerConflict',
              message: `conflict with "${c.manager}"`,
              field: c.field,
            })),
          },
        );
      }
    }
    const merged = applyStrategicMergePatch(current, withoutServerMetadata(config), keyFor) as KubeObject;
    const appliedIds = new Set(appliedPaths.map(pathId));
    const previous = entries.find((e) => e.manager === options.fieldManager && e.operation === 'Apply');
    for (const id of previous?.paths ?? []) {
      const ownedElsewhere = entries.some((e) => e !== previous && e.paths.has(id));
      if (!appliedIds.has(id) && !ownedElsewhere) removePath(merged, JSON.parse(id) as FieldPath);
    }
    merged.metadata.resourceVersion = current.metadata.resourceVersion;
    return this.update(target, merged, options, {
      manager: options.fieldManager,
      operation: 'Apply',
      appliedPaths,
    });
  }

  delete(
    target: Target,
    options: DeleteOptions = {},
  ): { object: KubeObject; status: number; removed: boolean } {
    const d = target.definition;
    const resource = resourceId(d.group, d.plural);
    const key = this.keyOf(target, target.name ?? '');
    const stored = this.store.get(resource, key);
    if (!stored) throw notFound(d.group, d.plural, target.name ?? '');
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid && uid !== stored.metadata.uid) {
      throw failure(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata.uid}`,
      );
    }
    if (resourceVersion && resourceVersion !== stored.metadata.resourceVersion)
      throw conflict(d.group, d.plural, target.name ?? '');
    if (options.dryRun)
      return { object: this.present(d, target.version, stored), status: 200, removed: false };
    const policy = options.propagationPolicy ?? 'Background';
    if (policy === 'Foreground') this.deleteDependents(stored.metadata.uid ?? '');
    if (resource === namespaceResource) return this.deleteNamespace(target, stored);
    if (stored.metadata.finalizers?.length) {
      if (!stored.metadata.deletionTimestamp) {
        stored.metadata.deletionTimestamp = nowTimestamp(this.clock);
        stored.metadata.deletionGracePeriodSeconds = 0;
        const written = this.store.put(resource, key, stored);
        return { object: this.present(d, target.version, written), status: 200, removed: false };
      }
      return { object: this.present(d, target.version, stored), status: 200, removed: false };
    }
    const removed = this.removeObject(d, key, policy) ?? stored;
    return { object: this.present(d, target.version, removed), status: 200, removed: true };
  }

  deleteCollection(target: Target, selection: ObjectSelection, options: DeleteOptions = {}): KubeObject[] {
    const { items } = this.list(target, selection);
    return items.map(
      (item) =>
        this.delete(
          {
            ...target,
            ...(item.metadata.namespace ? { namespace: item.metadata.namespace } : {}),
            name: item.metadata.name ?? '',
          },
          options,
        ).object,
    );
  }

  // ---- internals ----

  private keyOf(target: Target, name: string): string {
    return objectKey(target.definition.namespaced ? target.namespace : undefined, name);
  }

  private schemaOf(definition: ResourceDefinition, version: string): OpenApiSchema | undefined {
    return definition.versions.find((v: ResourceVersionInfo) => v.name === version)?.schema;
  }

  private mergeKeyLookup(definition: ResourceDefinition, version: string): MergeKeyLookup {
    if (definition.strategicMergeKeyFor) return definition.strategicMergeKeyFor;
    const schema = this.schemaOf(definition, version);
    return (path) => {
      let node: OpenApiSchema | undefined = schema;
      for (const field of path) {
        node =
          node?.properties?.[field] ??
          (isPlainObject(node?.additionalProperties)
            ? (node?.additionalProperties as OpenApiSchema)
            : undefined);
        if (node?.type === 'array' && field !== path[path.length - 1]) node = node.items;
      }
      return node?.['x-kubernetes-list-type'] === 'map' ? node['x-kubernetes-list-map-keys']?.[0] : undefined;
    };
  }

  /** Parses the request body into an object of the target's kind. */
  private decode(target: Target, body: unknown): KubeObject {
    const d = target.definition;
    if (!isPlainObject(body)) throw badRequest(`Object '${d.kind}' is missing in request body`);
    const object = deepCopy(body) as KubeObject;
    const expected = apiVersionOf(d.group, target.version);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (object.kind !== undefined && object.kind !== d.kind) {
      throw badRequest(
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${d.kind})`,
      );
    }
    if (object.metadata !== undefined && !isPlainObject(object.metadata))
      throw badRequest('metadata must be an object');
    object.metadata = (object.metadata ?? {}) as KubeObject['metadata'];
    object.apiVersion = expected;
    object.kind = d.kind;
    return object;
  }

  /** Defaults, prunes and validates an object about to be stored; returns warnings for the client. */
  private admit(target: Target, object: KubeObject, options: WriteOptions): string[] {
    const d = target.definition;
    const warnings: string[] = [];
    const version = d.versions.find((v) => v.name === target.version);
    if (version?.deprecationWarning) warnings.push(version.deprecationWarning);
    const schema = version?.schema;
    if (schema) {
      const unknown = pruneUnknownFields(object, schema);
      const mode = options.fieldValidation ?? 'Warn';
      if (unknown.length > 0 && mode === 'Strict') {
        const detail = unknown.map((p) => `unknown field "${p}"`).join(', ');
        throw badRequest(
          `${d.kind} in version "${target.version}" cannot be handled as a ${d.kind}: strict decoding error: ${detail}`,
        );
      }
      if (mode === 'Warn') warnings.push(...unknown.map((p) => `unknown field "${p}"`));
      applyDefaults(object, schema);
      const errors = validateAgainstSchema(object, schema);
      if (errors.length > 0) throw invalid(d.group, d.kind, object.metadata.name ?? '', errors);
    }
    d.defaultObject?.(object);
    this.validateMetadata(target, object);
    if (resourceId(d.group, d.plural) === crdResource) {
      const result = definitionFromCrd(object);
      if (!result.ok) throw invalid(d.group, d.kind, object.metadata.name ?? '', result.errors);
      object.status = establishedStatus(object, nowTimestamp(this.clock));
    }
    object.apiVersion = apiVersionOf(d.group, d.storageVersion);
    return warnings;
  }

  private validateMetadata(target: Target, object: KubeObject): void {
    const errors: FieldError[] = [];
    const check = (field: string, map: unknown): void => {
      if (map === undefined) return;
      if (!isPlainObject(map) || Object.values(map).some((v) => typeof v !== 'string')) {
        errors.push({
          field,
          reason: 'FieldValueTypeInvalid',
          detail: 'Invalid value: must be a map of strings',
        });
      }
    };
    check('metadata.labels', object.metadata.labels);
    check('metadata.annotations', object.metadata.annotations);
    if (errors.length > 0)
      throw invalid(target.definition.group, target.definition.kind, object.metadata.name ?? '', errors);
  }

  private prepareStatusOnCreate(definition: ResourceDefinition, object: KubeObject): void {
    const resource = resourceId(definition.group, definition.plural);
    // Nodes keep the status they are registered with (kubelet does this); others start empty.
    if (!definition.hasStatus || resource === resourceId('', 'nodes')) return;
    delete object.status;
    if (resource === namespaceResource) object.status = { phase: 'Active' };
    if (resource === resourceId('', 'pods')) object.status = { phase: 'Pending' };
  }

  private requireWritableNamespace(namespace: string): void {
    const ns = this.store.peek(namespaceResource, namespace);
    if (!ns) throw notFound('', 'namespaces', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw failure(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private recordOwnership(
    object: KubeObject,
    before: KubeObject | undefined,
    ownership: Ownership,
    version: string,
  ): void {
    const uid = object.metadata.uid ?? '';
    const keyFor = this.definitionOf(object)?.strategicMergeKeyFor ?? (() => undefined);
    const after = withoutServerMetadata(object);
    const entries = (this.owners.get(uid) ?? []).map((e) => ({ ...e, paths: new Set(e.paths) }));
    const taken =
      ownership.appliedPaths ?? changedPaths(before ? withoutServerMetadata(before) : {}, after, keyFor);
    const takenIds = new Set(taken.map(pathId));
    const changedIds = new Set(
      changedPaths(before ? withoutServerMetadata(before) : {}, after, keyFor).map(pathId),
    );
    let entry = entries.find((e) => e.manager === ownership.manager && e.operation === ownership.operation);
    if (!entry) {
      entry = {
        manager: ownership.manager,
        operation: ownership.operation,
        apiVersion: '',
        time: '',
        paths: new Set(),
      };
      entries.push(entry);
    }
    if (ownership.operation === 'Apply') entry.paths = takenIds;
    else for (const id of takenIds) entry.paths.add(id);
    entry.apiVersion = apiVersionOf(this.definitionOf(object)?.group ?? '', version);
    entry.time = nowTimestamp(this.clock);
    for (const other of entries) {
      if (other === entry) continue;
      for (const id of other.paths) {
        const gone = valueAt(after, JSON.parse(id) as FieldPath) === undefined;
        if (gone || (takenIds.has(id) && changedIds.has(id))) other.paths.delete(id);
      }
    }
    const kept = entries.filter((e) => e.paths.size > 0);
    this.owners.set(uid, kept);
    object.metadata.managedFields = kept.map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsV1(e.paths) as never,
    }));
  }

  private definitionOf(object: KubeObject): ResourceDefinition | undefined {
    const [group, version] = (object.apiVersion ?? '').includes('/')
      ? (object.apiVersion ?? '').split('/')
      : ['', object.apiVersion];
    return (
      this.resources.find(
        (d) => d.group === group && d.kind === object.kind && d.versions.some((v) => v.name === version),
      ) ?? this.resources.find((d) => d.group === group && d.kind === object.kind)
    );
  }

  /** Side effects of a stored write: a CRD starts (or changes) what is served. */
  private afterWrite(definition: ResourceDefinition, stored: KubeObject): void {
    if (resourceId(definition.group, definition.plural) !== crdResource) return;
    const result = definitionFromCrd(stored);
    if (result.ok)
      this.definitions.set(resourceId(result.definition.group, result.definition.plural), result.definition);
  }

  private removeObject(
    definition: ResourceDefinition,
    key: string,
    policy: DeleteOptions['propagationPolicy'] = 'Background',
  ): KubeObject | undefined {
    const resource = resourceId(definition.group, definition.plural);
    const removed = this.store.remove(resource, key);
    if (!removed) return undefined;
    const uid = removed.metadata.uid ?? '';
    this.owners.delete(uid);
    if (resource === crdResource) this.removeCustomResources(removed);
    if (policy === 'Orphan') this.orphanDependents(uid);
    else this.scheduleDependentsCollection(uid);
    const namespace = removed.metadata.namespace;
    if (namespace && this.store.peek(namespaceResource, namespace)?.metadata.deletionTimestamp)
      this.finishNamespace(namespace);
    return removed;
  }

  private removeCustomResources(crd: KubeObject): void {
    const result = definitionFromCrd(crd);
    if (!result.ok) return;
    const resource = resourceId(result.definition.group, result.definition.plural);
    for (const object of this.store.list(resource)) {
      this.store.remove(resource, objectKey(object.metadata.namespace, object.metadata.name ?? ''));
    }
    if (this.definitions.get(resource)?.crdName === crd.metadata.name) this.definitions.delete(resource);
  }

  private deleteNamespace(
    target: Target,
    stored: KubeObject,
  ): { object: KubeObject; status: number; removed: boolean } {
    const name = stored.metadata.name ?? '';
    if (!stored.metadata.deletionTimestamp) {
      stored.metadata.deletionTimestamp = nowTimestamp(this.clock);
      stored.status = { phase: 'Terminating' };
      this.store.put(namespaceResource, name, stored);
    }
    for (const d of this.resources.filter((r) => r.namespaced)) {
      for (const object of this.store
        .list(resourceId(d.group, d.plural))
        .filter((o) => o.metadata.namespace === name)) {
        if (object.metadata.deletionTimestamp) continue;
        this.delete({
          definition: d,
          version: d.storageVersion,
          namespace: name,
          name: object.metadata.name ?? '',
        });
      }
    }
    const gone = this.finishNamespace(name);
    const last = gone ?? this.store.get(namespaceResource, name) ?? stored;
    return {
      object: this.present(target.definition, target.version, last),
      status: 200,
      removed: gone !== undefined,
    };
  }

  /** Removes a terminating namespace once nothing is left in it. */
  private finishNamespace(name: string): KubeObject | undefined {
    const empty = this.resources
      .filter((d) => d.namespaced)
      .every((d) =>
        this.store.list(resourceId(d.group, d.plural)).every((o) => o.metadata.namespace !== name),
      );
    return empty ? this.store.remove(namespaceResource, name) : undefined;
  }

  private dependentsOf(uid: string): { definition: ResourceDefinition; object: KubeObject }[] {
    return this.resources.flatMap((definition) =>
      this.store
        .filter(
          resourceId(definition.group, definition.plural),
          (o) => o.metadata.ownerReferences?.some((r) => r.uid === uid) === true,
        )
        .map((object) => ({ definition, object })),
    );
  }

  private orphanDependents(uid: string): void {
    for (const { definition, object } of this.dependentsOf(uid)) {
      object.metadata.ownerReferences = object.metadata.ownerReferences?.filter((r) => r.uid !== uid);
      if (object.metadata.ownerReferences?.length === 0) delete object.metadata.ownerReferences;
      this.store.put(
        resourceId(definition.group, definition.plural),
        objectKey(object.metadata.namespace, object.metadata.name ?? ''),
        object,
      );
    }
  }

  private deleteDependents(uid: string): void {
    for (const { definition, object } of this.dependentsOf(uid)) {
      this.delete(
        { definition, version: definition.storageVersion, ...namespaceAndName(object) },
        { propagationPolicy: 'Foreground' },
      );
    }
  }

  /** Like the garbage collector: shortly after an owner goes, collect dependents left without owners. */
  private scheduleDependentsCollection(uid: string): void {
    this.later(() => {
      for (const { definition, object } of this.dependentsOf(uid)) {
        this.collectIfOrphaned(
          resourceId(definition.group, definition.plural),
          objectKey(object.metadata.namespace, object.metadata.name ?? ''),
        );
      }
    });
  }

  private scheduleCollection(resource: string, key: string): void {
    this.later(() => this.collectIfOrphaned(resource, key));
  }

  private later(work: () => void): void {
    const timer = setTimeout(() => {
      this.pendingCollections.delete(timer);
      work();
    }, 0);
    this.pendingCollections.add(timer);
  }

  private collectIfOrphaned(resource: string, key: string): void {
    const object = this.store.get(resource, key);
    const definition = this.definitions.get(resource);
    if (!object || !definition || !object.metadata.ownerReferences?.length) return;
    const living = object.metadata.ownerReferences.filter(
      (r: OwnerReference) => this.store.byUid(r.uid) !== undefined,
    );
    if (living.length === 0) {
      if (!object.metadata.deletionTimestamp) {
        this.delete({ definition, version: definition.storageVersion, ...namespaceAndName(object) });
      }
    } else if (living.length < object.metadata.ownerReferences.length) {
      object.metadata.ownerReferences = living;
      this.store.put(resource, key, object);
    }
  }
}

function namespaceAndName(object: KubeObject): { namespace?: string; name: string } {
  return {
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    name: object.metadata.name ?? '',
  };
}

/** Everything that counts for metadata.generation: the object without metadata and status. */
function specOf(object: KubeObject): unknown {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

function withoutBookkeeping(object: KubeObject): unknown {
  const copy = deepCopy(object);
  delete copy.metadata.resourceVersion;
  delete copy.metadata.managedFields;
  return copy;
}

function withoutServerMetadata(object: KubeObject): KubeObject {
  const copy = deepCopy(object);
  delete copy.metadata.managedFields;
  delete copy.metadata.resourceVersion;
  return copy;
}

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
  return suffix;
}

function encodeContinue(key: string): string {
  return Buffer.from(JSON.stringify({ key })).toString('base64url');
}

function decodeContinue(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { key?: unknown };
    return typeof parsed.key === 'string' ? parsed.key : undefined;
  } catch {
    return undefined;
  }
}
