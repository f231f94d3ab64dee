// The ferry-viewer ClusterRole (deploy/rbac/viewer.yaml) against the requests `kubectl ferry`
// really makes: readCluster runs over a recording client, and every request must be allowed
// (nothing forgotten), every granted verb used (least privilege), and nothing but reads granted.
import { join } from 'node:path';
import { readCluster } from '../../src/cli/kubectl-ferry/read-cluster.js';
import type { KubeClient, KubeRequest } from '../../src/k8s/client.js';
import { failed, ok } from '../../src/k8s/errors.js';
import { deployDirectory, readManifestFile } from './manifests.js';

interface Request {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly name: string | undefined;
}

/** `/apis/metallb.io/v1beta1/namespaces/metallb-system/bgppeers` → list metallb.io/bgppeers */
function requestOf(request: KubeRequest): Request {
  const parts = request.path.split('/').filter((p) => p !== '');
  const [root, ...rest] = parts;
  const group = root === 'api' ? '' : (rest.shift() ?? '');
  rest.shift(); // version
  if (rest[0] === 'namespaces' && rest.length > 2) rest.splice(0, 2);
  const [resource = '', name] = rest;
  return { verb: name === undefined ? 'list' : 'get', group, resource, name };
}

async function requestsOfKubectlFerry(): Promise<Request[]> {
  const seen: Request[] = [];
  const client: KubeClient = {
    request: <T>(request: KubeRequest) => {
      expect(request.method).toBe('GET');
      const call = requestOf(request);
      seen.push(call);
      return Promise.resolve(
        call.verb === 'list'
          ? ok({ items: [], metadata: { resourceVersion: '1' } } as T)
          : failed<T>({ kind: 'http', status: 404, message: 'not found' }),
      );
    },
    watch: () => {
      throw new Error('kubectl ferry must not watch');
    },
  };
  await readCluster(client, 'metallb-system');
  return seen;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

const [role, ...others] = readManifestFile(join(deployDirectory, 'rbac', 'viewer.yaml'));
const rules = (role as unknown as { rules: Rule[] }).rules;

function allows(rule: Rule, request: Request): boolean {
  return (
    rule.apiGroups.includes(request.group) &&
    rule.resources.includes(request.resource) &&
    rule.verbs.includes(request.verb) &&
    (rule.resourceNames === undefined ||
      (request.name !== undefined && rule.resourceNames.includes(request.name)))
  );
}

test('one ClusterRole, only get and list, no Secrets', () => {
  expect(others).toEqual([]);
  expect(role?.kind).toBe('ClusterRole');
  expect(role?.metadata.name).toBe('ferry-viewer');
  for (const rule of rules) {
    expect(rule.verbs.filter((verb) => verb !== 'get' && verb !== 'list')).toEqual([]);
    expect(rule.resources).not.toContain('secrets');
  }
});

test('every request kubectl ferry makes is allowed, except Secrets (it warns and goes on)', async () => {
  const requests = await requestsOfKubectlFerry();
  const refused = requests
    .filter((request) => !rules.some((rule) => allows(rule, request)))
    .map((r) => `${r.verb} ${r.group || 'core'}/${r.resource}`);
  expect(refused).toEqual(['list core/secrets']);
});

test('every verb granted is used', async () => {
  const requests = await requestsOfKubectlFerry();
  const unused = rules.flatMap((rule) =>
    rule.apiGroups.flatMap((group) =>
      rule.resources.flatMap((resource) =>
        rule.verbs
          .filter(
            (verb) => !requests.some((r) => r.group === group && r.resource === resource && r.verb === verb),
          )
          .map((verb) => `${verb} ${group || 'core'}/${resource}`),
      ),
    ),
  );
  expect(unused).toEqual([]);
});
