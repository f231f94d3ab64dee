// The controller's configuration inputs as the API server sends them (IPAddressPool, Community,
// Namespace) → the typed resources `buildConfig` reads. The API server has already checked the CRD
// schema and applied its defaults; the defaults are applied again here so an object written by an
// older server without them reads the same.
import { toNamespaceInfo } from '../api/cluster-objects.js';
import type {
  CommunityResource,
  IPAddressPoolResource,
  IPAddressPoolSpec,
  ObjectMeta,
} from '../api/metallb.js';
import type { NamespaceInfo } from '../api/resources.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { isRecord } from '../k8s/kube-object.js';

function metaOf(object: KubeObject): ObjectMeta {
  const { metadata } = object;
  return {
    name: metadata.name ?? '',
    namespace: metadata.namespace ?? '',
    labels: { ...(metadata.labels ?? {}) },
    annotations: { ...(metadata.annotations ?? {}) },
    ...(metadata.uid !== undefined ? { uid: metadata.uid } : {}),
    ...(metadata.resourceVersion !== undefined ? { resourceVersion: metadata.resourceVersion } : {}),
  };
}

function specOf(object: KubeObject): Record<string, unknown> {
  return isRecord(object.spec) ? object.spec : {};
}

export function toIpAddressPool(object: KubeObject): IPAddressPoolResource {
  const spec = specOf(object);
  const addresses = Array.isArray(spec.addresses)
    ? spec.addresses.filter((entry): entry is string => typeof entry === 'string')
    : [];
  const typed: IPAddressPoolSpec = {
    addresses,
    autoAssign: typeof spec.autoAssign === 'boolean' ? spec.autoAssign : true,
    avoidBuggyIPs: typeof spec.avoidBuggyIPs === 'boolean' ? spec.avoidBuggyIPs : false,
    ...(isRecord(spec.serviceAllocation)
      ? { serviceAllocation: spec.serviceAllocation as IPAddressPoolSpec['serviceAllocation'] }
      : {}),
  };
  return { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: metaOf(object), spec: typed };
}

export function toCommunity(object: KubeObject): CommunityResource {
  const spec = specOf(object);
  const communities = Array.isArray(spec.communities)
    ? spec.communities.filter(isRecord).map((entry) => ({
        ...(typeof entry.name === 'string' ? { name: entry.name } : {}),
        ...(typeof entry.value === 'string' ? { value: entry.value } : {}),
      }))
    : [];
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'Community',
    metadata: metaOf(object),
    spec: { communities },
  };
}

export function toNamespace(object: KubeObject): NamespaceInfo {
  return toNamespaceInfo(object).value;
}
