// The speaker's status as Kubernetes objects: ConfigurationState `speaker-<node>`, one
// BGPSessionState per peer × VRF and one ServiceBGPStatus per announced Service. Each writer lists its
// objects on start (removing leftovers of a previous run), writes only what changed (JSON merge patch
// on /status) and deletes what is no longer wanted. Listing is retried with backoff until it works
// (writes wait for it): a speaker starting while the API server fails requests must still start and
// keep FRR in sync — one that exited there left FRR announcing whatever the previous one applied.
import type { Logger } from 'winston';
import type { KubeResult } from '../k8s/errors.js';
import type { KubeClient } from '../k8s/client.js';
import { ConfigurationStateWriter } from '../k8s/configuration-state-writer.js';
import type { OwnerReference } from '../k8s/kube-object.js';
import { inNamespace, resourceTypes } from '../k8s/resources.js';
import { backoffDelay, type BackoffPolicy } from '../k8s/backoff.js';
import { sleep } from '../k8s/sleep.js';
import { StatusWriter, type DesiredStatusObject } from '../k8s/status-writer.js';
import type { L2ServiceStatus } from './layer2.js';
import type { ServiceStatus } from './service-status.js';
import type { SessionStatus } from './session-status.js';
import { speakerConditions, type SpeakerConfigurationStatus } from './configuration-state.js';
import type { StatusSink } from './speaker.js';

const NODE_LABEL = 'metallb.io/node';

/** A label value / name part from a peer address or interface: `2001:db8::1` → `2001-db8--1`. */
export function labelSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** Object names must be DNS subdomains: lowercase, digits, '-' and '.'. */
function nameSafe(text: string): string {
  return labelSafe(text).toLowerCase().replace(/_/g, '-');
}

export interface KubeStatusSinkOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly nodeName: string;
  /** the speaker pod, so per-node objects go away with it */
  readonly owner?: OwnerReference;
  readonly logger: Logger;
  /** now(), for condition transition times */
  readonly now?: () => Date;
}

export interface KubeStatusSink extends StatusSink {
  /**
   * Lists the objects of earlier runs, retrying (0.5 s doubling to 10 s) until every writer has;
   * resolves then, or once stopped. Writes wait for it. Never rejects.
   */
  start(): Promise<void>;
  /** Ends a start still retrying. */
  stop(): void;
}

/** Listing the status objects of earlier runs: 0.5 s doubling to 10 s, no jitter (one list per node). */
const START_RETRY: BackoffPolicy = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0 };

/** ServiceBGPStatus / ServiceL2Status objects are keyed by their Service's labels. */
function serviceKeyOf(object: { metadata: { labels?: Record<string, string> } }): string | undefined {
  const labels = object.metadata.labels ?? {};
  const name = labels['metallb.io/service-name'];
  const ns = labels['metallb.io/service-namespace'];
  return name === undefined || ns === undefined ? undefined : `${ns}/${name}`;
}

