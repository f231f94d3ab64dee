import { announcementsForNode } from './announcements.js';
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
  world,
} from '../../test/support/builders.js';
import type { AnnounceInput, AnnounceResult } from './types.js';
import { communityText } from '../config/community.js';

/** `ns/name ip: announced → peers` or `ns/name ip: reason` */
function decisions(result: AnnounceResult): string[] {
  return result.decisions.map(
    (d) => `${d.namespace}/${d.name} ${d.ip}: ${d.announced ? `announced → ${d.peers.join(',')}` : d.reason}`,
  );
}

/** `prefix → peer [communities] lp` */
function routes(result: AnnounceResult): string[] {
  return result.advertisements.map(
    (ad) =>
      `${ad.prefix} → ${ad.peer}${ad.communities.length > 0 ? ` [${ad.communities.map(communityText).join(' ')}]` : ''}${ad.localPref > 0 ? ` lp ${ad.localPref}` : ''}`,
  );
}

const base = world();

interface Case {
  readonly name: string;
  readonly input: AnnounceInput;
  readonly decisions: readonly string[];
  readonly routes?: readonly string[];
}

describe('why a Service IP is or is not announced from this node (MetalLB order, first failure wins)', () => {
  const cases: Case[] = [
    {
      name: 'a ready endpoint, a pool with an advertisement: announced to every peer of the node',
      input: base,
      decisions: ['default/web 203.0.113.10: announced → tor1,tor2'],
      routes: ['203.0.113.10/32 → tor1', '203.0.113.10/32 → tor2'],
    },
    {
      name: 'no ingress IP yet: noIPAllocated',
      input: world({ services: [service('default/web')] }),
      decisions: ['default/web : noIPAllocated'],
      routes: [],
    },
    {
      name: 'an ingress IP that does not parse: invalidIP for every IP of the Service',
      input: world({ services: [service('default/web', { ingressIPs: ['203.0.113.10', '203.0.113.999'] })] }),
      decisions: ['default/web 203.0.113.10: invalidIP', 'default/web 203.0.113.999: invalidIP'],
      routes: [],
    },
    {
      name: 'a hostname-only ingress entry beside a valid IP: invalidIP for the whole Service (MetalLB parses every entry)',
      input: world({ services: [service('default/web', { ingressIPs: ['203.0.113.10', ''] })] }),
      decisions: ['default/web 203.0.113.10: invalidIP', 'default/web : invalidIP'],
      routes: [],
    },
    {
      name: 'only a hostname-only ingress entry: invalidIP, not noIPAllocated (there is an entry, without an IP)',
      input: world({ services: [service('default/web', { ingressIPs: [''] })] }),
      decisions: ['default/web : invalidIP'],
      routes: [],
    },
    {
      name: 'an IPv4 address with leading zeros (Go refuses it too): invalidIP',
      input: world({ services: [service('default/web', { ingressIPs: ['203.0.113.010'] })] }),
      decisions: ['default/web 203.0.113.010: invalidIP'],
      routes: [],
    },
    {
      name: 'a Service of another loadBalancerClass, default --lb-class: otherLoadBalancerClass, whatever its ingress',
      input: world({
        services: [
          service('default/web', {
            ingressIPs: ['203.0.113.10', ''],
            loadBalancerClass: 'example.com/other',
          }),
        ],
      }),
      decisions: ['default/web 203.0.113.10: otherLoadBalancerClass', 'default/web : otherLoadBalancerClass'],
      routes: [],
    },
    {
      name: '--lb-class set: a Service of that class is announced',
      input: world({
        services: [
          service('default/web', { ingressIPs: ['203.0.113.10'], loadBalancerClass: 'ferry.example/bgp' }),
        ],
        options: { lbClass: 'ferry.example/bgp' },
      }),
      decisions: ['default/web 203.0.113.10: announced → tor1,tor2'],
      routes: ['203.0.113.10/32 → tor1', '203.0.113.10/32 → tor2'],
    },
    {
      name: '--lb-class set: a Service without a class belongs to another load balancer',
      input: world({ options: { lbClass: 'ferry.example/bgp' } }),
      decisions: ['default/web 203.0.113.10: otherLoadBalancerClass'],
      routes: [],
    },
    {
      name: 'the class is checked before anything else: another class without an IP is otherLoadBalancerClass',
      input: world({
        services: [service('default/web', { ingressIPs: [], loadBalancerClass: 'example.com/other' })],
      }),
      decisions: ['default/web : otherLoadBalancerClass'],
      routes: [],
    },
    {
      name: 'an IP in no pool: ipNotAllowed',
      input: world({ services: [service('default/web', { ingressIPs: ['198.51.100.7'] })] }),
      decisions: ['default/web 198.51.100.7: ipNotAllowed'],
    },
    {
      name: 'IPs not all in one pool: ipNotAllowed (MetalLB wants one pool holding all of them)',
      input: world({
        config: config({ pools: [pool('pool-a', ['203.0.113.0/24']), pool('pool-b', ['2001:db8::/64'])] }),
        services: [service('default/web', { ingressIPs: ['203.0.113.10', '2001:db8::10'] })],
      }),
      decisions: ['default/web 203.0.113.10: ipNotAllowed', 'default/web 2001:db8::10: ipNotAllowed'],
    },
    {
      name: 'a pool without any BGPAdvertisement: notOwner',
      input: world({ config: config({ advertisements: [advertisement('adv-b', { pools: ['pool-b'] })] }) }),
      decisions: ['default/web 203.0.113.10: notOwner'],
    },
    {
      name: "the pool's advertisements select other nodes: notOwner",
      input: world({
        config: config({
          advertisements: [advertisement('adv-a', { nodeSelectors: [selector({ rack: 'r2' })] })],
        }),
        node: node('n1', { rack: 'r1' }),
      }),
      decisions: ['default/web 203.0.113.10: notOwner'],
    },
    {
      name: 'an advertisement whose nodeSelectors match this node: announced',
      input: world({
        config: config({
          advertisements: [advertisement('adv-a', { nodeSelectors: [selector({ rack: 'r1' })] })],
        }),
        node: node('n1', { rack: 'r1' }),
      }),
      decisions: ['default/web 203.0.113.10: announced → tor1,tor2'],
    },
    {
      name: 'serviceSelectors that do not match the Service labels: noMatchingAdvertisement',
      input: world({
        config: config({
          advertisements: [advertisement('adv-a', { serviceSelectors: [selector({ tier: 'edge' })] })],
        }),
      }),
      decisions: ['default/web 203.0.113.10: noMatchingAdvertisement'],
    },
    {
      name: 'serviceSelectors are ORed: one matching selector is enough',
      input: world({
        config: config({
          advertisements: [
            advertisement('adv-a', {
              serviceSelectors: [selector({ tier: 'edge' }), selector({ tier: 'web' })],
            }),
          ],
        }),
        services: [service('default/web', { ingressIPs: ['203.0.113.10'], labels: { tier: 'web' } })],
      }),
      decisions: ['default/web 203.0.113.10: announced → tor1,tor2'],
    },
    {
      name: 'two matching advertisements with different localPref for the same prefix and peers: conflictingAdvertisements',
      input: world({
        config: config({
          advertisements: [
            advertisement('adv-a', { localPref: 100 }),
            advertisement('adv-b', { localPref: 200, serviceSelectors: [selector({ tier: 'web' })] }),
          ],
        }),
        services: [service('default/web', { ingressIPs: ['203.0.113.10'], labels: { tier: 'web' } })],
      }),
      decisions: ['default/web 203.0.113.10: conflictingAdvertisements'],
      routes: [],
    },
    {
      name: 'different localPref is fine when the advertisements name disjoint peers',
      input: world({
        config: config({
          advertisements: [
            advertisement('adv-a', { localPref: 100, peers: ['tor1'] }),
            advertisement('adv-b', { localPref: 200, peers: ['tor2'] }),
          ],
        }),
      }),
      decisions: ['default/web 203.0.113.10: announced → tor1,tor2'],
      routes: ['203.0.113.10/32 → tor1 lp 100', '203.0.113.10/32 → tor2 lp 200'],
    },
    {
      name: 'different localPref is fine when aggregation differs for every family of the pool',
      input: world({
        config: config({
          pools: [pool('pool-a', ['203.0.113.0/24'])],
          advertisements: [
            advertisement('adv-a', { localPref: 100 }),
            advertisement('adv-b', { localPref: 200, aggregationLength: 24 }),
          ],
        }),
      }),
      decisions: ['default/web 203.0.113.10: announced → tor1,tor2'],
      routes: [
        '203.0.113.0/24 → tor1 lp 200',
        '203.0.113.0/24 → tor2 lp 200',
        '203.0.113.10/32 → tor1 lp 100',
        '203.0.113.10/32 → tor2 lp 100',
      ],
    },
    {
      name: 'a dual-stack pool: differing only in the IPv4 aggregation still conflicts (MetalLB)',
      input: world({
        config: config({
          advertisements: [
            advertisement('adv-a', { localPref: 100 }),
            advertisement('adv-b', { localPref: 200, aggregationLength: 24 }),
          ],
        }),
      }),
      decisions: ['default/web 203.0.113.10: conflictingAdvertisements'],
    },
    {
      name: 'node condition NetworkUnavailable: nodeNetworkUnavailable',
      input: world({ node: node('n1', {}, true) }),
      decisions: ['default/web 203.0.113.10: nodeNetworkUnavailable'],
    },
    {
      name: 'the exclude-from-external-load-balancers label (any value): nodeLabeledExcludeBalancers',
      input: world({ node: node('n1', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }) }),
      decisions: ['default/web 203.0.113.10: nodeLabeledExcludeBalancers'],
    },
    {
      name: 'the exclude label with ignoreExcludeLB: announced',
      input: world({
        node: node('n1', { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' }),
        options: { ignoreExcludeLB: true },
      }),
      decisions: ['default/web 203.0.113.10: announced → tor1,tor2'],
    },
    {
      name: 'NetworkUnavailable is checked before the exclude label',
      input: world({
        node: node('n1', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }, true),
      }),
      decisions: ['default/web 203.0.113.10: nodeNetworkUnavailable'],
    },
    {
      name: 'notOwner is checked before the node conditions',
      input: world({
        config: config({
          advertisements: [advertisement('adv-a', { nodeSelectors: [selector({ rack: 'r2' })] })],
        }),
        node: node('n1', {}, true),
      }),
      decisions: ['default/web 203.0.113.10: notOwner'],
    },
    {
      name: 'a Service that is not type LoadBalancer gets no decision',
      input: world({
        services: [service('default/web', { ingressIPs: ['203.0.113.10'], type: 'ClusterIP' })],
      }),
      decisions: [],
      routes: [],
    },
  ];

  test.each(cases)('$name', ({ input, decisions: expected, routes: expectedRoutes }) => {
    const result = announcementsForNode(input);
    expect(decisions(result)).toEqual(expected);
    if (expectedRoutes !== undefined) expect(routes(result)).toEqual(expectedRoutes);
  });

  test('every refusal carries a sentence for ferry explain', () => {
    const result = announcementsForNode(world({ node: node('n1', {}, true) }));
    expect(result.decisions[0]?.detail).toBe('Node n1 has condition NetworkUnavailable=True.');
    expect(result.decisions[0]?.eligible).toBe(false);
    expect(result.decisions[0]?.pool).toBe('pool-a');
  });
});

