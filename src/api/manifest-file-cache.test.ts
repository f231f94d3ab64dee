import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ferryCrdValidator, loadManifestDirectory } from './load-directory.js';
import { formatManifestError } from './manifest-error.js';
import { createManifestFileCache, type ManifestFileCache } from './manifest-file-cache.js';
import type { LoadResult } from './manifests.js';

const pool = [
  'apiVersion: metallb.io/v1beta1',
  'kind: IPAddressPool',
  'metadata: {name: pool, namespace: metallb-system}',
  'spec: {addresses: [203.0.113.0/24]}',
].join('\n');

const service = (name: string, port = 80) =>
  [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}, namespace: default}`,
    `spec: {type: LoadBalancer, ports: [{port: ${port}, protocol: TCP}]}`,
  ].join('\n');

const serviceNames = (result: LoadResult) => result.resources.services.map((s) => s.name);
const errors = (result: LoadResult) => result.errors.map(formatManifestError).sort();

/** Reads the paths again; the whole directory as cached after that. */
function refreshed(cache: ManifestFileCache, paths: readonly string[]): LoadResult {
  cache.refresh(paths);
  return cache.result();
}

/** The cache's result is what reading the whole directory again gives. */
function expectFullLoad(result: LoadResult, directory: string): void {
  const full = loadManifestDirectory(directory);
  expect(result.resources).toEqual(full.resources);
  expect(errors(result)).toEqual(errors(full));
}

test('only the files named are read again; the result equals a full load after each change', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-manifest-cache-'));
  try {
    writeFileSync(join(directory, 'pool.yaml'), pool);
    writeFileSync(join(directory, 'a.yaml'), service('a'));
    const cache = createManifestFileCache(directory, ferryCrdValidator());
    const first = cache.reloadAll();
    expect(serviceNames(first)).toEqual(['a']);
    expect(first.resources.ipAddressPools.map((p) => p.metadata.name)).toEqual(['pool']);
    expectFullLoad(first, directory);

    // change: a.yaml is read again; b.yaml, written but not named, is not (yet)
    writeFileSync(join(directory, 'a.yaml'), service('a', 443));
    writeFileSync(join(directory, 'b.yaml'), service('b'));
    const changed = refreshed(cache, [join(directory, 'a.yaml')]);
    expect(changed.resources.services.map((s) => [s.name, s.ports?.[0]?.port])).toEqual([['a', 443]]);

    // add: b.yaml, in path order after a.yaml
    expectFullLoad(refreshed(cache, [join(directory, 'b.yaml')]), directory);
    expect(cache.size).toBe(3);

    // delete
    rmSync(join(directory, 'a.yaml'));
    const deleted = refreshed(cache, [join(directory, 'a.yaml')]);
    expect(serviceNames(deleted)).toEqual(['b']);
    expectFullLoad(deleted, directory);

    // rename: the watcher reports the old path gone and the new one added
    renameSync(join(directory, 'b.yaml'), join(directory, 'c.yml'));
    const renamed = refreshed(cache, [join(directory, 'b.yaml'), join(directory, 'c.yml')]);
    expect(serviceNames(renamed)).toEqual(['b']);
    expect(cache.size).toBe(2);
    expectFullLoad(renamed, directory);

    // a directory added and removed; files that are not YAML are ignored
    mkdirSync(join(directory, 'team'));
    writeFileSync(join(directory, 'team', 'd.yaml'), service('d'));
    writeFileSync(join(directory, 'team', 'notes.txt'), 'not a manifest');
    const added = refreshed(cache, [join(directory, 'team')]);
    expect(serviceNames(added)).toEqual(['b', 'd']);
    expect(serviceNames(refreshed(cache, [join(directory, 'team', 'notes.txt')]))).toEqual(['b', 'd']);
    rmSync(join(directory, 'team'), { recursive: true });
    expectFullLoad(refreshed(cache, [join(directory, 'team')]), directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a file turning invalid is reported and its objects left out, as a full load does', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-manifest-cache-'));
  try {
    writeFileSync(join(directory, 'pool.yaml'), pool);
    writeFileSync(join(directory, 'a.yaml'), service('a'));
    const cache = createManifestFileCache(directory, ferryCrdValidator());
    cache.reloadAll();
    // half-written YAML, then a schema error in the pool: the speaker gets the errors (and keeps its
    // last valid Config, speaker.ts), the other files' objects are unchanged
    writeFileSync(join(directory, 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: a');
    const broken = refreshed(cache, [join(directory, 'a.yaml')]);
    expect(serviceNames(broken)).toEqual([]);
    expect(errors(broken)).toEqual([expect.stringMatching(/a\.yaml.*invalid YAML/)]);
    expectFullLoad(broken, directory);
    writeFileSync(join(directory, 'pool.yaml'), pool.replace('addresses', 'adresses'));
    const invalid = refreshed(cache, [join(directory, 'pool.yaml')]);
    expect(invalid.resources.ipAddressPools).toEqual([]);
    expect(errors(invalid)).toContainEqual(expect.stringMatching(/pool\.yaml.*adresses/));
    expectFullLoad(invalid, directory);
    // fixed again
    writeFileSync(join(directory, 'a.yaml'), service('a'));
    writeFileSync(join(directory, 'pool.yaml'), pool);
    const fixed = refreshed(cache, [join(directory, 'a.yaml'), join(directory, 'pool.yaml')]);
    expect(errors(fixed)).toEqual([]);
    expectFullLoad(fixed, directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a refresh says what each file read again held before and after; definitions count names across files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-manifest-cache-'));
  try {
    writeFileSync(join(directory, 'a.yaml'), service('a'));
    writeFileSync(join(directory, 'b.yaml'), service('b'));
    const cache = createManifestFileCache(directory, ferryCrdValidator());
    cache.reloadAll();
    expect(cache.definitions('services', 'default/a')).toBe(1);
    const held = (result: LoadResult | undefined) =>
      result === undefined ? undefined : serviceNames(result);

    // changed, added, and a path that is not there at all (not reported)
    writeFileSync(join(directory, 'a.yaml'), service('a', 443));
    writeFileSync(join(directory, 'c.yaml'), service('a'));
    const files = cache.refresh(['c.yaml', 'a.yaml', 'nothing.yaml'].map((name) => join(directory, name)));
    expect(files.map((f) => [f.path, held(f.before), held(f.after)])).toEqual([
      [join(directory, 'a.yaml'), ['a'], ['a']],
      [join(directory, 'c.yaml'), undefined, ['a']],
    ]);
    expect(files[0]?.after?.resources.services[0]?.ports?.[0]?.port).toBe(443);
    // c.yaml defines default/a a second time
    expect(cache.definitions('services', 'default/a')).toBe(2);

    // removed: reported with nothing after; its names no longer counted
    rmSync(join(directory, 'c.yaml'));
    rmSync(join(directory, 'b.yaml'));
    const removed = cache.refresh([join(directory, 'c.yaml'), join(directory, 'b.yaml')]);
    expect(removed.map((f) => [f.path, held(f.before), held(f.after)])).toEqual([
      [join(directory, 'b.yaml'), ['b'], undefined],
      [join(directory, 'c.yaml'), ['a'], undefined],
    ]);
    expect(cache.definitions('services', 'default/a')).toBe(1);
    expect(cache.definitions('services', 'default/b')).toBe(0);
    expectFullLoad(cache.result(), directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
