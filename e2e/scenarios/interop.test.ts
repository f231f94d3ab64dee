// Interoperability: ToRs that are not FRR. tor2's FRR is replaced by BIRD 2 (with BFD) and
// tor1's by GoBGP, on the same addresses; the nodes' speakers peer with them from the seed BGPPeers
// and the ToRs learn the Service /32 from every node, with the advertisement's communities.
// Seen here: BIRD 2.0.12 closes each first session at once ("BGP session established" then "BFD
// session down" in the same millisecond, before the BFD session came up) and by default waits 60 s
// before retrying; the lab's BIRD config shortens that wait (`error wait time 1, 5`).
import { jest } from '@jest/globals';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import { kernelNextHops } from '../../src/lab/tor-routes.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { startBirdTor, startGobgpTor, type AltTor } from './alt-tors.js';
import {
  addressAt,
  bgpPeer,
  documents,
  endpointSlice,
  metallb,
  outcome,
  serviceYaml,
  startSpeakers,
  waitForIngress,
} from './support.js';

jest.setTimeout(300_000);

const IP = '203.0.113.10';
const PREFIX = `${IP}/32`;

describe('BIRD 2 and GoBGP ToRs', () => {
  let lab: ClusterLab;
  let nodes: LabNode[];
  let bird: AltTor | undefined;
  let gobgp: AltTor | undefined;

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 2 });
    nodes = lab.nodes;
    const [tor1, tor2] = lab.fabric.tors;
    for (const frr of lab.tors) await lab.fabric.stopFrr(frr);
    bird = await startBirdTor({
      namespace: tor2.namespace,
      routerId: tor2.link.ipv4,
      asn: 65000,
      neighbors: nodes.map((node, i) => ({ name: `node${i + 1}`, address: addressAt(1, node), asn: 65100 })),
      bfd: { intervalMs: 300, multiplier: 3 },
    });
    gobgp = await startGobgpTor({
      namespace: tor1.namespace,
      routerId: tor1.link.ipv4,
      asn: 65000,
      neighbors: nodes.map((node, i) => ({ name: `node${i + 1}`, address: addressAt(0, node), asn: 65100 })),
    });
    await lab.apply(lab.nodeObjectsYaml());
    await lab.apply(
      documents(
        metallb('BFDProfile', 'tor-bfd', {
          receiveInterval: 300,
          transmitInterval: 300,
          detectMultiplier: 3,
        }),
        bgpPeer('tor1', { peerAddress: '192.0.2.1', peerASN: 65000, myASN: 65100 }),
        bgpPeer('tor2', { peerAddress: '198.51.100.1', peerASN: 65000, myASN: 65100, bfdProfile: 'tor-bfd' }),
        metallb('IPAddressPool', 'prod-pool', { addresses: ['203.0.113.0/26'] }),
        metallb('BGPAdvertisement', 'prod-adv', {
          ipAddressPools: ['prod-pool'],
          communities: ['65000:100', 'large:65000:1:2'],
        }),
        serviceYaml({ name: 'web', ips: [IP] }),
        endpointSlice('web', [{ node: 'node-21' }]),
      ),
    );
    lab.startController();
    startSpeakers(lab);
    await waitForIngress(lab, 'web');
  });

  afterAll(async () => {
    await bird?.stop();
    await gobgp?.stop();
    expect(await lab?.destroy()).toEqual([]);
  });

  test('BIRD: sessions Established with BFD up from every node', async () => {
    const result = await waitUntil(
      async () => {
        const protocols = await bird!.cli(['show', 'protocols']);
        const bfd = await bird!.cli(['show', 'bfd', 'sessions']);
        const established = nodes.filter((_, i) =>
          new RegExp(`^node${i + 1}\\s.*Established`, 'm').test(protocols.stdout),
        );
        const bfdUp = nodes.filter((node) =>
          new RegExp(`^${addressAt(1, node).replaceAll('.', '\\.')}\\s.*\\bUp\\b`, 'm').test(bfd.stdout),
        );
        return established.length === nodes.length && bfdUp.length === nodes.length
          ? { done: true, value: true }
          : { done: false, why: `${protocols.stdout}\n${bfd.stdout}` };
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(outcome(result)).toBe('ok');
  });

  test('BIRD learns the /32 from every node with the communities and installs it in the kernel', async () => {
    const result = await waitUntil(
      async () => {
        const route = await bird!.cli(['show', 'route', 'for', PREFIX, 'all']);
        const paths = route.stdout.split('\n').filter((l) => l.includes('BGP.origin')).length;
        return paths === nodes.length
          ? { done: true, value: route.stdout }
          : { done: false, why: route.stdout };
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(outcome(result)).toBe('ok');
    const text = result.ok ? result.value : '';
    expect(text.match(/BGP\.community: \(65000,100\)/g)).toHaveLength(nodes.length);
    expect(text.match(/BGP\.large_community: \(65000, 1, 2\)/g)).toHaveLength(nodes.length);
    const kernel = await waitUntil(
      async () => {
        const hops = await kernelNextHops(lab.fabric.tors[1].namespace, PREFIX);
        const want = nodes.map((n) => addressAt(1, n)).sort();
        return hops.join() === want.join() ? { done: true, value: hops } : { done: false, why: hops.join() };
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    expect(outcome(kernel)).toBe('ok');
  });

  test('GoBGP learns the /32 from every node with the communities', async () => {
    const result = await waitUntil(
      async () => {
        const rib = await gobgp!.cli(['global', 'rib', '-a', 'ipv4', PREFIX]);
        const paths = rib.stdout.split('\n').filter((l) => l.includes('65100')).length;
        return paths === nodes.length ? { done: true, value: rib.stdout } : { done: false, why: rib.stdout };
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(outcome(result)).toBe('ok');
    const lines = (result.ok ? result.value : '').split('\n').filter((l) => l.includes(PREFIX));
    expect(lines.map((l) => l.trim().split(/\s+/)[2]).sort()).toEqual(
      nodes.map((n) => addressAt(0, n)).sort(),
    );
    for (const line of lines) {
      expect(line).toContain('{Communities: 65000:100}');
      expect(line).toContain('{LargeCommunity: [ 65000:1:2]}');
    }
  });

  test('the last endpoint gone: both ToRs withdraw the /32', async () => {
    await lab.apply(endpointSlice('web', []));
    const result = await waitUntil(
      async () => {
        const route = await bird!.cli(['show', 'route', 'for', PREFIX]);
        const rib = await gobgp!.cli(['global', 'rib', '-a', 'ipv4', PREFIX]);
        const birdHas = route.stdout.includes(PREFIX);
        const gobgpHas = rib.stdout.includes(PREFIX);
        return !birdHas && !gobgpHas
          ? { done: true, value: true }
          : { done: false, why: `bird: ${route.stdout} gobgp: ${rib.stdout}` };
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(outcome(result)).toBe('ok');
  });
});
