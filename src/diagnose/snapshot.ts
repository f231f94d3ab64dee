// The live cluster as `kubectl ferry` reads it once: the objects ferry consumes (decoded with the
// same checks as the controller and the speakers: src/api loadObjects, src/config buildConfig) and
// the objects ferry's components write about themselves (BGPSessionState, ServiceBGPStatus,
// ConfigurationState, the controller's Lease). Pure: the shell lists the objects and passes them in.
import type { CrdValidator } from '../api/crd-validator.js';
import { formatManifestError } from '../api/manifest-error.js';
import { loadObjects } from '../api/manifests.js';
import type { Resources } from '../api/resources.js';
import { buildConfig } from '../config/build-config.js';
import { formatConfigError } from '../config/problem.js';
import type { Config } from '../config/types.js';
import { isRecord, type KubeObject } from '../k8s/kube-object.js';
import { apiVersionOf, resourceTypes, type ResourceType } from '../k8s/resources.js';
import type { SessionStatus } from '../speaker/session-status.js';

/**
 * The raw lists as the API server returned them: one per kind ferry consumes (the lists of
 * `Resources`) and one per kind its components write about themselves.
 */
export type ClusterObjects = { readonly [List in keyof Resources]: readonly KubeObject[] } & {
  readonly bgpSessionStates: readonly KubeObject[];
  readonly serviceBGPStatuses: readonly KubeObject[];
  readonly serviceL2Statuses: readonly KubeObject[];
  readonly configurationStates: readonly KubeObject[];
  /** the controller's Lease, when it exists */
  readonly controllerLease: KubeObject | undefined;
};

/** The resource type of each consumed list (its items come without apiVersion and kind). */
export const CONSUMED_TYPES: Readonly<Record<keyof Resources, ResourceType>> = {
  ipAddressPools: resourceTypes.ipAddressPools,
  bgpPeers: resourceTypes.bgpPeers,
  bgpAdvertisements: resourceTypes.bgpAdvertisements,
  l2Advertisements: resourceTypes.l2Advertisements,
  bfdProfiles: resourceTypes.bfdProfiles,
  communities: resourceTypes.communities,
  secrets: resourceTypes.secrets,
  nodes: resourceTypes.nodes,
  namespaces: resourceTypes.namespaces,
  services: resourceTypes.services,
  endpointSlices: resourceTypes.endpointSlices,
};

/**
 * One BGPSessionState: a speaker's report of one BGP session, as the speaker writes it
 * (src/speaker/session-status.ts) with the object's name and the BFD timers as text.
 */
export type SessionState = Omit<SessionStatus, 'peerName' | 'bfdTimers'> & {
  readonly name: string;
  /** `receive/transmit x multiplier`, '' without BFD */
  readonly bfdTimers: string;
  /**
   * The speaker's last write to the object (its newest managedFields time). The speaker writes
   * only on change, so for a session that is down this is when it went down, or later if its
   * last error changed since; undefined when the API server does not say.
   */
  readonly changedAt: Date | undefined;
};

/** One ServiceL2Status: the node whose speaker answers ARP/NDP for a Service's IPs. */
export interface ServiceL2Status {
  readonly node: string;
  readonly namespace: string;
  readonly name: string;
}

/** One ServiceBGPStatus: the BGPPeers a node's FRR really advertises a Service to. */
export interface ServiceBgpStatus {
  readonly node: string;
  readonly namespace: string;
  readonly name: string;
  readonly peers: readonly string[];
}

export interface ConfigurationStateCondition {
  readonly type: string;
  readonly status: string;
  readonly message: string;
}

export interface ConfigurationState {
  /** `controller` or `speaker-<node>` */
  readonly name: string;
  readonly result: string;
  readonly errorSummary: string;
  readonly conditions: readonly ConfigurationStateCondition[];
}

export interface ControllerLease {
  readonly name: string;
  readonly holder: string;
  readonly durationSeconds: number;
  /** undefined when never renewed */
  readonly renewTime: Date | undefined;
}

/** A Node whose Ready condition is not True: what its speaker last wrote may be stale. */
export interface NodeNotReady {
  readonly node: string;
  /** `False` or `Unknown` */
  readonly status: string;
  readonly reason: string;
  readonly since: Date | undefined;
}

