import { type KubeClient, createObject, getObject } from './client.js';
import { type LeaderElectionOptions, LeaderElector } from './lease.js';
import { inNamespace, resourceTypes } from './resources.js';
import { delay, eventually, useTestApi } from '../../test/support/test-apiserver.js';

const { api, freshNamespace } = useTestApi();
const timing = { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 };

/** A client that can be cut off from the API server, as a partitioned node would be. */
function partitionable(inner: KubeClient): KubeClient & { cut: boolean } {
  const client: KubeClient & { cut: boolean } = {
    cut: false,
    request: (request) =>
      client.cut
        ? Promise.resolve({ ok: false, error: { kind: 'network', message: 'partitioned' } })
        : inner.request(request),
    watch: (request) => inner.watch(request),
  };
  return client;
}

interface Candidate {
  elector: LeaderElector;
  log: string[];
  signals: AbortSignal[];
}

function candidate(
  namespace: string,
  identity: string,
  client: KubeClient = api().client,
  extra: Partial<LeaderElectionOptions> = {},
): Candidate {
  const log: string[] = [];
  const signals: AbortSignal[] = [];
  const elector = new LeaderElector({
    client,
    namespace,
    name: 'ferry-controller',
    identity,
    ...timing,
    onStartedLeading: (signal) => {
      signals.push(signal);
      log.push('started');
    },
    onStoppedLeading: () => log.push('stopped'),
    ...extra,
  });
  return { elector, log, signals };
}

/** Samples both electors every few ms and fails the test if both ever lead at once. */
function watchForTwoLeaders(a: LeaderElector, b: LeaderElector): { stop(): void; overlaps: number } {
  const state = { overlaps: 0, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    if (a.isLeader && b.isLeader) state.overlaps++;
  }, 2);
  return state;
}

async function leaseSpec(namespace: string): Promise<Record<string, unknown>> {
  const lease = await getObject(
    api().client,
    inNamespace(resourceTypes.leases, namespace),
    'ferry-controller',
  );
  if (!lease.ok) throw new Error(lease.error.message);
  return lease.value.spec as Record<string, unknown>;
}

describe('LeaderElector', () => {
  test('creates the Lease, leads, renews, and releases it on stop', async () => {
    const namespace = await freshNamespace('lease');
    const a = candidate(namespace, 'controller-a');
    a.elector.start();
    await eventually(() => a.elector.isLeader, 'a leads');
    const first = await leaseSpec(namespace);
    expect(first).toMatchObject({
      holderIdentity: 'controller-a',
      leaseDurationSeconds: 1,
      leaseTransitions: 0,
    });
    expect(first.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await delay(250);
    expect((await leaseSpec(namespace)).renewTime).not.toBe(first.renewTime);
    await a.elector.stop();
    expect(a.elector.isLeader).toBe(false);
    expect(a.log).toEqual(['started', 'stopped']);
    expect(a.signals[0]?.aborted).toBe(true);
    expect((await leaseSpec(namespace)).holderIdentity).toBe('');
  });

  test('two candidates never lead at once; the second takes over when the first stops', async () => {
    const namespace = await freshNamespace('lease');
    const a = candidate(namespace, 'controller-a');
    const b = candidate(namespace, 'controller-b');
    const monitor = watchForTwoLeaders(a.elector, b.elector);
    a.elector.start();
    await eventually(() => a.elector.isLeader, 'a leads');
    b.elector.start();
    await delay(1_500);
    expect(b.elector.isLeader).toBe(false);
    expect(b.elector.leader).toBe('controller-a');

    const stoppedAt = Date.now();
    await a.elector.stop();
    await eventually(() => b.elector.isLeader, 'b leads', 2_000);
    // Released, not expired: b does not wait out the lease duration.
    expect(Date.now() - stoppedAt).toBeLessThan(800);
    expect(await leaseSpec(namespace)).toMatchObject({ holderIdentity: 'controller-b', leaseTransitions: 1 });
    await b.elector.stop();
    monitor.stop();
    expect(monitor.overlaps).toBe(0);
  });

  test('a leader cut off from the API server stops leading before the other takes over', async () => {
    const namespace = await freshNamespace('lease');
    const cutOff = partitionable(api().client);
    const a = candidate(namespace, 'controller-a', cutOff);
    const b = candidate(namespace, 'controller-b');
    const monitor = watchForTwoLeaders(a.elector, b.elector);
    a.elector.start();
    await eventually(() => a.elector.isLeader, 'a leads');
    b.elector.start();
    await delay(300);

    cutOff.cut = true;
    await eventually(() => !a.elector.isLeader, 'a stops leading', 1_000);
    expect(a.log).toEqual(['started', 'stopped']);
    expect(a.signals[0]?.aborted).toBe(true);
    await eventually(() => b.elector.isLeader, 'b takes over the expired lease', 3_000);
    expect((await leaseSpec(namespace)).holderIdentity).toBe('controller-b');

    // Healed, a is a candidate again and does not disturb b.
    cutOff.cut = false;
    await delay(500);
    expect(a.elector.isLeader).toBe(false);
    expect(a.elector.leader).toBe('controller-b');
    monitor.stop();
    expect(monitor.overlaps).toBe(0);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  test('takes over a Lease whose holder died, after its lease duration', async () => {
    const namespace = await freshNamespace('lease');
    await createObject(api().client, inNamespace(resourceTypes.leases, namespace), {
      metadata: { name: 'ferry-controller' },
      spec: {
        holderIdentity: 'ghost',
        leaseDurationSeconds: 1,
        renewTime: '2020-01-01T00:00:00.000000Z',
        leaseTransitions: 3,
      },
    });
    const a = candidate(namespace, 'controller-a');
    const startedAt = Date.now();
    a.elector.start();
    await eventually(() => a.elector.isLeader, 'a leads', 3_000);
    // Expiry is judged on a's own clock from when it first saw the record, not on renewTime.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
    expect(await leaseSpec(namespace)).toMatchObject({ holderIdentity: 'controller-a', leaseTransitions: 4 });
    await a.elector.stop();
  });

  test('refuses a renew deadline that is not shorter than the lease duration', () => {
    expect(
      () =>
        new LeaderElector({
          client: api().client,
          namespace: 'default',
          name: 'x',
          identity: 'a',
          leaseDurationMs: 1_000,
          renewDeadlineMs: 1_000,
          onStartedLeading: () => undefined,
        }),
    ).toThrow(/renewDeadlineMs/);
  });
});
