// The lab benchmarks: a real fabric on this machine (two ToR FRRs, AS 65000, BFD 300 ms × 3;
// three node namespaces each with FRR 8.4 and a real `ferry speaker` process; the in-memory API
// server in this process). Objects are written straight into the API server's store, so every
// timing starts when the API server accepted the write; it ends when the ToRs' kernel FIB (what
// traffic uses) shows the change, read back to back with `ip -n <tor> route show <prefix>`.
//
//   announce    Service created with its ingress IP already set (no controller) → the /32 at both ToRs
//               from every expected node (ETP Cluster, 3 nodes); p50/p95 over --runs
//   controller  the same with `ferry controller` in the path (Service created without status; the
//               controller assigns the requested IP, the speakers announce it)
//   withdraw    ETP Local: node-22's last local endpoint removed from the EndpointSlice → its next hop
//               gone at both ToRs; p50/p95 over --runs
//   restart     the speaker of node-21 stopped (SIGTERM, then SIGKILL on alternate runs) and started
//               again: withdrawals seen at the ToRs (kernel FIB polled continuously + `ip monitor
//               route`), session resets (connectionsEstablished), UPDATEs received from node-21
//   bfd         hard failure (both links of a node down, no BGP goodbye): BFD 300 ms × 3 → next hop gone
//
// Run (root): npx tsc -p tsconfig.json && node dist/bench/lab.js [section ...] [--runs 20] [--bfd-runs 3]
//   [--restart-runs 4]. Prints numbers; not a test. The lab is removed at the end, on failure and on Ctrl-C.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLab, LabNode } from '../src/lab/cluster-lab.js';
import { setLinkDown, setLinkUp } from '../src/lab/netns.js';
import { waitUntil } from '../src/lab/wait-until.js';
import { packageRoot } from '../src/util/package-root.js';
import {
  Api,
  firstApplySince,
  fibReadMs,
  fibTable,
  load,
  print,
  RouteMonitor,
  sameHops,
  sleep,
  summary,
  timeUntilAllFibs,
  withLab,
} from './lab-support.js';

const SECTIONS = ['announce', 'controller', 'withdraw', 'restart', 'bfd'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: readonly string[]): {
  sections: Section[];
  runs: number;
  bfdRuns: number;
  restartRuns: number;
} {
  const sections: Section[] = [];
  let runs = 20;
  let bfdRuns = 3;
  let restartRuns = 4;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const number = () => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${arg} needs a positive integer`);
      return value;
    };
    if (arg === '--runs') runs = number();
    else if (arg === '--bfd-runs') bfdRuns = number();
    else if (arg === '--restart-runs') restartRuns = number();
    else if ((SECTIONS as readonly string[]).includes(arg)) sections.push(arg as Section);
    else throw new Error(`unknown argument ${arg}; sections: ${SECTIONS.join(' ')}`);
  }
  return { sections: sections.length === 0 ? [...SECTIONS] : sections, runs, bfdRuns, restartRuns };
}

const results: string[] = [];
function result(line: string): void {
  results.push(line);
  print(`=> ${line}`);
}

interface Bench {
  readonly lab: ClusterLab;
  readonly api: Api;
  /** the ToRs' namespaces: tor1 (br-a), tor2 (br-b) */
  readonly tors: readonly string[];
  readonly runs: number;
}

/** A node's address as ToR i (0: tor1 on br-a, 1: tor2 on br-b) sees it. */
function addressAt(node: LabNode, tor: number): string {
  return tor === 0 ? node.handle.linkA.ipv4 : node.handle.linkB.ipv4;
}

const expectFrom =
  (nodes: readonly LabNode[]) =>
  (hops: readonly string[], tor: number): boolean =>
    sameHops(
      hops,
      nodes.map((n) => addressAt(n, tor)),
    );

const fmt = (ms: number | undefined): string => (ms === undefined ? 'timeout' : String(Math.round(ms)));

let describedApply = false;

/**
 * From the speakers' logs: when the last of `nodes` finished its FRR apply after the write (ms) and
 * the slowest apply itself; undefined when a speaker logged no apply.
 */
function applied(
  nodes: readonly LabNode[],
  sinceWallMs: number,
): { readonly doneMs: number; readonly durationMs: number } | undefined {
  const marks = nodes.map((node) => firstApplySince(node, sinceWallMs));
  if (!describedApply && marks[0] !== undefined) {
    describedApply = true;
    print(`(${nodes[0]?.name ?? ''}'s speaker logged: FRR config applied, ${marks[0].result})`);
  }
  if (marks.some((m) => m === undefined)) return undefined;
  const defined = marks as { doneMs: number; durationMs: number }[];
  return {
    doneMs: Math.max(...defined.map((m) => m.doneMs)),
    durationMs: Math.max(...defined.map((m) => m.durationMs)),
  };
}

