// Properties of the allocator under random Services and random event orders.
import fc from 'fast-check';
import type { ServiceInfo } from '../api/cluster.js';
import type { Pool } from '../config/types.js';
import { cidrContains, parseIp } from '../net/ip.js';
import { Allocator } from './allocator.js';
import { isBuggyAddress } from './address-range.js';
import { convergeService, convergeServices } from './converge.js';
import { poolServes, resolvePoolScope, type NamespaceLabels } from './pool-scope.js';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL, isRequestError, parseAllocationRequest } from './request.js';
import { DUAL_STACK, IPV6_ONLY, pool, service, written } from '../../test/support/builders.js';

const POOL_ANNOTATION = ANNOTATION_IP_ALLOCATED_FROM_POOL;
const NAMESPACE_LABELS: NamespaceLabels = new Map<string, Record<string, string>>([
  ['team', { env: 'prod' }],
  ['default', {}],
]);

// Small pools so that Services collide, share and run out.
const POOLS: Pool[] = [
  pool('a-small', ['192.0.2.0/30', '2001:db8::/126'], { avoidBuggyIPs: true }),
  pool('b-v4', ['198.51.100.0/31']),
  pool('c-manual', ['203.0.113.0/31'], { autoAssign: false }),
  pool('d-team', ['203.0.113.8/31', '2001:db8:1::/127'], {
    serviceAllocation: {
      priority: 1,
      namespaceSelectors: [{ matchLabels: { env: 'prod' }, matchExpressions: [] }],
    },
  }),
];
/** A later configuration: a shrunk, a renamed and a deleted pool. */
const CHANGED_POOLS: Pool[] = [
  pool('a-renamed', ['192.0.2.0/31', '2001:db8::/126'], { avoidBuggyIPs: true }),
  pool('b-v4', ['198.51.100.0/32', '198.51.100.2/31']),
  pool('d-team', ['203.0.113.8/31', '2001:db8:1::/127']),
];

const ADDRESSES = [
  '192.0.2.1',
  '192.0.2.3',
  '198.51.100.1',
  '203.0.113.1',
  '203.0.113.9',
  '2001:db8::2',
  '10.1.1.1',
];

/** Mostly undefined: most Services ask for nothing in particular. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

const serviceArbitrary = fc
  .record({
    name: fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's6'),
    namespace: fc.constantFrom('default', 'team'),
    family: fc.constantFrom('v4', 'v6', 'require', 'prefer'),
    sharingKey: fc.constantFrom('', 'k1', 'k1', 'k2'),
    ports: fc.subarray([80, 443, 53], { minLength: 1 }),
    local: fc.constantFrom(false, false, false, true),
    app: fc.constantFrom('x', 'y'),
    pool: rarely(fc.constantFrom('a-small', 'c-manual', 'd-team')),
    requested: rarely(fc.constantFrom(...ADDRESSES)),
    tier: fc.constantFrom('web', 'db'),
  })
  .map((spec): ServiceInfo => {
    const families = {
      v4: {},
      v6: IPV6_ONLY,
      require: DUAL_STACK,
      prefer: { ...DUAL_STACK, ipFamilyPolicy: 'PreferDualStack' as const },
    }[spec.family];
    const annotations: Record<string, string> = {};
    if (spec.sharingKey !== '') annotations['metallb.io/allow-shared-ip'] = spec.sharingKey;
    if (spec.pool !== undefined) annotations['metallb.io/address-pool'] = spec.pool;
    return service(`${spec.namespace}/${spec.name}`, {
      ...families,
      labels: { tier: spec.tier },
      annotations,
      externalTrafficPolicy: spec.local ? 'Local' : 'Cluster',
      selector: { app: spec.app },
      ports: spec.ports.map((port) => ({ name: `p${port}`, protocol: 'TCP', port })),
      loadBalancerIP: spec.requested ?? undefined,
    });
  });

type Event = { kind: 'apply'; service: ServiceInfo } | { kind: 'delete'; name: string } | { kind: 'pools' };

const eventArbitrary: fc.Arbitrary<Event> = fc.oneof(
  { weight: 6, arbitrary: serviceArbitrary.map((svc): Event => ({ kind: 'apply', service: svc })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('s1', 's2', 's3').map((name): Event => ({ kind: 'delete', name })),
  },
  { weight: 1, arbitrary: fc.constant<Event>({ kind: 'pools' }) },
);

const keyOf = (svc: ServiceInfo): string => `${svc.namespace}/${svc.name}`;

/** The controller loop in miniature: each event, then every Service converged again (reprocess all). */
function simulate(events: readonly Event[]): {
  allocator: Allocator;
  pools: Pool[];
  services: Map<string, ServiceInfo>;
} {
  let pools = POOLS;
  const allocator = new Allocator(pools, NAMESPACE_LABELS);
  const services = new Map<string, ServiceInfo>();
  const settle = (): void => {
    for (const [key, svc] of [...services].sort(([a], [b]) => (a < b ? -1 : 1))) {
      services.set(key, written(svc, convergeService(allocator, svc)));
    }
  };
  for (const event of events) {
    if (event.kind === 'apply') {
      const previous = services.get(keyOf(event.service));
      const updated = { ...event.service, ingressIPs: previous?.ingressIPs ?? [] };
      services.set(keyOf(updated), written(updated, convergeService(allocator, updated)));
    } else if (event.kind === 'delete') {
      for (const key of [...services.keys()].filter((k) => k.endsWith(`/${event.name}`))) {
        services.delete(key);
        allocator.release(key);
      }
    } else {
      pools = pools === POOLS ? CHANGED_POOLS : POOLS;
      allocator.setPools(pools);
    }
    settle();
  }
  return { allocator, pools, services };
}

