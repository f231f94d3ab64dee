import type { Container } from './pod-spec.js';
import {
  containerArgv,
  containerEnv,
  expand,
  imageKind,
  mapPaths,
  podStatus,
  probePort,
} from './pod-spec.js';

const pod = {
  metadata: { name: 'ferry-speaker-abcde', namespace: 'metallb-system', uid: 'u-1' },
  spec: { nodeName: 'node-21', serviceAccountName: 'ferry-speaker' },
};

const speaker: Container = {
  name: 'ferry',
  image: 'ferry:0.1.0',
  args: [
    'speaker',
    '--node=$(NODE_NAME)',
    '--frr-socket-dir=/var/run/frr',
    '--frr-config-dir=/etc/frr',
    '--x=$$(NODE_NAME)',
  ],
  env: [
    { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
    { name: 'GREETING', value: 'on $(NODE_NAME) $(UNSET)' },
  ],
  ports: [{ name: 'monitoring', containerPort: 7473 }],
};

test('downward API env, $(VAR) expansion, then the image table paths and entrypoint', () => {
  const env = containerEnv(speaker, pod, '192.0.2.11');
  expect(env).toEqual({
    ok: true,
    env: {
      NODE_NAME: 'node-21',
      POD_NAME: 'ferry-speaker-abcde',
      POD_NAMESPACE: 'metallb-system',
      POD_UID: 'u-1',
      GREETING: 'on node-21 $(UNSET)',
    },
  });
  if (!env.ok) return;
  const paths = { '/etc/frr': '/etc/frr/x-node1', '/var/run/frr': '/var/run/frr/x-node1' };
  expect(containerArgv(speaker, ['node', 'main.js'], env.env, paths)).toEqual([
    'node',
    'main.js',
    'speaker',
    '--node=node-21',
    '--frr-socket-dir=/var/run/frr/x-node1',
    '--frr-config-dir=/etc/frr/x-node1',
    '--x=$(NODE_NAME)',
  ]);
});

test('an unsupported fieldRef is an error naming container, variable and field', () => {
  const bad: Container = {
    ...speaker,
    env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }],
  };
  expect(containerEnv(bad, pod, '')).toEqual({
    ok: false,
    error: "container ferry: env IP: fieldRef status.podIPs is not supported by the lab's kubelet",
  });
});

test.each([
  ['/etc/frr', '/E'],
  ['/etc/frr/frr.conf', '/E/frr.conf'],
  ['--dir=/etc/frr', '--dir=/E'],
  ['/etc/frrx', '/etc/frrx'],
  ['/opt/etc/frr', '/opt/etc/frr'],
])('mapPaths(%s) = %s', (argument, mapped) => {
  expect(mapPaths(argument, { '/etc/frr': '/E' })).toBe(mapped);
});

test('expand leaves unknown references and unescapes $$', () => {
  expect(expand('$(A)-$(B)-$$(A)', { A: 'a' })).toBe('a-$(B)-$(A)');
});

test.each([
  ['ferry:0.1.0', 'ferry'],
  ['registry.example/team/ferry:1.2', 'ferry'],
  ['quay.io/frrouting/frr:8.4.2', 'lab-frr'],
  ['busybox', 'unknown'],
])('image %s is %s in the image table', (image, kind) => {
  expect(imageKind(image)).toBe(kind);
});

test('probe ports by name or number', () => {
  expect(probePort(speaker, 'monitoring')).toBe(7473);
  expect(probePort(speaker, 8080)).toBe(8080);
  expect(probePort(speaker, 'nope')).toBeUndefined();
});

test('Pod status: Ready only when every container is ready', () => {
  const started = { image: 'i', started: true, restartCount: 0 };
  const status = podStatus(
    [
      { name: 'frr', ready: true, ...started },
      { name: 'ferry', ready: false, ...started, restartCount: 2 },
    ],
    '192.0.2.11',
    '192.0.2.11',
    '2026-01-01T00:00:00Z',
  );
  expect(status['conditions']).toContainEqual({ type: 'Ready', status: 'False' });
  expect(status['containerStatuses']).toEqual([
    expect.objectContaining({ name: 'frr', ready: true, restartCount: 0 }),
    expect.objectContaining({ name: 'ferry', ready: false, restartCount: 2 }),
  ]);
});
