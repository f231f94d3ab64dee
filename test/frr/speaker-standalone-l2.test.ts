// `ferry speaker --manifests DIR --node N` on a single host in layer 2 mode: no Kubernetes, no Node
// objects; the host owns the L2 Service IPs it is eligible for and answers ARP for them on its own
// interfaces (the speaker runs in the host's network namespace, as on a plain Linux host). A host on
// the segment (tor1's namespace, no FRR: just a machine on br-a) sees exactly the host's MAC and
// reaches the Service; when the last endpoint leaves the manifests, the host stops answering.
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { Fabric } from '../../src/lab/fabric.js';
import { utsNamespacePrefix } from '../../src/lab/frr-instance.js';
import { mustRun, run } from '../../src/lab/netns.js';
import { endpointSliceYaml } from '../../src/lab/seed-lab.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { startFerry } from '../support/ferry-cli.js';
import { setStrictArp } from '../support/l2/ipvs.js';
import { answeringMacs, probeNeighbors } from '../support/l2/neighbor-probe.js';

jest.setTimeout(120_000);

const SERVICE_IP = '192.0.2.202';

function manifests(endpointNodes: readonly string[]): string {
  return [
    'apiVersion: metallb.io/v1beta1',
    'kind: IPAddressPool',
    'metadata: {name: l2-pool, namespace: metallb-system}',
    'spec: {addresses: ["192.0.2.200-192.0.2.220"]}',
    '---',
    'apiVersion: metallb.io/v1beta1',
    'kind: L2Advertisement',
    'metadata: {name: l2, namespace: metallb-system}',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: web-l2, namespace: default}',
    'spec:',
    '  type: LoadBalancer',
    '  selector: {app: web-l2}',
    '  ports: [{name: http, port: 80, protocol: TCP}]',
    `status: {loadBalancer: {ingress: [{ip: ${SERVICE_IP}}]}}`,
    '---',
    endpointSliceYaml('web-l2', endpointNodes),
  ].join('\n');
}

describe('standalone speaker in layer 2 mode', () => {
  let fabric: Fabric | undefined;
  let speaker: ResultPromise | undefined;
  let backend: ResultPromise | undefined;
  const directory = mkdtempSync(join(tmpdir(), 'ferry-l2-manifests-'));

  afterAll(async () => {
    speaker?.kill('SIGKILL');
    backend?.kill('SIGKILL');
    await Promise.allSettled([speaker, backend]);
    rmSync(directory, { recursive: true, force: true });
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  it('a single host answers ARP for the Service IPs it owns, and stops when the endpoints go', async () => {
    fabric = await Fabric.create({ nodes: 1 });
    const host = fabric.node(1);
    const client = fabric.tors[0];
    const nodeFrr = await fabric.startFrr(host, 'frr defaults datacenter\n');
    const hostMac = (
      await mustRun(host.namespace, ['cat', `/sys/class/net/${host.linkA.device}/address`])
    ).trim();
    // the Service IP local on the host (as kube-proxy makes it) with strictARP: the kernel stays silent
    await setStrictArp(host.namespace);
    await mustRun(host.namespace, ['ip', 'address', 'add', `${SERVICE_IP}/32`, 'dev', 'lo']);
    backend = execa(
      'ip',
      [
        'netns',
        'exec',
        host.namespace,
        process.execPath,
        '-e',
        `require('http').createServer((q, r) => r.end('hello from the host\\n')).listen(80, '${SERVICE_IP}')`,
      ],
      { reject: false, buffer: false },
    );
    writeFileSync(join(directory, 'cluster.yaml'), manifests(['node-21']));

    speaker = startFerry(
      [
        'speaker',
        '--manifests',
        directory,
        '--node',
        'node-21',
        '--frr-pathspace',
        nodeFrr.name,
        '--metrics-listen',
        '127.0.0.1:0',
      ],
      ['ip', 'netns', 'exec', host.namespace, ...utsNamespacePrefix(nodeFrr.name)],
    );
    const probe = () => probeNeighbors(client.namespace, 'eth0', SERVICE_IP, client.link.ipv4);
    const answered = await waitUntil(
      async () => {
        const macs = answeringMacs(await probe());
        return macs.length > 0 ? { done: true, value: macs } : { done: false, why: 'no answer' };
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(answered).toMatchObject({ ok: true, value: [hostMac] });
    const curl = await run(client.namespace, ['curl', '-s', '--max-time', '2', `http://${SERVICE_IP}/`]);
    expect(curl.stdout.trim()).toBe('hello from the host');

    // no endpoint left: the host stops answering for the IP
    writeFileSync(join(directory, 'cluster.yaml'), manifests([]));
    const silent = await waitUntil(
      async () => {
        const macs = answeringMacs(await probe());
        return macs.length === 0 ? { done: true, value: true } : { done: false, why: macs.join(',') };
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(silent).toMatchObject({ ok: true });
  });
});
