// The three patch formats the API accepts besides apply: RFC 6902 JSON patch, RFC 7386 JSON merge
// patch, and strategic merge patch (merge patch where some lists merge element-wise by a key).
import { deepCopy, deepEqual, isPlainObject } from './object.js';

export type PatchResult = { ok: true; value: unknown } | { ok: false; message: string };

function decodePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Location {
  parent: Record<string, unknown> | unknown[];
  key: string;
}

function locate(document: unknown, path: string[]): Location | undefined {
  let current: unknown = document;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isPlainObject(current)) current = current[segment];
    else return undefined;
  }
  const key = path[path.length - 1];
  if (key === undefined || (!Array.isArray(current) && !isPlainObject(current))) return undefined;
  return { parent: current, key };
}

function readAt(document: unknown, path: string[]): { found: boolean; value?: unknown } {
  let current: unknown = document;
  for (const segment of path) {
    if (Array.isArray(current) && /^\d+$/.test(segment) && Number(segment) < current.length) {
      current = current[Number(segment)];
    } else if (isPlainObject(current) && segment in current) current = current[segment];
    else return { found: false };
  }
  return { found: true, value: current };
}

function arrayIndex(parent: unknown[], key: string, forInsert: boolean): number | undefined {
  if (forInsert && key === '-') return parent.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
  const index = Number(key);
  return index <= parent.length - (forInsert ? 0 : 1) ? index : undefined;
}

function removeAt(document: unknown, path: string[]): { ok: boolean; removed?: unknown } {
  const location = locate(document, path);
  if (!location) return { ok: false };
  if (Array.isArray(location.parent)) {
    const index = arrayIndex(location.parent, location.key, false);
    if (index === undefined) return { ok: false };
    return { ok: true, removed: location.parent.splice(index, 1)[0] };
  }
  if (!(location.key in location.parent)) return { ok: false };
  const removed = location.parent[location.key];
  delete location.parent[location.key];
  return { ok: true, removed };
}

function addAt(document: unknown, path: string[], value: unknown): { ok: boolean; document: unknown } {
  if (path.length === 0) return { ok: true, document: value };
  const location = locate(document, path);
  if (!location) return { ok: false, document };
  if (Array.isArray(location.parent)) {
    const index = arrayIndex(location.parent, location.key, true);
    if (index === undefined) return { ok: false, document };
    location.parent.splice(index, 0, value);
  } else location.parent[location.key] = value;
  return { ok: true, document };
}

/** RFC 6902. Errors name the failing operation the way the API server does. */
export function applyJsonPatch(target: unknown, operations: unknown): PatchResult {
  if (!Array.isArray(operations)) return { ok: false, message: 'json patch must be a list of operations' };
  let document = deepCopy(target);
  for (const [i, operation] of operations.entries()) {
    if (!isPlainObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      return { ok: false, message: `operation ${i}: missing "op" or "path"` };
    }
    const path = decodePointer(operation.path);
    if (!path) return { ok: false, message: `operation ${i}: invalid path "${operation.path}"` };
    const from = typeof operation.from === 'string' ? decodePointer(operation.from) : undefined;
    const fail = (why: string): PatchResult => ({
      ok: false,
      message: `${why} in operation ${operation.op} ${operation.path}`,
    });
    switch (operation.op) {
      case 'add': {
        const added = addAt(document, path, deepCopy(operation.value));
        if (!added.ok) return fail('missing path');
        document = added.document;
        break;
      }
      case 'remove':
        if (!removeAt(document, path).ok) return fail('unable to remove nonexistent key');
        break;
      case 'replace': {
        if (path.length > 0 && !removeAt(document, path).ok)
          return fail('replace operation does not apply: doc is missing key');
        document = addAt(document, path, deepCopy(operation.value)).document;
        break;
      }
      case 'move':
      case 'copy': {
        if (!from) return fail('missing "from"');
        const source = readAt(document, from);
        if (!source.found) return fail('"from" does not exist');
        if (operation.op === 'move') removeAt(document, from);
        const added = addAt(document, path, deepCopy(source.value));
        if (!added.ok) return fail('missing path');
        document = added.document;
        break;
      }
      case 'test': {
        const current = readAt(document, path);
        if (!current.found || !deepEqual(current.value, operation.value)) return fail('testing value failed');
        break;
      }
      default:
        return { ok: false, message: `Unexpected kind: ${operation.op}` };
    }
  }
  return { ok: true, value: document };
}

/** RFC 7386: objects merge recursively, `null` deletes, everything else (lists too) replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepCopy(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** Returns the merge key of the list at `path` (field names only, no indices), or undefined if atomic. */
export type MergeKeyLookup = (path: readonly string[]) => string | undefined;

/**
 * Strategic merge patch for the lists the tests use: keyed lists merge element by key, honouring
 * `$patch: delete|replace` on elements and `$deleteFromPrimitiveList/<field>`; `$setElementOrder` and
 * `$retainKeys` directives are accepted and dropped (ordering follows the live list, new items last).
 */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  mergeKeyFor: MergeKeyLookup,
  path: readonly string[] = [],
): unknown {
  if (!isPlainObject(patch)) return deepCopy(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return applyStrategicMergePatch({}, rest, mergeKeyFor, path);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isPlainObject(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((item) => !value.some((v) => deepEqual(v, item)));
      }
      continue;
    }
    const childPath = [...path, key];
    if (value === null) {
      delete result[key];
      continue;
    }
    const mergeKey = Array.isArray(value) ? mergeKeyFor(childPath) : undefined;
    if (Array.isArray(value) && mergeKey !== undefined) {
      result[key] = mergeKeyedList(result[key], value, mergeKey, mergeKeyFor, childPath);
    } else {
      const merged = applyStrategicMergePatch(result[key], value, mergeKeyFor, childPath);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

function mergeKeyedList(
  live: unknown,
  patchItems: unknown[],
  mergeKey: string,
  mergeKeyFor: MergeKeyLookup,
  path: readonly string[],
): unknown[] {
  const result = Array.isArray(live) ? deepCopy(live) : [];
  for (const item of patchItems) {
    if (!isPlainObject(item)) {
      if (!result.some((existing) => deepEqual(existing, item))) result.push(deepCopy(item));
      continue;
    }
    const index = result.findIndex(
      (existing) => isPlainObject(existing) && deepEqual(existing[mergeKey], item[mergeKey]),
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = applyStrategicMergePatch(result[index], item, mergeKeyFor, path);
    else result.push(applyStrategicMergePatch({}, item, mergeKeyFor, path));
  }
  return result;
}
