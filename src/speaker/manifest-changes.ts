// What a change of manifest files means for the standalone speaker: when the files read again only
// add, change or remove Services and EndpointSlices, those objects one by one (Speaker.updateObjects,
// O(the change)); anything else needs the whole view again (Speaker.update): the configuration kinds
// (pools, peers, advertisements, ...), Nodes, Secrets, Namespaces, a file with problems (they make
// the configuration Invalid or Valid again), a file whose kinds changed, and an object also defined
// in a file that was not read again (a full load decides which definition counts).
import { objectKey, type CountedList, type FileChange } from '../api/manifest-file-cache.js';
import type { LoadResult } from '../api/manifests.js';
import type { Resources } from '../api/resources.js';
import type { ObjectChange } from '../node-pipeline/incremental-node.js';

export type ManifestUpdate =
  | { readonly full: false; readonly objects: readonly ObjectChange[] }
  /** `reason` names the file (and object) that needs the whole view, for the log */
  | { readonly full: true; readonly reason: string };

const PER_OBJECT: readonly CountedList[] = ['services', 'endpointSlices'];
const KIND: Record<CountedList, ObjectChange['kind']> = {
  services: 'service',
  endpointSlices: 'endpointSlice',
};

/** The lists of a file's result that hold objects. */
const listsHeld = (result: LoadResult | undefined): (keyof Resources)[] =>
  result === undefined
    ? []
    : (Object.keys(result.resources) as (keyof Resources)[]).filter(
        (list) => result.resources[list].length > 0,
      );

/** Why this file needs a full update, or undefined when its objects can go one by one. */
function fullBecause({ path, before, after }: FileChange): string | undefined {
  if ((before?.errors.length ?? 0) > 0) return `${path} had problems`;
  if ((after?.errors.length ?? 0) > 0) return `${path} has problems`;
  const held = listsHeld(before);
  const holds = listsHeld(after);
  const other = [...held, ...holds].find((list) => !(PER_OBJECT as readonly string[]).includes(list));
  if (other !== undefined) return `${path} holds ${other}`;
  // an empty file (just created, or emptied) has no kinds to compare
  if (held.length > 0 && holds.length > 0 && held.join() !== holds.join())
    return `${path} held ${held.join(', ')} and now holds ${holds.join(', ')}`;
  return undefined;
}

type Named = { readonly namespace: string; readonly name: string };

/**
 * Each object of `list` the changed files held before or hold now, with its one definition now
 * (undefined: gone); a string saying why not when a key has no single definition in these files.
 */
function objectsOf<T extends Named>(
  changes: readonly FileChange[],
  list: CountedList,
  objectsIn: (result: LoadResult) => readonly T[],
  definitions: (list: CountedList, key: string) => number,
): { readonly key: string; readonly object: T | undefined }[] | string {
  /** key → where it is defined in the changed files now */
  const now = new Map<string, { readonly object: T; readonly path: string }[]>();
  const touched = new Set<string>();
  for (const { path, before, after } of changes) {
    for (const object of before === undefined ? [] : objectsIn(before)) touched.add(objectKey(object));
    for (const object of after === undefined ? [] : objectsIn(after)) {
      const key = objectKey(object);
      touched.add(key);
      now.set(key, [...(now.get(key) ?? []), { object, path }]);
    }
  }
  const result: { key: string; object: T | undefined }[] = [];
  for (const key of [...touched].sort()) {
    const [definition, second] = now.get(key) ?? [];
    if (second !== undefined)
      return `${KIND[list]} ${key} is defined twice (${definition?.path ?? ''}, ${second.path})`;
    if (definitions(list, key) !== (definition === undefined ? 0 : 1))
      return `${KIND[list]} ${key} is also defined in a file not read again`;
    result.push({ key, object: definition?.object });
  }
  return result;
}

/**
 * The update for the files read again (`changes`, from ManifestFileCache.refresh), given how many
 * definitions of each object all cached files hold now (ManifestFileCache.definitions).
 */
export function manifestUpdate(
  changes: readonly FileChange[],
  definitions: (list: CountedList, key: string) => number,
): ManifestUpdate {
  for (const change of changes) {
    const reason = fullBecause(change);
    if (reason !== undefined) return { full: true, reason };
  }
  const services = objectsOf(changes, 'services', (r) => r.resources.services, definitions);
  if (typeof services === 'string') return { full: true, reason: services };
  const slices = objectsOf(changes, 'endpointSlices', (r) => r.resources.endpointSlices, definitions);
  if (typeof slices === 'string') return { full: true, reason: slices };
  return {
    full: false,
    objects: [
      ...services.map(({ key, object }): ObjectChange => ({ kind: 'service', key, object })),
      ...slices.map(({ key, object }): ObjectChange => ({ kind: 'endpointSlice', key, object })),
    ],
  };
}
