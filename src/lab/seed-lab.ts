// The seed lab (docs/design.md §9): the example configuration (deploy/examples) on a fabric of two
// ToRs and three nodes, a controller assigning 203.0.113.5 to Service `web` (externalTrafficPolicy
// Local, endpoints on node-21 and node-22), HTTP backends standing in for kube-proxy, a client behind
// the ToRs; then what an operator checks after installing, and the failover drill with timings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { ClusterLab, type LabNode } from './cluster-lab.js';
import { setLinkDown } from './netns.js';
import { kernelNextHops, timeUntilKernelRoute, waitForNextHops } from './tor-routes.js';
import { waitUntil } from './wait-until.js';

export const SERVICE_IP = '203.0.113.5';
export const SERVICE_PREFIX = `${SERVICE_IP}/32`;

export type Print = (line: string) => void;

export function endpointSliceYaml(service: string, nodes: readonly string[]): string {
  return [
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    'metadata:',
    `  name: ${service}-lab`,
    '  namespace: default',
    `  labels: {kubernetes.io/service-name: ${service}}`,
    'addressType: IPv4',
    `endpoints:${nodes.length === 0 ? ' []' : ''}`,
    ...nodes.flatMap((node, i) => [
      `  - addresses: ["10.244.${i + 1}.10"]`,
      `    nodeName: ${node}`,
      '    conditions: {ready: true, serving: true, terminating: false}',
    ]),
    'ports: [{name: http, port: 80, protocol: TCP}]',
  ].join('\n');
}

/** Node addresses as the ToRs see them (tor1 on br-a, tor2 on br-b). */
export function nodeAddresses(lab: ClusterLab, nodes: readonly LabNode[]): [string[], string[]] {
  return [nodes.map((n) => n.handle.linkA.ipv4), nodes.map((n) => n.handle.linkB.ipv4)];
}

export interface SeedLabOptions {
  readonly print: Print;
}

