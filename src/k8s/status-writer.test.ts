import { type KubeClient, createObject, deleteObject, getObject, listObjects } from './client.js';
import { isConflict } from './errors.js';
import { type KubeObject, type OwnerReference, podOwnerReference } from './kube-object.js';
import { inNamespace, resourceTypes } from './resources.js';
import { ingressOf, poolAnnotation, writeServiceAnnotations, writeServiceIngress } from './service-status.js';
import { type DesiredStatusObject, StatusWriter } from './status-writer.js';
import { countingClient, useTestApi } from '../../test/support/test-apiserver.js';

const { api, freshNamespace } = useTestApi();

async function speakerPod(namespace: string): Promise<OwnerReference> {
  const pod = await createObject(api().client, inNamespace(resourceTypes.pods, namespace), {
    metadata: { name: 'speaker-abcde' },
    spec: { containers: [{ name: 'speaker', image: 'ferry' }] },
  });
  if (!pod.ok) throw new Error(pod.error.message);
  return podOwnerReference({ name: 'speaker-abcde', uid: pod.value.metadata.uid ?? '' });
}

const nodeLabel = 'metallb.io/node';
const serviceBgpKey = (object: KubeObject): string | undefined => {
  const labels = object.metadata.labels ?? {};
  const namespace = labels['metallb.io/service-namespace'];
  const name = labels['metallb.io/service-name'];
  return namespace && name ? `${namespace}/${name}` : undefined;
};

function serviceBgpStatus(service: string, peers: string[]): DesiredStatusObject {
  return {
    key: `default/${service}`,
    generateName: 'bgp-',
    labels: {
      [nodeLabel]: 'node1',
      'metallb.io/service-namespace': 'default',
      'metallb.io/service-name': service,
    },
    status: { node: 'node1', serviceName: service, serviceNamespace: 'default', peers },
  };
}

/** A node1 speaker's ServiceBGPStatus writer, started. */
async function serviceBgpWriter(
  client: KubeClient,
  namespace: string,
  owner?: OwnerReference,
): Promise<StatusWriter> {
  const writer = new StatusWriter({
    client,
    resource: inNamespace(resourceTypes.serviceBGPStatuses, namespace),
    selector: { [nodeLabel]: 'node1' },
    keyOf: serviceBgpKey,
    ...(owner ? { owner } : {}),
  });
  const started = await writer.start();
  if (!started.ok) throw new Error(started.error.message);
  return writer;
}

async function statusObjects(namespace: string): Promise<KubeObject[]> {
  const listed = await listObjects(api().client, inNamespace(resourceTypes.serviceBGPStatuses, namespace));
  if (!listed.ok) throw new Error(listed.error.message);
  return listed.value.items;
}

