// Layer 2 mode end to end: real `ferry speaker` processes beside real FRRs, the in-memory API
// server, a client on the nodes' segment. What a user checks: the Service answers through exactly
// one node (the one MetalLB would pick), ServiceL2Status and the nodeAssigned event say which,
// nodeSelectors move ownership, a speaker stopped gracefully (rolling update) hands its IP over and
// takes it back after its restart without a client losing a request, a crashed speaker (FRR and BFD
// still up) loses its IP through its pod's readiness, and a failed node's IP moves to the next
// candidate. One lab for all: the tests run in order and each leaves node-23 the owner until the
// hard failure.
import { jest } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBgpNeighbors } from '../../src/frr/parse/bgp-neighbors.js';
import { ClusterLab } from '../../src/lab/cluster-lab.js';
import { endpointSliceYaml } from '../../src/lab/seed-lab.js';
import { waitForNextHops } from '../../src/lab/tor-routes.js';
import {
  L2_SERVICE_IP,
  clientNeighbor,
  l2AdvertisementYaml,
  markNodeNotReady,
  segmentMac,
  setUpL2,
  waitForLivenessSessions,
} from '../../src/lab/l2-lab.js';
import { run, setLinkDown, setLinkUp } from '../../src/lab/netns.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { packageRoot } from '../../src/util/package-root.js';
import { ClientLoop, type LoopResult } from '../../test/support/l2/client-loop.js';

jest.setTimeout(240_000);

const URL = `http://${L2_SERVICE_IP}/`;

interface Listed<S> {
  items: { metadata: { name: string }; status?: S }[];
}