describe('endpoints: externalTrafficPolicy Local and Cluster', () => {
  const local = (endpoints: Parameters<typeof slice>[1], nodeName = 'n1'): AnnounceInput =>
    world({
      node: node(nodeName),
      services: [service('default/web', { ingressIPs: ['203.0.113.10'], externalTrafficPolicy: 'Local' })],
      endpointSlices: [slice('default/web', endpoints)],
    });
  const cluster = (endpoints: Parameters<typeof slice>[1], nodeName = 'n1'): AnnounceInput =>
    world({ node: node(nodeName), endpointSlices: [slice('default/web', endpoints)] });

  const cases: { name: string; input: AnnounceInput; reason: string }[] = [
    { name: 'Local, ready endpoint here: announced', input: local([endpoint('n1')]), reason: '' },
    {
      name: 'Local, ready endpoint only elsewhere: noLocalEndpoints',
      input: local([endpoint('n2')]),
      reason: 'noLocalEndpoints',
    },
    {
      name: 'Local, endpoint moved to this node: announced here',
      input: local([endpoint('n2', { ready: false, serving: false, terminating: true }), endpoint('n1')]),
      reason: '',
    },
    {
      name: 'Local, endpoint moved away (n1 node sees it on n2): noLocalEndpoints',
      input: local([endpoint('n1', { ready: false, serving: false, terminating: true }), endpoint('n2')]),
      reason: 'noLocalEndpoints',
    },
    {
      name: 'Local, same endpoints seen from n2: announced there',
      input: local(
        [endpoint('n1', { ready: false, serving: false, terminating: true }), endpoint('n2')],
        'n2',
      ),
      reason: '',
    },
    {
      name: 'Local, terminating but serving endpoint here keeps the route',
      input: local([endpoint('n1', { ready: false, serving: true, terminating: true })]),
      reason: '',
    },
    {
      name: 'Local, readiness unknown counts as ready',
      input: local([endpoint('n1', { ready: undefined, serving: undefined })]),
      reason: '',
    },
    {
      name: 'Local, local endpoint without addresses does not count',
      input: local([endpoint('n1', { addresses: [] })]),
      reason: 'noLocalEndpoints',
    },
    {
      name: 'Local, endpoint with no node name is not local',
      input: local([endpoint(undefined)]),
      reason: 'noLocalEndpoints',
    },
    { name: 'Local, no slices at all: noLocalEndpoints', input: local([]), reason: 'noLocalEndpoints' },
    {
      name: 'Cluster, ready endpoint on another node: announced',
      input: cluster([endpoint('n2')]),
      reason: '',
    },
    {
      name: 'Cluster, only not-ready, not-serving endpoints: noEndpoints',
      input: cluster([
        endpoint('n1', { ready: false, serving: false }),
        endpoint('n2', { ready: false, serving: undefined }),
      ]),
      reason: 'noEndpoints',
    },
    {
      name: 'Cluster, terminating but serving endpoint anywhere keeps the route',
      input: cluster([endpoint('n3', { ready: false, serving: true, terminating: true })]),
      reason: '',
    },
    { name: 'Cluster, no endpoints: noEndpoints', input: cluster([]), reason: 'noEndpoints' },
    {
      name: 'slices of another Service (same name, other namespace) do not count',
      input: world({ endpointSlices: [slice('other/web', [endpoint('n1')])] }),
      reason: 'noEndpoints',
    },
    {
      name: 'endpoints spread over several slices',
      input: world({
        services: [service('default/web', { ingressIPs: ['203.0.113.10'], externalTrafficPolicy: 'Local' })],
        endpointSlices: [
          slice('default/web', [endpoint('n2')], 'a'),
          slice('default/web', [endpoint('n1')], 'b'),
        ],
      }),
      reason: '',
    },
  ];

  test.each(cases)('$name', ({ input, reason }) => {
    const [decision] = announcementsForNode(input).decisions;
    expect(decision?.reason).toBe(reason);
    expect(decision?.announced).toBe(reason === '');
  });
});

