import { createProcessRegistry } from './process-registry.js';

/** The value of an unlabelled sample in Prometheus text. */
function sample(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (match === null) throw new Error(`${name} missing from /metrics`);
  return Number(match[1]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the registry of a ferry process', () => {
  it('shows an event loop blocked for 200 ms in nodejs_eventloop_lag_max/p99, then forgets it after the scrape', async () => {
    const registry = createProcessRegistry();
    await registry.metrics(); // starts a fresh window
    await sleep(50);
    const until = Date.now() + 200;
    while (Date.now() < until); // the speaker busy with a burst, say
    await sleep(50);
    const blocked = await registry.metrics();
    expect(sample(blocked, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.15);
    expect(sample(blocked, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0.15);
    await sleep(100);
    const calm = await registry.metrics();
    expect(sample(calm, 'nodejs_eventloop_lag_max_seconds')).toBeLessThan(
      sample(blocked, 'nodejs_eventloop_lag_max_seconds'),
    );
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes'])
      expect(sample(calm, name)).toBeGreaterThan(0);
  });
});