function holders(services: Map<string, ServiceInfo>): Map<string, ServiceInfo[]> {
  const byIp = new Map<string, ServiceInfo[]>();
  for (const svc of services.values()) {
    for (const ip of svc.ingressIPs) byIp.set(ip, [...(byIp.get(ip) ?? []), svc]);
  }
  return byIp;
}

/** Property runs are many small simulations; a loaded shared machine must not turn them into timeouts. */
const PROPERTY_TIMEOUT_MS = 60_000;

describe('allocator properties', () => {
  it(
    'never gives one address to two Services that may not share it',
    () => {
      fc.assert(
        fc.property(fc.array(eventArbitrary, { minLength: 5, maxLength: 30 }), (events) => {
          const { services } = simulate(events);
          for (const [ip, users] of holders(services)) {
            if (users.length < 2) continue;
            const requests = users.map((svc) =>
              parseAllocationRequest({ ...svc, loadBalancerIP: undefined }),
            );
            const ports = new Set<string>();
            for (const request of requests) {
              if (isRequestError(request)) throw new Error(request.message);
              const first = requests[0];
              if (first === undefined || isRequestError(first)) throw new Error('unreachable');
              expect([ip, request.sharingKey]).not.toEqual([ip, '']);
              expect(request.sharingKey).toBe(first.sharingKey);
              expect(request.backendKey).toBe(first.backendKey);
              for (const port of request.ports) {
                expect([ip, port, ports.has(port)]).toEqual([ip, port, false]);
                ports.add(port);
              }
            }
          }
        }),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'only gives addresses from the named pool, that the pool may give to that Service',
    () => {
      fc.assert(
        fc.property(fc.array(eventArbitrary, { minLength: 5, maxLength: 30 }), (events) => {
          const { pools, services } = simulate(events);
          for (const svc of services.values()) {
            if (svc.ingressIPs.length === 0) continue;
            const owner = pools.find((p) => p.name === svc.annotations[POOL_ANNOTATION]);
            expect(owner).toBeDefined();
            if (owner === undefined) continue;
            expect(poolServes(resolvePoolScope(owner, NAMESPACE_LABELS), svc.namespace, svc.labels)).toBe(
              true,
            );
            for (const text of svc.ingressIPs) {
              const ip = parseIp(text);
              expect(ip).toBeDefined();
              if (ip === undefined) continue;
              expect(owner.cidrs.some((c) => cidrContains(c, ip))).toBe(true);
              expect(owner.avoidBuggyIPs && isBuggyAddress(ip.family, ip.value)).toBe(false);
            }
          }
        }),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'reproduces every assignment after a restart',
    () => {
      fc.assert(
        fc.property(fc.array(eventArbitrary, { minLength: 5, maxLength: 30 }), (events) => {
          const { pools, services } = simulate(events);
          const restarted = convergeServices(new Allocator(pools, NAMESPACE_LABELS), [...services.values()]);
          for (const result of restarted) {
            const before = services.get(result.service);
            expect([result.service, result.ips, result.pool]).toEqual([
              result.service,
              before?.ingressIPs,
              before?.annotations[POOL_ANNOTATION],
            ]);
            expect(result.changed).toBe(false);
          }
        }),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'settles stored assignments the same way whatever order the Services are listed in',
    () => {
      const stored = fc
        .uniqueArray(
          fc.record({
            service: serviceArbitrary,
            ips: fc.subarray(ADDRESSES.slice(0, 6), { maxLength: 2 }),
          }),
          { selector: (entry) => keyOf(entry.service), maxLength: 8 },
        )
        .map((entries) => entries.map((entry) => ({ ...entry.service, ingressIPs: entry.ips })));
      fc.assert(
        fc.property(
          stored.chain((list) =>
            fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
          ),
          ([listed, shuffled]) => {
            const results = (list: ServiceInfo[]): [string, readonly string[], string | undefined][] =>
              convergeServices(new Allocator(POOLS, NAMESPACE_LABELS), list).map((r) => [
                r.service,
                r.ips,
                r.pool,
              ]);
            expect(results(shuffled)).toEqual(results(listed));
          },
        ),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
