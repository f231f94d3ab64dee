import { Registry } from 'prom-client';
import { createObject, listObjects } from '../k8s/client.js';
import { ingressOf } from '../k8s/service-status.js';
import { startElectedController, type ElectedController } from './elected-controller.js';
import {
  controllerOptions,
  useControllerHarness,
  createPool,
  createService,
  eventually,
  eventuallyAsync,
  services,
  shown,
} from '../../test/support/controller-harness.js';
import { service } from '../../test/support/manifests.js';

const { harness, client } = useControllerHarness();

/** Every Service's ingress IPs, by `namespace/name`. */
async function allIngress(): Promise<Map<string, string[]>> {
  const listed = await listObjects(client(), services('apps'));
  if (!listed.ok) throw new Error(listed.error.message);
  return new Map(
    listed.value.items.map((s) => [`apps/${s.metadata.name ?? ''}`, ingressOf(s).map((i) => i.ip)]),
  );
}

async function createServices(count: number, prefix: string): Promise<void> {
  for (let start = 0; start < count; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, (_, index) =>
        createObject(
          client(),
          services('apps'),
          service('apps', `${prefix}-${String(start + index).padStart(4, '0')}`),
        ),
      ),
    );
  }
}

function duplicates(ingress: Map<string, string[]>): string[] {
  const seen = new Map<string, string>();
  const found: string[] = [];
  for (const [service, ips] of ingress) {
    for (const ip of ips) {
      const other = seen.get(ip);
      if (other !== undefined) found.push(`${ip}: ${other} and ${service}`);
      seen.set(ip, service);
    }
  }
  return found;
}

describe('ferry controller restarts and replicas', () => {
  test('a restart with 1,000 assigned Services writes nothing; a new Service does not take an existing IP', async () => {
    await createPool(client(), 'big', ['10.10.0.0/16']);
    await createServices(1000, 'svc');
    const first = await harness().startController();
    await eventuallyAsync(
      async () => [...(await allIngress()).values()].every((ips) => ips.length === 1),
      '1,000 IPs',
      30_000,
    );
    await first.idle();
    const before = await allIngress();
    expect(duplicates(before)).toEqual([]);
    await first.stop();

    // While no controller runs, a Service whose name sorts first arrives.
    await createService(client(), 'apps', 'aaa-new');
    client().requests.length = 0;
    const second = await harness().startController();
    await eventuallyAsync(async () => (await shown(client(), 'apps', 'aaa-new')).ips.length === 1, 'new IP');
    await second.idle();
    const after = await allIngress();
    for (const [service, ips] of before) expect([service, after.get(service)]).toEqual([service, ips]);
    expect(duplicates(after)).toEqual([]);
    const serviceWrites = client()
      .writes()
      .filter((request) => request.path.includes('/services/'));
    // only the new Service was written (status + annotation)
    expect(serviceWrites.map((request) => request.path)).toEqual([
      '/api/v1/namespaces/apps/services/aaa-new/status',
      '/api/v1/namespaces/apps/services/aaa-new',
    ]);
    expect(after.get('apps/aaa-new')).toEqual(['10.10.3.232']);

    // and a third start on the steady cluster writes nothing at all
    await second.stop();
    client().requests.length = 0;
    const third = await harness().startController();
    await third.idle();
    expect(client().writes()).toEqual([]);
  }, 60_000);

  test('two replicas: one Lease holder allocates; after a takeover no IP moves or is held twice', async () => {
    await createPool(client(), 'p', ['192.0.2.0/24']);
    await createServices(20, 'early');
    const options = controllerOptions(client());
    const timing = { leaseDurationMs: 1_000, renewDeadlineMs: 600, retryPeriodMs: 100 };
    const replicas: ElectedController[] = [
      startElectedController({ ...options, registry: new Registry() }, { identity: 'replica-a', ...timing }),
      startElectedController({ ...options, registry: new Registry() }, { identity: 'replica-b', ...timing }),
    ];
    try {
      await eventually(
        () => replicas.some((r) => r.isLeader && r.controller?.ready === true),
        'a leader',
        10_000,
      );
      expect(replicas.filter((r) => r.isLeader)).toHaveLength(1);
      await eventuallyAsync(
        async () => [...(await allIngress()).values()].every((ips) => ips.length === 1),
        '20 IPs',
      );
      const before = await allIngress();
      expect(duplicates(before)).toEqual([]);

      const leader = replicas.find((r) => r.isLeader) as ElectedController;
      const standby = replicas.find((r) => !r.isLeader) as ElectedController;
      expect(standby.controller).toBeUndefined();
      await leader.stop();
      await eventually(() => standby.isLeader && standby.controller?.ready === true, 'takeover', 10_000);

      await createServices(20, 'late');
      await eventuallyAsync(
        async () => [...(await allIngress()).values()].every((ips) => ips.length === 1),
        '40 IPs',
      );
      const after = await allIngress();
      for (const [service, ips] of before) expect(after.get(service)).toEqual(ips);
      expect(duplicates(after)).toEqual([]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  }, 30_000);
});
