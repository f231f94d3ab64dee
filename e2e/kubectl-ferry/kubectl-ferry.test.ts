// `kubectl ferry` run by the system kubectl (it finds `kubectl-ferry` on PATH) against the test API
// server holding the lab's objects and what the controller and speakers write about them. Each
// test changes the cluster the way a failure would and reads the answer a user gets.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { createObject, deleteObject, mergePatchObject, type KubeClient } from '../../src/k8s/client.js';
import { createKubeClient } from '../../src/k8s/http-client.js';
import type { KubeObject } from '../../src/k8s/kube-object.js';
import { inNamespace, resourceTypes, type ResourceType } from '../../src/k8s/resources.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';

const repository = packageRoot();
const NS = 'metallb-system';
const goldens = join(repository, 'e2e', 'kubectl-ferry', 'testdata');
let server: ApiServer;

jest.setTimeout(120_000);
let home: string;
let client: KubeClient;

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

async function kubectl(args: readonly string[], input?: string): Promise<Run> {
  const result = await execa('kubectl', args, {
    env: {
      KUBECONFIG: join(home, 'kubeconfig'),
      HOME: home,
      PATH: `${join(home, 'bin')}:${process.env['PATH'] ?? ''}`,
    },
    extendEnv: false,
    stripFinalNewline: false,
    reject: false,
    timeout: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}

const ferry = (...args: string[]) => kubectl(['ferry', ...args]);

/** Ages and holder names change from run to run; goldens hold them as placeholders. */
function normalized(text: string): string {
  return text
    .replace(/renewed (\d+[dhms])+ ago/g, 'renewed Ns ago')
    .replace(/ since (\d+[dhms])+/g, ' since Ns');
}

function expectGolden(name: string, text: string): void {
  const path = join(goldens, name);
  if (process.env['UPDATE_GOLDENS'] === '1') writeFileSync(path, normalized(text));
  expect(normalized(text)).toBe(readFileSync(path, 'utf8'));
}

async function create(
  type: ResourceType,
  object: KubeObject,
  status?: Record<string, unknown>,
): Promise<void> {
  const ref = type.namespaced ? inNamespace(type, object.metadata.namespace ?? 'default') : type;
  const created = await createObject(client, ref, object);
  if (!created.ok) throw new Error(`create ${type.kind} ${object.metadata.name}: ${created.error.message}`);
  if (status !== undefined)
    await patchStatus(type, object.metadata.name ?? '', status, object.metadata.namespace);
}

async function patchStatus(
  type: ResourceType,
  name: string,
  status: Record<string, unknown>,
  namespace = NS,
) {
  const ref = type.namespaced ? inNamespace(type, namespace) : type;
  const patched = await mergePatchObject(client, ref, name, { status }, 'status');
  if (!patched.ok) throw new Error(`status of ${type.kind} ${name}: ${patched.error.message}`);
}

function sessionStatus(node: string, peer: string, bgpStatus = 'Established', lastError = '') {
  const up = bgpStatus === 'Established';
  return {
    node,
    peer,
    vrf: '',
    bgpStatus,
    bfdStatus: up ? 'up' : 'down',
    uptime: up ? '4m2s' : '',
    prefixesSent: up ? 1 : 0,
    prefixesReceived: 0,
    lastError,
  };
}

const sessionName = (node: string, peer: string) => `${node}-${peer.replace(/\./g, '-')}`;

function service(
  name: string,
  annotations: Record<string, string> = {},
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      selector: { app: name },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
      ...spec,
    },
  };
}

