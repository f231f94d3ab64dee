import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { getObject, listObjects, loadKubeConfig } from './client.js';
import { isNotFound } from './errors.js';
import { createKubeClient } from './http-client.js';
import { kubeconfigAccessFromText } from './kube-config.js';
import { inNamespace, resourcePath, resourceTypes } from './resources.js';
import { delay, useTestApi } from '../../test/support/test-apiserver.js';

const { api } = useTestApi();

function kubeconfigFile(server: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-k8s-'));
  const path = join(directory, 'config');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: c, cluster: { server: "${server}" } }]`,
      'users: [{ name: u, user: { token: t } }]',
      'contexts: [{ name: x, context: { cluster: c, user: u } }]',
      'current-context: x',
    ].join('\n'),
  );
  return path;
}

describe('loadKubeConfig', () => {
  test('--kubeconfig wins over KUBECONFIG and in-cluster', () => {
    const file = kubeconfigFile('https://explicit:6443');
    const env = {
      KUBECONFIG: kubeconfigFile('https://env:6443'),
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      KUBERNETES_SERVICE_PORT: '443',
    };
    const loaded = loadKubeConfig({ kubeconfigPath: file, env });
    expect(loaded.ok && loaded.value.origin).toBe('file');
    expect(loaded.ok && loaded.value.access.server).toBe('https://explicit:6443');
  });

  test('KUBECONFIG, then the pod service account', () => {
    const fromEnv = loadKubeConfig({ env: { KUBECONFIG: kubeconfigFile('https://env:6443') } });
    expect(fromEnv.ok && fromEnv.value.access.server).toBe('https://env:6443');
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' });
      delete process.env.KUBECONFIG;
      const inCluster = loadKubeConfig();
      expect(inCluster.ok && inCluster.value.origin).toBe('in-cluster');
      expect(inCluster.ok && inCluster.value.access.server).toBe('https://[fd00::1]:443');
    } finally {
      process.env = saved;
    }
  });

  test('no configuration and a missing file are errors, not a silent localhost', () => {
    expect(loadKubeConfig({ env: {} })).toEqual({
      ok: false,
      error: expect.stringMatching(/--kubeconfig/),
    });
    expect(loadKubeConfig({ kubeconfigPath: '/nonexistent/config', env: {} })).toEqual({
      ok: false,
      error: 'kubeconfig /nonexistent/config does not exist',
    });
  });
});

describe('resourcePath', () => {
  test.each([
    [resourceTypes.nodes, undefined, undefined, '/api/v1/nodes'],
    [
      inNamespace(resourceTypes.services, 'default'),
      'web',
      'status',
      '/api/v1/namespaces/default/services/web/status',
    ],
    [resourceTypes.bgpPeers, undefined, undefined, '/apis/metallb.io/v1beta2/bgppeers'],
    [
      inNamespace(resourceTypes.leases, 'ms'),
      'ctl',
      undefined,
      '/apis/coordination.k8s.io/v1/namespaces/ms/leases/ctl',
    ],
  ] as const)('%j %s %s → %s', (ref, name, subresource, expected) => {
    expect(resourcePath(ref, name, subresource)).toBe(expected);
  });
});

describe('the HTTP client', () => {
  test('answers are values: an object, a list, a 404', async () => {
    const client = api().client;
    const found = await getObject(client, resourceTypes.namespaces, 'default');
    expect(found.ok && found.value.metadata.name).toBe('default');
    const missing = await getObject(client, resourceTypes.namespaces, 'nope');
    expect(!missing.ok && isNotFound(missing.error)).toBe(true);
    expect(!missing.ok && missing.error.reason).toBe('NotFound');
    const listed = await listObjects(client, resourceTypes.namespaces, { limit: 2 });
    expect(listed.ok && listed.value.items).toHaveLength(2);
    expect(listed.ok && listed.value.continueToken).toBeTruthy();
  });

  test('a request that gets no answer times out; an unreachable server is a network error', async () => {
    // client-node's KubeConfig is still accepted (tools and tests build one)
    const config = new KubeConfig();
    config.loadFromString(api().server.kubeconfig);
    const client = createKubeClient(config, { requestTimeoutMs: 100 });
    api().server.faults.hangRequests({
      match: (r) => r.path === '/api/v1/namespaces/default',
      count: 1,
      ms: 300,
    });
    const hung = await getObject(client, resourceTypes.namespaces, 'default');
    expect(!hung.ok && hung.error.kind).toBe('timeout');
    await delay(300);

    const elsewhere = kubeconfigAccessFromText(
      api().server.kubeconfig.replace(/server: .*/, 'server: https://127.0.0.1:1'),
    );
    if (!elsewhere.ok) throw new Error(elsewhere.error);
    const refused = await getObject(createKubeClient(elsewhere.value), resourceTypes.namespaces, 'default');
    expect(!refused.ok && refused.error.kind).toBe('network');
  });

  test('a request can be aborted', async () => {
    api().server.faults.hangRequests({
      match: (r) => r.path === '/api/v1/namespaces/kube-system',
      count: 1,
      ms: 200,
    });
    const controller = new AbortController();
    const pending = getObject(api().client, resourceTypes.namespaces, 'kube-system', {
      signal: controller.signal,
    });
    controller.abort();
    const result = await pending;
    expect(!result.ok && result.error.kind).toBe('aborted');
    await delay(200);
  });
});
