// `ferry controller` as its own process at 10,000 Services: the in-memory API server (in this process)
// holds an IPv4 pool and N Services without IPs; the controller allocates them all. Printed per ferry
// build: time until every Service has its ingress IP, the controller's RSS then and its peak (VmHWM and
// samples every 500 ms), and with --heap-snapshots DIR a V8 heap snapshot of it once done.
// Run: npm run build && node dist/bench/controller-memory.js [--services 10000] [--heap-snapshots DIR]
//   [--ferry-root DIR ...] (other builds to compare; this checkout's build is always measured).
// Prints numbers; not a test.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { createObject } from '../src/k8s/client.js';
import { inNamespace, resourceTypes } from '../src/k8s/resources.js';
import { waitUntil } from '../src/lab/wait-until.js';
import { packageRoot } from '../src/util/package-root.js';
import { pool, service } from '../test/support/manifests.js';
import { startTestApi } from '../test/support/test-apiserver.js';
import { heapSnapshots, load, memoryMb, print } from './lab-support.js';

function parseArgs(argv: readonly string[]) {
  let services = 10_000;
  let snapshots: string | undefined;
  const roots = [packageRoot()];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = argv[++i] ?? '';
    if (arg === '--services') services = Number(value);
    else if (arg === '--heap-snapshots') snapshots = resolve(value);
    else if (arg === '--ferry-root') roots.push(value);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(services) || services < 1 || services > 60_000)
    throw new Error('--services 1..60000');
  return { services, snapshots, roots };
}

async function measure(root: string, services: number, snapshots: string | undefined): Promise<string> {
  const api = await startTestApi();
  const scratch = mkdtempSync(join(tmpdir(), 'ferry-controller-memory-'));
  try {
    const { cluster } = api.server;
    for (const name of ['metallb-system', 'bench'])
      cluster.create(
        cluster.target('', 'v1', 'namespaces'),
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        { fieldManager: 'bench' },
      );
    const created = await createObject(
      api.client,
      inNamespace(resourceTypes.ipAddressPools, 'metallb-system'),
      pool('v4', { addresses: ['10.200.0.0/16'] }),
    );
    if (!created.ok) throw new Error(created.error.message);
    for (let index = 0; index < services; index++)
      cluster.create(
        cluster.target('', 'v1', 'services', 'bench'),
        service('bench', `svc-${String(index).padStart(5, '0')}`, {}),
        { fieldManager: 'bench' },
      );
    const kubeconfig = join(scratch, 'kubeconfig');
    writeFileSync(kubeconfig, api.server.kubeconfig);
    const flags =
      snapshots === undefined ? [] : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`];
    const controller = execa(
      process.execPath,
      [
        ...flags,
        join(root, 'dist', 'src', 'cli', 'main.js'),
        'controller',
        '--kubeconfig',
        kubeconfig,
        '--metrics-listen',
        '127.0.0.1:0',
        '--log-level',
        'warn',
      ],
      { reject: false, all: true, buffer: false, env: { NODE_OPTIONS: '' } },
    );
    controller.all?.pipe(createWriteStream(join(tmpdir(), 'ferry-controller-memory.log')));
    const pid = controller.pid ?? 0;
    let sampled = 0;
    const sampler = setInterval(() => {
      try {
        sampled = Math.max(sampled, memoryMb(pid).rss);
      } catch {
        // exited
      }
    }, 500);
    try {
      const started = performance.now();
      const allocated = await waitUntil(
        async () => {
          // counted inside the test, which returns false: no copies of 10,000 objects a second
          let done = 0;
          cluster.store.filter('/services', (s) => {
            const ingress = (s as { status?: { loadBalancer?: { ingress?: unknown[] } } }).status
              ?.loadBalancer?.ingress;
            if ((ingress?.length ?? 0) > 0) done++;
            return false;
          });
          return done >= services ? { done: true, value: done } : { done: false, why: `${done}/${services}` };
        },
        { timeoutMs: 15 * 60_000, intervalMs: 1_000 },
      );
      const allocatedMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const { rss, peak } = memoryMb(pid);
      let snapshot = '';
      if (snapshots !== undefined) {
        const written = await heapSnapshots([pid], snapshots, 5 * 60_000);
        snapshot = written.ok ? `; heap snapshot ${written.value.join(', ')}` : '; heap snapshot NOT written';
      }
      return (
        `${root}: ${services.toLocaleString('en')} Services ${allocated.ok ? `allocated after ${(allocatedMs / 1000).toFixed(1)} s` : `NOT allocated (${allocated.last})`}; ` +
        `controller RSS ${rss.toFixed(0)} MB (VmHWM ${peak.toFixed(0)} MB, highest sample ${sampled.toFixed(0)} MB)${snapshot}; ${load()}`
      );
    } finally {
      clearInterval(sampler);
      controller.kill('SIGTERM');
      await controller;
    }
  } finally {
    await api.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { services, snapshots, roots } = parseArgs(process.argv.slice(2));
  if (snapshots !== undefined) mkdirSync(snapshots, { recursive: true });
  print(`controller memory: ${services.toLocaleString('en')} Services; ${load()}`);
  const results: string[] = [];
  for (const root of roots) {
    results.push(await measure(root, services, snapshots));
    print(results.at(-1) ?? '');
  }
  print('\n# summary');
  for (const line of results) print(line);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/controller-memory: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