describe('an ETP Local endpoint moving between nodes moves the next hop', () => {
  const announcingNodes = (endpoints: Parameters<typeof slice>[1]): string[] =>
    ['n1', 'n2', 'n3'].filter(
      (name) =>
        announcementsForNode(
          world({
            node: node(name),
            services: [
              service('default/web', { ingressIPs: ['203.0.113.10'], externalTrafficPolicy: 'Local' }),
            ],
            endpointSlices: [slice('default/web', endpoints)],
          }),
        ).advertisements.length > 0,
    );

  test('before, during (old one terminating but serving) and after the move', () => {
    expect(announcingNodes([endpoint('n1')])).toEqual(['n1']);
    expect(
      announcingNodes([endpoint('n1', { ready: false, serving: true, terminating: true }), endpoint('n2')]),
    ).toEqual(['n1', 'n2']);
    expect(
      announcingNodes([endpoint('n1', { ready: false, serving: false, terminating: true }), endpoint('n2')]),
    ).toEqual(['n2']);
    expect(announcingNodes([endpoint('n2')])).toEqual(['n2']);
  });

  test('ETP Cluster announces from every node while any endpoint can serve, from none after', () => {
    const cluster = (endpoints: Parameters<typeof slice>[1]): string[] =>
      ['n1', 'n2', 'n3'].filter(
        (name) =>
          announcementsForNode(world({ node: node(name), endpointSlices: [slice('default/web', endpoints)] }))
            .advertisements.length > 0,
      );
    expect(cluster([endpoint('n2')])).toEqual(['n1', 'n2', 'n3']);
    expect(cluster([endpoint('n2', { ready: false, serving: false })])).toEqual([]);
  });
});

