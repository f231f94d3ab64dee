// The speaker in a cluster: real `ferry speaker` processes beside real FRRs, an in-memory
// API server, two ToR FRRs. What a user would check: routes at the ToRs follow endpoints, status
// objects tell the truth within ~2 s, bad input changes nothing, restarts and API outages withdraw
// nothing.
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBgpNeighbors } from '../../src/frr/parse/bgp-neighbors.js';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { endpointSliceYaml as webEndpointSliceYaml } from '../../src/lab/seed-lab.js';
import { nextHopsAt, waitForNextHops } from '../../src/lab/tor-routes.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { packageRoot } from '../../src/util/package-root.js';

jest.setTimeout(240_000);

const IP = '203.0.113.5';
const PREFIX = `${IP}/32`;
const examples = join(packageRoot(), 'deploy', 'examples');

function endpointSliceYaml(nodes: readonly string[]): string {
  return webEndpointSliceYaml('web', nodes);
}

async function json<T>(lab: ClusterLab, args: readonly string[]): Promise<T> {
  const result = await lab.kubectl([...args, '-o', 'json']);
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as T;
}

interface Listed<S> {
  items: { metadata: { name: string; labels?: Record<string, string> }; status?: S }[];
}

type SessionState = { node: string; peer: string; bgpStatus: string; bfdStatus: string };

async function sessionStates(lab: ClusterLab): Promise<SessionState[]> {
  const list = await json<Listed<SessionState>>(lab, ['get', 'bgpsessionstates', '-n', 'metallb-system']);
  return list.items.flatMap((item) => (item.status === undefined ? [] : [item.status]));
}

function addressOf(node: LabNode): string {
  return node.handle.linkA.ipv4;
}

async function connectionsEstablished(tor: FrrInstance): Promise<string> {
  const neighbors = await tor.vtysh.show('show bgp neighbors json');
  if (!neighbors.ok) return 'unreadable';
  return parseBgpNeighbors(neighbors.value)
    .map((n) => `${n.peer}=${n.connectionsEstablished ?? '?'}`)
    .sort()
    .join(',');
}