const nodes = ['node-21', 'node-22', 'node-23'];
const peers = ['192.0.2.1', '198.51.100.1'];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ferry-kubectl-ferry-'));
  mkdirSync(join(home, 'bin'));
  const plugin = join(home, 'bin', 'kubectl-ferry');
  writeFileSync(
    plugin,
    `#!/bin/sh\nexec ${process.execPath} ${join(repository, 'dist', 'src', 'cli', 'kubectl-ferry.js')} "$@"\n`,
  );
  chmodSync(plugin, 0o755);
  server = await startApiServer({
    kubeconfigPath: join(home, 'kubeconfig'),
    crdDirectories: [join(repository, 'deploy', 'crds')],
  });
  const config = new KubeConfig();
  config.loadFromString(server.kubeconfig);
  client = createKubeClient(config);

  // the lab's configuration, applied as an operator does
  await create(resourceTypes.namespaces, { metadata: { name: NS } });
  await create(resourceTypes.namespaces, { metadata: { name: 'team-a', labels: { team: 'a' } } });
  const applied = await kubectl(['apply', '-f', join(repository, 'deploy', 'examples')]);
  expect(applied.stderr).toBe('');
  // prod-pool keeps its first half; the rest of 203.0.113.0/24 goes to pools for the pending causes
  const pools = [
    { name: 'prod-pool', spec: { addresses: ['203.0.113.0/25'], autoAssign: true } },
    { name: 'small-pool', spec: { addresses: ['203.0.113.200/32'], autoAssign: false } },
    {
      name: 'team-pool',
      spec: {
        addresses: ['203.0.113.128/26'],
        autoAssign: false,
        serviceAllocation: { namespaces: ['team-a'] },
      },
    },
  ].map((pool) => ({
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: pool.name, namespace: NS },
    spec: pool.spec,
  }));
  expect((await kubectl(['apply', '-f', '-'], pools.map((p) => stringify(p)).join('---\n'))).exitCode).toBe(
    0,
  );

  // what the controller wrote: web's address, small-pool's only address, its Lease and verdict
  await patchStatus(
    resourceTypes.services,
    'web',
    { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } },
    'default',
  );
  await create(resourceTypes.services, service('small-holder', { 'metallb.io/address-pool': 'small-pool' }), {
    loadBalancer: { ingress: [{ ip: '203.0.113.200' }] },
  });
  await create(
    resourceTypes.configurationStates,
    { metadata: { name: 'controller', namespace: NS } },
    { result: 'Valid', errorSummary: '' },
  );
  await create(resourceTypes.leases, {
    metadata: { name: 'ferry-controller', namespace: NS },
    spec: {
      holderIdentity: 'ferry-controller-7d9f',
      leaseDurationSeconds: 3600,
      renewTime: new Date().toISOString(),
    },
  });
  // web's endpoints on node-21 and node-22
  await create(resourceTypes.endpointSlices, {
    metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: ['node-21', 'node-22'].map((node, i) => ({
      addresses: [`10.244.${i + 1}.10`],
      nodeName: node,
      conditions: { ready: true, serving: true, terminating: false },
    })),
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  });
  // what the speakers wrote
  for (const node of nodes) {
    await create(
      resourceTypes.configurationStates,
      { metadata: { name: `speaker-${node}`, namespace: NS } },
      { result: 'Valid', errorSummary: '' },
    );
    for (const peer of peers)
      await create(
        resourceTypes.bgpSessionStates,
        { metadata: { name: sessionName(node, peer), namespace: NS } },
        sessionStatus(node, peer),
      );
  }
  for (const node of ['node-21', 'node-22'])
    await create(
      resourceTypes.serviceBGPStatuses,
      { metadata: { name: `bgp-${node}-web`, namespace: NS } },
      { node, serviceName: 'web', serviceNamespace: 'default', peers: ['tor1', 'tor2'] },
    );
}, 60_000);

afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('kubectl ferry explain svc/web: assigned, announced by node-21 and node-22, all agree (golden)', async () => {
  const run = await ferry('explain', 'svc/web');
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  expectGolden('explain-web.txt', run.stdout);
  const json = JSON.parse((await ferry('explain', 'svc/web', '-o', 'json')).stdout) as {
    healthy: boolean;
    assignment: { verdict: string; ips: string[] };
  };
  expect(json).toMatchObject({ healthy: true, assignment: { verdict: 'assigned', ips: ['203.0.113.5'] } });
  expect((await ferry('explain', 'svc/web', '-o', 'yaml')).stdout).toContain('verdict: assigned');
});