describe('StatusWriter', () => {
  test('creates with labels, generateName and owner, then merge-patches status; identical writes send nothing', async () => {
    const namespace = await freshNamespace('status');
    const owner = await speakerPod(namespace);
    const client = countingClient(api().client);
    const writer = await serviceBgpWriter(client, namespace, owner);

    expect(await writer.write(serviceBgpStatus('web', ['tor1']))).toEqual({ ok: true, value: 'created' });
    const [created] = await statusObjects(namespace);
    expect(created?.metadata.name).toMatch(/^bgp-/);
    expect(created?.metadata.labels).toMatchObject({
      [nodeLabel]: 'node1',
      'metallb.io/service-name': 'web',
    });
    expect(created?.metadata.ownerReferences).toEqual([owner]);
    expect(created?.status).toEqual({
      node: 'node1',
      serviceName: 'web',
      serviceNamespace: 'default',
      peers: ['tor1'],
    });
    expect(client.writes().map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual([
      `POST ${namespace}/servicebgpstatuses`,
      `PATCH ${created?.metadata.name}/status`,
    ]);

    const before = client.requests.length;
    for (let i = 0; i < 5; i++) {
      expect(await writer.write(serviceBgpStatus('web', ['tor1']))).toEqual({ ok: true, value: 'unchanged' });
    }
    expect(client.requests.length).toBe(before);

    expect(await writer.write(serviceBgpStatus('web', ['tor1', 'tor2']))).toEqual({
      ok: true,
      value: 'updated',
    });
    const patch = client.requests.at(-1);
    expect(patch).toMatchObject({
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { peers: ['tor1', 'tor2'] } },
    });
    expect((await statusObjects(namespace))[0]?.status).toMatchObject({ peers: ['tor1', 'tor2'] });

    expect(await writer.delete('default/web')).toEqual({ ok: true, value: 'deleted' });
    expect(await statusObjects(namespace)).toEqual([]);
    expect(await writer.delete('default/web')).toEqual({ ok: true, value: 'absent' });
  });

  test('start() finds objects of an earlier run; sync() keeps, patches and garbage-collects', async () => {
    const namespace = await freshNamespace('status');
    const resource = inNamespace(resourceTypes.serviceBGPStatuses, namespace);
    const earlier = await serviceBgpWriter(api().client, namespace);
    await earlier.write(serviceBgpStatus('kept', ['tor1']));
    await earlier.write(serviceBgpStatus('changed', ['tor1']));
    await earlier.write(serviceBgpStatus('stale', ['tor1']));
    // A duplicate for one key and an object whose key cannot be read: both are garbage.
    await createObject(api().client, resource, {
      metadata: { generateName: 'bgp-', labels: serviceBgpStatus('kept', []).labels },
    });
    await createObject(api().client, resource, {
      metadata: { name: 'keyless', labels: { [nodeLabel]: 'node1' } },
    });
    // Another node's object is not ours to touch.
    await createObject(api().client, resource, {
      metadata: {
        name: 'other-node',
        labels: { ...serviceBgpStatus('kept', []).labels, [nodeLabel]: 'node2' },
      },
    });

    const client = countingClient(api().client);
    const writer = await serviceBgpWriter(client, namespace);
    expect(writer.keys()).toEqual(['default/changed', 'default/kept', 'default/stale']);

    const report = await writer.sync([
      serviceBgpStatus('kept', ['tor1']),
      serviceBgpStatus('changed', ['tor2']),
    ]);
    expect(report).toEqual({ created: 0, updated: 1, unchanged: 1, deleted: 1, errors: [] });
    const remaining = (await statusObjects(namespace)).map(
      (o) => `${o.metadata.labels?.[nodeLabel]} ${serviceBgpKey(o)}`,
    );
    expect(remaining.sort()).toEqual(['node1 default/changed', 'node1 default/kept', 'node2 default/kept']);
    expect(
      client
        .writes()
        .map((r) => r.method)
        .sort(),
    ).toEqual(['DELETE', 'DELETE', 'DELETE', 'PATCH']);

    // Steady state: the same desired set again sends nothing.
    const before = client.requests.length;
    await writer.sync([serviceBgpStatus('kept', ['tor1']), serviceBgpStatus('changed', ['tor2'])]);
    expect(client.requests.length).toBe(before);
  });

  test('a start that failed half way begins afresh: no object of the earlier run is taken for a duplicate', async () => {
    const namespace = await freshNamespace('status');
    const resource = inNamespace(resourceTypes.serviceBGPStatuses, namespace);
    const earlier = await serviceBgpWriter(api().client, namespace);
    await earlier.write(serviceBgpStatus('web', ['tor1']));
    // a duplicate without status: a run killed between its create and its status write
    await createObject(api().client, resource, {
      metadata: { generateName: 'bgp-', labels: serviceBgpStatus('web', []).labels },
    });
    const writer = new StatusWriter({
      client: api().client,
      resource,
      selector: { [nodeLabel]: 'node1' },
      keyOf: serviceBgpKey,
    });
    api().server.faults.failRequests({ match: (r) => r.method === 'DELETE', count: 1 });
    expect(await writer.start()).toMatchObject({ ok: false });
    api().server.faults.clear();
    expect(await writer.start()).toEqual({ ok: true, value: undefined });
    expect(writer.keys()).toEqual(['default/web']);
    const objects = await statusObjects(namespace);
    expect(objects.map((o) => o.metadata.name)).toEqual([writer.nameOf('default/web')]);
    expect(objects[0]?.status).toMatchObject({ peers: ['tor1'] });
  });

  test('an object deleted behind the writer is created again on the next change', async () => {
    const namespace = await freshNamespace('status');
    const resource = inNamespace(resourceTypes.serviceBGPStatuses, namespace);
    const writer = await serviceBgpWriter(api().client, namespace);
    await writer.write(serviceBgpStatus('web', ['tor1']));
    await deleteObject(api().client, resource, writer.nameOf('default/web') ?? '');
    expect(await writer.write(serviceBgpStatus('web', ['tor2']))).toEqual({ ok: true, value: 'created' });
    const objects = await statusObjects(namespace);
    expect(objects.map((o) => o.status)).toEqual([expect.objectContaining({ peers: ['tor2'] })]);
  });

  test('a fixed-name object that exists without our labels is adopted, labelled and patched', async () => {
    const namespace = await freshNamespace('status');
    const resource = inNamespace(resourceTypes.configurationStates, namespace);
    await createObject(api().client, resource, { metadata: { name: 'speaker-node1' } });
    const writer = new StatusWriter({
      client: api().client,
      resource,
      selector: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': 'node1' },
      keyOf: (o) => o.metadata.name,
    });
    await writer.start();
    expect(writer.keys()).toEqual([]);
    const result = await writer.write({
      key: 'speaker-node1',
      name: 'speaker-node1',
      labels: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': 'node1' },
      status: { result: 'Valid', errorSummary: '' },
    });
    expect(result).toEqual({ ok: true, value: 'created' });
    const object = await getObject(api().client, resource, 'speaker-node1');
    expect(object.ok && object.value.metadata.labels).toEqual({
      'metallb.io/component-type': 'speaker',
      'metallb.io/node-name': 'node1',
    });
    expect(object.ok && object.value.status).toMatchObject({ result: 'Valid' });
  });

  test('a write error is a value, and other keys still sync', async () => {
    const namespace = await freshNamespace('status');
    const writer = await serviceBgpWriter(api().client, namespace);
    api().server.faults.failRequests({ match: (r) => r.method === 'POST', count: 1 });
    const report = await writer.sync([serviceBgpStatus('a', ['tor1'])]);
    expect(report.errors).toEqual([
      { key: 'default/a', error: expect.objectContaining({ kind: 'http', status: 503 }) },
    ]);
    api().server.faults.clear();
    const retried = await writer.sync([serviceBgpStatus('a', ['tor1']), serviceBgpStatus('b', ['tor1'])]);
    expect(retried).toMatchObject({ created: 2, errors: [] });
  });
});