function breakdown(
  label: string,
  totals: readonly (number | undefined)[],
  applies: readonly ({ doneMs: number; durationMs: number } | undefined)[],
): string {
  const after = applies.map((a, i) => {
    const total = totals[i];
    return a === undefined || total === undefined ? undefined : total - a.doneMs;
  });
  return (
    `${label} breakdown (speakers' log, ms resolution): write → last speaker's apply done ` +
    `${summary(applies.map((a) => a?.doneMs))}; the apply itself ${summary(applies.map((a) => a?.durationMs))}; ` +
    `apply done → both ToRs' FIB ${summary(after)}`
  );
}

async function setup(lab: ClusterLab, api: Api): Promise<void> {
  const examples = join(packageRoot(), 'deploy', 'examples');
  for (const file of [
    'nodes.yaml',
    'ip-address-pool.yaml',
    'bfd-profile.yaml',
    'bgp-peers.yaml',
    'bgp-advertisement.yaml',
  ]) {
    await lab.apply(readFileSync(join(examples, file), 'utf8'));
  }
  for (const node of lab.nodes) lab.startSpeaker(node);
  // warm-up (not measured): web-local (ETP Local, endpoints on node-21 and node-22) brings up the
  // sessions and creates the attribute class every later Service shares
  api.putEndpoints('web-local', ['node-21', 'node-22']);
  api.createService({ name: 'web-local', trafficPolicy: 'Local' });
  api.setIngress('web-local', '203.0.113.5');
  const started = performance.now();
  const up = await timeUntilAllFibs(
    lab.fabric.tors.map((t) => t.namespace),
    '203.0.113.5/32',
    expectFrom([lab.node('node-21'), lab.node('node-22')]),
    started,
    120_000,
  );
  if (up.slowest === undefined) throw new Error('warm-up: 203.0.113.5/32 never reached both ToRs');
  print(`warm-up: sessions up and 203.0.113.5/32 at both ToRs after ${Math.round(up.slowest)} ms`);
  await sleep(6_000); // past the route-map delay timer of the first class
}

