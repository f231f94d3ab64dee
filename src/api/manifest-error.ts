// A problem found while reading manifests: which file, which object (when known) and which field.
import { describeObject, type ObjectRef } from '../util/object-ref.js';

export interface ManifestError {
  readonly file: string;
  /** undefined when the problem is not inside an identifiable object (YAML syntax, missing kind) */
  readonly object: ObjectRef | undefined;
  readonly field: string;
  readonly message: string;
}

/** `deploy/x.yaml: BGPPeer metallb-system/tor1: spec.peerPort: must be at most 16384, got 20000` */
export function formatManifestError(error: ManifestError): string {
  const parts = [error.file];
  if (error.object !== undefined) parts.push(describeObject(error.object));
  if (error.field !== '') parts.push(error.field);
  parts.push(error.message);
  return parts.join(': ');
}
