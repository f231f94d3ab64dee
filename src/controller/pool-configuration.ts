// The controller's configuration: IPAddressPools and Communities as the API server sends them, and
// the Namespaces whose labels `serviceAllocation.namespaceSelectors` read → the pools, or the
// errors naming object and field. The objects go through the same checks as manifests (metadata,
// CRD schema with defaults: `loadObjects`) and then `buildConfig`, so `ferry render` and the
// controller cannot disagree about what is valid. Pure apart from the CRD validator it is given.
import type { CrdValidator } from '../api/crd-validator.js';
import type { ManifestError } from '../api/manifest-error.js';
import { loadObjects } from '../api/manifests.js';
import type { NamespaceInfo } from '../api/resources.js';
import { buildConfig } from '../config/build-config.js';
import type { ConfigError, Pool } from '../config/types.js';
import type { KubeObject } from '../k8s/kube-object.js';

export interface PoolConfiguration {
  readonly pools: readonly Pool[];
  /** empty when valid */
  readonly errors: readonly ConfigError[];
}

function asConfigError(error: ManifestError): ConfigError {
  return {
    object: error.object ?? { kind: 'object', namespace: '', name: error.file },
    field: error.field,
    message: error.message,
  };
}

export function poolConfiguration(
  inputs: {
    readonly ipAddressPools: readonly KubeObject[];
    readonly communities: readonly KubeObject[];
    readonly namespaces: readonly NamespaceInfo[];
  },
  namespace: string,
  validator: CrdValidator,
): PoolConfiguration {
  // List items from a real API server carry no apiVersion/kind: the informer knows what they are.
  const sourced = [
    ...inputs.ipAddressPools.map((object) => ({
      ...object,
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
    })),
    ...inputs.communities.map((object) => ({
      ...object,
      apiVersion: 'metallb.io/v1beta1',
      kind: 'Community',
    })),
  ].map((object) => ({
    source: 'apiserver',
    position: `${object.kind} ${object.metadata.name ?? ''}`,
    object,
  }));
  const loaded = loadObjects(sourced, validator, { defaultNamespace: namespace });
  const built = buildConfig({ ...loaded.resources, namespaces: inputs.namespaces }, { namespace });
  return { pools: built.config.pools, errors: [...loaded.errors.map(asConfigError), ...built.errors] };
}
