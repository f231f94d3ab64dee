// Test support for the controller: a fresh in-memory API server per test (the controller watches
// Services in all namespaces, so tests must not share one), builders for pools and Services, and
// readers for what the controller wrote.
import { Registry } from 'prom-client';
import type { Logger } from 'winston';
import {
  type KubeClient,
  createObject,
  deleteObject,
  getObject,
  listObjects,
  mergePatchObject,
} from '../../src/k8s/client.js';
import { type KubeObject, isRecord } from '../../src/k8s/kube-object.js';
import { silentLogger } from '../../src/k8s/logger.js';
import { inNamespace, resourceTypes, type ResourceType } from '../../src/k8s/resources.js';
import { ingressOf, poolAnnotation } from '../../src/k8s/service-status.js';
import {
  type CountingClient,
  type TestApi,
  countingClient,
  createNamespace,
  eventually,
  startTestApi,
} from './test-apiserver.js';
import { ferryCrdValidator } from '../../src/api/load-directory.js';
import { Controller, type ControllerOptions } from '../../src/controller/controller.js';
import { NS, pool, service, type ServiceFields } from './manifests.js';

export interface ControllerHarness {
  readonly api: TestApi;
  /** counts every request the controllers of this harness make */
  readonly client: CountingClient;
  /** a controller on `client`, started; stopped by `close()` */
  startController(options?: Partial<ControllerOptions>): Promise<Controller>;
  close(): Promise<void>;
}

/** Options for a controller in tests: ferry's namespace, no class, silent, fast retries. */
export function controllerOptions(
  client: KubeClient,
  options: Partial<ControllerOptions> = {},
): ControllerOptions {
  return {
    client,
    namespace: NS,
    lbClass: '',
    logger: silentLogger() as Logger,
    registry: new Registry(),
    validator: ferryCrdValidator(),
    informerBackoff: { initialMs: 20, maxMs: 200 },
    writeBackoff: { initialMs: 20, maxMs: 200 },
    ...options,
  };
}

/** A fresh harness for each test of the file, closed after it. */
export function useControllerHarness(): { harness(): ControllerHarness; client(): CountingClient } {
  let current: ControllerHarness | undefined;
  beforeEach(async () => {
    current = await controllerHarness();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const harness = (): ControllerHarness => {
    if (current === undefined) throw new Error('use the harness inside a test');
    return current;
  };
  return { harness, client: () => harness().client };
}

export async function controllerHarness(): Promise<ControllerHarness> {
  const api = await startTestApi({ bookmarkIntervalMs: 500 });
  await createNamespace(api.client, NS);
  await createNamespace(api.client, 'apps');
  const client = countingClient(api.client);
  const controllers: Controller[] = [];
  return {
    api,
    client,
    async startController(options = {}) {
      const controller = new Controller(controllerOptions(client, options));
      controllers.push(controller);
      await controller.start();
      return controller;
    },
    async close() {
      await Promise.all(controllers.map((controller) => controller.stop(0)));
      await api.close();
    },
  };
}

async function must<T>(
  result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(settled.error.message);
  return settled.value;
}

export async function createPool(
  client: KubeClient,
  name: string,
  addresses: readonly string[],
  spec: Record<string, unknown> = {},
): Promise<KubeObject> {
  return must(
    createObject(client, inNamespace(resourceTypes.ipAddressPools, NS), pool(name, { addresses, ...spec })),
  );
}

export async function deletePool(client: KubeClient, name: string): Promise<void> {
  await must(deleteObject(client, inNamespace(resourceTypes.ipAddressPools, NS), name));
}

export async function readPool(client: KubeClient, name: string): Promise<KubeObject> {
  return must(getObject(client, inNamespace(resourceTypes.ipAddressPools, NS), name));
}

export const services = (namespace: string): ResourceType & { namespace: string } =>
  inNamespace(resourceTypes.services, namespace);

export async function createService(
  client: KubeClient,
  namespace: string,
  name: string,
  fields: ServiceFields = {},
): Promise<KubeObject> {
  return must(createObject(client, services(namespace), service(namespace, name, fields)));
}

export async function patchService(
  client: KubeClient,
  namespace: string,
  name: string,
  patch: Record<string, unknown>,
): Promise<KubeObject> {
  return must(mergePatchObject(client, services(namespace), name, patch));
}

export async function readService(client: KubeClient, namespace: string, name: string): Promise<KubeObject> {
  return must(getObject(client, services(namespace), name));
}

/** What the controller wrote on the Service: ingress IPs and the pool annotation. */
export async function shown(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<{ ips: string[]; pool: string | undefined }> {
  const service = await readService(client, namespace, name);
  return {
    ips: ingressOf(service).map((entry) => entry.ip),
    pool: service.metadata.annotations?.[poolAnnotation],
  };
}

/** Waits until the Service shows exactly `ips` and the pool annotation `pool`. */
export async function shownEventually(
  client: KubeClient,
  namespace: string,
  name: string,
  ips: readonly string[],
  pool?: string,
): Promise<void> {
  await eventuallyAsync(
    async () => JSON.stringify(await shown(client, namespace, name)) === JSON.stringify({ ips, pool }),
    `${namespace}/${name} to show ${ips.join(',') || 'no IP'} from ${pool ?? 'no pool'}`,
  );
}

export interface RecordedEvent {
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly source: string;
  readonly count: number;
}

export async function eventsIn(client: KubeClient, namespace: string): Promise<RecordedEvent[]> {
  const listed = await must(listObjects(client, inNamespace(resourceTypes.events, namespace)));
  return listed.items.map((event) => {
    const involved = isRecord(event.involvedObject) ? event.involvedObject : {};
    const source = isRecord(event.source) ? event.source : {};
    return {
      object: `${String(involved.namespace)}/${String(involved.name)}`,
      type: String(event.type),
      reason: String(event.reason),
      message: String(event.message),
      source: String(source.component),
      count: typeof event.count === 'number' ? event.count : 0,
    };
  });
}

export async function eventuallyAsync(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  let last = false;
  const poll = async (): Promise<void> => {
    last = await check();
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await poll();
    if (last) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export { countingClient, eventually };
