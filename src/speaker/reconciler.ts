// The speaker's reconcile step, level-based and idempotent: the node's current view of the cluster
// (Resources) → the last valid Config + live Services/EndpointSlices/Node → desired frr.conf. An
// invalid configuration is reported and the last valid one stays in force, so nothing announced is
// withdrawn because someone applied a bad object; until a first valid Config exists nothing is
// applied at all (a restarted speaker leaves FRR as it is).
import { ServiceDecisionMemo } from '../announce/service-decision-memo.js';
import type { AnnounceOptions, AnnounceResult } from '../announce/types.js';
import type { Resources } from '../api/resources.js';
import { buildConfig } from '../config/build-config.js';
import { formatConfigError } from '../config/problem.js';
import type { Config, ConfigError, Peer } from '../config/types.js';
import type { FrrRenderer } from '../frr/render.js';
import type { ConfigurationVerdict } from '../k8s/configuration-state.js';
import { frrConfigForNode, nodeNamed } from '../node-pipeline/node-config.js';

export interface ReconcileOutcome {
  readonly configuration: ConfigurationVerdict;
  /** the Config rules' errors, each naming its object (for Events on those objects) */
  readonly configErrors: readonly ConfigError[];
  /** undefined while no valid Config was ever seen: FRR is left alone */
  readonly desiredConfig: string | undefined;
  readonly peers: readonly Peer[];
  readonly announce: AnnounceResult | undefined;
  /** the node's Node object was found among the inputs */
  readonly nodeKnown: boolean;
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
      if (lastValid === undefined) {
        return {
          configuration,
          configErrors: built.errors,
          desiredConfig: undefined,
          peers: [],
          announce: undefined,
          nodeKnown: found,
        };
      }
      const rendered = frrConfigForNode(
        {
          config: lastValid,
          node,
          services: resources.services,
          endpointSlices: resources.endpointSlices,
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
        desiredConfig: rendered.text,
        peers: rendered.peers,
        announce: rendered.announce,
        nodeKnown: found,
      };
    },
  };
}
