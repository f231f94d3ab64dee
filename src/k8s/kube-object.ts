// The JSON shape every Kubernetes object shares, as the API server sends it. Informers and writers
// keep objects in this raw form; typed views come from the converters in src/api.
import type { V1OwnerReference } from '@kubernetes/client-node';

/** client-node's type: all plain strings and booleans, the same in JSON and in its models. */
export type OwnerReference = V1OwnerReference;

/** The metadata fields ferry reads or writes; the server's objects carry more. */
export interface ObjectMeta {
  namespace?: string;
  name?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** The reference an Event or a log line uses to name an object. */
export interface ObjectReference {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether untrusted JSON has at least the `metadata` object every Kubernetes object carries. */
export function isKubeObject(value: unknown): value is KubeObject {
  return isRecord(value) && isRecord(value.metadata);
}

/** `namespace/name`, or `name` for cluster-scoped objects: the cache key informers use. */
export function objectKey(object: { metadata: ObjectMeta }): string {
  const { namespace, name = '' } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** The ownerReference a per-node status object carries so it goes away with the speaker pod. */
export function podOwnerReference(pod: { name: string; uid: string }): OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid };
}
