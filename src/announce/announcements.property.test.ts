import fc from 'fast-check';
import type { EndpointInfo } from '../api/cluster.js';
import type { BgpAdvertisement, LabelSelector, Peer } from '../config/types.js';
import { handlesService } from '../api/load-balancer-class.js';
import { parseIp } from '../net/ip.js';
import { announcementsForNode } from './announcements.js';
import { explainText } from './explain.js';
import { ServiceDecisionMemo } from './service-decision-memo.js';
import {
  advertisement,
  community,
  config,
  endpoint,
  node,
  peer,
  pool,
  selector,
  service,
  slice,
} from '../../test/support/builders.js';
import type { AnnounceInput } from './types.js';

// Small vocabularies so that random worlds collide often: shared IPs, common aggregates, peers
// named by several advertisements, selectors that sometimes match.
const SELECTORS: readonly (readonly LabelSelector[])[] = [
  [],
  [selector({ rack: 'r1' })],
  [selector({ rack: 'r2' })],
  [selector({ rack: 'r2' }), selector({ zone: 'z1' })],
];
const SERVICE_SELECTORS: readonly (readonly LabelSelector[])[] = [
  [],
  [selector({ tier: 'web' })],
  [selector({ tier: 'db' })],
];
const PEER_NAMES = ['tor1', 'tor2', 'tor6', 'tor-if'];
const V4 = ['203.0.113.10', '203.0.113.11', '203.0.113.200'];
const V6 = ['2001:db8::10', '2001:db8::11'];
/**
 * Mostly valid single- or dual-stack IPs of pool-a; sometimes pool-b, no pool, garbage, a
 * hostname-only entry ('') or none.
 */
const ingressArb: fc.Arbitrary<readonly string[]> = fc.oneof(
  { arbitrary: fc.constantFrom(...V4, ...V6).map((ip) => [ip]), weight: 6 },
  { arbitrary: fc.tuple(fc.constantFrom(...V4), fc.constantFrom(...V6)), weight: 3 },
  {
    arbitrary: fc.constantFrom<readonly string[]>(
      ['198.51.100.5'],
      ['192.0.2.77'],
      ['bogus'],
      ['203.0.113.10', ''],
      [''],
      ['198.51.100.5', '2001:db8::10'],
      [],
    ),
    weight: 1,
  },
);
const COMMUNITIES = ['65000:1', '65000:20', '65000:3', 'large:1:2:3'].map(community);

const peerArb: fc.Arbitrary<Peer[]> = fc
  .tuple(...PEER_NAMES.map(() => fc.tuple(fc.boolean(), fc.constantFrom(...SELECTORS), fc.boolean())))
  .map((choices) =>
    choices.flatMap(([present, nodeSelectors, dualStackAddressFamily], index) => {
      if (!present) return [];
      const name = PEER_NAMES[index] ?? 'tor';
      const address = { tor1: '192.0.2.1', tor2: '192.0.2.2', tor6: '2001:db8:ff::1' }[name];
      return [
        peer(name, address, {
          interface: address === undefined ? 'eth1' : undefined,
          nodeSelectors,
          dualStackAddressFamily,
        }),
      ];
    }),
  );

const advertisementArb: fc.Arbitrary<BgpAdvertisement[]> = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom('adv-a', 'adv-b', 'adv-c', 'adv-d'),
      pools: fc.constantFrom(['pool-a'], ['pool-a'], ['pool-a', 'pool-b'], ['pool-b']),
      aggregationLength: fc.constantFrom(32, 28, 24),
      aggregationLengthV6: fc.constantFrom(128, 120, 64),
      localPref: fc.constantFrom(0, 100, 200),
      communities: fc.subarray(COMMUNITIES),
      // Empty selectors twice as likely, so that most advertisements apply.
      nodeSelectors: fc.constantFrom([], ...SELECTORS),
      peers: fc.subarray([...PEER_NAMES, 'tor-elsewhere']),
      serviceSelectors: fc.constantFrom([], [], ...SERVICE_SELECTORS),
    }),
    { selector: (ad) => ad.name, minLength: 1, maxLength: 4 },
  )
  .map((ads) => ads.map(({ name, ...rest }) => advertisement(name, rest)));

