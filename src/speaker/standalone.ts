// The speaker without Kubernetes: inputs from a directory of manifests (the same as `ferry render`),
// watched (manifest-watcher.ts); status only in logs, metrics and `ferry status`. This is also how
// ferry runs on a plain Linux router host.
import type { Logger } from 'winston';
import { ferryCrdValidator } from '../api/load-directory.js';
import { formatManifestError } from '../api/manifest-error.js';
import { createManifestFileCache, type ManifestFileCache } from '../api/manifest-file-cache.js';
import type { LoadResult } from '../api/manifests.js';
import { manifestUpdate } from './manifest-changes.js';
import { watchManifests, type ManifestWatcher } from './manifest-watcher.js';
import type { Speaker } from './speaker.js';

export type ManifestSpeaker = Pick<Speaker, 'update' | 'updateObjects'>;

/** The directory's contents handed to the speaker, without the watching. */
export interface ManifestFeed {
  /** loads now and hands the result to the speaker; false when the manifests could not be read */
  load(): boolean;
  /** reads these paths again (as the watcher names them) and hands the speaker what changed */
  loadChanged(paths: readonly string[]): void;
  /**
   * Hands the speaker the whole directory as last read, without reading it (its full reconciles,
   * e.g. the layer 2 hand-over's, start from the last whole view it was given).
   */
  resync(): void;
}

export interface ManifestSource extends Pick<ManifestFeed, 'load' | 'resync'> {
  close(): Promise<void>;
}

/**
 * Manifests that fail schema validation make the configuration Invalid: the speaker keeps its last
 * valid Config (Services still update). After the first load only the paths named are read again
 * (manifest-file-cache.ts), and when those only added, changed or removed Services and
 * EndpointSlices the speaker gets just these objects (manifest-changes.ts); anything else is a full
 * update.
 */
export function createManifestFeed(
  directory: string,
  speaker: ManifestSpeaker,
  logger: Logger,
): ManifestFeed {
  /** undefined until read whole; dropped when a read fails half-way (the next change reads all) */
  let cache: ManifestFileCache | undefined;
  const feed = (loaded: LoadResult): void => {
    const problems = loaded.errors.map(formatManifestError);
    for (const problem of problems) logger.warn('invalid manifest', { problem });
    speaker.update(loaded.resources, problems);
  };
  const cannotRead = (error: unknown): false => {
    cache = undefined;
    logger.error('cannot read manifests', { directory, error: String(error) });
    return false;
  };
  const load = (): boolean => {
    try {
      cache = createManifestFileCache(directory, ferryCrdValidator());
      feed(cache.reloadAll());
      return true;
    } catch (error) {
      return cannotRead(error);
    }
  };
  return {
    load,
    loadChanged(paths) {
      // before the first load there is nothing to refresh: read everything
      if (cache === undefined) {
        load();
        return;
      }
      try {
        const update = manifestUpdate(cache.refresh(paths), cache.definitions);
        if (!update.full) {
          if (update.objects.length === 0) return;
          // false until a first valid Config: then everything
          if (speaker.updateObjects(update.objects)) {
            logger.debug('manifests changed: objects', { objects: update.objects.length });
            return;
          }
        } else logger.debug('manifests changed: full update', { reason: update.reason });
        feed(cache.result());
      } catch (error) {
        cannotRead(error);
      }
    },
    resync() {
      if (cache !== undefined) feed(cache.result());
    },
  };
}

/** Loads the directory and feeds the speaker on every change (`createManifestFeed`). */
export function watchManifestDirectory(
  directory: string,
  speaker: ManifestSpeaker,
  logger: Logger,
  options: { readonly watch: boolean; readonly debounceMs?: number } = { watch: true },
): ManifestSource {
  const feed = createManifestFeed(directory, speaker, logger);
  let watcher: ManifestWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();
  if (options.watch) {
    watcher = watchManifests(
      directory,
      (path) => {
        logger.debug('manifests changed', { path });
        changed.add(path);
        if (timer !== undefined) clearTimeout(timer);
        // editors write files in several steps: load once they are done
        timer = setTimeout(() => {
          const paths = [...changed];
          changed.clear();
          feed.loadChanged(paths);
        }, options.debounceMs ?? 50);
      },
      (error) => logger.error('cannot watch manifests', { directory, error: String(error) }),
    );
  }
  return {
    load: feed.load,
    resync: feed.resync,
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      watcher?.close();
    },
  };
}
