// The speaker's reconcile step, level-based and idempotent: the node's current view of the cluster
// (Resources) → the last valid Config + live Services/EndpointSlices/Node → desired frr.conf. An
// invalid configuration is reported and the last valid one stays in force, so nothing announced is
// withdrawn because someone applied a bad object; until a first valid Config exists nothing is
// applied at all (a restarted speaker leaves FRR as it is).
import type { AnnounceOptions, AnnounceResult, ServiceDecision } from '../announce/types.js';
import type { NodeInfo, ServiceInfo, SpeakerPodInfo } from '../api/cluster.js';
import type { Resources } from '../api/resources.js';
import { buildConfig } from '../config/build-config.js';
import { formatConfigError } from '../config/problem.js';
import type { Config, ConfigError, Peer } from '../config/types.js';
import type { DesiredConfig } from '../frr/apply/desired-config.js';
import type { FrrRenderer } from '../frr/render.js';
import type { ConfigurationVerdict } from '../k8s/configuration-state.js';
import { electL2Owners, mergeL2Results, type L2ElectionResult } from '../l2/election.js';
import { IncrementalNodeConfig, type ObjectChange } from '../node-pipeline/incremental-node.js';
import { nodeNamed } from '../node-pipeline/node-config.js';

export interface ReconcileOutcome {
  readonly configuration: ConfigurationVerdict;
  /** the Config rules' errors, each naming its object (for Events on those objects) */
  readonly configErrors: readonly ConfigError[];
  /** problems that do not reject the configuration (an unknown pool, a deprecated field) */
  readonly configWarnings: readonly ConfigError[];
  /** undefined while no valid Config was ever seen: FRR is left alone (rendered when first read) */
  readonly desiredConfig: string | undefined;
  /** the same, for the sync loop: rendered when applied, with the network edits since earlier ones */
  readonly desired: DesiredConfig | undefined;
  readonly peers: readonly Peer[];
  /** every decision, sorted (built when first read: O(Services); per Service see `decisionsOf`) */
  readonly announce: AnnounceResult | undefined;
  /** a Service (`namespace/name`) as last seen */
  service(key: string): ServiceInfo | undefined;
  /** one Service's (`namespace/name`) decisions, as in `announce` */
  decisionsOf(service: string): readonly ServiceDecision[];
  /** Services whose decisions may differ from the previous outcome's; 'all' after a full reconcile */
  readonly changedServices: ReadonlySet<string> | 'all';
  /** changes whenever `desiredConfig` may have */
  readonly desiredVersion: number;
  /** changes whenever the announce decisions may have (0 = none yet) */
  readonly announceVersion: number;
  /** the node's Node object was found among the inputs */
  readonly nodeKnown: boolean;
  /** the layer 2 owner election; undefined without a valid Config or without any L2Advertisement */
  readonly layer2: L2ElectionResult | undefined;
  /** changes whenever `layer2` may have */
  readonly layer2Version: number;
}

export interface ReconcilerOptions {
  readonly nodeName: string;
  readonly namespace: string;
  readonly render: FrrRenderer;
  readonly announceOptions?: AnnounceOptions;
  /** FRR `log stdout` level */
  readonly logLevel?: string;
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
   * The whole view (level-based). Recomputes what a Config, Node or option change affects; Services
   * and EndpointSlices that are the same objects as last time keep their decisions.
   * @param inputErrors problems found before the Config rules (e.g. a manifest failing its schema):
   *   they make the configuration Invalid just like Config errors, so a peer whose new version is
   *   unreadable keeps its last valid version instead of disappearing
   */
  reconcile(resources: Resources, inputErrors?: readonly string[]): ReconcileOutcome;
  /**
   * Services and EndpointSlices changed, nothing else: O(the change). Undefined until `reconcile`
   * has seen a valid Config (the caller reconciles fully then).
   */
  reconcileChanges(changes: readonly ObjectChange[]): ReconcileOutcome | undefined;
  /** The layer 2 election again with the same inputs (a node's liveness changed). */
  reelect(): ReconcileOutcome | undefined;
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

/** A value computed on first use. */
function lazy<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  let lastValid: Config | undefined;
  let lastValidText = '';
  const state = new IncrementalNodeConfig(options.render);
  const announceOptions = {
    ...options.announceOptions,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  };
  /** what the last full reconcile found besides the Services and EndpointSlices */
  let inputs:
    | {
        configuration: ConfigurationVerdict;
        configErrors: readonly ConfigError[];
        configWarnings: readonly ConfigError[];
        found: boolean;
        /** the nodes the layer 2 election runs over */
        nodes: readonly NodeInfo[];
      }
    | undefined;
  /** per Service (`namespace/name`): its own layer 2 election */
  const l2Parts = new Map<string, L2ElectionResult>();
  let l2Version = 0;
  let l2Inputs = '';

  const layer2Configured = () => lastValid !== undefined && lastValid.l2Advertisements.length > 0;

  /** what every Service's election reads besides the Service: taken once per election round */
  interface ElectionRound {
    readonly alive: ReadonlySet<string> | undefined;
    readonly speakerPods: readonly SpeakerPodInfo[];
  }

