// A directory of manifests kept loaded file by file: when the watcher says which files changed, only
// those are read, parsed and validated again, and the result is the per-file results put together in
// path order. Reading and validating 3,000 Service files on every change was most of the time a new
// Service took to reach FRR in standalone mode. Each refresh also says what every file read again held
// before and after, so the caller can pass on only the objects that changed (speaker/manifest-changes.ts).
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { CrdValidator } from './crd-validator.js';
import { readManifestFiles } from './load-directory.js';
import type { ManifestError } from './manifest-error.js';
import { loadManifests, type LoadOptions, type LoadResult } from './manifests.js';
import { emptyResources, type Resources } from './resources.js';

const YAML_FILE = /\.ya?ml$/i;

/** One file read again: its result before (undefined: it was not there) and after (undefined: gone). */
export interface FileChange {
  readonly path: string;
  readonly before: LoadResult | undefined;
  readonly after: LoadResult | undefined;
}

/** The lists whose objects the cache counts by `namespace/name` (see `definitions`). */
export type CountedList = 'services' | 'endpointSlices';

export interface ManifestFileCache {
  /** Reads every file again (the start, or when the watcher cannot say what changed). */
  reloadAll(): LoadResult;
  /**
   * Reads these paths again: changed or added files are loaded, files or directories that no longer
   * exist are dropped, a new directory is read whole. Other files keep their last result. Returns
   * the files read again or dropped, in path order (also those whose text did not change).
   */
  refresh(paths: Iterable<string>): readonly FileChange[];
  /** Every cached file's objects put together, as a full load gives them (O(files)). */
  result(): LoadResult;
  /** How many objects of `list` named `namespace/name` the cached files hold (0, 1, or duplicates). */
  definitions(list: CountedList, key: string): number;
  /** How many files are cached (for logs and tests). */
  readonly size: number;
}

const COUNTED: readonly CountedList[] = ['services', 'endpointSlices'];

/** `namespace/name`, the key the speaker's incremental path uses for Services and EndpointSlices. */
export const objectKey = (object: { readonly namespace: string; readonly name: string }): string =>
  `${object.namespace}/${object.name}`;

/** Per-file results, combined in the order of their paths (as a full load reads them). */
export function combineLoadResults(results: readonly LoadResult[]): LoadResult {
  const resources = emptyResources();
  const errors: ManifestError[] = [];
  const warnings: ManifestError[] = [];
  for (const result of results) {
    for (const list of Object.keys(resources) as (keyof Resources)[])
      (resources[list] as unknown[]).push(...result.resources[list]);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
  }
  return { resources, errors, warnings };
}

/** `root` is a directory of manifests (recursively) or one file, as for `ferry render --manifests`. */
export function createManifestFileCache(
  root: string,
  validator: CrdValidator,
  options: LoadOptions = {},
): ManifestFileCache {
  /** absolute path → its result */
  const files = new Map<string, LoadResult>();
  /** `list namespace/name` → how many objects of the cached files have that name */
  const counts = new Map<string, number>();
  const absoluteRoot = resolve(root);
  /** the current refresh's files: path → its result before the refresh */
  let touched: Map<string, LoadResult | undefined> | undefined;

  const count = (result: LoadResult | undefined, delta: 1 | -1): void => {
    for (const list of COUNTED)
      for (const object of result?.resources[list] ?? []) {
        const key = `${list} ${objectKey(object)}`;
        const next = (counts.get(key) ?? 0) + delta;
        if (next === 0) counts.delete(key);
        else counts.set(key, next);
      }
  };

  /** Every change of `files` goes through here: the counts and the refresh's record follow it. */
  const put = (absolute: string, result: LoadResult | undefined): void => {
    const before = files.get(absolute);
    if (touched !== undefined && !touched.has(absolute)) touched.set(absolute, before);
    count(before, -1);
    count(result, 1);
    if (result === undefined) files.delete(absolute);
    else files.set(absolute, result);
  };

  const loadFile = (absolute: string, text: string): LoadResult =>
    loadManifests([{ path: relative(process.cwd(), absolute) || absolute, text }], validator, options);

  const loadBelow = (path: string): void => {
    for (const file of readManifestFiles(path)) {
      const absolute = resolve(file.path);
      put(absolute, loadFile(absolute, file.text));
    }
  };

  const dropBelow = (absolute: string): void => {
    for (const path of [...files.keys()])
      if (path === absolute || path.startsWith(absolute + sep)) put(path, undefined);
  };

  const combined = (): LoadResult =>
    combineLoadResults([...files.keys()].sort().map((path) => files.get(path) as LoadResult));

  const isDirectory = (absolute: string): boolean | undefined => {
    try {
      return statSync(absolute).isDirectory();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  const readAgain = (paths: Iterable<string>): void => {
    for (const path of new Set([...paths].map((p) => resolve(p)))) {
      const directory = isDirectory(path);
      if (directory === undefined) {
        dropBelow(path);
      } else if (directory) {
        dropBelow(path);
        loadBelow(path);
      } else if (YAML_FILE.test(path) || path === absoluteRoot) {
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (error) {
          // gone between the stat and the read: a later event says what came instead
          if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
          dropBelow(path);
          continue;
        }
        put(path, loadFile(path, text));
      }
    }
  };

  return {
    reloadAll() {
      files.clear();
      counts.clear();
      loadBelow(absoluteRoot);
      return combined();
    },
    refresh(paths) {
      const record = new Map<string, LoadResult | undefined>();
      touched = record;
      try {
        readAgain(paths);
      } finally {
        touched = undefined;
      }
      return [...record.keys()]
        .sort()
        .map((path) => ({ path, before: record.get(path), after: files.get(path) }))
        .filter((file) => file.before !== undefined || file.after !== undefined);
    },
    result: combined,
    definitions: (list, key) => counts.get(`${list} ${key}`) ?? 0,
    get size() {
      return files.size;
    },
  };
}
