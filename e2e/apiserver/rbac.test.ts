// The RBAC evaluator against Kubernetes' semantics, one row per rule of thumb.
import type { AuthorizationRequest, RbacObjects } from './rbac.js';
import { authorize, forbiddenMessage, serviceAccountUser, verbOf } from './rbac.js';

const controller = serviceAccountUser('metallb-system', 'ferry-controller');
const other = serviceAccountUser('default', 'someone');

const objects: RbacObjects = {
  clusterRoles: [
    {
      metadata: { name: 'services-reader' },
      rules: [
        { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['services/status'], verbs: ['patch'] },
      ],
    },
    {
      metadata: { name: 'secret-reader' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
    },
    {
      metadata: { name: 'all-status' },
      rules: [{ apiGroups: ['*'], resources: ['*/status'], verbs: ['*'] }],
    },
  ],
  roles: [
    {
      metadata: { name: 'lease', namespace: 'metallb-system' },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: ['ferry-controller'],
          verbs: ['get', 'update'],
        },
      ],
    },
  ],
  clusterRoleBindings: [
    {
      metadata: { name: 'c' },
      roleRef: { kind: 'ClusterRole', name: 'services-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'ferry-controller', namespace: 'metallb-system' }],
    },
    {
      metadata: { name: 'status-for-group' },
      roleRef: { kind: 'ClusterRole', name: 'all-status' },
      subjects: [{ kind: 'Group', name: 'system:serviceaccounts:default' }],
    },
  ],
  roleBindings: [
    {
      metadata: { name: 'lease', namespace: 'metallb-system' },
      roleRef: { kind: 'Role', name: 'lease' },
      subjects: [{ kind: 'ServiceAccount', name: 'ferry-controller' }],
    },
    {
      metadata: { name: 'secrets-here', namespace: 'metallb-system' },
      roleRef: { kind: 'ClusterRole', name: 'secret-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'ferry-controller', namespace: 'metallb-system' }],
    },
  ],
};

const resource = (
  verb: string,
  group: string,
  plural: string,
  extra: { subresource?: string; namespace?: string; name?: string } = {},
): AuthorizationRequest => ({ kind: 'resource', verb, group, resource: plural, ...extra });

test.each([
  [
    'list services in all namespaces through a ClusterRoleBinding',
    controller,
    resource('list', '', 'services'),
    true,
  ],
  [
    'watch services in one namespace (cluster-wide grant)',
    controller,
    resource('watch', '', 'services', { namespace: 'default' }),
    true,
  ],
  [
    'get a service: verb not granted',
    controller,
    resource('get', '', 'services', { namespace: 'default', name: 'web' }),
    false,
  ],
  [
    'patch services/status: the subresource rule',
    controller,
    resource('patch', '', 'services', { subresource: 'status', namespace: 'default', name: 'web' }),
    true,
  ],
  [
    'patch services itself: only the subresource is granted',
    controller,
    resource('patch', '', 'services', { namespace: 'default', name: 'web' }),
    false,
  ],
  ['the same resource in another API group', controller, resource('list', 'example.com', 'services'), false],
  [
    'create a lease in the Role binding namespace',
    controller,
    resource('create', 'coordination.k8s.io', 'leases', { namespace: 'metallb-system' }),
    true,
  ],
  [
    'create a lease in another namespace',
    controller,
    resource('create', 'coordination.k8s.io', 'leases', { namespace: 'default' }),
    false,
  ],
  [
    'update the lease named in resourceNames',
    controller,
    resource('update', 'coordination.k8s.io', 'leases', {
      namespace: 'metallb-system',
      name: 'ferry-controller',
    }),
    true,
  ],
  [
    'update another lease',
    controller,
    resource('update', 'coordination.k8s.io', 'leases', { namespace: 'metallb-system', name: 'other' }),
    false,
  ],
  [
    'list leases when only named ones may be read',
    controller,
    resource('get', 'coordination.k8s.io', 'leases', { namespace: 'metallb-system' }),
    false,
  ],
  [
    'a ClusterRole bound by a RoleBinding: in its namespace',
    controller,
    resource('get', '', 'secrets', { namespace: 'metallb-system', name: 'x' }),
    true,
  ],
  [
    'a ClusterRole bound by a RoleBinding: not elsewhere',
    controller,
    resource('get', '', 'secrets', { namespace: 'default', name: 'x' }),
    false,
  ],
  [
    'a ClusterRole bound by a RoleBinding: not cluster-wide',
    controller,
    resource('get', '', 'secrets'),
    false,
  ],
  ['another ServiceAccount gets nothing from those bindings', other, resource('list', '', 'services'), false],
  [
    'a Group subject and */status',
    other,
    resource('update', 'apps', 'deployments', { subresource: 'status', namespace: 'x', name: 'y' }),
    true,
  ],
  [
    '*/status does not grant the main resource',
    other,
    resource('update', 'apps', 'deployments', { namespace: 'x', name: 'y' }),
    false,
  ],
  [
    'system:masters may do anything',
    { name: 'admin', groups: ['system:masters'] },
    resource('delete', '', 'nodes', { name: 'n' }),
    true,
  ],
] as const)('%s', (_name, user, request, allowed) => {
  expect(authorize(user, request, objects).allowed).toBe(allowed);
});

test.each([
  [
    resource('list', '', 'namespaces'),
    'namespaces is forbidden: User "U" cannot list resource "namespaces" in API group "" at the cluster scope',
  ],
  [
    resource('patch', '', 'services', { subresource: 'status', namespace: 'default', name: 'web' }),
    'services "web" is forbidden: User "U" cannot patch resource "services/status" in API group "" in the namespace "default"',
  ],
  [
    resource('get', 'coordination.k8s.io', 'leases', { namespace: 'metallb-system', name: 'l' }),
    'leases.coordination.k8s.io "l" is forbidden: User "U" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "metallb-system"',
  ],
  [
    { kind: 'nonResource', verb: 'get', path: '/metrics' } as const,
    'forbidden: User "U" cannot get path "/metrics"',
  ],
])('Forbidden message: %o', (request, message) => {
  expect(forbiddenMessage({ name: 'U', groups: [] }, request)).toBe(message);
});

test.each([
  ['GET', true, false, 'get'],
  ['GET', false, false, 'list'],
  ['GET', false, true, 'watch'],
  ['POST', false, false, 'create'],
  ['PUT', true, false, 'update'],
  ['PATCH', true, false, 'patch'],
  ['DELETE', true, false, 'delete'],
  ['DELETE', false, false, 'deletecollection'],
] as const)('%s (name: %s, watch: %s) is verb %s', (method, hasName, watch, verb) => {
  expect(verbOf(method, hasName, watch)).toBe(verb);
});
