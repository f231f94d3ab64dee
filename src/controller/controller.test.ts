import { Registry } from 'prom-client';
import { mergePatchObject } from '../k8s/client.js';
import {
  createPool,
  createService,
  eventsIn,
  eventuallyAsync,
  patchService,
  readService,
  services,
  shown,
  shownEventually,
  useControllerHarness,
} from '../../test/support/controller-harness.js';

const { harness, client } = useControllerHarness();

async function reasons(namespace: string, name: string): Promise<string[]> {
  return (await eventsIn(client(), namespace))
    .filter((event) => event.object === `${namespace}/${name}`)
    .map((event) => event.reason);
}

describe('ferry controller', () => {
  test('a LoadBalancer Service gets the lowest IP, the pool annotation and an IPAllocated event', async () => {
    await createPool(client(), 'default-pool', ['192.0.2.0/29']);
    const registry = new Registry();
    await harness().startController({ registry });
    await createService(client(), 'apps', 'web');
    await shownEventually(client(), 'apps', 'web', ['192.0.2.0'], 'default-pool');
    await eventuallyAsync(async () => (await reasons('apps', 'web')).includes('IPAllocated'), 'IPAllocated');
    const [event] = (await eventsIn(client(), 'apps')).filter((e) => e.reason === 'IPAllocated');
    expect(event).toMatchObject({
      type: 'Normal',
      message: 'Assigned IP ["192.0.2.0"]',
      source: 'metallb-controller',
    });
    const metrics = await registry.metrics();
    expect(metrics).toContain('metallb_allocator_addresses_in_use_total{pool="default-pool"} 1');
    expect(metrics).toContain('metallb_allocator_addresses_total{pool="default-pool"} 8');
    expect(metrics).toContain('metallb_k8s_client_config_loaded_bool 1');
    expect(metrics).toContain('metallb_k8s_client_config_stale_bool 0');
  });

  test('metallb.io/address-pool, metallb.io/loadBalancerIPs and spec.loadBalancerIP are honoured', async () => {
    await createPool(client(), 'a', ['192.0.2.0/28']);
    await createPool(client(), 'b', ['198.51.100.0/28'], { autoAssign: false });
    await harness().startController();
    await createService(client(), 'apps', 'by-pool', { annotations: { 'metallb.io/address-pool': 'b' } });
    await createService(client(), 'apps', 'by-ips', {
      annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.7' },
    });
    await createService(client(), 'apps', 'by-spec', { spec: { loadBalancerIP: '198.51.100.9' } });
    await shownEventually(client(), 'apps', 'by-pool', ['198.51.100.0'], 'b');
    await shownEventually(client(), 'apps', 'by-ips', ['192.0.2.7'], 'a');
    await shownEventually(client(), 'apps', 'by-spec', ['198.51.100.9'], 'b');
  });

  test('the deprecated annotation prefix works and earns a deprecatedAnnotation warning', async () => {
    await createPool(client(), 'a', ['192.0.2.0/28']);
    await harness().startController();
    await createService(client(), 'apps', 'old', {
      annotations: { 'metallb.universe.tf/loadBalancerIPs': '192.0.2.5' },
    });
    await shownEventually(client(), 'apps', 'old', ['192.0.2.5'], 'a');
    await eventuallyAsync(
      async () => (await reasons('apps', 'old')).includes('deprecatedAnnotation'),
      'warning',
    );
    const warning = (await eventsIn(client(), 'apps')).find((e) => e.reason === 'deprecatedAnnotation');
    expect(warning).toMatchObject({
      type: 'Warning',
      message: 'Service uses deprecated annotation metallb.universe.tf/loadBalancerIPs',
    });
  });

  test('conflicting requests are rejected with an event and get no IP', async () => {
    await createPool(client(), 'a', ['192.0.2.0/28']);
    await createPool(client(), 'b', ['198.51.100.0/28']);
    await harness().startController();
    await createService(client(), 'apps', 'both', {
      annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.3' },
      spec: { loadBalancerIP: '192.0.2.4' },
    });
    await createService(client(), 'apps', 'mismatch', {
      annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.3', 'metallb.io/address-pool': 'b' },
    });
    await createService(client(), 'apps', 'outside', {
      annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.1' },
    });
    await eventuallyAsync(
      async () => (await reasons('apps', 'outside')).includes('AllocationFailed'),
      'failures',
    );
    await eventuallyAsync(
      async () => (await reasons('apps', 'mismatch')).includes('AllocationFailed'),
      'failures',
    );
    const events = await eventsIn(client(), 'apps');
    const messageOf = (name: string): string | undefined =>
      events.find((e) => e.object === `apps/${name}` && e.reason === 'AllocationFailed')?.message;
    expect(messageOf('both')).toContain(
      'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    );
    expect(messageOf('mismatch')).toContain('is not compatible with requested address pool b');
    expect(messageOf('outside')).toContain('["203.0.113.1"] is not allowed in config');
    for (const name of ['both', 'mismatch', 'outside'])
      expect((await shown(client(), 'apps', name)).ips).toEqual([]);
  });

  test('sharing: the same key and disjoint ports share; a port clash is refused', async () => {
    await createPool(client(), 'a', ['192.0.2.0/28']);
    await harness().startController();
    const share = { 'metallb.io/allow-shared-ip': 'web', 'metallb.io/loadBalancerIPs': '192.0.2.10' };
    await createService(client(), 'apps', 'http', { annotations: share });
    await createService(client(), 'apps', 'https', {
      annotations: share,
      spec: { ports: [{ port: 443, protocol: 'TCP' }] },
    });
    await createService(client(), 'apps', 'clash', { annotations: share });
    await shownEventually(client(), 'apps', 'http', ['192.0.2.10'], 'a');
    await shownEventually(client(), 'apps', 'https', ['192.0.2.10'], 'a');
    await eventuallyAsync(
      async () => (await reasons('apps', 'clash')).includes('AllocationFailed'),
      'refusal',
    );
    const refusal = (await eventsIn(client(), 'apps')).find((e) => e.object === 'apps/clash');
    expect(refusal?.message).toContain('port TCP/80 is already in use');
    expect((await shown(client(), 'apps', 'clash')).ips).toEqual([]);

    // the Service holding the port goes away: the refused one fits now (reprocess)
    await harness().api.client.request({ method: 'DELETE', path: '/api/v1/namespaces/apps/services/http' });
    await shownEventually(client(), 'apps', 'clash', ['192.0.2.10'], 'a');
  });

  test('dual-stack: RequireDualStack gets both families, PreferDualStack takes what the pool has', async () => {
    await createPool(client(), 'dual', ['192.0.2.0/28', '2001:db8::/124']);
    await createPool(client(), 'v4only', ['198.51.100.0/28'], { autoAssign: false });
    await harness().startController();
    const dual = (policy: string): Record<string, unknown> => ({
      ipFamilyPolicy: policy,
      ipFamilies: ['IPv4', 'IPv6'],
      clusterIPs: ['10.96.9.1', 'fd00::9:1'],
      clusterIP: '10.96.9.1',
    });
    await createService(client(), 'apps', 'required', { spec: dual('RequireDualStack') });
    await shownEventually(client(), 'apps', 'required', ['192.0.2.0', '2001:db8::'], 'dual');
    await createService(client(), 'apps', 'preferred', {
      annotations: { 'metallb.io/address-pool': 'v4only' },
      spec: dual('PreferDualStack'),
    });
    await shownEventually(client(), 'apps', 'preferred', ['198.51.100.0'], 'v4only');
  });

  test('--lb-class: only Services of that class; without it only Services without a class', async () => {
    await createPool(client(), 'a', ['192.0.2.0/28']);
    await harness().startController({ lbClass: 'ferry' });
    await createService(client(), 'apps', 'mine', { spec: { loadBalancerClass: 'ferry' } });
    await createService(client(), 'apps', 'classless');
    await createService(client(), 'apps', 'other', { spec: { loadBalancerClass: 'other' } });
    await shownEventually(client(), 'apps', 'mine', ['192.0.2.0'], 'a');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await shown(client(), 'apps', 'classless')).ips).toEqual([]);
    expect((await shown(client(), 'apps', 'other')).ips).toEqual([]);
  });

  test("a hostname entry on its own Service is replaced by IPs only (as MetalLB's); another class's is left alone", async () => {
    await createPool(client(), 'a', ['192.0.2.0/28']);
    await harness().startController();
    await createService(client(), 'apps', 'mine');
    await createService(client(), 'apps', 'theirs', { spec: { loadBalancerClass: 'example.com/other' } });
    await shownEventually(client(), 'apps', 'mine', ['192.0.2.0'], 'a');
    const ingress = (entries: unknown[]) => ({ status: { loadBalancer: { ingress: entries } } });
    // as stored: the API server fills in ipMode for an entry with an ip
    const theirs = [{ ip: '192.0.2.1', ipMode: 'VIP' }, { hostname: 'theirs.example.com' }];
    await mergePatchObject(client(), services('apps'), 'theirs', ingress(theirs), 'status');
    await mergePatchObject(
      client(),
      services('apps'),
      'mine',
      ingress([{ ip: '192.0.2.0' }, { hostname: 'mine.example.com' }]),
      'status',
    );
    // the speakers refuse `mine` (invalidIP) until the controller writes it back as IPs only
    await eventuallyAsync(
      async () =>
        JSON.stringify((await readService(client(), 'apps', 'mine')).status) ===
        JSON.stringify(ingress([{ ip: '192.0.2.0', ipMode: 'VIP' }]).status),
      'mine rewritten as IPs only',
    );
    expect((await readService(client(), 'apps', 'theirs')).status).toEqual(ingress(theirs).status);
  });

  test('a Service that stops being a LoadBalancer loses its IP and the annotation; the IP goes to the next', async () => {
    await createPool(client(), 'a', ['192.0.2.0/32']);
    await harness().startController();
    await createService(client(), 'apps', 'first');
    await shownEventually(client(), 'apps', 'first', ['192.0.2.0'], 'a');
    await createService(client(), 'apps', 'second');
    await eventuallyAsync(
      async () => (await reasons('apps', 'second')).includes('AllocationFailed'),
      'no IP left',
    );
    expect((await eventsIn(client(), 'apps')).find((e) => e.object === 'apps/second')?.message).toBe(
      'Failed to allocate IP for "apps/second": no available IPs',
    );
    await patchService(client(), 'apps', 'first', { spec: { type: 'ClusterIP' } });
    await shownEventually(client(), 'apps', 'first', [], undefined);
    await shownEventually(client(), 'apps', 'second', ['192.0.2.0'], 'a');
  });

  test('failed writes are retried: the API server refusing status and pool writes only delays them', async () => {
    await createPool(client(), 'a', ['192.0.2.0/30']);
    await harness().startController();
    harness().api.server.faults.failRequests({
      match: (request) => request.method === 'PATCH',
      count: 4,
    });
    await createService(client(), 'apps', 'web');
    await shownEventually(client(), 'apps', 'web', ['192.0.2.0'], 'a');
  });
});
