// The one function every part of ferry calls: a node's view of the cluster → the exact frr.conf its
// FRR must run. Used by the speaker, `ferry render`, `ferry explain` and the golden tests.
//   Config (validated resources) → announcementsForNode → frrModelForNode → renderer → text
import {
  announcementsForNode,
  peersForNode,
  type AnnounceOptions,
  type ServiceDecisionMemo,
  type AnnounceResult,
} from '../announce/index.js';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import type { Config, Peer } from '../config/types.js';
import { frrModelForNode } from '../frr/build-model.js';
import type { FrrRenderer } from '../frr/render.js';

export interface NodeView {
  readonly config: Config;
  readonly node: NodeInfo;
  readonly services: readonly ServiceInfo[];
  readonly endpointSlices: readonly EndpointSliceInfo[];
  readonly options?: AnnounceOptions & { readonly logLevel?: string };
  /** every known Node, for the layer 2 owner election; undefined = just `node` */
  readonly nodes?: readonly NodeInfo[];
  /** other nodes' addresses to run BFD with (layer 2 liveness) */
  readonly livenessPeers?: readonly string[];
  /** the liveness sessions administratively down (graceful layer 2 hand-over) */
  readonly livenessShutdown?: boolean;
}

export interface NodeFrrConfig {
  /** the frr.conf text */
  readonly text: string;
  /** the BGPPeers selected for this node */
  readonly peers: readonly Peer[];
  /** what is announced to which peer, and why not */
  readonly announce: AnnounceResult;
}

/** @param memo the caller's per-Service announce memo, when it renders again and again */
export function frrConfigForNode(
  view: NodeView,
  render: FrrRenderer,
  memo?: ServiceDecisionMemo,
): NodeFrrConfig {
  const announce = announcementsForNode(
    {
      config: view.config,
      node: view.node,
      services: view.services,
      endpointSlices: view.endpointSlices,
      options: view.options ?? {},
    },
    memo,
  );
  const peers = peersForNode(view.config, view.node);
  const model = frrModelForNode({
    peers,
    bfdProfiles: view.config.bfdProfiles,
    advertisements: announce.advertisements,
    ...(view.livenessPeers === undefined ? {} : { livenessPeers: view.livenessPeers }),
    ...(view.livenessShutdown === true ? { livenessShutdown: true } : {}),
    ...(view.options?.logLevel === undefined ? {} : { logLevel: view.options.logLevel }),
  });
  return { text: render(model), peers, announce };
}

/**
 * The Node object for `name` from the cluster objects; a node not among them (e.g. `ferry render`
 * with manifests that hold no Node) gets only the label Kubernetes always sets, so selectors on
 * `kubernetes.io/hostname` still work.
 */
export function nodeNamed(nodes: readonly NodeInfo[], name: string): { node: NodeInfo; found: boolean } {
  const node = nodes.find((n) => n.name === name);
  if (node !== undefined) return { node, found: true };
  return {
    node: { name, labels: { 'kubernetes.io/hostname': name }, networkUnavailable: false },
    found: false,
  };
}