const endpointArb: fc.Arbitrary<EndpointInfo> = fc
  .record({
    node: fc.constantFrom('n1', 'n2', undefined),
    ready: fc.constantFrom(true, true, false, undefined),
    serving: fc.constantFrom(true, false, undefined),
    empty: fc.constantFrom(false, false, false, true),
  })
  .map(({ node: nodeName, ready, serving, empty }) =>
    endpoint(nodeName, {
      ready,
      serving,
      terminating: ready === false,
      addresses: empty ? [] : ['10.244.1.1'],
    }),
  );

const worldArb: fc.Arbitrary<AnnounceInput> = fc
  .record({
    peers: peerArb,
    advertisements: advertisementArb,
    rack: fc.constantFrom('r1', 'r2'),
    // Mostly healthy nodes, so that most worlds announce something.
    exclude: fc.constantFrom(false, false, false, false, false, true),
    networkUnavailable: fc.constantFrom(false, false, false, false, false, true),
    ignoreExcludeLB: fc.boolean(),
    lbClass: fc.constantFrom('', '', 'ferry.example/bgp'),
    services: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('web', 'db', 'dns', 'api', 'mail'),
        namespace: fc.constantFrom('default', 'prod'),
        ips: ingressArb,
        local: fc.boolean(),
        tier: fc.constantFrom('web', 'db', undefined),
        notLoadBalancer: fc.constantFrom(false, false, false, true),
        loadBalancerClass: fc.constantFrom(
          undefined,
          undefined,
          undefined,
          'ferry.example/bgp',
          'example.com/other',
        ),
        endpoints: fc.array(endpointArb, { minLength: 1, maxLength: 3 }),
      }),
      { selector: (s) => `${s.namespace}/${s.name}`, minLength: 1, maxLength: 5 },
    ),
  })
  .map((world) => ({
    config: config({
      pools: [pool('pool-a', ['203.0.113.0/24', '2001:db8::/64']), pool('pool-b', ['198.51.100.0/24'])],
      peers: world.peers,
      advertisements: world.advertisements,
    }),
    node: node(
      'n1',
      {
        rack: world.rack,
        ...(world.exclude ? { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
      },
      world.networkUnavailable,
    ),
    services: world.services.map((s) =>
      service(`${s.namespace}/${s.name}`, {
        ingressIPs: s.ips,
        type: s.notLoadBalancer ? 'ClusterIP' : 'LoadBalancer',
        externalTrafficPolicy: s.local ? 'Local' : 'Cluster',
        labels: s.tier === undefined ? {} : { tier: s.tier },
        loadBalancerClass: s.loadBalancerClass,
      }),
    ),
    // Split each Service's endpoints over two slices so slice order matters if anything does.
    endpointSlices: world.services.flatMap((s) => [
      slice(`${s.namespace}/${s.name}`, s.endpoints.slice(0, 1), 'a'),
      slice(`${s.namespace}/${s.name}`, s.endpoints.slice(1), 'b'),
    ]),
    options: { ignoreExcludeLB: world.ignoreExcludeLB, lbClass: world.lbClass },
  }));

/** A deterministic permutation from a seed (mulberry32 + Fisher–Yates). */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const result = [...items];
  for (let index = result.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}

/** Every list in the input in another order; nothing else changed. */
function reordered(input: AnnounceInput, seed: number): AnnounceInput {
  return {
    ...input,
    config: {
      ...input.config,
      pools: shuffle(input.config.pools, seed + 1),
      peers: shuffle(input.config.peers, seed + 2),
      advertisements: shuffle(input.config.advertisements, seed + 3).map((ad, index) => ({
        ...ad,
        peers: shuffle(ad.peers, seed + 10 + index),
        pools: shuffle(ad.pools, seed + 20 + index),
        communities: shuffle(ad.communities, seed + 30 + index),
      })),
    },
    services: shuffle(input.services, seed + 4).map((s, index) => ({
      ...s,
      ingressIPs: shuffle(s.ingressIPs, seed + 40 + index),
    })),
    endpointSlices: shuffle(input.endpointSlices, seed + 5).map((s, index) => ({
      ...s,
      endpoints: shuffle(s.endpoints, seed + 50 + index),
    })),
  };
}

describe('determinism', () => {
  test('the same inputs in any order give the identical result and explanation', () => {
    fc.assert(
      fc.property(worldArb, fc.integer(), (input, seed) => {
        const expected = announcementsForNode(input);
        const actual = announcementsForNode(reordered(input, seed));
        expect(actual).toEqual(expected);
        expect(explainText(actual)).toBe(explainText(expected));
      }),
      { numRuns: 500 },
    );
  });

  test('a Service of another class, or with an ingress entry that is not an IP, is refused alone', () => {
    fc.assert(
      fc.property(worldArb, (input) => {
        const lbClass = input.options?.lbClass ?? '';
        const refused = new Set(
          input.services
            .filter(
              (s) =>
                s.type === 'LoadBalancer' &&
                (!handlesService(s, lbClass) || s.ingressIPs.some((ip) => parseIp(ip) === undefined)),
            )
            .map((s) => `${s.namespace}/${s.name}`),
        );
        const isRefused = (d: { namespace: string; name: string }) => refused.has(`${d.namespace}/${d.name}`);
        const result = announcementsForNode(input);
        const without = announcementsForNode({
          ...input,
          services: input.services.filter((s) => !isRefused(s)),
        });
        expect(result.advertisements).toEqual(without.advertisements);
        expect(result.warnings).toEqual(without.warnings);
        expect(result.decisions.filter((d) => !isRefused(d))).toEqual(without.decisions);
        for (const decision of result.decisions.filter(isRefused)) {
          expect(['otherLoadBalancerClass', 'invalidIP']).toContain(decision.reason);
          expect(decision.routes).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('every advertisement is backed by an announced decision, and every route by an advertisement', () => {
    fc.assert(
      fc.property(worldArb, (input) => {
        const result = announcementsForNode(input);
        const sent = new Set(result.advertisements.map((ad) => `${ad.prefix} ${ad.peer}`));
        const routed = new Set(result.decisions.flatMap((d) => d.routes.map((r) => `${r.prefix} ${r.peer}`)));
        expect([...routed].sort()).toEqual([...sent].sort());
        for (const decision of result.decisions) {
          expect(decision.announced).toBe(decision.routes.length > 0);
          expect(decision.reason === '').toBe(decision.announced);
          if (decision.reason === 'noPeers') expect(decision.eligible).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('a memo carried across a sequence of changes gives what deciding each input afresh gives', () => {
    fc.assert(
      fc.property(worldArb, worldArb, (a, b) => {
        const memo = new ServiceDecisionMemo();
        // Same objects again, other slices, other Services, another Config, back to the first.
        const sequence: AnnounceInput[] = [
          a,
          a,
          { ...a, endpointSlices: [...b.endpointSlices, ...a.endpointSlices.slice(1)] },
          { ...a, services: [...a.services.slice(1), ...b.services] },
          { ...b, services: a.services, endpointSlices: a.endpointSlices },
          a,
        ];
        for (const input of sequence)
          expect(announcementsForNode(input, memo)).toEqual(announcementsForNode(input));
        // at least the second decision on `a` reused every Service
        const loadBalancers = a.services.filter((s) => s.type === 'LoadBalancer').length;
        expect(memo.counters().hits).toBeGreaterThanOrEqual(loadBalancers);
      }),
      { numRuns: 200 },
    );
  });
});
