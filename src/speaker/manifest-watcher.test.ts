import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchManifests, type ManifestWatcher } from './manifest-watcher.js';

jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The paths reported after `act`: from the first event until 200 ms pass without one (≤ 5 s). */
function recorder() {
  const seen = new Set<string>();
  let last = 0;
  return {
    onChange: (path: string) => {
      seen.add(path);
      last = performance.now();
    },
    async during(act: () => void): Promise<string[]> {
      seen.clear();
      act();
      const started = performance.now();
      while (performance.now() - started < 5_000) {
        await sleep(50);
        if (seen.size > 0 && performance.now() - last > 200) break;
      }
      return [...seen].sort();
    },
    /** that nothing is reported within a second of `act` */
    async quiet(act: () => void): Promise<string[]> {
      seen.clear();
      act();
      await sleep(1_000);
      return [...seen];
    },
  };
}

describe('watchManifests', () => {
  let directory: string;
  let watcher: ManifestWatcher | undefined;
  const errors: unknown[] = [];
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'ferry-watch-'));
    errors.length = 0;
  });
  afterEach(() => {
    watcher?.close();
    rmSync(directory, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  it('names the files added, written, renamed and removed, also in directories added later', async () => {
    mkdirSync(join(directory, 'old'));
    const events = recorder();
    watcher = watchManifests(directory, events.onChange, (error) => errors.push(error));
    const at = (...names: string[]) => join(directory, ...names);

    expect(await events.during(() => writeFileSync(at('a.yaml'), 'a'))).toEqual([at('a.yaml')]);
    expect(await events.during(() => writeFileSync(at('old', 'b.yaml'), 'b'))).toEqual([at('old', 'b.yaml')]);
    expect(await events.during(() => renameSync(at('a.yaml'), at('c.yaml')))).toEqual([
      at('a.yaml'),
      at('c.yaml'),
    ]);
    expect(await events.during(() => rmSync(at('c.yaml')))).toEqual([at('c.yaml')]);

    // a new directory is named itself (its first files may come before its watch), then watched
    expect(
      await events.during(() => {
        mkdirSync(at('team'));
        writeFileSync(at('team', 'd.yaml'), 'd');
      }),
    ).toContain(at('team'));
    expect(await events.during(() => writeFileSync(at('team', 'd.yaml'), 'd2'))).toEqual([
      at('team', 'd.yaml'),
    ]);
    // removed: named; a directory of the same name later is watched again
    expect(await events.during(() => rmSync(at('team'), { recursive: true }))).toContain(at('team'));
    await events.during(() => mkdirSync(at('team')));
    expect(await events.during(() => writeFileSync(at('team', 'e.yaml'), 'e'))).toEqual([
      at('team', 'e.yaml'),
    ]);

    // closed: nothing more
    watcher.close();
    expect(await events.quiet(() => writeFileSync(at('f.yaml'), 'f'))).toEqual([]);
  });

  it('one file: its changes, also when replaced by a rename, and nothing about its neighbours', async () => {
    const file = join(directory, 'cluster.yaml');
    writeFileSync(file, 'a');
    const events = recorder();
    watcher = watchManifests(file, events.onChange, (error) => errors.push(error));
    expect(await events.during(() => writeFileSync(file, 'b'))).toEqual([file]);
    expect(await events.quiet(() => writeFileSync(join(directory, 'other.yaml'), 'x'))).toEqual([]);
    expect(
      await events.during(() => {
        writeFileSync(join(directory, '.cluster.yaml.tmp'), 'c');
        renameSync(join(directory, '.cluster.yaml.tmp'), file);
      }),
    ).toEqual([file]);
    expect(await events.during(() => writeFileSync(file, 'd'))).toEqual([file]);
  });
});
