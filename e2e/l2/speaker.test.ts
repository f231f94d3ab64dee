// Layer 2 mode end to end: real `ferry speaker` processes beside real FRRs, the in-memory API
// server, a client on the nodes' segment. What a user checks: the Service answers through exactly
// one node (the one MetalLB would pick), ServiceL2Status and the nodeAssigned event say which,
// nodeSelectors move ownership, and a failed node's IP moves to the next candidate.
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterLab } from '../../src/lab/cluster-lab.js';
import {
  L2_SERVICE_IP,
  clientNeighbor,
  l2AdvertisementYaml,
  markNodeNotReady,
  segmentMac,
  setUpL2,
  waitForLivenessSessions,
} from '../../src/lab/l2-lab.js';
import { setLinkDown } from '../../src/lab/netns.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { packageRoot } from '../../src/util/package-root.js';

jest.setTimeout(240_000);

const URL = `http://${L2_SERVICE_IP}/`;

interface Listed<S> {
  items: { metadata: { name: string }; status?: S }[];
}

describe('layer 2 mode with real speakers', () => {
  let lab: ClusterLab;

  async function answeringNode(expected: string, timeoutMs = 20_000) {
    return waitUntil(
      async () => {
        const body = await lab.curlFromClient(URL, 1);
        return body === `hello from ${expected}`
          ? { done: true, value: body }
          : { done: false, why: String(body) };
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    await lab.apply(readFileSync(join(packageRoot(), 'deploy', 'examples', 'nodes.yaml'), 'utf8'));
    await lab.addClient();
    await setUpL2(lab, true);
    for (const node of lab.nodes) lab.startSpeaker(node);
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test('the first node in MetalLB order answers ARP, serves the client and reports ServiceL2Status', async () => {
    // SHA-256(node#192.0.2.202) orders node-23, node-21, node-22
    expect(await answeringNode('node-23', 60_000)).toMatchObject({ ok: true });
    expect(await clientNeighbor(lab)).toBe(await segmentMac(lab.node('node-23')));
    const statuses = await waitUntil(
      async () => {
        const result = await lab.kubectl(['get', 'servicel2statuses', '-n', 'metallb-system', '-o', 'json']);
        const list = JSON.parse(result.stdout || '{"items":[]}') as Listed<{
          node: string;
          serviceName: string;
          interfaces: { name: string }[];
        }>;
        const items = list.items.map((item) => item.status);
        return items.length === 1 && items[0]?.node === 'node-23'
          ? { done: true, value: items }
          : { done: false, why: JSON.stringify(items) };
      },
      { timeoutMs: 10_000 },
    );
    expect(statuses).toMatchObject({ ok: true });
    if (statuses.ok) expect(statuses.value[0]?.interfaces.map((i) => i.name)).toContain('eth-a');
    const events = await lab.kubectl(['get', 'events', '-n', 'default', '-o', 'json']);
    expect(events.stdout).toContain('announcing from node \\"node-23\\" with protocol \\"layer2\\"');
  });

  test('nodeSelectors move the IP to the next selected node; the client follows without asking', async () => {
    await lab.apply(l2AdvertisementYaml(['node-21', 'node-22']));
    expect(await answeringNode('node-21')).toMatchObject({ ok: true });
    expect(await clientNeighbor(lab)).toBe(await segmentMac(lab.node('node-21')));
    await lab.apply(l2AdvertisementYaml());
    expect(await answeringNode('node-23')).toMatchObject({ ok: true });
  });

  test('a hard-failed owner (links down, no goodbye): BFD between the nodes moves the IP within 2 s', async () => {
    // a healthy cluster first: every node's BFD sessions to the others are up
    expect(await waitForLivenessSessions(lab)).toBe(true);
    const failed = lab.node('node-23');
    const started = performance.now();
    await setLinkDown(lab.fabric.fabricNamespace, failed.handle.linkA.fabricDevice);
    await setLinkDown(lab.fabric.fabricNamespace, failed.handle.linkB.fabricDevice);
    const moved = await answeringNode('node-21', 10_000);
    const elapsed = Math.round(performance.now() - started);
    expect(moved).toMatchObject({ ok: true });
    process.stdout.write(`layer2: links down -> client served by node-21 after ${elapsed} ms\n`);
    expect(elapsed).toBeLessThan(2_000);
  });

  test('the slow fallback: a NotReady Node is no candidate even while its BFD session is up', async () => {
    // node-21 owns now; marking it NotReady hands the IP to node-22
    await markNodeNotReady(lab, 'node-21');
    expect(await answeringNode('node-22')).toMatchObject({ ok: true });
  });
});