test.each<[string, KubeObject, string, string]>([
  [
    'unknown pool',
    service('want-gold', { 'metallb.io/address-pool': 'gold' }),
    'unknownPool',
    'asks for pool gold, which does not exist',
  ],
  [
    'IP outside every pool',
    service('want-outside', { 'metallb.io/loadBalancerIPs': '198.51.100.77' }),
    'ipOutsidePools',
    'the requested 198.51.100.77 is in no IPAddressPool',
  ],
  [
    'pool exhausted',
    service('want-small', { 'metallb.io/address-pool': 'small-pool' }),
    'poolExhausted',
    'pool small-pool is exhausted (small-pool 1/1 used)',
  ],
  [
    'namespace selector',
    service('want-team', { 'metallb.io/address-pool': 'team-pool' }),
    'selectorsNotMatching',
    'pool team-pool may not serve it: its serviceAllocation namespaces/namespaceSelectors do not select namespace default',
  ],
  [
    'sharing conflict',
    service('want-web-ip', { 'metallb.io/loadBalancerIPs': '203.0.113.5' }),
    'sharingConflict',
    'the requested 203.0.113.5 is held by default/web',
  ],
  [
    'another loadBalancerClass',
    service('other-class', {}, { loadBalancerClass: 'example.com/other' }),
    'otherLoadBalancerClass',
    'another load balancer handles it',
  ],
])('a pending Service: %s', async (_, object, cause, message) => {
  await create(resourceTypes.services, object);
  const run = await ferry('explain', `svc/${object.metadata.name ?? ''}`, '-n', 'default', '-o', 'json');
  expect(run.exitCode).toBe(2);
  const diagnosis = JSON.parse(run.stdout) as { assignment: { cause: string; message: string } };
  expect(diagnosis.assignment.cause).toBe(cause);
  expect(diagnosis.assignment.message).toContain(message);
});

test('--all-pending lists every pending Service with its cause (golden table)', async () => {
  const run = await ferry('explain', '--all-pending');
  expect(run.exitCode).toBe(2);
  expectGolden('explain-all-pending.txt', run.stdout);
});

test('a Service the allocator could serve: the controller not running, then rejecting the configuration', async () => {
  await create(resourceTypes.services, service('fresh'));
  const lease = inNamespace(resourceTypes.leases, NS);
  await mergePatchObject(client, lease, 'ferry-controller', {
    spec: { renewTime: new Date(Date.now() - 600_000).toISOString(), leaseDurationSeconds: 15 },
  });
  let run = await ferry('explain', 'svc/fresh');
  expect(run.stdout).toContain(
    "IP: <pending> (controllerNotRunning): would get 203.0.113.0 from IPAddressPool prod-pool, but ferry's controller is not running: Lease ferry-controller was last renewed 10m",
  );
  const renewed = await mergePatchObject(client, lease, 'ferry-controller', {
    spec: { renewTime: new Date().toISOString(), leaseDurationSeconds: 3600 },
  });
  expect(renewed.ok ? '' : renewed.error.message).toBe('');
  const invalid = 'IPAddressPool metallb-system/new-pool: spec.addresses[0]: invalid CIDR';
  await patchStatus(resourceTypes.configurationStates, 'controller', {
    result: 'Invalid',
    errorSummary: invalid,
  });
  run = await ferry('explain', 'svc/fresh');
  expect(run.stdout).toContain(
    `(invalidConfiguration): would get 203.0.113.0 from IPAddressPool prod-pool, but ferry's controller rejects the configuration`,
  );
  expect(run.stdout).toContain(invalid);
  await patchStatus(resourceTypes.configurationStates, 'controller', { result: 'Valid', errorSummary: '' });
  await deleteObject(client, inNamespace(resourceTypes.services, 'default'), 'fresh');
});

test('a session down and a speaker missing: each a line of its own; status shows it (golden)', async () => {
  await patchStatus(
    resourceTypes.bgpSessionStates,
    sessionName('node-22', '192.0.2.1'),
    sessionStatus('node-22', '192.0.2.1', 'Active', 'Hold Timer Expired'),
  );
  let run = await ferry('explain', 'svc/web');
  expect(run.exitCode).toBe(2);
  expect(normalized(run.stdout)).toContain(
    '  ! announced by node-22 to tor1 — but the session to tor1 is Active since Ns, BFD down, last error: Hold Timer Expired\n',
  );
  const status = await ferry('status');
  expect(status.exitCode).toBe(2);
  expectGolden('status-session-down.txt', status.stdout);

  // node-21's speaker is gone and its objects with it
  for (const peer of peers)
    await deleteObject(client, inNamespace(resourceTypes.bgpSessionStates, NS), sessionName('node-21', peer));
  await deleteObject(client, inNamespace(resourceTypes.configurationStates, NS), 'speaker-node-21');
  run = await ferry('explain', 'svc/web');
  expect(run.stdout).toContain(
    "  ! node-21: its speaker reports nothing (no ConfigurationState speaker-node-21, no BGPSessionState): is ferry's speaker running there?\n",
  );
});

