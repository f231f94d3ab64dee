// Who answers ARP/NDP for each L2 Service IP: every speaker computes the same owner from the same
// inputs, without talking to the others (MetalLB's layer2 `ShouldAnnounce` without leases).
// Eligible nodes: alive, not NetworkUnavailable, not labeled exclude-from-external-load-balancers,
// selected by an L2Advertisement of the Service's pool, and for externalTrafficPolicy Local with a
// ready local endpoint. They are ordered by SHA-256 of `node + "#" + ip` (ip: the Service's first
// ingress IP, canonical) and the first one owns every IP of the Service, so a cluster moving from
// MetalLB keeps each owner.
import { createHash } from 'node:crypto';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo, SpeakerPodInfo } from '../api/cluster.js';
import { hasServingEndpoint } from '../announce/endpoints.js';
import { handlesService } from '../api/load-balancer-class.js';
import { poolLookup } from '../announce/pool-lookup.js';
import { EXCLUDE_BALANCERS_LABEL } from '../announce/should-announce.js';
import type { WithdrawReason } from '../announce/types.js';
import { anySelectorMatches } from '../config/selector.js';
import type { Config, L2Advertisement } from '../config/types.js';
import { parseIp, type ParsedIp } from '../net/ip.js';
import type { OwnedAddress } from './owned.js';

export interface L2ElectionInput {
  readonly config: Config;
  /** the node this speaker runs on */
  readonly node: string;
  /** every Node of the cluster */
  readonly nodes: readonly NodeInfo[];
  /**
   * nodes whose speaker is known alive (BFD between the nodes); undefined = no such source. Either
   * way a Node whose Ready condition is not True is not alive (the slower Kubernetes fallback).
   */
  readonly alive: ReadonlySet<string> | undefined;
  /**
   * the speaker DaemonSet's pods (Kubernetes' view of which speakers run): when there are any, a node
   * without a Ready one is no candidate (a crashed speaker on a live node, whose BFD stays up). For
   * this node, a pod being deleted does not count (this speaker hands over under its own control),
   * and a restarted one waits for its pod to be Ready like every other speaker does.
   */
  readonly speakerPods?: readonly SpeakerPodInfo[];
  /** every Service; those of another loadBalancerClass (see lbClass) are not ferry's */
  readonly services: readonly ServiceInfo[];
  readonly endpointSlices: readonly EndpointSliceInfo[];
  /** MetalLB's `--ignore-exclude-lb` */
  readonly ignoreExcludeLB?: boolean;
  /** ferry's `--lb-class` ('' = Services without a class), as for BGP */
  readonly lbClass?: string;
}

/** Why a node is not a candidate for a Service. */
export type NodeExclusion =
  | 'notAlive'
  | 'speakerNotReady'
  | 'nodeNetworkUnavailable'
  | 'nodeLabeledExcludeBalancers'
  | 'notSelected'
  | 'noLocalEndpoints';

export interface L2Decision {
  readonly namespace: string;
  readonly name: string;
  /** canonical, in status order; the first one decides the order of candidates */
  readonly ips: readonly string[];
  readonly pool: string;
  /** this node owns the Service's IPs */
  readonly announced: boolean;
  /** '' when announced */
  readonly reason: WithdrawReason | '';
  /** a sentence for `ferry explain` */
  readonly detail: string;
  /** undefined when no node is eligible */
  readonly owner: string | undefined;
  /** eligible nodes in MetalLB's order; the first is the owner */
  readonly candidates: readonly string[];
  /** the other known nodes and why each is not a candidate; sorted by node */
  readonly excluded: ReadonlyArray<{ readonly node: string; readonly why: NodeExclusion }>;
  /** interfaces this node answers on; undefined = every suitable interface */
  readonly interfaces: readonly string[] | undefined;
}

export interface L2ElectionResult {
  /** Services whose pool has an L2Advertisement, sorted by namespace/name */
  readonly decisions: readonly L2Decision[];
  /** the addresses this node answers for, sorted by IP text */
  readonly owned: readonly OwnedAddress[];
}

/** SHA-256 of `node#ip`: MetalLB's per-IP order of nodes. */
export function electionKey(node: string, ip: string): Buffer {
  return createHash('sha256').update(`${node}#${ip}`).digest();
}

/** Candidates sorted as MetalLB sorts them (bytewise by electionKey). */
export function orderCandidates(nodes: readonly string[], ip: string): string[] {
  return nodes
    .map((node) => ({ node, key: electionKey(node, ip) }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ node }) => node);
}

