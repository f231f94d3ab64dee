// A directory of manifests kept loaded file by file: when the watcher says which files changed, only
// those are read, parsed and validated again, and the result is the per-file results put together in
// path order. Reading and validating 3,000 Service files on every change was most of the time a new
// Service took to reach FRR in standalone mode.
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { CrdValidator } from './crd-validator.js';
import { readManifestFiles } from './load-directory.js';
import type { ManifestError } from './manifest-error.js';
import { loadManifests, type LoadOptions, type LoadResult } from './manifests.js';
import { emptyResources, type Resources } from './resources.js';

const YAML_FILE = /\.ya?ml$/i;

export interface ManifestFileCache {
  /** Reads every file again (the start, or when the watcher cannot say what changed). */
  reloadAll(): LoadResult;
  /**
   * Reads these paths again: changed or added files are loaded, files or directories that no longer
   * exist are dropped, a new directory is read whole. Other files keep their last result.
   */
  refresh(paths: Iterable<string>): LoadResult;
  /** How many files are cached (for logs and tests). */
  readonly size: number;
}

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
  const absoluteRoot = resolve(root);

  const loadFile = (absolute: string, text: string): LoadResult =>
    loadManifests([{ path: relative(process.cwd(), absolute) || absolute, text }], validator, options);

  const loadBelow = (path: string): void => {
    for (const file of readManifestFiles(path)) {
      const absolute = resolve(file.path);
      files.set(absolute, loadFile(absolute, file.text));
    }
  };

  const dropBelow = (absolute: string): void => {
    for (const path of [...files.keys()])
      if (path === absolute || path.startsWith(absolute + sep)) files.delete(path);
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

  return {
    reloadAll() {
      files.clear();
      loadBelow(absoluteRoot);
      return combined();
    },
    refresh(paths) {
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
          files.set(path, loadFile(path, text));
        }
      }
      return combined();
    },
    get size() {
      return files.size;
    },
  };
}
