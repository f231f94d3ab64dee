// The lab's kubelet: after `kubectl apply -k deploy/` it reads ferry's DaemonSet and Deployment
// from the API server, creates their Pods there, runs each container's command/args as a process
// in the pod's network namespace (a node's for hostNetwork pods) with the env the manifest
// declares (downward API from the Pod it created) and the ServiceAccount's token, runs the
// readiness and liveness probes and writes them to the Pod's status. What images would contain is
// mapped by the table in pod-spec.ts. No workload controller: one Pod per node for a DaemonSet, one
// for a Deployment, no rollouts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { ApiServer } from './apiserver-seam.js';
import { run } from './netns.js';
import type { Container, ContainerState, Pod, Probe, Workload } from './pod-spec.js';
import { containerArgv, containerEnv, imageKind, podFor, podStatus, probePort } from './pod-spec.js';

/** Where a pod runs on this machine. */
export interface PodPlacement {
  readonly nodeName: string;
  /** argv prefix that enters the pod's namespaces */
  readonly enter: readonly string[];
  /** the network namespace of the pod (probes run there) */
  readonly netns: string;
  readonly hostIP: string;
  /** the pod's IP: the node's for hostNetwork pods */
  readonly podIP?: string;
  /** image table paths for this pod: container path -> host path */
  readonly paths: Readonly<Record<string, string>>;
  /** FRR pathspace of the node (the frr image's vtysh probes) */
  readonly frrPathspace?: string;
  /** URL of the API server as seen from inside the pod's network namespace */
  readonly apiServerUrl: string;
}

interface RunningContainer {
  readonly container: Container;
  state: ContainerState;
  process: ResultPromise | undefined;
  log: string;
  readinessFailures: number;
  livenessFailures: number;
}

export interface RunningPod {
  readonly name: string;
  readonly namespace: string;
  readonly placement: PodPlacement;
  readonly containers: RunningContainer[];
  /** status.startTime */
  readonly startTime: string;
  /** every container's output, prefixed by its name */
  log(): string;
}

export class Kubelet {
  private readonly pods: RunningPod[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly apiserver: ApiServer,
    private readonly workDir: string,
    /** the ferry image's ENTRYPOINT on this machine */
    private readonly ferryEntrypoint: readonly string[],
  ) {}

  get running(): readonly RunningPod[] {
    return this.pods;
  }

  /** Reads the workload from the API server and runs one Pod of it on each placement. */
  runWorkload(
    kind: 'DaemonSet' | 'Deployment',
    namespace: string,
    name: string,
    placements: readonly PodPlacement[],
  ): RunningPod[] {
    const plural = kind === 'DaemonSet' ? 'daemonsets' : 'deployments';
    const cluster = this.apiserver.cluster;
    const workload = cluster.get(
      cluster.target('apps', 'v1', plural, namespace, name),
    ) as unknown as Workload;
    return placements.map((placement) => this.runPod(workload, placement));
  }

  private runPod(workload: Workload, placement: PodPlacement): RunningPod {
    const cluster = this.apiserver.cluster;
    const namespace = workload.metadata.namespace;
    const suffix = randomBytes(3).toString('hex').slice(0, 5);
    const created = cluster.create(
      cluster.target('', 'v1', 'pods', namespace),
      podFor(workload, placement.nodeName, suffix),
      { fieldManager: 'lab-kubelet' },
    ).object as unknown as Pod;
    const serviceAccount = created.spec.serviceAccountName ?? 'default';
    const minted = this.apiserver.mintServiceAccountToken(namespace, serviceAccount, 24 * 3600);
    if (minted === undefined)
      throw new Error(`pod ${namespace}/${created.metadata.name}: no ServiceAccount ${serviceAccount}`);
    const podDir = join(this.workDir, 'pods', created.metadata.name);
    mkdirSync(podDir, { recursive: true });
    const kubeconfig = join(podDir, 'kubeconfig');
    writeFileSync(kubeconfig, this.apiserver.kubeconfigFor(minted.token, placement.apiServerUrl), {
      mode: 0o600,
    });
    const startTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const pod: RunningPod = {
      name: created.metadata.name,
      namespace,
      placement,
      startTime,
      containers: created.spec.containers.map((container) => ({
        container,
        state: {
          name: container.name,
          image: container.image,
          ready: false,
          started: false,
          restartCount: 0,
        },
        process: undefined,
        log: '',
        readinessFailures: 0,
        livenessFailures: 0,
      })),
      log: () => pod.containers.map((c) => c.log.replace(/^/gm, `[${c.container.name}] `)).join(''),
    };
    this.pods.push(pod);
    for (const running of pod.containers) {
      this.start(pod, created, running, kubeconfig);
      this.scheduleProbes(pod, running, startTime);
    }
    this.writeStatus(pod, startTime);
    return pod;
  }

