// Layer 2 mode in the lab: an IPAddressPool on the nodes' own segment (br-a, 192.0.2.200-220), an
// L2Advertisement, Service `web-l2` on 192.0.2.202 with HTTP backends on every node (the IP on the
// node's loopback, as kube-proxy's IPVS mode puts it on kube-ipvs0, with arp_ignore=1 /
// arp_announce=2 as strictARP sets: the kernel stays silent, only the owner's responder answers).
// The client on br-a reaches it directly, through whichever node answers ARP.
import type { ClusterLab, LabNode } from './cluster-lab.js';
import { mustRun, setLinkDown, setSysctl } from './netns.js';
import { endpointSliceYaml } from './seed-lab.js';
import { waitUntil } from './wait-until.js';
import { parseBfdPeers } from '../frr/parse/bfd-peers.js';

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

/**
 * The L2Advertisement, limited to `hosts` by nodeSelectors when given, answering on `interfaces` only
 * when given.
 */
export function l2AdvertisementYaml(hosts?: readonly string[], interfaces?: readonly string[]): string {
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
    ...(interfaces === undefined ? [] : [`  interfaces: [${interfaces.join(', ')}]`]),
  ].join('\n');
}

export interface L2ServiceOptions {
  readonly name: string;
  readonly ip: string;
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** A LoadBalancer Service requesting `ip` (default: web-l2 on 192.0.2.202, ETP Cluster). */
export function l2ServiceYaml(options: L2ServiceOptions = { name: L2_SERVICE, ip: L2_SERVICE_IP }): string {
  return [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${options.name}, namespace: default}`,
    'spec:',
    '  type: LoadBalancer',
    `  selector: {app: ${options.name}}`,
    '  ports: [{name: http, port: 80, protocol: TCP}]',
    `  loadBalancerIP: "${options.ip}"`,
    ...(options.ip.includes(':') ? ['  ipFamilies: [IPv6]'] : []),
    ...(options.externalTrafficPolicy === undefined
      ? []
      : [`  externalTrafficPolicy: ${options.externalTrafficPolicy}`]),
  ].join('\n');
}

/** Everything above, applied; the speakers and the client are the caller's. */
export async function setUpL2(lab: ClusterLab, assignStatus: boolean): Promise<void> {
  for (const node of lab.nodes) {
    await setSysctl(node.handle.namespace, 'net.ipv4.conf.all.arp_ignore', 1);
    await setSysctl(node.handle.namespace, 'net.ipv4.conf.all.arp_announce', 2);
    // the kubelet reports the node's address: the speakers run BFD to it (layer 2 liveness)
    const patched = await lab.kubectl([
      'patch',
      'node',
      node.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          addresses: [{ type: 'InternalIP', address: node.handle.linkA.ipv4 }],
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        },
      }),
    ]);
    if (patched.exitCode !== 0) throw new Error(patched.stderr);
  }
  await lab.apply([l2PoolYaml(), l2AdvertisementYaml(), l2ServiceYaml()].join('\n---\n'));
  if (assignStatus) await lab.writeIngress(L2_SERVICE, L2_SERVICE_IP);
  await lab.apply(
    endpointSliceYaml(
      L2_SERVICE,
      lab.nodes.map((node) => node.name),
    ),
  );
  for (const node of lab.nodes) await lab.startBackend(node, L2_SERVICE_IP);
}

/** Waits until every node's FRR has its BFD sessions to every other node up (layer 2 liveness). */
export async function waitForLivenessSessions(lab: ClusterLab, timeoutMs = 60_000): Promise<boolean> {
  const addresses = lab.nodes.map((node) => node.handle.linkA.ipv4);
  const result = await waitUntil(
    async () => {
      for (const node of lab.nodes) {
        const shown = await node.frr.vtysh.show('show bfd peers json');
        if (!shown.ok) return { done: false, why: `${node.name}: ${shown.error.message}` };
        const up = new Set(
          parseBfdPeers(shown.value)
            .filter((s) => s.status === 'up')
            .map((s) => s.peer),
        );
        const missing = addresses.filter((address) => address !== node.handle.linkA.ipv4 && !up.has(address));
        if (missing.length > 0)
          return { done: false, why: `${node.name}: no BFD with ${missing.join(', ')}` };
      }
      return { done: true, value: true };
    },
    { timeoutMs, intervalMs: 250 },
  );
  return result.ok;
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

export type Print = (line: string) => void;

export interface L2DrillResult {
  readonly ok: boolean;
  /** ms from the owner's hard failure being known (Node NotReady) until the client was served again */
  readonly failoverMs: number | undefined;
}

async function servedBy(lab: ClusterLab, timeoutMs: number, not?: string): Promise<string | undefined> {
  const found = await waitUntil(
    async () => {
      const body = await lab.curlFromClient(`http://${L2_SERVICE_IP}/`, 1);
      const node = body?.replace(/^hello from /, '');
      return node !== undefined && node !== not
        ? { done: true, value: node }
        : { done: false, why: String(body) };
    },
    { timeoutMs, intervalMs: 50 },
  );
  return found.ok ? found.value : undefined;
}

