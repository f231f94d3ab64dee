// Communities and LOCAL_PREF as the ToR receives them. node-21 and node-22 peer over eBGP
// (AS 65100); node-23 peers over iBGP (its BGPPeers say myASN 65000 = the ToRs' AS, and the ToRs
// are told `remote-as internal` for it), because LOCAL_PREF is only ever sent to iBGP peers. What a
// user checks: `show bgp ipv4 unicast P json` at the ToR — communities, large communities,
// local-pref — and which ToR an advertisement limited to `peers: [tor1]` reaches.
import { jest } from '@jest/globals';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { waitForNextHops } from '../../src/lab/tor-routes.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import {
  addressAt,
  bgpPeer,
  documents,
  endpointSlice,
  metallb,
  outcome,
  serviceYaml,
  startSpeakers,
  torNeighbors,
  waitForEstablished,
  waitForIngress,
  waitForNodesAtBothTors,
} from './support.js';

jest.setTimeout(300_000);

const WEB_IP = '203.0.113.10';
const LIMITED_IP = '203.0.113.70';

/** One path of `show bgp ipv4 unicast P json`, the fields a user reads. */
interface BgpPath {
  readonly peer?: { readonly peerId?: string };
  readonly locPrf?: number;
  readonly bestpath?: { readonly overall?: boolean };
  readonly community?: { readonly string?: string };
  readonly largeCommunity?: { readonly string?: string };
}

async function bgpPaths(tor: FrrInstance, prefix: string): Promise<BgpPath[]> {
  const result = await tor.vtysh.show(`show bgp ipv4 unicast ${prefix} json`);
  if (!result.ok || typeof result.value !== 'object' || result.value === null) return [];
  return (result.value as { paths?: BgpPath[] }).paths ?? [];
}

