// Shared pieces of the lab benchmarks (bench/lab.ts, bench/lab-scale.ts): a ClusterLab that is
// always destroyed (also on repeated Ctrl-C / SIGTERM / SIGHUP), object writes straight into the in-process API server
// (the write is accepted when the call returns: that is where timings start), ToR kernel FIB reads
// with `ip -n` (no `ip netns exec` mount namespace per read), an event-driven `ip monitor route`
// counter, speaker RSS, percentiles and the load average beside every number.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { execa, type ResultPromise } from 'execa';
import type { ApiServer } from '../e2e/apiserver/server.js';
import type { Target } from '../e2e/apiserver/cluster.js';
import type { KubeObject } from '../src/k8s/kube-object.js';
import { ClusterLab, type ClusterLabOptions, type LabNode } from '../src/lab/cluster-lab.js';
import { frrRunDir } from '../src/lab/frr-instance.js';
import { exitCodeForSignal, runInterruptibleLab } from '../src/lab/interruptible-lab.js';
import { waitUntil } from '../src/lab/wait-until.js';
import { nextTurn } from '../src/util/next-turn.js';

export const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export const FIELD_MANAGER = 'ferry-bench';

// ---- the lab's lifetime ----

const cleanups: (() => void)[] = [];

/** Something that must be stopped when the benchmark ends (a monitor process, a timer). */
export function onCleanup(stop: () => void): void {
  cleanups.push(stop);
}

/**
 * Runs `body` with a lab that is removed at the end, when `body` throws, and on SIGINT/SIGTERM/SIGHUP,
 * repeated ones included (the body is abandoned, the lab removed, exit code 128 + the signal's number;
 * see src/lab/interruptible-lab.ts).
 */
export async function withLab(
  options: ClusterLabOptions,
  body: (lab: ClusterLab) => Promise<void>,
): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the lab benchmarks need root (network namespaces, FRR)');
  const outcome = await runInterruptibleLab({
    create: () => ClusterLab.create(options),
    body,
    beforeRemove: () => {
      for (const stop of cleanups.splice(0)) {
        try {
          stop();
        } catch {
          // already gone
        }
      }
    },
    print,
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  if (outcome.signal !== undefined) process.exit(exitCodeForSignal(outcome.signal));
}

// ---- objects through the in-process API server ----

export interface ServiceSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly trafficPolicy: 'Cluster' | 'Local';
  readonly annotations?: Readonly<Record<string, string>>;
}

export class Api {
  private readonly slices = new Set<string>();

  constructor(private readonly server: ApiServer) {}

  private target(group: string, version: string, plural: string, namespace?: string, name?: string): Target {
    return this.server.cluster.target(group, version, plural, namespace, name);
  }

  createObject(group: string, version: string, plural: string, namespace: string | undefined, body: unknown) {
    return this.server.cluster.create(this.target(group, version, plural, namespace), body, {
      fieldManager: FIELD_MANAGER,
    }).object;
  }

  createService(spec: ServiceSpec): KubeObject {
    const namespace = spec.namespace ?? 'default';
    return this.createObject('', 'v1', 'services', namespace, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: spec.name, namespace, annotations: { ...spec.annotations } },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: spec.trafficPolicy,
        selector: { app: spec.name },
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
      },
    });
  }

  /** status.loadBalancer.ingress = [ip] through the status subresource (what the controller does). */
  setIngress(name: string, ip: string, namespace = 'default'): void {
    this.server.cluster.patch(
      { ...this.target('', 'v1', 'services', namespace, name), subresource: 'status' },
      'merge',
      { status: { loadBalancer: { ingress: [{ ip }] } } },
      { fieldManager: FIELD_MANAGER },
    );
  }

  deleteService(name: string, namespace = 'default'): void {
    this.server.cluster.delete(this.target('', 'v1', 'services', namespace, name));
  }

  ingressOf(name: string, namespace = 'default'): string | undefined {
    const service = this.server.cluster.get(this.target('', 'v1', 'services', namespace, name)) as {
      status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
    };
    return service.status?.loadBalancer?.ingress?.[0]?.ip;
  }

  /** One EndpointSlice `<service>-bench` with one ready endpoint per node (create or replace). */
  putEndpoints(service: string, nodes: readonly string[], namespace = 'default'): void {
    const name = `${service}-bench`;
    const endpoints = nodes.map((node, i) => ({
      addresses: [`10.244.${i + 1}.10`],
      nodeName: node,
      conditions: { ready: true, serving: true, terminating: false },
    }));
    const plural = this.target('discovery.k8s.io', 'v1', 'endpointslices', namespace);
    const key = `${namespace}/${name}`;
    if (!this.slices.has(key)) {
      this.slices.add(key);
      this.server.cluster.create(
        plural,
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
          addressType: 'IPv4',
          endpoints,
          ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        },
        { fieldManager: FIELD_MANAGER },
      );
    } else {
      this.server.cluster.patch(
        this.target('discovery.k8s.io', 'v1', 'endpointslices', namespace, name),
        'merge',
        { endpoints },
        { fieldManager: FIELD_MANAGER },
      );
    }
  }
}

