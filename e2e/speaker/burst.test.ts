// A burst of 1,000 Service changes becomes a handful of FRR applies (debounce + latest wins), and
// every one of the 1,000 /32s reaches the ToR.
import { jest } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { createObject, mergePatchObject } from '../../src/k8s/client.js';
import { createKubeClient } from '../../src/k8s/http-client.js';
import { inNamespace, resourceTypes } from '../../src/k8s/resources.js';
import { ClusterLab } from '../../src/lab/cluster-lab.js';
import { waitUntil } from '../../src/lab/wait-until.js';

jest.setTimeout(240_000);

const COUNT = 1_000;
const serviceIp = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;

async function inBatches<T>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

describe('a burst of Service changes', () => {
  let lab: ClusterLab;

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 1 });
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test(`${COUNT} Services announced in a handful of applies`, async () => {
    await lab.apply(
      readFileSync('deploy/examples/bgp-peers.yaml', 'utf8').replace(/^ *bfdProfile: tor-bfd\n/gm, ''),
    );
    await lab.apply(
      [
        'apiVersion: metallb.io/v1beta1',
        'kind: IPAddressPool',
        'metadata: {name: scale, namespace: metallb-system}',
        'spec: {addresses: [198.18.0.0/16]}',
        '---',
        'apiVersion: metallb.io/v1beta1',
        'kind: BGPAdvertisement',
        'metadata: {name: scale, namespace: metallb-system}',
        'spec: {communities: ["65000:100"]}',
        '---',
        'apiVersion: v1',
        'kind: Node',
        'metadata: {name: node-21, labels: {kubernetes.io/hostname: node-21}}',
      ].join('\n'),
    );
    const node = lab.node('node-21');
    lab.startSpeaker(node);
    const config = new KubeConfig();
    config.loadFromFile(lab.kubeconfig);
    const client = createKubeClient(config);
    const services = inNamespace(resourceTypes.services, 'default');
    const slices = inNamespace(resourceTypes.endpointSlices, 'default');
    const indexes = Array.from({ length: COUNT }, (_, i) => i);
    await inBatches(indexes, 50, async (i) => {
      const name = `svc-${i}`;
      const created = await createObject(client, services, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
      });
      if (!created.ok) throw new Error(created.error.message);
      await mergePatchObject(
        client,
        services,
        name,
        { status: { loadBalancer: { ingress: [{ ip: serviceIp(i) }] } } },
        'status',
      );
      await createObject(client, slices, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.0.1'], nodeName: 'node-21', conditions: { ready: true } }],
      });
    });
    const tor1 = lab.tors[0]!;
    const all = await waitUntil(
      async () => {
        const summary = await tor1.vtysh.show('show bgp ipv4 unicast summary json');
        const peers = summary.ok
          ? ((summary.value as { peers?: Record<string, { pfxRcd?: number }> }).peers ?? {})
          : {};
        const received = Object.values(peers).reduce((total, p) => total + (p.pfxRcd ?? 0), 0);
        return received === COUNT
          ? { done: true, value: received }
          : { done: false, why: `${received} of ${COUNT} at tor1` };
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(all).toMatchObject({ ok: true });
    const applies = node.speakerLog
      .split('\n')
      .filter((line) => line.includes('"message":"FRR config applied"'));
    // 3,000 object writes (each a Service or EndpointSlice change) → applies batched by the debounce
    // (50 ms quiet or 500 ms at most): one per window while writes stream in, so their count follows
    // how long the writes take on this machine (11 alone, 41 beside another suite), never one per write
    process.stdout.write(`burst: ${COUNT * 3} writes -> ${applies.length} FRR applies\n`);
    expect(applies.length).toBeGreaterThan(0);
    expect(applies.length).toBeLessThan(COUNT / 10);
  });
});
