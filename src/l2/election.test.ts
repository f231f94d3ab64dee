import fc from 'fast-check';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import { config, endpoint, pool, service, slice } from '../../test/support/builders.js';
import type { Config, L2Advertisement, LabelSelector } from '../config/types.js';
import { electL2Owners, explainL2, orderCandidates, type L2ElectionInput } from './election.js';

const l2 = (name: string, parts: Partial<L2Advertisement> = {}): L2Advertisement => ({
  name,
  pools: ['pool-a'],
  nodeSelectors: [],
  interfaces: [],
  ...parts,
});
const selector = (labels: Record<string, string>): LabelSelector => ({
  matchLabels: labels,
  matchExpressions: [],
});
const nodeInfo = (
  name: string,
  labels: Record<string, string> = {},
  networkUnavailable = false,
): NodeInfo => ({
  name,
  labels,
  networkUnavailable,
});
const NODES = ['node-21', 'node-22', 'node-23'].map((name) => nodeInfo(name));
const l2Config = (advertisements: L2Advertisement[] = [l2('l2-a')]): Config =>
  config({ advertisements: [], l2Advertisements: advertisements });

function input(parts: Partial<L2ElectionInput> = {}): L2ElectionInput {
  return {
    config: l2Config(),
    node: 'node-21',
    nodes: NODES,
    alive: undefined,
    services: [service('default/web', { ingressIPs: ['203.0.113.10'] })],
    endpointSlices: [slice('default/web', [endpoint('node-22')])],
    ...parts,
  };
}

describe('orderCandidates: MetalLB order (SHA-256 of node#ip, bytewise)', () => {
  // Expected orders computed independently (Python hashlib) for the lab's node names.
  it.each([
    ['192.0.2.200', ['node-21', 'node-22', 'node-23']],
    ['192.0.2.202', ['node-23', 'node-21', 'node-22']],
    ['192.0.2.203', ['node-21', 'node-23', 'node-22']],
    ['2001:db8:5::200', ['node-23', 'node-22', 'node-21']],
  ])('%s', (ip, expected) => {
    expect(orderCandidates(['node-22', 'node-23', 'node-21'], ip)).toEqual(expected);
  });
});

