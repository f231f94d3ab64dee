import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { getObject } from './client.js';
import { createKubeClient } from './http-client.js';
import {
  inClusterAccess,
  kubeconfigAccess,
  kubeconfigAccessFromText,
  type ClusterAccess,
} from './kube-config.js';
import { resourceTypes } from './resources.js';
import { useTestApi } from '../../test/support/test-apiserver.js';

const { api } = useTestApi();

function directory(): string {
  return mkdtempSync(join(tmpdir(), 'ferry-kubeconfig-'));
}

interface Entries {
  clusters?: Record<string, Record<string, unknown>>;
  users?: Record<string, Record<string, unknown>>;
  contexts?: Record<string, Record<string, unknown>>;
  current?: string;
}

function kubeconfig(entries: Entries): string {
  const list = (kind: string, named: Record<string, Record<string, unknown>> = {}) =>
    Object.entries(named).map(([name, fields]) => ({ name, [kind]: fields }));
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: list('cluster', entries.clusters),
    users: list('user', entries.users),
    contexts: list('context', entries.contexts),
    ...(entries.current === undefined ? {} : { 'current-context': entries.current }),
  });
}

function accessOf(result: { ok: true; value: ClusterAccess } | { ok: false; error: string }): ClusterAccess {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const oneContext = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}): Entries => ({
  clusters: { c: { server: 'https://api.example:6443/', ...cluster } },
  users: { u: user },
  contexts: { x: { cluster: 'c', user: 'u', namespace: 'team' } },
  current: 'x',
});

test('a bearer token, the context namespace, and the server without its trailing slash', async () => {
  const access = accessOf(kubeconfigAccessFromText(kubeconfig(oneContext({ token: 'abc' }))));
  expect(access.server).toBe('https://api.example:6443');
  expect(access.namespace).toBe('team');
  expect((await access.requestOptions()).headers).toEqual({ Authorization: 'Bearer abc' });
});

test('files named in a kubeconfig are read relative to the kubeconfig', async () => {
  const dir = directory();
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  writeFileSync(join(dir, 'client.pem'), 'CERT');
  writeFileSync(join(dir, 'client.key'), 'KEY');
  const path = join(dir, 'config');
  writeFileSync(
    path,
    kubeconfig(
      oneContext(
        { 'client-certificate': 'client.pem', 'client-key': 'client.key' },
        { 'certificate-authority': 'ca.pem', 'tls-server-name': 'kubernetes' },
      ),
    ),
  );
  const options = await accessOf(kubeconfigAccess([path])).requestOptions();
  expect(String(options.ca)).toBe('CA');
  expect(String(options.cert)).toBe('CERT');
  expect(String(options.key)).toBe('KEY');
  expect(options.servername).toBe('kubernetes');
  expect(options.headers).toEqual({});
});

test('inline base64 material, basic auth, insecure-skip-tls-verify', async () => {
  const options = await accessOf(
    kubeconfigAccessFromText(
      kubeconfig(
        oneContext(
          { username: 'admin', password: 'secret' },
          {
            'certificate-authority-data': Buffer.from('CA').toString('base64'),
            'insecure-skip-tls-verify': true,
          },
        ),
      ),
    ),
  ).requestOptions();
  expect(String(options.ca)).toBe('CA');
  expect(options.rejectUnauthorized).toBe(false);
  expect(options.headers).toEqual({
    Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
  });
});

test('a token file is read again once a minute (the kubelet rotates it)', async () => {
  const dir = directory();
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'first\n');
  let now = 0;
  const access = inClusterAccess(
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
    dir,
    () => now,
  );
  expect(access.server).toBe('https://[fd00::1]:443');
  writeFileSync(join(dir, 'ca.crt'), 'CA');
  expect((await access.requestOptions()).headers).toEqual({ Authorization: 'Bearer first' });
  writeFileSync(tokenFile, 'second\n');
  now = 59_000;
  expect((await access.requestOptions()).headers).toEqual({ Authorization: 'Bearer first' });
  now = 60_000;
  expect((await access.requestOptions()).headers).toEqual({ Authorization: 'Bearer second' });
});

test('a missing token file fails the request, not the start', async () => {
  const access = inClusterAccess(
    { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
    directory(),
  );
  expect(access.server).toBe('https://10.0.0.1:443');
  await expect(access.requestOptions()).rejects.toThrow(/ENOENT/);
});

test('KUBECONFIG files merge as kubectl does: the first to name an entry wins', async () => {
  const dir = directory();
  const first = join(dir, 'first');
  const second = join(dir, 'second');
  writeFileSync(first, kubeconfig({ users: { u: { token: 'from-first' } }, current: 'x' }));
  writeFileSync(second, kubeconfig({ ...oneContext({ token: 'from-second' }), current: 'other' }));
  const access = accessOf(kubeconfigAccess([first, second]));
  expect(access.server).toBe('https://api.example:6443');
  expect((await access.requestOptions()).headers).toEqual({ Authorization: 'Bearer from-first' });
});

test('another context by name; a missing context or cluster is an error naming it', () => {
  const text = kubeconfig({
    clusters: { c: { server: 'https://one:6443' }, d: { server: 'https://two:6443' } },
    users: { u: { token: 't' } },
    contexts: { x: { cluster: 'c', user: 'u' }, y: { cluster: 'd', user: 'u' }, z: { cluster: 'e' } },
    current: 'x',
  });
  expect(accessOf(kubeconfigAccessFromText(text, { context: 'y' })).server).toBe('https://two:6443');
  expect(kubeconfigAccessFromText(text, { context: 'nowhere' })).toEqual({
    ok: false,
    error: 'context "nowhere" does not exist',
  });
  expect(kubeconfigAccessFromText(text, { context: 'z' })).toEqual({
    ok: false,
    error: 'context "z": cluster "e" does not exist',
  });
  expect(kubeconfigAccessFromText(kubeconfig({}))).toEqual({
    ok: false,
    error: 'the kubeconfig has no current-context',
  });
});

test('an exec plugin logs in through client-node, loaded for it', async () => {
  const server = api().server;
  const plain = kubeconfigAccessFromText(server.kubeconfig);
  if (!plain.ok) throw new Error(plain.error);
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: server.token },
  });
  const text = server.kubeconfig.replace(
    /token: .*/,
    `exec: { apiVersion: client.authentication.k8s.io/v1, command: sh, args: ["-c", ${JSON.stringify(`echo '${credential}'`)}], interactiveMode: Never }`,
  );
  const access = accessOf(kubeconfigAccessFromText(text));
  const found = await getObject(createKubeClient(access), resourceTypes.namespaces, 'default');
  expect(found.ok && found.value.metadata.name).toBe('default');
});
