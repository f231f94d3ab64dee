import { Registry } from 'prom-client';
import { toServiceInfo } from '../api/cluster-objects.js';
import { createObject, deleteObject, mergePatchObject } from './client.js';
import { type InformerLifecycleEvent, type InformerOptions, Informer } from './informer.js';
import type { KubeObject } from './kube-object.js';
import { k8sClientMetrics } from './metrics.js';
import { type ResourceRef, inNamespace, resourceTypes } from './resources.js';
import { delay, eventually, startTestApi, useTestApi } from '../../test/support/test-apiserver.js';

const fast = { staleAfterMs: 2_000, backoff: { initialMs: 20, maxMs: 200 } };
const started: { stop(): Promise<void> }[] = [];

const { api, freshNamespace } = useTestApi({ bookmarkIntervalMs: 200 });
afterEach(async () => {
  api().server.faults.clear();
  await Promise.all(started.splice(0).map((informer) => informer.stop()));
});

function service(name: string, port = 80): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { type: 'LoadBalancer', ports: [{ port }] },
  };
}

/** An informer that records `add a`, `update a`, `delete a` and its lifecycle. */
function recording(resource: ResourceRef, options: Partial<InformerOptions<KubeObject>> = {}) {
  const changes: string[] = [];
  const lifecycle: InformerLifecycleEvent[] = [];
  const informer = new Informer<KubeObject>({ client: api().client, resource, ...fast, ...options });
  informer.on('add', (o) => changes.push(`add ${o.metadata.name}`));
  informer.on('update', (o) => changes.push(`update ${o.metadata.name}`));
  informer.on('delete', (o) => changes.push(`delete ${o.metadata.name}`));
  informer.on('lifecycle', (event) => lifecycle.push(event));
  started.push(informer);
  const names = (): string[] => informer.snapshot().map((o) => o.metadata.name ?? '');
  const kinds = (): string[] => lifecycle.map((e) => e.kind);
  return { informer, changes, lifecycle, names, kinds };
}

