// The layer 2 benchmarks, on the lab of `ferry lab` / e2e/l2/speaker.test.ts (src/lab/l2-lab.ts:
// three node namespaces with FRR 8.4 and a real `ferry speaker` each, BFD 100 ms × 3 between the
// nodes, Service web-l2 on 192.0.2.202 with a backend on every node, the IP local on each node's
// loopback with arp_ignore=1 / arp_announce=2, so only the owner's responder answers ARP) and a
// client host on the same segment (br-a, 192.0.2.100) running bench/l2-client.ts.
//
//   failover  the owner's two links cut at the switch (no goodbye) → the client's next new HTTP
//             connection answered through the new owner; p50/max over --runs, with the breakdown:
//             BFD down seen by the new owner's speaker, its ownership change (election), its first
//             gratuitous ARP at the client, the client served
//   latency   ARP request → reply at the client, ferry's responder (the owner of 192.0.2.202) against
//             the kernel answering for the same node's own address on the same interface (the floor);
//             --samples requests each, alternating
//   cpu       --ips Services (default 1,000) in pool l2-scale (198.18.0.0/22), advertised from node-22
//             only: node-22's speaker CPU (/proc/PID/stat) at rest and under --rate ARP requests/s
//             (default 1,000) round-robin over the owned IPs for --seconds (default 30), whether
//             every request got a reply, and ARP latency with the IPs owned
//
// Run (root): npm run build (the packet-socket addon included) && node dist/bench/l2.js [section ...] [--runs 10]
//   [--samples 1000] [--ips 1000] [--rate 1000] [--seconds 30]. Prints numbers; not a test. The lab
//   and the client process are removed at the end, on failure and on Ctrl-C.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import type { ClusterLab, LabNode } from '../src/lab/cluster-lab.js';
import { CLIENT_ADDRESS } from '../src/lab/cluster-lab.js';
import { L2_SERVICE_IP, segmentMac, setUpL2, waitForLivenessSessions } from '../src/lab/l2-lab.js';
import { mustRun, setLinkDown, setLinkUp } from '../src/lab/netns.js';
import { waitUntil } from '../src/lab/wait-until.js';
import { packageRoot } from '../src/util/package-root.js';
import {
  Api,
  cpuDuring,
  fmtMs,
  load,
  onCleanup,
  percentile,
  print,
  sleep,
  speakerMetricsText,
  speakerPid,
  withLab,
} from './lab-support.js';

const SECTIONS = ['failover', 'latency', 'cpu'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  readonly sections: Section[];
  readonly runs: number;
  readonly samples: number;
  readonly ips: number;
  readonly rate: number;
  readonly seconds: number;
}

