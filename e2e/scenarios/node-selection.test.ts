// Peers and node selectors: which nodes peer with which ToR, and which nodes announce,
// follow Node labels and conditions as a user changes them with kubectl. tor1's BGPPeer selects
// nodes labeled `bgp=enabled`; tor2's selects every node. What a user checks: Established sessions
// at the ToRs and the next hops of a Service IP (externalTrafficPolicy Cluster, so every eligible
// node announces).
import { jest } from '@jest/globals';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { waitForNextHops } from '../../src/lab/tor-routes.js';
import {
  addressAt,
  bgpPeer,
  documents,
  endpointSlice,
  kubectl,
  metallb,
  outcome,
  serviceYaml,
  startSpeakers,
  waitForEstablished,
  waitForIngress,
  waitForNodesAtBothTors,
} from './support.js';

jest.setTimeout(300_000);

const IP = '203.0.113.10';
const PREFIX = `${IP}/32`;
const EXCLUDE = 'node.kubernetes.io/exclude-from-external-load-balancers';

function networkUnavailable(value: 'True' | 'False'): string {
  return JSON.stringify({
    status: {
      conditions: [
        {
          type: 'NetworkUnavailable',
          status: value,
          reason: value === 'True' ? 'NoRouteCreated' : 'RouteCreated',
          message: 'set by the e2e suite',
        },
      ],
    },
  });
}

describe('peers and node selectors', () => {
  let lab: ClusterLab;
  let tor1: FrrInstance;
  let tor2: FrrInstance;
  let n21: LabNode;
  let n22: LabNode;
  let n23: LabNode;

  /** tor1 forwards to exactly these nodes, tor2 to exactly those. */
  async function expectNextHops(atTor1: readonly LabNode[], atTor2: readonly LabNode[]): Promise<void> {
    const [one, two] = await Promise.all([
      waitForNextHops(
        tor1,
        PREFIX,
        atTor1.map((node) => addressAt(0, node)),
        20_000,
      ),
      waitForNextHops(
        tor2,
        PREFIX,
        atTor2.map((node) => addressAt(1, node)),
        20_000,
      ),
    ]);
    expect([outcome(one), outcome(two)]).toEqual(['ok', 'ok']);
  }

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    [tor1, tor2] = lab.tors as [FrrInstance, FrrInstance];
    [n21, n22, n23] = ['node-21', 'node-22', 'node-23'].map((name) => lab.node(name)) as [
      LabNode,
      LabNode,
      LabNode,
    ];
    await lab.apply(lab.nodeObjectsYaml({ 'node-21': { bgp: 'enabled' }, 'node-22': { bgp: 'enabled' } }));
    await lab.apply(
      documents(
        bgpPeer('tor1', {
          peerAddress: '192.0.2.1',
          peerASN: 65000,
          myASN: 65100,
          nodeSelectors: [{ matchLabels: { bgp: 'enabled' } }],
        }),
        bgpPeer('tor2', { peerAddress: '198.51.100.1', peerASN: 65000, myASN: 65100 }),
        metallb('IPAddressPool', 'prod-pool', { addresses: ['203.0.113.0/26'] }),
        metallb('BGPAdvertisement', 'prod-adv', { ipAddressPools: ['prod-pool'] }),
        serviceYaml({ name: 'web', ips: [IP] }),
        endpointSlice('web', [{ node: 'node-21' }]),
      ),
    );
    lab.startController();
    startSpeakers(lab);
    await waitForIngress(lab, 'web');
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test('a BGPPeer with nodeSelectors peers only from the matching nodes', async () => {
    expect(outcome(await waitForEstablished(tor1, [addressAt(0, n21), addressAt(0, n22)]))).toBe('ok');
    expect(
      outcome(
        await waitForEstablished(
          tor2,
          [n21, n22, n23].map((n) => addressAt(1, n)),
        ),
      ),
    ).toBe('ok');
    await expectNextHops([n21, n22], [n21, n22, n23]);
  });

  test('kubectl label node node-23 bgp=enabled: its session to tor1 and its route there appear', async () => {
    await kubectl(lab, ['label', 'node', 'node-23', 'bgp=enabled']);
    expect(
      outcome(
        await waitForEstablished(
          tor1,
          [n21, n22, n23].map((n) => addressAt(0, n)),
        ),
      ),
    ).toBe('ok');
    await expectNextHops([n21, n22, n23], [n21, n22, n23]);
  });

  test('the label removed from node-21: its tor1 session and route go, tor2 keeps it', async () => {
    await kubectl(lab, ['label', 'node', 'node-21', 'bgp-']);
    expect(outcome(await waitForEstablished(tor1, [addressAt(0, n22), addressAt(0, n23)]))).toBe('ok');
    await expectNextHops([n22, n23], [n21, n22, n23]);
    await kubectl(lab, ['label', 'node', 'node-21', 'bgp=enabled']);
    await expectNextHops([n21, n22, n23], [n21, n22, n23]);
  });

  test(`${EXCLUDE} withdraws node-22 at both ToRs (sessions stay), removing it brings it back`, async () => {
    await kubectl(lab, ['label', 'node', 'node-22', `${EXCLUDE}=`]);
    await expectNextHops([n21, n23], [n21, n23]);
    expect(
      outcome(
        await waitForEstablished(
          tor1,
          [n21, n22, n23].map((n) => addressAt(0, n)),
          1_000,
        ),
      ),
    ).toBe('ok');
    await kubectl(lab, ['label', 'node', 'node-22', `${EXCLUDE}-`]);
    await expectNextHops([n21, n22, n23], [n21, n22, n23]);
  });

  test('NetworkUnavailable=True on node-23 withdraws it at both ToRs; False brings it back', async () => {
    const patch = (value: 'True' | 'False') =>
      kubectl(lab, [
        'patch',
        'node',
        'node-23',
        '--subresource=status',
        '--type=merge',
        '-p',
        networkUnavailable(value),
      ]);
    await patch('True');
    await expectNextHops([n21, n22], [n21, n22]);
    await patch('False');
    await expectNextHops([n21, n22, n23], [n21, n22, n23]);
  });

  test('every node excluded at once: the Service is gone from the fabric', async () => {
    for (const node of ['node-21', 'node-22', 'node-23'])
      await kubectl(lab, ['label', 'node', node, `${EXCLUDE}=true`]);
    expect(outcome(await waitForNodesAtBothTors(lab, PREFIX, []))).toBe('ok');
    for (const node of ['node-21', 'node-22', 'node-23'])
      await kubectl(lab, ['label', 'node', node, `${EXCLUDE}-`]);
    expect(outcome(await waitForNodesAtBothTors(lab, PREFIX, [n21, n22, n23]))).toBe('ok');
  });
});