export function createKubeStatusSink(options: KubeStatusSinkOptions): KubeStatusSink {
  const { client, namespace, nodeName, logger } = options;
  const common = { client, logger, ...(options.owner === undefined ? {} : { owner: options.owner }) };
  const configuration = new ConfigurationStateWriter({
    ...common,
    namespace,
    component: { kind: 'speaker', node: nodeName },
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const sessions = new StatusWriter({
    ...common,
    resource: inNamespace(resourceTypes.bgpSessionStates, namespace),
    selector: { 'frrk8s.metallb.io/node': nodeName },
    keyOf: (object) => {
      const labels = object.metadata.labels ?? {};
      const peer = labels['frrk8s.metallb.io/peer'];
      return peer === undefined ? undefined : `${labels['frrk8s.metallb.io/vrf'] ?? ''}/${peer}`;
    },
  });
  const services = new StatusWriter({
    ...common,
    resource: inNamespace(resourceTypes.serviceBGPStatuses, namespace),
    selector: { [NODE_LABEL]: nodeName },
    keyOf: serviceKeyOf,
  });
  const l2Services = new StatusWriter({
    ...common,
    resource: inNamespace(resourceTypes.serviceL2Statuses, namespace),
    selector: { [NODE_LABEL]: nodeName },
    keyOf: serviceKeyOf,
  });
  const serviceBgpStatusObject = (s: ServiceStatus): DesiredStatusObject => ({
    key: `${s.namespace}/${s.name}`,
    generateName: 'bgp-',
    labels: {
      [NODE_LABEL]: nodeName,
      'metallb.io/service-name': s.name,
      'metallb.io/service-namespace': s.namespace,
    },
    status: { node: s.node, serviceName: s.name, serviceNamespace: s.namespace, peers: [...s.peers] },
  });
  const stopping = new AbortController();
  let started: Promise<void> | undefined;
  let listedAll = false;

  const start = (): Promise<void> => {
    started ??= (async () => {
      const pending: { start(): Promise<KubeResult<unknown>> }[] = [
        configuration,
        sessions,
        services,
        l2Services,
      ];
      for (let attempt = 1; !stopping.signal.aborted; attempt++) {
        const writer = pending[0];
        if (writer === undefined) break;
        const listed = await writer.start();
        if (listed.ok) {
          pending.shift();
          attempt = 0;
          continue;
        }
        const retryInMs = backoffDelay(START_RETRY, attempt);
        logger.warn('cannot list the status objects of earlier runs yet; status writes wait', {
          error: listed.error.message,
          retryInMs,
        });
        await sleep(retryInMs, stopping.signal);
      }
      listedAll = pending.length === 0;
    })();
    return started;
  };

  const report = (what: string, errors: readonly { key: string; error: { message: string } }[]) => {
    if (errors.length > 0) {
      const first = errors[0];
      throw new Error(`${what}: ${errors.length} writes failed, e.g. ${first?.key}: ${first?.error.message}`);
    }
  };

  /** Waits for start; a write before the objects of earlier runs are known would duplicate them. */
  const whenListed = async (): Promise<void> => {
    await start();
    if (!listedAll) throw new Error('stopped before the status objects of earlier runs were listed');
  };

  return {
    start,
    stop: () => stopping.abort(),

    async configuration(status: SpeakerConfigurationStatus) {
      await whenListed();
      const result = await configuration.write(status, speakerConditions(status));
      if (!result.ok) throw new Error(`ConfigurationState ${configuration.name}: ${result.error.message}`);
    },

    async sessions(statuses: readonly SessionStatus[]) {
      await whenListed();
      const report_ = await sessions.sync(
        statuses.map((s) => ({
          key: `${s.vrf}/${labelSafe(s.peer)}`,
          name: [nodeName, nameSafe(s.peer), ...(s.vrf === '' ? [] : [nameSafe(s.vrf)])].join('-'),
          labels: {
            'frrk8s.metallb.io/node': nodeName,
            'frrk8s.metallb.io/peer': labelSafe(s.peer),
            'frrk8s.metallb.io/vrf': s.vrf,
          },
          status: {
            node: s.node,
            peer: s.peer,
            vrf: s.vrf,
            bgpStatus: s.bgpStatus,
            bfdStatus: s.bfdStatus,
            uptime: s.uptime,
            prefixesSent: s.prefixesSent,
            prefixesReceived: s.prefixesReceived,
            lastError: s.lastError,
            ...(s.bfdTimers === undefined ? {} : { bfdTimers: { ...s.bfdTimers } }),
          },
        })),
      );
      report('BGPSessionState', report_.errors);
    },

    async services(statuses: readonly ServiceStatus[]) {
      await whenListed();
      const report_ = await services.sync(statuses.map(serviceBgpStatusObject));
      report('ServiceBGPStatus', report_.errors);
    },

    async service(key: string, status: ServiceStatus | undefined) {
      await whenListed();
      const result =
        status === undefined
          ? await services.delete(key)
          : await services.write(serviceBgpStatusObject(status));
      if (!result.ok) throw new Error(`ServiceBGPStatus for ${key}: ${result.error.message}`);
    },

    async l2Services(statuses: readonly L2ServiceStatus[]) {
      await whenListed();
      const report_ = await l2Services.sync(
        statuses.map((s) => ({
          key: `${s.namespace}/${s.name}`,
          generateName: 'l2-',
          labels: {
            [NODE_LABEL]: nodeName,
            'metallb.io/service-name': s.name,
            'metallb.io/service-namespace': s.namespace,
          },
          status: {
            node: s.node,
            serviceName: s.name,
            serviceNamespace: s.namespace,
            interfaces: s.interfaces.map((name) => ({ name })),
          },
        })),
      );
      report('ServiceL2Status', report_.errors);
    },
  };
}
