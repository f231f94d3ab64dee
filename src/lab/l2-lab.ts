// Layer 2 mode in the lab: an IPAddressPool on the nodes' own segment (br-a, 192.0.2.200-220), an
// L2Advertisement, Service `web-l2` on 192.0.2.202 with HTTP backends on every node (the IP on the
// node's loopback, as kube-proxy's IPVS mode puts it on kube-ipvs0, with arp_ignore=1 /
// arp_announce=2 as strictARP sets: the kernel stays silent, only the owner's responder answers).
// The client on br-a reaches it directly, through whichever node answers ARP.
import type { ClusterLab, LabNode } from './cluster-lab.js';
import { mustRun, setSysctl } from './netns.js';
import { endpointSliceYaml } from './seed-lab.js';

export const L2_SERVICE = 'web-l2';
export const L2_SERVICE_IP = '192.0.2.202';

export function l2PoolYaml(): string {
  return [
    'apiVersion: metallb.io/v1beta1',
    'kind: IPAddressPool',
    'metadata: {name: l2-pool, namespace: metallb-system}',
    'spec:',
    '  addresses: ["192.0.2.200-192.0.2.220"]',
    '  autoAssign: false',
  ].join('\n');
}

/** The L2Advertisement, limited to `hosts` by nodeSelectors when given. */
export function l2AdvertisementYaml(hosts?: readonly string[]): string {
  return [
    'apiVersion: metallb.io/v1beta1',
    'kind: L2Advertisement',
    'metadata: {name: l2-adv, namespace: metallb-system}',
    'spec:',
    '  ipAddressPools: [l2-pool]',
    ...(hosts === undefined
      ? []
      : [
          '  nodeSelectors:',
          '    - matchExpressions:',
          `        - {key: kubernetes.io/hostname, operator: In, values: [${hosts.join(', ')}]}`,
        ]),
  ].join('\n');
}

export function l2ServiceYaml(): string {
  return [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${L2_SERVICE}, namespace: default}`,
    'spec:',
    '  type: LoadBalancer',
    '  selector: {app: web-l2}',
    '  ports: [{name: http, port: 80, protocol: TCP}]',
    `  loadBalancerIP: ${L2_SERVICE_IP}`,
  ].join('\n');
}

/** Everything above, applied; the speakers and the client are the caller's. */
export async function setUpL2(lab: ClusterLab, assignStatus: boolean): Promise<void> {
  for (const node of lab.nodes) {
    await setSysctl(node.handle.namespace, 'net.ipv4.conf.all.arp_ignore', 1);
    await setSysctl(node.handle.namespace, 'net.ipv4.conf.all.arp_announce', 2);
  }
  await lab.apply([l2PoolYaml(), l2AdvertisementYaml(), l2ServiceYaml()].join('\n---\n'));
  if (assignStatus) {
    const patched = await lab.kubectl([
      'patch',
      'service',
      L2_SERVICE,
      '-n',
      'default',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: L2_SERVICE_IP }] } } }),
    ]);
    if (patched.exitCode !== 0) throw new Error(patched.stderr);
  }
  await lab.apply(
    endpointSliceYaml(
      L2_SERVICE,
      lab.nodes.map((node) => node.name),
    ),
  );
  for (const node of lab.nodes) await lab.startBackend(node, L2_SERVICE_IP);
}

/** The MAC of a node's interface on br-a. */
export async function segmentMac(node: LabNode): Promise<string> {
  const out = await mustRun(undefined, [
    'ip',
    '-n',
    node.handle.namespace,
    '-br',
    'link',
    'show',
    node.handle.linkA.device,
  ]);
  return out.split(/\s+/)[2] ?? '';
}

/** The MAC the client's kernel resolved for the Service IP. */
export async function clientNeighbor(lab: ClusterLab, ip = L2_SERVICE_IP): Promise<string | undefined> {
  if (lab.clientNamespace === undefined) return undefined;
  const out = await mustRun(undefined, ['ip', '-n', lab.clientNamespace, 'neigh', 'show', ip]);
  return /lladdr ([0-9a-f:]{17})/.exec(out)?.[1];
}

/** Marks a Node NotReady in the API server, as the node lifecycle controller does after a failure. */
export async function markNodeNotReady(lab: ClusterLab, node: string): Promise<void> {
  const patched = await lab.kubectl([
    'patch',
    'node',
    node,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeStatusUnknown' }] },
    }),
  ]);
  if (patched.exitCode !== 0) throw new Error(patched.stderr);
}
