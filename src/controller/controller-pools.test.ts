import { Registry } from 'prom-client';
import { getObject } from '../k8s/client.js';
import { inNamespace, resourceTypes } from '../k8s/resources.js';
import { isRecord } from '../k8s/kube-object.js';
import {
  createPool,
  createService,
  deletePool,
  eventsIn,
  eventuallyAsync,
  readPool,
  shown,
  shownEventually,
  useControllerHarness,
} from '../../test/support/controller-harness.js';
import { NS } from '../../test/support/manifests.js';

const { harness, client } = useControllerHarness();

async function configurationState(): Promise<Record<string, unknown>> {
  const result = await getObject(client(), inNamespace(resourceTypes.configurationStates, NS), 'controller');
  if (!result.ok) return {};
  expect(result.value.metadata.labels).toEqual({ 'metallb.io/component-type': 'controller' });
  return isRecord(result.value.status) ? result.value.status : {};
}

describe('ferry controller and pool changes', () => {
  test('IPAddressPool status counts assigned and available addresses per family', async () => {
    await createPool(client(), 'mixed', ['192.0.2.0/29', '2001:db8::/126']);
    await harness().startController();
    await createService(client(), 'apps', 'one');
    await createService(client(), 'apps', 'two');
    await eventuallyAsync(async () => {
      const status = (await readPool(client(), 'mixed')).status;
      return (
        JSON.stringify(status) ===
        JSON.stringify({ assignedIPv4: 2, assignedIPv6: 0, availableIPv4: 6, availableIPv6: 4 })
      );
    }, 'pool status 2 of 8 IPv4 assigned');
  });

  test('a deleted pool: its Services get ClearAssignment, then an IP from another pool or AllocationFailed with ingress cleared', async () => {
    await createPool(client(), 'old', ['192.0.2.0/31']);
    await createPool(client(), 'spare', ['198.51.100.0/32'], { autoAssign: true });
    await harness().startController();
    await createService(client(), 'apps', 'a', { annotations: { 'metallb.io/address-pool': 'old' } });
    await createService(client(), 'apps', 'b', { annotations: { 'metallb.io/address-pool': 'old' } });
    await shownEventually(client(), 'apps', 'a', ['192.0.2.0'], 'old');
    await shownEventually(client(), 'apps', 'b', ['192.0.2.1'], 'old');
    // a no longer insists on a pool: after the deletion it moves to the spare pool
    await harness().api.client.request({
      method: 'PATCH',
      path: '/api/v1/namespaces/apps/services/a',
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations: { 'metallb.io/address-pool': null } } },
    });
    await deletePool(client(), 'old');
    await shownEventually(client(), 'apps', 'a', ['198.51.100.0'], 'spare');
    await shownEventually(client(), 'apps', 'b', [], undefined);
    const events = await eventsIn(client(), 'apps');
    const of = (name: string): string[] =>
      events.filter((e) => e.object === `apps/${name}`).map((e) => e.reason);
    expect(of('a')).toEqual(expect.arrayContaining(['IPAllocated', 'ClearAssignment']));
    expect(of('b')).toEqual(expect.arrayContaining(['ClearAssignment', 'AllocationFailed']));
    const clear = events.find((e) => e.object === 'apps/b' && e.reason === 'ClearAssignment');
    expect(clear?.message).toContain(
      'current IP for "apps/b" not allowed by config, will attempt for new IP assignment',
    );
  });

  test('an invalid pool: ConfigurationState Invalid naming object and field, config stale, last valid pools kept', async () => {
    await createPool(client(), 'good', ['192.0.2.0/30']);
    const registry = new Registry();
    await harness().startController({ registry });
    await eventuallyAsync(async () => (await configurationState()).result === 'Valid', 'Valid');
    await createService(client(), 'apps', 'web');
    await shownEventually(client(), 'apps', 'web', ['192.0.2.0'], 'good');

    // overlaps the good pool: the whole configuration is rejected
    await createPool(client(), 'overlap', ['192.0.2.0/31']);
    await eventuallyAsync(async () => (await configurationState()).result === 'Invalid', 'Invalid');
    const state = await configurationState();
    expect(state.errorSummary).toContain('IPAddressPool metallb-system/overlap: spec.addresses');
    expect(state.conditions).toEqual([
      expect.objectContaining({ type: 'poolReconcilerValid', status: 'False', reason: 'ConfigurationError' }),
    ]);
    expect(await registry.metrics()).toContain('metallb_k8s_client_config_stale_bool 1');

    // the last valid pools still serve
    await createService(client(), 'apps', 'next');
    await shownEventually(client(), 'apps', 'next', ['192.0.2.1'], 'good');
    expect(await shown(client(), 'apps', 'web')).toEqual({ ips: ['192.0.2.0'], pool: 'good' });

    await deletePool(client(), 'overlap');
    await eventuallyAsync(async () => (await configurationState()).result === 'Valid', 'Valid again');
    expect(await registry.metrics()).toContain('metallb_k8s_client_config_stale_bool 0');
  });

  test('a controller started on an invalid configuration changes no Service until one is valid', async () => {
    await createPool(client(), 'a', ['192.0.2.0/30']);
    await createPool(client(), 'b', ['192.0.2.0/31']);
    await createService(client(), 'apps', 'web');
    await harness().startController();
    await eventuallyAsync(async () => (await configurationState()).result === 'Invalid', 'Invalid');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await shown(client(), 'apps', 'web')).ips).toEqual([]);
    await deletePool(client(), 'b');
    await shownEventually(client(), 'apps', 'web', ['192.0.2.0'], 'a');
  });

  test('namespaceSelectors follow Namespace labels: labelling the namespace lets its pending Service in', async () => {
    await createPool(client(), 'team-a', ['192.0.2.0/30'], {
      serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
    });
    await harness().startController();
    await createService(client(), 'apps', 'web');
    await eventuallyAsync(
      async () => (await eventsIn(client(), 'apps')).some((e) => e.reason === 'AllocationFailed'),
      'AllocationFailed',
    );
    await harness().api.client.request({
      method: 'PATCH',
      path: '/api/v1/namespaces/apps',
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { team: 'a' } } },
    });
    await shownEventually(client(), 'apps', 'web', ['192.0.2.0'], 'team-a');
  });

  test('PreferDualStack gets the missing family once its pool has one', async () => {
    await createPool(client(), 'p', ['192.0.2.0/30']);
    await harness().startController();
    await createService(client(), 'apps', 'dual', {
      spec: {
        ipFamilyPolicy: 'PreferDualStack',
        ipFamilies: ['IPv4', 'IPv6'],
        clusterIPs: ['10.96.8.1', 'fd00::8:1'],
        clusterIP: '10.96.8.1',
      },
    });
    await shownEventually(client(), 'apps', 'dual', ['192.0.2.0'], 'p');
    await harness().api.client.request({
      method: 'PATCH',
      path: '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/p',
      contentType: 'application/merge-patch+json',
      body: { spec: { addresses: ['192.0.2.0/30', '2001:db8::/126'] } },
    });
    await shownEventually(client(), 'apps', 'dual', ['192.0.2.0', '2001:db8::'], 'p');
    const events = await eventsIn(client(), 'apps');
    expect(events.map((e) => e.message)).toContain('Assigned additional IP "2001:db8::"');
  });
});
