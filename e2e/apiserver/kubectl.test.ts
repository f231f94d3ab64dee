// The system kubectl, unmodified, against the test API server: ferry's CRDs and example manifests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ApiServer } from './server.js';
import { startApiServer } from './server.js';

const repository = join(import.meta.dirname, '..', '..');
let server: ApiServer;
let home: string;

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const result = await execa('kubectl', args, {
    env: { KUBECONFIG: join(home, 'kubeconfig'), HOME: home },
    reject: false,
    timeout: 30_000,
  });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}

function manifest(name: string, text: string): string {
  const path = join(home, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ferry-kubectl-'));
  server = await startApiServer({ kubeconfigPath: join(home, 'kubeconfig') });
});

afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('kubectl applies the CRDs and then the example manifests', async () => {
  const crds = await kubectl('apply', '-f', join(repository, 'deploy', 'crds'));
  expect(crds.stderr).toBe('');
  expect(crds.stdout).toContain('customresourcedefinition.apiextensions.k8s.io/bgppeers.metallb.io created');
  const namespace = manifest(
    'ns.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: metallb-system\n',
  );
  expect((await kubectl('apply', '-f', namespace)).exitCode).toBe(0);
  const examples = await kubectl('apply', '-f', join(repository, 'deploy', 'examples'));
  expect(examples.stderr).toBe('');
  expect(examples.stdout).toContain('bgppeer.metallb.io/tor1 created');
  expect(examples.stdout).toContain('service/web created');
});

test('a v1beta1 BGPPeer is accepted with the deprecation warning and read back as v1beta2', async () => {
  const peer = manifest(
    'tor3.yaml',
    [
      'apiVersion: metallb.io/v1beta1',
      'kind: BGPPeer',
      'metadata: {name: tor3, namespace: metallb-system}',
      'spec: {myASN: 65100, peerASN: 65003, peerAddress: 192.0.2.3}',
    ].join('\n'),
  );
  const applied = await kubectl('apply', '-f', peer);
  expect(applied.stdout).toContain('bgppeer.metallb.io/tor3 created');
  expect(applied.stderr).toMatch(/Warning: .*deprecated/);
  const yaml = await kubectl('get', 'bgppeer', 'tor3', '-n', 'metallb-system', '-o', 'yaml');
  expect(yaml.stdout).toContain('apiVersion: metallb.io/v1beta2');
  expect(yaml.stdout).toContain('peerASN: 65003');
  expect(yaml.stdout).toMatch(/uid: [0-9a-f-]{36}/);
});

test('kubectl get shows the CRD printer columns', async () => {
  const { stdout } = await kubectl('get', 'bgppeers', '-n', 'metallb-system');
  const [header, ...rows] = stdout.trim().split('\n');
  expect(header?.split(/\s{2,}/)).toEqual(['NAME', 'ADDRESS', 'ASN', 'BFD PROFILE', 'MULTI HOPS']);
  expect(rows.find((r) => r.startsWith('tor1'))).toMatch(/^tor1\s+192\.0\.2\.1\s+65000\s+tor-bfd/);
});

test('label, patch --type merge and delete change what get reports', async () => {
  expect((await kubectl('label', 'bgppeer', 'tor1', '-n', 'metallb-system', 'rack=r1')).stdout).toContain(
    'labeled',
  );
  const labelled = await kubectl('get', 'bgppeers', '-n', 'metallb-system', '-l', 'rack=r1', '-o', 'name');
  expect(labelled.stdout.trim()).toBe('bgppeer.metallb.io/tor1');
  const patched = await kubectl(
    'patch',
    'bgppeer',
    'tor2',
    '-n',
    'metallb-system',
    '--type',
    'merge',
    '-p',
    '{"spec":{"peerASN":65002}}',
  );
  expect(patched.stdout).toContain('patched');
  const asn = await kubectl(
    'get',
    'bgppeer',
    'tor2',
    '-n',
    'metallb-system',
    '-o',
    'jsonpath={.spec.peerASN} {.metadata.generation}',
  );
  expect(asn.stdout).toBe('65002 2');
  expect((await kubectl('delete', 'bgppeer', 'tor3', '-n', 'metallb-system')).stdout).toContain(
    '"tor3" deleted',
  );
  const gone = await kubectl('get', 'bgppeer', 'tor3', '-n', 'metallb-system');
  expect(gone.stderr).toContain('bgppeers.metallb.io "tor3" not found');
});

test('kubectl get -w prints a change made while it watches', async () => {
  const watcher = execa('kubectl', ['get', 'bgppeers', '-n', 'metallb-system', '-w'], {
    env: { KUBECONFIG: join(home, 'kubeconfig'), HOME: home },
    reject: false,
  });
  let output = '';
  watcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitFor(() => output.includes('tor1'));
    await kubectl(
      'patch',
      'bgppeer',
      'tor1',
      '-n',
      'metallb-system',
      '--type',
      'merge',
      '-p',
      '{"spec":{"peerASN":64999}}',
    );
    await waitFor(() => /tor1\s+192\.0\.2\.1\s+64999/.test(output));
  } finally {
    watcher.kill('SIGTERM');
    await watcher;
  }
});

test('an invalid BGPPeer is rejected with a message naming the field', async () => {
  const bad = manifest(
    'bad.yaml',
    'apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: bad, namespace: metallb-system}\n' +
      'spec: {myASN: 65100, peerASN: "abc", peerAddress: 192.0.2.9}\n',
  );
  const result = await kubectl('apply', '-f', bad);
  expect(result.exitCode).not.toBe(0);
  expect(result.stderr).toContain('spec.peerASN');
  expect(result.stderr).toContain('must be of type integer');
});

test('kubectl apply --server-side creates and then updates a Service', async () => {
  const service = (port: number): string =>
    manifest(
      'ssa.yaml',
      `apiVersion: v1\nkind: Service\nmetadata: {name: ssa, namespace: default}\nspec:\n  type: LoadBalancer\n  ports: [{port: ${port}}]\n`,
    );
  expect((await kubectl('apply', '--server-side', '-f', service(80))).stdout).toContain('serverside-applied');
  expect((await kubectl('apply', '--server-side', '-f', service(8080))).stdout).toContain(
    'serverside-applied',
  );
  const ports = await kubectl('get', 'svc', 'ssa', '-o', 'jsonpath={.spec.ports[*].port}');
  expect(ports.stdout).toBe('8080');
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