  private start(pod: RunningPod, created: Pod, running: RunningContainer, kubeconfig: string): void {
    const { container } = running;
    const kind = imageKind(container.image);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (kind === 'lab-frr') {
      // the node's FRR, run by the fabric: started as far as the kubelet is concerned
      running.state = { ...running.state, started: true, startedAt: now };
      return;
    }
    if (kind === 'unknown') {
      running.log += `image ${container.image} is not in the lab's image table (src/lab/pod-spec.ts)\n`;
      return;
    }
    const env = containerEnv(container, created, pod.placement.hostIP);
    if (!env.ok) {
      running.log += `${env.error}\n`;
      return;
    }
    const argv = containerArgv(container, this.ferryEntrypoint, env.env, pod.placement.paths);
    const [file = '', ...args] = [...pod.placement.enter, ...argv];
    const child = execa(file, args, {
      reject: false,
      all: true,
      buffer: false,
      extendEnv: false,
      env: {
        PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        ...env.env,
        KUBECONFIG: kubeconfig,
      },
    });
    child.all?.on('data', (chunk: Buffer) => {
      running.log += chunk.toString();
    });
    running.process = child;
    running.state = { ...running.state, started: true, startedAt: now };
    void child.then((result) => {
      if (running.process !== child || this.stopped) return;
      running.process = undefined;
      running.state = {
        ...running.state,
        started: false,
        ready: false,
        restartCount: running.state.restartCount + 1,
        lastExit: { exitCode: result.exitCode ?? -1, reason: result.signal ? 'Killed' : 'Error' },
      };
      // at once, as the kubelet's pod lifecycle event does: the pod is not Ready any more (layer 2
      // owners elsewhere drop this node without waiting for a probe)
      this.writeStatus(pod, pod.startTime);
      // restartPolicy Always, without the back-off
      const timer = setTimeout(() => this.stopped || this.start(pod, created, running, kubeconfig), 1_000);
      this.timers.push(timer);
    });
  }

  private scheduleProbes(pod: RunningPod, running: RunningContainer, startTime: string): void {
    const { container } = running;
    const every = (probe: Probe | undefined, check: (ok: boolean) => void): void => {
      if (probe === undefined) return;
      const tick = (): void => {
        if (this.stopped) return;
        void this.probe(pod, running, probe).then((ok) => {
          if (this.stopped) return;
          check(ok);
          this.writeStatus(pod, startTime);
          this.timers.push(setTimeout(tick, (probe.periodSeconds ?? 10) * 1000));
        });
      };
      this.timers.push(setTimeout(tick, (probe.initialDelaySeconds ?? 0) * 1000));
    };
    const readiness = container.readinessProbe ?? container.startupProbe;
    if (readiness === undefined) running.state = { ...running.state, ready: running.state.started };
    every(readiness, (ok) => {
      running.readinessFailures = ok ? 0 : running.readinessFailures + 1;
      if (ok) running.state = { ...running.state, ready: running.state.started };
      else if (running.readinessFailures >= (readiness?.failureThreshold ?? 3) || !running.state.ready)
        running.state = { ...running.state, ready: false };
    });
    every(container.livenessProbe, (ok) => {
      running.livenessFailures = ok ? 0 : running.livenessFailures + 1;
      if (running.livenessFailures >= (container.livenessProbe?.failureThreshold ?? 3) && running.process) {
        running.log += `liveness probe failed ${running.livenessFailures} times: restarting\n`;
        running.livenessFailures = 0;
        running.process.kill('SIGTERM');
      }
    });
  }

  private async probe(pod: RunningPod, running: RunningContainer, probe: Probe): Promise<boolean> {
    const timeout = String(probe.timeoutSeconds ?? 1);
    if (probe.httpGet) {
      const port = probePort(running.container, probe.httpGet.port);
      if (port === undefined) return false;
      const url = `http://127.0.0.1:${port}${probe.httpGet.path ?? '/'}`;
      const result = await run(pod.placement.netns, [
        'curl',
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--max-time',
        timeout,
        url,
      ]);
      const code = Number(result.stdout);
      return code >= 200 && code < 400;
    }
    if (probe.exec) {
      const [command = '', ...rest] = probe.exec.command;
      // the frr image's vtysh talks to the node's FRR pathspace
      const argv =
        imageKind(running.container.image) === 'lab-frr' && command === 'vtysh' && pod.placement.frrPathspace
          ? ['vtysh', '-N', pod.placement.frrPathspace, ...rest]
          : [command, ...rest];
      const result = await run(undefined, ['timeout', timeout, ...argv]);
      return result.exitCode === 0;
    }
    return true;
  }

  private writeStatus(pod: RunningPod, startTime: string): void {
    if (this.stopped) return;
    const cluster = this.apiserver.cluster;
    const status = podStatus(
      pod.containers.map((c) => c.state),
      pod.placement.hostIP,
      pod.placement.podIP,
      startTime,
    );
    try {
      cluster.patch(
        { ...cluster.target('', 'v1', 'pods', pod.namespace, pod.name), subresource: 'status' },
        'merge',
        { status },
        { fieldManager: 'lab-kubelet' },
      );
    } catch {
      // the pod was deleted (kubectl delete pod): nothing to report to
    }
  }

  /** Kills a container's process as a crash would; the kubelet restarts it (restartPolicy Always). */
  crashContainer(podName: string, containerName: string): boolean {
    const pod = this.pods.find((p) => p.name === podName);
    const running = pod?.containers.find((c) => c.container.name === containerName);
    if (running?.process === undefined) return false;
    running.process.kill('SIGKILL');
    return true;
  }

  /** Stops every container (SIGTERM, SIGKILL after the grace period) and the probes. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    const processes = this.processes();
    for (const child of processes) child.kill('SIGTERM');
    const kill = setTimeout(() => processes.forEach((child) => child.kill('SIGKILL')), 10_000);
    await Promise.all(processes.map((child) => child.catch(() => undefined)));
    clearTimeout(kill);
  }

  /** SIGKILL to every container at once, synchronously: for a process about to exit without `stop()`. */
  killAll(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const child of this.processes()) child.kill('SIGKILL');
  }

  private processes() {
    return this.pods.flatMap((pod) => pod.containers.map((c) => c.process)).filter((p) => p !== undefined);
  }
}