test('createMissing false: only objects shown with observe are written; one that is gone is not made again', async () => {
  const namespace = await freshNamespace('status');
  const pools = inNamespace(resourceTypes.ipAddressPools, namespace);
  const created = await createObject(api().client, pools, {
    metadata: { name: 'big' },
    spec: { addresses: ['198.18.0.0/24'] },
  });
  if (!created.ok) throw new Error(created.error.message);
  const client = countingClient(api().client);
  const writer = new StatusWriter({
    client,
    resource: pools,
    selector: {},
    keyOf: (object) => object.metadata.name,
    createMissing: false,
  });
  const counts = { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 255, availableIPv6: 0 };
  const desired = { key: 'big', name: 'big', labels: {}, status: counts };

  const unknown = await writer.write(desired);
  expect(!unknown.ok && unknown.error).toMatchObject({ kind: 'http', status: 404 });
  expect(client.requests).toEqual([]);

  writer.observe(created.value);
  expect(await writer.write(desired)).toEqual({ ok: true, value: 'updated' });
  const read = await getObject(api().client, pools, 'big');
  expect(read.ok && read.value.status).toEqual(counts);
  expect(read.ok && read.value.spec).toEqual(created.value.spec);

  await deleteObject(api().client, pools, 'big');
  const gone = await writer.write({ ...desired, status: { ...counts, assignedIPv4: 2 } });
  expect(!gone.ok && gone.error).toMatchObject({ status: 404 });
  expect(client.writes().filter((request) => request.method === 'POST')).toEqual([]);
  expect(writer.keys()).toEqual([]);
});

