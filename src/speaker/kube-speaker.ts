// The speaker in a cluster: informers → speaker → FRR, status → Kubernetes objects, Events, metrics.
// Lifecycle: wait for every cache, then reconcile (the first apply goes through frr-reload.py, which
// changes nothing when FRR already runs the config: a speaker restart withdraws nothing and resets no
// session); while the API server is unreachable the caches keep the last known state and FRR keeps
// announcing it; SIGTERM first hands the layer 2 IPs over (Speaker.handOver), then stops without
// withdrawing unless withdrawOnShutdown.
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { ServiceInfo } from '../api/cluster.js';
import { ferryCrdValidator } from '../api/load-directory.js';
import { emptyResources } from '../api/resources.js';
import type { SyncEvent, SyncLoop } from '../frr/apply/sync-loop.js';
import type { Vtysh } from '../frr/vtysh.js';
import type { KubeClient } from '../k8s/client.js';
import { EventRecorder } from '../k8s/events.js';
import { podOwnerReference } from '../k8s/kube-object.js';
import { k8sClientMetrics } from '../k8s/metrics.js';
import type { ObjectChange } from '../node-pipeline/incremental-node.js';
import { createClusterInputs } from './cluster-inputs.js';
import { newConfigEvents } from './config-events.js';
import { createKubeStatusSink } from './kube-status-sink.js';
import type { ServiceRef } from './node-assigned-events.js';
import type { ReconcilerOptions } from './reconciler.js';
import { createSpeaker, type SpeakerOptions } from './speaker.js';
import { turnSpent } from '../util/turn-budget.js';

/** The served version of a metallb.io kind, for Event references. */
function metallbApiVersion(kind: string): string {
  return kind === 'BGPPeer' ? 'metallb.io/v1beta2' : 'metallb.io/v1beta1';
}

function serviceReference(service: ServiceInfo) {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    namespace: service.namespace,
    name: service.name,
    uid: service.uid,
  };
}

/** Objects per incremental update (~0.3 ms each at 10,000 Services), in the turn's budget. */
const RECONCILE_SLICE_OBJECTS = 20;

export interface KubeSpeakerOptions extends ReconcilerOptions {
  readonly client: KubeClient;
  readonly vtysh: Vtysh;
  readonly syncLoop: SyncLoop;
  readonly registry: Registry;
  readonly logger: Logger;
  /** the speaker pod (POD_NAME/POD_UID from the downward API), owner of the per-node objects */
  readonly pod?: { readonly name: string; readonly uid: string };
  readonly observeIntervalMs?: number;
  readonly informerStaleAfterMs?: number;
  readonly createL2Responder?: SpeakerOptions['createL2Responder'];
  readonly createLiveness?: SpeakerOptions['createLiveness'];
  readonly clearStaleAdvertisements?: SpeakerOptions['clearStaleAdvertisements'];
  readonly handOverTimeoutMs?: number;
  /** label selector of the speaker DaemonSet's pods in `namespace`; default deploy/'s labels */
  readonly speakerPodSelector?: string;
}

export interface KubeSpeaker {
  start(): Promise<void>;
  /** `withdraw`: first apply a config without announcements (planned node drain) */
  stop(options?: { readonly withdraw?: boolean }): Promise<void>;
  ready(): Promise<boolean>;
  syncEvent(event: SyncEvent): void;
}