/** Requests that failed, and which nodes answered, in order of first answer. */
function summary(results: readonly LoopResult[]) {
  return {
    requests: results.length,
    failed: results
      .filter((r) => r.body === undefined)
      .map((r) => `at ${r.atMs} ms: curl exit ${r.curlExit}`),
    nodes: [
      ...new Set(results.flatMap((r) => (r.body === undefined ? [] : [r.body.replace('hello from ', '')]))),
    ],
  };
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

  /** The MACs that answer the client's ARP request for the Service IP (a raw request, 300 ms of replies). */
  async function answeringMacs(): Promise<string[]> {
    const probe = await run(lab.clientNamespace, [
      process.execPath,
      join(packageRoot(), 'dist', 'test', 'support', 'l2', 'probe-process.js'),
      'eth0',
      L2_SERVICE_IP,
      '192.0.2.100',
      '300',
    ]);
    if (probe.exitCode !== 0) throw new Error(`probe failed: ${probe.stderr}`);
    const { replies } = JSON.parse(probe.stdout) as { replies: { mac: string }[] };
    return [...new Set(replies.map((reply) => reply.mac))].sort();
  }

  /** Waits until exactly `node` answers ARP for the Service IP; the elapsed ms, or undefined. */
  async function onlyAnswering(node: string, timeoutMs = 20_000): Promise<number | undefined> {
    const started = performance.now();
    const mac = await segmentMac(lab.node(node));
    const found = await waitUntil(
      async () => {
        const macs = await answeringMacs();
        return macs.length === 1 && macs[0] === mac
          ? { done: true, value: Math.round(performance.now() - started) }
          : { done: false, why: macs.join(',') };
      },
      { timeoutMs, intervalMs: 50 },
    );
    return found.ok ? found.value : undefined;
  }

  /** How often `node` announced (count of its layer 2 nodeAssigned Event on web-l2). */
  async function nodeAssignedCount(node: string): Promise<number> {
    const result = await lab.kubectl(['get', 'events', '-n', 'default', '-o', 'json']);
    const list = JSON.parse(result.stdout || '{"items":[]}') as {
      items: { message?: string; count?: number; involvedObject?: { name?: string } }[];
    };
    return list.items
      .filter(
        (event) =>
          event.involvedObject?.name === 'web-l2' &&
          event.message === `announcing from node "${node}" with protocol "layer2"`,
      )
      .reduce((sum, event) => sum + (event.count ?? 1), 0);
  }

  async function nodeAssignedAfter(node: string, before: number): Promise<boolean> {
    const result = await waitUntil(
      async () => {
        const count = await nodeAssignedCount(node);
        return count > before ? { done: true, value: true } : { done: false, why: `count ${count}` };
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    return result.ok;
  }

  /** node-23's BGP session at tor1: established count and UPDATEs received, once Established. */
  async function bgpAtTor1(): Promise<{ established: number; updates: number } | undefined> {
    const address = lab.node('node-23').handle.linkA.ipv4;
    const found = await waitUntil(
      async () => {
        const shown = await lab.tors[0]?.vtysh.show('show bgp neighbors json');
        const peer = shown?.ok ? parseBgpNeighbors(shown.value).find((n) => n.peer === address) : undefined;
        return peer?.state === 'Established'
          ? {
              done: true,
              value: {
                established: peer.connectionsEstablished ?? 0,
                updates: peer.messagesReceived.updates ?? 0,
              },
            }
          : { done: false, why: String(peer?.state) };
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    return found.ok ? found.value : undefined;
  }

  /** The speaker pod of `node` as the kubelet reports it: Ready or not. */
  async function setSpeakerPodReady(node: string, ready: boolean): Promise<void> {
    const patched = await lab.kubectl([
      'patch',
      'pod',
      `ferry-speaker-${node}`,
      '-n',
      'metallb-system',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
      }),
    ]);
    if (patched.exitCode !== 0) throw new Error(patched.stderr);
  }

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    await lab.apply(readFileSync(join(packageRoot(), 'deploy', 'examples', 'nodes.yaml'), 'utf8'));
    await lab.addClient();
    // BGP beside layer 2 (Service web on node-23, to both ToRs): a layer 2 hand-over must not touch it
    for (const file of [
      'ip-address-pool.yaml',
      'bfd-profile.yaml',
      'bgp-peers.yaml',
      'bgp-advertisement.yaml',
    ])
      await lab.apply(readFileSync(join(packageRoot(), 'deploy', 'examples', file), 'utf8'));
    await lab.apply(readFileSync(join(packageRoot(), 'deploy', 'examples', 'service-web.yaml'), 'utf8'));
    await lab.writeIngress('web', '203.0.113.5');
    await lab.apply(endpointSliceYaml('web', ['node-23']));
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

  test('a graceful stop (SIGTERM, rolling update) hands the IP over and takes it back after the restart: no request lost', async () => {
    expect(await waitForLivenessSessions(lab)).toBe(true);
    expect(await onlyAnswering('node-23', 60_000)).toBeDefined();
    const assignedBefore = await nodeAssignedCount('node-21');
    // BGP converged first: node-23 announces web's IP to tor1 and has sent all it will send
    const tor1 = lab.tors[0];
    if (tor1 === undefined) throw new Error('no tor1');
    const node23 = lab.node('node-23').handle.linkA.ipv4;
    expect(await waitForNextHops(tor1, '203.0.113.5/32', [node23], 30_000)).toMatchObject({ ok: true });
    // a BGP Service the speaker learnt one object at a time since its last whole view: the hand-over's
    // rebuild must start from the current view, or it would withdraw this one
    await lab.apply(
      readFileSync(join(packageRoot(), 'deploy', 'examples', 'service-web.yaml'), 'utf8')
        .replace('name: web', 'name: api')
        .replace('203.0.113.5', '203.0.113.6'),
    );
    await lab.writeIngress('api', '203.0.113.6');
    await lab.apply(endpointSliceYaml('api', ['node-23']));
    expect(await waitForNextHops(tor1, '203.0.113.6/32', [node23], 30_000)).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const bgpBefore = await bgpAtTor1();
    expect(bgpBefore?.updates).toBeGreaterThan(0);
    const owner = lab.node('node-23');
    let stoppedLog = '';
    const loop = ClientLoop.start(lab.clientNamespace ?? '', L2_SERVICE_IP, URL, lab.workDir);
    try {
      expect(
        await waitUntil(
          async () => (loop.results.length >= 5 ? { done: true, value: 1 } : { done: false, why: '' }),
          { timeoutMs: 10_000 },
        ),
      ).toMatchObject({ ok: true });
      const stopping = performance.now();
      const exitCode = await lab.stopSpeaker(owner, 'SIGTERM');
      const stopMs = Math.round(performance.now() - stopping);
      expect(exitCode).toBe(0);
      stoppedLog = owner.speakerLog;
      const handOver = /"message":"layer2 hand-over done".*?"ms":(\d+)/.exec(owner.speakerLog);
      expect(owner.speakerLog).toContain('"handedOver":["192.0.2.202"]');
      // the IP is node-21's now (the next in MetalLB's order), through BFD: a nodeAssigned Event says so
      expect(await onlyAnswering('node-21', 5_000)).toBeDefined();
      expect(await nodeAssignedAfter('node-21', assignedBefore)).toBe(true);

      const mark = loop.results.length;
      lab.startSpeaker(owner);
      const restarted = performance.now();
      const back = await onlyAnswering('node-23', 30_000);
      expect(back).toBeDefined();
      const tail = loop.results.length;
      await waitUntil(
        async () => (loop.results.length >= tail + 5 ? { done: true, value: 1 } : { done: false, why: '' }),
        { timeoutMs: 10_000 },
      );
      const results = await loop.stop();
      const before = summary(results.slice(0, mark));
      const after = summary(results.slice(mark));
      process.stdout.write(
        `layer2 graceful hand-over: SIGTERM -> exit ${stopMs} ms (hand-over ${handOver?.[1] ?? '?'} ms), ` +
          `restart -> sole owner again after ${Math.round(performance.now() - restarted)} ms; ` +
          `requests ${before.requests} + ${after.requests}, failed ${before.failed.length + after.failed.length}\n`,
      );
      expect(before.failed).toEqual([]);
      expect(after.failed).toEqual([]);
      expect(before.nodes).toEqual(['node-23', 'node-21']);
      expect(after.nodes).toContain('node-23');
      expect(stopMs).toBeLessThan(8_000);
      // BGP saw nothing of it: same session, not one UPDATE from node-23 (withdrawal or announcement)
      expect(await bgpAtTor1()).toEqual(bgpBefore);
    } finally {
      loop.kill();
      // L2_DEBUG_DIR=DIR keeps every speaker's log (node-23's from before and after its restart)
      const debugDir = process.env['L2_DEBUG_DIR'];
      if (debugDir !== undefined)
        for (const node of lab.nodes)
          writeFileSync(
            join(debugDir, `${node.name}.log`),
            node === owner ? `${stoppedLog}\n---\n${node.speakerLog}` : node.speakerLog,
          );
    }
  });

  test('a crashed speaker (kill -9; FRR and BFD stay up) loses its IP within 10 s through its pod readiness', async () => {
    // the speaker DaemonSet's pods, as the kubelet reports them (this lab runs speakers without one)
    await lab.apply(
      lab.nodes
        .map((node) =>
          [
            'apiVersion: v1',
            'kind: Pod',
            `metadata: {name: ferry-speaker-${node.name}, namespace: metallb-system, labels: {app.kubernetes.io/name: ferry, app.kubernetes.io/component: speaker}}`,
            `spec: {nodeName: ${node.name}, containers: [{name: ferry, image: ferry:0.1.0}]}`,
          ].join('\n'),
        )
        .join('\n---\n'),
    );
    for (const node of lab.nodes) await setSpeakerPodReady(node.name, true);
    expect(await onlyAnswering('node-23')).toBeDefined();
    const crashed = lab.node('node-23');
    const killed = performance.now();
    await lab.stopSpeaker(crashed, 'SIGKILL');
    // what the kubelet does when the container exits
    await setSpeakerPodReady('node-23', false);
    const moved = await onlyAnswering('node-21', 10_000);
    const elapsed = Math.round(performance.now() - killed);
    expect(moved).toBeDefined();
    process.stdout.write(`layer2: speaker killed (FRR up) -> node-21 the sole answer after ${elapsed} ms\n`);
    expect(elapsed).toBeLessThan(10_000);
    // restarted and Ready again (the kubelet's probe): the IP comes back
    lab.startSpeaker(crashed);
    await waitUntil(
      async () =>
        crashed.speakerLog.includes('caches synced') ? { done: true, value: 1 } : { done: false, why: '' },
      { timeoutMs: 30_000 },
    );
    await setSpeakerPodReady('node-23', true);
    expect(await onlyAnswering('node-23', 20_000)).toBeDefined();
  });

  test('a hard-failed owner (links down, no goodbye): BFD between the nodes moves the IP within 2 s', async () => {
    // a healthy cluster first: every node's BFD sessions to the others are up
    expect(await waitForLivenessSessions(lab)).toBe(true);
    const assignedBefore = await nodeAssignedCount('node-21');
    const failed = lab.node('node-23');
    const started = performance.now();
    await setLinkDown(lab.fabric.fabricNamespace, failed.handle.linkA.fabricDevice);
    await setLinkDown(lab.fabric.fabricNamespace, failed.handle.linkB.fabricDevice);
    const moved = await answeringNode('node-21', 10_000);
    const elapsed = Math.round(performance.now() - started);
    expect(moved).toMatchObject({ ok: true });
    process.stdout.write(`layer2: links down -> client served by node-21 after ${elapsed} ms\n`);
    expect(elapsed).toBeLessThan(2_000);
    // the new owner says so, although no object changed (BFD re-elected it)
    expect(await nodeAssignedAfter('node-21', assignedBefore)).toBe(true);

    // links back: node-23 never lost the IP in its own view, node-21 falls silent once it sees node-23
    // alive; node-23 announces again when it sees the others (src/l2/reannounce.ts), so the client's
    // neighbour entry moves back without waiting for it to expire
    await setLinkUp(lab.fabric.fabricNamespace, failed.handle.linkA.fabricDevice);
    await setLinkUp(lab.fabric.fabricNamespace, failed.handle.linkB.fabricDevice);
    const mac23 = await segmentMac(failed);
    const back = await waitUntil(
      async () => {
        const mac = await clientNeighbor(lab);
        return mac === mac23 ? { done: true, value: mac } : { done: false, why: String(mac) };
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(back).toMatchObject({ ok: true });
    expect(await onlyAnswering('node-23', 10_000)).toBeDefined();
    expect(await answeringNode('node-23')).toMatchObject({ ok: true });
  });

  test('the slow fallback: a NotReady Node is no candidate even while its BFD session is up', async () => {
    // node-23 owns again; marking it NotReady hands the IP to node-21, the next in the order
    await markNodeNotReady(lab, 'node-23');
    expect(await answeringNode('node-21')).toMatchObject({ ok: true });
  });
});
