// Leftovers of a crashed run (its owner pid gone) are swept by the next run; a live run's are not.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { claimLabPrefix, removeLabRun, sweepStaleLabRuns } from '../../src/lab/lab-run.js';
import { createNamespace, listNamespaces } from '../../src/lab/netns.js';
import { frrConfigDir } from '../../src/lab/frr-instance.js';

/** A pid that certainly belongs to no process any more. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

test('a run whose owner died is removed, a live one is kept', async () => {
  const live = await claimLabPrefix();
  const stale = await claimLabPrefix();
  try {
    await writeFile(`/run/ferry-lab/${stale}`, `${deadPid()}\n`);
    await createNamespace(`${live}-node1`);
    await createNamespace(`${stale}-node1`);
    await mkdir(frrConfigDir(`${stale}-node1`), { recursive: true });

    const swept = await sweepStaleLabRuns();

    expect(swept).toContain(stale);
    expect(swept).not.toContain(live);
    const namespaces = await listNamespaces();
    expect(namespaces).toContain(`${live}-node1`);
    expect(namespaces).not.toContain(`${stale}-node1`);
    expect(existsSync(frrConfigDir(`${stale}-node1`))).toBe(false);
    expect(existsSync(`/run/ferry-lab/${stale}`)).toBe(false);
  } finally {
    expect([...(await removeLabRun(live)), ...(await removeLabRun(stale))]).toEqual([]);
  }
  expect((await listNamespaces()).filter((ns) => ns.startsWith(live) || ns.startsWith(stale))).toEqual([]);
});