describe('Service status and annotations', () => {
  async function loadBalancer(namespace: string): Promise<KubeObject> {
    const created = await createObject(api().client, inNamespace(resourceTypes.services, namespace), {
      metadata: { name: 'web' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    if (!created.ok) throw new Error(created.error.message);
    return created.value;
  }

  test('ingress is merge-patched on /status, only when it differs', async () => {
    const namespace = await freshNamespace('status');
    const client = countingClient(api().client);
    const service = await loadBalancer(namespace);
    expect(await writeServiceIngress(client, service, [{ ip: '192.0.2.10' }])).toEqual({
      ok: true,
      value: 'updated',
    });
    expect(client.requests.at(-1)?.path).toBe(`/api/v1/namespaces/${namespace}/services/web/status`);
    const read = await getObject(api().client, inNamespace(resourceTypes.services, namespace), 'web');
    if (!read.ok) throw new Error(read.error.message);
    // the API server (>= 1.30) fills in ipMode: VIP; that is what ferry wrote, not a difference
    expect(read.value.status).toEqual({ loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } });
    expect(ingressOf(read.value)).toEqual([{ ip: '192.0.2.10' }]);

    const before = client.requests.length;
    expect(await writeServiceIngress(client, read.value, [{ ip: '192.0.2.10' }])).toEqual({
      ok: true,
      value: 'unchanged',
    });
    expect(client.requests.length).toBe(before);

    expect(await writeServiceIngress(client, read.value, [])).toEqual({ ok: true, value: 'updated' });
    const cleared = await getObject(api().client, inNamespace(resourceTypes.services, namespace), 'web');
    expect(cleared.ok && ingressOf(cleared.value)).toEqual([]);
  });

  test('an ingress entry with ipMode Proxy (another implementation) is replaced by what ferry writes', () => {
    const proxied = {
      metadata: { name: 'web' },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'Proxy' }] } },
    };
    expect(ingressOf(proxied)).toEqual([{ ip: '192.0.2.10', ipMode: 'Proxy' }]);
  });

  test('annotations are set and removed without touching others; a stale resourceVersion is a Conflict', async () => {
    const namespace = await freshNamespace('status');
    const services = inNamespace(resourceTypes.services, namespace);
    const service = await loadBalancer(namespace);
    await writeServiceAnnotations(api().client, service, { 'example.com/keep': 'yes' });
    const set = await writeServiceAnnotations(api().client, service, { [poolAnnotation]: 'default-pool' });
    expect(set).toEqual({ ok: true, value: 'updated' });
    let read = await getObject(api().client, services, 'web');
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value.metadata.annotations).toEqual({
      'example.com/keep': 'yes',
      [poolAnnotation]: 'default-pool',
    });
    expect(
      await writeServiceAnnotations(api().client, read.value, { [poolAnnotation]: 'default-pool' }),
    ).toEqual({
      ok: true,
      value: 'unchanged',
    });

    const stale = await writeServiceAnnotations(
      api().client,
      service,
      { [poolAnnotation]: 'other-pool' },
      {
        resourceVersion: service.metadata.resourceVersion ?? '',
      },
    );
    expect(!stale.ok && isConflict(stale.error)).toBe(true);

    expect(await writeServiceAnnotations(api().client, read.value, { [poolAnnotation]: null })).toEqual({
      ok: true,
      value: 'updated',
    });
    read = await getObject(api().client, services, 'web');
    expect(read.ok && read.value.metadata.annotations).toEqual({ 'example.com/keep': 'yes' });
  });
});
