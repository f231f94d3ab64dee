// The whole lab: the in-memory API server (e2e/apiserver, the one thing that is not real), a BGP
// fabric of two ToR FRRs and N node namespaces each running FRR and a real `ferry speaker` process,
// optionally a `ferry controller`, driven with the system kubectl. Used by `ferry lab`, the e2e
// suite and the benchmarks; `destroy()` removes every process, namespace and file it created.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { startApiServer, type ApiServer } from './apiserver-seam.js';
import { packageRoot } from '../util/package-root.js';
import { Fabric, type NodeHandle } from './fabric.js';
import { frrRunDir, utsNamespacePrefix, type FrrInstance } from './frr-instance.js';
import { Kubelet, type PodPlacement } from './kubelet.js';
import { killProcessTree } from './process-tree.js';
import { shippedSpeakerSettings } from './shipped-env.js';
import { addAddress, addVethPair, attachToBridge, createNamespace, mustRun, run } from './netns.js';
import { torFrrConfigForNodes } from './tor-config.js';
import { waitUntil } from './wait-until.js';

/** the client host on tor1's segment */
export const CLIENT_ADDRESS = '192.0.2.100';

export interface LabNode {
  /** Kubernetes node name, `node-21` … */
  readonly name: string;
  readonly handle: NodeHandle;
  readonly frr: FrrInstance;
  speaker: ResultPromise | undefined;
  /** everything the speaker printed (JSON log lines) */
  speakerLog: string;
}

export interface ClusterLabOptions {
  /** default 3 */
  readonly nodes?: number;
  /** Kubernetes name of node k (1-based); default `node-2k` as in deploy/examples */
  readonly nodeName?: (index: number) => string;
  /** BFD timers on the ToRs; default bfdd's 300 ms × 3 */
  readonly torBfd?: {
    readonly receiveMs: number;
    readonly transmitMs: number;
    readonly detectMultiplier: number;
  };
  /** also peer with the nodes over IPv6 at the ToRs */
  readonly ipv6?: boolean;
  /** extra flags for every speaker */
  readonly speakerFlags?: readonly string[];
  /** serve deploy/crds from the start (default); false when installFerry() applies them */
  readonly preloadCrds?: boolean;
}