describe('prefixes, peers and attributes', () => {
  test('aggregation masks the IP to aggregationLength / aggregationLengthV6', () => {
    const result = announcementsForNode(
      world({
        config: config({
          advertisements: [advertisement('adv-a', { aggregationLength: 24, aggregationLengthV6: 64 })],
        }),
        services: [service('default/web', { ingressIPs: ['203.0.113.10', '2001:db8::abcd'] })],
      }),
    );
    expect(result.decisions.map((d) => d.routes.map((r) => r.prefix))).toEqual([
      ['203.0.113.0/24', '203.0.113.0/24'],
      [],
    ]);
    expect(routes(result)).toEqual(['203.0.113.0/24 → tor1', '203.0.113.0/24 → tor2']);
  });

  test('two Services in one aggregate announce the prefix once per peer, communities merged', () => {
    const result = announcementsForNode(
      world({
        config: config({
          advertisements: [
            advertisement('adv-a', { aggregationLength: 24, communities: [community('65000:1')] }),
            advertisement('adv-b', {
              aggregationLength: 24,
              communities: [community('65000:2')],
              serviceSelectors: [selector({ app: 'db' })],
            }),
          ],
        }),
        services: [
          service('default/web', { ingressIPs: ['203.0.113.10'] }),
          service('default/db', { ingressIPs: ['203.0.113.20'], labels: { app: 'db' } }),
        ],
        endpointSlices: [slice('default/web', [endpoint('n1')]), slice('default/db', [endpoint('n1')])],
      }),
    );
    expect(routes(result)).toEqual([
      '203.0.113.0/24 → tor1 [65000:1 65000:2]',
      '203.0.113.0/24 → tor2 [65000:1 65000:2]',
    ]);
  });

  test("an advertisement's peers restrict the prefix to those peers; others are withheld with a reason", () => {
    const result = announcementsForNode(
      world({ config: config({ advertisements: [advertisement('adv-a', { peers: ['tor2'] })] }) }),
    );
    expect(routes(result)).toEqual(['203.0.113.10/32 → tor2']);
    expect(result.decisions[0]?.withheld).toEqual([
      { peer: 'tor1', prefix: '203.0.113.10/32', why: 'not in spec.peers of BGPAdvertisement adv-a' },
    ]);
  });

  test('an advertisement naming only peers this node has no session with: noPeers', () => {
    const result = announcementsForNode(
      world({
        config: config({
          peers: [
            peer('tor1', '192.0.2.1'),
            peer('tor3', '192.0.2.3', { nodeSelectors: [selector({ rack: 'r3' })] }),
          ],
          advertisements: [advertisement('adv-a', { peers: ['tor3'] })],
        }),
      }),
    );
    expect(decisions(result)).toEqual(['default/web 203.0.113.10: noPeers']);
    expect(result.decisions[0]?.eligible).toBe(true);
    expect(result.decisions[0]?.detail).toBe(
      'No peer of this node may receive the prefix: tor1 (203.0.113.10/32): not in spec.peers of BGPAdvertisement adv-a.',
    );
    expect(result.advertisements).toEqual([]);
  });

  test('a node no BGPPeer selects: noPeers', () => {
    const result = announcementsForNode(
      world({
        config: config({ peers: [peer('tor1', '192.0.2.1', { nodeSelectors: [selector({ rack: 'r9' })] })] }),
      }),
    );
    expect(decisions(result)).toEqual(['default/web 203.0.113.10: noPeers']);
    expect(result.decisions[0]?.detail).toMatch(/No BGPPeer selects this node/);
  });

  test('several matching advertisements: each peer gets the communities of the ads that include it', () => {
    const result = announcementsForNode(
      world({
        config: config({
          advertisements: [
            advertisement('adv-a', {
              communities: [community('65000:100'), community('large:1:2:3')],
              localPref: 50,
            }),
            advertisement('adv-b', { communities: [community('65000:7')], peers: ['tor2'], localPref: 50 }),
            advertisement('adv-c', { communities: [community('65000:100')], peers: ['tor2'], localPref: 50 }),
          ],
        }),
      }),
    );
    expect(routes(result)).toEqual([
      '203.0.113.10/32 → tor1 [65000:100 large:1:2:3] lp 50',
      '203.0.113.10/32 → tor2 [65000:7 65000:100 large:1:2:3] lp 50',
    ]);
    expect(result.decisions[0]?.routes).toEqual([
      { prefix: '203.0.113.10/32', peer: 'tor1', advertisements: ['adv-a'] },
      { prefix: '203.0.113.10/32', peer: 'tor2', advertisements: ['adv-a', 'adv-b', 'adv-c'] },
    ]);
  });

  test('dual stack: each family goes only to sessions that carry it', () => {
    const result = announcementsForNode(
      world({
        config: config({
          peers: [
            peer('tor1', '192.0.2.1'),
            peer('tor6', '2001:db8:ff::1'),
            peer('tor-ds', '192.0.2.9', { dualStackAddressFamily: true }),
            peer('tor-if', undefined, { interface: 'eth1' }),
          ],
        }),
        services: [
          service('default/web', {
            ingressIPs: ['203.0.113.10', '2001:db8::10'],
            ipFamilies: ['IPv4', 'IPv6'],
          }),
        ],
      }),
    );
    expect(routes(result)).toEqual([
      '203.0.113.10/32 → tor-ds',
      '203.0.113.10/32 → tor-if',
      '203.0.113.10/32 → tor1',
      '2001:db8::10/128 → tor-ds',
      '2001:db8::10/128 → tor-if',
      '2001:db8::10/128 → tor6',
    ]);
    expect(result.advertisements.map((ad) => ad.family)).toEqual([
      'ipv4',
      'ipv4',
      'ipv4',
      'ipv6',
      'ipv6',
      'ipv6',
    ]);
    expect(result.decisions.find((d) => d.ip === '2001:db8::10')?.withheld).toEqual([
      {
        peer: 'tor1',
        prefix: '2001:db8::10/128',
        why: 'the session carries IPv4 only (dualStackAddressFamily is off)',
      },
    ]);
  });

  test('IPv6 Service with only IPv4 sessions (no dualStackAddressFamily): noPeers', () => {
    const result = announcementsForNode(
      world({ services: [service('default/web', { ingressIPs: ['2001:db8::10'] })] }),
    );
    expect(decisions(result)).toEqual(['default/web 2001:db8::10: noPeers']);
  });

  test('IPv4 over an IPv6 session needs dualStackAddressFamily (MetalLB FRR mode)', () => {
    const input = (dualStackAddressFamily: boolean): AnnounceInput =>
      world({ config: config({ peers: [peer('tor6', '2001:db8:ff::1', { dualStackAddressFamily })] }) });
    expect(decisions(announcementsForNode(input(false)))).toEqual(['default/web 203.0.113.10: noPeers']);
    expect(decisions(announcementsForNode(input(true)))).toEqual([
      'default/web 203.0.113.10: announced → tor6',
    ]);
  });

  test('ingress IPs are canonicalized and deduplicated', () => {
    const result = announcementsForNode(
      world({
        services: [service('default/web', { ingressIPs: ['2001:DB8:0::10', '2001:db8::10'] })],
        config: config({ peers: [peer('tor6', '2001:db8:ff::1')] }),
      }),
    );
    expect(decisions(result)).toEqual(['default/web 2001:db8::10: announced → tor6']);
  });
});

