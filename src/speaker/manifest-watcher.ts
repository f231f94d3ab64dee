// Which paths below a manifests directory (or which one file) changed, as the kernel names them: one
// fs.watch (inotify) per directory, none per file, and no scan per event. chokidar, used before,
// re-read and lstat'ed every entry of a directory to find out which file an event was about: at 3,000
// Service files that was O(files) per file added or removed (0.1–1 s on a loaded 2-vCPU host, most of
// the time a new Service took to reach FRR), and it held one watch per file.
//
// Events are reported, not interpreted: the caller reads the paths again (manifest-file-cache.ts
// stats each: a file, a directory to read whole, or gone). A new subdirectory is reported as itself
// (its files may predate its watch) and watched from then on.
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

export interface ManifestWatcher {
  close(): void;
}

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Calls `onChange(path)` for every path below `root` that was created, written, renamed or removed
 * (`root` itself after the kernel dropped events). Symbolic links to directories are not followed,
 * as readManifestFiles does not follow them.
 */
export function watchManifests(
  root: string,
  onChange: (path: string) => void,
  onError: (error: unknown) => void,
): ManifestWatcher {
  const absolute = resolve(root);
  const watchers = new Map<string, FSWatcher>();
  let closed = false;

  const unwatchBelow = (directory: string): void => {
    for (const [path, watcher] of watchers)
      if (path === directory || path.startsWith(directory + sep)) {
        watcher.close();
        watchers.delete(path);
      }
  };

  /** Watches `directory` and the directories below it; `only` keeps the events of one name. */
  const watchBelow = (directory: string, only?: string): void => {
    if (closed || watchers.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, name) => {
        if (closed) return;
        const entry = name === null ? undefined : name.toString();
        if (only !== undefined && entry !== undefined && entry !== only) return;
        // no name: the kernel's queue overflowed, anything below may have changed
        const path =
          entry === undefined ? (only === undefined ? directory : absolute) : join(directory, entry);
        if (only === undefined && entry !== undefined) {
          if (isDirectory(path)) watchBelow(path);
          else if (watchers.has(path)) unwatchBelow(path);
        }
        onChange(path);
      });
    } catch (error) {
      // gone before it could be watched: its parent's event says so
      if ((error as { code?: unknown }).code !== 'ENOENT') onError(error);
      return;
    }
    // a watched directory removed: inotify drops the watch (the parent's event reports the path)
    watcher.on('error', () => unwatchBelow(directory));
    watchers.set(directory, watcher);
    if (only !== undefined) return;
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') onError(error);
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) watchBelow(join(directory, entry.name));
  };

  // one file: its directory, for its name only (editors replace the file, the inode changes)
  if (isDirectory(absolute)) watchBelow(absolute);
  else watchBelow(dirname(absolute), basename(absolute));
  return {
    close() {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
