// externalTrafficPolicy Cluster: a Service IP is announced from every node its
// advertisement selects while any endpoint anywhere can serve, and withdrawn everywhere when none can.
// What a user checks: the ToRs' routes for the IP, one next hop per announcing node.
import { jest } from '@jest/globals';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import { nextHopsAt } from '../../src/lab/tor-routes.js';
import {
  documents,
  outcome,
  endpointSlice,
  kubectl,
  metallb,
  seedPeers,
  serviceYaml,
  startSpeakers,
  waitForIngress,
  waitForNodesAtBothTors,
} from './support.js';

jest.setTimeout(300_000);

const WEB_IP = '203.0.113.10';
const EDGE_IP = '203.0.113.70';

describe('externalTrafficPolicy Cluster', () => {
  let lab: ClusterLab;
  let all: LabNode[];

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    all = ['node-21', 'node-22', 'node-23'].map((name) => lab.node(name));
    await lab.apply(lab.nodeObjectsYaml({ 'node-21': { rack: 'edge' }, 'node-23': { rack: 'edge' } }));
    await lab.apply(
      documents(
        seedPeers(),
        metallb('IPAddressPool', 'prod-pool', { addresses: ['203.0.113.0/26'] }),
        metallb('BGPAdvertisement', 'prod-adv', {
          ipAddressPools: ['prod-pool'],
          communities: ['65000:100'],
        }),
        metallb('IPAddressPool', 'edge-pool', { addresses: ['203.0.113.64/26'], autoAssign: false }),
        metallb('BGPAdvertisement', 'edge-adv', {
          ipAddressPools: ['edge-pool'],
          nodeSelectors: [{ matchLabels: { rack: 'edge' } }],
        }),
      ),
    );
    await lab.apply(
      documents(
        serviceYaml({ name: 'web', ips: [WEB_IP] }),
        serviceYaml({ name: 'edge', ips: [EDGE_IP], pool: 'edge-pool' }),
        endpointSlice('web', [{ node: 'node-21' }]),
        endpointSlice('edge', [{ node: 'node-22' }]),
      ),
    );
    lab.startController();
    startSpeakers(lab);
    await waitForIngress(lab, 'web');
    await waitForIngress(lab, 'edge');
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test('one endpoint on node-21: every node forwards, so both ToRs have all three nodes as next hops', async () => {
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, all, 60_000))).toBe('ok');
  });

  test('the endpoint moves to node-23: no node withdraws, not even for a moment', async () => {
    const hopCounts: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) hopCounts.push((await nextHopsAt(lab.tors[0]!, `${WEB_IP}/32`)).length);
    })();
    await lab.apply(endpointSlice('web', [{ node: 'node-23' }]));
    // the speakers act on a change well within this
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    watching = false;
    await watcher;
    expect(Math.min(...hopCounts)).toBe(3);
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, all))).toBe('ok');
  });

  test('no endpoint can serve: withdrawn from every node at both ToRs', async () => {
    await lab.apply(endpointSlice('web', [{ node: 'node-23', ready: false, serving: false }]));
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, []))).toBe('ok');
  });

  test('a terminating endpoint that still serves brings it back everywhere (connections drain)', async () => {
    await lab.apply(
      endpointSlice('web', [{ node: 'node-23', ready: false, serving: true, terminating: true }]),
    );
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, all))).toBe('ok');
  });

  test('the EndpointSlice deleted: withdrawn everywhere; a new endpoint: back everywhere', async () => {
    await kubectl(lab, ['delete', 'endpointslice', 'web-e2e-ipv4', '-n', 'default']);
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, []))).toBe('ok');
    await lab.apply(endpointSlice('web', [{ node: 'node-22' }]));
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, all))).toBe('ok');
  });

  test('an advertisement with nodeSelectors: only the selected nodes announce, wherever the endpoint is', async () => {
    // edge's only endpoint is on node-22, which edge-adv does not select
    const selected = [lab.node('node-21'), lab.node('node-23')];
    expect(outcome(await waitForNodesAtBothTors(lab, `${EDGE_IP}/32`, selected, 30_000))).toBe('ok');
    // and the web Service's route is unaffected by the other advertisement
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, all))).toBe('ok');
  });
});