async function create(resource: ResourceRef, object: KubeObject): Promise<KubeObject> {
  const result = await createObject(api().client, resource, object);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('Informer', () => {
  test('sees Services added, updated and deleted, and counts them in metallb_k8s_client_updates_total', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    await create(services, service('before'));
    const registry = new Registry();
    const { informer, changes, names } = recording(services, { metrics: k8sClientMetrics(registry) });
    informer.start();
    expect(await informer.waitForSync()).toBe(true);
    expect(names()).toEqual(['before']);

    await create(services, service('web'));
    await eventually(() => changes.includes('add web'), 'add web');
    await mergePatchObject(api().client, services, 'web', { metadata: { labels: { tier: 'front' } } });
    await eventually(() => changes.includes('update web'), 'update web');
    expect(informer.get(`${services.namespace}/web`)?.metadata.labels).toEqual({ tier: 'front' });
    await deleteObject(api().client, services, 'web');
    await eventually(() => changes.includes('delete web'), 'delete web');

    expect(changes).toEqual(['add before', 'add web', 'update web', 'delete web']);
    expect(names()).toEqual(['before']);
    const updates = await registry.getSingleMetric('metallb_k8s_client_updates_total')?.get();
    expect(updates?.values[0]?.value).toBe(4);
  });

  test('sees a BGPPeer (metallb.io CRD) come and go, with a label selector', async () => {
    const peers = inNamespace(resourceTypes.bgpPeers, await freshNamespace('informer'));
    const { informer, changes } = recording(peers, { labelSelector: 'rack=a' });
    informer.start();
    await informer.waitForSync();
    const peer = (name: string, rack: string): KubeObject => ({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name, labels: { rack } },
      spec: { myASN: 64500, peerASN: 65000, peerAddress: '192.0.2.1' },
    });
    await create(peers, peer('tor-b', 'b'));
    await create(peers, peer('tor-a', 'a'));
    await eventually(() => changes.includes('add tor-a'), 'add tor-a');
    await mergePatchObject(api().client, peers, 'tor-a', { spec: { holdTime: '90s' } });
    await eventually(() => changes.includes('update tor-a'), 'update tor-a');
    expect(informer.snapshot()[0]?.spec).toMatchObject({ holdTime: '90s', peerASN: 65000 });
    await deleteObject(api().client, peers, 'tor-a');
    await eventually(() => changes.includes('delete tor-a'), 'delete tor-a');
    expect(changes).toEqual(['add tor-a', 'update tor-a', 'delete tor-a']);
  });

  test('watches one Node by field selector', async () => {
    const nodes = resourceTypes.nodes;
    const { informer, names } = recording(nodes, { fieldSelector: 'metadata.name=node-b' });
    informer.start();
    await informer.waitForSync();
    await create(nodes, { metadata: { name: 'node-a' } });
    await create(nodes, { metadata: { name: 'node-b', labels: { zone: 'z1' } } });
    await eventually(() => names().includes('node-b'), 'node-b');
    await delay(50);
    expect(names()).toEqual(['node-b']);
  });

  test('is not synced before its first list completed', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    await create(services, service('early'));
    api().server.faults.hangRequests({
      match: (r) => r.method === 'GET' && !r.watch && r.path.endsWith('/services'),
      count: 1,
      ms: 300,
    });
    const { informer, changes } = recording(services);
    let syncedEvents = 0;
    informer.on('synced', () => syncedEvents++);
    informer.start();
    await delay(150);
    expect(informer.synced).toBe(false);
    expect(informer.snapshot()).toEqual([]);
    expect(await informer.waitForSync()).toBe(true);
    expect(changes).toEqual(['add early']);
    expect(syncedEvents).toBe(1);
  });

  test('a failing first list is retried with backoff; synced comes after it succeeds', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    api().server.faults.failRequests({ match: (r) => !r.watch && r.path.endsWith('/services'), count: 3 });
    const { informer, kinds } = recording(services);
    informer.start();
    expect(await informer.waitForSync()).toBe(true);
    expect(kinds().filter((k) => k === 'error')).toHaveLength(3);
    expect(kinds().filter((k) => k === 'reconnect')).toHaveLength(3);
    expect(kinds()).toContain('relist');
  });

  test.each([
    ['clean', false],
    ['abrupt', true],
  ])('survives dropped watches (%s) and resumes without relisting', async (_name, abrupt) => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    const { informer, changes, lifecycle } = recording(services);
    informer.start();
    await informer.waitForSync();
    await eventually(() => lifecycle.some((e) => e.kind === 'connect'), 'connect');
    for (let round = 0; round < 3; round++) {
      expect(api().server.faults.dropWatches({ abrupt })).toBeGreaterThan(0);
      await create(services, service(`after-drop-${round}`));
      await eventually(() => changes.includes(`add after-drop-${round}`), `add after-drop-${round}`);
    }
    expect(changes).toEqual(['add after-drop-0', 'add after-drop-1', 'add after-drop-2']);
    expect(lifecycle.filter((e) => e.kind === 'relist')).toHaveLength(1);
    expect(lifecycle.filter((e) => e.kind === 'connect' && e.reconnect).length).toBeGreaterThanOrEqual(3);
  });

  test('relists after 410 Gone and delivers exactly the difference', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    await create(services, service('stays'));
    await create(services, service('changes'));
    await create(services, service('goes'));
    const { informer, changes, lifecycle, names } = recording(services);
    informer.start();
    await informer.waitForSync();
    await eventually(() => lifecycle.some((e) => e.kind === 'connect'), 'connect');
    changes.length = 0;

    // Keep the informer from watching while the cluster moves on and history is compacted.
    api().server.faults.failRequests({ match: (r) => r.watch });
    api().server.faults.dropWatches({ abrupt: true });
    await mergePatchObject(api().client, services, 'changes', { metadata: { labels: { v: '2' } } });
    await deleteObject(api().client, services, 'goes');
    await create(services, service('new'));
    api().server.faults.compactHistory();
    api().server.faults.clear();

    await eventually(
      () => lifecycle.some((e) => e.kind === 'relist' && e.reason === 'gone'),
      'relist after 410',
    );
    await eventually(() => changes.length >= 3, 'three changes');
    await delay(100);
    expect([...changes].sort()).toEqual(['add new', 'delete goes', 'update changes']);
    expect(names()).toEqual(['changes', 'new', 'stays']);
    expect(informer.get(`${services.namespace}/changes`)?.metadata.labels).toEqual({ v: '2' });
  });

  test('keeps its cache while the API server is unreachable and catches up when it comes back', async () => {
    const namespace = await freshNamespace('informer');
    const services = inNamespace(resourceTypes.services, namespace);
    await create(services, service('known'));
    const { informer, changes, lifecycle, names } = recording(services);
    informer.start();
    await informer.waitForSync();
    await eventually(() => lifecycle.some((e) => e.kind === 'connect'), 'connect');

    await api().server.faults.goUnreachable();
    const cluster = api().server.cluster;
    cluster.create(cluster.target('', 'v1', 'services', namespace), service('while-away'), {
      fieldManager: 'test',
    });
    await delay(1_000);
    expect(names()).toEqual(['known']);
    expect(informer.synced).toBe(true);
    const errorsWhileAway = lifecycle.filter((e) => e.kind === 'error').length;
    expect(errorsWhileAway).toBeGreaterThan(0);
    // Backoff: a second of outage with 20 ms initial, 200 ms cap costs a handful of attempts, not hundreds.
    expect(errorsWhileAway).toBeLessThan(20);

    await api().server.faults.comeBack();
    await eventually(() => changes.includes('add while-away'), 'add while-away');
    expect(names()).toEqual(['known', 'while-away']);
  });

  test('the watchdog aborts a watch that hangs before the server answers', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    // Short hang: the test server keeps its delay timer running even after close().
    api().server.faults.hangRequests({ match: (r) => r.watch, count: 1, ms: 1_500 });
    const { informer, changes, lifecycle } = recording(services, { staleAfterMs: 300 });
    informer.start();
    await informer.waitForSync();
    await eventually(() => lifecycle.some((e) => e.kind === 'stale'), 'stale', 2_000);
    await eventually(() => lifecycle.some((e) => e.kind === 'connect'), 'connect');
    await create(services, service('after-hang'));
    await eventually(() => changes.includes('add after-hang'), 'add after-hang');
  });

  test('the watchdog restarts a connected watch that goes silent (no events, no bookmarks)', async () => {
    const quiet = await startTestApi({ bookmarkIntervalMs: 60_000 });
    try {
      const services = inNamespace(resourceTypes.services, 'default');
      const informer = new Informer<KubeObject>({
        client: quiet.client,
        resource: services,
        ...fast,
        staleAfterMs: 250,
      });
      const kinds: string[] = [];
      informer.on('lifecycle', (e) => kinds.push(e.kind));
      informer.start();
      await informer.waitForSync();
      await eventually(() => kinds.filter((k) => k === 'stale').length >= 2, 'two stale watches', 3_000);
      expect(kinds.filter((k) => k === 'relist')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'connect').length).toBeGreaterThanOrEqual(2);
      await informer.stop();
    } finally {
      await quiet.close();
    }
  });

  test('bookmarks keep a quiet watch alive', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    const { informer, kinds } = recording(services, { staleAfterMs: 1_000 });
    informer.start();
    await informer.waitForSync();
    await delay(1_500);
    expect(kinds()).not.toContain('stale');
    expect(kinds().filter((k) => k === 'connect')).toHaveLength(1);
  });

  test('a handler that throws is counted in metallb_k8s_client_update_errors_total and does not stop delivery', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    const registry = new Registry();
    const { informer, changes } = recording(services, { metrics: k8sClientMetrics(registry) });
    informer.on('add', (o) => {
      if (o.metadata.name === 'bad') throw new Error('handler bug');
    });
    informer.on('add', async (o) => {
      if (o.metadata.name === 'bad-async') throw new Error('async handler bug');
    });
    informer.start();
    await informer.waitForSync();
    await create(services, service('bad'));
    await create(services, service('bad-async'));
    await create(services, service('good'));
    await eventually(() => changes.includes('add good'), 'add good');
    await delay(20);
    const errors = await registry.getSingleMetric('metallb_k8s_client_update_errors_total')?.get();
    expect(errors?.values[0]?.value).toBe(2);
  });

  test('through drops and compaction in the middle of a burst, every object is delivered exactly once', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    const { informer, changes, names } = recording(services);
    informer.start();
    await informer.waitForSync();
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      const name = `svc-${String(i).padStart(2, '0')}`;
      expected.push(name);
      await create(services, service(name));
      if (i % 10 === 3) api().server.faults.dropWatches({ abrupt: i % 20 === 3 });
      if (i === 35) api().server.faults.compactHistory();
    }
    await eventually(() => names().length === 60, 'all 60 services');
    await delay(100);
    expect(names()).toEqual(expected);
    expect([...changes].sort()).toEqual(expected.map((name) => `add ${name}`));
  });

  test('decodes with src/api converters', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    const informer = new Informer({
      client: api().client,
      resource: services,
      ...fast,
      decode: (object) => toServiceInfo(object).value,
    });
    started.push(informer);
    informer.start();
    await informer.waitForSync();
    await create(services, {
      metadata: { name: 'web' },
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
    });
    await eventually(() => informer.size === 1, 'web');
    expect(informer.snapshot()[0]).toMatchObject({
      name: 'web',
      type: 'LoadBalancer',
      ports: [{ port: 443, protocol: 'TCP' }],
    });
  });

  test('gives up after maxAttempts consecutive failures', async () => {
    const services = inNamespace(resourceTypes.services, await freshNamespace('informer'));
    api().server.faults.failRequests({ match: (r) => r.path.endsWith('/services') });
    const { informer, lifecycle } = recording(services, { maxAttempts: 2 });
    informer.start();
    expect(await informer.waitForSync()).toBe(false);
    const giveUp = lifecycle.find((e) => e.kind === 'give-up');
    expect(giveUp).toMatchObject({ kind: 'give-up', attempts: 2 });
  });
});
