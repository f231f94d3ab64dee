// The speaker: one node's reconciler from cluster view to FRR and back to status.
//   update(Resources) → reconcile → sync loop (debounced, incremental apply) → FRR
//   observe timer → FRR's real state → BGPSessionState / ServiceBGPStatus / metrics → StatusSink
// The inputs (manifests directory or Kubernetes informers) and the status sink (Kubernetes objects or
// nothing) are plugged in by the caller, so the same speaker runs standalone and in a cluster.
import { Counter, type Registry } from 'prom-client';
import { PrerenderedGauge } from '../metrics/prerendered-gauge.js';
import type { Logger } from 'winston';
import type { Resources } from '../api/resources.js';
import { applyOutcomeOf, type ApplyOutcome } from '../frr/apply/apply-outcome.js';
import type { Applier } from '../frr/apply/applier.js';
import {
  confirmedStale,
  desiredRouters,
  surplusAdvertisements,
  type StaleAdvertisement,
} from '../frr/apply/stale-advertisements.js';
import type { SyncEvent, SyncLoop } from '../frr/apply/sync-loop.js';
import { neighborKey } from '../frr/build-model.js';
import type { Vtysh } from '../frr/vtysh.js';
import { k8sClientMetrics } from '../k8s/metrics.js';
import { sleep } from '../k8s/sleep.js';
import { createFrrMetrics } from '../metrics/frr-metrics.js';
import type { SpeakerConfigurationStatus } from './configuration-state.js';
import { observeFrr } from './frr-observer.js';
import {
  createLayer2Speaker,
  type L2ServiceStatus,
  type Layer2Speaker,
  type ResponderPort,
} from './layer2.js';
import type { L2Counters } from '../l2/responder.js';
import type { L2Decision } from '../l2/election.js';
import type { LivenessMonitor } from './liveness.js';
import { newlyInvalidIngress, type InvalidIngress } from './invalid-ip-events.js';
import { newlyAnnounced, type ServiceRef } from './node-assigned-events.js';
import type { ObjectChange } from '../node-pipeline/incremental-node.js';
import type { ServiceDecision } from '../announce/types.js';
import { createReconciler, type ReconcileOutcome, type ReconcilerOptions } from './reconciler.js';
import { serviceStatusOf, type ServiceStatus } from './service-status.js';
import { AdvertisedIndex } from './advertised-index.js';
import { AdvertisedReads } from './advertised-reads.js';
import { ServiceStatusTracker, type StatusOf } from './service-status-tracker.js';
import { LatestPerKey } from '../util/latest-per-key.js';
import { nextTurn } from '../util/next-turn.js';
import { turnSpent } from '../util/turn-budget.js';
import type { DesiredConfig } from '../frr/apply/desired-config.js';
import { sessionStatuses, type SessionStatus } from './session-status.js';

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((item) => b.has(item));

/** ServiceBGPStatus writes in flight at most (a burst of 10,000 must not open 10,000 requests) */
const STATUS_WRITE_CONCURRENCY = 16;
/** ServiceBGPStatus computed in steps of this many, within the turn's budget (see turn-budget) */
const STATUS_SLICE_SERVICES = 50;

/** Where status goes; called only when something changed. */
export interface StatusSink {
  configuration(status: SpeakerConfigurationStatus): Promise<void>;
  /** the complete set for this node: objects not in it are deleted */
  sessions(statuses: readonly SessionStatus[]): Promise<void>;
  /** ServiceBGPStatus: the complete set for this node, objects not in it are deleted (on start) */
  services(statuses: readonly ServiceStatus[]): Promise<void>;
  /** one Service's ServiceBGPStatus (`namespace/name`) after the complete set: undefined deletes it */
  service(key: string, status: ServiceStatus | undefined): Promise<void>;
  /** ServiceL2Status: the complete set of Services this node answers ARP/NDP for */
  l2Services?(statuses: readonly L2ServiceStatus[]): Promise<void>;
}