export function createKubeSpeaker(options: KubeSpeakerOptions): KubeSpeaker {
  const { client, logger, nodeName } = options;
  const owner = options.pod === undefined ? undefined : podOwnerReference(options.pod);
  const sink = createKubeStatusSink({
    client,
    namespace: options.namespace,
    nodeName,
    logger,
    ...(owner === undefined ? {} : { owner }),
  });
  const events = new EventRecorder({ client, component: 'metallb-speaker', host: nodeName, logger });
  /** an Event on a Service as last seen (its uid), if it still exists */
  const serviceEvent = (ref: ServiceRef, type: 'normal' | 'warning', reason: string, message: string) => {
    const service = speaker.outcome()?.service(`${ref.namespace}/${ref.name}`);
    if (service !== undefined) void events[type](serviceReference(service), reason, message);
  };
  // one string each: the Event recorder remembers up to 4,096 Events, most of them these
  const announcingBgp = `announcing from node "${nodeName}" with protocol "bgp"`;
  const announcingLayer2 = `announcing from node "${nodeName}" with protocol "layer2"`;
  const speaker = createSpeaker({
    ...options,
    sink,
    speakerPods: () => inputs.speakerPods(),
    // MetalLB's event, once per Service this node starts answering for, also when BFD or a speaker
    // pod's readiness (not an object change) moved the IP here
    onLayer2Gained: (gained) => {
      for (const owned of gained) serviceEvent(owned, 'normal', 'nodeAssigned', announcingLayer2);
    },
  });
  let reconcileTimer: NodeJS.Timeout | undefined;
  let lastReconcileEndedAt = 0;
  let lastReconcileMs = 0;
  let reportedProblems: ReadonlySet<string> = new Set<string>();

  /** Services and EndpointSlices changed and not reconciled yet (latest per object, oldest first). */
  const backlog = new Map<string, ObjectChange>();
  let continuation: NodeJS.Immediate | undefined;

  /** MetalLB's Events for what the last update changed for Services. */
  const serviceEvents = () => {
    const changes = speaker.serviceChanges();
    for (const refused of changes.invalidIngress)
      serviceEvent(
        refused,
        'warning',
        'invalidIP',
        `not announcing from node "${nodeName}": ${refused.detail}`,
      );
    // MetalLB's event, once per Service this node starts announcing, per protocol
    for (const started of changes.nodeAssigned)
      serviceEvent(started, 'normal', 'nodeAssigned', announcingBgp);
  };

  /**
   * Only the Services and EndpointSlices that changed when that is all; everything otherwise. A
   * burst (thousands of objects at once) is taken in slices within the turn's shared budget (see
   * turn-budget), the rest right after (setImmediate): watches, FRR reads and status writes run in
   * between, so the event loop never stalls for the length of a burst.
   */
  const reconcile = () => {
    const pending = inputs.takeChanges();
    let full = pending.full;
    if (!full) for (const change of pending.objects) backlog.set(`${change.kind}/${change.key}`, change);
    let first = true;
    while (!full && backlog.size > 0 && (first || !turnSpent())) {
      first = false;
      const slice: ObjectChange[] = [];
      for (const [key, change] of backlog) {
        if (slice.length === RECONCILE_SLICE_OBJECTS) break;
        slice.push(change);
        backlog.delete(key);
      }
      if (speaker.updateObjects(slice)) serviceEvents();
      else full = true;
    }
    if (full) {
      // the whole view holds every object of the backlog as it is now
      backlog.clear();
      const { resources, errors } = inputs.resources();
      speaker.update(resources, errors);
      reportConfigProblems();
      serviceEvents();
    }
    if (backlog.size > 0)
      continuation ??= setImmediate(() => {
        continuation = undefined;
        reconcile();
      });
  };

  /** A Warning on each object the configuration rejects or warns about, once per distinct problem. */
  const reportConfigProblems = () => {
    const outcome = speaker.outcome();
    const problems = newConfigEvents(
      reportedProblems,
      outcome?.configErrors ?? [],
      outcome?.configWarnings ?? [],
    );
    for (const event of problems.events)
      void events.warning(
        {
          kind: event.object.kind,
          apiVersion: metallbApiVersion(event.object.kind),
          namespace: event.object.namespace,
          name: event.object.name,
        },
        event.reason,
        event.message,
      );
    reportedProblems = problems.reported;
  };

  const inputs = createClusterInputs({
    client,
    validator: ferryCrdValidator(),
    namespace: options.namespace,
    nodeName,
    logger,
    metrics: k8sClientMetrics(options.registry),
    ...(options.speakerPodSelector === undefined ? {} : { speakerPodSelector: options.speakerPodSelector }),
    ...(options.informerStaleAfterMs === undefined ? {} : { staleAfterMs: options.informerStaleAfterMs }),
    // a burst of object changes becomes one reconcile; the sync loop debounces applies again
    onChange: () => {
      // Pace reconciles by their own cost: after one that took T ms, wait at least T ms, so a burst
      // of thousands of object changes at 10,000 Services leaves the process time to apply and report.
      const wait = Math.max(10, lastReconcileEndedAt + lastReconcileMs - performance.now());
      reconcileTimer ??= setTimeout(() => {
        reconcileTimer = undefined;
        const started = performance.now();
        reconcile();
        lastReconcileEndedAt = performance.now();
        lastReconcileMs = lastReconcileEndedAt - started;
      }, wait);
    },
  });

  return {
    syncEvent(event) {
      speaker.syncEvent(event);
      if (event.kind === 'invalid' || event.kind === 'failed') {
        void events.warning(
          { kind: 'Node', apiVersion: 'v1', name: nodeName },
          'FRRApplyFailed',
          `FRR refused the configuration: ${event.error.message}`,
        );
      }
    },
    async start() {
      // status writes wait for this; FRR does not (it retries until the API server answers)
      void sink.start();
      inputs.start();
      await inputs.waitForSync();
      logger.info('caches synced', { node: nodeName });
      await speaker.start();
      reconcile();
    },
    async stop(stopOptions = {}) {
      // first, while the informers still run: the next owners take this node's layer 2 IPs over
      // from the whole view as it is now: the speaker's last one misses what came object by object
      await speaker.handOver(() => {
        const { resources, errors } = inputs.resources();
        return { resources, inputErrors: errors };
      });
      if (reconcileTimer !== undefined) clearTimeout(reconcileTimer);
      if (continuation !== undefined) clearImmediate(continuation);
      sink.stop();
      await inputs.stop();
      if (stopOptions.withdraw === true) {
        const { resources } = inputs.resources();
        // the same configuration and sessions, without any Service: every prefix is withdrawn
        speaker.update({ ...resources, services: [], endpointSlices: emptyResources().endpointSlices });
        await options.syncLoop.idle();
        logger.info('withdrew every announcement before stopping', { node: nodeName });
      }
      await speaker.stop();
    },
    async ready() {
      return inputs.synced() && (await options.vtysh.runningConfig()).ok;
    },
  };
}