// ---- the ToRs' kernel FIB ----

interface KernelRoute {
  readonly dst?: string;
  readonly gateway?: string;
  readonly nexthops?: readonly { readonly gateway?: string }[];
}

function hopsOf(route: KernelRoute): string[] {
  const hops =
    route.nexthops !== undefined ? route.nexthops.map((hop) => hop.gateway ?? '') : [route.gateway ?? ''];
  return [...new Set(hops.filter((hop) => hop !== ''))].sort();
}

/** Next hops of `prefix` in namespace `ns`'s kernel FIB (`ip -n NS -j route show PREFIX`), sorted. */
export async function fibNextHops(ns: string, prefix: string): Promise<string[]> {
  const result = await execa('ip', ['-n', ns, '-4', '-j', 'route', 'show', prefix], { reject: false });
  if (result.exitCode !== 0 || result.stdout.trim() === '') return [];
  return hopsOf((JSON.parse(result.stdout) as KernelRoute[])[0] ?? {});
}

/** Every BGP route of the namespace's kernel FIB under `root` (e.g. a /15): prefix → sorted next hops. */
export async function fibTable(ns: string, root = '0.0.0.0/0'): Promise<Map<string, string[]>> {
  const result = await execa('ip', ['-n', ns, '-4', '-j', 'route', 'show', 'proto', 'bgp', 'root', root], {
    reject: false,
    maxBuffer: 512 * 1024 * 1024,
  });
  const table = new Map<string, string[]>();
  if (result.exitCode !== 0 || result.stdout.trim() === '') return table;
  for (const route of JSON.parse(result.stdout) as KernelRoute[]) {
    if (route.dst !== undefined)
      table.set(route.dst.includes('/') ? route.dst : `${route.dst}/32`, hopsOf(route));
  }
  return table;
}

/** How often a FIB read completes here (ms per `ip -n … route show PREFIX`): the timing resolution. */
export async function fibReadMs(ns: string, prefix: string, reads = 20): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < reads; i++) await fibNextHops(ns, prefix);
  return (performance.now() - start) / reads;
}

/**
 * Milliseconds from `since` until `done(next hops of prefix)` holds in `ns`'s kernel FIB, reading it
 * back to back (~2–4 ms a read here); undefined after `timeoutMs`.
 */
export async function timeUntilFib(
  ns: string,
  prefix: string,
  done: (hops: readonly string[]) => boolean,
  since: number,
  timeoutMs = 30_000,
): Promise<number | undefined> {
  while (performance.now() - since < timeoutMs) {
    if (done(await fibNextHops(ns, prefix))) return performance.now() - since;
    await nextTurn();
  }
  return undefined;
}

/** Waits until `done` holds in every ToR namespace; returns the slowest time from `since`. */
export async function timeUntilAllFibs(
  namespaces: readonly string[],
  prefix: string,
  done: (hops: readonly string[], torIndex: number) => boolean,
  since: number,
  timeoutMs = 30_000,
): Promise<{ readonly slowest: number | undefined; readonly perTor: (number | undefined)[] }> {
  const perTor = await Promise.all(
    namespaces.map((ns, i) => timeUntilFib(ns, prefix, (hops) => done(hops, i), since, timeoutMs)),
  );
  const slowest = perTor.some((ms) => ms === undefined) ? undefined : Math.max(...(perTor as number[]));
  return { slowest, perTor };
}

export const sameHops = (hops: readonly string[], expected: readonly string[]): boolean =>
  hops.join(',') === [...expected].sort().join(',');

/**
 * `ip -n NS monitor route`: every route change the kernel reports, timestamped as it arrives. Zero
 * lines during a window = the FIB was not touched at all (no withdrawal, no re-install).
 */
export class RouteMonitor {
  readonly lines: { readonly at: number; readonly text: string }[] = [];
  private readonly child: ResultPromise;
  private partial = '';