test('render --node and explain --node give exactly what `ferry render`/`ferry explain` give for the same objects', async () => {
  const manifests = join(home, 'manifests');
  mkdirSync(manifests);
  const exported = await kubectl([
    'get',
    'ipaddresspools,bgppeers,bgpadvertisements,bfdprofiles',
    '-n',
    NS,
    '-o',
    'yaml',
  ]);
  writeFileSync(join(manifests, 'metallb.yaml'), exported.stdout);
  for (const [file, args] of [
    ['nodes.yaml', ['get', 'nodes']],
    ['services.yaml', ['get', 'services', '-A']],
    ['slices.yaml', ['get', 'endpointslices', '-A']],
  ] as const)
    writeFileSync(join(manifests, file), (await kubectl([...args, '-o', 'yaml'])).stdout);
  const offline = await execa(
    process.execPath,
    [
      join(repository, 'dist', 'src', 'cli', 'main.js'),
      'render',
      '--manifests',
      manifests,
      '--node',
      'node-22',
    ],
    { reject: false, stripFinalNewline: false },
  );
  const live = await ferry('render', '--node', 'node-22');
  expect(live.exitCode).toBe(0);
  expect(live.stdout).toContain('network 203.0.113.5/32');
  expect(live.stdout).toBe(offline.stdout);

  const explained = await ferry('explain', '--node', 'node-23', '--service', 'default/web');
  expect(explained.stdout).toBe(
    'default/web 203.0.113.5: not announced (noLocalEndpoints). externalTrafficPolicy is Local and no endpoint on node node-23 is ready or serving.\n',
  );
});

test('scripts get kubectl exit codes and errors; no colour without a terminal', async () => {
  const missing = await ferry('explain', 'svc/nope');
  expect(missing.exitCode).toBe(1);
  expect(missing.stderr).toBe('error: services "nope" not found in namespace default\n');
  const badContext = await ferry('status', '--context', 'nowhere');
  expect(badContext.exitCode).toBe(1);
  expect(badContext.stderr).toBe('error: context "nowhere" does not exist\n');
  const badOutput = await ferry('status', '-o', 'xml');
  expect(badOutput.exitCode).toBe(1);
  expect((await ferry('explain', 'svc/web')).stdout).not.toContain('\u001b[');
});

test('colour on a terminal (script(1) gives it one), none with NO_COLOR', async () => {
  const onTerminal = (env: Record<string, string>) =>
    execa('script', ['-qc', 'kubectl ferry status', '/dev/null'], {
      env: {
        KUBECONFIG: join(home, 'kubeconfig'),
        HOME: home,
        PATH: `${join(home, 'bin')}:${process.env['PATH'] ?? ''}`,
        ...env,
      },
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
  expect(String((await onTerminal({})).stdout)).toContain('\u001b[32mEstablished\u001b[0m');
  expect(String((await onTerminal({ NO_COLOR: '1' })).stdout)).not.toContain('\u001b[');
});

test('status --watch redraws when a session changes', async () => {
  const watching = execa('kubectl', ['ferry', 'status', '--watch', '--interval', '0.5'], {
    env: {
      KUBECONFIG: join(home, 'kubeconfig'),
      HOME: home,
      PATH: `${join(home, 'bin')}:${process.env['PATH'] ?? ''}`,
    },
    extendEnv: false,
    reject: false,
    buffer: false,
  });
  let output = '';
  watching.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const waitFor = async (text: string) => {
    for (let i = 0; i < 200 && !output.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
    return output.includes(text);
  };
  try {
    expect(await waitFor('node-23  192.0.2.1     default  Established')).toBe(true);
    await patchStatus(
      resourceTypes.bgpSessionStates,
      sessionName('node-23', '192.0.2.1'),
      sessionStatus('node-23', '192.0.2.1', 'Idle', 'Cease/BFD Down'),
    );
    const changedAt = Date.now();
    expect(await waitFor('node-23  192.0.2.1     default  Idle')).toBe(true);
    // one poll interval plus one read of the cluster (a node process start is not in it)
    expect(Date.now() - changedAt).toBeLessThan(15_000);
  } finally {
    watching.kill('SIGINT');
    await watching;
  }
});
