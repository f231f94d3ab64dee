// The lab itself: a ToR and a node FRR reach Established with BFD up, the ToR learns the /32 the node
// originates, and destroy() leaves no namespace, pathspace or process of the run behind.
import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import { parseBfdPeers } from '../../src/frr/parse/bfd-peers.js';
import { parseBgpNeighbors } from '../../src/frr/parse/bgp-neighbors.js';
import { parsePrefixAdvertisement } from '../../src/frr/parse/advertised-routes.js';
import { Fabric } from '../../src/lab/fabric.js';
import { listFrrPathspaces, type FrrInstance } from '../../src/lab/frr-instance.js';
import { listNamespaces } from '../../src/lab/netns.js';
import { torFrrConfigForNodes } from '../../src/lab/tor-config.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { speakerConfig } from '../support/speaker-config.js';

jest.setTimeout(120_000);

async function sessionAndBfdUp(instance: FrrInstance, peer: string) {
  const neighbors = await instance.vtysh.show(`show bgp neighbors ${peer} json`);
  const bfd = await instance.vtysh.show('show bfd peers json');
  if (!neighbors.ok || !bfd.ok) return { done: false as const, why: 'vtysh failed' };
  const session = parseBgpNeighbors(neighbors.value)[0];
  const bfdSession = parseBfdPeers(bfd.value).find((s) => s.peer === peer);
  const why = `BGP ${session?.state ?? 'absent'}, BFD ${bfdSession?.status ?? 'absent'}`;
  return session?.state === 'Established' && bfdSession?.status === 'up'
    ? { done: true as const, value: why }
    : { done: false as const, why };
}

describe('lab fabric', () => {
  let fabric: Fabric | undefined;

  afterAll(async () => {
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  it('brings up a ToR and a node, carries the node /32 to the ToR, and cleans up everything', async () => {
    fabric = await Fabric.create({ nodes: 1 });
    const [tor1] = fabric.tors;
    const node1 = fabric.node(1);
    expect(await listNamespaces()).toEqual(expect.arrayContaining(fabric.allNamespaces));

    const tor = await fabric.startFrr(tor1, torFrrConfigForNodes(tor1, [node1]));
    const node = await fabric.startFrr(
      node1,
      speakerConfig({
        asn: 65100,
        routerId: node1.linkA.ipv4,
        neighbors: [{ address: tor1.link.ipv4, asn: 65000 }],
        networks: ['203.0.113.5/32'],
      }),
    );
    const up = await waitUntil(() => sessionAndBfdUp(tor, node1.linkA.ipv4), { timeoutMs: 60_000 });
    expect(up).toMatchObject({ ok: true });
    expect(await waitUntil(() => sessionAndBfdUp(node, tor1.link.ipv4), { timeoutMs: 10_000 })).toMatchObject(
      {
        ok: true,
      },
    );
    const learned = await waitUntil(
      async () => {
        const route = await tor.vtysh.show('show bgp ipv4 unicast 203.0.113.5/32 json');
        const paths = route.ok ? (route.value as { paths?: unknown[] }).paths : undefined;
        return paths !== undefined && paths.length > 0
          ? { done: true, value: paths.length }
          : { done: false, why: 'no path for 203.0.113.5/32 at tor1' };
      },
      { timeoutMs: 20_000 },
    );
    expect(learned).toMatchObject({ ok: true, value: 1 });
    const advertised = await node.vtysh.show('show bgp ipv4 unicast 203.0.113.5/32 json');
    expect(advertised.ok && parsePrefixAdvertisement(advertised.value).advertisedTo).toEqual([
      tor1.link.ipv4,
    ]);

    // each instance reports its own hostname (own UTS namespace)
    const hostname = await tor.vtysh.show('show bgp neighbors json');
    expect(hostname.ok && parseBgpNeighbors(hostname.value)[0]?.hostname).toBe('node1');

    const prefix = fabric.prefix;
    const torRunDir = tor.runDir;
    expect(await fabric.destroy()).toEqual([]);
    fabric = undefined;
    expect((await listNamespaces()).filter((ns) => ns.startsWith(`${prefix}-`))).toEqual([]);
    expect(await listFrrPathspaces(`${prefix}-`)).toEqual([]);
    expect(existsSync(torRunDir)).toBe(false);
  });
});