export interface ClusterSnapshot {
  /** ferry's namespace */
  readonly namespace: string;
  /** when the objects were read: every age is counted from here */
  readonly now: Date;
  readonly resources: Resources;
  /** the valid part of the configuration (what a speaker with the same objects runs) */
  readonly config: Config;
  /** objects that failed to decode or validate, naming object and field */
  readonly configErrors: readonly string[];
  /**
   * the errors reject the configuration as a whole (e.g. overlapping pools): the controller and
   * speakers keep their last valid one, which the cluster does not show
   */
  readonly configFatal: boolean;
  readonly sessions: readonly SessionState[];
  readonly serviceStatuses: readonly ServiceBgpStatus[];
  readonly l2Statuses: readonly ServiceL2Status[];
  readonly configurationStates: readonly ConfigurationState[];
  readonly controllerLease: ControllerLease | undefined;
  /** Nodes reporting Ready other than True; Nodes without the condition are not listed */
  readonly notReadyNodes: readonly NodeNotReady[];
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function statusOf(object: KubeObject): Record<string, unknown> {
  return record(object.status);
}

/** The newest `metadata.managedFields[].time`: when the object was last written. */
function lastWritten(object: KubeObject): Date | undefined {
  const fields = (object.metadata as { readonly managedFields?: unknown }).managedFields;
  const times = (Array.isArray(fields) ? fields : [])
    .map((entry) => Date.parse(text(record(entry).time)))
    .filter((time) => !Number.isNaN(time));
  return times.length === 0 ? undefined : new Date(Math.max(...times));
}

export function toSessionState(object: KubeObject): SessionState {
  const status = statusOf(object);
  const labels = object.metadata.labels ?? {};
  const timers = record(status.bfdTimers);
  return {
    name: object.metadata.name ?? '',
    node: text(status.node) || (labels['frrk8s.metallb.io/node'] ?? ''),
    peer: text(status.peer) || (labels['frrk8s.metallb.io/peer'] ?? ''),
    vrf: text(status.vrf),
    bgpStatus: text(status.bgpStatus) || 'Unknown',
    bfdStatus: text(status.bfdStatus) || 'N/A',
    uptime: text(status.uptime),
    prefixesSent: count(status.prefixesSent),
    prefixesReceived: count(status.prefixesReceived),
    lastError: text(status.lastError),
    bfdTimers:
      status.bfdTimers === undefined
        ? ''
        : `${count(timers.receiveInterval)}/${count(timers.transmitInterval)}x${count(timers.detectMultiplier)}`,
    changedAt: lastWritten(object),
  };
}

export function toServiceBgpStatus(object: KubeObject): ServiceBgpStatus {
  const status = statusOf(object);
  const labels = object.metadata.labels ?? {};
  const peers = Array.isArray(status.peers) ? status.peers.filter((p) => typeof p === 'string') : [];
  return {
    node: text(status.node) || (labels['metallb.io/node'] ?? ''),
    namespace: text(status.serviceNamespace) || (labels['metallb.io/service-namespace'] ?? ''),
    name: text(status.serviceName) || (labels['metallb.io/service-name'] ?? ''),
    peers: [...peers].sort(),
  };
}

export function toServiceL2Status(object: KubeObject): ServiceL2Status {
  const { node, namespace, name } = toServiceBgpStatus(object);
  return { node, namespace, name };
}

export function toConfigurationState(object: KubeObject): ConfigurationState {
  const status = statusOf(object);
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return {
    name: object.metadata.name ?? '',
    result: text(status.result),
    errorSummary: text(status.errorSummary),
    conditions: conditions.map((raw) => {
      const condition = record(raw);
      return { type: text(condition.type), status: text(condition.status), message: text(condition.message) };
    }),
  };
}

export function toControllerLease(object: KubeObject): ControllerLease {
  const spec = record(object.spec);
  const renew = Date.parse(text(spec.renewTime));
  return {
    name: object.metadata.name ?? '',
    holder: text(spec.holderIdentity),
    durationSeconds: count(spec.leaseDurationSeconds),
    renewTime: Number.isNaN(renew) ? undefined : new Date(renew),
  };
}

export function nodeNotReady(object: KubeObject): NodeNotReady | undefined {
  const conditions = record(object.status).conditions;
  const ready = (Array.isArray(conditions) ? conditions : []).map(record).find((c) => c.type === 'Ready');
  if (ready === undefined || ready.status === 'True') return undefined;
  const since = Date.parse(text(ready.lastTransitionTime));
  return {
    node: object.metadata.name ?? '',
    status: text(ready.status) || 'Unknown',
    reason: text(ready.message) || text(ready.reason),
    since: Number.isNaN(since) ? undefined : new Date(since),
  };
}

function byName<T extends { readonly name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Decodes everything; objects ferry would reject are left out and named in `configErrors`. */
export function snapshotOf(
  objects: ClusterObjects,
  validator: CrdValidator,
  options: { readonly namespace: string; readonly now: Date },
): ClusterSnapshot {
  const sourced = (Object.keys(CONSUMED_TYPES) as (keyof Resources)[]).flatMap((list) =>
    objects[list].map((object) => {
      const type = CONSUMED_TYPES[list];
      const typed = { ...object, apiVersion: apiVersionOf(type), kind: type.kind };
      const namespace = typed.metadata.namespace === undefined ? '' : `${typed.metadata.namespace}/`;
      return {
        source: 'apiserver',
        position: `${typed.kind} ${namespace}${typed.metadata.name ?? ''}`,
        object: typed,
      };
    }),
  );
  const loaded = loadObjects(sourced, validator, { defaultNamespace: options.namespace });
  const built = buildConfig(loaded.resources, { namespace: options.namespace });
  return {
    namespace: options.namespace,
    now: options.now,
    resources: loaded.resources,
    config: built.config,
    configErrors: [...loaded.errors.map(formatManifestError), ...built.errors.map(formatConfigError)],
    configFatal: built.fatal,
    sessions: objects.bgpSessionStates
      .map(toSessionState)
      .sort((a, b) => byName({ name: `${a.node}\u0000${a.peer}` }, { name: `${b.node}\u0000${b.peer}` })),
    serviceStatuses: objects.serviceBGPStatuses.map(toServiceBgpStatus),
    l2Statuses: objects.serviceL2Statuses.map(toServiceL2Status),
    configurationStates: objects.configurationStates.map(toConfigurationState).sort(byName),
    controllerLease:
      objects.controllerLease === undefined ? undefined : toControllerLease(objects.controllerLease),
    notReadyNodes: objects.nodes.flatMap((node) => nodeNotReady(node) ?? []),
  };
}