  constructor(readonly namespace: string) {
    this.child = execa('ip', ['-n', namespace, 'monitor', 'route'], { reject: false, buffer: false });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const text = this.partial + chunk.toString();
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts)
        if (line.trim() !== '') this.lines.push({ at: performance.now(), text: line });
    });
    onCleanup(() => this.stop());
  }

  /** Route events (first lines, not the indented `nexthop` continuation lines) since `from`. */
  eventsSince(from: number, match: (line: string) => boolean = () => true): string[] {
    return this.lines
      .filter((line) => line.at >= from && !/^\s/.test(line.text) && match(line.text))
      .map((line) => line.text);
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

// ---- the speaker process ----

/**
 * The speaker's pid: the lab starts it as `sh -c 'exec nsenter … -- node …'`; both `exec`s replace
 * the process, so the child's pid is node's. Checked through /proc/<pid>/cmdline.
 */
export function speakerPid(node: LabNode): number {
  const pid = node.speaker?.pid;
  if (pid === undefined) throw new Error(`${node.name}: no speaker running`);
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (!cmdline[0]?.endsWith('node') || !cmdline.includes('speaker'))
    throw new Error(`${node.name}: pid ${pid} is not the speaker's node process: ${cmdline.join(' ')}`);
  return pid;
}

/** VmRSS and VmHWM (peak RSS) of a process, in MB. */
export function memoryMb(pid: number): { readonly rss: number; readonly peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 'NaN');
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/**
 * Asks each process for a V8 heap snapshot (SIGUSR2, see --heapsnapshot-signal) into `directory` and
 * waits until as many new files stop growing (V8 writes them on the process's main thread, polled
 * every 2 s); their paths.
 */
export async function heapSnapshots(pids: readonly number[], directory: string, timeoutMs: number) {
  const before = new Set(readdirSync(directory));
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  const sizes = new Map<string, number>();
  return waitUntil(
    async () => {
      const fresh = readdirSync(directory).filter((f) => f.endsWith('.heapsnapshot') && !before.has(f));
      const settled = fresh.filter((f) => {
        const size = statSync(join(directory, f)).size;
        const same = size > 0 && sizes.get(f) === size;
        sizes.set(f, size);
        return same;
      });
      return settled.length >= pids.length
        ? { done: true, value: settled.map((f) => join(directory, f)) }
        : { done: false, why: `${settled.length}/${pids.length} written` };
    },
    { timeoutMs, intervalMs: 2_000 },
  );
}

// ---- numbers ----

/** Nearest-rank percentile of the defined values. */
export function percentile(values: readonly (number | undefined)[], p: number): number | undefined {
  const sorted = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const fmtMs = (ms: number | undefined): string => (ms === undefined ? 'timeout' : `${Math.round(ms)}`);

export function summary(values: readonly (number | undefined)[]): string {
  const missed = values.filter((v) => v === undefined).length;
  return (
    `p50 ${fmtMs(percentile(values, 50))} ms, p95 ${fmtMs(percentile(values, 95))} ms, ` +
    `min ${fmtMs(percentile(values, 0))} ms, max ${fmtMs(percentile(values, 100))} ms` +
    (missed > 0 ? `, ${missed} timed out` : '')
  );
}

export function load(): string {
  const [one, five] = loadavg();
  return `load average ${one?.toFixed(2)} / ${five?.toFixed(2)} (1/5 min, 2 vCPUs shared)`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- where the time goes: the speakers' own log ----

export interface ApplyMark {
  /** ms after `sinceWallMs` when the speaker logged `FRR config applied` (ms resolution) */
  readonly doneMs: number;
  /** the apply itself (plan + FRR parser check + vtysh), as the speaker measured it */
  readonly durationMs: number;
  /** the speaker's description, e.g. `success (incremental, …)` */
  readonly result: string;
}

/** The first `FRR config applied` a speaker logged at or after `sinceWallMs` (Date.now() clock). */
export function firstApplySince(node: LabNode, sinceWallMs: number): ApplyMark | undefined {
  for (const line of node.speakerLog.split('\n')) {
    if (!line.includes('FRR config applied')) continue;
    try {
      const entry = JSON.parse(line) as { timestamp?: string; durationMs?: number; result?: string };
      const at = Date.parse(entry.timestamp ?? '');
      if (at >= sinceWallMs)
        return {
          doneMs: at - sinceWallMs,
          durationMs: entry.durationMs ?? NaN,
          result: entry.result ?? '',
        };
    } catch {
      // not a JSON log line
    }
  }
  return undefined;
}

/**
 * Samples of the speaker's /metrics by name (the first series of each; NaN when absent); undefined
 * when the endpoint is not known or answers not.
 */
export async function speakerMetrics(
  node: LabNode,
  names: readonly string[],
): Promise<Readonly<Record<string, number>> | undefined> {
  const text = await speakerMetricsText(node);
  if (text === undefined) return undefined;
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 'NaN');
  return Object.fromEntries(names.map((name) => [name, value(name)]));
}

/** The speaker's whole /metrics text; undefined when the endpoint is not known or answers not. */
export async function speakerMetricsText(node: LabNode): Promise<string | undefined> {
  const started = node.speakerLog
    .split('\n')
    .find((line) => line.includes('speaker starting') && line.includes('"metrics"'));
  const address = started === undefined ? undefined : (JSON.parse(started) as { metrics?: string }).metrics;
  if (address === undefined) return undefined;
  try {
    return await (await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  } catch {
    return undefined;
  }
}

/**
 * The speaker's own view of its memory, from its /metrics (prom-client's default metrics): V8 heap
 * used and total, and external memory, in MB.
 */
export async function speakerHeapMb(
  node: LabNode,
): Promise<{ readonly heapUsed: number; readonly heapTotal: number; readonly external: number } | undefined> {
  const values = await speakerMetrics(node, [
    'nodejs_heap_size_used_bytes',
    'nodejs_heap_size_total_bytes',
    'nodejs_external_memory_bytes',
  ]);
  if (values === undefined) return undefined;
  const mb = (name: string) => (values[name] ?? NaN) / 1048576;
  return {
    heapUsed: mb('nodejs_heap_size_used_bytes'),
    heapTotal: mb('nodejs_heap_size_total_bytes'),
    external: mb('nodejs_external_memory_bytes'),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11], fields[12] = utime, stime (fields 14 and 15 of proc(5)), in clock ticks (100 Hz)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU used by each pid over `windowMs`, in cores (1.0 = one CPU busy all the time). */
export async function cpuCores(pids: readonly number[], windowMs = 10_000): Promise<number[]> {
  return cpuDuring(pids, sleep(windowMs));
}

/** CPU used by each pid while `during` runs, in cores. */
export async function cpuDuring(pids: readonly number[], during: Promise<unknown>): Promise<number[]> {
  const before = pids.map(cpuSeconds);
  const start = performance.now();
  await during;
  const seconds = (performance.now() - start) / 1000;
  return pids.map((pid, i) => (cpuSeconds(pid) - (before[i] ?? 0)) / seconds);
}

/** The pid of one FRR daemon of a lab instance (its pid file under /var/run/frr/<name>/). */
export function frrDaemonPid(node: LabNode, daemon: 'bgpd' | 'zebra' | 'bfdd'): number {
  return Number(readFileSync(join(frrRunDir(node.frr.name), `${daemon}.pid`), 'utf8').trim());
}

/** The scale benchmarks' Service range: 198.18.0.0/15. */
export const SCALE_ROOT = '198.18.0.0/15';

/** The i-th address of SCALE_ROOT, i ≥ 1. */
export function scaleIp(index: number): string {
  return `198.${18 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
}

/** Pool `scale-pool` over SCALE_ROOT (no auto-assign) and its /32 BGPAdvertisement `scale-adv`. */
export function scalePoolYaml(advertisementExtra = ''): string {
  return [
    'apiVersion: metallb.io/v1beta1',
    'kind: IPAddressPool',
    'metadata: {name: scale-pool, namespace: metallb-system}',
    `spec: {addresses: ["${SCALE_ROOT}"], autoAssign: false}`,
    '---',
    'apiVersion: metallb.io/v1beta1',
    'kind: BGPAdvertisement',
    'metadata: {name: scale-adv, namespace: metallb-system}',
    `spec: {ipAddressPools: [scale-pool], aggregationLength: 32${advertisementExtra}}`,
  ].join('\n');
}

/**
 * Where a process's RSS lives, from /proc/<pid>/smaps, in MB: file-backed mappings (the node
 * binary, shared libraries: code), glibc's main-arena `[heap]` (malloc'd memory of the main thread),
 * and anonymous mappings (V8's heap pages, the other malloc arenas, mmap'd large allocations, thread
 * stacks).
 */
export function rssBreakdownMb(pid: number): {
  readonly file: number;
  readonly mallocHeap: number;
  readonly anonymous: number;
} {
  let name = '';
  const kb = { file: 0, mallocHeap: 0, anonymous: 0 };
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping !== null) {
      name = mapping[1] ?? '';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss === null) continue;
    const size = Number(rss[1]);
    if (name === '[heap]') kb.mallocHeap += size;
    else if (name.startsWith('/')) kb.file += size;
    else kb.anonymous += size;
  }
  return { file: kb.file / 1024, mallocHeap: kb.mallocHeap / 1024, anonymous: kb.anonymous / 1024 };
}
