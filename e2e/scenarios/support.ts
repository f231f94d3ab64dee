// Shared pieces of the e2e scenarios: the objects a user writes with kubectl, and what a
// user checks afterwards — sessions at the ToRs, next hops for a Service IP, Service status.
import { parseBgpNeighbors, type BgpPeerState } from '../../src/frr/parse/bgp-neighbors.js';
import type { ClusterLab, LabNode } from '../../src/lab/cluster-lab.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { waitForNextHops } from '../../src/lab/tor-routes.js';
import { waitUntil, type WaitResult } from '../../src/lab/wait-until.js';

export const NAMESPACE = 'metallb-system';

/** One YAML stream of several documents. */
export function documents(...docs: readonly string[]): string {
  return docs.map((doc) => doc.trim()).join('\n---\n');
}

/** A metallb.io object in metallb-system, spec given as flow-style YAML/JSON. */
export function metallb(kind: string, name: string, spec: unknown, apiVersion = 'v1beta1'): string {
  return [
    `apiVersion: metallb.io/${apiVersion}`,
    `kind: ${kind}`,
    `metadata: {name: ${name}, namespace: ${NAMESPACE}}`,
    `spec: ${JSON.stringify(spec)}`,
  ].join('\n');
}

export interface BgpPeerSpec {
  readonly peerAddress: string;
  readonly peerASN: number;
  readonly myASN: number;
  readonly [field: string]: unknown;
}

export function bgpPeer(name: string, spec: BgpPeerSpec): string {
  return metallb('BGPPeer', name, spec, 'v1beta2');
}

/** The seed's two peers (tor1 on br-a, tor2 on br-b, AS 65000 ← 65100), with extra fields. */
export function seedPeers(extra: Readonly<Record<string, unknown>> = {}): string {
  return documents(
    bgpPeer('tor1', { peerAddress: '192.0.2.1', peerASN: 65000, myASN: 65100, ...extra }),
    bgpPeer('tor2', { peerAddress: '198.51.100.1', peerASN: 65000, myASN: 65100, ...extra }),
  );
}

export interface ServiceOptions {
  readonly name: string;
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  /** `metallb.io/loadBalancerIPs` */
  readonly ips?: readonly string[];
  readonly pool?: string;
  readonly ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[];
  readonly labels?: Readonly<Record<string, string>>;
  /** spec.loadBalancerClass */
  readonly loadBalancerClass?: string;
}

