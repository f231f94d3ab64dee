// Manifests (already loaded into Resources) → one node's view, or every problem found on the way,
// formatted for a user. Shared by `ferry render`, `ferry explain` and the golden tests.
import type { Resources } from '../api/resources.js';
import type { LoadResult } from '../api/manifests.js';
import { formatManifestError } from '../api/manifest-error.js';
import { buildConfig } from '../config/build-config.js';
import { formatConfigError } from '../config/problem.js';
import { nodeNamed, type NodeView } from './node-config.js';

export interface ManifestViewOptions {
  /** ferry's namespace (MetalLB's `metallb-system`) */
  readonly namespace: string;
  readonly nodeName: string;
  readonly ignoreExcludeLB?: boolean;
  /** `--lb-class`; '' or absent = Services without spec.loadBalancerClass */
  readonly lbClass?: string;
}

export interface ManifestView {
  /** undefined when any error was found: `ferry render` prints nothing rather than a partial config */
  readonly view: NodeView | undefined;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

export function nodeViewFromManifests(loaded: LoadResult, options: ManifestViewOptions): ManifestView {
  const built = buildConfig(loaded.resources, { namespace: options.namespace });
  const errors = [...loaded.errors.map(formatManifestError), ...built.errors.map(formatConfigError)];
  const warnings = [...loaded.warnings.map(formatManifestError), ...built.warnings.map(formatConfigError)];
  const { node, found } = nodeNamed(loaded.resources.nodes, options.nodeName);
  if (!found)
    warnings.push(
      `Node ${options.nodeName} is not in the manifests; rendering it with no labels but kubernetes.io/hostname`,
    );
  if (errors.length > 0) return { view: undefined, errors, warnings };
  return {
    view: viewOf(loaded.resources, built.config, node, options),
    errors,
    warnings,
  };
}

function viewOf(
  resources: Resources,
  config: NodeView['config'],
  node: NodeView['node'],
  options: ManifestViewOptions,
): NodeView {
  return {
    config,
    node,
    services: resources.services,
    endpointSlices: resources.endpointSlices,
    // Without Node objects (a single host, or manifests without Nodes) the node is alone.
    nodes: resources.nodes.some((known) => known.name === node.name)
      ? resources.nodes
      : [...resources.nodes, node],
    options: { ignoreExcludeLB: options.ignoreExcludeLB === true, lbClass: options.lbClass ?? '' },
  };
}
