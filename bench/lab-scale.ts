// The lab at scale: 1,000 then 10,000 Services (ETP Cluster, IPs from 198.18.0.0/15, one
// EndpointSlice each, status.loadBalancer.ingress written directly: no controller in the path) on a
// fabric of two ToR FRRs and 1 or 3 node namespaces, each with FRR 8.4 and a real `ferry speaker`.
// Objects go straight into the in-process API server's store in batches (the speakers get them
// through their watches). Printed per step:
//   - how long the writes took (Service + status + EndpointSlice per Service);
//   - time from the last write until FRR converged: every prefix at both ToRs' kernel FIB with one
//     next hop per node (read every ~0.2 s, so ±0.2 s + one read);
//   - the speakers' RSS (VmRSS) once converged and the peak (VmHWM, and the highest sampled VmRSS);
//   - the speakers' FRR applies during the burst (count, method, the last one's duration);
//   - then one more Service at that scale, --single-runs times: write → /32 at both ToRs.
//
// Run (root): npx tsc -p tsconfig.json && node dist/bench/lab-scale.js [--nodes 3] [--counts 1000,10000]
//   [--single-runs 5] [--batch 500] [--heap-snapshots DIR] [--cpu-profiles DIR]. Prints numbers; not a test.
//   --heap-snapshots: each speaker writes a V8 heap snapshot into DIR after the warm-up and once
//   every ServiceBGPStatus of a step is written (the measurements of the step come first). Everything is removed at the end,
//   on failure and on Ctrl-C.
//   --cpu-profiles DIR: each speaker runs with --cpu-prof and is stopped (SIGTERM) at the end, writing
//   its V8 CPU profile into DIR (open it in Chrome DevTools, or summarize the self time per function).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClusterLab, LabNode } from '../src/lab/cluster-lab.js';
import { waitUntil } from '../src/lab/wait-until.js';
import { packageRoot } from '../src/util/package-root.js';
import {
  Api,
  fibTable,
  firstApplySince,
  load,
  memoryMb,
  onCleanup,
  print,
  sameHops,
  sleep,
  cpuCores,
  cpuSeconds,
  frrDaemonPid,
  heapSnapshots,
  speakerHeapMb,
  rssBreakdownMb,
  speakerMetrics,
  speakerPid,
  summary,
  timeUntilAllFibs,
  withLab,
  scaleIp,
  scalePoolYaml,
  SCALE_ROOT,
} from './lab-support.js';
import { nextTurn } from '../src/util/next-turn.js';

const NAMESPACE = 'scale';

function parseArgs(argv: readonly string[]) {
  let nodes = 3;
  let counts = [1_000, 10_000];
  let singleRuns = 5;
  let batch = 500;
  let heapSnapshots: string | undefined;
  let cpuProfiles: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = argv[++i] ?? '';
    if (arg === '--nodes') nodes = Number(value);
    else if (arg === '--counts') counts = value.split(',').map(Number);
    else if (arg === '--single-runs') singleRuns = Number(value);
    else if (arg === '--batch') batch = Number(value);
    else if (arg === '--heap-snapshots') heapSnapshots = resolve(value);
    else if (arg === '--cpu-profiles') cpuProfiles = resolve(value);
    else throw new Error(`unknown argument ${arg}`);
  }
  const bad = [nodes, singleRuns, batch, ...counts].some((n) => !Number.isInteger(n) || n < 0);
  if (
    bad ||
    nodes < 1 ||
    counts.some((c, i) => i > 0 && c <= (counts[i - 1] ?? 0)) ||
    counts.at(-1)! > 131_000
  )
    throw new Error('--nodes ≥ 1, --counts ascending (≤ 131,000: a /15), --single-runs and --batch ≥ 0');
  return { nodes, counts, singleRuns, batch, heapSnapshots, cpuProfiles };
}

const serviceName = (index: number) => `s-${String(index).padStart(6, '0')}`;

const results: string[] = [];
function result(line: string): void {
  results.push(line);
  print(`=> ${line}`);
}

const mb = (value: number) => `${value.toFixed(0)} MB`;

/** Samples every speaker's VmRSS every 500 ms; `peak()` = the highest sample per node. */
function rssSampler(nodes: readonly LabNode[]) {
  const peaks = new Map<string, number>();
  const timer = setInterval(() => {
    for (const node of nodes) {
      try {
        const { rss } = memoryMb(speakerPid(node));
        peaks.set(node.name, Math.max(peaks.get(node.name) ?? 0, rss));
      } catch {
        // restarting
      }
    }
  }, 500);
  onCleanup(() => clearInterval(timer));
  return {
    peak: (node: LabNode) => peaks.get(node.name) ?? NaN,
    stop: () => clearInterval(timer),
  };
}

