import type { ServiceInfo } from '../api/cluster.js';
import { Allocator } from './allocator.js';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL } from './request.js';
import { convergeService, convergeServices, type ServiceConvergence } from './converge.js';
import { DUAL_STACK, pool, service, written } from '../../test/support/builders.js';

const POOL_ANNOTATION = ANNOTATION_IP_ALLOCATED_FROM_POOL;

function showing(
  name: string,
  ips: string[],
  poolName: string,
  fields: Partial<ServiceInfo> = {},
): ServiceInfo {
  return service(name, {
    ...fields,
    ingressIPs: ips,
    annotations: { [POOL_ANNOTATION]: poolName, ...fields.annotations },
  });
}

const reasons = (result: ServiceConvergence): string[] => result.events.map((event) => event.reason);

describe('convergeService', () => {
  it('allocates for a new Service and says so', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    expect(convergeService(allocator, service('a'))).toEqual({
      service: 'default/a',
      ips: ['192.0.2.0'],
      pool: 'default',
      events: [{ type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.0.2.0"]' }],
      changed: true,
      converged: true,
      reprocessAll: false,
    });
  });

  it('keeps the addresses a Service shows, silently', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    const result = convergeService(allocator, showing('a', ['192.0.2.9'], 'default'));
    expect(result).toMatchObject({ ips: ['192.0.2.9'], pool: 'default', events: [], changed: false });
    expect(convergeService(allocator, service('b')).ips).toEqual(['192.0.2.0']);
  });

  it('clears and reallocates an address the configuration no longer allows', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    const result = convergeService(allocator, showing('a', ['203.0.113.1'], 'old'));
    expect(result.ips).toEqual(['192.0.2.0']);
    expect(result.events).toEqual([
      {
        type: 'Normal',
        reason: 'ClearAssignment',
        message:
          'current IP for "default/a" not allowed by config, will attempt for new IP assignment: ["203.0.113.1"] is not allowed in config',
      },
      { type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["192.0.2.0"]' },
    ]);
  });

  it('moves a Service whose pool annotation changed', () => {
    const allocator = new Allocator([pool('gold', ['192.0.2.0/24']), pool('silver', ['198.51.100.0/24'])]);
    const svc = showing('a', ['192.0.2.5'], 'gold', { annotations: { 'metallb.io/address-pool': 'silver' } });
    expect(convergeService(allocator, svc)).toMatchObject({
      ips: ['198.51.100.0'],
      pool: 'silver',
      changed: true,
    });
  });

  it('moves a Service whose requested address changed', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    const svc = showing('a', ['192.0.2.5'], 'default', { loadBalancerIP: '192.0.2.6' });
    expect(convergeService(allocator, svc).ips).toEqual(['192.0.2.6']);
    expect(convergeService(allocator, service('b', { loadBalancerIP: '192.0.2.5' })).ips).toEqual([
      '192.0.2.5',
    ]);
  });

  it('keeps the addresses of a Service whose requested addresses became invalid', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    const svc = showing('a', ['192.0.2.5'], 'default', { loadBalancerIP: 'nonsense' });
    const result = convergeService(allocator, svc);
    expect(result).toMatchObject({ ips: ['192.0.2.5'], changed: false, converged: false });
    expect(result.events).toEqual([
      {
        type: 'Warning',
        reason: 'LoadBalancerFailed',
        message: 'invalid requested loadbalancer IPs: invalid spec.loadBalancerIP "nonsense"',
      },
    ]);
    expect(convergeService(allocator, service('b', { loadBalancerIP: '192.0.2.5' })).ips).toEqual([]);
  });

  it('reports invalid requested addresses of a new Service as AllocationFailed', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    const result = convergeService(allocator, service('a', { loadBalancerIP: 'nonsense' }));
    expect(result.events).toEqual([
      {
        type: 'Warning',
        reason: 'AllocationFailed',
        message: 'Failed to allocate IP for "default/a": invalid spec.loadBalancerIP "nonsense"',
      },
    ]);
  });

  it('clears the status when nothing can be allocated', () => {
    const allocator = new Allocator([pool('tiny', ['192.0.2.0/32'])]);
    convergeService(allocator, service('a'));
    const result = convergeService(allocator, showing('b', ['198.51.100.1'], 'gone'));
    expect(result).toMatchObject({ ips: [], pool: undefined, changed: true, converged: false });
    expect(reasons(result)).toEqual(['ClearAssignment', 'AllocationFailed']);
    expect(result.events[1]?.message).toBe('Failed to allocate IP for "default/b": no available IPs');
  });

  it('releases the addresses of a Service that is no longer a LoadBalancer and asks to reprocess', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/32'])]);
    convergeService(allocator, service('a'));
    const result = convergeService(allocator, showing('a', ['192.0.2.0'], 'default', { type: 'ClusterIP' }));
    expect(result).toMatchObject({
      ips: [],
      pool: undefined,
      changed: true,
      converged: true,
      reprocessAll: true,
    });
    expect(convergeService(allocator, service('b')).ips).toEqual(['192.0.2.0']);
  });

  it('clears everything when there are no pools', () => {
    const allocator = new Allocator([]);
    expect(convergeService(allocator, showing('a', ['192.0.2.0'], 'x'))).toMatchObject({
      ips: [],
      changed: true,
      converged: false,
    });
  });

  it('refuses RequireDualStack with a single clusterIP', () => {
    const allocator = new Allocator([pool('dual', ['192.0.2.0/24', '2001:db8::/120'])]);
    const result = convergeService(allocator, service('a', { ipFamilyPolicy: 'RequireDualStack' }));
    expect(result.ips).toEqual([]);
    expect(result.events).toEqual([
      {
        type: 'Warning',
        reason: 'not enough clusterips',
        message: expect.stringContaining(
          'Service requires dual stack but not enough clusterips',
        ) as unknown as string,
      },
    ]);
  });

  it('adds the missing family to a PreferDualStack Service later', () => {
    const allocator = new Allocator([pool('dual', ['192.0.2.0/24', '2001:db8::/120'])]);
    const prefer = { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack' as const };
    const result = convergeService(allocator, showing('a', ['192.0.2.4'], 'dual', prefer));
    expect(result.ips).toEqual(['192.0.2.4', '2001:db8::']);
    expect(result.events).toEqual([
      { type: 'Normal', reason: 'IPAllocated', message: 'Assigned additional IP "2001:db8::"' },
    ]);
  });

  it('reports when the missing family cannot be added', () => {
    const allocator = new Allocator([pool('v4', ['192.0.2.0/24']), pool('v6', ['2001:db8::/120'])]);
    const prefer = { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack' as const };
    const result = convergeService(allocator, showing('a', ['192.0.2.4'], 'v4', prefer));
    expect(result.ips).toEqual(['192.0.2.4']);
    expect(result.events).toEqual([
      {
        type: 'Normal',
        reason: 'AdditionalAssignFailed',
        message:
          'cannot assign additional IP in PreferDualStack: no available IPs in pool v4 for ipv6 IPFamily',
      },
    ]);
  });

  it('warns about deprecated annotations only when something changes', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    const deprecated = { annotations: { 'metallb.universe.tf/address-pool': 'default' } };
    const first = convergeService(allocator, service('a', deprecated));
    expect(first.events).toContainEqual({
      type: 'Warning',
      reason: 'deprecatedAnnotation',
      message: 'Service uses deprecated annotation metallb.universe.tf/address-pool',
    });
    expect(convergeService(allocator, written(service('a', deprecated), first)).events).toEqual([]);
  });

  it('asks to reprocess when a sharing key changes', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    const first = convergeService(allocator, service('a'));
    const rekeyed = service('a', { annotations: { 'metallb.io/allow-shared-ip': 'k' } });
    expect(convergeService(allocator, written(rekeyed, first)).reprocessAll).toBe(true);
  });
});

