// The speaker without Kubernetes: inputs from a directory of manifests (the same as `ferry render`),
// watched with chokidar; status only in logs, metrics and `ferry status`. This is also how ferry runs
// on a plain Linux router host.
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'winston';
import { ferryCrdValidator } from '../api/load-directory.js';
import { formatManifestError } from '../api/manifest-error.js';
import { createManifestFileCache } from '../api/manifest-file-cache.js';
import type { LoadResult } from '../api/manifests.js';
import type { Speaker } from './speaker.js';

export interface ManifestSource {
  /** loads now and hands the result to the speaker; false when the manifests could not be read */
  load(): boolean;
  close(): Promise<void>;
}

/**
 * Loads the directory and feeds the speaker on every change. Manifests that fail schema validation
 * make the configuration Invalid: the speaker keeps its last valid Config (Services still update).
 * After the first load only the files chokidar names are read again (manifest-file-cache.ts).
 */
export function watchManifestDirectory(
  directory: string,
  speaker: Pick<Speaker, 'update'>,
  logger: Logger,
  options: { readonly watch: boolean; readonly debounceMs?: number } = { watch: true },
): ManifestSource {
  let cache: ReturnType<typeof createManifestFileCache> | undefined;
  const feed = (read: () => LoadResult): boolean => {
    try {
      const loaded = read();
      const problems = loaded.errors.map(formatManifestError);
      for (const problem of problems) logger.warn('invalid manifest', { problem });
      speaker.update(loaded.resources, problems);
      return true;
    } catch (error) {
      logger.error('cannot read manifests', { directory, error: String(error) });
      return false;
    }
  };
  const load = (): boolean =>
    feed(() => {
      cache ??= createManifestFileCache(directory, ferryCrdValidator());
      return cache.reloadAll();
    });
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  const loadChanged = (): void => {
    const paths = [...changed];
    changed.clear();
    // before the first load there is nothing to refresh: read everything
    if (cache === undefined) load();
    else feed(() => (cache as NonNullable<typeof cache>).refresh(paths));
  };
  if (options.watch) {
    watcher = watch(directory, { ignoreInitial: true });
    watcher.on('all', (event, path) => {
      logger.debug('manifests changed', { event, path });
      changed.add(path);
      if (timer !== undefined) clearTimeout(timer);
      // editors write files in several steps: load once they are done
      timer = setTimeout(loadChanged, options.debounceMs ?? 50);
    });
  }
  return {
    load,
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      await watcher?.close();
    },
  };
}
