// Field ownership for server-side apply, at leaf granularity. A path is a list of segments in the
// managedFields vocabulary: `f:spec`, `f:ports`, `k:{"port":80}`. Lists without a merge key are
// atomic (one leaf). This is a simplification of structured-merge-diff that is enough for
// `kubectl apply --server-side`: conflicts with other managers, force, and removal of fields a
// manager stops applying.
import type { MergeKeyLookup } from './patch.js';
import { deepEqual, isPlainObject } from './object.js';

export type FieldPath = string[];
export type Operation = 'Apply' | 'Update';

/** metadata fields the server owns; never tracked. */
const untrackedMetadata = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

function fieldNames(path: FieldPath): string[] {
  return path.filter((s) => s.startsWith('f:')).map((s) => s.slice(2));
}

export function leafPaths(value: unknown, keyFor: MergeKeyLookup, path: FieldPath = []): FieldPath[] {
  if (isPlainObject(value)) {
    const entries = Object.entries(value).filter(([key, child]) => {
      if (child === undefined) return false;
      if (path.length === 0) return key !== 'apiVersion' && key !== 'kind';
      return !(path.length === 1 && path[0] === 'f:metadata' && untrackedMetadata.has(key));
    });
    if (entries.length === 0) return path.length === 0 ? [] : [path];
    return entries.flatMap(([key, child]) => leafPaths(child, keyFor, [...path, `f:${key}`]));
  }
  if (Array.isArray(value)) {
    const key = keyFor(fieldNames(path));
    if (key !== undefined && value.every((item) => isPlainObject(item) && item[key] !== undefined)) {
      return value.flatMap((item) => {
        const itemPath = [...path, `k:${JSON.stringify({ [key]: (item as Record<string, unknown>)[key] })}`];
        return leafPaths(item, keyFor, itemPath);
      });
    }
  }
  return [path];
}

function step(current: unknown, segment: string): unknown {
  if (segment.startsWith('f:')) return isPlainObject(current) ? current[segment.slice(2)] : undefined;
  if (segment.startsWith('k:') && Array.isArray(current)) {
    const selector = JSON.parse(segment.slice(2)) as Record<string, unknown>;
    return current.find(
      (item) => isPlainObject(item) && Object.entries(selector).every(([k, v]) => deepEqual(item[k], v)),
    );
  }
  return undefined;
}

export function valueAt(object: unknown, path: FieldPath): unknown {
  return path.reduce<unknown>((current, segment) => step(current, segment), object);
}

/** Removes the leaf at `path`, then any parent object or list item left empty by it. */
export function removePath(object: unknown, path: FieldPath): void {
  if (path.length === 0) return;
  const parents = path
    .slice(0, -1)
    .reduce<unknown[]>((chain, segment) => [...chain, step(chain[chain.length - 1], segment)], [object]);
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const parent = parents[depth];
    const segment = path[depth] ?? '';
    const child = step(parent, segment);
    const childIsEmptied =
      depth === path.length - 1 ||
      (isPlainObject(child) && Object.keys(child).length <= (segment.startsWith('k:') ? 1 : 0));
    if (!childIsEmptied) return;
    if (segment.startsWith('f:') && isPlainObject(parent)) delete parent[segment.slice(2)];
    else if (Array.isArray(parent)) parent.splice(parent.indexOf(child), 1);
  }
}

export const pathId = (path: FieldPath): string => JSON.stringify(path);

/** managedFields' `fieldsV1` tree for a set of leaf paths. */
export function fieldsV1(paths: Iterable<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const id of paths) {
    let node = root;
    for (const segment of JSON.parse(id) as FieldPath) {
      const child = (node[segment] ??= {}) as Record<string, unknown>;
      node = child;
    }
  }
  return root;
}

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time: string;
  paths: Set<string>;
}

export interface ApplyConflict {
  manager: string;
  field: string;
}

/** `.spec.ports[port=80].port` — how the API server names a conflicting field. */
export function describePath(path: FieldPath): string {
  return path
    .map((segment) => {
      if (segment.startsWith('f:')) return `.${segment.slice(2)}`;
      const selector = JSON.parse(segment.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(selector)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

export function findConflicts(
  live: unknown,
  applied: unknown,
  appliedPaths: FieldPath[],
  managers: ManagerEntry[],
  self: string,
): ApplyConflict[] {
  const conflicts: ApplyConflict[] = [];
  for (const path of appliedPaths) {
    const id = pathId(path);
    for (const entry of managers) {
      if ((entry.manager === self && entry.operation === 'Apply') || !entry.paths.has(id)) continue;
      if (!deepEqual(valueAt(live, path), valueAt(applied, path))) {
        conflicts.push({ manager: entry.manager, field: describePath(path) });
      }
    }
  }
  return conflicts;
}

/** Leaf paths whose value differs between two versions of an object (added or changed in `after`). */
export function changedPaths(before: unknown, after: unknown, keyFor: MergeKeyLookup): FieldPath[] {
  return leafPaths(after, keyFor).filter((path) => !deepEqual(valueAt(before, path), valueAt(after, path)));
}