export interface SpeakerOptions extends ReconcilerOptions {
  readonly vtysh: Vtysh;
  readonly syncLoop: SyncLoop;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly sink: StatusSink;
  /**
   * Repairs routes bgpd advertises with no desired network line (the applier's, serialized with its
   * applies); without it such routes are only reported
   */
  readonly clearStaleAdvertisements?: Applier['clearStaleAdvertisements'];
  /** how often FRR's sessions are read; default 1 s (a session change shows within ~1 s) */
  readonly observeIntervalMs?: number;
  /** layer 2 liveness (BFD between the nodes); without it only Node Ready counts */
  readonly createLiveness?: (onChange: () => void) => LivenessMonitor;
  /** the layer 2 responder; default the real one (packet sockets) */
  readonly createL2Responder?: (counters: L2Counters) => ResponderPort;
  /** Services this node newly answers ARP/NDP for (any cause): `nodeAssigned` events */
  readonly onLayer2Gained?: (decisions: readonly L2Decision[]) => void;
  /** longest graceful layer 2 hand-over on stop (see handOver); default 5 s */
  readonly handOverTimeoutMs?: number;
}

/** What the last update changed for Services, for Events on them (kube-speaker). */
export interface ServiceChanges {
  /** Services refused for their ingress now, or with another sentence */
  readonly invalidIngress: readonly InvalidIngress[];
  /** Services this node announces over BGP now and did not before */
  readonly nodeAssigned: readonly ServiceRef[];
}

export interface Speaker {
  /**
   * The node's current view of the cluster changed (level-based: pass everything), with the problems
   * found while reading it (they make the configuration Invalid; see Reconciler).
   */
  update(resources: Resources, inputErrors?: readonly string[]): void;
  /**
   * Only these Services / EndpointSlices changed since the last update (O(the change)). False when
   * that is not enough (no valid Config yet): then call `update` with everything.
   */
  updateObjects(changes: readonly ObjectChange[]): boolean;
  /** What the last update changed for Services. */
  serviceChanges(): ServiceChanges;
  /** To be called with every sync-loop event (wire it as the loop's `onEvent`). */
  syncEvent(event: SyncEvent): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Reads FRR and pushes status now; resolves when done. */
  observeNow(): Promise<void>;
  /**
   * Graceful layer 2 hand-over before stopping: this node's liveness BFD sessions go administratively
   * down (the other nodes count it out within one BFD packet and their next read), and it keeps
   * answering each IP until the next owner announces it. BGP is not touched. Bounded by
   * handOverTimeoutMs; nothing to do without layer 2.
   * @param currentView the whole view as it is now (per-object updates since the last `update` are
   *   in it); the hand-over rebuilds from it, by default from the last `update`'s
   */
  handOver(currentView?: () => { resources: Resources; inputErrors?: readonly string[] }): Promise<void>;
  outcome(): ReconcileOutcome | undefined;
  readonly layer2: Layer2Speaker;
}

