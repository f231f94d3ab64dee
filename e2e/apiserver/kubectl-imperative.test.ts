// The imperative commands a lab user types first, with the system kubectl, unmodified. Several
// send protobuf bodies (create namespace/secret/service), the others JSON patches, deletes and
// watches.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ApiServer } from './server.js';
import { startApiServer } from './server.js';

let server: ApiServer;
let home: string;
const env = (): Record<string, string> => ({ KUBECONFIG: join(home, 'kubeconfig'), HOME: home });

async function kubectl(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const result = await execa('kubectl', args, {
    env: { ...env(), ...extraEnv },
    reject: false,
    timeout: 30_000,
  });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}

/** `kubectl get RESOURCE NAME -n shop -o jsonpath=TEMPLATE`'s output. */
async function read(resource: string, name: string, template: string): Promise<string> {
  return (await kubectl(['get', resource, name, '-n', 'shop', '-o', `jsonpath=${template}`])).stdout;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ferry-kubectl-imperative-'));
  server = await startApiServer({ kubeconfigPath: join(home, 'kubeconfig') });
});

afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('create namespace, create secret generic and create service loadbalancer (protobuf bodies)', async () => {
  expect(await kubectl(['create', 'namespace', 'shop'])).toMatchObject({
    stdout: 'namespace/shop created',
    exitCode: 0,
  });
  const secret = await kubectl([
    'create',
    'secret',
    'generic',
    'tor-password',
    '-n',
    'shop',
    '--from-literal=password=s3cret',
  ]);
  expect(secret).toMatchObject({ stdout: 'secret/tor-password created', exitCode: 0 });
  const service = await kubectl(['create', 'service', 'loadbalancer', 'web', '-n', 'shop', '--tcp=80:8080']);
  expect(service).toMatchObject({ stdout: 'service/web created', exitCode: 0 });

  expect(await read('secret', 'tor-password', '{.type} {.data.password}')).toBe(
    `Opaque ${Buffer.from('s3cret').toString('base64')}`,
  );
  expect(
    await read(
      'svc',
      'web',
      '{.spec.type} {.spec.ports[0].port}->{.spec.ports[0].targetPort} {.spec.selector.app}',
    ),
  ).toBe('LoadBalancer 80->8080 web');
});

test('label, annotate and edit (non-interactive EDITOR) change the Service', async () => {
  expect((await kubectl(['label', 'svc', 'web', '-n', 'shop', 'tier=front'])).stdout).toBe(
    'service/web labeled',
  );
  expect((await kubectl(['annotate', 'svc', 'web', '-n', 'shop', 'owner=team-a'])).stdout).toBe(
    'service/web annotated',
  );
  const editor = join(home, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/^\\(\\s*\\)port: 80$/\\1port: 81/" "$1"\n');
  chmodSync(editor, 0o755);
  const edited = await kubectl(['edit', 'svc', 'web', '-n', 'shop'], { EDITOR: editor, KUBE_EDITOR: editor });
  expect(edited).toMatchObject({ stdout: 'service/web edited', exitCode: 0 });
  expect(
    await read('svc', 'web', '{.metadata.labels.tier} {.metadata.annotations.owner} {.spec.ports[0].port}'),
  ).toBe('front team-a 81');
});

test('get -w on namespaces prints a namespace created while it watches', async () => {
  const watcher = execa('kubectl', ['get', 'namespaces', '-w'], { env: env(), reject: false });
  let output = '';
  watcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitFor(() => output.includes('shop'));
    expect((await kubectl(['create', 'namespace', 'late'])).exitCode).toBe(0);
    await waitFor(() => /^late\s+Active\s/m.test(output));
  } finally {
    watcher.kill('SIGTERM');
    await watcher;
  }
});

test('wait --for=condition returns once the condition turns True', async () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'probe', namespace: 'shop' },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
  const target = server.cluster.target('', 'v1', 'pods', 'shop');
  server.cluster.create(target, pod, { fieldManager: 'test' });
  const waiting = kubectl(['wait', '--for=condition=Ready', 'pod/probe', '-n', 'shop', '--timeout=20s']);
  await new Promise((resolve) => setTimeout(resolve, 500));
  server.cluster.patch(
    { ...server.cluster.target('', 'v1', 'pods', 'shop', 'probe'), subresource: 'status' },
    'merge',
    { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    { fieldManager: 'test' },
  );
  expect(await waiting).toMatchObject({ stdout: 'pod/probe condition met', exitCode: 0 });
  const timedOut = await kubectl([
    'wait',
    '--for=condition=Unheard',
    'pod/probe',
    '-n',
    'shop',
    '--timeout=1s',
  ]);
  expect(timedOut.exitCode).not.toBe(0);
  expect(timedOut.stderr).toContain('timed out waiting for the condition');
});

test('delete removes the object; get then says NotFound', async () => {
  expect((await kubectl(['delete', 'secret', 'tor-password', '-n', 'shop'])).stdout).toBe(
    'secret "tor-password" deleted',
  );
  const gone = await kubectl(['get', 'secret', 'tor-password', '-n', 'shop']);
  expect(gone.stderr).toContain('secrets "tor-password" not found');
  expect((await kubectl(['delete', 'namespace', 'shop'])).stdout).toBe('namespace "shop" deleted');
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
