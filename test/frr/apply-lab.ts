// Shared by the apply-* FRR tests: one node peering with both lab ToRs, ferry's rendered config for a
// list of service IPs, and what the ToRs say about the node's sessions and routes.
export { nodeConfig, type Announced } from '../support/frr-node-config.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { Fabric, type NodeHandle } from '../../src/lab/fabric.js';
import { torFrrConfigForNodes } from '../../src/lab/tor-config.js';
import { waitUntil } from '../../src/lab/wait-until.js';

export interface NodeLab {
  readonly fabric: Fabric;
  readonly node: NodeHandle;
  readonly speaker: FrrInstance;
  readonly tors: readonly FrrInstance[];
  /** the node's address as each ToR sees it */
  readonly nodeAddresses: readonly string[];
}

/** A fabric with one node; the node's FRR starts with no BGP config (ferry's applier brings it). */
export async function startNodeLab(
  torPeer: { password?: string } = {},
  onFabric: (fabric: Fabric) => void = () => undefined,
): Promise<NodeLab> {
  const fabric = await Fabric.create({ nodes: 1 });
  onFabric(fabric);
  const node = fabric.node(1);
  const tors = await Promise.all(
    fabric.tors.map((tor) => fabric.startFrr(tor, torFrrConfigForNodes(tor, [node], { peer: torPeer }))),
  );
  // What the FRR container starts with before ferry applies anything.
  const speaker = await fabric.startFrr(node, 'frr defaults datacenter\n');
  return { fabric, node, speaker, tors, nodeAddresses: [node.linkA.ipv4, node.linkB.ipv4] };
}

export interface SessionSnapshot {
  readonly state: string;
  readonly connectionsEstablished: number;
  /** UPDATE messages the ToR received from the node */
  readonly updatesReceived: number;
  readonly bfdStatus: string;
  readonly bfdSessionDowns: number;
}

interface NeighborJson {
  bgpState?: string;
  connectionsEstablished?: number;
  messageStats?: { updatesRecv?: number };
}

interface BfdCountersJson {
  peer?: string;
  'session-down'?: number;
}

interface BfdPeerJson {
  peer?: string;
  status?: string;
}

/** The ToR's view of its session to the node: BGP state, established count, BFD state and downs. */
export async function sessionAt(tor: FrrInstance, peer: string): Promise<SessionSnapshot> {
  const [neighbors, bfd, counters] = await Promise.all([
    tor.vtysh.show(`show bgp neighbors ${peer} json`),
    tor.vtysh.show('show bfd peers json'),
    tor.vtysh.show('show bfd peers counters json'),
  ]);
  const neighbor = neighbors.ok ? (neighbors.value as Record<string, NeighborJson>)[peer] : undefined;
  const session = bfd.ok ? (bfd.value as BfdPeerJson[]).find((s) => s.peer === peer) : undefined;
  const count = counters.ok ? (counters.value as BfdCountersJson[]).find((s) => s.peer === peer) : undefined;
  return {
    state: neighbor?.bgpState ?? 'absent',
    connectionsEstablished: neighbor?.connectionsEstablished ?? -1,
    updatesReceived: neighbor?.messageStats?.updatesRecv ?? -1,
    bfdStatus: session?.status ?? 'absent',
    bfdSessionDowns: count?.['session-down'] ?? -1,
  };
}

export async function waitForSessionsUp(lab: NodeLab, timeoutMs = 60_000): Promise<SessionSnapshot[]> {
  const results = await Promise.all(
    lab.tors.map((tor, i) =>
      waitUntil(
        async () => {
          const session = await sessionAt(tor, lab.nodeAddresses[i] ?? '');
          return session.state === 'Established' && session.bfdStatus === 'up'
            ? { done: true, value: session }
            : { done: false, why: JSON.stringify(session) };
        },
        { timeoutMs },
      ),
    ),
  );
  return results.map((r) => {
    if (!r.ok) throw new Error(`session not up: ${r.last}`);
    return r.value;
  });
}

export interface RouteAtTor {
  readonly community: string | undefined;
  readonly largeCommunity: string | undefined;
}

interface PathJson {
  community?: { string?: string };
  largeCommunity?: { string?: string };
}

export async function routeAt(tor: FrrInstance, prefix: string): Promise<RouteAtTor | undefined> {
  const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
  const route = await tor.vtysh.show(`show bgp ${family} unicast ${prefix} json`);
  const path = route.ok ? (route.value as { paths?: PathJson[] }).paths?.[0] : undefined;
  if (path === undefined) return undefined;
  return { community: path.community?.string, largeCommunity: path.largeCommunity?.string };
}

/** Waits until every ToR has (or, with `present` false, no longer has) the prefix; returns the ms it took. */
export async function waitForRoute(
  lab: NodeLab,
  prefix: string,
  present: boolean,
  timeoutMs = 20_000,
): Promise<number> {
  const started = performance.now();
  const results = await Promise.all(
    lab.tors.map((tor) =>
      waitUntil(
        async () => {
          const route = await routeAt(tor, prefix);
          return (route !== undefined) === present
            ? { done: true, value: route }
            : { done: false, why: `${prefix} ${present ? 'absent' : 'still present'}` };
        },
        { timeoutMs, intervalMs: 20 },
      ),
    ),
  );
  for (const r of results) if (!r.ok) throw new Error(r.last);
  return performance.now() - started;
}