const EXCLUSION_TEXT: Record<NodeExclusion, string> = {
  notAlive: 'speaker not alive',
  speakerNotReady: 'no Ready speaker pod',
  nodeNetworkUnavailable: 'NetworkUnavailable',
  nodeLabeledExcludeBalancers: `labeled ${EXCLUDE_BALANCERS_LABEL}`,
  notSelected: 'not selected by the nodeSelectors',
  noLocalEndpoints: 'no ready local endpoint',
};

/**
 * Nodes whose speaker Kubernetes says is not running: no Ready pod on them (for `self`: its pods
 * are neither Ready nor being deleted). Empty when no speaker pod is known (standalone mode).
 */
export function speakerPodsNotReady(
  pods: readonly SpeakerPodInfo[] | undefined,
  nodes: readonly NodeInfo[],
  self: string,
): ReadonlySet<string> {
  if (pods === undefined || pods.length === 0) return new Set();
  const ready = new Set(pods.filter((pod) => pod.ready).map((pod) => pod.nodeName));
  const leaving = new Set(pods.filter((pod) => pod.deleting).map((pod) => pod.nodeName));
  return new Set(
    nodes
      .map((node) => node.name)
      .filter((node) => !ready.has(node) && !(node === self && leaving.has(node))),
  );
}

function exclusionOf(
  node: NodeInfo,
  advertisements: readonly L2Advertisement[],
  service: ServiceInfo,
  slices: readonly EndpointSliceInfo[],
  input: L2ElectionInput,
  speakersNotReady: ReadonlySet<string>,
): NodeExclusion | undefined {
  if (node.ready === false || (input.alive !== undefined && !input.alive.has(node.name))) return 'notAlive';
  if (speakersNotReady.has(node.name)) return 'speakerNotReady';
  if (node.networkUnavailable) return 'nodeNetworkUnavailable';
  if (input.ignoreExcludeLB !== true && Object.hasOwn(node.labels, EXCLUDE_BALANCERS_LABEL))
    return 'nodeLabeledExcludeBalancers';
  if (!advertisements.some((advertisement) => anySelectorMatches(advertisement.nodeSelectors, node.labels)))
    return 'notSelected';
  if (service.externalTrafficPolicy === 'Local' && !hasServingEndpoint(slices, node.name))
    return 'noLocalEndpoints';
  return undefined;
}