/**
 * Layer 2 in the running lab: the pool, advertisement and Service (the controller assigns the
 * requested 192.0.2.202), what an operator checks, then (with `drill`) a hard failure of the owner.
 */
export async function l2LabChecks(lab: ClusterLab, print: Print, drill: boolean): Promise<L2DrillResult> {
  print('\n# layer 2: IPAddressPool l2-pool (192.0.2.200-220 on br-a), L2Advertisement, Service web-l2');
  await setUpL2(lab, false);
  const assigned = await waitUntil(
    async () => {
      const out = await lab.kubectl([
        'get',
        'svc',
        L2_SERVICE,
        '-n',
        'default',
        '-o',
        'jsonpath={.status.loadBalancer.ingress[0].ip}',
      ]);
      return out.stdout === L2_SERVICE_IP ? { done: true, value: true } : { done: false, why: out.stdout };
    },
    { timeoutMs: 20_000 },
  );
  // the owner's speaker writes it once it answers: wait for it rather than print a race
  const l2Status = await waitUntil(
    async () => {
      const out = await lab.kubectl([
        'get',
        'servicel2statuses',
        '-n',
        'metallb-system',
        '-o',
        `jsonpath={.items[?(@.status.serviceName=="${L2_SERVICE}")].status.node}`,
      ]);
      return out.stdout !== ''
        ? { done: true, value: out.stdout }
        : { done: false, why: 'no ServiceL2Status yet' };
    },
    { timeoutMs: 15_000 },
  );
  for (const [title, args] of [
    [`kubectl get svc ${L2_SERVICE}`, ['get', 'svc', L2_SERVICE, '-n', 'default']],
    [
      'kubectl get servicel2statuses -n metallb-system',
      ['get', 'servicel2statuses', '-n', 'metallb-system', '-o', 'wide'],
    ],
  ] as const) {
    const out = await lab.kubectl(args);
    print(`\n$ ${title}`);
    print((out.exitCode === 0 ? out.stdout : out.stderr).trimEnd());
  }
  const owner = await servedBy(lab, 30_000);
  print(`\n$ curl http://${L2_SERVICE_IP}/   # from the client namespace, on the same segment`);
  print(owner === undefined ? 'FAIL: no answer' : `hello from ${owner}`);
  const neighbor = await clientNeighbor(lab);
  print(`$ ip neigh show ${L2_SERVICE_IP}   # client`);
  print(`${L2_SERVICE_IP} lladdr ${neighbor ?? '(none)'}`);
  if (!assigned.ok || owner === undefined) return { ok: false, failoverMs: undefined };
  const ownerMac = await segmentMac(lab.node(owner));
  const statusOk = l2Status.ok && l2Status.value === owner;
  const macOk = neighbor === ownerMac && statusOk;
  print(
    neighbor === ownerMac
      ? `# the MAC of ${owner}'s eth-a: only the owner answers ARP`
      : `FAIL: expected ${owner}'s MAC ${ownerMac}`,
  );
  if (!statusOk)
    print(
      `FAIL: the ServiceL2Status of ${L2_SERVICE} names ${l2Status.ok ? l2Status.value : 'no node'}, not ${owner}`,
    );
  if (!drill) return { ok: macOk, failoverMs: undefined };

  print(
    `\n# layer 2 failover drill: hard-fail ${owner} (both links down, no goodbye; BFD 100 ms x 3 between nodes)`,
  );
  if (!(await waitForLivenessSessions(lab))) {
    print('FAIL: the BFD sessions between the nodes did not come up');
    return { ok: false, failoverMs: undefined };
  }
  const failed = lab.node(owner);
  const started = performance.now();
  await setLinkDown(lab.fabric.fabricNamespace, failed.handle.linkA.fabricDevice);
  await setLinkDown(lab.fabric.fabricNamespace, failed.handle.linkB.fabricDevice);
  const next = await servedBy(lab, 30_000, owner);
  const failoverMs = next === undefined ? undefined : Math.round(performance.now() - started);
  print(
    next === undefined
      ? 'FAIL: no other node took the IP over'
      : `client: curl answered by ${next} ${failoverMs} ms after ${owner}'s links went down`,
  );
  return { ok: macOk && next !== undefined, failoverMs };
}