describe('shared IPs (several Services, one IP)', () => {
  const shared = (
    webEndpoints: Parameters<typeof slice>[1],
    dnsEndpoints: Parameters<typeof slice>[1],
  ): AnnounceInput =>
    world({
      services: [
        service('default/web', { ingressIPs: ['203.0.113.10'], externalTrafficPolicy: 'Local' }),
        service('default/dns', {
          ingressIPs: ['203.0.113.10'],
          externalTrafficPolicy: 'Local',
          ports: [{ name: 'dns', protocol: 'UDP', port: 53 }],
        }),
      ],
      endpointSlices: [slice('default/web', webEndpoints), slice('default/dns', dnsEndpoints)],
    });

  test('both announce: the prefix is sent once per peer', () => {
    const result = announcementsForNode(shared([endpoint('n1')], [endpoint('n1')]));
    expect(routes(result)).toEqual(['203.0.113.10/32 → tor1', '203.0.113.10/32 → tor2']);
    expect(result.decisions.map((d) => d.sharedWith)).toEqual([['default/web'], ['default/dns']]);
  });

  test('one loses its local endpoints: the route stays for the other (MetalLB #295)', () => {
    const result = announcementsForNode(shared([endpoint('n2')], [endpoint('n1')]));
    expect(decisions(result)).toEqual([
      'default/dns 203.0.113.10: announced → tor1,tor2',
      'default/web 203.0.113.10: noLocalEndpoints',
    ]);
    expect(routes(result)).toEqual(['203.0.113.10/32 → tor1', '203.0.113.10/32 → tor2']);
    expect(result.decisions[1]?.detail).toMatch(
      /stays announced from this node because default\/dns also announces it/,
    );
  });

  test('both lose their local endpoints: the route is withdrawn', () => {
    const result = announcementsForNode(shared([endpoint('n2')], [endpoint('n2')]));
    expect(routes(result)).toEqual([]);
    expect(result.decisions.every((d) => d.sharedWith.length === 0)).toBe(true);
  });
});