export function createSpeaker(options: SpeakerOptions): Speaker {
  const { logger, sink } = options;
  // a node died or came back: elect again with the same inputs (set below, once `update` exists)
  let reelect: () => void = () => undefined;
  const liveness = options.createLiveness?.(() => reelect());
  let leaving = false;
  const reconciler = createReconciler({
    ...options,
    layer2Alive: () => liveness?.alive(),
    layer2Leaving: () => leaving,
  });
  /** the last full view, for a full reconcile when this speaker starts leaving */
  let lastInput: { resources: Resources; inputErrors: readonly string[] | undefined } | undefined;
  const frrMetrics = createFrrMetrics(options.registry);
  // one series per Service IP: rendered per Service when it changes, not per scrape
  const announced = new PrerenderedGauge(
    'metallb_speaker_announced',
    'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
    options.registry,
  );
  // shared with the informers' metallb_k8s_client_* counters
  const { configStale, configLoaded } = k8sClientMetrics(options.registry);

  let latest: ReconcileOutcome | undefined;
  let lastApply: ApplyOutcome | undefined;
  const pushed = { configuration: '', sessions: '', l2Services: '' };
  const layer2 = createLayer2Speaker({
    nodeName: options.nodeName,
    logger,
    registry: options.registry,
    ...(options.createL2Responder === undefined ? {} : { createResponder: options.createL2Responder }),
    ...(options.onLayer2Gained === undefined ? {} : { onGained: options.onLayer2Gained }),
  });

  async function pushL2(): Promise<void> {
    const write = sink.l2Services?.bind(sink);
    if (write === undefined) return;
    const statuses = layer2.statuses();
    await push('l2Services', statuses, () => write(statuses));
  }
  let observeTimer: NodeJS.Timeout | undefined;
  let observing: Promise<void> | undefined;
  let stopped = true;

  /** Writes `value` unless it was the last one written; false when the write failed (retried later). */
  async function push<K extends keyof typeof pushed>(
    kind: K,
    value: unknown,
    write: () => Promise<void>,
  ): Promise<boolean> {
    const text = JSON.stringify(value);
    if (pushed[kind] === text) return true;
    try {
      await write();
      pushed[kind] = text;
      return true;
    } catch (error) {
      // left unpushed: the next observation retries
      logger.warn('status write failed', { kind, error: String(error) });
      return false;
    }
  }

  async function pushConfiguration(): Promise<void> {
    if (latest === undefined) return;
    const status = { ...latest.configuration, lastApply };
    await push('configuration', status, () => sink.configuration(status));
  }

  /** what bgpd advertises to each neighbor, and when to read which of it again */
  const advertised = new AdvertisedIndex();
  const advertisedReads = new AdvertisedReads();
  /** the announce version of each desired config handed to the sync loop (its apply events say which) */
  const desiredVersions = new WeakMap<DesiredConfig, number>();
  /** the surplus of the last read of what bgpd advertises, and whether FRR was changed since */
  let surplusSeen: readonly StaleAdvertisement[] | undefined;
  let changedSinceSurplus = false;
  const staleCleared = new Counter({
    name: 'ferry_frr_stale_advertisements_cleared_total',
    help: 'Routes bgpd kept advertising with no desired network line behind them (seen on two reads with no apply between), withdrawn with network / no network.',
    registers: [options.registry],
  });

  /**
   * bgpd can keep a route whose network line is gone (seen after speaker kills and an FRR restart)
   * while the running config is exactly the desired one, which the sync loop's check cannot see.
   */
  async function clearStale(desired: DesiredConfig, peers: ReconcileOutcome['peers']): Promise<void> {
    const clear = options.clearStaleAdvertisements;
    if (clear === undefined) return;
    const byVrf = new Map<string, ReadonlySet<string>[]>();
    for (const peer of peers) {
      const prefixes = advertised.view().get(neighborKey(peer));
      if (prefixes !== undefined) byVrf.set(peer.vrf, [...(byVrf.get(peer.vrf) ?? []), prefixes]);
    }
    const surplus = surplusAdvertisements(desired.routers?.() ?? desiredRouters(desired.text()), byVrf);
    const confirmed = confirmedStale(surplusSeen, surplus, changedSinceSurplus);
    surplusSeen = surplus.length > 0 ? surplus : undefined;
    changedSinceSurplus = false;
    if (confirmed.length === 0) return;
    // after a repair, two fresh reads again before the next one
    surplusSeen = undefined;
    const result = await clear(confirmed);
    if (result.kind === 'skipped') return;
    if (result.kind === 'failed') {
      logger.warn('cannot withdraw stale advertisements', { error: result.error.message });
      return;
    }
    logger.warn('bgpd advertised routes with no desired network line: withdrawn', {
      prefixes: result.prefixes,
    });
    staleCleared.inc(result.prefixes.length);
    advertisedReads.readAllSoon(Date.now());
  }
  let lastSessionStates = '';
  /** which Services' ServiceBGPStatus may have changed, and what the sink was last given */
  const statusTracker = new ServiceStatusTracker();
  /**
   * ServiceBGPStatus writes, per Service, beside the observations: a sync of thousands of objects (or
   * a slow API server) must not keep BGPSessionState from following FRR every second.
   */
  const statusWrites = new LatestPerKey<ServiceStatus | undefined>(
    STATUS_WRITE_CONCURRENCY,
    async (key, status) => {
      try {
        await sink.service(key, status);
        return true;
      } catch (error) {
        // retried by the next observation
        logger.warn('status write failed', { kind: 'ServiceBGPStatus', service: key, error: String(error) });
        return false;
      }
    },
  );
  /** the complete set is written first (on start), then per Service */
  let statusesComplete: 'needed' | 'writing' | 'done' = 'needed';
  let completeWrite: Promise<void> | undefined;

  /** How a Service's ServiceBGPStatus is computed under an outcome's decisions. */
  function statusesUnder(current: ReconcileOutcome): StatusOf {
    const peerByName = new Map(current.peers.map((peer) => [peer.name, peer]));
    return (service: string) =>
      serviceStatusOf({
        node: options.nodeName,
        decisions: current.decisionsOf(service),
        peerByName,
        advertised: (neighbor, prefix) => advertised.has(neighbor, prefix),
      });
  }

  /**
   * The changed statuses handed to the writes in slices within the turn's shared budget, the event
   * loop's turn in between: the end of a burst leaves thousands of Services to look at again.
   */
  let statusPass: Promise<void> | undefined;
  async function passStatuses(): Promise<void> {
    for (;;) {
      // the latest outcome at each slice: its decisions are the reconciler's current ones
      const current = latest;
      if (stopped || current?.desired === undefined) return;
      const statusOf = statusesUnder(current);
      do {
        for (const [service, status] of statusTracker.takeChanges(statusOf, STATUS_SLICE_SERVICES))
          statusWrites.set(service, status);
      } while (statusTracker.hasPending() && !turnSpent());
      if (!statusTracker.hasPending()) break;
      await nextTurn();
    }
    statusWrites.retry();
  }

  function pushServiceStatuses(current: ReconcileOutcome): void {
    // no valid Config yet: nothing is known, and a complete set would delete every object
    if (current.desired === undefined) return;
    if (statusesComplete === 'done') {
      statusPass ??= passStatuses().finally(() => {
        statusPass = undefined;
      });
      return;
    }
    if (statusesComplete === 'writing') return;
    statusesComplete = 'writing';
    const all = statusTracker.complete(statusesUnder(current));
    completeWrite = (async () => {
      try {
        await sink.services(all);
        statusesComplete = 'done';
      } catch (error) {
        // the next observation computes the complete set again
        logger.warn('status write failed', { kind: 'ServiceBGPStatus', error: String(error) });
        statusTracker.forgetSent();
        statusesComplete = 'needed';
      }
    })().finally(() => {
      completeWrite = undefined;
    });
  }

  async function observe(): Promise<void> {
    const current = latest;
    if (current === undefined) return;
    const readAt = Date.now();
    const observed = await observeFrr(options.vtysh, current.peers, advertisedReads.plan(readAt));
    if (!observed.ok) {
      logger.warn('cannot read FRR state', { error: observed.error.message });
      return;
    }
    const { bgp, bfd, bfdCounters } = observed.value;
    const neighborOfPeer = new Map(current.peers.map((peer) => [peer.name, neighborKey(peer)]));
    for (const read of observed.value.prefixes) {
      if (advertised.setPrefix(read)) statusTracker.prefixesChanged([read.prefix]);
      // advertised as the decisions want it: read again only when it changes again
      if (sameSet(intendedNeighbors(current, neighborOfPeer, read.prefix, read.scope), read.to))
        advertisedReads.settled(read.prefix);
    }
    if (observed.value.advertised !== undefined) {
      advertisedReads.readAll(readAt);
      // each step O(advertised prefixes), in a turn of its own
      const changed = advertised.replaceAll(observed.value.advertised);
      await nextTurn();
      statusTracker.prefixesChanged(changed);
      // the latest desired config (an outcome replaced meanwhile cannot be read any more), after the
      // event loop's turn: the check looks at every advertised prefix
      await nextTurn();
      const now = latest;
      if (now?.desired !== undefined) await clearStale(now.desired, now.peers);
    }
    frrMetrics.update(
      bgp,
      bfd,
      bfdCounters,
      new Map(
        current.peers.map((p) => [
          `${p.vrf === '' ? 'default' : p.vrf}/${p.address ?? p.interface ?? ''}`,
          p.port,
        ]),
      ),
    );
    const sessions = sessionStatuses({ node: options.nodeName, peers: current.peers, bgp, bfd });
    // a session that changed state changes what is advertised to it: read that next time
    const sessionStates = sessions.map((s) => `${s.peer}/${s.vrf}=${s.bgpStatus}`).join(',');
    if (sessionStates !== lastSessionStates) advertisedReads.readAllSoon(Date.now());
    lastSessionStates = sessionStates;
    await push('sessions', sessions, () => sink.sessions(sessions));
    // the latest outcome: its decisions are the reconciler's current ones
    const newest = latest;
    if (newest !== undefined) pushServiceStatuses(newest);
    await pushConfiguration();
    await pushL2();
  }

  /** The neighbors (of `scope`) the decisions route `prefix` to, from every Service carrying it. */
  function intendedNeighbors(
    outcome: ReconcileOutcome,
    neighborOfPeer: ReadonlyMap<string, string>,
    prefix: string,
    scope: readonly string[],
  ): Set<string> {
    const intended = new Set<string>();
    for (const service of statusTracker.servicesOf(prefix))
      for (const decision of outcome.decisionsOf(service))
        for (const route of decision.routes) {
          const neighbor = route.prefix === prefix ? neighborOfPeer.get(route.peer) : undefined;
          if (neighbor !== undefined && scope.includes(neighbor)) intended.add(neighbor);
        }
    return intended;
  }

  function observeOnce(): Promise<void> {
    observing ??= observe().finally(() => {
      observing = undefined;
    });
    return observing;
  }

  /** An observation and the ServiceBGPStatus writes it started. */
  async function observeNow(): Promise<void> {
    await observeOnce();
    await completeWrite;
    await statusPass;
    await statusWrites.idle();
  }

  function scheduleObserve(): void {
    if (stopped) return;
    observeTimer = setTimeout(() => {
      void observeOnce().finally(scheduleObserve);
    }, options.observeIntervalMs ?? 1_000);
  }

  /** the Services with layer 2 series in the announced gauge (BGP and layer 2 are owners apart) */
  const l2Series = new Set<string>();
  const setSeries = (protocol: 'bgp' | 'layer2', key: string, labels: Record<string, string>[]): void => {
    announced.set(
      `${protocol}/${key}`,
      labels.map((set) => ({ labels: set, value: 1 })),
    );
    if (protocol === 'layer2') {
      if (labels.length === 0) l2Series.delete(key);
      else l2Series.add(key);
    }
  };
  const bgpLabels = (decisions: readonly ServiceDecision[]) =>
    decisions
      .filter((decision) => decision.eligible)
      .map((decision) => ({
        service: `${decision.namespace}/${decision.name}`,
        protocol: 'bgp',
        node: options.nodeName,
        ip: decision.ip,
      }));

  /** Per Service (`namespace/name`): its decisions as of the last update. */
  const known = new Map<string, readonly ServiceDecision[]>();
  let changes: ServiceChanges = { invalidIngress: [], nodeAssigned: [] };

  /** Metrics and Service events for the Services the outcome says changed: O(the change). */
  function followServices(outcome: ReconcileOutcome): void {
    const keys =
      outcome.changedServices !== 'all'
        ? outcome.changedServices
        : new Set([
            ...known.keys(),
            ...(outcome.announce?.decisions ?? []).map((d) => `${d.namespace}/${d.name}`),
          ]);
    const before: ServiceDecision[] = [];
    const after: ServiceDecision[] = [];
    if (outcome.changedServices === 'all') advertisedReads.touchAll(outcome.announceVersion);
    for (const key of keys) {
      before.push(...(known.get(key) ?? []));
      const now = outcome.decisionsOf(key);
      after.push(...now);
      if (now.length === 0) known.delete(key);
      else known.set(key, now);
      setSeries('bgp', key, bgpLabels(now));
      // what bgpd advertises for its prefixes changes once this version is applied: read them then
      advertisedReads.touch(statusTracker.routedPrefixes(key), outcome.announceVersion);
      statusTracker.decisionsChanged(key, now);
      advertisedReads.touch(statusTracker.routedPrefixes(key), outcome.announceVersion);
    }
    changes =
      outcome.desired === undefined
        ? { invalidIngress: [], nodeAssigned: [] }
        : {
            invalidIngress: newlyInvalidIngress({ decisions: before }, { decisions: after }),
            nodeAssigned: newlyAnnounced({ decisions: before }, { decisions: after }),
          };
  }

  function followLayer2(outcome: ReconcileOutcome): void {
    const decisions = outcome.layer2?.decisions ?? [];
    const now = new Map<string, Record<string, string>[]>();
    for (const decision of decisions) {
      if (!decision.announced) continue;
      const key = `${decision.namespace}/${decision.name}`;
      now.set(key, [
        ...(now.get(key) ?? []),
        ...decision.ips.map((ip) => ({ service: key, protocol: 'layer2', node: options.nodeName, ip })),
      ]);
    }
    for (const key of [...l2Series]) if (!now.has(key)) setSeries('layer2', key, []);
    for (const [key, labels] of now) setSeries('layer2', key, labels);
  }

  function adopt(outcome: ReconcileOutcome): void {
    if (latest?.configuration.result !== outcome.configuration.result) {
      logger.info('configuration state', {
        node: options.nodeName,
        result: outcome.configuration.result,
        errors: outcome.configuration.errorSummary,
      });
    }
    followServices(outcome);
    // in a cluster also a Warning Event on the Service (kube-speaker); standalone this log is all
    for (const refused of changes.invalidIngress)
      logger.warn('Service not announced: invalid ingress', {
        service: `${refused.namespace}/${refused.name}`,
        reason: 'invalidIP',
        detail: refused.detail,
      });
    if (outcome.desiredVersion !== latest?.desiredVersion) changedSinceSurplus = true;
    const layer2Changed = latest === undefined || outcome.layer2Version !== latest.layer2Version;
    latest = outcome;
    configStale.set(outcome.configuration.result === 'Valid' ? 0 : 1);
    configLoaded.set(reconciler.lastValidConfig() === undefined ? 0 : 1);
    if (layer2Changed) {
      followLayer2(outcome);
      // layer 2 first: ARP/NDP ownership must not wait for FRR
      layer2.update(outcome.layer2);
    }
    if (outcome.desired !== undefined) {
      desiredVersions.set(outcome.desired, outcome.announceVersion);
      options.syncLoop.setDesired(outcome.desired);
    }
    void pushConfiguration();
    if (layer2Changed) void pushL2();
  }

  const speaker: Speaker = {
    outcome: () => latest,
    update(resources, inputErrors) {
      lastInput = { resources, inputErrors };
      // before electing: the monitor needs the nodes to say who is alive (this node only once warm)
      // (layer 2 in the objects, or in the configuration in force while these are invalid)
      liveness?.setNodes(
        resources.nodes,
        resources.l2Advertisements.length > 0 ||
          (reconciler.lastValidConfig()?.l2Advertisements.length ?? 0) > 0,
      );
      adopt(reconciler.reconcile(resources, inputErrors));
    },
    updateObjects(objectChanges) {
      const outcome = reconciler.reconcileChanges(objectChanges);
      if (outcome === undefined) return false;
      adopt(outcome);
      return true;
    },
    serviceChanges: () => changes,
    syncEvent(event) {
      const now = Date.now();
      if (event.kind === 'noop') {
        // FRR ran that config already: nothing to read, but the prefixes waiting for it are done
        advertisedReads.applied(desiredVersions.get(event.desired), now);
        return;
      }
      // the sync loop has logged it; here it becomes status
      lastApply = applyOutcomeOf(event);
      changedSinceSurplus = true;
      // what FRR advertises changed: read it right away, only the prefixes this apply changed unless
      // frr-reload.py ran (the whole config) or a drift was repaired (anything may have changed)
      if (event.kind === 'applied' && event.method !== 'reload')
        advertisedReads.applied(desiredVersions.get(event.desired), now);
      else advertisedReads.applied(undefined, now);
      void observeOnce();
    },
    async start() {
      stopped = false;
      await options.syncLoop.start();
      scheduleObserve();
    },
    async handOver(currentView) {
      if (stopped || latest?.layer2 === undefined || leaving) return;
      if (currentView !== undefined) {
        const view = currentView();
        lastInput = { resources: view.resources, inputErrors: view.inputErrors };
      }
      const started = performance.now();
      const budget = options.handOverTimeoutMs ?? 5_000;
      // watching for the next owners starts before they can know: nothing is missed
      const handedOver = layer2.handOver(budget);
      leaving = true;
      // a full reconcile: the liveness sessions are rendered administratively down
      if (lastInput !== undefined) speaker.update(lastInput.resources, lastInput.inputErrors);
      const result = await handedOver;
      const handOverMs = Math.round(performance.now() - started);
      // also when this node owned nothing: its sessions must be down before it stops answering for
      // good, or the others would still elect it as the next owner
      const applied = new AbortController();
      await Promise.race([
        options.syncLoop.idle(),
        sleep(budget - (performance.now() - started), applied.signal),
      ]);
      applied.abort();
      logger.info('layer2 hand-over done', {
        node: options.nodeName,
        ms: handOverMs,
        totalMs: Math.round(performance.now() - started),
        handedOver: result.handedOver,
        notSeen: result.notSeen,
      });
    },
    async stop() {
      stopped = true;
      liveness?.stop();
      layer2.close();
      if (observeTimer !== undefined) clearTimeout(observeTimer);
      await options.syncLoop.stop();
      await observing;
      await completeWrite;
      await statusPass;
      await statusWrites.idle();
    },
    observeNow,
    layer2,
  };
  reelect = () => {
    if (stopped) return;
    const outcome = reconciler.reelect();
    if (outcome !== undefined) adopt(outcome);
  };
  return speaker;
}
