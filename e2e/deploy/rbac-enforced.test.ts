// deploy/rbac enforced: `kubectl apply -k deploy/` against the in-memory API server, the components
// run with their ServiceAccount's token (minted like TokenRequest), and RBAC decides every request.
// A rule taken out of deploy/rbac shows up as the 403 in the component's log and its readiness.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify as stringifyYaml } from 'yaml';
import type { ApiServer } from '../apiserver/server.js';
import { startApiServer } from '../apiserver/server.js';
import type { KubeManifest } from './manifests.js';
import { deployDirectory, kubectl, renderKustomization, repository } from './manifests.js';

const ns = 'metallb-system';
const controllerUser = `system:serviceaccount:${ns}:ferry-controller`;
let server: ApiServer;
let home: string;
let env: Record<string, string>;
let objects: KubeManifest[];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ferry-rbac-'));
  server = await startApiServer({ kubeconfigPath: join(home, 'kubeconfig') });
  env = { KUBECONFIG: join(home, 'kubeconfig'), HOME: home };
  objects = (await renderKustomization()).objects;
  const applied = await kubectl(['apply', '-k', deployDirectory], env);
  if (applied.exitCode !== 0) throw new Error(applied.stderr);
});

afterAll(async () => {
  await server?.close();
  rmSync(home, { recursive: true, force: true });
});

test('kubectl create token mints a token that works; kubectl auth can-i answers for it truthfully', async () => {
  const token = await kubectl(['create', 'token', 'ferry-speaker', '-n', ns], env);
  expect(token.exitCode).toBe(0);
  const as = ['--token', token.stdout.trim()];
  const canI = async (...args: string[]): Promise<string> =>
    (await kubectl([...as, 'auth', 'can-i', ...args], env)).stdout.trim();
  expect(await canI('list', 'services')).toBe('yes');
  expect(await canI('patch', 'services')).toBe('no');
  expect(await canI('list', 'secrets', '-n', ns)).toBe('yes');
  expect(await canI('list', 'secrets', '-n', 'default')).toBe('no');
  expect(await canI('patch', 'bgpsessionstates.frrk8s.metallb.io', '--subresource=status', '-n', ns)).toBe(
    'yes',
  );
  expect(await canI('update', 'bgpsessionstates.frrk8s.metallb.io', '--subresource=status', '-n', ns)).toBe(
    'no',
  );
  expect((await kubectl(['auth', 'can-i', 'delete', 'nodes'], env)).stdout.trim()).toBe('yes'); // admin

  const denied = await kubectl([...as, 'get', 'secrets', '-n', 'default'], env);
  expect(denied.stderr).toContain(
    'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:metallb-system:ferry-speaker" cannot list resource "secrets" in API group "" in the namespace "default"',
  );
  expect((await kubectl([...as, 'get', 'bgppeers', '-n', ns], env)).exitCode).toBe(0);
});

test("a ServiceAccount's token stops working when the ServiceAccount is deleted", async () => {
  expect((await kubectl(['create', 'serviceaccount', 'short-lived', '-n', 'default'], env)).exitCode).toBe(0);
  const token = (await kubectl(['create', 'token', 'short-lived', '-n', 'default'], env)).stdout.trim();
  expect((await kubectl(['--token', token, 'auth', 'can-i', 'get', 'pods'], env)).stdout.trim()).toBe('no');
  await kubectl(['delete', 'serviceaccount', 'short-lived', '-n', 'default'], env);
  const after = await kubectl(['--token', token, 'get', 'pods'], env);
  expect(after.stderr).toContain('Unauthorized');
});

describe('the controller under its own RBAC', () => {
  let controller: ResultPromise | undefined;
  let log = '';
  afterEach(async () => {
    controller?.kill('SIGKILL');
    await controller;
    controller = undefined;
  });

  async function readyz(): Promise<number | undefined> {
    const address = /"metrics":"([^"]+)"/.exec(log)?.[1];
    if (address === undefined) return undefined;
    return fetch(`http://${address}/readyz`).then(
      (response) => response.status,
      () => undefined,
    );
  }

  test('without the namespaces rule it logs the 403 and is not ready; with deploy/rbac restored it becomes ready', async () => {
    const role = structuredClone(
      objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'ferry-controller'),
    ) as KubeManifest & { rules: { resources: string[] }[] };
    role.rules = role.rules.filter((rule) => !rule.resources.includes('namespaces'));
    expect((await kubectl(['apply', '-f', '-'], env, stringifyYaml(role))).exitCode).toBe(0);

    const minted = server.mintServiceAccountToken(ns, 'ferry-controller');
    if (minted === undefined) throw new Error('no ferry-controller ServiceAccount');
    const kubeconfig = join(home, 'controller-kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfigFor(minted.token));
    controller = execa(
      process.execPath,
      [
        join(repository, 'dist', 'src', 'cli', 'main.js'),
        'controller',
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        ns,
        '--metrics-listen',
        '127.0.0.1:0',
        '--leader-elect=true',
      ],
      { reject: false, all: true, buffer: false },
    );
    controller.all?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const message = `namespaces is forbidden: User \\"${controllerUser}\\" cannot list resource \\"namespaces\\" in API group \\"\\" at the cluster scope`;
    await waitFor(async () => log.includes(message), 20_000);
    expect(await readyz()).toBe(503);

    expect((await kubectl(['apply', '-k', deployDirectory], env)).exitCode).toBe(0);
    await waitFor(async () => (await readyz()) === 200, 30_000);
  }, 60_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
