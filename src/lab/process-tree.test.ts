import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { killProcessTree } from './process-tree.js';

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

async function waitGone(pids: readonly number[]): Promise<number[]> {
  for (let i = 0; i < 100 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(running);
}

jest.setTimeout(20_000);

describe('killProcessTree', () => {
  test('kills the process and its descendants, also those in process groups and sessions of their own', async () => {
    // like the speaker: a child in a session of its own (vtysh, detached) with a child of its own
    // (frr-reload.py's vtysh), and a plain child
    const parent = execa(
      'sh',
      ['-c', 'setsid sh -c "sleep 60 & echo \\$!; wait" & sleep 60 & echo $!; wait'],
      { reject: false, buffer: false },
    );
    const printed: number[] = [];
    parent.stdout?.on('data', (chunk: Buffer) => {
      printed.push(...chunk.toString().trim().split(/\s+/).map(Number));
    });
    for (let i = 0; i < 100 && printed.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(printed).toHaveLength(2);
    const root = parent.pid;
    if (root === undefined) throw new Error('sh did not start');

    const killed = await killProcessTree(root);

    // the two sleeps and the setsid'd shell
    expect(killed.length).toBeGreaterThanOrEqual(3);
    expect(killed).toEqual(expect.arrayContaining(printed));
    expect(await waitGone([root, ...killed])).toEqual([]);
    expect((await parent).signal).toBe('SIGKILL');
  });

  test('a process that is gone already: nothing to kill', async () => {
    const child = execa('true');
    const pid = child.pid;
    await child;
    expect(pid).toBeDefined();
    expect(await killProcessTree(pid ?? -1)).toEqual([]);
  });

  test('never a process group or init', async () => {
    for (const pid of [0, -1, 1]) await expect(killProcessTree(pid)).rejects.toThrow('not a process id');
  });
});