function parseArgs(argv: readonly string[]): Options {
  const sections: Section[] = [];
  const numbers = { runs: 10, samples: 1000, ips: 1000, rate: 1000, seconds: 30 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const key = arg.replace(/^--/, '');
    if (arg.startsWith('--') && key in numbers) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${arg} needs a positive integer`);
      numbers[key as keyof typeof numbers] = value;
    } else if ((SECTIONS as readonly string[]).includes(arg)) sections.push(arg as Section);
    else throw new Error(`unknown argument ${arg}; sections: ${SECTIONS.join(' ')}`);
  }
  if (numbers.ips > 1022) throw new Error('--ips: at most 1,022 (pool 198.18.0.0/22)');
  return { sections: sections.length === 0 ? [...SECTIONS] : sections, ...numbers };
}

const results: string[] = [];
function result(line: string): void {
  results.push(line);
  print(`=> ${line}`);
}

/** the wall clock with sub-millisecond resolution, as bench/l2-client.ts stamps its events */
const wallNow = (): number => performance.timeOrigin + performance.now();

function stats(values: readonly (number | undefined)[], digits = 0): string {
  const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(digits));
  const missed = values.filter((v) => v === undefined).length;
  return (
    `p50 ${fmt(percentile(values, 50))}, p99 ${fmt(percentile(values, 99))}, ` +
    `min ${fmt(percentile(values, 0))}, max ${fmt(percentile(values, 100))} ms` +
    (missed > 0 ? ` (${missed} missing)` : '')
  );
}

// ---- the client process (bench/l2-client.ts in the client namespace) ----

interface ClientEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

interface ArpSeen {
  readonly mac: string;
  readonly gratuitous: boolean;
  readonly at: number;
}

class Client {
  private readonly events: ClientEvent[] = [];
  private readonly waiters: Array<() => void> = [];
  /** every ARP frame of a watched sender IP, in arrival order */
  readonly arp: ArpSeen[] = [];
  private stderr = '';

  private constructor(private readonly child: ResultPromise) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const event = JSON.parse(line) as ClientEvent;
      if (event.event === 'arp') this.arp.push(event as unknown as ArpSeen);
      else this.events.push(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(namespace: string): Promise<Client> {
    const script = join(packageRoot(), 'dist', 'bench', 'l2-client.js');
    const child = execa(
      'ip',
      ['netns', 'exec', namespace, process.execPath, script, 'eth0', CLIENT_ADDRESS],
      {
        reject: false,
        buffer: false,
        stdin: 'pipe',
      },
    );
    onCleanup(() => child.kill('SIGKILL'));
    const client = new Client(child);
    await client.next('ready', 20_000);
    return client;
  }

  async run(command: object, event: string, timeoutMs: number): Promise<ClientEvent> {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    return this.next(event, timeoutMs);
  }

  watch(ip: string): void {
    this.child.stdin?.write(`${JSON.stringify({ cmd: 'watch', ip })}\n`);
  }

  /** New HTTP connections every intervalMs until one is answered by an accepted node (null: any). */
  async served(
    accept: readonly string[] | null,
    giveUpMs: number,
    intervalMs = 20,
  ): Promise<{ node: string | undefined; at: number }> {
    const event = await this.run(
      {
        cmd: 'serve',
        url: `http://${L2_SERVICE_IP}/`,
        accept,
        intervalMs,
        timeoutMs: 1000,
        giveUpMs,
      },
      'served',
      giveUpMs + 5_000,
    );
    return { node: (event.node as string | null) ?? undefined, at: Number(event.at) };
  }

  private async next(event: string, timeoutMs: number): Promise<ClientEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e) => e.event === event || e.event === 'error');
      if (index >= 0) {
        const [found] = this.events.splice(index, 1);
        if (found?.event === 'error') throw new Error(`l2-client: ${String(found.message)}`);
        if (found !== undefined) return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`l2-client: no ${event} within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

// ---- the speakers' own log ----

/** Log entries of a speaker with `message`, stamped at or after `sinceWall` (ms resolution). */
function logEntries(node: LabNode, message: string, sinceWall: number): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  for (const line of node.speakerLog.split('\n')) {
    if (!line.includes(message)) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      // the log's timestamps are whole milliseconds: an event in the same millisecond counts
      if (Date.parse(String(entry.timestamp)) >= Math.floor(sinceWall)) found.push(entry);
    } catch {
      // not a JSON log line
    }
  }
  return found;
}

const stampOf = (entry: Record<string, unknown> | undefined): number | undefined =>
  entry === undefined ? undefined : Date.parse(String(entry.timestamp));

const listed = (entry: Record<string, unknown>, field: string, value: string): boolean =>
  Array.isArray(entry[field]) && (entry[field] as unknown[]).includes(value);

// ---- 1. hard failure → client served through the new owner ----

interface Bench {
  readonly lab: ClusterLab;
  readonly client: Client;
  readonly options: Options;
}

async function cutLinks(lab: ClusterLab, node: LabNode, up: boolean): Promise<void> {
  const set = up ? setLinkUp : setLinkDown;
  await Promise.all([
    set(lab.fabric.fabricNamespace, node.handle.linkA.fabricDevice),
    set(lab.fabric.fabricNamespace, node.handle.linkB.fabricDevice),
  ]);
}

async function failover(bench: Bench): Promise<void> {
  const { lab, client, options } = bench;
  print(
    `\n## failover: the owner's links cut at the switch (no goodbye) → the client served through the new ` +
      `owner, ${options.runs} runs (BFD 100 ms × 3 between the nodes, read every 200 ms)`,
  );
  print(load());
  const macs = new Map(await Promise.all(lab.nodes.map(async (n) => [n.name, await segmentMac(n)] as const)));
  const totals: (number | undefined)[] = [];
  const parts = { bfd: [] as (number | undefined)[], owned: [] as (number | undefined)[] };
  const garps: (number | undefined)[] = [];
  const loads: number[] = [];
  let flushed = 0;
  for (let i = 0; i < options.runs; i++) {
    if (!(await waitForLivenessSessions(lab)))
      throw new Error('the BFD sessions between the nodes are not up');
    const before = await client.served(null, 30_000);
    if (before.node === undefined) throw new Error('the client is not served before the cut');
    const owner = lab.node(before.node);
    await sleep(1_000);
    const cutAt = wallNow();
    await cutLinks(lab, owner, false);
    const cutMs = wallNow() - cutAt;
    const others = lab.nodes.filter((n) => n !== owner).map((n) => n.name);
    const after = await client.served(others, 30_000);
    const total = after.node === undefined ? undefined : after.at - cutAt;
    totals.push(total);
    const one = Number(/average ([0-9.]+)/.exec(load())?.[1]);
    loads.push(one);
    // heal: the old owner comes back first in the order and answers again, but it never stopped
    // owning the IP in its own view (it saw the others die), so it sends no gratuitous ARP; the
    // client keeps the new owner's MAC (still served) until its entry ages. Flush it so every run
    // starts from the same state.
    await cutLinks(lab, owner, true);
    if (!(await waitForLivenessSessions(lab))) throw new Error('the BFD sessions did not come back');
    const back = await client.served([owner.name], 3_000, 100);
    if (back.node === undefined) {
      flushed += 1;
      await mustRun(lab.clientNamespace, ['ip', 'neigh', 'flush', L2_SERVICE_IP]);
      const again = await client.served([owner.name], 30_000);
      if (again.node === undefined) throw new Error(`${owner.name} did not take ${L2_SERVICE_IP} back`);
    }
    // the breakdown is read after the heal: under load the speakers' log lines reach us later than
    // the client's answer
    const next = after.node === undefined ? undefined : lab.node(after.node);
    const bfdSeen =
      next &&
      logEntries(next, 'layer2 liveness changed (BFD)', cutAt).find((e) => listed(e, 'dead', owner.name));
    const owned =
      next &&
      logEntries(next, 'layer2 ownership changed', cutAt).find((e) => listed(e, 'gained', L2_SERVICE_IP));
    const garp = client.arp.find(
      (a) => a.at >= cutAt && a.gratuitous && a.mac === macs.get(next?.name ?? ''),
    );
    const since = (at: number | undefined) => (at === undefined ? undefined : at - cutAt);
    parts.bfd.push(since(stampOf(bfdSeen)));
    parts.owned.push(since(stampOf(owned)));
    garps.push(since(garp?.at));
    print(
      `run ${String(i + 1).padStart(2)}: ${owner.name} cut (${Math.round(cutMs)} ms for the two link-downs) → ` +
        `BFD down seen by ${next?.name ?? '?'}'s speaker ${fmtMs(since(stampOf(bfdSeen)))} ms, ` +
        `it owns ${L2_SERVICE_IP} ${fmtMs(since(stampOf(owned)))} ms, its first gratuitous ARP at the client ` +
        `${fmtMs(since(garp?.at))} ms, client served by ${after.node ?? 'NOBODY'} ${fmtMs(total)} ms ` +
        `(load ${one.toFixed(2)})`,
    );
  }
  result(
    `failover: owner's links cut → client served through the new owner (${options.runs} runs): ` +
      `p50 ${fmtMs(percentile(totals, 50))} ms, max ${fmtMs(percentile(totals, 100))} ms, ` +
      `min ${fmtMs(percentile(totals, 0))} ms; load average (1 min) ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
  );
  result(
    `failover breakdown, ms after the cut (p50 / max): BFD down seen by the new owner's speaker ` +
      `${fmtMs(percentile(parts.bfd, 50))} / ${fmtMs(percentile(parts.bfd, 100))}; it owns the IP (election) ` +
      `${fmtMs(percentile(parts.owned, 50))} / ${fmtMs(percentile(parts.owned, 100))}; its first gratuitous ARP at ` +
      `the client ${fmtMs(percentile(garps, 50))} / ${fmtMs(percentile(garps, 100))}; client served ` +
      `${fmtMs(percentile(totals, 50))} / ${fmtMs(percentile(totals, 100))}`,
  );
  result(
    `failover heal: after the links came back, the client was back on the old owner within 3 s in ` +
      `${options.runs - flushed} of ${options.runs} runs without flushing its neighbour entry`,
  );
  print(load());
}