export function serviceYaml(options: ServiceOptions): string {
  const annotations = {
    ...(options.ips === undefined ? {} : { 'metallb.io/loadBalancerIPs': options.ips.join(',') }),
    ...(options.pool === undefined ? {} : { 'metallb.io/address-pool': options.pool }),
  };
  const spec = {
    type: 'LoadBalancer',
    externalTrafficPolicy: options.externalTrafficPolicy ?? 'Cluster',
    selector: { app: options.name },
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
    ...(options.ipFamilyPolicy === undefined ? {} : { ipFamilyPolicy: options.ipFamilyPolicy }),
    ...(options.ipFamilies === undefined ? {} : { ipFamilies: options.ipFamilies }),
    ...(options.loadBalancerClass === undefined ? {} : { loadBalancerClass: options.loadBalancerClass }),
  };
  return [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${options.name}`,
    '  namespace: default',
    `  annotations: ${JSON.stringify(annotations)}`,
    `  labels: ${JSON.stringify(options.labels ?? {})}`,
    `spec: ${JSON.stringify(spec)}`,
  ].join('\n');
}

/** One endpoint of a Service: on which node, and its conditions (default ready and serving). */
export interface Endpoint {
  readonly node: string;
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

/** The Service's EndpointSlice (one per Service, replaced on every apply). */
export function endpointSlice(
  service: string,
  endpoints: readonly Endpoint[],
  addressType: 'IPv4' | 'IPv6' = 'IPv4',
): string {
  const address = (i: number) => (addressType === 'IPv4' ? `10.244.${i + 1}.10` : `fd00:10:244:${i + 1}::10`);
  const items = endpoints.map((endpoint, i) => ({
    addresses: [address(i)],
    nodeName: endpoint.node,
    conditions: {
      ready: endpoint.ready ?? true,
      serving: endpoint.serving ?? true,
      terminating: endpoint.terminating ?? false,
    },
  }));
  return [
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    'metadata:',
    `  name: ${service}-e2e-${addressType.toLowerCase()}`,
    '  namespace: default',
    `  labels: {kubernetes.io/service-name: ${service}}`,
    `addressType: ${addressType}`,
    `endpoints: ${JSON.stringify(items)}`,
    'ports: [{name: http, port: 80, protocol: TCP}]',
  ].join('\n');
}

/** `kubectl ARGS`; stdout, or a thrown error with kubectl's message. */
export async function kubectl(lab: ClusterLab, args: readonly string[], input?: string): Promise<string> {
  const result = await lab.kubectl(args, input);
  if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

export async function kubectlJson<T>(lab: ClusterLab, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(lab, [...args, '-o', 'json'])) as T;
}

/** The node's address on the ToR's segment (tor1: br-a, tor2: br-b). */
export function addressAt(torIndex: number, node: LabNode, family: 'ipv4' | 'ipv6' = 'ipv4'): string {
  const link = torIndex === 0 ? node.handle.linkA : node.handle.linkB;
  return link[family];
}

/** Waits until both ToRs forward `prefix` to exactly these nodes (none: no route at all). */
export async function waitForNodesAtBothTors(
  lab: ClusterLab,
  prefix: string,
  nodes: readonly LabNode[],
  timeoutMs = 20_000,
): Promise<{ readonly ok: boolean; readonly detail: string }> {
  const results = await Promise.all(
    lab.tors.map((tor, i) =>
      waitForNextHops(
        tor,
        prefix,
        nodes.map((node) => addressAt(i, node)),
        timeoutMs,
      ),
    ),
  );
  return {
    ok: results.every((result) => result.ok),
    detail: results
      .map((result, i) => `tor${i + 1}: ${result.ok ? `[${result.value.join(', ')}]` : result.last}`)
      .join('; '),
  };
}

export async function torNeighbors(tor: FrrInstance): Promise<BgpPeerState[]> {
  const result = await tor.vtysh.show('show bgp neighbors json');
  return result.ok ? parseBgpNeighbors(result.value) : [];
}

/** Waits until `tor` has exactly these peers Established (addresses; others may exist, not Established). */
export function waitForEstablished(
  tor: FrrInstance,
  peers: readonly string[],
  timeoutMs = 60_000,
): Promise<WaitResult<string[]>> {
  const wanted = [...peers].sort().join(',');
  return waitUntil(
    async () => {
      const established = (await torNeighbors(tor))
        .filter((neighbor) => neighbor.state === 'Established')
        .map((neighbor) => neighbor.peer)
        .sort();
      return established.join(',') === wanted
        ? { done: true, value: established }
        : { done: false, why: `Established: [${established.join(', ')}], want [${wanted}]` };
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** The Service's `status.loadBalancer.ingress` IPs (sorted), once the controller wrote `count` of them. */
export async function waitForIngress(
  lab: ClusterLab,
  service: string,
  count = 1,
  timeoutMs = 30_000,
): Promise<string[]> {
  const result = await waitUntil(
    async () => {
      const svc = await kubectlJson<{ status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>(lab, [
        'get',
        'service',
        service,
        '-n',
        'default',
      ]);
      const ips = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) =>
        i.ip === undefined ? [] : [i.ip],
      );
      return ips.length === count
        ? { done: true, value: ips.sort() }
        : { done: false, why: `ingress [${ips.join(', ')}]` };
    },
    { timeoutMs, intervalMs: 200 },
  );
  if (!result.ok) throw new Error(`Service ${service} got no ${count} ingress IPs: ${result.last}`);
  return result.value;
}

/** Starts every node's speaker; `destroy()` stops them. */
export function startSpeakers(lab: ClusterLab, flags: readonly string[] = []): void {
  for (const node of lab.nodes) lab.startSpeaker(node, flags);
}

/** 'ok', or why not: lets a failed wait show its reason in the test output. */
export function outcome(result: {
  readonly ok: boolean;
  readonly last?: string;
  readonly detail?: string;
}): string {
  return result.ok ? 'ok' : (result.detail ?? result.last ?? 'failed');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