async function announce(bench: Bench, withController: boolean): Promise<void> {
  const { lab, api, tors, runs } = bench;
  const all = expectFrom(lab.nodes);
  const label = withController ? 'controller' : 'announce';
  print(
    `\n## ${label}: Service created → /32 at both ToRs from all 3 nodes (ETP Cluster), ${runs} runs; ` +
      (withController
        ? 'ferry controller in the path (Service without status, annotation metallb.io/loadBalancerIPs)'
        : 'controller NOT in the path (ingress IP written with the Service)'),
  );
  print(load());
  if (withController) {
    lab.startController();
    const ready = await waitUntil(
      async () =>
        lab.controllerLog.includes('"level":"info"')
          ? { done: true, value: true }
          : { done: false, why: 'controller not logging yet' },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await sleep(2_000);
    if (!ready.ok) print('(the controller printed nothing within 30 s; measuring anyway)');
  }
  const totals: (number | undefined)[] = [];
  const assigned: (number | undefined)[] = [];
  const applies: ({ doneMs: number; durationMs: number } | undefined)[] = [];
  describedApply = false;
  for (let i = 0; i < runs; i++) {
    const name = `${label}-${i}`;
    const ip = `203.0.113.${(withController ? 40 : 10) + i}`;
    api.putEndpoints(name, ['node-21']);
    await sleep(300);
    const wallStart = Date.now();
    const start = performance.now();
    if (withController) {
      api.createService({
        name,
        trafficPolicy: 'Cluster',
        annotations: { 'metallb.io/loadBalancerIPs': ip },
      });
    } else {
      api.createService({ name, trafficPolicy: 'Cluster' });
      api.setIngress(name, ip);
    }
    // the controller's status write, seen in the store (in-process: no API round trip)
    let statusMs: number | undefined;
    const statusWatch = withController
      ? (async () => {
          while (performance.now() - start < 30_000) {
            if (api.ingressOf(name) === ip) {
              statusMs = performance.now() - start;
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        })()
      : Promise.resolve();
    const seen = await timeUntilAllFibs(tors, `${ip}/32`, all, start);
    await statusWatch;
    totals.push(seen.slowest);
    assigned.push(statusMs);
    const mark = applied(lab.nodes, wallStart);
    applies.push(mark);
    print(
      `run ${String(i + 1).padStart(2)}: ${ip}/32 at tor1 ${fmt(seen.perTor[0])} ms, tor2 ${fmt(seen.perTor[1])} ms` +
        ` (last speaker's apply done at ${fmt(mark?.doneMs)} ms, apply ${fmt(mark?.durationMs)} ms)` +
        (withController ? ` (status written by the controller after ${fmt(statusMs)} ms)` : ''),
    );
    await sleep(300);
  }
  result(
    `${label}: Service created → /32 at both ToRs from all 3 nodes (${runs} runs, controller ${withController ? 'in' : 'not in'} the path): ${summary(totals)}` +
      (withController ? `; of which the controller's status write: ${summary(assigned)}` : ''),
  );
  result(breakdown(label, totals, applies));
  print(load());
}

async function withdraw(bench: Bench): Promise<void> {
  const { lab, api, tors, runs } = bench;
  const [n21, n22] = [lab.node('node-21'), lab.node('node-22')];
  print(
    `\n## withdraw: ETP Local, node-22's last local endpoint removed → its next hop gone at both ToRs, ${runs} runs`,
  );
  print(load());
  const gone: (number | undefined)[] = [];
  const applies: ({ doneMs: number; durationMs: number } | undefined)[] = [];
  describedApply = false;
  for (let i = 0; i < runs; i++) {
    api.putEndpoints('web-local', ['node-21', 'node-22']);
    const back = await timeUntilAllFibs(
      tors,
      '203.0.113.5/32',
      expectFrom([n21, n22]),
      performance.now(),
      30_000,
    );
    if (back.slowest === undefined) throw new Error('node-22 did not come back at the ToRs');
    await sleep(500);
    const wallStart = Date.now();
    const start = performance.now();
    api.putEndpoints('web-local', ['node-21']);
    const seen = await timeUntilAllFibs(tors, '203.0.113.5/32', expectFrom([n21]), start);
    gone.push(seen.slowest);
    const mark = applied([n22], wallStart);
    applies.push(mark);
    print(
      `run ${String(i + 1).padStart(2)}: node-22 gone at tor1 ${fmt(seen.perTor[0])} ms, tor2 ${fmt(seen.perTor[1])} ms` +
        ` (node-22's apply done at ${fmt(mark?.doneMs)} ms, apply ${fmt(mark?.durationMs)} ms)`,
    );
  }
  api.putEndpoints('web-local', ['node-21', 'node-22']);
  await timeUntilAllFibs(tors, '203.0.113.5/32', expectFrom([n21, n22]), performance.now(), 30_000);
  result(`withdraw: last local endpoint gone → next hop gone at both ToRs (${runs} runs): ${summary(gone)}`);
  result(breakdown('withdraw', gone, applies));
  print(load());
}

interface NeighborCounters {
  readonly established: number | undefined;
  readonly updatesRecv: number | undefined;
  readonly state: string | undefined;
}

async function neighborCounters(lab: ClusterLab, tor: number, address: string): Promise<NeighborCounters> {
  const shown = await lab.tors[tor]?.vtysh.show(`show bgp neighbors ${address} json`);
  const entry =
    shown?.ok === true
      ? ((shown.value as Record<string, unknown>)[address] as
          | {
              connectionsEstablished?: number;
              bgpState?: string;
              messageStats?: { updatesRecv?: number };
            }
          | undefined)
      : undefined;
  return {
    established: entry?.connectionsEstablished,
    updatesRecv: entry?.messageStats?.updatesRecv,
    state: entry?.bgpState,
  };
}

async function restart(bench: Bench, restartRuns: number, monitors: readonly RouteMonitor[]): Promise<void> {
  const { lab, tors } = bench;
  const n21 = lab.node('node-21');
  print(
    `\n## restart: node-21's speaker stopped and started ${restartRuns} times (SIGTERM / SIGKILL alternating)`,
  );
  print(load());
  let totalWithdrawals = 0;
  let totalResets = 0;
  let totalUpdates = 0;
  let totalEvents = 0;
  for (let i = 0; i < restartRuns; i++) {
    const signal = i % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
    // the baseline: every BGP route node-21 is a next hop of, per ToR
    const baseline = await Promise.all(
      tors.map(async (ns, t) => {
        const table = await fibTable(ns, '203.0.113.0/24');
        return [...table].filter(([, hops]) => hops.includes(addressAt(n21, t))).map(([prefix]) => prefix);
      }),
    );
    const before = await Promise.all(tors.map((_, t) => neighborCounters(lab, t, addressAt(n21, t))));
    const missing = new Set<string>();
    let reads = 0;
    let polling = true;
    const pollers = tors.map(async (ns, t) => {
      while (polling) {
        const table = await fibTable(ns, '203.0.113.0/24');
        reads++;
        for (const prefix of baseline[t] ?? []) {
          if (!(table.get(prefix) ?? []).includes(addressAt(n21, t))) missing.add(`tor${t + 1} ${prefix}`);
        }
      }
    });
    const start = performance.now();
    const exitCode = await lab.stopSpeaker(n21, signal);
    lab.startSpeaker(n21);
    const applied = await waitUntil(
      async () =>
        n21.speakerLog.includes('FRR config applied')
          ? { done: true, value: performance.now() - start }
          : { done: false, why: 'the new speaker has not applied yet' },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    // past bgpd's route-map delay timer (5 s): a re-evaluation would send UPDATEs by then
    await sleep(7_000);
    polling = false;
    await Promise.all(pollers);
    const after = await Promise.all(tors.map((_, t) => neighborCounters(lab, t, addressAt(n21, t))));
    const resets = after.reduce(
      (sum, a, t) => sum + ((a.established ?? 0) - (before[t]?.established ?? 0)),
      0,
    );
    const updates = after.reduce(
      (sum, a, t) => sum + ((a.updatesRecv ?? 0) - (before[t]?.updatesRecv ?? 0)),
      0,
    );
    const events = monitors.flatMap((m) =>
      m.eventsSince(start, (line) => line.includes('203.0.113.')).map((line) => `${m.namespace}: ${line}`),
    );
    totalWithdrawals += missing.size;
    totalResets += resets;
    totalUpdates += updates;
    totalEvents += events.length;
    print(
      `run ${i + 1} (${signal}, exit ${exitCode ?? 'signal'}): new speaker applied after ${
        applied.ok ? Math.round(applied.value) : 'NEVER'
      } ms; ${baseline.flat().length} next hops via node-21 watched over ${reads} FIB reads for ${Math.round(
        (performance.now() - start) / 1000,
      )} s: ${missing.size} withdrawn${missing.size > 0 ? ` (${[...missing].slice(0, 5).join(', ')})` : ''}; ` +
        `ip monitor route events for 203.0.113.0/24: ${events.length}; ` +
        `sessions re-established: ${resets}; UPDATEs from node-21 at the ToRs: ${updates} ` +
        `(state ${after.map((a) => a.state).join('/')})`,
    );
    for (const line of events.slice(0, 6)) print(`  route event: ${line}`);
  }
  result(
    `restart: ${restartRuns} speaker restarts of node-21: ${totalWithdrawals} withdrawals seen in the ToRs' FIB, ` +
      `${totalEvents} kernel route events, ${totalResets} session resets, ${totalUpdates} UPDATEs received from node-21`,
  );
  print(load());
}

async function bfd(bench: Bench, bfdRuns: number): Promise<void> {
  const { lab, tors } = bench;
  const prefix = '203.0.113.10/32'; // announce-0 (ETP Cluster: all three nodes) or created here
  print(
    `\n## bfd: hard failure (both links of a node down), BFD 300 ms × 3 → next hop gone, ${bfdRuns} runs`,
  );
  print(load());
  if (bench.api.ingressOf('announce-0') === undefined) {
    bench.api.putEndpoints('announce-0', ['node-21']);
    bench.api.createService({ name: 'announce-0', trafficPolicy: 'Cluster' });
    bench.api.setIngress('announce-0', '203.0.113.10');
  }
  const gone: (number | undefined)[] = [];
  for (let i = 0; i < bfdRuns; i++) {
    const victim = lab.nodes[(i + 1) % lab.nodes.length] as LabNode;
    const full = await timeUntilAllFibs(tors, prefix, expectFrom(lab.nodes), performance.now(), 90_000);
    if (full.slowest === undefined) throw new Error(`${prefix} is not at both ToRs from all nodes`);
    await sleep(1_000);
    const start = performance.now();
    const { namespace } = victim.handle;
    await Promise.all([
      setLinkDown(namespace, victim.handle.linkA.device),
      setLinkDown(namespace, victim.handle.linkB.device),
    ]);
    const left = lab.nodes.filter((n) => n !== victim);
    const seen = await timeUntilAllFibs(tors, prefix, expectFrom(left), start, 30_000);
    gone.push(seen.slowest);
    await setLinkUp(namespace, victim.handle.linkA.device);
    await setLinkUp(namespace, victim.handle.linkB.device);
    const recovered = await timeUntilAllFibs(tors, prefix, expectFrom(lab.nodes), performance.now(), 90_000);
    print(
      `run ${i + 1}: ${victim.name} links down → its next hop gone at tor1 ${fmt(seen.perTor[0])} ms, tor2 ${fmt(
        seen.perTor[1],
      )} ms; links up → back at both ToRs after ${fmt(recovered.slowest)} ms (BGP reconnect)`,
    );
  }
  result(
    `bfd: hard failure, BFD 300 ms × 3 → next hop gone at both ToRs (${bfdRuns} runs): ${summary(gone)}`,
  );
  print(load());
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  print(`lab benchmarks: ${options.sections.join(', ')}; ${load()}`);
  await withLab({ nodes: 3 }, async (lab) => {
    const api = new Api(lab.apiserver);
    const tors = lab.fabric.tors.map((t) => t.namespace);
    await setup(lab, api);
    const readMs = await fibReadMs(tors[0] ?? '', '203.0.113.5/32');
    print(
      `one ToR FIB read (ip -n … -j route show PREFIX) takes ${readMs.toFixed(1)} ms: the timing resolution`,
    );
    const monitors = tors.map((ns) => new RouteMonitor(ns));
    const bench: Bench = { lab, api, tors, runs: options.runs };
    for (const section of options.sections) {
      if (section === 'announce') await announce(bench, false);
      else if (section === 'controller') await announce(bench, true);
      else if (section === 'withdraw') await withdraw(bench);
      else if (section === 'restart') await restart(bench, options.restartRuns, monitors);
      else await bfd(bench, options.bfdRuns);
    }
  });
  print('\n# summary');
  for (const line of results) print(line);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/lab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
