// The pure half of the lab's kubelet: from a DaemonSet's or Deployment's pod template to the Pod
// object it creates, each container's environment (downward API included) and argv (Kubernetes'
// `$(VAR)` expansion, then the image table's paths), and the Pod status its probes amount to.
//
// The image table is the one place where the lab differs from a cluster: what an image would
// contain comes from this machine instead. Manifests are never edited.
//   ferry:*                      ENTRYPOINT ["node", "/app/dist/src/cli/main.js"] (Dockerfile) =
//                                this checkout's dist/src/cli/main.js with this Node
//   quay.io/frrouting/frr:*      not started: it is the node's FRR instance the lab fabric runs
//                                (its startup files are the fabric's; `vtysh` probes get `-N NAME`)
//   paths /etc/frr, /var/run/frr the node FRR's config and socket directories (/etc/frr/NAME,
//                                /var/run/frr/NAME: FRR pathspaces), in args of every container
// The ServiceAccount token is not mounted at /var/run/secrets/kubernetes.io/serviceaccount (all
// pods share this machine's file system): KUBECONFIG points at an equivalent kubeconfig instead.

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath: string } };
}

export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port: number | string };
  readonly exec?: { readonly command: readonly string[] };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
}

export interface PodTemplate {
  readonly metadata?: {
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: {
    readonly serviceAccountName?: string;
    readonly hostNetwork?: boolean;
    readonly containers: readonly Container[];
    readonly [field: string]: unknown;
  };
}

export interface Workload {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly uid?: string };
  readonly spec: { readonly template: PodTemplate };
}

export interface Pod {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly ownerReferences: readonly Record<string, unknown>[];
  };
  readonly spec: PodTemplate['spec'] & { readonly nodeName: string };
}

export type ImageKind = 'ferry' | 'lab-frr' | 'unknown';

/** Which row of the image table an image is. */
export function imageKind(image: string): ImageKind {
  const repository = image.replace(/[@:][^/]*$/, '');
  if (repository === 'ferry' || repository.endsWith('/ferry')) return 'ferry';
  if (repository === 'quay.io/frrouting/frr') return 'lab-frr';
  return 'unknown';
}

/** The Pod object the kubelet creates for a workload on a node (the API server assigns its uid). */
export function podFor(workload: Workload, nodeName: string, suffix: string): Pod {
  const { template } = workload.spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${workload.metadata.name}-${suffix}`,
      namespace: workload.metadata.namespace,
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: workload.apiVersion,
          kind: workload.kind,
          name: workload.metadata.name,
          uid: workload.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...template.spec, nodeName },
  };
}

/** Downward API fieldRef values of a pod. */
export function fieldRefValue(
  pod: {
    metadata: { name: string; namespace: string; uid?: string };
    spec: { nodeName: string; serviceAccountName?: string };
  },
  fieldPath: string,
  hostIP: string,
): string | undefined {
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName;
    case 'status.hostIP':
      return hostIP;
    default:
      return undefined;
  }
}

/** A container's environment in declaration order; an unknown fieldRef is an error naming it. */
export function containerEnv(
  container: Container,
  pod: Parameters<typeof fieldRefValue>[0],
  hostIP: string,
): { ok: true; env: Record<string, string> } | { ok: false; error: string } {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.fieldRef) {
      const value = fieldRefValue(pod, variable.valueFrom.fieldRef.fieldPath, hostIP);
      if (value === undefined) {
        return {
          ok: false,
          error: `container ${container.name}: env ${variable.name}: fieldRef ${variable.valueFrom.fieldRef.fieldPath} is not supported by the lab's kubelet`,
        };
      }
      env[variable.name] = value;
    } else env[variable.name] = expand(variable.value ?? '', env);
  }
  return { ok: true, env };
}

/** Kubernetes' `$(VAR)` expansion: defined variables are replaced, `$$` is a literal `$`, the rest stays. */
export function expand(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : match;
  });
}

/** The image table's paths: `/etc/frr` in `--frr-config-dir=/etc/frr` becomes the node FRR's directory. */
export function mapPaths(argument: string, paths: Readonly<Record<string, string>>): string {
  let mapped = argument;
  for (const [from, to] of Object.entries(paths)) {
    mapped = mapped.replace(
      new RegExp(`(^|=)${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$)`),
      `$1${to}`,
    );
  }
  return mapped;
}

/** argv of a container: command (or the image's entrypoint) and args, expanded and path-mapped. */
export function containerArgv(
  container: Container,
  entrypoint: readonly string[],
  env: Readonly<Record<string, string>>,
  paths: Readonly<Record<string, string>>,
): string[] {
  const command = container.command ?? entrypoint;
  return [...command, ...(container.args ?? [])].map((a) => mapPaths(expand(a, env), paths));
}

/** A probe's port: a number, or the name of one of the container's ports. */
export function probePort(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export interface ContainerState {
  readonly name: string;
  readonly image: string;
  readonly ready: boolean;
  readonly started: boolean;
  readonly restartCount: number;
  readonly startedAt?: string;
  readonly lastExit?: { readonly exitCode: number; readonly reason: string };
}

/** The Pod status the API shows for the containers' states (what `kubectl get pods` prints). */
export function podStatus(
  containers: readonly ContainerState[],
  hostIP: string,
  podIP: string | undefined,
  startTime: string,
): Record<string, unknown> {
  const allReady = containers.every((c) => c.ready);
  const condition = (type: string, status: boolean): Record<string, string> => ({
    type,
    status: status ? 'True' : 'False',
  });
  return {
    phase: 'Running',
    hostIP,
    ...(podIP !== undefined ? { podIP } : {}),
    startTime,
    conditions: [
      condition('PodScheduled', true),
      condition('Initialized', true),
      condition('ContainersReady', allReady),
      condition('Ready', allReady),
    ],
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      ready: c.ready,
      started: c.started,
      restartCount: c.restartCount,
      state: c.started
        ? { running: { startedAt: c.startedAt ?? startTime } }
        : { waiting: { reason: 'ContainerCreating' } },
      ...(c.lastExit
        ? { lastState: { terminated: { exitCode: c.lastExit.exitCode, reason: c.lastExit.reason } } }
        : {}),
    })),
  };
}
