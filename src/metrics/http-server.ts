// The speaker's and controller's HTTP endpoint: `/metrics` (Prometheus), `/healthz` (the process is
// alive) and `/readyz` (caches synced and FRR reachable, as the caller decides).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { metricsText } from './prerendered-gauge.js';

export interface HttpEndpoint {
  readonly address: string;
  close(): Promise<void>;
}

export async function serveMetrics(
  listen: string,
  registry: Registry,
  ready: () => boolean | Promise<boolean>,
): Promise<HttpEndpoint> {
  const separator = listen.lastIndexOf(':');
  const host = listen.slice(0, separator).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(listen.slice(separator + 1));
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.url === '/metrics') {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(await metricsText(registry));
      } else if (request.url === '/healthz' || request.url === '/livez') {
        response.writeHead(200).end('ok\n');
      } else if (request.url === '/readyz') {
        const isReady = await ready();
        response.writeHead(isReady ? 200 : 503).end(isReady ? 'ok\n' : 'not ready\n');
      } else {
        response.writeHead(404).end('not found\n');
      }
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address();
  const address = typeof bound === 'object' && bound !== null ? `${bound.address}:${bound.port}` : listen;
  return {
    address,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