  const electOne = (key: string, round: ElectionRound): boolean => {
    const config = lastValid;
    const service = state.service(key);
    const before = l2Parts.get(key);
    if (config === undefined || inputs === undefined || service === undefined) {
      l2Parts.delete(key);
      return before !== undefined;
    }
    const part = electL2Owners({
      config,
      node: options.nodeName,
      nodes: inputs.nodes,
      alive: round.alive,
      speakerPods: round.speakerPods,
      services: [service],
      endpointSlices: state.slicesOf(key),
      ignoreExcludeLB: options.announceOptions?.ignoreExcludeLB === true,
      lbClass: options.announceOptions?.lbClass ?? '',
    });
    if (part.decisions.length === 0) l2Parts.delete(key);
    else l2Parts.set(key, part);
    return before !== undefined || part.decisions.length > 0;
  };

  const elect = (services: ReadonlySet<string> | 'all'): void => {
    if (!layer2Configured()) {
      if (l2Parts.size > 0) l2Version++;
      l2Parts.clear();
      return;
    }
    const round: ElectionRound = {
      alive: options.layer2Alive?.(),
      speakerPods: options.speakerPods?.() ?? [],
    };
    let changed = false;
    if (services === 'all') {
      l2Parts.clear();
      for (const service of state.allServices())
        changed = electOne(`${service.namespace}/${service.name}`, round) || changed;
      changed = true;
    } else for (const key of services) changed = electOne(key, round) || changed;
    if (changed) l2Version++;
  };

  const outcome = (changedServices: ReadonlySet<string> | 'all'): ReconcileOutcome => {
    const current = inputs;
    if (current === undefined) throw new Error('bug: reconcile outcome before the first reconcile');
    if (lastValid === undefined)
      return {
        configuration: current.configuration,
        configErrors: current.configErrors,
        configWarnings: current.configWarnings,
        desiredConfig: undefined,
        desired: undefined,
        peers: [],
        announce: undefined,
        service: () => undefined,
        decisionsOf: () => [],
        changedServices,
        desiredVersion: 0,
        announceVersion: 0,
        nodeKnown: current.found,
        layer2: undefined,
        layer2Version: l2Version,
      };
    const version = state.version();
    const snapshot = desiredSnapshot(state, version, state.textVersion());
    const announce = lazy(() => state.announceResult());
    const layer2 = lazy(() => (layer2Configured() ? mergeL2Results([...l2Parts.values()]) : undefined));
    return {
      configuration: current.configuration,
      configErrors: current.configErrors,
      configWarnings: current.configWarnings,
      get desiredConfig() {
        return snapshot.text();
      },
      desired: snapshot,
      peers: state.peers(),
      get announce() {
        return announce();
      },
      service: (key) => state.service(key),
      decisionsOf: (service) => state.decisionsOf(service),
      changedServices,
      desiredVersion: state.textVersion(),
      announceVersion: version,
      nodeKnown: current.found,
      get layer2() {
        return layer2();
      },
      layer2Version: l2Version,
    };
  };

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
        // Keep the same object while nothing changed: per-Service results are kept only for as long
        // as the Config object is the same.
        const text = JSON.stringify(built.config);
        if (text !== lastValidText) {
          lastValid = built.config;
          lastValidText = text;
        }
      }
      const { node, found } = nodeNamed(resources.nodes, options.nodeName);
      // standalone (no Node objects): this host alone, owning what it is eligible for
      const nodes = found ? resources.nodes : [...resources.nodes, node];
      inputs = { configuration, configErrors: built.errors, configWarnings: built.warnings, found, nodes };
      if (lastValid === undefined) return outcome('all');
      const change = state.rebuild(
        {
          config: lastValid,
          node,
          options: announceOptions,
          ...(layer2Configured() ? { livenessPeers: livenessPeersOf(resources.nodes, node) } : {}),
          ...(layer2Configured() && options.layer2Leaving?.() === true ? { livenessShutdown: true } : {}),
        },
        resources.services,
        resources.endpointSlices,
      );
      // the election runs over every Node and speaker pod: a change of any of them (or of the Config)
      // elects again
      const l2Now = `${lastValidText}\u0000${JSON.stringify(nodes)}\u0000${JSON.stringify(options.speakerPods?.() ?? [])}`;
      elect(l2Now === l2Inputs ? change.services : 'all');
      l2Inputs = l2Now;
      return outcome(change.services);
    },
    reconcileChanges(changes) {
      if (lastValid === undefined || inputs === undefined) return undefined;
      const change = state.change(changes);
      elect(change.services);
      return outcome(change.services);
    },
    reelect() {
      if (lastValid === undefined || inputs === undefined) return undefined;
      elect('all');
      return outcome(new Set());
    },
  };
}

/** The node state's current version as the sync loop takes it (see DesiredConfig). */
function desiredSnapshot(
  state: IncrementalNodeConfig,
  version: number,
  textVersion: number,
): DesiredConfig & { version: number } {
  let text: string | undefined;
  const snapshot = {
    version,
    text(): string {
      if (text !== undefined) return text;
      // Only the latest version can be rendered; the sync loop only ever renders the latest.
      if (state.textVersion() !== textVersion)
        throw new Error('bug: rendering a desired config that was replaced');
      text = state.text();
      return text;
    },
    networkEditsSince(base: DesiredConfig) {
      if (!snapshots.has(base) || state.version() !== version) return undefined;
      const from = snapshots.get(base);
      if (from === undefined || from.state !== state) return undefined;
      return state.networkEditsSince(from.version);
    },
    applied() {
      if (state.version() === version) state.forgetEditsThrough(version);
    },
    routers() {
      return state.textVersion() === textVersion ? state.routers() : undefined;
    },
  };
  snapshots.set(snapshot, { state, version });
  return snapshot;
}

const snapshots = new WeakMap<DesiredConfig, { state: IncrementalNodeConfig; version: number }>();