/** `ip` as the host part of a URL: IPv6 literals in brackets. */
export function urlHost(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

function cliPath(): string {
  return join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
}

export class ClusterLab {
  readonly nodes: LabNode[] = [];
  tors: FrrInstance[] = [];
  controller: ResultPromise | undefined;
  controllerLog = '';
  clientNamespace: string | undefined;
  /** set by installFerry(): the pods of deploy/'s DaemonSet and Deployment */
  kubelet: Kubelet | undefined;
  private readonly backends: ResultPromise[] = [];
  private readonly forwarders: ResultPromise[] = [];
  private apiBridge: Server | undefined;

  private constructor(
    readonly fabric: Fabric,
    readonly apiserver: ApiServer,
    readonly workDir: string,
    readonly kubeconfig: string,
    private readonly options: ClusterLabOptions,
  ) {}

  static async create(options: ClusterLabOptions = {}): Promise<ClusterLab> {
    const workDir = mkdtempSync(join(tmpdir(), 'ferry-lab-'));
    const kubeconfig = join(workDir, 'kubeconfig');
    const apiserver = await startApiServer({
      crdDirectories: options.preloadCrds === false ? [] : [join(packageRoot(), 'deploy', 'crds')],
      kubeconfigPath: kubeconfig,
    });
    let fabric: Fabric | undefined;
    try {
      fabric = await Fabric.create({ nodes: options.nodes ?? 3 });
      const lab = new ClusterLab(fabric, apiserver, workDir, kubeconfig, options);
      await lab.apply(
        ['metallb-system', 'default']
          .map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}`)
          .join('\n---\n'),
      );
      await lab.startRouters();
      return lab;
    } catch (error) {
      await fabric?.destroy();
      await apiserver.close();
      rmSync(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  private async startRouters(): Promise<void> {
    const handles = this.fabric.nodes;
    this.tors = await Promise.all(
      this.fabric.tors.map((tor) =>
        this.fabric.startFrr(
          tor,
          torFrrConfigForNodes(tor, handles, {
            ...(this.options.ipv6 === true ? { ipv6: true } : {}),
            ...(this.options.torBfd === undefined ? {} : { bfd: this.options.torBfd }),
          }),
        ),
      ),
    );
    const name = this.options.nodeName ?? ((index: number) => `node-${20 + index}`);
    for (const handle of handles) {
      // the FRR container's startup config: defaults only, the speaker brings the rest
      const frr = await this.fabric.startFrr(handle, 'frr defaults datacenter\n');
      this.nodes.push({ name: name(handle.index), handle, frr, speaker: undefined, speakerLog: '' });
    }
  }

  node(name: string): LabNode {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no lab node ${name}`);
    return node;
  }

  /** `kubectl ARGS` against the lab's API server; stdin optional. */
  async kubectl(args: readonly string[], input?: string) {
    return execa('kubectl', ['--kubeconfig', this.kubeconfig, ...args], {
      reject: false,
      timeout: 30_000,
      ...(input === undefined ? {} : { input }),
    });
  }

  /** `kubectl apply -f -` of YAML text; throws with kubectl's message when it fails. */
  async apply(yaml: string): Promise<string> {
    const result = await this.kubectl(['apply', '-f', '-'], yaml);
    if (result.exitCode !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
    return result.stdout;
  }

  /**
   * Writes a Service's status.loadBalancer as a controller does (for labs without one, or standing
   * in for another load balancer): one IP, or the ingress entries as given.
   */
  async writeIngress(service: string, ingress: string | readonly Record<string, string>[]): Promise<void> {
    const entries = typeof ingress === 'string' ? [{ ip: ingress }] : ingress;
    const patched = await this.kubectl([
      'patch',
      'service',
      service,
      '-n',
      'default',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { loadBalancer: { ingress: entries } } }),
    ]);
    if (patched.exitCode !== 0) throw new Error(`kubectl patch service ${service}: ${patched.stderr}`);
  }

  /** The Node objects of the lab's nodes, with the given extra labels. */
  nodeObjectsYaml(labels: Readonly<Record<string, Readonly<Record<string, string>>>> = {}): string {
    return this.nodes
      .map((node) => {
        const all = { 'kubernetes.io/hostname': node.name, ...labels[node.name] };
        return [
          'apiVersion: v1',
          'kind: Node',
          'metadata:',
          `  name: ${node.name}`,
          '  labels:',
          ...Object.entries(all).map(([k, v]) => `    ${k}: "${v}"`),
        ].join('\n');
      })
      .join('\n---\n');
  }

  /** Starts (or restarts) node's speaker, in the UTS namespace of its FRR, talking to the API server. */
  startSpeaker(node: LabNode, extraFlags: readonly string[] = []): void {
    const [file, ...prefix] = utsNamespacePrefix(node.frr.name);
    const args = [
      ...prefix,
      process.execPath,
      // FERRY_SPEAKER_NODE_ARGS: Node flags NODE_OPTIONS refuses (e.g. --cpu-prof), speakers only
      ...(process.env['FERRY_SPEAKER_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== ''),
      cliPath(),
      'speaker',
      '--node',
      node.name,
      '--kubeconfig',
      this.kubeconfig,
      '--frr-pathspace',
      node.frr.name,
      '--metrics-listen',
      '127.0.0.1:0',
      // the speaker runs in the host's network namespace (to reach the API server); its ARP/NDP
      // responder must answer on the node's own interfaces
      '--layer2-netns',
      node.handle.namespace,
      ...(this.options.speakerFlags ?? []),
      ...extraFlags,
    ];
    node.speakerLog = '';
    // The process settings deploy/speaker.yaml ships (heap limit, glibc arenas), then
    // FERRY_SPEAKER_NODE_OPTIONS: more Node flags for the speakers only (e.g. heap snapshots)
    const shipped = shippedSpeakerSettings();
    const extraOptions = process.env['FERRY_SPEAKER_NODE_OPTIONS'];
    const nodeOptions = [shipped['NODE_OPTIONS'], extraOptions].filter((o) => o !== undefined).join(' ');
    const child = execa(file ?? 'sh', args, {
      reject: false,
      all: true,
      buffer: false,
      env: { ...shipped, ...(nodeOptions === '' ? {} : { NODE_OPTIONS: nodeOptions }) },
    });
    // FERRY_SPEAKER_LOG_DIR: each speaker's output also goes to <dir>/<node>.log (benchmarks keep it)
    const logDir = process.env['FERRY_SPEAKER_LOG_DIR'];
    child.all?.on('data', (chunk: Buffer) => {
      node.speakerLog += chunk.toString();
      if (logDir !== undefined) appendFileSync(join(logDir, `${node.name}.log`), chunk);
    });
    node.speaker = child;
  }

  async stopSpeaker(node: LabNode, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
    const child = node.speaker;
    if (child === undefined) return undefined;
    node.speaker = undefined;
    // SIGKILL as a container runtime delivers it: to the speaker and every process it started
    const kill = () => (child.pid === undefined ? undefined : killProcessTree(child.pid));
    if (signal === 'SIGKILL') await kill();
    else child.kill(signal);
    const killTimer = setTimeout(() => void kill(), 10_000);
    const result = await child;
    clearTimeout(killTimer);
    return result.exitCode;
  }

  startController(extraFlags: readonly string[] = []): void {
    const child = execa(
      process.execPath,
      [
        cliPath(),
        'controller',
        '--kubeconfig',
        this.kubeconfig,
        '--metrics-listen',
        '127.0.0.1:0',
        ...extraFlags,
      ],
      { reject: false, all: true, buffer: false },
    );
    child.all?.on('data', (chunk: Buffer) => {
      this.controllerLog += chunk.toString();
    });
    this.controller = child;
  }

  async stopController(): Promise<void> {
    const child = this.controller;
    this.controller = undefined;
    if (child === undefined) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child;
    clearTimeout(killTimer);
  }

  /**
   * The `client` namespace: a host on tor1's segment (br-a, 192.0.2.100) whose default route points
   * at tor1, so its traffic to a Service IP follows tor1's ECMP route to the announcing nodes.
   */
  async addClient(): Promise<string> {
    const name = `${this.fabric.prefix}-client`;
    await createNamespace(name);
    await addVethPair({ ns: this.fabric.fabricNamespace, name: 'client' }, { ns: name, name: 'eth0' });
    await attachToBridge(this.fabric.fabricNamespace, 'client', 'br-a');
    await addAddress(name, 'eth0', `${CLIENT_ADDRESS}/24`);
    await mustRun(name, ['ip', 'route', 'add', 'default', 'via', this.fabric.tors[0].link.ipv4]);
    this.clientNamespace = name;
    return name;
  }

  /**
   * A backend on `node` answering HTTP on `ip`:`port` (standing in for kube-proxy + a pod): the IP
   * on the node namespace's loopback and a tiny server that says which node answered.
   */
  async startBackend(node: LabNode, ip: string, port = 80): Promise<void> {
    const ns = node.handle.namespace;
    const existing = await run(ns, ['ip', 'address', 'show', 'dev', 'lo']);
    if (!existing.stdout.includes(` ${ip}/`))
      await mustRun(ns, ['ip', 'address', 'add', `${ip}/${ip.includes(':') ? 128 : 32}`, 'dev', 'lo']);
    const script = `require('http').createServer((q, r) => r.end('hello from ${node.name}\\n')).listen(${port}, '${ip}')`;
    const child = execa('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
      reject: false,
      buffer: false,
    });
    this.backends.push(child);
    // ready when the port answers inside the namespace
    await waitUntil(
      async () => {
        const probe = await run(ns, ['curl', '-sg', '--max-time', '1', `http://${urlHost(ip)}:${port}/`]);
        return probe.exitCode === 0 ? { done: true, value: true } : { done: false, why: probe.stderr };
      },
      { timeoutMs: 10_000 },
    );
  }

  /** `curl` from the client namespace; returns the body (trimmed) or undefined when it failed. */
  async curlFromClient(url: string, timeoutSeconds = 2): Promise<string | undefined> {
    if (this.clientNamespace === undefined) throw new Error('addClient() first');
    // -g: an IPv6 literal's brackets are the host, not a curl URL glob
    const result = await run(this.clientNamespace, [
      'curl',
      '-sg',
      '--max-time',
      String(timeoutSeconds),
      url,
    ]);
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  /** Writes a file into the lab's work directory (e.g. manifests); returns its path. */
  writeFile(name: string, text: string): string {
    const path = join(this.workDir, name);
    writeFileSync(path, text);
    return path;
  }

  /**
   * SIGKILL to every process this lab started (speakers, controller, backends), at once and
   * synchronously: for a process about to exit without `destroy()`.
   */
  killProcesses(): void {
    for (const child of [...this.backends, ...this.nodes.map((node) => node.speaker), this.controller]) {
      child?.kill('SIGKILL');
    }
    this.kubelet?.killAll();
    for (const forwarder of this.forwarders) forwarder.kill('SIGKILL');
  }

  /**
   * Installs ferry as a cluster does: `kubectl apply -k deploy/`, then the lab's kubelet runs the
   * speaker DaemonSet's pod on every node (in the node's network namespace and its FRR's UTS
   * namespace: hostNetwork) and the controller Deployment's pod in a network namespace of its own,
   * each with its ServiceAccount's token, so deploy/rbac is what they may do.
   */
  async installFerry(): Promise<Kubelet> {
    const applied = await this.kubectl(['apply', '-k', join(packageRoot(), 'deploy')]);
    if (applied.exitCode !== 0) throw new Error(`kubectl apply -k deploy/ failed: ${applied.stderr}`);
    const controllerNamespace = `${this.fabric.prefix}-pod-controller`;
    await createNamespace(controllerNamespace);
    await mustRun(controllerNamespace, ['ip', 'link', 'set', 'lo', 'up']);
    const apiServerUrl = await this.bridgeApiServer([
      ...this.nodes.map((node) => node.handle.namespace),
      controllerNamespace,
    ]);
    const kubelet = new Kubelet(this.apiserver, this.workDir, [process.execPath, cliPath()]);
    this.kubelet = kubelet;
    kubelet.runWorkload(
      'DaemonSet',
      'metallb-system',
      'ferry-speaker',
      this.nodes.map((node): PodPlacement => ({
        nodeName: node.name,
        enter: ['ip', 'netns', 'exec', node.handle.namespace, ...utsNamespacePrefix(node.frr.name)],
        netns: node.handle.namespace,
        hostIP: node.handle.linkA.ipv4,
        podIP: node.handle.linkA.ipv4,
        paths: { '/etc/frr': node.frr.configDir, '/var/run/frr': frrRunDir(node.frr.name) },
        frrPathspace: node.frr.name,
        apiServerUrl,
      })),
    );
    const first = this.nodes[0];
    if (first === undefined) throw new Error('the lab has no nodes');
    kubelet.runWorkload('Deployment', 'metallb-system', 'ferry-controller', [
      {
        nodeName: first.name,
        enter: ['ip', 'netns', 'exec', controllerNamespace],
        netns: controllerNamespace,
        hostIP: first.handle.linkA.ipv4,
        paths: {},
        apiServerUrl,
      },
    ]);
    return kubelet;
  }

  /**
   * Makes the API server (127.0.0.1 in the host's namespace) reachable at https://127.0.0.1:6443
   * inside each network namespace: a forwarder there connects to a unix socket (file system, not
   * network namespace) on which this process relays to the server. Same TLS certificate (127.0.0.1).
   */
  private async bridgeApiServer(namespaces: readonly string[]): Promise<string> {
    const socketPath = join(this.workDir, 'apiserver.sock');
    const port = Number(new URL(this.apiserver.url).port);
    const bridge = createServer((client) => {
      const upstream = createConnection(port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => bridge.listen(socketPath, resolve));
    this.apiBridge = bridge;
    const script = [
      "const net = require('node:net');",
      'net.createServer((c) => { const u = net.connect(process.argv[1]); c.pipe(u).pipe(c);',
      "c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(6443, '127.0.0.1');",
    ].join(' ');
    for (const ns of namespaces) {
      this.forwarders.push(
        execa('ip', ['netns', 'exec', ns, process.execPath, '-e', script, socketPath], {
          reject: false,
          buffer: false,
        }),
      );
      await waitUntil(
        async () => {
          const probe = await run(ns, ['curl', '-sk', '--max-time', '1', 'https://127.0.0.1:6443/version']);
          return probe.exitCode === 0 ? { done: true, value: true } : { done: false, why: probe.stderr };
        },
        { timeoutMs: 10_000 },
      );
    }
    return 'https://127.0.0.1:6443';
  }

  /** Stops every process, FRR instance and namespace; never throws; returns what could not be removed. */
  async destroy(): Promise<string[]> {
    await this.kubelet?.stop().catch(() => undefined);
    for (const forwarder of this.forwarders) forwarder.kill('SIGKILL');
    this.apiBridge?.close();
    for (const backend of this.backends) backend.kill('SIGKILL');
    await Promise.all(this.nodes.map((node) => this.stopSpeaker(node, 'SIGKILL').catch(() => undefined)));
    await this.stopController().catch(() => undefined);
    const problems = await this.fabric.destroy();
    await this.apiserver.close().catch((error: unknown) => problems.push(`apiserver: ${String(error)}`));
    rmSync(this.workDir, { recursive: true, force: true });
    return problems;
  }
}