/**
 * Scrapes every speaker's event-loop lag every 2 s (prom-client resets its histogram at each scrape,
 * so each sample covers the 2 s before it); `worst()` = the highest p99 and max per node since the
 * last `reset()`. The scrape itself costs the speaker a little (its /metrics lists every Service).
 */
function eventLoopSampler(nodes: readonly LabNode[]) {
  const worst = new Map<string, { p99: number; max: number }>();
  const timer = setInterval(() => {
    for (const node of nodes) {
      void speakerMetrics(node, [
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_eventloop_lag_max_seconds',
      ]).then((values) => {
        if (values === undefined) return;
        const seen = worst.get(node.name) ?? { p99: 0, max: 0 };
        worst.set(node.name, {
          p99: Math.max(seen.p99, (values['nodejs_eventloop_lag_p99_seconds'] ?? 0) * 1000),
          max: Math.max(seen.max, (values['nodejs_eventloop_lag_max_seconds'] ?? 0) * 1000),
        });
      });
    }
  }, 2_000);
  onCleanup(() => clearInterval(timer));
  return {
    reset: () => worst.clear(),
    line: () =>
      nodes
        .map((node) => {
          const seen = worst.get(node.name);
          return `${node.name} ${seen === undefined ? 'not scraped' : `worst 2 s window p99 ${Math.round(seen.p99)} ms, max ${Math.round(seen.max)} ms`}`;
        })
        .join('; '),
    stop: () => clearInterval(timer),
  };
}

async function memoryLine(nodes: readonly LabNode[], sampled?: (node: LabNode) => number): Promise<string> {
  const parts = await Promise.all(
    nodes.map(async (node) => {
      const pid = speakerPid(node);
      const { rss, peak } = memoryMb(pid);
      const heap = await speakerHeapMb(node);
      const split = rssBreakdownMb(pid);
      return (
        `${node.name} RSS ${mb(rss)} (kernel VmHWM ${mb(peak)}` +
        `${sampled === undefined ? '' : `, highest sample ${mb(sampled(node))}`}` +
        `${heap === undefined ? '' : `; V8 heap used ${mb(heap.heapUsed)} of ${mb(heap.heapTotal)}, external ${mb(heap.external)}`}; ` +
        `RSS in files (code) ${mb(split.file)}, malloc [heap] ${mb(split.mallocHeap)}, anonymous mappings (V8 heap, other arenas) ${mb(split.anonymous)})`
      );
    }),
  );
  return parts.join('; ');
}

/** How long the speakers rest before the steady memory is read. */
const AT_REST_MS = 30_000;

