import type { ServiceInfo } from '../api/cluster.js';
import type { Pool } from '../config/types.js';
import { Allocator, type AllocationResult } from './allocator.js';
import { isRequestError, parseAllocationRequest, type AllocationRequest } from './request.js';
import { DUAL_STACK, IPV6_ONLY, pool, service } from '../../test/support/builders.js';

function requestOf(svc: ServiceInfo): AllocationRequest {
  const request = parseAllocationRequest(svc);
  if (isRequestError(request)) throw new Error(request.message);
  return request;
}

/** Allocates for each Service in turn; the last result is returned. */
function allocate(allocator: Allocator, ...services: ServiceInfo[]): AllocationResult {
  let result: AllocationResult = { ok: false, message: 'no service' };
  for (const svc of services) result = allocator.assign(requestOf(svc));
  return result;
}

function ipsOf(result: AllocationResult): readonly string[] | string {
  return result.ok ? result.ips : result.message;
}

const shared = (key: string, fields: Partial<ServiceInfo> = {}): Partial<ServiceInfo> => ({
  ...fields,
  annotations: { 'metallb.io/allow-shared-ip': key, ...fields.annotations },
});
const port = (number: number, protocol: 'TCP' | 'UDP' = 'TCP'): Partial<ServiceInfo> => ({
  ports: [{ name: `p${number}`, protocol, port: number }],
});
const inPool = (name: string): Partial<ServiceInfo> => ({ annotations: { 'metallb.io/address-pool': name } });
const wantsIps = (ips: string): Partial<ServiceInfo> => ({
  annotations: { 'metallb.io/loadBalancerIPs': ips },
});

interface Case {
  name: string;
  pools: Pool[];
  namespaces?: Record<string, Record<string, string>>;
  /** allocated in order; the expectation is about the last one */
  services: ServiceInfo[];
  expected: { ips: string[]; pool: string } | string;
}

