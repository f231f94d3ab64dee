// Which Kubernetes object a message is about. Every error ferry reports names its object this way,
// from manifest reading (src/api) to validation (src/config) to status.

export interface ObjectRef {
  readonly kind: string;
  /** empty for cluster-scoped objects */
  readonly namespace: string;
  readonly name: string;
}

/** `BGPPeer metallb-system/tor1` */
export function describeObject(object: ObjectRef): string {
  return object.namespace === ''
    ? `${object.kind} ${object.name}`
    : `${object.kind} ${object.namespace}/${object.name}`;
}
