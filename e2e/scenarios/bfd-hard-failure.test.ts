// BFD as the ToR sees it, and a node's hard failure with and without BFD. node-21 and
// node-22 peer with BFD (tor1 via BFDProfile tor-bfd 300/300/3, tor2 via tor2-bfd 200/200/5);
// node-23 (label bfd=off) peers without BFD, holdTime 9s / keepaliveTime 3s. What a user checks:
// `show bfd peers json` at the ToRs, and how long a failed node stays a next hop in the ToR's FIB.
import { jest } from '@jest/globals';
import { parseBfdPeers, type BfdSession } from '../../src/frr/parse/bfd-peers.js';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { setLinkDown } from '../../src/lab/netns.js';
import { timeUntilKernelRoute } from '../../src/lab/tor-routes.js';
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

const IP = '203.0.113.10';
const PREFIX = `${IP}/32`;

function bfdProfile(
  name: string,
  receiveInterval: number,
  transmitInterval: number,
  detectMultiplier: number,
) {
  return metallb('BFDProfile', name, { receiveInterval, transmitInterval, detectMultiplier });
}

async function bfdSessionsAt(tor: FrrInstance): Promise<BfdSession[]> {
  const result = await tor.vtysh.show('show bfd peers json');
  return result.ok ? parseBfdPeers(result.value) : [];
}

/** What the node advertises in its BFD packets, as the ToR shows it: `rx/tx/multiplier`. */
function remoteTimers(session: BfdSession | undefined): string {
  if (session === undefined) return 'no session';
  const { receiveMs, transmitMs, detectMultiplier } = session.remote;
  return `${session.status} ${receiveMs}/${transmitMs}/${detectMultiplier}`;
}