// ---- 2. ARP request → reply latency ----

async function arpLatency(
  client: Client,
  label: string,
  ferryIp: string,
  kernelIp: string,
  samples: number,
): Promise<void> {
  print(
    `${label}: ${samples} requests each for ${ferryIp} (ferry) and ${kernelIp} (kernel), alternating; ${load()}`,
  );
  const event = await client.run(
    { cmd: 'latency', targets: [ferryIp, kernelIp], count: samples * 2, gapMs: 2 },
    'latency',
    samples * 2 * 300 + 10_000,
  );
  const byTarget = event.byTarget as Record<string, { ms: number[]; lost: number }>;
  for (const [who, ip] of [
    ['ferry responder', ferryIp],
    ['kernel (floor)', kernelIp],
  ] as const) {
    const entry = byTarget[ip] ?? { ms: [], lost: samples };
    result(
      `${label}, ${who} for ${ip}: ${stats(entry.ms, 3)}, ${entry.lost} of ${samples} unanswered within 200 ms`,
    );
  }
  print(load());
}

async function latency(bench: Bench): Promise<void> {
  const { lab, client, options } = bench;
  print(`\n## latency: ARP request → reply at the client, ferry's responder against the kernel`);
  const owner = await client.served(null, 30_000);
  if (owner.node === undefined) throw new Error('the client is not served');
  const node = lab.node(owner.node);
  await arpLatency(
    client,
    `latency, one owned IP (${node.name})`,
    L2_SERVICE_IP,
    node.handle.linkA.ipv4,
    options.samples,
  );
}

