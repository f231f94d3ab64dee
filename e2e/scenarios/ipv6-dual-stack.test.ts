// IPv6 and dual-stack Services: a dual-stack pool, a `RequireDualStack` Service and an
// IPv6-only Service; the nodes peer with the ToRs over IPv4 and over IPv6. What a user checks: the
// controller gives one IP per family, the /32 and the /128 are at both ToRs with one path per node.
import { jest } from '@jest/globals';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import { linkLocalAddress, run } from '../../src/lab/netns.js';
import { nextHopsAt } from '../../src/lab/tor-routes.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import {
  bgpPeer,
  documents,
  outcome,
  endpointSlice,
  metallb,
  seedPeers,
  serviceYaml,
  startSpeakers,
  waitForEstablished,
  waitForIngress,
  waitForNodesAtBothTors,
} from './support.js';

jest.setTimeout(300_000);

const V6_POOL = '2001:db8:5::/124';

/**
 * Which nodes `tor` forwards the IPv6 prefix to: next hops are the nodes' link-local or global
 * addresses on the ToR's segment; anything else shows up as itself.
 */
async function ipv6NodesAt(lab: ClusterLab, torIndex: number, prefix: string): Promise<string[]> {
  const tor = lab.tors[torIndex];
  if (tor === undefined) return [];
  const byAddress = new Map<string, string>();
  for (const node of lab.nodes) {
    byAddress.set(
      await linkLocalAddress(
        node.handle.namespace,
        torIndex === 0 ? node.handle.linkA.device : node.handle.linkB.device,
      ),
      node.name,
    );
    byAddress.set((torIndex === 0 ? node.handle.linkA : node.handle.linkB).ipv6, node.name);
  }
  return (await nextHopsAt(tor, prefix)).map((hop) => byAddress.get(hop) ?? hop).sort();
}

async function waitForIpv6Nodes(
  lab: ClusterLab,
  prefix: string,
  nodes: readonly string[],
  timeoutMs = 30_000,
) {
  const wanted = [...nodes].sort().join(',');
  return waitUntil(
    async () => {
      const seen = await Promise.all([0, 1].map((i) => ipv6NodesAt(lab, i, prefix)));
      const view = seen.map((names) => names.join(','));
      return view.every((v) => v === wanted)
        ? { done: true, value: view }
        : { done: false, why: `tor1 [${view[0]}], tor2 [${view[1]}], want [${wanted}]` };
    },
    { timeoutMs, intervalMs: 200 },
  );
}

describe('IPv6 and dual-stack Services', () => {
  let lab: ClusterLab;
  let all: LabNode[];
  const names = ['node-21', 'node-22', 'node-23'];

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3, ipv6: true });
    all = names.map((name) => lab.node(name));
    await lab.apply(lab.nodeObjectsYaml());
    await lab.apply(
      documents(
        seedPeers(),
        bgpPeer('tor1-v6', { peerAddress: '2001:db8:ffff:a::1', peerASN: 65000, myASN: 65100 }),
        bgpPeer('tor2-v6', { peerAddress: '2001:db8:ffff:b::1', peerASN: 65000, myASN: 65100 }),
        metallb('IPAddressPool', 'dual-pool', { addresses: ['203.0.113.32/28', V6_POOL] }),
        metallb('BGPAdvertisement', 'dual-adv', { ipAddressPools: ['dual-pool'] }),
      ),
    );
    await lab.apply(
      documents(
        serviceYaml({
          name: 'dual',
          ipFamilyPolicy: 'RequireDualStack',
          ipFamilies: ['IPv4', 'IPv6'],
        }),
        endpointSlice('dual', [{ node: 'node-22' }]),
        serviceYaml({ name: 'v6only', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] }),
        endpointSlice('v6only', [{ node: 'node-21' }], 'IPv6'),
      ),
    );
    lab.startController();
    startSpeakers(lab);
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test('every node has an IPv4 and an IPv6 session Established at both ToRs', async () => {
    for (const [i, tor] of lab.tors.entries()) {
      const link = (node: LabNode) => (i === 0 ? node.handle.linkA : node.handle.linkB);
      const peers = all.flatMap((node) => [link(node).ipv4, link(node).ipv6]);
      expect(outcome(await waitForEstablished(tor, peers))).toBe('ok');
    }
  });

  test('RequireDualStack: one IP of each family; the /32 and the /128 at both ToRs from every node', async () => {
    const ips = await waitForIngress(lab, 'dual', 2);
    const v4 = ips.find((ip) => !ip.includes(':'));
    const v6 = ips.find((ip) => ip.includes(':'));
    expect(v4).toMatch(/^203\.0\.113\.(3[2-9]|4[0-7])$/);
    expect(v6).toMatch(/^2001:db8:5::[0-9a-f]?$/);
    expect(outcome(await waitForNodesAtBothTors(lab, `${v4}/32`, all, 30_000))).toBe('ok');
    expect(outcome(await waitForIpv6Nodes(lab, `${v6}/128`, names))).toBe('ok');
    // the route is a real one in the ToR's kernel, with one path per node
    const kernel = await run(lab.fabric.tors[0].namespace, ['ip', '-6', 'route', 'show', `${v6}/128`]);
    expect(kernel.stdout.match(/nexthop via/g)).toHaveLength(3);
  });

  test('an IPv6 single-stack Service: one IPv6 IP only, its /128 at both ToRs', async () => {
    const [v6] = await waitForIngress(lab, 'v6only', 1);
    expect(v6).toMatch(/^2001:db8:5::[0-9a-f]?$/);
    expect(outcome(await waitForIpv6Nodes(lab, `${v6}/128`, names))).toBe('ok');
  });

  test('the dual-stack Service loses its endpoints: both families withdrawn at both ToRs', async () => {
    const ips = await waitForIngress(lab, 'dual', 2);
    const v4 = ips.find((ip) => !ip.includes(':')) ?? '';
    const v6 = ips.find((ip) => ip.includes(':')) ?? '';
    await lab.apply(endpointSlice('dual', []));
    expect(outcome(await waitForNodesAtBothTors(lab, `${v4}/32`, []))).toBe('ok');
    expect(outcome(await waitForIpv6Nodes(lab, `${v6}/128`, []))).toBe('ok');
    await lab.apply(endpointSlice('dual', [{ node: 'node-22' }]));
    expect(outcome(await waitForIpv6Nodes(lab, `${v6}/128`, names))).toBe('ok');
  });

  test('dualStackAddressFamily on the IPv4 peers: the /128 also arrives over the IPv4 sessions', async () => {
    const [v6] = await waitForIngress(lab, 'v6only', 1);
    await lab.apply(seedPeers({ dualStackAddressFamily: true }));
    const result = await waitUntil(
      async () => {
        const shown = await lab.tors[0]!.vtysh.show(`show bgp ipv6 unicast ${v6}/128 json`);
        const paths = shown.ok
          ? ((shown.value as { paths?: { peer?: { peerId?: string } }[] }).paths ?? [])
          : [];
        const from = paths.map((p) => p.peer?.peerId ?? '?').sort();
        const want = all.flatMap((n) => [n.handle.linkA.ipv4, n.handle.linkA.ipv6]).sort();
        return from.join() === want.join()
          ? { done: true, value: from }
          : { done: false, why: `paths from [${from.join(', ')}], want [${want.join(', ')}]` };
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(outcome(result)).toBe('ok');
    // the route keeps one path per node
    expect(outcome(await waitForIpv6Nodes(lab, `${v6}/128`, names))).toBe('ok');
  });
});