/** Waits until the ToR's BFD sessions with these nodes are up with these remote timers. */
async function waitForBfd(tor: FrrInstance, addresses: readonly string[], timers: string) {
  return waitUntil(
    async () => {
      const sessions = await bfdSessionsAt(tor);
      const view = addresses.map((address) => remoteTimers(sessions.find((s) => s.peer === address)));
      return view.every((v) => v === `up ${timers}`)
        ? { done: true, value: view }
        : { done: false, why: `${view.join(', ')}; want up ${timers}` };
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

/** Cuts both of the node's links; ms until tor1's kernel no longer forwards to it (undefined: never). */
async function hardFail(lab: ClusterLab, node: LabNode, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  await Promise.all([
    setLinkDown(node.handle.namespace, node.handle.linkA.device),
    setLinkDown(node.handle.namespace, node.handle.linkB.device),
  ]);
  const gone = addressAt(0, node);
  const tor1 = lab.fabric.tors[0].namespace;
  return timeUntilKernelRoute(tor1, PREFIX, (hops) => !hops.includes(gone), started, timeoutMs);
}

describe('BFD at the ToR, and a node hard failure with and without BFD', () => {
  let lab: ClusterLab;
  let tor1: FrrInstance;
  let tor2: FrrInstance;
  let all: LabNode[];
  let withBfd: LabNode[];
  let n23: LabNode;

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    [tor1, tor2] = lab.tors as [FrrInstance, FrrInstance];
    all = ['node-21', 'node-22', 'node-23'].map((name) => lab.node(name));
    withBfd = all.slice(0, 2);
    n23 = lab.node('node-23');
    // node-23 runs no BFD: the ToRs do not ask for it either
    for (const [i, tor] of lab.tors.entries()) {
      const changed = await tor.vtysh.configure(['router bgp 65000', `no neighbor ${addressAt(i, n23)} bfd`]);
      if (!changed.ok) throw new Error(changed.error.message);
    }
    await lab.apply(lab.nodeObjectsYaml({ 'node-23': { bfd: 'off' } }));
    const bfdNodes = [{ matchExpressions: [{ key: 'bfd', operator: 'DoesNotExist' }] }];
    const plainNodes = [{ matchLabels: { bfd: 'off' } }];
    const tor = (index: 1 | 2) => ({
      peerAddress: index === 1 ? '192.0.2.1' : '198.51.100.1',
      peerASN: 65000,
      myASN: 65100,
    });
    await lab.apply(
      documents(
        bfdProfile('tor-bfd', 300, 300, 3),
        bfdProfile('tor2-bfd', 200, 200, 5),
        bgpPeer('tor1', { ...tor(1), bfdProfile: 'tor-bfd', nodeSelectors: bfdNodes }),
        bgpPeer('tor2', { ...tor(2), bfdProfile: 'tor2-bfd', nodeSelectors: bfdNodes }),
        bgpPeer('tor1-plain', { ...tor(1), holdTime: '9s', keepaliveTime: '3s', nodeSelectors: plainNodes }),
        bgpPeer('tor2-plain', { ...tor(2), holdTime: '9s', keepaliveTime: '3s', nodeSelectors: plainNodes }),
        metallb('IPAddressPool', 'prod-pool', { addresses: ['203.0.113.0/26'] }),
        metallb('BGPAdvertisement', 'prod-adv', { ipAddressPools: ['prod-pool'] }),
        serviceYaml({ name: 'web', ips: [IP] }),
        endpointSlice('web', [{ node: 'node-22' }]),
      ),
    );
    lab.startController();
    startSpeakers(lab);
    await waitForIngress(lab, 'web');
    for (const [i, t] of lab.tors.entries()) {
      const up = await waitForEstablished(
        t,
        all.map((node) => addressAt(i, node)),
      );
      if (!up.ok) throw new Error(`${t.name}: ${up.last}`);
    }
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test("each ToR's BFD session shows the node's timers from the peer's BFDProfile", async () => {
    const at1 = withBfd.map((node) => addressAt(0, node));
    const at2 = withBfd.map((node) => addressAt(1, node));
    expect(outcome(await waitForBfd(tor1, at1, '300/300/3'))).toBe('ok');
    expect(outcome(await waitForBfd(tor2, at2, '200/200/5'))).toBe('ok');
    // the node without a BFDProfile has no BFD session at all
    expect((await bfdSessionsAt(tor1)).map((s) => s.peer)).not.toContain(addressAt(0, n23));
  });

  test('a changed BFDProfile reaches the ToR without resetting the BGP session', async () => {
    const sessions = async () =>
      (await torNeighbors(tor2)).map((n) => `${n.peer}=${n.connectionsEstablished ?? '?'}`).sort();
    const before = await sessions();
    await lab.apply(bfdProfile('tor2-bfd', 400, 250, 4));
    const at2 = withBfd.map((node) => addressAt(1, node));
    expect(outcome(await waitForBfd(tor2, at2, '400/250/4'))).toBe('ok');
    expect(await sessions()).toEqual(before);
  });

  test('node-21 hard-fails with BFD 300x3: its next hop is gone from the ToR FIB within ~1 s', async () => {
    expect(outcome(await waitForNodesAtBothTors(lab, PREFIX, all, 30_000))).toBe('ok');
    const ms = await hardFail(lab, lab.node('node-21'), 20_000);
    console.log(`node-21 hard failure with BFD 300x3: next hop gone at tor1 after ${ms?.toFixed(0)} ms`);
    expect(ms).toBeDefined();
    // detection time 900 ms; the rest is slack for a loaded 2-core machine
    expect(ms).toBeLessThan(1_500);
  });

  test('node-23 hard-fails without BFD: gone only after the hold time (9 s)', async () => {
    expect(outcome(await waitForNodesAtBothTors(lab, PREFIX, all.slice(1), 30_000))).toBe('ok');
    const ms = await hardFail(lab, n23, 30_000);
    console.log(
      `node-23 hard failure without BFD (hold 9 s): next hop gone at tor1 after ${ms?.toFixed(0)} ms`,
    );
    expect(ms).toBeDefined();
    expect(ms).toBeGreaterThan(3_000);
    expect(ms).toBeLessThan(20_000);
  });
});