// ---- 3. the responder's CPU with many owned IPs ----

const SCALE_NODE = 'node-22';

function scaleIp(index: number): string {
  // 198.18.0.0/22 from .0.1 on
  const n = index + 1;
  return `198.18.${n >> 8}.${n & 255}`;
}

function scaleYaml(): string {
  return [
    'apiVersion: metallb.io/v1beta1',
    'kind: IPAddressPool',
    'metadata: {name: l2-scale, namespace: metallb-system}',
    'spec:',
    '  addresses: ["198.18.0.0/22"]',
    '  autoAssign: false',
    '---',
    'apiVersion: metallb.io/v1beta1',
    'kind: L2Advertisement',
    'metadata: {name: l2-scale, namespace: metallb-system}',
    'spec:',
    '  ipAddressPools: [l2-scale]',
    '  nodeSelectors:',
    `    - matchLabels: {kubernetes.io/hostname: ${SCALE_NODE}}`,
  ].join('\n');
}

/** How many ServiceL2Status objects in the API server name `node`. */
function l2StatusesOf(lab: ClusterLab, node: string): number {
  const cluster = lab.apiserver.cluster;
  const target = cluster.target('metallb.io', 'v1beta1', 'servicel2statuses', 'metallb-system');
  return cluster
    .list(target, cluster.parseSelection(target))
    .items.filter((object) => (object as { status?: { node?: string } }).status?.node === node).length;
}