describe('electL2Owners', () => {
  const ownerOf = (parts: Partial<L2ElectionInput>, ip = '192.0.2.202') => {
    const services = [service('default/web', { ingressIPs: [ip] })];
    const cfg = config({
      pools: [poolWith(ip)],
      advertisements: [],
      l2Advertisements: parts.config?.l2Advertisements ?? [l2('l2-a')],
    });
    return electL2Owners(input({ ...parts, services, config: cfg })).decisions[0];
  };

  it('every node computes the same owner; only the owner answers, on every interface by default', () => {
    const results = NODES.map((node) =>
      electL2Owners(
        input({
          node: node.name,
          services: [service('default/web', { ingressIPs: ['192.0.2.202'] })],
          config: config({
            pools: [poolWith('192.0.2.202')],
            advertisements: [],
            l2Advertisements: [l2('l2-a')],
          }),
        }),
      ),
    );
    expect(results.map((result) => result.decisions[0]?.owner)).toEqual(['node-23', 'node-23', 'node-23']);
    expect(results.map((result) => result.owned.map((owned) => owned.ip.text))).toEqual([
      [],
      [],
      ['192.0.2.202'],
    ]);
    expect(results[2]?.owned[0]?.interfaces).toBeUndefined();
    expect(results[0]?.decisions[0]).toMatchObject({
      announced: false,
      reason: 'notOwner',
      candidates: ['node-23', 'node-21', 'node-22'],
    });
  });

  it("a Service of another loadBalancerClass is not ferry's: no decision, nothing owned; with --lb-class it is", () => {
    const theirs = service('default/web', {
      ingressIPs: ['203.0.113.10'],
      loadBalancerClass: 'example.com/other',
    });
    const byDefault = electL2Owners(input({ node: 'node-22', services: [theirs] }));
    expect(byDefault.decisions).toEqual([]);
    expect(byDefault.owned).toEqual([]);
    const asOurs = electL2Owners(
      input({ node: 'node-22', services: [theirs], lbClass: 'example.com/other' }),
    );
    expect(asOurs.decisions.map((d) => d.name)).toEqual(['web']);
  });

  it.each([
    ['not alive', { alive: new Set(['node-21', 'node-22']) }, 'notAlive'],
    [
      'without a Ready speaker pod (crashed speaker)',
      {
        speakerPods: [
          { name: 'a', nodeName: 'node-21', ready: true, deleting: false },
          { name: 'b', nodeName: 'node-22', ready: true, deleting: false },
          { name: 'c', nodeName: 'node-23', ready: false, deleting: false },
        ],
      },
      'speakerNotReady',
    ],
    [
      'without any speaker pod while others have one',
      {
        speakerPods: [
          { name: 'a', nodeName: 'node-21', ready: true, deleting: false },
          { name: 'b', nodeName: 'node-22', ready: true, deleting: false },
        ],
      },
      'speakerNotReady',
    ],
    [
      'NetworkUnavailable',
      { nodes: [nodeInfo('node-21'), nodeInfo('node-22'), nodeInfo('node-23', {}, true)] },
      'nodeNetworkUnavailable',
    ],
    [
      'excluded by label',
      {
        nodes: [
          nodeInfo('node-21'),
          nodeInfo('node-22'),
          nodeInfo('node-23', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }),
        ],
      },
      'nodeLabeledExcludeBalancers',
    ],
    [
      'not selected by nodeSelectors',
      {
        nodes: [nodeInfo('node-21', { l2: 'yes' }), nodeInfo('node-22', { l2: 'yes' }), nodeInfo('node-23')],
        config: l2Config([l2('l2-a', { nodeSelectors: [selector({ l2: 'yes' })] })]),
      },
      'notSelected',
    ],
  ] as const)('the first candidate %s is skipped; the next one owns', (_name, parts, why) => {
    const decision = ownerOf(parts as Partial<L2ElectionInput>);
    expect(decision?.owner).toBe('node-21');
    expect(decision?.excluded).toEqual([{ node: 'node-23', why }]);
  });

  it.each([
    ['node-23 Ready', { ready: true, deleting: false }, 'node-23', 'node-23'],
    [
      'node-23 crashed (not Ready): the others drop it',
      { ready: false, deleting: false },
      'node-22',
      'node-21',
    ],
    [
      'node-23 restarted, not Ready yet: it waits like the others',
      { ready: false, deleting: false },
      'node-23',
      'node-21',
    ],
    ['node-23 being deleted: the others drop it', { ready: false, deleting: true }, 'node-22', 'node-21'],
    ['node-23 being deleted: it hands over itself', { ready: false, deleting: true }, 'node-23', 'node-23'],
  ] as const)('speaker pods: %s (seen from %s: owner %s)', (_name, pod23, self, owner) => {
    const speakerPods = [
      { name: 'a', nodeName: 'node-21', ready: true, deleting: false },
      { name: 'b', nodeName: 'node-22', ready: true, deleting: false },
      { name: 'c', nodeName: 'node-23', ...pod23 },
    ];
    expect(ownerOf({ node: self, speakerPods })?.owner).toBe(owner);
  });

  it('without any speaker pod (standalone) pods have no say', () => {
    expect(ownerOf({ node: 'node-22', speakerPods: [] })?.owner).toBe('node-23');
  });

  it('externalTrafficPolicy Local: only nodes with a ready local endpoint are candidates', () => {
    const services = [
      { ...service('default/web', { ingressIPs: ['192.0.2.202'] }), externalTrafficPolicy: 'Local' as const },
    ];
    const cfg = config({
      pools: [poolWith('192.0.2.202')],
      advertisements: [],
      l2Advertisements: [l2('l2-a')],
    });
    const slices: EndpointSliceInfo[] = [
      slice('default/web', [endpoint('node-22'), endpoint('node-23', { ready: false, serving: false })]),
    ];
    const decision = electL2Owners(input({ services, config: cfg, endpointSlices: slices })).decisions[0];
    expect(decision?.owner).toBe('node-22');
    expect(decision?.excluded.map((entry) => entry.why)).toEqual(['noLocalEndpoints', 'noLocalEndpoints']);
  });

  it('no serving endpoint anywhere: nobody answers (noEndpoints)', () => {
    const decision = electL2Owners(input({ endpointSlices: [] })).decisions[0];
    expect(decision).toMatchObject({ owner: undefined, announced: false, reason: 'noEndpoints' });
  });

  it('Services of pools without an L2Advertisement are not layer 2 Services', () => {
    expect(electL2Owners(input({ config: l2Config([l2('l2-b', { pools: ['other'] })]) })).decisions).toEqual(
      [],
    );
  });

  it('interfaces: the union of the advertisements selecting this node; one without interfaces means all', () => {
    const owner = ownerOf({})?.owner ?? '';
    const at = (advertisements: L2Advertisement[]) =>
      electL2Owners(
        input({
          node: owner,
          services: [service('default/web', { ingressIPs: ['192.0.2.202'] })],
          config: config({
            pools: [poolWith('192.0.2.202')],
            advertisements: [],
            l2Advertisements: advertisements,
          }),
        }),
      ).owned[0]?.interfaces;
    expect([...(at([l2('a', { interfaces: ['eth1'] }), l2('b', { interfaces: ['eth0'] })]) ?? [])]).toEqual([
      'eth0',
      'eth1',
    ]);
    expect(at([l2('a', { interfaces: ['eth1'] }), l2('b')])).toBeUndefined();
  });

  it('a dual-stack Service has one owner for both IPs, ordered by its first IP', () => {
    const services = [service('default/web', { ingressIPs: ['192.0.2.202', '2001:db8:5::200'] })];
    const cfg = config({
      pools: [poolWith('192.0.2.202', '2001:db8:5::200')],
      advertisements: [],
      l2Advertisements: [l2('l2-a')],
    });
    const result = electL2Owners(input({ node: 'node-23', services, config: cfg }));
    expect(result.owned.map((owned) => owned.ip.text).sort()).toEqual(['192.0.2.202', '2001:db8:5::200']);
  });

  it('explain names the owner, the order and why other nodes are not candidates', () => {
    const text = explainL2(electL2Owners(input({ alive: new Set(['node-21', 'node-22']) })).decisions);
    expect(text).toContain('default/web 203.0.113.10 (layer2, pool pool-a): ');
    expect(text).toContain('node-23: not a candidate (notAlive)');
    expect(text).toMatch(/owner node-2[12]; candidates in order: node-2[12], node-2[12]/);
  });

  it('property: the owner does not depend on input order, and removing a non-owner never moves it', () => {
    const names = fc.uniqueArray(fc.stringMatching(/^n-[a-z0-9]{1,6}$/), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(
        names,
        fc.integer({ min: 1, max: 254 }),
        fc.integer({ min: 0, max: 7 }),
        (nodes, host, drop) => {
          const ip = `203.0.113.${host}`;
          const svc: ServiceInfo[] = [service('default/web', { ingressIPs: [ip] })];
          const slices = [slice('default/web', [endpoint(nodes[0] ?? '')])];
          const elect = (list: string[]) =>
            electL2Owners(
              input({
                node: list[0] ?? '',
                nodes: list.map((name) => nodeInfo(name)),
                services: svc,
                endpointSlices: slices,
              }),
            ).decisions[0]?.owner;
          const owner = elect(nodes);
          expect(elect([...nodes].reverse())).toBe(owner);
          const victim = nodes[drop % nodes.length] ?? '';
          if (victim !== owner) expect(elect(nodes.filter((name) => name !== victim))).toBe(owner);
        },
      ),
    );
  });
});

function poolWith(...ips: string[]) {
  return pool(
    'pool-a',
    ips.map((ip) => `${ip}/${ip.includes(':') ? 128 : 32}`),
  );
}