/** Waits until `tor` has one BGP path for `prefix` from each of these peer addresses. */
async function waitForPaths(tor: FrrInstance, prefix: string, from: readonly string[]): Promise<BgpPath[]> {
  const wanted = [...from].sort().join(',');
  const result = await waitUntil(
    async () => {
      const paths = await bgpPaths(tor, prefix);
      const peers = paths.map((path) => path.peer?.peerId ?? '?').sort();
      return peers.join(',') === wanted
        ? { done: true, value: paths }
        : { done: false, why: `paths from [${peers.join(', ')}], want [${wanted}]` };
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  if (!result.ok) throw new Error(`${tor.name} ${prefix}: ${result.last}`);
  return result.value;
}

function pathFrom(paths: readonly BgpPath[], address: string): BgpPath | undefined {
  return paths.find((path) => path.peer?.peerId === address);
}

describe('communities and local-pref at the ToR', () => {
  let lab: ClusterLab;
  let all: LabNode[];
  let ibgpNode: LabNode;

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    all = ['node-21', 'node-22', 'node-23'].map((name) => lab.node(name));
    ibgpNode = lab.node('node-23');
    // the ToRs treat node-23 as an iBGP neighbor (same AS 65000)
    for (const [i, tor] of lab.tors.entries()) {
      const changed = await tor.vtysh.configure([
        'router bgp 65000',
        `neighbor ${addressAt(i, ibgpNode)} remote-as internal`,
      ]);
      if (!changed.ok) throw new Error(changed.error.message);
    }
    await lab.apply(lab.nodeObjectsYaml({ 'node-23': { peering: 'ibgp' } }));
    const ebgpNodes = [{ matchExpressions: [{ key: 'peering', operator: 'DoesNotExist' }] }];
    const ibgpNodes = [{ matchLabels: { peering: 'ibgp' } }];
    await lab.apply(
      documents(
        bgpPeer('tor1', { peerAddress: '192.0.2.1', peerASN: 65000, myASN: 65100, nodeSelectors: ebgpNodes }),
        bgpPeer('tor2', {
          peerAddress: '198.51.100.1',
          peerASN: 65000,
          myASN: 65100,
          nodeSelectors: ebgpNodes,
        }),
        bgpPeer('tor1-ibgp', {
          peerAddress: '192.0.2.1',
          peerASN: 65000,
          myASN: 65000,
          nodeSelectors: ibgpNodes,
        }),
        bgpPeer('tor2-ibgp', {
          peerAddress: '198.51.100.1',
          peerASN: 65000,
          myASN: 65000,
          nodeSelectors: ibgpNodes,
        }),
        metallb('Community', 'aliases', { communities: [{ name: 'lab-tag', value: '65000:300' }] }),
        metallb('IPAddressPool', 'prod-pool', { addresses: ['203.0.113.0/26'] }),
        metallb('BGPAdvertisement', 'prod-adv', {
          ipAddressPools: ['prod-pool'],
          communities: ['65000:100', 'lab-tag', 'large:65000:1:2'],
          localPref: 250,
        }),
        metallb('IPAddressPool', 'limited-pool', { addresses: ['203.0.113.64/26'] }),
        metallb('BGPAdvertisement', 'tor1-only', {
          ipAddressPools: ['limited-pool'],
          peers: ['tor1'],
          communities: ['65000:200'],
        }),
      ),
    );
    await lab.apply(
      documents(
        serviceYaml({ name: 'web', ips: [WEB_IP] }),
        endpointSlice('web', [{ node: 'node-21' }]),
        serviceYaml({ name: 'limited', ips: [LIMITED_IP], pool: 'limited-pool' }),
        endpointSlice('limited', [{ node: 'node-21' }]),
      ),
    );
    lab.startController();
    startSpeakers(lab);
    await waitForIngress(lab, 'web');
    await waitForIngress(lab, 'limited');
    for (const [i, tor] of lab.tors.entries()) {
      const established = await waitForEstablished(
        tor,
        all.map((node) => addressAt(i, node)),
      );
      if (!established.ok) throw new Error(`${tor.name}: ${established.last}`);
    }
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test('every path carries the communities, the alias resolved, and the large community', async () => {
    for (const [i, tor] of lab.tors.entries()) {
      const paths = await waitForPaths(
        tor,
        `${WEB_IP}/32`,
        all.map((node) => addressAt(i, node)),
      );
      for (const path of paths) {
        expect(path.community?.string).toBe('65000:100 65000:300');
        expect(path.largeCommunity?.string).toBe('65000:1:2');
      }
    }
  });

  test('localPref 250 arrives over iBGP only, and wins: the ToRs forward to node-23 alone', async () => {
    for (const [i, tor] of lab.tors.entries()) {
      const paths = await waitForPaths(
        tor,
        `${WEB_IP}/32`,
        all.map((node) => addressAt(i, node)),
      );
      const ibgp = pathFrom(paths, addressAt(i, ibgpNode));
      expect(ibgp?.locPrf).toBe(250);
      expect(ibgp?.bestpath?.overall).toBe(true);
      for (const node of all.filter((n) => n !== ibgpNode)) {
        // LOCAL_PREF is not sent over eBGP: the ToR applies its default
        expect(pathFrom(paths, addressAt(i, node))?.locPrf).not.toBe(250);
      }
      expect(outcome(await waitForNextHops(tor, `${WEB_IP}/32`, [addressAt(i, ibgpNode)]))).toBe('ok');
    }
  });

  test('an advertisement limited to peers [tor1] reaches tor1 only, with its community and no marker', async () => {
    const [tor1, tor2] = lab.tors as [FrrInstance, FrrInstance];
    // node-23's peers are tor1-ibgp/tor2-ibgp, not tor1: it does not announce this one at all
    const ebgp = all.filter((node) => node !== ibgpNode);
    const paths = await waitForPaths(
      tor1,
      `${LIMITED_IP}/32`,
      ebgp.map((node) => addressAt(0, node)),
    );
    for (const path of paths) {
      expect(path.community?.string).toBe('65000:200');
      // ferry's internal peer-set marker is stripped before the route leaves the node
      expect(path.largeCommunity).toBeUndefined();
    }
    expect(await bgpPaths(tor2, `${LIMITED_IP}/32`)).toEqual([]);
    // and the unrestricted Service is still at both
    expect(await bgpPaths(tor2, `${WEB_IP}/32`)).toHaveLength(3);
  });

  test('changing the advertisement changes the attributes at the ToR, resetting no session', async () => {
    const sessions = async () =>
      (await torNeighbors(lab.tors[0]!)).map((n) => `${n.peer}=${n.connectionsEstablished ?? '?'}`).sort();
    const before = await sessions();
    await lab.apply(
      metallb('BGPAdvertisement', 'prod-adv', {
        ipAddressPools: ['prod-pool'],
        communities: ['65000:101'],
        localPref: 50,
      }),
    );
    const settled = await waitUntil(
      async () => {
        const paths = await bgpPaths(lab.tors[0]!, `${WEB_IP}/32`);
        const view = paths
          .map((p) => `${p.peer?.peerId}:${p.community?.string}:${p.largeCommunity?.string}:${p.locPrf}`)
          .sort();
        const ibgp = pathFrom(paths, addressAt(0, ibgpNode));
        const done =
          paths.length === 3 &&
          paths.every((p) => p.community?.string === '65000:101' && p.largeCommunity === undefined) &&
          ibgp?.locPrf === 50;
        return done ? { done: true, value: view } : { done: false, why: view.join(' ') };
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(outcome(settled)).toBe('ok');
    // with local-pref 50 the iBGP path loses: the eBGP nodes carry the traffic again
    expect(
      outcome(
        await waitForNodesAtBothTors(
          lab,
          `${WEB_IP}/32`,
          all.filter((n) => n !== ibgpNode),
        ),
      ),
    ).toBe('ok');
    expect(await sessions()).toEqual(before);
  });
});
