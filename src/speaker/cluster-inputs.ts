// The speaker's view of the cluster, kept by informers: the metallb.io kinds and basic-auth Secrets
// in ferry's namespace, Services, EndpointSlices and Nodes everywhere. Every object is
// read with the same checks as a manifest (src/api loadObjects), once, when it arrives.
import type { Logger } from 'winston';
import type { EndpointSliceInfo, ServiceInfo } from '../api/cluster.js';
import type { CrdValidator } from '../api/crd-validator.js';
import type { SpeakerPodInfo } from '../api/cluster.js';
import { toSpeakerPodInfo } from '../api/cluster-objects.js';
import { formatManifestError } from '../api/manifest-error.js';
import { loadObjects, type LoadResult } from '../api/manifests.js';
import { emptyResources, type Resources } from '../api/resources.js';
import type { KubeClient } from '../k8s/client.js';
import { Informer } from '../k8s/informer.js';
import type { KubeObject } from '../k8s/kube-object.js';
import type { K8sClientMetrics } from '../k8s/metrics.js';
import { apiVersionOf, inNamespace, resourceTypes, type ResourceRef } from '../k8s/resources.js';
import type { ObjectChange } from '../node-pipeline/incremental-node.js';

/** The labels of deploy/'s speaker DaemonSet pods (MetalLB's `--ml-labels` counterpart). */
export const SPEAKER_POD_SELECTOR = 'app.kubernetes.io/name=ferry,app.kubernetes.io/component=speaker';

export interface ClusterInputsOptions {
  readonly client: KubeClient;
  readonly validator: CrdValidator;
  readonly namespace: string;
  readonly nodeName: string;
  readonly logger: Logger;
  readonly metrics: K8sClientMetrics;
  /** informer watchdog: a watch silent for this long is restarted; default 90 s */
  readonly staleAfterMs?: number;
  /** label selector of the speaker pods in `namespace` (layer 2 liveness); default SPEAKER_POD_SELECTOR */
  readonly speakerPodSelector?: string;
  /** called after every change once all informers synced (level-based: read `resources()`) */
  readonly onChange: () => void;
}

export interface ClusterInputs {
  start(): void;
  stop(): Promise<void>;
  /** all informers completed their first list */
  synced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  resources(): { readonly resources: Resources; readonly errors: readonly string[] };
  /** the speaker DaemonSet's pods (layer 2: a node without a Ready one is no candidate) */
  speakerPods(): readonly SpeakerPodInfo[];
  /**
   * What changed since the last call: Services and EndpointSlices one by one, or `full` when
   * anything else changed (or an object read with problems, which count for the configuration
   * state): then read `resources()`.
   */
  takeChanges(): PendingChanges;
}

export interface PendingChanges {
  readonly full: boolean;
  readonly objects: readonly ObjectChange[];
}

/** One object as the speaker keeps it: the typed item under its Resources list, or its problems. */
interface Decoded {
  readonly list: keyof Resources | undefined;
  readonly item: unknown;
  readonly errors: readonly string[];
}

const NO_ERRORS: readonly string[] = Object.freeze([]);
const NO_STRINGS: readonly never[] = Object.freeze([]);
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * A Service as the speaker keeps it: what its decisions and events read (identity, labels for
 * advertisements' serviceSelectors, MetalLB's annotations, type, class, traffic policy, ingress IPs).
 * Cluster IPs, IP families, ports and selector are the controller's (IPAM); here they would be
 * ~0.7 KB per Service in the cache.
 */
export function speakerService(service: ServiceInfo): ServiceInfo {
  const empty = (record: Readonly<Record<string, string>>) =>
    Object.keys(record).length === 0 ? NO_LABELS : record;
  return {
    ...service,
    labels: empty(service.labels),
    annotations: empty(service.annotations),
    ipFamilies: NO_STRINGS,
    clusterIPs: NO_STRINGS,
    selector: NO_LABELS,
    ports: NO_STRINGS,
  };
}

function compact(loaded: LoadResult): Decoded {
  const errors = loaded.errors.length === 0 ? NO_ERRORS : loaded.errors.map(formatManifestError);
  for (const list of Object.keys(loaded.resources) as (keyof Resources)[]) {
    const [item] = loaded.resources[list];
    if (item === undefined) continue;
    return { list, item: list === 'services' ? speakerService(item as ServiceInfo) : item, errors };
  }
  return { list: undefined, item: undefined, errors };
}

