import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeError } from './errors.js';
import { createKubeClient } from './http-client.js';

/** A server answering every watch with `events` ADDED events in one write, then the end. */
async function burstServer(events: number): Promise<{ server: http.Server; url: string }> {
  const body = Array.from(
    { length: events },
    (_, i) => `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: `s-${i}` } } })}\n`,
  ).join('');
  const server = http.createServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('a burst of watch events is handed over in slices: timers run in between, every event arrives in order', async () => {
  const { server, url } = await burstServer(300);
  try {
    const client = createKubeClient({ server: url, namespace: undefined, requestOptions: async () => ({}) });
    const names: string[] = [];
    let timerFiredAfter: number | undefined;
    const ended = await new Promise<KubeError | undefined>((resolve) => {
      client.watch({
        path: '/api/v1/services',
        onEvent(event) {
          if (names.length === 0)
            setTimeout(() => {
              timerFiredAfter ??= names.length;
            }, 0);
          names.push(String((event.object as { metadata: { name: string } }).metadata.name));
          // 1 ms of work per event: 300 ms in all without slices
          busy(1);
        },
        onEnd: resolve,
      });
    });
    expect(ended).toBeUndefined();
    expect(names).toEqual(Array.from({ length: 300 }, (_, i) => `s-${i}`));
    // the timer set at the first event ran after about one slice (10 ms), long before the last event
    expect(timerFiredAfter).toBeDefined();
    expect(timerFiredAfter ?? 300).toBeLessThan(100);
  } finally {
    server.close();
  }
});
