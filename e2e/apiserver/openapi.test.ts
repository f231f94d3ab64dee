// /openapi/v2 and /openapi/v3 as clients read them, and the 403 Status an RBAC denial is.
import type { ApiServer } from './server.js';
import { startApiServer } from './server.js';

let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer({ https: false, crdDirectories: ['deploy/crds'] });
});

afterAll(async () => {
  await server.close();
});

async function get(path: string, accept: string, token = server.token): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { Accept: accept, Authorization: `Bearer ${token}` } });
}

test('OpenAPI v3 carries component schemas tagged with their group-version-kind', async () => {
  const apps = (await (await get('/openapi/v3/apis/apps/v1', 'application/json')).json()) as {
    components: {
      schemas: Record<string, { 'x-kubernetes-group-version-kind': unknown; properties: object }>;
    };
  };
  const daemonSet = apps.components.schemas['io.k8s.api.apps.v1.DaemonSet'];
  expect(daemonSet?.['x-kubernetes-group-version-kind']).toEqual([
    { group: 'apps', version: 'v1', kind: 'DaemonSet' },
  ]);
  expect(Object.keys(daemonSet?.properties ?? {})).toEqual(
    expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec', 'status']),
  );
  const metallb = (await (await get('/openapi/v3/apis/metallb.io/v1beta1', 'application/json')).json()) as {
    components: { schemas: Record<string, unknown> };
  };
  expect(Object.keys(metallb.components.schemas)).toContain('io.metallb.v1beta1.IPAddressPool');
});

test('OpenAPI v2 is served in JSON; asked for protobuf only, it is 406', async () => {
  const json = await get('/openapi/v2', 'application/json');
  expect(json.status).toBe(200);
  const document = (await json.json()) as { swagger: string; definitions: Record<string, unknown> };
  expect(document.swagger).toBe('2.0');
  expect(Object.keys(document.definitions)).toContain('io.k8s.api.rbac.v1.ClusterRole');
  const protobuf = await get('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
  expect(protobuf.status).toBe(406);
});

test("a ServiceAccount without bindings gets the API server's 403 Status", async () => {
  server.cluster.create(
    server.cluster.target('', 'v1', 'serviceaccounts', 'default'),
    { metadata: { name: 'nobody' } },
    { fieldManager: 'test' },
  );
  const minted = server.mintServiceAccountToken('default', 'nobody');
  const response = await get(
    '/api/v1/namespaces/default/services/web',
    'application/json',
    minted?.token ?? '',
  );
  expect(response.status).toBe(403);
  expect(await response.json()).toEqual({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message:
      'services "web" is forbidden: User "system:serviceaccount:default:nobody" cannot get resource "services" in API group "" in the namespace "default"',
    reason: 'Forbidden',
    details: { name: 'web', kind: 'services' },
    code: 403,
  });
  expect((await get('/apis', 'application/json', minted?.token ?? '')).status).toBe(200);
  expect((await get('/api/v1/services', 'application/json', 'not-a-token')).status).toBe(401);
});
