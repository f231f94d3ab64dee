// Standalone mode at scale: `ferry speaker --manifests DIR` with N Services (one file each: Service
// with its ingress IP from 198.18.0.0/15, ETP Cluster, and its EndpointSlice) on one lab node with FRR
// 8.4 peered to two ToR FRRs. Printed:
//   - one more Service file dropped into DIR (written beside it, then renamed in) → its /32 in both
//     ToRs' kernel FIB, --runs times, for each speaker build given;
//   - the same change applied by frr-reload.py of the whole rendered config (rendered beforehand, not
//     timed): write → /32 at both ToRs; the ratio ferry / frr-reload.py per build.
//
// Run (root): npm run build && node dist/bench/standalone.js [--services 3000] [--runs 5]
//   [--ferry-root DIR ...] (other builds of ferry to compare, e.g. a copy of an older commit with its
//   own dist/; the build of this checkout is always measured). Prints numbers; not a test.
import { createWriteStream, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { reloadFileText, unmanagedLines } from '../src/frr/apply/reload-file.js';
import { Fabric } from '../src/lab/fabric.js';
import { utsNamespacePrefix, type FrrInstance } from '../src/lab/frr-instance.js';
import { torFrrConfigForNodes } from '../src/lab/tor-config.js';
import { packageRoot } from '../src/util/package-root.js';
import {
  load,
  onCleanup,
  print,
  scaleIp,
  scalePoolYaml,
  sleep,
  summary,
  timeUntilAllFibs,
} from './lab-support.js';

function parseArgs(argv: readonly string[]) {
  let services = 3_000;
  let runs = 5;
  const roots = [packageRoot()];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = argv[++i] ?? '';
    if (arg === '--services') services = Number(value);
    else if (arg === '--runs') runs = Number(value);
    else if (arg === '--ferry-root') roots.push(value);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (
    !Number.isInteger(services) ||
    services < 1 ||
    services > 100_000 ||
    !Number.isInteger(runs) ||
    runs < 1
  )
    throw new Error('--services 1..100000, --runs ≥ 1');
  return { services, runs, roots };
}

const BASE = [
  'apiVersion: metallb.io/v1beta2',
  'kind: BGPPeer',
  'metadata: {name: tor1, namespace: metallb-system}',
  'spec: {peerAddress: 192.0.2.1, peerASN: 65000, myASN: 65100}',
  '---',
  'apiVersion: metallb.io/v1beta2',
  'kind: BGPPeer',
  'metadata: {name: tor2, namespace: metallb-system}',
  'spec: {peerAddress: 198.51.100.1, peerASN: 65000, myASN: 65100}',
  '---',
  scalePoolYaml(),
  '---',
  'apiVersion: v1',
  'kind: Node',
  'metadata: {name: node-21, labels: {kubernetes.io/hostname: node-21}}',
].join('\n');

function serviceFile(index: number): string {
  const name = `s-${String(index).padStart(6, '0')}`;
  return [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}, namespace: scale}`,
    'spec: {type: LoadBalancer, externalTrafficPolicy: Cluster, ports: [{port: 80, protocol: TCP}]}',
    `status: {loadBalancer: {ingress: [{ip: ${scaleIp(index)}}]}}`,
    '---',
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    `metadata: {name: ${name}-x, namespace: scale, labels: {kubernetes.io/service-name: ${name}}}`,
    'addressType: IPv4',
    'endpoints: [{addresses: [10.244.21.5], nodeName: node-21, conditions: {ready: true}}]',
  ].join('\n');
}

/** Writes beside the directory, then renames in: the watcher sees one complete file. */
function dropIn(directory: string, scratch: string, index: number): void {
  const name = `s-${String(index).padStart(6, '0')}.yaml`;
  writeFileSync(join(scratch, name), serviceFile(index));
  renameSync(join(scratch, name), join(directory, name));
}

async function main(): Promise<void> {
  const { services, runs, roots } = parseArgs(process.argv.slice(2));
  print(`standalone at scale: ${services.toLocaleString('en')} Services, one file each; ${load()}`);
  const fabric = await Fabric.create({ nodes: 1 });
  const directories: string[] = [];
  let speaker: ResultPromise | undefined;
  const removeAll = async () => {
    speaker?.kill('SIGKILL');
    await speaker;
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
    await fabric.destroy();
  };
  onCleanup(() => void removeAll());
  const results: string[] = [];
  try {
    const node = fabric.node(1);
    await Promise.all(fabric.tors.map((tor) => fabric.startFrr(tor, torFrrConfigForNodes(tor, [node]))));
    const torNamespaces = fabric.tors.map((tor) => tor.namespace);
    const nodeFrr: FrrInstance = await fabric.startFrr(node, 'frr defaults datacenter\n');
    const prefix = utsNamespacePrefix(nodeFrr.name);
    const manifests = mkdtempSync(join(tmpdir(), 'ferry-bench-manifests-'));
    const scratch = mkdtempSync(join(tmpdir(), 'ferry-bench-scratch-'));
    directories.push(manifests, scratch);
    writeFileSync(join(manifests, 'base.yaml'), BASE);
    for (let index = 1; index <= services; index++)
      writeFileSync(join(manifests, `s-${String(index).padStart(6, '0')}.yaml`), serviceFile(index));
    let next = services + 1;
    const anyHop = (hops: readonly string[]) => hops.length > 0;
    const routeAfter = async (index: number, start: number) =>
      (await timeUntilAllFibs(torNamespaces, `${scaleIp(index)}/32`, anyHop, start, 60_000)).slowest;

    for (const root of roots) {
      const cli = join(root, 'dist', 'src', 'cli', 'main.js');
      const [file, ...rest] = [...prefix, process.execPath, cli];
      speaker = execa(
        file ?? '',
        [...rest, 'speaker', '--manifests', manifests, '--node', 'node-21', '--frr-pathspace', nodeFrr.name],
        { reject: false, all: true, buffer: false, env: { NODE_OPTIONS: '' } },
      );
      // kept for reading where the time went ("FRR config applied" carries the apply's duration)
      const logFile = join(tmpdir(), `ferry-bench-standalone-${roots.indexOf(root)}.log`);
      speaker.all?.pipe(createWriteStream(logFile));
      print(`${root}: speaker log in ${logFile}`);
      const started = performance.now();
      const first = await routeAfter(next - 1, started);
      print(
        `${root}: speaker up, the ${services.toLocaleString('en')}th /32 at both ToRs after ${first === undefined ? 'NOT within 60 s' : `${Math.round(first)} ms`}`,
      );
      await sleep(3_000);
      const samples: (number | undefined)[] = [];
      for (let run = 0; run < runs; run++) {
        const index = next++;
        const start = performance.now();
        dropIn(manifests, scratch, index);
        samples.push(await routeAfter(index, start));
        await sleep(1_000);
      }
      speaker.kill('SIGTERM');
      await speaker;
      speaker = undefined;
      results.push(
        `${root}: one Service file added at ${services.toLocaleString('en')} → /32 at both ToRs: ${summary(samples)}; ${load()}`,
      );
      print(results.at(-1) ?? '');

      // the same change by frr-reload.py of the whole config, rendered beforehand
      const reloadSamples: (number | undefined)[] = [];
      const configFile = join(scratch, 'frr.conf');
      for (let run = 0; run < runs; run++) {
        const index = next++;
        dropIn(manifests, scratch, index);
        const rendered = await execa(process.execPath, [
          cli,
          'render',
          '--manifests',
          manifests,
          '--node',
          'node-21',
        ]);
        const running = await nodeFrr.vtysh.runningConfig();
        const runningText = running.ok ? running.value : '';
        writeFileSync(
          configFile,
          reloadFileText(rendered.stdout, unmanagedLines(runningText, rendered.stdout)),
        );
        const start = performance.now();
        const reloaded = await nodeFrr.vtysh.frrReload(configFile, 'reload');
        if (!reloaded.ok) throw new Error(`frr-reload.py failed: ${reloaded.error.message}`);
        reloadSamples.push(await routeAfter(index, start));
        await sleep(1_000);
      }
      results.push(
        `${root}: frr-reload.py of the whole rendered config (${readFileSync(configFile, 'utf8').split('\n').length.toLocaleString('en')} lines) → /32 at both ToRs: ${summary(reloadSamples)}; ${load()}`,
      );
      print(results.at(-1) ?? '');
    }
  } finally {
    await removeAll();
  }
  print('\n# summary');
  for (const line of results) print(line);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/standalone: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
