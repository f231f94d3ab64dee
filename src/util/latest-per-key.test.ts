import { LatestPerKey } from './latest-per-key.js';
import { nextTurn } from './next-turn.js';

/** A write that waits until released, recording what it was given. */
function gatedWrites() {
  const started: string[] = [];
  const gates: (() => void)[] = [];
  let fail = new Set<string>();
  const write = (key: string, value: number) =>
    new Promise<boolean>((resolve) => {
      started.push(`${key}=${value}`);
      gates.push(() => resolve(!fail.has(key)));
    });
  const releaseAll = async () => {
    while (gates.length > 0) {
      for (const release of gates.splice(0)) release();
      await nextTurn();
    }
  };
  return { started, write, releaseAll, failing: (keys: string[]) => (fail = new Set(keys)) };
}

describe('writes of the latest value per key', () => {
  test('at most `concurrency` at once, oldest first; a waiting value is replaced, not written twice', async () => {
    const w = gatedWrites();
    const queue = new LatestPerKey(2, w.write);
    queue.set('a', 1);
    queue.set('b', 1);
    queue.set('c', 1);
    queue.set('c', 2);
    expect(w.started).toEqual(['a=1', 'b=1']);
    await w.releaseAll();
    await queue.idle();
    expect(w.started).toEqual(['a=1', 'b=1', 'c=2']);
  });

  test('a value set while its key is being written is written after it, never beside it', async () => {
    const w = gatedWrites();
    const queue = new LatestPerKey(4, w.write);
    queue.set('a', 1);
    queue.set('a', 2);
    queue.set('a', 3);
    expect(w.started).toEqual(['a=1']);
    await w.releaseAll();
    await queue.idle();
    expect(w.started).toEqual(['a=1', 'a=3']);
  });

  test('a failed write waits for retry, unless a newer value came', async () => {
    const w = gatedWrites();
    const queue = new LatestPerKey(4, w.write);
    w.failing(['a', 'b']);
    queue.set('a', 1);
    queue.set('b', 1);
    await w.releaseAll();
    await queue.idle();
    expect(queue.size).toBe(0);
    w.failing([]);
    queue.set('b', 2);
    queue.retry();
    await w.releaseAll();
    await queue.idle();
    expect(w.started).toEqual(['a=1', 'b=1', 'b=2', 'a=1']);
    queue.retry();
    expect(w.started).toHaveLength(4);
  });
});
