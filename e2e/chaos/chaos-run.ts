// One chaos run (issue 18): a node with FRR peered to two ToR FRRs, a cluster-mode speaker against the
// in-memory API server, ~200 Services (198.18.0.0/16, one EndpointSlice each), then random actions
// every 50–400 ms drawn from a seeded PRNG — Service churn, endpoint readiness flips, `kill -9` of the
// speaker, FRR restarted with an empty frr.conf, the speaker frozen 3 s, watches dropped, history
// compacted (410 Gone, then failed lists), slow and failed writes — then quiet, and the invariant:
//   - each ToR's kernel routes under 198.18.0.0/16 are exactly the /32s of the Services that exist
//     with a ready endpoint, each via the node;
//   - one ServiceBGPStatus per such Service naming both peers, none for any other Service;
//   - one BGPSessionState per peer, Established, prefixesSent = the number of those Services.
// The action sequence is a function of the seed (timing is not: the machine decides that), so a
// failing seed is re-run with `npm run bench:chaos -- --seed N`. Used by e2e/chaos/chaos.test.ts and
// bench/chaos.ts.
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Target } from '../apiserver/cluster.js';
import type { KubeObject } from '../apiserver/object.js';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import { documents, metallb, seedPeers } from '../scenarios/support.js';

export const FAULT_KINDS = [
  'create-service',
  'delete-service',
  'flip-ready',
  'kill-speaker',
  'restart-frr',
  'freeze-speaker',
  'drop-watches',
  'gone-relist',
  'slow-writes',
  'failed-writes',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** How often each action is drawn, relative to the others. */
const WEIGHTS: Readonly<Record<FaultKind, number>> = {
  'create-service': 20,
  'delete-service': 20,
  'flip-ready': 30,
  'kill-speaker': 3,
  'restart-frr': 2,
  'freeze-speaker': 3,
  'drop-watches': 4,
  'gone-relist': 3,
  'slow-writes': 3,
  'failed-writes': 3,
};

export interface ChaosOptions {
  readonly seed: number;
  /** Services at the start; default 200 */
  readonly services?: number;
  /** how long actions keep coming; default 30 s */
  readonly chaosMs?: number;
  /** how long the invariant may take to hold after quiet before the run fails; default 60 s */
  readonly convergeTimeoutMs?: number;
  /** progress lines (the bench prints them; the test keeps them for a failure message) */
  readonly log?: (line: string) => void;
  /** keep the log file also when the run passed */
  readonly keepLog?: boolean;
}

export interface ChaosReport {
  readonly seed: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** from the end of the actions (faults cleared, speaker and FRR running) until the invariant held */
  readonly convergedMs: number | undefined;
  /** from quiet until the ToRs' routes alone were right for good (status objects may lag behind) */
  readonly routesConvergedMs: number | undefined;
  /**
   * repairs the window's speakers logged: running config put back by frr-reload.py (`drift`), routes
   * bgpd advertised with no network line withdrawn (`staleAdvertisements`, prefixes)
   */
  readonly repairs: { readonly drift: number; readonly staleAdvertisements: number };
  /** why the invariant did not hold, undefined when it did */
  readonly failure: string | undefined;
  /** every speaker's log and the action trace, kept when the run failed */
  readonly logFile: string | undefined;
}

/** mulberry32: a small, fast PRNG whose whole state is the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELD_MANAGER = 'ferry-chaos';
const NAMESPACE = 'default';
const SCALE_ROOT = '198.18.0.0/16';
const PEERS = ['tor1', 'tor2'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The n-th Service IP of a run: 198.18.x.y, never .0 or .255. */
export function serviceIp(index: number): string {
  return `198.18.${Math.floor(index / 250) % 256}.${(index % 250) + 1}`;
}

interface ModelService {
  readonly name: string;
  readonly ip: string;
  ready: boolean;
}

/** The objects the run writes, straight into the in-process API server (faults never hit them). */
class ClusterWriter {
  readonly services = new Map<string, ModelService>();
  private next = 0;

  constructor(
    private readonly lab: ClusterLab,
    private readonly node: string,
  ) {}

  private target(group: string, version: string, plural: string, namespace?: string, name?: string): Target {
    return this.lab.apiserver.cluster.target(group, version, plural, namespace, name);
  }

  private slice(service: ModelService): unknown {
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service.name}-chaos`,
        namespace: NAMESPACE,
        labels: { 'kubernetes.io/service-name': service.name },
      },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.244.1.10'],
          nodeName: this.node,
          // serving follows ready: a not-ready but serving endpoint still announces (MetalLB)
          conditions: { ready: service.ready, serving: service.ready, terminating: false },
        },
      ],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    };
  }

  create(ready: boolean): ModelService {
    const index = this.next++;
    const service: ModelService = { name: `svc-${index}`, ip: serviceIp(index), ready };
    const { cluster } = this.lab.apiserver;
    cluster.create(
      this.target('', 'v1', 'services', NAMESPACE),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: service.name, namespace: NAMESPACE },
        spec: {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Cluster',
          selector: { app: service.name },
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
        },
      },
      { fieldManager: FIELD_MANAGER },
    );
    cluster.patch(
      { ...this.target('', 'v1', 'services', NAMESPACE, service.name), subresource: 'status' },
      'merge',
      { status: { loadBalancer: { ingress: [{ ip: service.ip }] } } },
      { fieldManager: FIELD_MANAGER },
    );
    cluster.create(this.target('discovery.k8s.io', 'v1', 'endpointslices', NAMESPACE), this.slice(service), {
      fieldManager: FIELD_MANAGER,
    });
    this.services.set(service.name, service);
    return service;
  }

  delete(service: ModelService, sliceFirst: boolean): void {
    const { cluster } = this.lab.apiserver;
    const removeSlice = () =>
      cluster.delete(
        this.target('discovery.k8s.io', 'v1', 'endpointslices', NAMESPACE, `${service.name}-chaos`),
      );
    const removeService = () => cluster.delete(this.target('', 'v1', 'services', NAMESPACE, service.name));
    if (sliceFirst) {
      removeSlice();
      removeService();
    } else {
      removeService();
      removeSlice();
    }
    this.services.delete(service.name);
  }

  setReady(service: ModelService, ready: boolean): void {
    service.ready = ready;
    this.lab.apiserver.cluster.update(
      this.target('discovery.k8s.io', 'v1', 'endpointslices', NAMESPACE, `${service.name}-chaos`),
      this.slice(service),
      { fieldManager: FIELD_MANAGER },
    );
  }

  /** The /32s the ToRs must carry: Services that exist with a ready endpoint. */
  expectedPrefixes(): Set<string> {
    return new Set([...this.services.values()].filter((s) => s.ready).map((s) => `${s.ip}/32`));
  }

  statusObjects(plural: string, group: string): KubeObject[] {
    const target = this.target(group, 'v1beta1', plural, 'metallb-system');
    const selection = this.lab.apiserver.cluster.parseSelection(target);
    return this.lab.apiserver.cluster.list(target, selection).items;
  }
}

interface KernelRoute {
  readonly dst?: string;
  readonly gateway?: string;
  readonly nexthops?: readonly { readonly gateway?: string }[];
}

/** prefix → sorted next hops of the BGP routes under 198.18.0.0/16 in `namespace`'s kernel. */
async function torRoutes(namespace: string): Promise<Map<string, string[]>> {
  const result = await execa(
    'ip',
    ['-n', namespace, '-4', '-j', 'route', 'show', 'proto', 'bgp', 'root', SCALE_ROOT],
    {
      reject: false,
    },
  );
  const routes = new Map<string, string[]>();
  if (result.exitCode !== 0 || result.stdout.trim() === '') return routes;
  for (const route of JSON.parse(result.stdout) as KernelRoute[]) {
    const hops = route.nexthops?.map((h) => h.gateway ?? '') ?? [route.gateway ?? ''];
    const dst = route.dst?.includes('/') === true ? route.dst : `${route.dst ?? ''}/32`;
    routes.set(dst, hops.filter((h) => h !== '').sort());
  }
  return routes;
}

const listed = (items: Iterable<string>, max = 8) => {
  const all = [...items].sort();
  return all.length <= max ? all.join(' ') : `${all.slice(0, max).join(' ')} … (${all.length})`;
};

/** Every way the lab differs from the model right now; [] when the invariant holds. */
async function invariantViolations(lab: ClusterLab, node: LabNode, writer: ClusterWriter): Promise<string[]> {
  const problems: string[] = [];
  const expected = writer.expectedPrefixes();
  const hops = [node.handle.linkA.ipv4, node.handle.linkB.ipv4];
  for (const [i, tor] of lab.fabric.tors.entries()) {
    const routes = await torRoutes(tor.namespace);
    const stale = [...routes.keys()].filter((p) => !expected.has(p));
    const missing = [...expected].filter((p) => !routes.has(p));
    const wrongHop = [...routes].filter(([p, h]) => expected.has(p) && h.join(',') !== hops[i]);
    if (stale.length > 0) problems.push(`${tor.role}: stale routes ${listed(stale)}`);
    if (missing.length > 0) problems.push(`${tor.role}: missing routes ${listed(missing)}`);
    if (wrongHop.length > 0)
      problems.push(`${tor.role}: wrong next hops ${listed(wrongHop.map(([p]) => p))}`);
  }

  const announced = new Set([...writer.services.values()].filter((s) => s.ready).map((s) => s.name));
  const statuses = writer
    .statusObjects('servicebgpstatuses', 'metallb.io')
    .filter((o) => o.metadata.labels?.['metallb.io/node'] === node.name);
  const seen = new Map<string, number>();
  for (const object of statuses) {
    const status = (object as { status?: { serviceName?: string; peers?: string[] } }).status ?? {};
    const name = status.serviceName ?? object.metadata.labels?.['metallb.io/service-name'] ?? '?';
    seen.set(name, (seen.get(name) ?? 0) + 1);
    if (announced.has(name) && (status.peers ?? []).join(',') !== PEERS.join(','))
      problems.push(
        `ServiceBGPStatus ${object.metadata.name} (${name}): peers [${(status.peers ?? []).join(', ')}]`,
      );
  }
  const extra = [...seen.keys()].filter((name) => !announced.has(name));
  const absent = [...announced].filter((name) => !seen.has(name));
  const duplicated = [...seen].filter(([, count]) => count > 1).map(([name]) => name);
  if (extra.length > 0) problems.push(`ServiceBGPStatus for Services not announced: ${listed(extra)}`);
  if (absent.length > 0) problems.push(`no ServiceBGPStatus for announced Services: ${listed(absent)}`);
  if (duplicated.length > 0) problems.push(`several ServiceBGPStatus for: ${listed(duplicated)}`);

  const sessions = writer
    .statusObjects('bgpsessionstates', 'frrk8s.metallb.io')
    .filter((o) => o.metadata.labels?.['frrk8s.metallb.io/node'] === node.name);
  const torAddresses = lab.fabric.tors.map((tor) => tor.link.ipv4);
  for (const address of torAddresses) {
    const found = sessions.filter((o) => o.metadata.labels?.['frrk8s.metallb.io/peer'] === address);
    const status = (found[0] as { status?: { bgpStatus?: string; prefixesSent?: number } } | undefined)
      ?.status;
    if (found.length !== 1) problems.push(`${found.length} BGPSessionState for peer ${address}`);
    else if (status?.bgpStatus !== 'Established' || status.prefixesSent !== expected.size)
      problems.push(
        `BGPSessionState ${address}: ${status?.bgpStatus ?? '?'}, ${status?.prefixesSent ?? '?'} prefixes sent, want Established, ${expected.size}`,
      );
  }
  if (sessions.length !== torAddresses.length) problems.push(`${sessions.length} BGPSessionState objects`);
  return problems;
}

/** The speaker's process id (the lab runs it as `sh -c exec nsenter … node …`: exec all the way). */
function speakerPid(node: LabNode): number | undefined {
  return node.speaker?.pid;
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // gone already (killed meanwhile)
  }
}

/**
 * vtysh / frr-reload.py processes working on the node's FRR (their argv names its pathspace), with
 * their parent: a writer whose speaker is gone keeps changing FRR behind its successor's back.
 */
function frrWriters(pathspace: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.some((arg) => arg.includes(pathspace))) continue;
      if (!argv.some((arg) => /vtysh$|frr-reload\.py$/.test(arg))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '?';
      found.push(`${entry} (parent ${ppid}): ${argv.join(' ').slice(0, 160)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const FRR_STARTUP_CONFIG = 'frr defaults datacenter\n';
/** debug: the log kept for a failed seed shows every check and no-op of the sync loop */
const SPEAKER_FLAGS = ['--log-level', 'debug'];

/** A lab for chaos runs: one node, two ToRs, the Services; windows of chaos run on it one after another. */
export class ChaosLab {
  private readonly frozen = new Set<number>();
  private readonly thaws: NodeJS.Timeout[] = [];
  /** logs of speakers killed during the current window */
  private speakerLogs: string[] = [];

  private constructor(
    readonly lab: ClusterLab,
    readonly node: LabNode,
    private readonly writer: ClusterWriter,
  ) {}

  /** Builds the lab, creates `services` Services (seeded), starts the speaker, waits until it converged. */
  static async create(seed: number, services = 200): Promise<{ chaos: ChaosLab; convergedMs: number }> {
    const random = seededRandom(seed ^ 0x5eed);
    const lab = await ClusterLab.create({ nodes: 1 });
    const node = lab.nodes[0] as LabNode;
    const chaos = new ChaosLab(lab, node, new ClusterWriter(lab, node.name));
    try {
      await lab.apply(
        documents(
          // connect retries every 2 s: sessions come back quickly after an FRR restart
          seedPeers({ connectTime: '2s' }),
          metallb('IPAddressPool', 'chaos', { addresses: [SCALE_ROOT] }),
          metallb('BGPAdvertisement', 'chaos', {}),
          lab.nodeObjectsYaml(),
        ),
      );
      for (let i = 0; i < services; i++) chaos.writer.create(random() < 0.9);
      lab.startSpeaker(node, SPEAKER_FLAGS);
      const initial = await waitForInvariant(lab, node, chaos.writer, 90_000, () => undefined);
      if (initial.problems.length > 0)
        throw new Error(`the lab never converged before the chaos: ${initial.problems.join('; ')}`);
      return { chaos, convergedMs: initial.elapsedMs };
    } catch (error) {
      await lab.destroy();
      throw error;
    }
  }

  /**
   * One window: actions drawn from `seed` for `chaosMs`, then quiet and the invariant. The lab is
   * left as the window leaves it (converged when the report has no failure).
   */
  async window(options: ChaosOptions): Promise<ChaosReport> {
    const { lab, node, writer, frozen, thaws } = this;
    const random = seededRandom(options.seed);
    const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
    const trace: string[] = [];
    const started = performance.now();
    const note = (line: string) => {
      trace.push(`${((performance.now() - started) / 1000).toFixed(2)}s ${line}`);
    };
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
    this.speakerLogs = [];
    // the log kept for a failed window starts with it (a long-lived speaker's would grow without end)
    node.speakerLog = '';
    let failure: string | undefined;
    let convergedMs: number | undefined;
    let routesConvergedMs: number | undefined;
    try {
      const kinds = FAULT_KINDS.flatMap((kind) => Array.from({ length: WEIGHTS[kind] }, () => kind));
      const chaosEnd = performance.now() + (options.chaosMs ?? 30_000);
      const apiserver = lab.apiserver.faults;
      const isWrite = (request: { method: string }) => request.method !== 'GET';
      while (performance.now() < chaosEnd) {
        await sleep(50 + Math.floor(random() * 350));
        const kind = pick(kinds) ?? 'flip-ready';
        const services = [...writer.services.values()];
        faults[kind]++;
        switch (kind) {
          case 'create-service': {
            const service = writer.create(random() < 0.8);
            note(`create ${service.name} ${service.ip} ready=${service.ready}`);
            break;
          }
          case 'delete-service': {
            const service = pick(services);
            const sliceFirst = random() < 0.5;
            if (service === undefined) break;
            writer.delete(service, sliceFirst);
            note(`delete ${service.name} ${service.ip} (slice ${sliceFirst ? 'first' : 'last'})`);
            break;
          }
          case 'flip-ready': {
            const service = pick(services);
            if (service === undefined) break;
            writer.setReady(service, !service.ready);
            note(`ready ${service.name} ${service.ip} → ${service.ready}`);
            break;
          }
          case 'kill-speaker': {
            this.keepSpeakerLog();
            const killed = speakerPid(node);
            await lab.stopSpeaker(node, 'SIGKILL');
            const left = frrWriters(node.frr.name);
            lab.startSpeaker(node, SPEAKER_FLAGS);
            note(`kill -9 speaker ${killed ?? '?'}, new pid ${speakerPid(node) ?? '?'}`);
            for (const writer of left) note(`  FRR writer still running: ${writer}`);
            break;
          }
          case 'restart-frr': {
            note('FRR restart with an empty frr.conf: stopping');
            await lab.fabric.stopFrr(node.frr);
            await lab.fabric.startFrr(node.handle, FRR_STARTUP_CONFIG);
            note('FRR restart: running');
            break;
          }
          case 'freeze-speaker': {
            const pid = speakerPid(node);
            if (pid === undefined || frozen.has(pid)) break;
            signal(pid, 'SIGSTOP');
            frozen.add(pid);
            note(`SIGSTOP speaker ${pid} for 3 s`);
            thaws.push(
              setTimeout(() => {
                frozen.delete(pid);
                signal(pid, 'SIGCONT');
                note(`SIGCONT speaker ${pid}`);
              }, 3_000),
            );
            break;
          }
          case 'drop-watches': {
            const abrupt = random() < 0.5;
            const dropped = apiserver.dropWatches({ abrupt });
            note(`dropped ${dropped} watches${abrupt ? ' (reset)' : ''}`);
            break;
          }
          case 'gone-relist': {
            const failedLists = Math.floor(random() * 3);
            apiserver.compactHistory();
            // the relists that follow the 410 fail a few times first
            apiserver.failRequests({
              status: 500,
              count: failedLists,
              match: (request) => request.method === 'GET' && !request.watch,
            });
            const dropped = apiserver.dropWatches({ abrupt: false });
            note(
              `history compacted, ${dropped} watches dropped (410 on resume), next ${failedLists} lists fail`,
            );
            break;
          }
          case 'slow-writes': {
            const ms = 300 + Math.floor(random() * 2_700);
            const forMs = 1_000 + Math.floor(random() * 4_000);
            apiserver.hangRequests({ ms, forMs, match: isWrite });
            note(`writes delayed ${ms} ms for ${forMs} ms`);
            break;
          }
          case 'failed-writes': {
            const status = random() < 0.5 ? 500 : 503;
            const forMs = 1_000 + Math.floor(random() * 4_000);
            apiserver.failRequests({ status, forMs, match: isWrite });
            note(`writes fail with ${status} for ${forMs} ms`);
            break;
          }
        }
      }

      // Quiet: no more faults, the speaker running and awake, FRR up.
      apiserver.clear();
      this.thawAll();
      if (node.speaker === undefined) lab.startSpeaker(node, SPEAKER_FLAGS);
      note(`quiet: ${writer.expectedPrefixes().size} prefixes expected`);
      for (const running of frrWriters(node.frr.name)) note(`  FRR writer running: ${running}`);
      const quiet = await waitForInvariant(lab, node, writer, options.convergeTimeoutMs ?? 60_000, note);
      if (quiet.problems.length === 0) {
        convergedMs = quiet.elapsedMs;
        routesConvergedMs = quiet.routesElapsedMs;
        note(
          `converged after ${Math.round(quiet.elapsedMs)} ms (ToR routes after ${Math.round(quiet.routesElapsedMs ?? 0)} ms)`,
        );
      } else {
        failure = `seed ${options.seed}: not converged ${Math.round(quiet.elapsedMs)} ms after quiet: ${quiet.problems.join('; ')}`;
        note(failure);
        const stale = new Set(
          quiet.problems.flatMap((p) => [...p.matchAll(/(198\.18\.\d+\.\d+\/32)/g)].map((m) => m[1] ?? '')),
        );
        for (const prefix of [...stale].slice(0, 4)) {
          const shown = await node.frr.vtysh.commands([`show bgp ipv4 unicast ${prefix}`]);
          note(`the node's bgpd on ${prefix}:\n${shown.ok ? shown.value : shown.error.message}`);
        }
        const running = await node.frr.vtysh.runningConfig();
        note(`the node's FRR runs:\n${running.ok ? running.value : running.error.message}`);
      }
    } catch (error) {
      failure = `seed ${options.seed}: ${String(error)}`;
      note(failure);
    } finally {
      this.thawAll();
    }
    const logs = [...this.speakerLogs, node.speakerLog].join('\n').split('\n');
    const repairs = {
      drift: logs.filter((line) => line.includes('drift repaired with')).length,
      staleAdvertisements: logs
        .filter((line) => line.includes('no desired network line: withdrawn'))
        .reduce(
          (total, line) => total + (line.match(/\d+\.\d+\.\d+\.\d+\/32|[0-9a-f:]+\/128/g)?.length ?? 0),
          0,
        ),
    };
    if (repairs.staleAdvertisements > 0)
      note(`stale advertisements withdrawn: ${repairs.staleAdvertisements}`);
    let logFile: string | undefined;
    if (failure !== undefined || options.keepLog === true || repairs.staleAdvertisements > 0) {
      this.keepSpeakerLog();
      logFile = join(tmpdir(), `ferry-chaos-seed-${options.seed}.log`);
      writeFileSync(logFile, `${trace.join('\n')}\n`);
      this.speakerLogs.forEach((text, i) =>
        appendFileSync(logFile as string, `\n==== speaker ${i + 1}\n${text}`),
      );
    }
    return { seed: options.seed, faults, convergedMs, routesConvergedMs, repairs, failure, logFile };
  }

  private keepSpeakerLog(): void {
    this.speakerLogs.push(this.node.speakerLog);
  }

  private thawAll(): void {
    for (const thaw of this.thaws.splice(0)) clearTimeout(thaw);
    for (const pid of this.frozen) signal(pid, 'SIGCONT');
    this.frozen.clear();
  }

  async destroy(): Promise<string[]> {
    this.thawAll();
    return this.lab.destroy();
  }
}

/** One seed on a lab of its own: reproducible from the seed alone (up to timing). */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  let chaos: ChaosLab;
  let firstConvergedMs: number;
  const started = performance.now();
  try {
    ({ chaos, convergedMs: firstConvergedMs } = await ChaosLab.create(options.seed, options.services));
  } catch (error) {
    const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
    return {
      seed: options.seed,
      faults,
      convergedMs: undefined,
      routesConvergedMs: undefined,
      repairs: { drift: 0, staleAdvertisements: 0 },
      failure: `seed ${options.seed}: ${String(error)}`,
      logFile: undefined,
    };
  }
  options.log?.(
    `seed ${options.seed}: lab ready after ${Math.round(performance.now() - started)} ms (first convergence ${Math.round(firstConvergedMs)} ms); chaos for ${options.chaosMs ?? 30_000} ms`,
  );
  const report = await chaos.window(options);
  const destroyStarted = performance.now();
  const problems = await chaos.destroy();
  options.log?.(
    `seed ${options.seed}: lab destroyed in ${Math.round(performance.now() - destroyStarted)} ms`,
  );
  if (problems.length > 0 && report.failure === undefined)
    return { ...report, failure: `seed ${options.seed}: cleanup: ${problems.join('; ')}` };
  return report;
}

/**
 * Polls the invariant until it holds twice in a row 1 s apart (a route re-added a moment later by
 * something still in flight must not pass), or time runs out. `elapsedMs`: until it first held for
 * good; `routesElapsedMs`: until the ToRs' routes alone were right for good (when the invariant held).
 */
async function waitForInvariant(
  lab: ClusterLab,
  node: LabNode,
  writer: ClusterWriter,
  timeoutMs: number,
  note: (line: string) => void,
): Promise<{
  readonly problems: readonly string[];
  readonly elapsedMs: number;
  readonly routesElapsedMs?: number;
}> {
  const since = performance.now();
  let heldSince: number | undefined;
  let routesSince: number | undefined;
  let problems: string[] = ['never checked'];
  let previous = '';
  while (performance.now() - since < timeoutMs) {
    const checkedAt = performance.now();
    problems = await invariantViolations(lab, node, writer);
    const text = problems.join('; ');
    if (text !== previous) note(`invariant: ${text === '' ? 'holds' : text}`);
    previous = text;
    if (problems.some((problem) => problem.startsWith('tor'))) routesSince = undefined;
    else routesSince ??= checkedAt;
    if (problems.length === 0) {
      heldSince ??= checkedAt;
      if (performance.now() - heldSince >= 1_000)
        return {
          problems,
          elapsedMs: heldSince - since,
          routesElapsedMs: (routesSince ?? heldSince) - since,
        };
    } else heldSince = undefined;
    await sleep(200);
  }
  return { problems, elapsedMs: performance.now() - since };
}