const cases: Case[] = [
  {
    name: 'the lowest free address of the pool',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a'), service('b')],
    expected: { ips: ['192.0.2.1'], pool: 'default' },
  },
  {
    name: 'avoidBuggyIPs skips .0 and .255',
    pools: [pool('default', ['192.0.2.254/31', '198.51.100.0/30'], { avoidBuggyIPs: true })],
    services: [service('a'), service('b')],
    expected: { ips: ['198.51.100.1'], pool: 'default' },
  },
  {
    name: 'CIDRs are used in the order written',
    pools: [pool('default', ['192.0.2.128/25', '192.0.2.0/25'])],
    services: [service('a')],
    expected: { ips: ['192.0.2.128'], pool: 'default' },
  },
  {
    name: 'a pool with autoAssign false is not used automatically',
    pools: [pool('manual', ['192.0.2.0/24'], { autoAssign: false })],
    services: [service('a')],
    expected: 'no available IPs',
  },
  {
    name: 'a requested pool bypasses autoAssign false',
    pools: [pool('auto', ['192.0.2.0/24']), pool('manual', ['198.51.100.0/24'], { autoAssign: false })],
    services: [service('a', inPool('manual'))],
    expected: { ips: ['198.51.100.0'], pool: 'manual' },
  },
  {
    name: 'an unknown requested pool',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', inPool('gold'))],
    expected: 'unknown pool "gold"',
  },
  {
    name: 'a full requested pool',
    pools: [pool('tiny', ['192.0.2.0/32'])],
    services: [service('a', inPool('tiny')), service('b', inPool('tiny'))],
    expected: 'no available IPs in pool tiny',
  },
  {
    name: 'a requested pool without the family of the Service',
    pools: [pool('v6', ['2001:db8::/120'])],
    services: [service('a', inPool('v6'))],
    expected: 'no available IPs in pool v6 for ipv4 IPFamily',
  },
  {
    name: 'generic pools are tried by name',
    pools: [pool('zeta', ['198.51.100.0/24']), pool('alpha', ['192.0.2.0/24'])],
    services: [service('a')],
    expected: { ips: ['192.0.2.0'], pool: 'alpha' },
  },
  {
    name: 'a full generic pool falls through to the next',
    pools: [pool('alpha', ['192.0.2.0/32']), pool('beta', ['198.51.100.0/24'])],
    services: [service('a'), service('b')],
    expected: { ips: ['198.51.100.0'], pool: 'beta' },
  },
  {
    name: 'a requested address',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', { loadBalancerIP: '192.0.2.77' })],
    expected: { ips: ['192.0.2.77'], pool: 'default' },
  },
  {
    name: 'a requested address outside every pool',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', { loadBalancerIP: '203.0.113.9' })],
    expected: '["203.0.113.9"] is not allowed in config',
  },
  {
    name: 'a requested address that avoidBuggyIPs forbids',
    pools: [pool('default', ['192.0.2.0/24'], { avoidBuggyIPs: true })],
    services: [service('a', { loadBalancerIP: '192.0.2.255' })],
    expected: '["192.0.2.255"] is not allowed in config',
  },
  {
    name: 'a requested address from another pool than the requested one',
    pools: [pool('gold', ['192.0.2.0/24']), pool('silver', ['198.51.100.0/24'])],
    services: [service('a', { loadBalancerIP: '192.0.2.5', ...inPool('silver') })],
    expected:
      'requested loadBalancer IP(s) ["192.0.2.5"] is not compatible with requested address pool silver',
  },
  {
    name: 'a requested address of the wrong family',
    pools: [pool('default', ['192.0.2.0/24', '2001:db8::/120'])],
    services: [service('a', { loadBalancerIP: '2001:db8::5' })],
    expected: 'requested loadBalancer IP(s) ["2001:db8::5"] does not match the ipFamily of the service',
  },
  {
    name: 'a requested address held by a Service that does not share',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a'), service('b', { loadBalancerIP: '192.0.2.0', ...port(443) })],
    expected:
      'can\'t change sharing key for "default/b", address also in use by default/a: existing service does not allow sharing',
  },
  {
    name: 'pinned pools come first, lower priority number first, 0 last',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('p0', ['192.0.2.0/24'], { serviceAllocation: { priority: 0 } }),
      pool('p2', ['198.51.100.0/25'], { serviceAllocation: { priority: 2 } }),
      pool('p1', ['198.51.100.128/25'], { serviceAllocation: { priority: 1 } }),
    ],
    services: [service('a')],
    expected: { ips: ['198.51.100.128'], pool: 'p1' },
  },
  {
    name: 'full pinned pools fall back to the next priority, then to generic pools',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('p1', ['198.51.100.0/32'], { serviceAllocation: { priority: 1 } }),
      pool('p0', ['192.0.2.0/32'], { serviceAllocation: {} }),
    ],
    services: [service('a'), service('b'), service('c')],
    expected: { ips: ['203.0.113.0'], pool: 'generic' },
  },
  {
    name: 'a pinned pool with autoAssign false is only used on request',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('pinned', ['192.0.2.0/24'], { autoAssign: false, serviceAllocation: { priority: 1 } }),
    ],
    services: [service('a')],
    expected: { ips: ['203.0.113.0'], pool: 'generic' },
  },
  {
    name: 'a pool pinned to namespaces is not used for other namespaces',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('team', ['192.0.2.0/24'], { serviceAllocation: { namespaces: ['team'] } }),
    ],
    services: [service('other/a')],
    expected: { ips: ['203.0.113.0'], pool: 'generic' },
  },
  {
    name: 'a pool pinned to namespaces serves them first',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('team', ['192.0.2.0/24'], { serviceAllocation: { namespaces: ['team'] } }),
    ],
    services: [service('team/a')],
    expected: { ips: ['192.0.2.0'], pool: 'team' },
  },
  {
    name: 'requesting a pool that excludes the namespace',
    pools: [pool('team', ['192.0.2.0/24'], { serviceAllocation: { namespaces: ['team'] } })],
    services: [service('other/a', inPool('team'))],
    expected: 'pool team not compatible for ip assignment',
  },
  {
    name: 'requesting an address from a pool that excludes the namespace',
    pools: [pool('team', ['192.0.2.0/24'], { serviceAllocation: { namespaces: ['team'] } })],
    services: [service('other/a', { loadBalancerIP: '192.0.2.9' })],
    expected: 'pool team not compatible for ip assignment',
  },
  {
    name: 'namespaceSelectors resolve against the namespace labels',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('prod', ['192.0.2.0/24'], {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { env: 'prod' }, matchExpressions: [] }] },
      }),
    ],
    namespaces: { shop: { env: 'prod' }, lab: { env: 'dev' } },
    services: [service('shop/a')],
    expected: { ips: ['192.0.2.0'], pool: 'prod' },
  },
  {
    name: 'namespaceSelectors that select no namespace serve no namespace',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('prod', ['192.0.2.0/24'], {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { env: 'prod' }, matchExpressions: [] }] },
      }),
    ],
    namespaces: { lab: { env: 'dev' } },
    services: [service('lab/a', inPool('prod'))],
    expected: 'pool prod not compatible for ip assignment',
  },
  {
    name: 'serviceSelectors pin a pool to matching Services',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('web', ['192.0.2.0/24'], {
        serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'web' }, matchExpressions: [] }] },
      }),
    ],
    services: [service('a', { labels: { tier: 'web' } })],
    expected: { ips: ['192.0.2.0'], pool: 'web' },
  },
  {
    name: 'serviceSelectors exclude other Services',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('web', ['192.0.2.0/24'], {
        serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'web' }, matchExpressions: [] }] },
      }),
    ],
    services: [service('a', { labels: { tier: 'db' } })],
    expected: { ips: ['203.0.113.0'], pool: 'generic' },
  },
  {
    name: 'namespaces and serviceSelectors must both match',
    pools: [
      pool('generic', ['203.0.113.0/24']),
      pool('web', ['192.0.2.0/24'], {
        serviceAllocation: {
          namespaces: ['team'],
          serviceSelectors: [{ matchLabels: { tier: 'web' }, matchExpressions: [] }],
        },
      }),
    ],
    services: [service('other/a', { labels: { tier: 'web' } })],
    expected: { ips: ['203.0.113.0'], pool: 'generic' },
  },
  // Sharing
  {
    name: 'Services with the same key and different ports share the address',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', shared('k', port(80))), service('b', shared('k', port(443)))],
    expected: { ips: ['192.0.2.0'], pool: 'default' },
  },
  {
    name: 'the same port on TCP and UDP does not overlap',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', shared('k', port(53, 'UDP'))), service('b', shared('k', port(53, 'TCP')))],
    expected: { ips: ['192.0.2.0'], pool: 'default' },
  },
  {
    name: 'Services with the same key and an overlapping port get the next address',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', shared('k', port(80))), service('b', shared('k', port(80)))],
    expected: { ips: ['192.0.2.1'], pool: 'default' },
  },
  {
    name: 'a shareable address below the lowest free one is used first',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', shared('k', port(80))), service('b'), service('c', shared('k', port(443)))],
    expected: { ips: ['192.0.2.0'], pool: 'default' },
  },
  {
    name: 'the lowest address of the key where the port is still free',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [
      service('a', shared('k', { ports: [...(port(80).ports ?? []), ...(port(443).ports ?? [])] })),
      service('b', shared('k', port(80))),
      service('c', shared('k', port(443))),
    ],
    expected: { ips: ['192.0.2.1'], pool: 'default' },
  },
  {
    name: 'different keys do not share',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [service('a', shared('k1', port(80))), service('b', shared('k2', port(443)))],
    expected: { ips: ['192.0.2.1'], pool: 'default' },
  },
  {
    name: 'requesting an address shared under another key',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [
      service('a', shared('k1', port(80))),
      service('b', shared('k2', { ...port(443), loadBalancerIP: '192.0.2.0' })),
    ],
    expected:
      'can\'t change sharing key for "default/b", address also in use by default/a: sharing key "k2" does not match existing sharing key "k1"',
  },
  {
    name: 'requesting a shared address without a key',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [
      service('a', shared('k', port(80))),
      service('b', { ...port(443), loadBalancerIP: '192.0.2.0' }),
    ],
    expected:
      'can\'t change sharing key for "default/b", address also in use by default/a: new service does not allow sharing',
  },
  {
    name: 'requesting a shared address whose port is taken',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [
      service('a', shared('k', port(80))),
      service('b', shared('k', { ...port(80), loadBalancerIP: '192.0.2.0' })),
    ],
    expected: 'port TCP/80 is already in use on "192.0.2.0"',
  },
  {
    name: 'externalTrafficPolicy Local Services share only with the same selector',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [
      service('a', shared('k', { ...port(80), externalTrafficPolicy: 'Local', selector: { app: 'x' } })),
      service(
        'b',
        shared('k', {
          ...port(443),
          externalTrafficPolicy: 'Local',
          selector: { app: 'y' },
          loadBalancerIP: '192.0.2.0',
        }),
      ),
    ],
    expected:
      'can\'t change sharing key for "default/b", address also in use by default/a: backend key "app=y" does not match existing sharing key "app=x"',
  },
  {
    name: 'externalTrafficPolicy Local Services with the same selector share',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [
      service('a', shared('k', { ...port(80), externalTrafficPolicy: 'Local', selector: { app: 'x' } })),
      service('b', shared('k', { ...port(443), externalTrafficPolicy: 'Local', selector: { app: 'x' } })),
    ],
    expected: { ips: ['192.0.2.0'], pool: 'default' },
  },
  {
    name: 'Cluster and Local Services do not share',
    pools: [pool('default', ['192.0.2.0/24'])],
    services: [
      service('a', shared('k', { ...port(80), externalTrafficPolicy: 'Local', selector: { app: 'x' } })),
      service('b', shared('k', { ...port(443), selector: { app: 'x' } })),
    ],
    expected: { ips: ['192.0.2.1'], pool: 'default' },
  },
  // Dual-stack
  {
    name: 'RequireDualStack takes both families from one pool, IPv4 first',
    pools: [pool('dual', ['2001:db8::/120', '192.0.2.0/24'])],
    services: [service('a', { ...DUAL_STACK, ipFamilies: ['IPv6', 'IPv4'] })],
    expected: { ips: ['192.0.2.0', '2001:db8::'], pool: 'dual' },
  },
  {
    name: 'RequireDualStack does not combine two single-family pools',
    pools: [pool('v4', ['192.0.2.0/24']), pool('v6', ['2001:db8::/120'])],
    services: [service('a', DUAL_STACK)],
    expected: 'no available IPs',
  },
  {
    name: 'RequireDualStack skips a single-family pool for a dual one',
    pools: [pool('a-v4', ['192.0.2.0/24']), pool('b-dual', ['198.51.100.0/24', '2001:db8::/120'])],
    services: [service('a', DUAL_STACK)],
    expected: { ips: ['198.51.100.0', '2001:db8::'], pool: 'b-dual' },
  },
  {
    name: 'PreferDualStack prefers a pool with both families',
    pools: [pool('a-v4', ['192.0.2.0/24']), pool('b-dual', ['198.51.100.0/24', '2001:db8::/120'])],
    services: [service('a', { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack' })],
    expected: { ips: ['198.51.100.0', '2001:db8::'], pool: 'b-dual' },
  },
  {
    name: 'PreferDualStack without a dual pool takes the primary family',
    pools: [pool('a-v6', ['2001:db8::/120']), pool('b-v4', ['192.0.2.0/24'])],
    services: [service('a', { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack' })],
    expected: { ips: ['192.0.2.0'], pool: 'b-v4' },
  },
  {
    name: 'PreferDualStack with IPv6 primary takes IPv6',
    pools: [pool('a-v4', ['192.0.2.0/24']), pool('b-v6', ['2001:db8::/120'])],
    services: [
      service('a', { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6', 'IPv4'] }),
    ],
    expected: { ips: ['2001:db8::'], pool: 'b-v6' },
  },
  {
    name: 'PreferDualStack takes the secondary family when no pool has the primary',
    pools: [pool('v6', ['2001:db8::/120'])],
    services: [service('a', { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack' })],
    expected: { ips: ['2001:db8::'], pool: 'v6' },
  },
  {
    name: 'an IPv6 Service takes IPv6 from a mixed pool',
    pools: [pool('mixed', ['192.0.2.0/24', '2001:db8::/120'])],
    services: [service('a', IPV6_ONLY)],
    expected: { ips: ['2001:db8::'], pool: 'mixed' },
  },
  {
    name: 'dual-stack requested addresses',
    pools: [pool('mixed', ['192.0.2.0/24', '2001:db8::/120'])],
    services: [service('a', { ...DUAL_STACK, ...wantsIps('2001:db8::9,192.0.2.9') })],
    expected: { ips: ['2001:db8::9', '192.0.2.9'], pool: 'mixed' },
  },
  {
    name: 'dual-stack requested addresses from two pools',
    pools: [pool('v4', ['192.0.2.0/24']), pool('v6', ['2001:db8::/120'])],
    services: [service('a', { ...DUAL_STACK, ...wantsIps('192.0.2.9,2001:db8::9') })],
    expected: '["192.0.2.9" "2001:db8::9"] is not allowed in config',
  },
];

describe('Allocator.assign', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const allocator = new Allocator(c.pools, new Map(Object.entries(c.namespaces ?? {})));
    const result = allocate(allocator, ...c.services);
    if (typeof c.expected === 'string') expect(result).toEqual({ ok: false, message: c.expected });
    else expect(result).toEqual({ ok: true, ...c.expected });
  });
});

describe('Allocator bookkeeping', () => {
  it('reuses the lowest released address', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    allocate(allocator, service('a'), service('b'), service('c'));
    allocator.release('default/b');
    allocator.release('default/a');
    expect(ipsOf(allocate(allocator, service('d')))).toEqual(['192.0.2.0']);
    expect(ipsOf(allocate(allocator, service('e')))).toEqual(['192.0.2.1']);
    expect(ipsOf(allocate(allocator, service('f')))).toEqual(['192.0.2.3']);
  });

  it('frees a shared address only when its last user leaves', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    allocate(allocator, service('a', shared('k', port(80))), service('b', shared('k', port(443))));
    allocator.release('default/a');
    expect(ipsOf(allocate(allocator, service('c')))).toEqual(['192.0.2.1']);
    allocator.release('default/b');
    expect(ipsOf(allocate(allocator, service('d')))).toEqual(['192.0.2.0']);
  });

  it('keeps what a Service holds when it is allocated again', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    allocate(allocator, service('a'), service('b'));
    expect(ipsOf(allocate(allocator, service('a')))).toEqual(['192.0.2.0']);
  });

  it('lets the sole user of an address change its sharing key', () => {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    allocate(allocator, service('a', shared('k1')));
    expect(allocator.reassert(requestOf(service('a', shared('k2'))), ['192.0.2.0']).ok).toBe(true);
    expect(ipsOf(allocate(allocator, service('b', shared('k2', port(443)))))).toEqual(['192.0.2.0']);
  });

  it('adds the missing family from the same pool', () => {
    const allocator = new Allocator([
      pool('a-v4', ['192.0.2.0/24']),
      pool('b-v6', ['2001:db8:1::/120']),
      pool('c-dual', ['198.51.100.0/24', '2001:db8::/120']),
    ]);
    const prefer = service('a', { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack' });
    expect(allocator.reassert(requestOf(prefer), ['198.51.100.7']).ok).toBe(true);
    expect(allocator.assignAdditionalFamily(requestOf(prefer))).toEqual({
      ok: true,
      ips: ['198.51.100.7', '2001:db8::'],
      pool: 'c-dual',
    });
    allocator.release('default/a');
    allocator.reassert(requestOf(prefer), ['192.0.2.7']);
    expect(allocator.assignAdditionalFamily(requestOf(prefer))).toEqual({
      ok: false,
      message: 'no available IPs in pool a-v4 for ipv6 IPFamily',
    });
  });

  it('counts addresses per pool and family, a shared address once', () => {
    const allocator = new Allocator([
      pool('mixed', ['192.0.2.0/24', '2001:db8::/64'], { avoidBuggyIPs: true }),
      pool('other', ['198.51.100.0/30']),
    ]);
    allocate(
      allocator,
      service('a', shared('k', port(80))),
      service('b', shared('k', port(443))),
      service('c', IPV6_ONLY),
    );
    expect(allocator.poolStats()).toEqual([
      {
        pool: 'mixed',
        total: 254n + (1n << 64n),
        ipv4Total: 254n,
        ipv6Total: 1n << 64n,
        inUse: 2,
        ipv4InUse: 1,
        ipv6InUse: 1,
      },
      { pool: 'other', total: 4n, ipv4Total: 4n, ipv6Total: 0n, inUse: 0, ipv4InUse: 0, ipv6InUse: 0 },
    ]);
  });
});

describe('Allocator.setPools', () => {
  function withThree(): Allocator {
    const allocator = new Allocator([pool('default', ['192.0.2.0/24'])]);
    allocate(allocator, service('a'), service('b'), service('c'));
    return allocator;
  }

  it('keeps every assignment a shrunk pool still holds and reports the others', () => {
    const allocator = withThree();
    const cleared = allocator.setPools([pool('default', ['192.0.2.0/31'])]);
    expect(cleared).toEqual([
      {
        service: 'default/c',
        ips: ['192.0.2.2'],
        pool: 'default',
        message: '["192.0.2.2"] is not allowed in config',
      },
    ]);
    expect(allocator.assignmentOf('default/b')).toEqual({ ips: ['192.0.2.1'], pool: 'default' });
    expect(ipsOf(allocate(allocator, service('d')))).toBe('no available IPs');
  });

  it('reports every Service of a deleted pool', () => {
    const allocator = withThree();
    expect(allocator.setPools([]).map((c) => c.service)).toEqual(['default/a', 'default/b', 'default/c']);
    expect(allocator.hasPools()).toBe(false);
  });

  it('keeps an address that moved to a renamed pool, under the new name', () => {
    const allocator = withThree();
    expect(allocator.setPools([pool('renamed', ['192.0.2.0/25']), pool('more', ['192.0.2.128/25'])])).toEqual(
      [],
    );
    expect(allocator.assignmentOf('default/a')).toEqual({ ips: ['192.0.2.0'], pool: 'renamed' });
    expect(ipsOf(allocate(allocator, service('d')))).toEqual(['192.0.2.128']);
    expect(ipsOf(allocate(allocator, service('e', inPool('renamed'))))).toEqual(['192.0.2.3']);
  });

  it('clears an address that avoidBuggyIPs now forbids', () => {
    const allocator = withThree();
    const cleared = allocator.setPools([pool('default', ['192.0.2.0/24'], { avoidBuggyIPs: true })]);
    expect(cleared.map((c) => c.service)).toEqual(['default/a']);
  });

  it('clears Services the pool no longer serves', () => {
    const allocator = withThree();
    const cleared = allocator.setPools([
      pool('default', ['192.0.2.0/24'], { serviceAllocation: { namespaces: ['team'] } }),
    ]);
    expect(cleared.map((c) => c.message)).toEqual([
      'pool default not compatible for ip assignment',
      'pool default not compatible for ip assignment',
      'pool default not compatible for ip assignment',
    ]);
  });

  it('follows namespace labels for namespaceSelectors', () => {
    const selector = { matchLabels: { env: 'prod' }, matchExpressions: [] };
    const allocator = new Allocator(
      [pool('prod', ['192.0.2.0/24'], { serviceAllocation: { namespaceSelectors: [selector] } })],
      new Map([['shop', { env: 'prod' }]]),
    );
    expect(ipsOf(allocate(allocator, service('shop/a')))).toEqual(['192.0.2.0']);
    expect(allocator.setNamespaceLabels(new Map([['shop', { env: 'dev' }]])).map((c) => c.service)).toEqual([
      'shop/a',
    ]);
  });
});