describe('clashes between Services', () => {
  test('two Services ask for different LOCAL_PREF on one prefix: the highest is sent, with a warning', () => {
    const result = announcementsForNode(
      world({
        config: config({
          advertisements: [
            advertisement('adv-a', { localPref: 1000, serviceSelectors: [selector({ app: 'web' })] }),
            advertisement('adv-b', { localPref: 200, serviceSelectors: [selector({ app: 'dns' })] }),
          ],
        }),
        services: [
          service('default/web', { ingressIPs: ['203.0.113.10'], labels: { app: 'web' } }),
          service('default/dns', { ingressIPs: ['203.0.113.10'], labels: { app: 'dns' } }),
        ],
        endpointSlices: [slice('default/web', [endpoint('n1')]), slice('default/dns', [endpoint('n1')])],
      }),
    );
    expect(routes(result)).toEqual(['203.0.113.10/32 → tor1 lp 1000', '203.0.113.10/32 → tor2 lp 1000']);
    expect(result.warnings).toEqual([
      'Prefix 203.0.113.10/32 to peer tor1: LOCAL_PREF 200 (default/dns) vs 1000 (default/web) differ; sending 1000.',
      'Prefix 203.0.113.10/32 to peer tor2: LOCAL_PREF 200 (default/dns) vs 1000 (default/web) differ; sending 1000.',
    ]);
  });
});

describe('ordering', () => {
  test('advertisements sort numerically by prefix, IPv4 first, then by peer; decisions by namespace/name/ip', () => {
    const result = announcementsForNode(
      world({
        config: config({ peers: [peer('tor1', '192.0.2.1', { dualStackAddressFamily: true })] }),
        services: [
          service('b/web', { ingressIPs: ['2001:db8::2', '203.0.113.10'] }),
          service('a/web', { ingressIPs: ['203.0.113.2'] }),
        ],
        endpointSlices: [slice('a/web', [endpoint('n1')]), slice('b/web', [endpoint('n1')])],
      }),
    );
    expect(result.advertisements.map((ad) => ad.prefix)).toEqual([
      '203.0.113.2/32',
      '203.0.113.10/32',
      '2001:db8::2/128',
    ]);
    expect(result.decisions.map((d) => `${d.namespace}/${d.name} ${d.ip}`)).toEqual([
      'a/web 203.0.113.2',
      'b/web 203.0.113.10',
      'b/web 2001:db8::2',
    ]);
  });
});