/** MetalLB's ipAdvertisementFor: the union of interfaces of the advertisements selecting the node. */
function interfacesFor(
  node: NodeInfo | undefined,
  advertisements: readonly L2Advertisement[],
): string[] | undefined {
  const selecting = advertisements.filter(
    (advertisement) => node !== undefined && anySelectorMatches(advertisement.nodeSelectors, node.labels),
  );
  if (selecting.some((advertisement) => advertisement.interfaces.length === 0)) return undefined;
  return [...new Set(selecting.flatMap((advertisement) => advertisement.interfaces))].sort();
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function electL2Owners(input: L2ElectionInput): L2ElectionResult {
  const poolFor = poolLookup(input.config.pools);
  const byPool = new Map<string, L2Advertisement[]>();
  for (const advertisement of input.config.l2Advertisements)
    for (const pool of advertisement.pools) byPool.set(pool, [...(byPool.get(pool) ?? []), advertisement]);
  const slicesByService = new Map<string, EndpointSliceInfo[]>();
  for (const slice of input.endpointSlices) {
    const key = `${slice.namespace}/${slice.serviceName}`;
    slicesByService.set(key, [...(slicesByService.get(key) ?? []), slice]);
  }
  const self = input.nodes.find((node) => node.name === input.node);
  const speakersNotReady = speakerPodsNotReady(input.speakerPods, input.nodes, input.node);
  const decisions: L2Decision[] = [];
  const owned = new Map<string, { ip: ParsedIp; interfaces: Set<string> | undefined }>();

  const services = [...input.services].sort(
    (a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name),
  );
  for (const service of services) {
    if (service.type !== 'LoadBalancer' || service.ingressIPs.length === 0) continue;
    if (!handlesService(service, input.lbClass ?? '')) continue; // another load balancer's
    const parsed = service.ingressIPs.map((text) => parseIp(text));
    if (parsed.some((ip) => ip === undefined)) continue; // BGP's decision reports invalidIP
    const ips = [...new Map((parsed as ParsedIp[]).map((ip) => [ip.text, ip])).values()];
    const pool = poolFor(ips);
    const advertisements = pool === undefined ? [] : (byPool.get(pool.name) ?? []);
    if (pool === undefined || advertisements.length === 0) continue;
    const slices = slicesByService.get(`${service.namespace}/${service.name}`) ?? [];
    const base = {
      namespace: service.namespace,
      name: service.name,
      ips: ips.map((ip) => ip.text),
      pool: pool.name,
    };
    const first = ips[0]?.text ?? '';

    const eligible: string[] = [];
    const excluded: Array<{ node: string; why: NodeExclusion }> = [];
    for (const node of input.nodes) {
      const why = exclusionOf(node, advertisements, service, slices, input, speakersNotReady);
      if (why === undefined) eligible.push(node.name);
      else excluded.push({ node: node.name, why });
    }
    excluded.sort((a, b) => compareText(a.node, b.node));
    const candidates = orderCandidates(eligible, first);
    const owner = candidates[0];
    const election = { owner, candidates, excluded };

    if (!hasServingEndpoint(slices)) {
      decisions.push({
        ...base,
        ...election,
        owner: undefined,
        candidates: [],
        announced: false,
        reason: 'noEndpoints',
        detail: 'No endpoint of the Service is ready or serving on any node, so no node answers for it.',
        interfaces: undefined,
      });
      continue;
    }
    if (owner === input.node) {
      const interfaces = interfacesFor(self, advertisements);
      decisions.push({
        ...base,
        ...election,
        announced: true,
        reason: '',
        detail: `Owner among ${candidates.length} eligible node(s); answering ARP/NDP on ${
          interfaces === undefined ? 'every suitable interface' : interfaces.join(', ')
        }.`,
        interfaces,
      });
      for (const ip of ips) {
        const known = owned.get(ip.text);
        const merged =
          known === undefined
            ? interfaces === undefined
              ? undefined
              : new Set(interfaces)
            : known.interfaces === undefined || interfaces === undefined
              ? undefined
              : new Set([...known.interfaces, ...interfaces]);
        owned.set(ip.text, { ip, interfaces: merged });
      }
      continue;
    }
    const mine = excluded.find((entry) => entry.node === input.node);
    const detail =
      owner === undefined
        ? 'No node is eligible to answer for it.'
        : mine !== undefined
          ? `Node ${input.node} is not eligible (${EXCLUSION_TEXT[mine.why]}); ${owner} answers for it.`
          : self === undefined
            ? `Node ${input.node} is not a known Node; ${owner} answers for it.`
            : `${owner} comes first in the order of eligible nodes (${candidates.join(', ')}) and answers for it.`;
    decisions.push({
      ...base,
      ...election,
      announced: false,
      reason: 'notOwner',
      detail,
      interfaces: undefined,
    });
  }
  return {
    decisions,
    owned: [...owned.values()]
      .sort((a, b) => compareText(a.ip.text, b.ip.text))
      .map(({ ip, interfaces }) => ({ ip, interfaces })),
  };
}

/** `ferry explain` lines for the L2 decisions. */
export function explainL2(decisions: readonly L2Decision[]): string {
  return decisions
    .map((decision) => {
      const head = `${decision.namespace}/${decision.name} ${decision.ips.join(', ')} (layer2, pool ${decision.pool})`;
      const status = decision.announced ? 'announced' : `not announced (${decision.reason})`;
      const lines = [`${head}: ${status}. ${decision.detail}`];
      if (decision.owner !== undefined)
        lines.push(`  owner ${decision.owner}; candidates in order: ${decision.candidates.join(', ')}`);
      for (const { node, why } of decision.excluded) lines.push(`  ${node}: not a candidate (${why})`);
      return lines.join('\n');
    })
    .join('\n');
}

/**
 * The election over several sets of Services from the elections over each set (same Config, nodes
 * and liveness): what `electL2Owners` gives for their union, so a caller can re-elect one Service.
 */
export function mergeL2Results(parts: Iterable<L2ElectionResult>): L2ElectionResult {
  const decisions: L2Decision[] = [];
  const owned = new Map<string, { ip: ParsedIp; interfaces: ReadonlySet<string> | undefined }>();
  for (const part of parts) {
    decisions.push(...part.decisions);
    for (const address of part.owned) {
      const known = owned.get(address.ip.text);
      const interfaces =
        known === undefined
          ? address.interfaces
          : known.interfaces === undefined || address.interfaces === undefined
            ? undefined
            : new Set([...known.interfaces, ...address.interfaces]);
      owned.set(address.ip.text, { ip: address.ip, interfaces });
    }
  }
  return {
    decisions: decisions.sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name)),
    owned: [...owned.values()].sort((a, b) => compareText(a.ip.text, b.ip.text)),
  };
}