describe('convergeServices (restart)', () => {
  it('never gives a new Service an address another Service shows, whatever the list order', () => {
    const pools = [pool('default', ['192.0.2.0/30'])];
    const services = [service('aaa-new'), showing('zzz-old', ['192.0.2.0'], 'default')];
    const results = convergeServices(new Allocator(pools), services);
    expect(results.map((r) => [r.service, r.ips])).toEqual([
      ['default/zzz-old', ['192.0.2.0']],
      ['default/aaa-new', ['192.0.2.1']],
    ]);
  });

  it('settles two Services showing the same address by name, the same way every time', () => {
    const pools = [pool('default', ['192.0.2.0/30'])];
    const a = showing('a', ['192.0.2.2'], 'default');
    const b = showing('b', ['192.0.2.2'], 'default');
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const results = convergeServices(new Allocator(pools), order);
      expect(results.map((r) => [r.service, r.ips, reasons(r)])).toEqual([
        ['default/a', ['192.0.2.2'], []],
        ['default/b', ['192.0.2.0'], ['ClearAssignment', 'IPAllocated']],
      ]);
    }
  });

  it('frees the old address of a Service that asks for another pool before allocating', () => {
    const pools = [pool('gold', ['192.0.2.0/32']), pool('silver', ['198.51.100.0/24'])];
    const moving = showing('b-moving', ['192.0.2.0'], 'gold', {
      annotations: { 'metallb.io/address-pool': 'silver' },
    });
    const waiting = service('a-waiting', { annotations: { 'metallb.io/address-pool': 'gold' } });
    const results = convergeServices(new Allocator(pools), [waiting, moving]);
    expect(results.map((r) => [r.service, r.ips])).toEqual([
      ['default/b-moving', ['198.51.100.0']],
      ['default/a-waiting', ['192.0.2.0']],
    ]);
  });
});