export function createClusterInputs(options: ClusterInputsOptions): ClusterInputs {
  const decode = (object: KubeObject): Decoded =>
    compact(
      loadObjects(
        [
          {
            source: 'apiserver',
            position: `${object.kind ?? ''} ${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`,
            object,
          },
        ],
        options.validator,
      ),
    );
  const inFerryNamespace = (type: ResourceRef) => inNamespace(type, options.namespace);
  const collections: { ref: ResourceRef; fieldSelector?: string }[] = [
    { ref: inFerryNamespace(resourceTypes.ipAddressPools) },
    { ref: inFerryNamespace(resourceTypes.bgpPeers) },
    { ref: inFerryNamespace(resourceTypes.bgpAdvertisements) },
    { ref: inFerryNamespace(resourceTypes.l2Advertisements) },
    { ref: inFerryNamespace(resourceTypes.bfdProfiles) },
    { ref: inFerryNamespace(resourceTypes.communities) },
    { ref: inFerryNamespace(resourceTypes.secrets) },
    { ref: resourceTypes.services },
    { ref: resourceTypes.endpointSlices },
    // every Node: layer 2 elects one owner per IP among all of them (labels, conditions)
    { ref: resourceTypes.nodes },
  ];
  const informers = collections.map(
    ({ ref, fieldSelector }) =>
      new Informer<Decoded>({
        client: options.client,
        resource: ref,
        ...(fieldSelector === undefined ? {} : { fieldSelector }),
        // list/watch return items without apiVersion/kind: put them back before reading
        decode: (object) =>
          decode({
            ...object,
            apiVersion: object.apiVersion ?? apiVersionOf(ref),
            kind: object.kind ?? ref.kind,
          }),
        logger: options.logger,
        metrics: options.metrics,
        ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
      }),
  );
  // the speaker pods' readiness: a crashed speaker on a live node (BFD still up) loses its IPs; only
  // what the election needs is kept (node, Ready, being deleted), not the pod spec
  const pods = new Informer<SpeakerPodInfo>({
    client: options.client,
    resource: inFerryNamespace(resourceTypes.pods),
    labelSelector: options.speakerPodSelector ?? SPEAKER_POD_SELECTOR,
    decode: (object) => toSpeakerPodInfo(object).value,
    logger: options.logger,
    metrics: options.metrics,
    ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
  });
  const all: (Informer<Decoded> | Informer<SpeakerPodInfo>)[] = [...informers, pods];
  const allSynced = () => all.every((informer) => informer.synced);
  const changed = () => {
    if (allSynced()) options.onChange();
  };
  let full = true;
  let pending = new Map<string, ObjectChange>();
  /** A Service or EndpointSlice, remembered one by one; anything else (or with problems): full. */
  const track = (current: Decoded, previous: Decoded | undefined, deleted: boolean) => {
    const item = current.item as { namespace?: string; name?: string } | undefined;
    const perObject =
      (current.list === 'services' || current.list === 'endpointSlices') &&
      current.errors.length === 0 &&
      (previous === undefined || previous.errors.length === 0) &&
      item !== undefined;
    if (!perObject) {
      full = true;
      pending.clear();
      return;
    }
    if (full) return;
    const key = `${item.namespace ?? ''}/${item.name ?? ''}`;
    const change: ObjectChange =
      current.list === 'services'
        ? { kind: 'service', key, object: deleted ? undefined : (current.item as ServiceInfo) }
        : { kind: 'endpointSlice', key, object: deleted ? undefined : (current.item as EndpointSliceInfo) };
    pending.set(`${current.list} ${key}`, change);
  };
  for (const informer of informers) {
    informer.on('add', (object) => {
      track(object, undefined, false);
      changed();
    });
    informer.on('update', (object, previous) => {
      track(object, previous, false);
      changed();
    });
    informer.on('delete', (object) => {
      track(object, undefined, true);
      changed();
    });
    informer.on('synced', () => {
      full = true;
      changed();
    });
  }
  // a speaker pod's readiness changes the layer 2 election only: a full reconcile elects again
  const podsChanged = () => {
    full = true;
    pending.clear();
    changed();
  };
  for (const event of ['add', 'update', 'delete', 'synced'] as const) pods.on(event, podsChanged);
  for (const informer of all)
    informer.on('lifecycle', (event) => {
      if (event.kind !== 'connect')
        options.logger.info('informer', {
          ...event,
          error: 'error' in event ? String(event.error?.message ?? '') : undefined,
        });
    });
  return {
    start: () => all.forEach((informer) => informer.start()),
    stop: async () => {
      await Promise.all(all.map((informer) => informer.stop()));
    },
    synced: allSynced,
    waitForSync: async (signal) => (await Promise.all(all.map((i) => i.waitForSync(signal)))).every(Boolean),
    speakerPods: () => pods.snapshot(),
    takeChanges() {
      const taken = { full, objects: full ? [] : [...pending.values()] };
      full = false;
      pending = new Map();
      return taken;
    },
    resources() {
      const merged = emptyResources();
      const errors: string[] = [];
      for (const informer of informers) {
        for (const decoded of informer.snapshot()) {
          if (decoded.list !== undefined) (merged[decoded.list] as unknown[]).push(decoded.item);
          errors.push(...decoded.errors);
        }
      }
      return { resources: merged, errors };
    },
  };
}