/** Every speaker's heap snapshot into `directory`, printed with how long it took. */
async function takeHeapSnapshots(nodes: readonly LabNode[], directory: string, label: string): Promise<void> {
  const started = performance.now();
  const done = await heapSnapshots(nodes.map(speakerPid), directory, 10 * 60_000);
  print(
    `heap snapshots (${label}): ${done.ok ? done.value.join(', ') : `NOT written: ${done.last}`} ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

/** Every prefix of the pool at every ToR with one next hop per node; polled every ~0.2 s. */
async function waitConverged(
  lab: ClusterLab,
  count: number,
  since: number,
  timeoutMs: number,
): Promise<{ ms: number | undefined; seen: number[] }> {
  const tors = lab.fabric.tors.map((t) => t.namespace);
  let seen: number[] = [];
  while (performance.now() - since < timeoutMs) {
    seen = await Promise.all(
      tors.map(async (ns, t) => {
        const expected = lab.nodes.map((n) => (t === 0 ? n.handle.linkA.ipv4 : n.handle.linkB.ipv4));
        const table = await fibTable(ns, SCALE_ROOT);
        let complete = 0;
        for (const hops of table.values()) if (sameHops(hops, expected)) complete++;
        return complete;
      }),
    );
    if (seen.every((n) => n >= count)) return { ms: performance.now() - since, seen };
    await sleep(200);
  }
  return { ms: undefined, seen };
}

function appliesSince(node: LabNode, sinceWallMs: number): { count: number; last: string } {
  let count = 0;
  let last = '';
  for (const line of node.speakerLog.split('\n')) {
    if (!line.includes('FRR config applied')) continue;
    try {
      const entry = JSON.parse(line) as { timestamp?: string; durationMs?: number; result?: string };
      if (Date.parse(entry.timestamp ?? '') < sinceWallMs) continue;
      count++;
      last = `${entry.result ?? '?'} in ${Math.round(entry.durationMs ?? NaN)} ms`;
    } catch {
      // not JSON
    }
  }
  return { count, last };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  print(
    `lab at scale: ${options.nodes} node(s), ${options.counts.join(' then ')} Services from ${SCALE_ROOT}; ${load()}`,
  );
  const snapshots = options.heapSnapshots;
  if (snapshots !== undefined) {
    mkdirSync(snapshots, { recursive: true });
    process.env['FERRY_SPEAKER_NODE_OPTIONS'] = [
      process.env['FERRY_SPEAKER_NODE_OPTIONS'] ?? '',
      `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshots}`,
    ].join(' ');
  }
  if (options.cpuProfiles !== undefined) {
    mkdirSync(options.cpuProfiles, { recursive: true });
    process.env['FERRY_SPEAKER_NODE_ARGS'] = [
      process.env['FERRY_SPEAKER_NODE_ARGS'] ?? '',
      `--cpu-prof --cpu-prof-dir=${options.cpuProfiles}`,
    ].join(' ');
  }
  await withLab({ nodes: options.nodes }, async (lab) => {
    const api = new Api(lab.apiserver);
    const examples = join(packageRoot(), 'deploy', 'examples');
    await lab.apply(lab.nodeObjectsYaml());
    for (const file of ['bfd-profile.yaml', 'bgp-peers.yaml'])
      await lab.apply(readFileSync(join(examples, file), 'utf8'));
    await lab.apply(scalePoolYaml(', communities: ["65000:100"]'));
    api.createObject('', 'v1', 'namespaces', undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    });
    for (const node of lab.nodes) lab.startSpeaker(node);
    const firstNode = lab.nodes[0]?.name ?? 'node-21';
    const tors = lab.fabric.tors.map((t) => t.namespace);
    const everyNode = (hops: readonly string[], t: number) =>
      sameHops(
        hops,
        lab.nodes.map((n) => (t === 0 ? n.handle.linkA.ipv4 : n.handle.linkB.ipv4)),
      );
    const addService = (index: number) => {
      const name = serviceName(index);
      api.putEndpoints(name, [firstNode], NAMESPACE);
      api.createService({ name, namespace: NAMESPACE, trafficPolicy: 'Cluster' });
      api.setIngress(name, scaleIp(index), NAMESPACE);
    };

    // warm-up: one Service brings the sessions up and creates the attribute class
    addService(1);
    const up = await timeUntilAllFibs(tors, `${scaleIp(1)}/32`, everyNode, performance.now(), 120_000);
    if (up.slowest === undefined) throw new Error('warm-up: the first Service never reached both ToRs');
    await sleep(6_000);
    print(
      `warm-up: 1 Service at both ToRs after ${Math.round(up.slowest)} ms; ${await memoryLine(lab.nodes)}`,
    );
    if (snapshots !== undefined) await takeHeapSnapshots(lab.nodes, snapshots, 'one Service');
    const sampler = rssSampler(lab.nodes);
    const eventLoop = eventLoopSampler(lab.nodes);

    let created = 1;
    let extra = 0; // the single-run Services on top
    for (const count of options.counts) {
      const before = created;
      print(`\n## ${count.toLocaleString('en')} Services (${(count - created).toLocaleString('en')} new)`);
      print(load());
      const wallStart = Date.now();
      eventLoop.reset();
      const pids = lab.nodes.map(speakerPid);
      const cpuBefore = pids.map(cpuSeconds);
      const writeStart = performance.now();
      while (created < count) {
        const end = Math.min(count, created + options.batch);
        for (let index = created + 1; index <= end; index++) addService(index);
        created = end;
        // let the API server stream this batch to the watchers
        await nextTurn();
      }
      const lastWrite = performance.now();
      const writeMs = lastWrite - writeStart;
      const converged = await waitConverged(lab, count + extra, lastWrite, 20 * 60_000);
      const applies = lab.nodes.map(
        (node) => `${node.name}: ${JSON.stringify(appliesSince(node, wallStart))}`,
      );
      // the speakers keep working after the routes are out: one ServiceBGPStatus per Service × node
      const wanted = (count + extra) * lab.nodes.length;
      // how the status writes progress after the last write (one line every ~2 s)
      const progress: string[] = [];
      let progressAt = 0;
      const statusWait = await waitUntil(
        async () => {
          // written: the object exists and its status names a peer (no copies: 10,000 objects a second)
          const n = lab.apiserver.cluster.store.count('metallb.io/servicebgpstatuses', (object) => {
            const status = object['status'] as { peers?: unknown[] } | undefined;
            return (status?.peers?.length ?? 0) > 0;
          });
          const now = performance.now();
          if (now - progressAt >= 2_000) {
            progressAt = now;
            progress.push(`+${((now - lastWrite) / 1000).toFixed(0)} s ${n}`);
          }
          return n >= wanted ? { done: true, value: n } : { done: false, why: `${n}/${wanted}` };
        },
        { timeoutMs: 10 * 60_000, intervalMs: 1_000 },
      );
      const statusMs = performance.now() - lastWrite;
      print(`ServiceBGPStatus objects with peers after the last write: ${progress.join(', ')}`);
      const eventLoopLine = eventLoop.line();
      const cpu = pids.map((pid, i) => (cpuSeconds(pid) - (cpuBefore[i] ?? 0)).toFixed(1));
      const steady = await cpuCores([...pids, ...lab.nodes.map((node) => frrDaemonPid(node, 'bgpd'))]);
      const memory = await memoryLine(lab.nodes, sampler.peak);
      result(
        `${count.toLocaleString('en')} Services, ${options.nodes} node(s): ` +
          `${(3 * (count - before)).toLocaleString('en')} writes (Service + status + EndpointSlice each) in ${Math.round(writeMs)} ms; ` +
          `last write → all ${count.toLocaleString('en')} /32s at both ToRs with ${options.nodes} next hop(s) ` +
          `${converged.ms === undefined ? `NOT within 20 min (${converged.seen.join('/')} complete)` : `${(converged.ms / 1000).toFixed(2)} s`} ` +
          `(first write → converged ${converged.ms === undefined ? '-' : `${((converged.ms + writeMs) / 1000).toFixed(2)} s`}); ${memory}`,
      );
      const cores = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(', ');
      result(
        `${count.toLocaleString('en')} Services: every ServiceBGPStatus written (${wanted.toLocaleString('en')}) ` +
          `${statusWait.ok ? `${(statusMs / 1000).toFixed(1)} s` : `NOT within 10 min (${statusWait.last})`} after the last write; ` +
          `CPU seconds per speaker for the step: ${cpu.join(', ')}; then, at rest over 10 s, CPU in cores: ` +
          `speaker ${cores(steady.slice(0, pids.length))}, node bgpd ${cores(steady.slice(pids.length))}`,
      );
      result(
        `${count.toLocaleString('en')} Services: speaker event-loop delay from the first write until every status was written: ${eventLoopLine}`,
      );
      print(`FRR applies during the burst: ${applies.join('; ')}`);
      print(load());
      if (snapshots !== undefined)
        await takeHeapSnapshots(lab.nodes, snapshots, `${count.toLocaleString('en')} Services`);

      if (options.singleRuns > 0) {
        const singles: (number | undefined)[] = [];
        const applyMs: (number | undefined)[] = [];
        for (let run = 0; run < options.singleRuns; run++) {
          const index = options.counts.at(-1)! + 1_000 + count + run;
          const name = serviceName(index);
          api.putEndpoints(name, [firstNode], NAMESPACE);
          await sleep(300);
          const singleWall = Date.now();
          const start = performance.now();
          api.createService({ name, namespace: NAMESPACE, trafficPolicy: 'Cluster' });
          api.setIngress(name, scaleIp(index), NAMESPACE);
          const seen = await timeUntilAllFibs(tors, `${scaleIp(index)}/32`, everyNode, start, 60_000);
          singles.push(seen.slowest);
          extra++;
          // the log line may trail the route (the speaker's stdout is busy at scale)
          await waitUntil(
            async () =>
              lab.nodes.every((node) => firstApplySince(node, singleWall) !== undefined)
                ? { done: true, value: true }
                : { done: false, why: 'apply not logged yet' },
            { timeoutMs: 10_000, intervalMs: 50 },
          );
          const marks = lab.nodes.map((node) => firstApplySince(node, singleWall));
          applyMs.push(Math.max(...marks.map((m) => m?.durationMs ?? NaN)));
          if (run === 0) print(`(${lab.nodes[0]?.name}'s apply: ${marks[0]?.result ?? 'not logged'})`);
          await sleep(500);
        }
        result(
          `one more Service at ${count.toLocaleString('en')}: write → /32 at both ToRs from ${options.nodes} node(s) ` +
            `(${options.singleRuns} runs): ${summary(singles)}; the speakers' apply (slowest node): ${summary(applyMs)}`,
        );
        print(load());
      }
      // steady: the burst, its statuses and the single runs done a while ago (V8 gives memory back
      // when allocation has been quiet for some seconds, not at once)
      await sleep(AT_REST_MS);
      result(
        `${count.toLocaleString('en')} Services, at rest ${AT_REST_MS / 1000} s after the last change: ${await memoryLine(lab.nodes)}`,
      );
    }
    sampler.stop();
    eventLoop.stop();
    // a speaker writes its --cpu-prof profile only when it exits by itself
    if (options.cpuProfiles !== undefined) for (const node of lab.nodes) await lab.stopSpeaker(node);
  });
  print('\n# summary');
  for (const line of results) print(line);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/lab-scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