/** Builds and starts everything; throws (after cleaning up) when a step fails. */
export async function startSeedLab(options: SeedLabOptions): Promise<ClusterLab> {
  const { print } = options;
  print('building the fabric: tor1, tor2 (AS 65000, BFD, ECMP), node-21..23 with FRR, in-memory API server');
  const lab = await ClusterLab.create({ nodes: 3, preloadCrds: false });
  try {
    await lab.installFerry();
    print(
      "installed ferry with kubectl apply -k deploy/; the lab's kubelet runs the speaker DaemonSet's pod on each node and the controller Deployment's pod, under deploy/rbac",
    );
    const examples = join(packageRoot(), 'deploy', 'examples');
    for (const file of readdirSync(examples).sort()) {
      if (file.endsWith('.yaml')) await lab.apply(readFileSync(join(examples, file), 'utf8'));
    }
    print(`applied deploy/examples with kubectl (kubeconfig ${lab.kubeconfig})`);
    await lab.apply(endpointSliceYaml('web', ['node-21', 'node-22']));
    await lab.addClient();
    for (const node of [lab.node('node-21'), lab.node('node-22')]) await lab.startBackend(node, SERVICE_IP);
    print('backends of web serve HTTP on node-21 and node-22; a client sits behind tor1');
    return lab;
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}

async function show(lab: ClusterLab, print: Print, title: string, args: readonly string[]): Promise<string> {
  const result = await lab.kubectl(args);
  print(`\n$ ${title}`);
  print((result.exitCode === 0 ? result.stdout : result.stderr).trimEnd());
  return result.stdout;
}

/** An operator's checks after installing (docs/operations.md); returns false when one fails. */
export async function verifySeedLab(lab: ClusterLab, print: Print): Promise<boolean> {
  let ok = true;
  const assigned = await waitUntil(
    async () => {
      const ip = await lab.kubectl([
        'get',
        'svc',
        'web',
        '-o',
        'jsonpath={.status.loadBalancer.ingress[0].ip}',
      ]);
      return ip.stdout === SERVICE_IP
        ? { done: true, value: ip.stdout }
        : { done: false, why: ip.stdout || '<pending>' };
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const podsReady = await waitUntil(
    async () => {
      const out = await lab.kubectl(['get', 'pods', '-n', 'metallb-system', '--no-headers']);
      const lines = out.stdout.split('\n').filter((l) => l.startsWith('ferry-'));
      const ready = lines.filter((l) => /^\S+\s+(\d+)\/\1\s+Running\b/.test(l));
      return lines.length === lab.nodes.length + 1 && ready.length === lines.length
        ? { done: true, value: lines }
        : { done: false, why: `${ready.length}/${lines.length} pods ready` };
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  await show(lab, print, 'kubectl get pods -n metallb-system', ['get', 'pods', '-n', 'metallb-system']);
  if (!podsReady.ok) {
    print(`FAIL: ferry's pods: ${podsReady.last}`);
    ok = false;
  }
  await show(lab, print, 'kubectl get svc web', ['get', 'svc', 'web']);
  if (!assigned.ok) {
    print(`FAIL: web has no EXTERNAL-IP from prod-pool (${assigned.last})`);
    return false;
  }
  const sessions = await waitUntil(
    async () => {
      const out = await lab.kubectl(['get', 'bgpsessionstates', '-n', 'metallb-system', '--no-headers']);
      const lines = out.stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '');
      const good = lines.filter((l) => /\bEstablished\s+up\b/.test(l));
      return good.length === 6
        ? { done: true, value: lines }
        : { done: false, why: `${good.length}/6 Established with BFD up` };
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  await show(lab, print, 'kubectl get bgpsessionstates -n metallb-system', [
    'get',
    'bgpsessionstates',
    '-n',
    'metallb-system',
  ]);
  if (!sessions.ok) {
    print(`FAIL: sessions: ${sessions.last}`);
    ok = false;
  }
  const announcing = [lab.node('node-21'), lab.node('node-22')];
  const expected = nodeAddresses(lab, announcing);
  for (const [index, tor] of lab.tors.entries()) {
    const converged = await waitForNextHops(tor, SERVICE_PREFIX, expected[index] ?? [], 30_000);
    const route = await tor.vtysh.commands([`show ip route ${SERVICE_PREFIX}`]);
    print(`\n$ vtysh -N ${tor.name} -c 'show ip route ${SERVICE_PREFIX}'   # tor${index + 1}`);
    print(route.ok ? route.value.trimEnd() : route.error.message);
    if (!converged.ok) {
      print(`FAIL: tor${index + 1}: ${converged.last}`);
      ok = false;
    } else print(`# one next hop per announcing node (node-21, node-22): ${converged.value.join(', ')}`);
  }
  const answers = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const body = await lab.curlFromClient(`http://${SERVICE_IP}/`);
    if (body !== undefined) answers.add(body);
  }
  print(`\n$ curl http://${SERVICE_IP}/   # from the client namespace, through tor1`);
  print(answers.size > 0 ? [...answers].join('\n') : 'FAIL: no answer');
  return ok && answers.size > 0;
}

export interface DrillResult {
  /** per ToR: ms from the endpoint leaving until the node's next hop was gone */
  readonly drainMs: readonly (number | undefined)[];
  /** per ToR: ms from the link failure until the node's next hop was gone */
  readonly hardFailMs: readonly (number | undefined)[];
}

/** The failover drill: drain node-22 (its endpoint leaves), then hard-fail node-21 (links down). */
export async function failoverDrill(lab: ClusterLab, print: Print): Promise<DrillResult> {
  const [node21, node22] = [lab.node('node-21'), lab.node('node-22')];
  const torNamespaces = lab.fabric.tors.map((t) => t.namespace);
  print('\n# failover drill 1: drain node-22 (its endpoint of web leaves; graceful withdraw)');
  const before = nodeAddresses(lab, [node21, node22]);
  const ready = await Promise.all(
    lab.tors.map((tor, i) => waitForNextHops(tor, SERVICE_PREFIX, before[i] ?? [], 30_000)),
  );
  if (!ready.every((r) => r.ok)) {
    print('FAIL: the ToRs do not forward to node-21 and node-22 before the drill; nothing to measure');
    return { drainMs: [undefined, undefined], hardFailMs: [undefined, undefined] };
  }
  const drainStart = performance.now();
  await lab.apply(endpointSliceYaml('web', ['node-21']));
  const drainMs = await Promise.all(
    torNamespaces.map((ns, i) => {
      const gone = [node22.handle.linkA.ipv4, node22.handle.linkB.ipv4][i] ?? '';
      return timeUntilKernelRoute(ns, SERVICE_PREFIX, (hops) => !hops.includes(gone), drainStart);
    }),
  );
  drainMs.forEach((ms, i) =>
    print(
      `tor${i + 1}: node-22's next hop gone ${ms === undefined ? 'NOT within 30 s' : `after ${Math.round(ms)} ms`}`,
    ),
  );

  print(
    '\n# failover drill 2: hard-fail node-21 (both links down, no BGP withdraw; BFD 300 ms x 3 detects it)',
  );
  // keep the route up elsewhere so there is a next hop left to see
  await lab.apply(endpointSliceYaml('web', ['node-21', 'node-23']));
  await lab.startBackend(lab.node('node-23'), SERVICE_IP);
  await waitForNextHops(
    lab.tors[0]!,
    SERVICE_PREFIX,
    [node21.handle.linkA.ipv4, lab.node('node-23').handle.linkA.ipv4],
    30_000,
  );
  const failStart = performance.now();
  await Promise.all([
    setLinkDown(node21.handle.namespace, node21.handle.linkA.device),
    setLinkDown(node21.handle.namespace, node21.handle.linkB.device),
  ]);
  const hardFailMs = await Promise.all(
    torNamespaces.map((ns, i) => {
      const gone = [node21.handle.linkA.ipv4, node21.handle.linkB.ipv4][i] ?? '';
      return timeUntilKernelRoute(ns, SERVICE_PREFIX, (hops) => !hops.includes(gone), failStart);
    }),
  );
  hardFailMs.forEach((ms, i) =>
    print(
      `tor${i + 1}: node-21's next hop gone ${ms === undefined ? 'NOT within 30 s' : `after ${Math.round(ms)} ms`} (BFD detection)`,
    ),
  );
  const left = await kernelNextHops(torNamespaces[0] ?? '', SERVICE_PREFIX);
  print(`tor1 now forwards ${SERVICE_PREFIX} to: ${left.join(', ') || 'nothing'}`);
  return { drainMs, hardFailMs };
}
