import { createObject, deleteObject, listObjects } from './client.js';
import { EventRecorder, referenceTo } from './events.js';
import type { KubeObject } from './kube-object.js';
import { KeyedTokenBuckets } from './rate-limit.js';
import { inNamespace, resourceTypes } from './resources.js';
import { countingClient, useTestApi } from '../../test/support/test-apiserver.js';

const { api, freshNamespace } = useTestApi();

async function serviceIn(): Promise<{ namespace: string; service: KubeObject }> {
  const namespace = await freshNamespace('events');
  const created = await createObject(api().client, inNamespace(resourceTypes.services, namespace), {
    metadata: { name: 'web' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  });
  if (!created.ok) throw new Error(created.error.message);
  return { namespace, service: created.value };
}

async function eventsIn(namespace: string): Promise<KubeObject[]> {
  const listed = await listObjects(api().client, inNamespace(resourceTypes.events, namespace));
  if (!listed.ok) throw new Error(listed.error.message);
  return listed.value.items;
}

function clock(start = Date.parse('2025-01-01T00:00:00Z')): { now: () => Date; advance(ms: number): void } {
  let time = start;
  return { now: () => new Date(time), advance: (ms) => (time += ms) };
}

describe('EventRecorder', () => {
  test('records an Event on the Service with MetalLB reason, type and source', async () => {
    const { namespace, service } = await serviceIn();
    const recorder = new EventRecorder({ client: api().client, component: 'metallb-controller' });
    const result = await recorder.normal(
      referenceTo(service, 'Service', 'v1'),
      'IPAllocated',
      'Assigned IP ["192.0.2.10"]',
    );
    expect(result).toEqual({ ok: true, value: 'created' });
    const [event] = await eventsIn(namespace);
    expect(event).toMatchObject({
      involvedObject: {
        kind: 'Service',
        apiVersion: 'v1',
        namespace,
        name: 'web',
        uid: service.metadata.uid,
      },
      reason: 'IPAllocated',
      message: 'Assigned IP ["192.0.2.10"]',
      type: 'Normal',
      source: { component: 'metallb-controller' },
      count: 1,
    });
    expect(event?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  test('repeats of the same event bump count and lastTimestamp on one Event', async () => {
    const { namespace, service } = await serviceIn();
    const time = clock();
    const client = countingClient(api().client);
    const recorder = new EventRecorder({
      client,
      component: 'metallb-speaker',
      host: 'node1',
      now: time.now,
    });
    const ref = referenceTo(service, 'Service', 'v1');
    await recorder.normal(ref, 'nodeAssigned', 'announcing from node "node1" with protocol "bgp"');
    for (let i = 0; i < 3; i++) {
      time.advance(5_000);
      expect(
        await recorder.normal(ref, 'nodeAssigned', 'announcing from node "node1" with protocol "bgp"'),
      ).toEqual({
        ok: true,
        value: 'aggregated',
      });
    }
    const events = await eventsIn(namespace);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      count: 4,
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:00:15Z',
      source: { component: 'metallb-speaker', host: 'node1' },
    });
    expect(client.writes().map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH']);

    // A different message is a different event.
    await recorder.warning(ref, 'nodeAssigned', 'something else');
    expect(await eventsIn(namespace)).toHaveLength(2);
  });

  test('concurrent repeats aggregate without losing counts', async () => {
    const { namespace, service } = await serviceIn();
    const recorder = new EventRecorder({ client: api().client, component: 'metallb-controller' });
    const ref = referenceTo(service, 'Service', 'v1');
    await Promise.all(
      Array.from({ length: 5 }, () => recorder.warning(ref, 'AllocationFailed', 'no available IPs')),
    );
    const events = await eventsIn(namespace);
    expect(events.map((e) => e.count)).toEqual([5]);
  });

  test('each (object, reason) is rate-limited: a burst, then one per refill interval', async () => {
    const { namespace, service } = await serviceIn();
    const time = clock();
    const recorder = new EventRecorder({
      client: api().client,
      component: 'metallb-controller',
      rateLimit: { burst: 3, refillMs: 1_000 },
      now: time.now,
    });
    const ref = referenceTo(service, 'Service', 'v1');
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await recorder.warning(ref, 'AllocationFailed', `attempt ${i}`);
      outcomes.push(result.ok ? result.value : 'error');
    }
    expect(outcomes).toEqual(['created', 'created', 'created', 'rate-limited', 'rate-limited']);
    // Another reason on the same object has its own budget.
    expect(await recorder.normal(ref, 'IPAllocated', 'Assigned IP')).toEqual({ ok: true, value: 'created' });
    time.advance(1_000);
    expect(await recorder.warning(ref, 'AllocationFailed', 'attempt 5')).toEqual({
      ok: true,
      value: 'created',
    });
    expect(await recorder.warning(ref, 'AllocationFailed', 'attempt 6')).toEqual({
      ok: true,
      value: 'rate-limited',
    });
    expect(await eventsIn(namespace)).toHaveLength(5);
  });

  test('two speakers warning about one Service in the same millisecond each get their Event', async () => {
    const { namespace, service } = await serviceIn();
    const ref = referenceTo(service, 'Service', 'v1');
    const time = clock();
    const speakers = ['node-1', 'node-2'].map(
      (host) =>
        new EventRecorder({ client: api().client, component: 'metallb-speaker', host, now: time.now }),
    );
    // both already recorded as many events (their counters agree) before the one that matters
    await Promise.all(
      speakers.map((speaker, i) => speaker.normal(ref, 'nodeAssigned', `announcing from node-${i + 1}`)),
    );
    const results = await Promise.all(
      speakers.map((speaker, i) =>
        speaker.warning(ref, 'invalidIP', `not announcing from node "node-${i + 1}"`),
      ),
    );
    expect(results).toEqual([
      { ok: true, value: 'created' },
      { ok: true, value: 'created' },
    ]);
    const warnings = (await eventsIn(namespace)).filter((e) => e.reason === 'invalidIP');
    expect(warnings.map((e) => e.message).sort()).toEqual([
      'not announcing from node "node-1"',
      'not announcing from node "node-2"',
    ]);
  });

  test('an Event that disappeared is created again; API failures are values', async () => {
    const { namespace, service } = await serviceIn();
    const recorder = new EventRecorder({ client: api().client, component: 'metallb-controller' });
    const ref = referenceTo(service, 'Service', 'v1');
    await recorder.normal(ref, 'IPAllocated', 'Assigned IP');
    const [first] = await eventsIn(namespace);
    await deleteObject(
      api().client,
      inNamespace(resourceTypes.events, namespace),
      first?.metadata.name ?? '',
    );
    expect(await recorder.normal(ref, 'IPAllocated', 'Assigned IP')).toEqual({ ok: true, value: 'created' });
    expect((await eventsIn(namespace)).map((e) => e.count)).toEqual([1]);

    api().server.faults.failRequests({ match: (r) => r.path.includes('/events'), count: 1 });
    const failed = await recorder.normal(ref, 'ClearAssignment', 'cleared');
    expect(failed.ok).toBe(false);
    api().server.faults.clear();
  });
});

describe('KeyedTokenBuckets', () => {
  test('refills fractionally and keys are independent', () => {
    const buckets = new KeyedTokenBuckets({ burst: 2, refillMs: 100 });
    expect([buckets.take('a', 0), buckets.take('a', 0), buckets.take('a', 0)]).toEqual([true, true, false]);
    expect(buckets.take('b', 0)).toBe(true);
    expect(buckets.take('a', 50)).toBe(false);
    expect(buckets.take('a', 100)).toBe(true);
    expect(buckets.take('a', 1_000)).toBe(true);
    expect(buckets.take('a', 1_000)).toBe(true);
    expect(buckets.take('a', 1_000)).toBe(false);
  });

  test('forgets the least recently used keys beyond its size', () => {
    const buckets = new KeyedTokenBuckets({ burst: 1, refillMs: 1_000_000 }, 2);
    buckets.take('a', 0);
    buckets.take('b', 0);
    buckets.take('c', 0);
    expect(buckets.take('a', 0)).toBe(true);
    expect(buckets.take('c', 0)).toBe(false);
  });
});
