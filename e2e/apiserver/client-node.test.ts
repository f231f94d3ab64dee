// @kubernetes/client-node, unmodified, against the test API server: informers through dropped
// watches and 410 Gone, and merge patches of /status.
import * as k8s from '@kubernetes/client-node';
import { join } from 'node:path';
import type { ApiServer } from './server.js';
import { startApiServer } from './server.js';

const crds = join(import.meta.dirname, 'testdata', 'crds');
const group = 'metallb.io';
const namespace = 'metallb-system';
let server: ApiServer;
let kubeConfig: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let custom: k8s.CustomObjectsApi;

beforeAll(async () => {
  server = await startApiServer({ crdDirectories: [crds] });
  kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(server.kubeconfig);
  core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await server.close();
});

interface Recorded {
  events: string[];
  lists: number;
  stopped: boolean;
  informer: k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>;
}

/** An informer that records `verb name` events and restarts after errors, as ferry's wrapper does. */
function recordingInformer(
  path: string,
  list: () => Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>,
): Recorded {
  const recorded: Recorded = {
    events: [],
    lists: 0,
    stopped: false,
    informer: k8s.makeInformer(kubeConfig, path, () => {
      recorded.lists++;
      return list();
    }),
  };
  for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) {
    recorded.informer.on(verb, (object) => recorded.events.push(`${verb} ${object.metadata?.name ?? ''}`));
  }
  recorded.informer.on(k8s.ERROR, () => {
    setTimeout(() => {
      if (!recorded.stopped) void recorded.informer.start();
    }, 100);
  });
  return recorded;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const peer = (name: string, peerASN: number): Record<string, unknown> => ({
  apiVersion: `${group}/v1beta2`,
  kind: 'BGPPeer',
  metadata: { name, namespace },
  spec: { myASN: 65100, peerASN, peerAddress: '192.0.2.1' },
});

