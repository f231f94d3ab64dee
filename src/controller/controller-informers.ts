// What the controller watches: Services (all namespaces), Namespaces (their labels feed the pools'
// namespaceSelectors), and IPAddressPools and Communities in ferry's namespace. A Service event
// names the Service; anything the pool configuration reads counts as a configuration change (not
// the pool status the controller writes itself).
import type { Logger } from 'winston';
import { toNamespaceInfo } from '../api/cluster-objects.js';
import type { NamespaceInfo } from '../api/resources.js';
import type { BackoffPolicy } from '../k8s/backoff.js';
import type { KubeClient } from '../k8s/client.js';
import { Informer } from '../k8s/informer.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { jsonEqual } from '../k8s/merge-patch.js';
import type { K8sClientMetrics } from '../k8s/metrics.js';
import { inNamespace, resourceTypes } from '../k8s/resources.js';
import { decodeService, type ServiceObject } from './service-view.js';

export interface ControllerInformersOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly logger: Logger;
  readonly metrics: K8sClientMetrics;
  readonly backoff?: BackoffPolicy;
  /** a Service (`namespace/name`) was added, changed or deleted */
  readonly onService: (key: string) => void;
  /** something the pool configuration reads changed */
  readonly onConfiguration: () => void;
}

export class ControllerInformers {
  readonly services: Informer<ServiceObject>;
  readonly namespaces: Informer<NamespaceInfo>;
  readonly pools: Informer<KubeObject>;
  readonly communities: Informer<KubeObject>;
  private readonly all: readonly Informer<unknown>[];

  constructor(private readonly options: ControllerInformersOptions) {
    const { client, namespace, logger, metrics } = options;
    const common = { client, logger, metrics, ...(options.backoff ? { backoff: options.backoff } : {}) };
    this.services = new Informer<ServiceObject>({
      ...common,
      resource: resourceTypes.services,
      decode: decodeService,
      name: 'services',
    });
    this.namespaces = new Informer<NamespaceInfo>({
      ...common,
      resource: resourceTypes.namespaces,
      decode: (object) => toNamespaceInfo(object).value,
      name: 'namespaces',
    });
    this.pools = new Informer<KubeObject>({
      ...common,
      resource: inNamespace(resourceTypes.ipAddressPools, namespace),
      name: 'ipaddresspools',
    });
    this.communities = new Informer<KubeObject>({
      ...common,
      resource: inNamespace(resourceTypes.communities, namespace),
      name: 'communities',
    });
    this.all = [this.services, this.namespaces, this.pools, this.communities] as Informer<unknown>[];

    const serviceChanged = (service: ServiceObject): void =>
      options.onService(`${service.info.namespace}/${service.info.name}`);
    this.services.on('add', serviceChanged);
    this.services.on('update', serviceChanged);
    this.services.on('delete', serviceChanged);
    const configChanged = (): void => options.onConfiguration();
    const onConfigurationChange = <T>(informer: Informer<T>, read: (object: T) => unknown): void => {
      informer.on('add', configChanged);
      informer.on('delete', configChanged);
      informer.on('update', (object, previous) => {
        if (!jsonEqual(read(object), read(previous))) configChanged();
      });
    };
    const specAndLabels = (object: KubeObject): unknown => [object.spec, object.metadata.labels];
    onConfigurationChange(this.pools, specAndLabels);
    onConfigurationChange(this.communities, specAndLabels);
    onConfigurationChange(this.namespaces, (ns) => ns.labels);
  }

  /** Lists and watches; true once every cache synced, false when stopped before. */
  async start(): Promise<boolean> {
    for (const informer of this.all) informer.start();
    const synced = await Promise.all(this.all.map((informer) => informer.waitForSync()));
    if (synced.some((done) => !done)) return false;
    this.options.logger.info('caches synced', {
      services: this.services.size,
      namespaces: this.namespaces.size,
      ipAddressPools: this.pools.size,
      communities: this.communities.size,
    });
    return true;
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.stop()));
  }
}
