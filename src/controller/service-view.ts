// The controller's view of each Service: the informer's copy, or — until the watch catches up — the
// object the API server returned for the controller's own last write. Deciding on the informer's
// older copy right after a write would release and re-allocate addresses the controller has just
// written (an IP flapping between two Services), so the newer of the two always wins.
import type { ServiceInfo } from '../api/cluster.js';
import { metallbAnnotations, toServiceInfo } from '../api/cluster-objects.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { objectKey } from '../k8s/kube-object.js';

export interface ServiceObject {
  /**
   * What the writer and the Events read of the object itself: identity, resourceVersion, MetalLB's
   * annotations and status.loadBalancer. The rest of the API server's object (spec, managedFields,
   * other annotations such as kubectl's last-applied copy) is decoded into `info` and dropped:
   * keeping whole objects was half of the controller's heap at 10,000 Services.
   */
  readonly raw: KubeObject;
  readonly info: ServiceInfo;
}

function trimmed(raw: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, annotations } = raw.metadata;
  const status = raw.status as { loadBalancer?: unknown } | undefined;
  return {
    ...(raw.apiVersion === undefined ? {} : { apiVersion: raw.apiVersion }),
    ...(raw.kind === undefined ? {} : { kind: raw.kind }),
    metadata: {
      ...(name === undefined ? {} : { name }),
      ...(namespace === undefined ? {} : { namespace }),
      ...(uid === undefined ? {} : { uid }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      ...(annotations === undefined ? {} : { annotations: metallbAnnotations(annotations) }),
    },
    ...(status?.loadBalancer === undefined ? {} : { status: { loadBalancer: status.loadBalancer } }),
  };
}

export function decodeService(raw: KubeObject): ServiceObject {
  return { raw: trimmed(raw), info: toServiceInfo(raw).value };
}

/**
 * Whether resourceVersion `seen` is at least `written`. Kubernetes calls resourceVersions opaque;
 * every API server in practice uses increasing integers (etcd revisions), and only then are they
 * compared. Otherwise only the very version written counts as caught up.
 */
export function caughtUp(seen: string | undefined, written: string | undefined): boolean {
  if (seen === undefined || written === undefined) return true;
  if (/^\d+$/.test(seen) && /^\d+$/.test(written)) return BigInt(seen) >= BigInt(written);
  return seen === written;
}

export class ServiceViews {
  private readonly written = new Map<string, ServiceObject>();

  constructor(private readonly informed: (key: string) => ServiceObject | undefined) {}

  /** The newest known state of the Service, or undefined when it does not exist. */
  get(key: string): ServiceObject | undefined {
    const informed = this.informed(key);
    const written = this.written.get(key);
    if (written === undefined) return informed;
    if (informed === undefined) return undefined;
    if (informed.raw.metadata.uid !== written.raw.metadata.uid) {
      // Deleted and created again under the same name: the write was about the old object.
      this.written.delete(key);
      return informed;
    }
    if (caughtUp(informed.raw.metadata.resourceVersion, written.raw.metadata.resourceVersion)) {
      this.written.delete(key);
      return informed;
    }
    return written;
  }

  /** Records the object a write returned. */
  wrote(raw: KubeObject): void {
    this.written.set(objectKey(raw), decodeService(raw));
  }

  forget(key: string): void {
    this.written.delete(key);
  }
}
