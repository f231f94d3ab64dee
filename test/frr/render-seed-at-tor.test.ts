// `ferry render` output is what a real FRR runs: node-21's rendered seed config, loaded into a node
// FRR, peers with both ToR FRRs (AS 65000); each ToR learns 203.0.113.5/32 with community 65000:100
// and without ferry's internal marker, over an Established session with BFD up.
import { jest } from '@jest/globals';
import { loadManifestDirectory } from '../../src/api/load-directory.js';
import { parseBfdPeers } from '../../src/frr/parse/bfd-peers.js';
import { parseBgpNeighbors } from '../../src/frr/parse/bgp-neighbors.js';
import { defaultFrrRenderer } from '../../src/frr/templates.js';
import { Fabric } from '../../src/lab/fabric.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { torFrrConfigForNodes } from '../../src/lab/tor-config.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { goldenScenarioDirectory } from '../support/golden-scenarios.js';
import { nodeViewFromManifests } from '../../src/node-pipeline/manifest-view.js';
import { frrConfigForNode } from '../../src/node-pipeline/node-config.js';

jest.setTimeout(120_000);

interface RoutePath {
  community?: { string?: string };
  largeCommunity?: { string?: string };
  nexthops?: { ip?: string }[];
}

function renderedSeedConfig(node: string): string {
  const loaded = loadManifestDirectory(`${goldenScenarioDirectory()}/seed/input.yaml`);
  const { view, errors } = nodeViewFromManifests(loaded, { namespace: 'metallb-system', nodeName: node });
  if (view === undefined) throw new Error(errors.join('\n'));
  return frrConfigForNode(view, defaultFrrRenderer()).text;
}

async function sessionWithBfdUp(tor: FrrInstance, peer: string) {
  const neighbors = await tor.vtysh.show(`show bgp neighbors ${peer} json`);
  const bfd = await tor.vtysh.show('show bfd peers json');
  if (!neighbors.ok || !bfd.ok) return { done: false as const, why: 'vtysh failed' };
  const state = parseBgpNeighbors(neighbors.value)[0]?.state;
  const bfdStatus = parseBfdPeers(bfd.value).find((s) => s.peer === peer)?.status;
  return state === 'Established' && bfdStatus === 'up'
    ? { done: true as const, value: 'up' }
    : { done: false as const, why: `BGP ${state ?? 'absent'}, BFD ${bfdStatus ?? 'absent'}` };
}

async function pathsAt(tor: FrrInstance, prefix: string): Promise<RoutePath[]> {
  const route = await tor.vtysh.show(`show bgp ipv4 unicast ${prefix} json`);
  return route.ok ? ((route.value as { paths?: RoutePath[] }).paths ?? []) : [];
}

describe('rendered seed config on real FRR', () => {
  let fabric: Fabric | undefined;

  afterAll(async () => {
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  it('announces the Service IP to both ToRs with the community, BFD up', async () => {
    fabric = await Fabric.create({ nodes: 1 });
    const node = fabric.node(1);
    const tors = await Promise.all(
      fabric.tors.map((tor) => fabric!.startFrr(tor, torFrrConfigForNodes(tor, [node]))),
    );
    // The FRR container's startup config chooses the datacenter defaults; ferry's config follows it.
    await fabric.startFrr(node, `frr defaults datacenter\n${renderedSeedConfig('node-21')}`);

    for (const [index, tor] of tors.entries()) {
      const nodeAddress = index === 0 ? node.linkA.ipv4 : node.linkB.ipv4;
      expect(await waitUntil(() => sessionWithBfdUp(tor, nodeAddress), { timeoutMs: 60_000 })).toMatchObject({
        ok: true,
      });
      const learned = await waitUntil(
        async () => {
          const paths = await pathsAt(tor, '203.0.113.5/32');
          return paths.length > 0 ? { done: true, value: paths } : { done: false, why: 'no path yet' };
        },
        { timeoutMs: 20_000 },
      );
      expect(learned.ok).toBe(true);
      const [path] = learned.ok ? learned.value : [];
      expect(path?.community?.string).toBe('65000:100');
      // the class marker (4294967295:0:<id>) never leaves the node
      expect(path?.largeCommunity).toBeUndefined();
    }
  });
});