/** Sum of every series of each metric (e.g. over the `ip` label) from a speaker's /metrics. */
async function metricSums(node: LabNode, names: readonly string[]): Promise<Record<string, number>> {
  const text = (await speakerMetricsText(node)) ?? '';
  return Object.fromEntries(
    names.map((name) => [
      name,
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      ),
    ]),
  );
}

/**
 * The packet sockets of a namespace (the speaker's ARP/NDP sockets) and the frames the kernel
 * dropped on them because their receive buffer was full: `ss`'s skmem `d` counters, summed.
 */
async function packetSockets(namespace: string): Promise<{ sockets: number; drops: number }> {
  const out = await mustRun(namespace, ['ss', '-0', '-a', '-m', '-n', '-H']);
  const counters = [...out.matchAll(/skmem:\([^)]*\bd(\d+)\)/g)].map((match) => Number(match[1]));
  return { sockets: counters.length, drops: counters.reduce((sum, d) => sum + d, 0) };
}

const pct = (cores: number | undefined): string => `${((cores ?? NaN) * 100).toFixed(1)}%`;

async function cpu(bench: Bench): Promise<void> {
  const { lab, client, options } = bench;
  const scaleNode = lab.node(SCALE_NODE);
  const other = lab.node('node-21');
  const pids = [speakerPid(scaleNode), speakerPid(other)];
  print(
    `\n## cpu: ${options.ips} Services in pool l2-scale advertised from ${SCALE_NODE} only; ` +
      `${SCALE_NODE}'s speaker CPU at rest and under ${options.rate} ARP requests/s (node-21's for comparison)`,
  );
  print(load());
  const restWindow = options.seconds * 1000;
  const baseline = await cpuDuring(pids, sleep(restWindow));
  result(
    `cpu at rest before the Services (${options.seconds} s; ${SCALE_NODE} owns no IP, node-21 none): ` +
      `${SCALE_NODE} ${pct(baseline[0])}, node-21 ${pct(baseline[1])} of one CPU; ${load()}`,
  );

  await lab.apply(scaleYaml());
  const api = new Api(lab.apiserver);
  const ips = Array.from({ length: options.ips }, (_, i) => scaleIp(i));
  const writeStart = wallNow();
  ips.forEach((ip, i) => {
    const name = `l2-scale-${String(i).padStart(4, '0')}`;
    api.putEndpoints(name, [SCALE_NODE]);
    api.createService({ name, trafficPolicy: 'Cluster' });
    api.setIngress(name, ip);
  });
  const written = wallNow();
  const owning = await waitUntil(
    async () => {
      const last = logEntries(scaleNode, 'layer2 ownership changed', writeStart).at(-1);
      return Number(last?.owned) >= options.ips
        ? { done: true, value: stampOf(last) ?? NaN }
        : { done: false, why: `owns ${String(last?.owned)}` };
    },
    { timeoutMs: 180_000, intervalMs: 250 },
  );
  if (!owning.ok) throw new Error(`${SCALE_NODE} never owned ${options.ips} IPs: ${owning.last}`);
  result(
    `${options.ips} Services written in ${Math.round(written - writeStart)} ms → ${SCALE_NODE}'s responder owns ` +
      `all ${options.ips} after ${Math.round(owning.value - writeStart)} ms (from the first write)`,
  );
  // at rest: every ServiceL2Status written, past the 5 gratuitous rounds (1.1 s apart)
  const statuses = await waitUntil(
    async () => {
      const count = l2StatusesOf(lab, SCALE_NODE);
      return count >= options.ips ? { done: true, value: count } : { done: false, why: `${count} written` };
    },
    { timeoutMs: 300_000, intervalMs: 500 },
  );
  if (!statuses.ok) throw new Error(`${SCALE_NODE}'s ServiceL2Statuses: ${statuses.last}`);
  result(
    `${SCALE_NODE}'s ${options.ips} ServiceL2Statuses written ${Math.round(wallNow() - writeStart)} ms after ` +
      `the first write`,
  );
  await sleep(6_000);
  const windows: number[][] = [];
  for (let w = 0; w < 3; w++) windows.push(await cpuDuring(pids, sleep(restWindow / 3)));
  const mean = (i: number) => windows.reduce((sum, cores) => sum + (cores[i] ?? 0), 0) / windows.length;
  result(
    `cpu at rest with ${options.ips} owned IPs (${options.seconds} s): ${SCALE_NODE} ${pct(mean(0))} ` +
      `(${windows.map((cores) => pct(cores[0])).join(', ')} by thirds), node-21 (owns none of them) ` +
      `${pct(mean(1))} of one CPU; ${load()}`,
  );

  await arpLatency(
    client,
    `latency, ${options.ips} owned IPs (${SCALE_NODE})`,
    scaleIp(Math.floor(options.ips / 2)),
    scaleNode.handle.linkA.ipv4,
    Math.min(options.samples, 500),
  );

  const counters = ['metallb_layer2_requests_received', 'metallb_layer2_responses_sent'];
  const countersBefore = await metricSums(scaleNode, counters);
  const socketsBefore = await packetSockets(scaleNode.handle.namespace);
  print(
    `load: ${options.rate} ARP requests/s round-robin over the ${options.ips} IPs for ${options.seconds} s; ${load()}`,
  );
  const loaded = client.run(
    { cmd: 'load', targets: ips, rate: options.rate, seconds: options.seconds },
    'load',
    options.seconds * 1000 + 60_000,
  );
  const busy = await cpuDuring(pids, loaded);
  const outcome = await loaded;
  const countersAfter = await metricSums(scaleNode, counters);
  const socketsAfter = await packetSockets(scaleNode.handle.namespace);
  const drops = socketsAfter.drops - socketsBefore.drops;
  const delta = (name: string) => (countersAfter[name] ?? NaN) - (countersBefore[name] ?? NaN);
  const sent = Number(outcome.sent);
  const replied = Number(outcome.replied);
  const unanswered = outcome.unanswered as string[];
  result(
    `cpu under ${options.rate} ARP requests/s for ${Number(outcome.sendingSeconds).toFixed(1)} s: ${SCALE_NODE} ` +
      `${pct(busy[0])}, node-21 ${pct(busy[1])} of one CPU; ${load()}`,
  );
  result(
    `replies: ${replied} of ${sent} requests answered (${sent - replied} missing), ${unanswered.length} of ` +
      `${options.ips} IPs never answered; ${SCALE_NODE}'s counters: ${delta(counters[0] ?? '')} requests received, ` +
      `${delta(counters[1] ?? '')} responses sent, ${drops} frames dropped by the kernel on its ${socketsAfter.sockets} packet ` +
      `sockets (receive buffer full); reply latency under load ${stats(outcome.ms as number[], 2)}`,
  );
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  print(`layer 2 benchmarks: ${options.sections.join(', ')}; ${load()}`);
  await withLab({ nodes: 3 }, async (lab) => {
    await lab.apply(readFileSync(join(packageRoot(), 'deploy', 'examples', 'nodes.yaml'), 'utf8'));
    await lab.addClient();
    await setUpL2(lab, true);
    for (const node of lab.nodes) lab.startSpeaker(node);
    const client = await Client.start(lab.clientNamespace ?? '');
    client.watch(L2_SERVICE_IP);
    const first = await client.served(null, 90_000, 200);
    if (first.node === undefined) throw new Error(`nobody serves ${L2_SERVICE_IP}`);
    print(`${L2_SERVICE_IP} served by ${first.node}; ${load()}`);
    const bench: Bench = { lab, client, options };
    for (const section of options.sections) {
      if (section === 'failover') await failover(bench);
      else if (section === 'latency') await latency(bench);
      else await cpu(bench);
    }
  });
  print('\n# summary');
  for (const line of results) print(line);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/l2: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
