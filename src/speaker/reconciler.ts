// The speaker's reconcile step, level-based and idempotent: the node's current view of the cluster
// (Resources) → the last valid Config + live Services/EndpointSlices/Node → desired frr.conf. An
// invalid configuration is reported and the last valid one stays in force, so nothing announced is
// withdrawn because someone applied a bad object; until a first valid Config exists nothing is
// applied at all (a restarted speaker leaves FRR as it is).
import { ServiceDecisionMemo } from '../announce/service-decision-memo.js';
import type { AnnounceOptions, AnnounceResult } from '../announce/types.js';
import type { NodeInfo, SpeakerPodInfo } from '../api/cluster.js';
import type { Resources } from '../api/resources.js';
import { buildConfig } from '../config/build-config.js';
import { formatConfigError } from '../config/problem.js';
import type { Config, ConfigError, Peer } from '../config/types.js';
import type { FrrRenderer } from '../frr/render.js';
import type { ConfigurationVerdict } from '../k8s/configuration-state.js';
import { electL2Owners, type L2ElectionResult } from '../l2/election.js';
import { frrConfigForNode, nodeNamed } from '../node-pipeline/node-config.js';

export interface ReconcileOutcome {
  readonly configuration: ConfigurationVerdict;
  /** the Config rules' errors, each naming its object (for Events on those objects) */
  readonly configErrors: readonly ConfigError[];
  /** problems that do not reject the configuration (an unknown pool, a deprecated field) */
  readonly configWarnings: readonly ConfigError[];
  /** undefined while no valid Config was ever seen: FRR is left alone */
  readonly desiredConfig: string | undefined;
  readonly peers: readonly Peer[];
  readonly announce: AnnounceResult | undefined;
  /** the node's Node object was found among the inputs */
  readonly nodeKnown: boolean;
  /** the layer 2 owner election; undefined without a valid Config or without any L2Advertisement */
  readonly layer2: L2ElectionResult | undefined;
}

export interface ReconcilerOptions {
  readonly nodeName: string;
  readonly namespace: string;
  readonly render: FrrRenderer;
  readonly announceOptions?: AnnounceOptions;
  /** FRR `log stdout` level */
  readonly logLevel?: string;
  /**
   * Per-Service announce decisions kept across reconciles; the reconciler creates its own when not
   * given (pass one to read its counters)
   */
  readonly announceMemo?: ServiceDecisionMemo;
  /** nodes whose speaker is known alive (layer 2 election); undefined or returning undefined = no source */
  readonly layer2Alive?: () => ReadonlySet<string> | undefined;
  /**
   * true while this speaker hands its layer 2 IPs over before stopping: its liveness BFD sessions are
   * rendered administratively down, so the other nodes count it out at once
   */
  readonly layer2Leaving?: () => boolean;
  /** the speaker DaemonSet's pods (in a cluster): a node without a Ready one is no layer 2 candidate */
  readonly speakerPods?: () => readonly SpeakerPodInfo[];
}

export interface Reconciler {
  /**
   * @param inputErrors problems found before the Config rules (e.g. a manifest failing its schema):
   *   they make the configuration Invalid just like Config errors, so a peer whose new version is
   *   unreadable keeps its last valid version instead of disappearing
   */
  reconcile(resources: Resources, inputErrors?: readonly string[]): ReconcileOutcome;
  lastValidConfig(): Config | undefined;
}

/**
 * The other nodes' first InternalIP of this node's family: layer 2 runs a BFD session to each (N-1
 * sessions per node), so a node that fails hard is known dead within BFD's detection time.
 */
export function livenessPeersOf(nodes: readonly NodeInfo[], self: NodeInfo): string[] {
  const own = self.internalIPs?.[0];
  if (own === undefined) return [];
  const family = own.includes(':');
  return nodes.flatMap((other) => {
    if (other.name === self.name) return [];
    const address = other.internalIPs?.find((ip) => ip.includes(':') === family);
    return address === undefined ? [] : [address];
  });
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  let lastValid: Config | undefined;
  let lastValidText = '';
  // Per-Service decisions, reused while the Config, the Node and the Service's objects stay the same.
  const memo = options.announceMemo ?? new ServiceDecisionMemo();
  return {
    lastValidConfig: () => lastValid,
    reconcile(resources, inputErrors = []) {
      const built = buildConfig(resources, { namespace: options.namespace });
      const errors = [...inputErrors, ...built.errors.map(formatConfigError)];
      const configuration: ConfigurationVerdict =
        errors.length === 0
          ? { result: 'Valid', errorSummary: '' }
          : { result: 'Invalid', errorSummary: errors.join('; ') };
      if (errors.length === 0) {
        // Keep the same object while nothing changed: the memo keeps per-Service results only for
        // as long as the Config object is the same.
        const text = JSON.stringify(built.config);
        if (text !== lastValidText) {
          lastValid = built.config;
          lastValidText = text;
        }
      }
      const { node, found } = nodeNamed(resources.nodes, options.nodeName);
      const layer2 = lastValid !== undefined && lastValid.l2Advertisements.length > 0;
      if (lastValid === undefined) {
        return {
          configuration,
          configErrors: built.errors,
          configWarnings: built.warnings,
          desiredConfig: undefined,
          peers: [],
          announce: undefined,
          nodeKnown: found,
          layer2: undefined,
        };
      }
      const rendered = frrConfigForNode(
        {
          config: lastValid,
          node,
          services: resources.services,
          endpointSlices: resources.endpointSlices,
          ...(layer2 ? { livenessPeers: livenessPeersOf(resources.nodes, node) } : {}),
          ...(layer2 && options.layer2Leaving?.() === true ? { livenessShutdown: true } : {}),
          options: {
            ...options.announceOptions,
            ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
          },
        },
        options.render,
        memo,
      );
      return {
        configuration,
        configErrors: built.errors,
        configWarnings: built.warnings,
        desiredConfig: rendered.text,
        peers: rendered.peers,
        announce: rendered.announce,
        nodeKnown: found,
        layer2: !layer2
          ? undefined
          : electL2Owners({
              config: lastValid,
              node: options.nodeName,
              // standalone (no Node objects): this host alone, owning what it is eligible for
              nodes: found ? resources.nodes : [...resources.nodes, node],
              alive: options.layer2Alive?.(),
              speakerPods: options.speakerPods?.() ?? [],
              services: resources.services,
              endpointSlices: resources.endpointSlices,
              ignoreExcludeLB: options.announceOptions?.ignoreExcludeLB === true,
              lbClass: options.announceOptions?.lbClass ?? '',
            }),
      };
    },
  };
}