describe('ferry speaker against the API server and real FRR', () => {
  let lab: ClusterLab;
  let tor1: FrrInstance;

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    [tor1] = lab.tors as [FrrInstance];
    await lab.apply(readFileSync(join(examples, 'nodes.yaml'), 'utf8'));
    for (const file of [
      'ip-address-pool.yaml',
      'bfd-profile.yaml',
      'bgp-peers.yaml',
      'bgp-advertisement.yaml',
    ]) {
      await lab.apply(readFileSync(join(examples, file), 'utf8'));
    }
    await lab.apply(readFileSync(join(examples, 'service-web.yaml'), 'utf8'));
    await lab.writeIngress('web', IP);
    await lab.apply(endpointSliceYaml(['node-21', 'node-22']));
    for (const node of lab.nodes) lab.startSpeaker(node);
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test('sessions come up and BGPSessionState says so', async () => {
    const established = await waitUntil(
      async () => {
        const states = await sessionStates(lab);
        const up = states.filter((s) => s.bgpStatus === 'Established' && s.bfdStatus === 'up');
        return up.length === 6 ? { done: true, value: states } : { done: false, why: JSON.stringify(states) };
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(established).toMatchObject({ ok: true });
  });

  test('ETP Local: the ToR forwards to the nodes with endpoints, following them as they move', async () => {
    const [n21, n22, n23] = ['node-21', 'node-22', 'node-23'].map((n) => lab.node(n)) as [
      LabNode,
      LabNode,
      LabNode,
    ];
    expect(await waitForNextHops(tor1, PREFIX, [addressOf(n21), addressOf(n22)], 30_000)).toMatchObject({
      ok: true,
    });
    await lab.apply(endpointSliceYaml(['node-21', 'node-23']));
    expect(await waitForNextHops(tor1, PREFIX, [addressOf(n21), addressOf(n23)])).toMatchObject({ ok: true });
    // the last local endpoint gone: withdrawn everywhere
    await lab.apply(endpointSliceYaml([]));
    expect(await waitForNextHops(tor1, PREFIX, [])).toMatchObject({ ok: true });
    await lab.apply(endpointSliceYaml(['node-21', 'node-22']));
    expect(await waitForNextHops(tor1, PREFIX, [addressOf(n21), addressOf(n22)])).toMatchObject({ ok: true });
  });

  test('ServiceBGPStatus lists the peers FRR really advertises to, per announcing node', async () => {
    const statuses = await waitUntil(
      async () => {
        const list = await json<Listed<{ node: string; peers: string[] }>>(lab, [
          'get',
          'servicebgpstatuses',
          '-n',
          'metallb-system',
        ]);
        const view = list.items.map((i) => `${i.status?.node}:${(i.status?.peers ?? []).join('+')}`).sort();
        return view.join(' ') === 'node-21:tor1+tor2 node-22:tor1+tor2'
          ? { done: true, value: view }
          : { done: false, why: view.join(' ') };
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(statuses).toMatchObject({ ok: true });
  });

  test('a session shut down at the ToR shows in BGPSessionState within 2 s, and back', async () => {
    const n23 = lab.node('node-23');
    const shut = await tor1.vtysh.configure(['router bgp 65000', `neighbor ${addressOf(n23)} shutdown`]);
    expect(shut.ok).toBe(true);
    const down = await waitUntil(
      async () => {
        const state = (await sessionStates(lab)).find((s) => s.node === 'node-23' && s.peer === '192.0.2.1');
        return state !== undefined && state.bgpStatus !== 'Established'
          ? { done: true, value: state.bgpStatus }
          : { done: false, why: state?.bgpStatus ?? 'absent' };
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(down).toMatchObject({ ok: true });
    expect(down.elapsedMs).toBeLessThan(2_500);
    await tor1.vtysh.configure(['router bgp 65000', `no neighbor ${addressOf(n23)} shutdown`]);
    const up = await waitUntil(
      async () => {
        const state = (await sessionStates(lab)).find((s) => s.node === 'node-23' && s.peer === '192.0.2.1');
        return state?.bgpStatus === 'Established'
          ? { done: true, value: 'up' }
          : { done: false, why: state?.bgpStatus ?? 'absent' };
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(up).toMatchObject({ ok: true });
  });

  test('a bad object: ConfigurationState Invalid naming the field, routes untouched', async () => {
    await lab.apply(
      [
        'apiVersion: metallb.io/v1beta2',
        'kind: BGPPeer',
        'metadata: {name: tor1-ibgp, namespace: metallb-system}',
        'spec: {myASN: 65100, peerASN: 65100, peerAddress: 192.0.2.1, ebgpMultiHop: true}',
      ].join('\n'),
    );
    const invalid = await waitUntil(
      async () => {
        const state = await json<{ status?: { result: string; errorSummary: string } }>(lab, [
          'get',
          'configurationstate',
          'speaker-node-21',
          '-n',
          'metallb-system',
        ]).catch(() => undefined);
        return state?.status?.result === 'Invalid'
          ? { done: true, value: state.status.errorSummary }
          : { done: false, why: JSON.stringify(state?.status) };
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(invalid).toMatchObject({ ok: true });
    expect(invalid.ok && invalid.value).toContain('BGPPeer metallb-system/tor1-ibgp: spec.ebgpMultiHop');
    expect(await nextHopsAt(tor1, PREFIX)).toHaveLength(2);
    // an Event on the offending object, as `kubectl describe bgppeer tor1-ibgp` shows it
    const event = await waitUntil(
      async () => {
        const events = await json<{
          items: { reason: string; message: string; involvedObject: { name: string } }[];
        }>(lab, [
          'get',
          'events',
          '-n',
          'metallb-system',
          '--field-selector',
          'involvedObject.name=tor1-ibgp',
        ]);
        const found = events.items.find((e) => e.reason === 'InvalidConfiguration');
        return found === undefined
          ? { done: false, why: 'no event yet' }
          : { done: true, value: found.message };
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(event.ok && event.value).toContain('spec.ebgpMultiHop');
    await lab.kubectl(['delete', 'bgppeer', 'tor1-ibgp', '-n', 'metallb-system']);
  });

  test('a speaker restart withdraws nothing and resets no session at the ToR', async () => {
    const n21 = lab.node('node-21');
    const before = await connectionsEstablished(tor1);
    const hopCounts: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) hopCounts.push((await nextHopsAt(tor1, PREFIX)).length);
    })();
    expect(await lab.stopSpeaker(n21)).toBe(0);
    lab.startSpeaker(n21);
    // wait until the new speaker is in charge: it reports the configuration again
    await waitUntil(
      async () =>
        n21.speakerLog.includes('FRR config applied')
          ? { done: true, value: 1 }
          : { done: false, why: 'no apply yet' },
      { timeoutMs: 30_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    watching = false;
    await watcher;
    expect(Math.min(...hopCounts)).toBe(2);
    expect(await connectionsEstablished(tor1)).toBe(before);
  });

  test('the API server unreachable for 30 s: nothing withdrawn, informers resume', async () => {
    const before = await connectionsEstablished(tor1);
    await lab.apiserver.faults.goUnreachable();
    const hopCounts: number[] = [];
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      hopCounts.push((await nextHopsAt(tor1, PREFIX)).length);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await lab.apiserver.faults.comeBack();
    expect(Math.min(...hopCounts)).toBe(2);
    expect(await connectionsEstablished(tor1)).toBe(before);
    // a change after the outage is picked up
    await lab.apply(endpointSliceYaml(['node-22', 'node-23']));
    const [n22, n23] = [lab.node('node-22'), lab.node('node-23')];
    expect(await waitForNextHops(tor1, PREFIX, [addressOf(n22), addressOf(n23)], 30_000)).toMatchObject({
      ok: true,
    });
  });

  test('--withdraw-on-shutdown withdraws the node before the speaker stops (planned drain)', async () => {
    const [n22, n23] = [lab.node('node-22'), lab.node('node-23')];
    await lab.apply(endpointSliceYaml(['node-22', 'node-23']));
    expect(await waitForNextHops(tor1, PREFIX, [addressOf(n22), addressOf(n23)], 30_000)).toMatchObject({
      ok: true,
    });
    await lab.stopSpeaker(n23);
    lab.startSpeaker(n23, ['--withdraw-on-shutdown']);
    await waitUntil(
      async () =>
        n23.speakerLog.includes('FRR config applied')
          ? { done: true, value: 1 }
          : { done: false, why: 'not yet' },
      { timeoutMs: 30_000 },
    );
    expect(await lab.stopSpeaker(n23)).toBe(0);
    expect(n23.speakerLog).toContain('withdrew every announcement before stopping');
    // gone at the ToR once the speaker exited; its sessions stay up
    expect(await waitForNextHops(tor1, PREFIX, [addressOf(n22)], 5_000)).toMatchObject({ ok: true });
  });
});
