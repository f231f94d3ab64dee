// The cluster objects (core Kubernetes kinds) a node's speaker and the controller read, reduced to
// the fields ferry uses. Parsed from YAML by `src/api` or from the API server by `src/k8s`.

export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** node condition NetworkUnavailable=True */
  readonly networkUnavailable: boolean;
  /** node condition Ready; undefined when the Node reports no Ready condition */
  readonly ready?: boolean;
  /** status.addresses of type InternalIP, canonical */
  readonly internalIPs?: readonly string[];
}

export interface ServicePort {
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly port: number;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the metallb.io/ and metallb.universe.tf/ ones: the only ones ferry reads */
  readonly annotations: Readonly<Record<string, string>>;
  readonly type: string;
  readonly loadBalancerClass: string | undefined;
  readonly loadBalancerIP: string | undefined;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly ipFamilies: readonly ('IPv4' | 'IPv6')[];
  readonly ipFamilyPolicy: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack' | undefined;
  readonly clusterIPs: readonly string[];
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  /**
   * status.loadBalancer.ingress[i].ip for every entry i: canonical when it is an IP address, as
   * written when it is not, '' when the entry has none (a hostname-only entry)
   */
  readonly ingressIPs: readonly string[];
}

export interface EndpointInfo {
  readonly addresses: readonly string[];
  readonly nodeName: string | undefined;
  /** conditions; undefined = unknown, which Kubernetes says to treat as ready/serving */
  readonly ready: boolean | undefined;
  readonly serving: boolean | undefined;
  readonly terminating: boolean | undefined;
}

export interface EndpointSliceInfo {
  readonly namespace: string;
  readonly name: string;
  /** label kubernetes.io/service-name */
  readonly serviceName: string;
  readonly endpoints: readonly EndpointInfo[];
}

/** A pod of ferry's speaker DaemonSet: layer 2 mode's Kubernetes liveness source. */
export interface SpeakerPodInfo {
  readonly name: string;
  /** spec.nodeName; '' while unscheduled */
  readonly nodeName: string;
  /** condition Ready is True and the pod is not being deleted */
  readonly ready: boolean;
  /** metadata.deletionTimestamp is set (rolling update, kubectl delete) */
  readonly deleting: boolean;
}

export interface SecretInfo {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  /** decoded (base64 `data` and plain `stringData` merged) */
  readonly data: Readonly<Record<string, string>>;
}
