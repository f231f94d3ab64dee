// Test support: the in-memory API server from e2e/apiserver with ferry's CRDs, a KubeClient for it,
// and a client wrapper that counts requests (to prove "no write when nothing changed").
import { join } from 'node:path';
import { type ApiServer, type ApiServerOptions, startApiServer } from '../../e2e/apiserver/server.js';
import { packageRoot } from '../../src/util/package-root.js';
import { type KubeClient, type KubeRequest, createObject } from '../../src/k8s/client.js';
import { createKubeClient } from '../../src/k8s/http-client.js';
import { kubeconfigAccessFromText } from '../../src/k8s/kube-config.js';
import { resourceTypes } from '../../src/k8s/resources.js';

export interface TestApi {
  readonly server: ApiServer;
  readonly client: KubeClient;
  close(): Promise<void>;
}

export async function startTestApi(options: ApiServerOptions = {}): Promise<TestApi> {
  const server = await startApiServer({
    crdDirectories: [join(packageRoot(), 'deploy', 'crds')],
    ...options,
  });
  const access = kubeconfigAccessFromText(server.kubeconfig);
  if (!access.ok) throw new Error(`the test API server's kubeconfig: ${access.error}`);
  const client = createKubeClient(access.value, { userAgent: 'ferry-test', requestTimeoutMs: 5_000 });
  return { server, client, close: () => server.close() };
}

/**
 * Starts one test API server for the calling test file (beforeAll/afterAll) and hands out fresh
 * namespaces, so tests never see each other's objects.
 */
export function useTestApi(options: ApiServerOptions = {}): {
  api(): TestApi;
  freshNamespace(prefix: string): Promise<string>;
} {
  let api: TestApi | undefined;
  let counter = 0;
  beforeAll(async () => {
    api = await startTestApi(options);
  });
  afterAll(async () => {
    await api?.close();
  });
  const current = (): TestApi => {
    if (!api) throw new Error('the test API server is not running (use it inside tests)');
    return api;
  };
  return {
    api: current,
    async freshNamespace(prefix) {
      const name = `${prefix}-${++counter}`;
      await createNamespace(current().client, name);
      return name;
    },
  };
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  const result = await createObject(client, resourceTypes.namespaces, { metadata: { name } });
  if (!result.ok) throw new Error(`cannot create namespace ${name}: ${result.error.message}`);
}

export interface CountingClient extends KubeClient {
  readonly requests: KubeRequest[];
  /** Requests other than GET (writes). */
  writes(): KubeRequest[];
}

export function countingClient(inner: KubeClient): CountingClient {
  const requests: KubeRequest[] = [];
  return {
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    request(request) {
      requests.push(request);
      return inner.request(request);
    },
    watch: (request) => inner.watch(request),
  };
}

/** Polls `condition` every 10 ms until it holds; throws with `what` after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
