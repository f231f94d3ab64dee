// Per node, what its speaker should do with a Service: the same decision the speaker runs
// (src/node-pipeline/node-config.ts: announcementsForNode over the node's view), reduced to this Service.
// A node section has one part per announcement mode: `bgp`, and `l2` (owner and candidates, from
// the speakers' own election) when an L2Advertisement covers the Service's pool.
import type { NodeInfo, ServiceInfo } from '../api/cluster.js';
import { communityText } from '../config/community.js';
import type { ServiceDecision } from '../announce/types.js';
import type { Peer } from '../config/types.js';
import { electL2Owners, type L2Decision } from '../l2/election.js';
import { frrConfigForNode, type NodeView } from '../node-pipeline/node-config.js';
import type { ClusterSnapshot } from './snapshot.js';

/** One prefix of the Service going to one peer, with the attributes the peer receives. */
export interface BgpRoute {
  readonly prefix: string;
  /** BGPPeer name */
  readonly peer: string;
  readonly communities: readonly string[];
  /** 0 = unset */
  readonly localPref: number;
  readonly advertisements: readonly string[];
}

export interface BgpNodePart {
  /** the speaker's decision per Service IP (MetalLB's reason when not announced) */
  readonly decisions: readonly ServiceDecision[];
  readonly routes: readonly BgpRoute[];
  /** the BGPPeers this node has sessions with */
  readonly peers: readonly Peer[];
}

export interface NodeSection {
  readonly node: string;
  readonly bgp: BgpNodePart;
  /**
   * the layer 2 election as this node's speaker runs it; undefined when no L2Advertisement covers
   * the Service. Liveness is the Nodes' Ready condition: the speakers' BFD between the nodes is
   * not visible from the API.
   */
  readonly l2: L2Decision | undefined;
}

export interface ViewOptions {
  readonly lbClass: string;
  readonly ignoreExcludeLB: boolean;
}

/** The node's view of the live cluster: what its speaker (with the same objects) sees. */
export function nodeViewOf(snapshot: ClusterSnapshot, node: NodeInfo, options: ViewOptions): NodeView {
  return {
    config: snapshot.config,
    node,
    // every Service, as the speaker sees them: one of another class gets its reason
    // (otherLoadBalancerClass) from the same decision the speaker makes
    services: snapshot.resources.services,
    endpointSlices: snapshot.resources.endpointSlices,
    options: { ignoreExcludeLB: options.ignoreExcludeLB, lbClass: options.lbClass },
  };
}

export function nodeSections(
  snapshot: ClusterSnapshot,
  service: Pick<ServiceInfo, 'namespace' | 'name'>,
  options: ViewOptions,
): NodeSection[] {
  return [...snapshot.resources.nodes]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((node) => {
      // the speaker's own pipeline; only the frr.conf text is not needed here
      const { announce: result, peers } = frrConfigForNode(nodeViewOf(snapshot, node, options), () => '');
      const decisions = result.decisions.filter(
        (d) => d.namespace === service.namespace && d.name === service.name,
      );
      const attributes = new Map(result.advertisements.map((ad) => [`${ad.prefix} ${ad.peer}`, ad]));
      const routes = decisions.flatMap((decision) =>
        decision.routes.map((route) => {
          const sent = attributes.get(`${route.prefix} ${route.peer}`);
          return {
            prefix: route.prefix,
            peer: route.peer,
            communities: (sent?.communities ?? []).map(communityText),
            localPref: sent?.localPref ?? 0,
            advertisements: route.advertisements,
          };
        }),
      );
      const l2 = electL2Owners({
        config: snapshot.config,
        node: node.name,
        nodes: snapshot.resources.nodes,
        alive: undefined,
        services: snapshot.resources.services.filter(
          (s) => s.namespace === service.namespace && s.name === service.name,
        ),
        endpointSlices: snapshot.resources.endpointSlices,
        ignoreExcludeLB: options.ignoreExcludeLB,
        lbClass: options.lbClass,
      }).decisions[0];
      return { node: node.name, bgp: { decisions, routes, peers }, l2 };
    });
}