test('a BGPPeer informer sees add, update and delete', async () => {
  const path = `/apis/${group}/v1beta2/namespaces/${namespace}/bgppeers`;
  const recorded = recordingInformer(path, () =>
    custom.listNamespacedCustomObject({ group, version: 'v1beta2', namespace, plural: 'bgppeers' }),
  );
  const { events, informer } = recorded;
  await informer.start();
  try {
    await custom.createNamespacedCustomObject({
      group,
      version: 'v1beta2',
      namespace,
      plural: 'bgppeers',
      body: peer('tor1', 65000),
    });
    await waitFor(() => events.includes('add tor1'));
    await custom.patchNamespacedCustomObject(
      {
        group,
        version: 'v1beta2',
        namespace,
        plural: 'bgppeers',
        name: 'tor1',
        body: { spec: { peerASN: 65001 } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await waitFor(() => events.includes('update tor1'));
    expect((informer.get('tor1', namespace) as { spec?: { peerASN?: number } }).spec?.peerASN).toBe(65001);
    await custom.deleteNamespacedCustomObject({
      group,
      version: 'v1beta2',
      namespace,
      plural: 'bgppeers',
      name: 'tor1',
    });
    await waitFor(() => events.includes('delete tor1'));
    expect(events).toEqual(['add tor1', 'update tor1', 'delete tor1']);
  } finally {
    recorded.stopped = true;
    await informer.stop();
  }
});

test('a Service informer survives dropped watches and relists after 410 Gone', async () => {
  const service = (name: string): k8s.V1Service => ({ metadata: { name }, spec: { ports: [{ port: 80 }] } });
  const recorded = recordingInformer('/api/v1/namespaces/default/services', () =>
    core.listNamespacedService({ namespace: 'default' }),
  );
  const { events, informer } = recorded;
  await informer.start();
  try {
    await core.createNamespacedService({ namespace: 'default', body: service('a') });
    await waitFor(() => events.includes('add a'));

    expect(server.faults.dropWatches()).toBeGreaterThan(0);
    await core.createNamespacedService({ namespace: 'default', body: service('b') });
    await waitFor(() => events.includes('add b'));

    server.faults.dropWatches({ abrupt: true });
    await core.createNamespacedService({ namespace: 'default', body: service('c') });
    await waitFor(() => events.includes('add c'));
    expect(recorded.lists).toBe(1);

    // Hold the reconnecting watch while changes happen and history is compacted: the informer
    // resumes from a resourceVersion the server no longer has, gets 410, and must relist.
    // The reconnect is held (whenever it comes, however loaded the machine) until after the compaction.
    server.faults.hangRequests({ ms: 2_000, count: 1, match: (r) => r.watch });
    const dropped = server.faults.dropWatches();
    await core.deleteNamespacedService({ namespace: 'default', name: 'a' });
    await core.createNamespacedService({ namespace: 'default', body: service('d') });
    server.faults.compactHistory();
    await waitFor(() => events.includes('add d') && events.includes('delete a'));
    expect({ dropped, lists: recorded.lists }).toEqual({ dropped: 1, lists: 2 });
    expect(
      informer
        .list('default')
        .map((s) => s.metadata?.name)
        .sort(),
    ).toEqual(['b', 'c', 'd']);
  } finally {
    recorded.stopped = true;
    await informer.stop();
  }
});

test('merge-patching /status changes only status; spec changes bump generation', async () => {
  const plural = 'ipaddresspools';
  await custom.createNamespacedCustomObject({
    group,
    version: 'v1beta1',
    namespace,
    plural,
    body: {
      apiVersion: `${group}/v1beta1`,
      kind: 'IPAddressPool',
      metadata: { name: 'pool' },
      spec: { addresses: ['203.0.113.0/24'] },
      status: { assignedIPv4: 99 },
    },
  });
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const afterStatus = (await custom.patchNamespacedCustomObjectStatus(
    {
      group,
      version: 'v1beta1',
      namespace,
      plural,
      name: 'pool',
      body: { status: { assignedIPv4: 3 }, spec: { autoAssign: false } },
    },
    mergePatch,
  )) as { spec: { autoAssign: boolean }; status: { assignedIPv4: number }; metadata: { generation: number } };
  expect(afterStatus.status.assignedIPv4).toBe(3);
  expect(afterStatus.spec.autoAssign).toBe(true);
  expect(afterStatus.metadata.generation).toBe(1);

  const afterSpec = (await custom.patchNamespacedCustomObject(
    {
      group,
      version: 'v1beta1',
      namespace,
      plural,
      name: 'pool',
      body: { spec: { autoAssign: false }, status: { assignedIPv4: 0 } },
    },
    mergePatch,
  )) as typeof afterStatus;
  expect(afterSpec.spec.autoAssign).toBe(false);
  expect(afterSpec.status.assignedIPv4).toBe(3);
  expect(afterSpec.metadata.generation).toBe(2);
});

test('a stale resourceVersion gets 409 and an invalid object gets 422 naming the field', async () => {
  const created = await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'cm' }, data: { a: '1' } },
  });
  await core.replaceNamespacedConfigMap({
    namespace: 'default',
    name: 'cm',
    body: { ...created, data: { a: '2' } },
  });
  await expect(
    core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'cm',
      body: { ...created, data: { a: '3' } },
    }),
  ).rejects.toMatchObject({ code: 409 });
  await expect(
    custom.createNamespacedCustomObject({
      group,
      version: 'v1beta2',
      namespace,
      plural: 'bgppeers',
      body: { ...peer('bad', 1), spec: { peerASN: 1 } },
    }),
  ).rejects.toMatchObject({ code: 422, body: expect.stringContaining('spec.myASN: Required value') });
});

test('the server answers injected 5xx, and is unreachable until it comes back', async () => {
  server.faults.failRequests({ status: 503, count: 1 });
  await expect(core.listNamespace()).rejects.toMatchObject({ code: 503 });
  await expect(core.listNamespace()).resolves.toBeDefined();
  await server.faults.goUnreachable();
  await expect(core.listNamespace()).rejects.toThrow();
  await server.faults.comeBack();
  await expect(core.listNamespace()).resolves.toBeDefined();
});
