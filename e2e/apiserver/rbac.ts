// Kubernetes RBAC authorization, pure: who is asking (user and groups), what they ask (verb on a
// resource or a non-resource path), and the Roles, ClusterRoles and their bindings in the cluster
// decide allowed or not, with the API server's Forbidden message.
//
// Semantics as in Kubernetes' RBAC authorizer: a ClusterRoleBinding grants its ClusterRole's rules
// everywhere; a RoleBinding grants its Role's or ClusterRole's rules in its own namespace only; a
// rule matches when its verbs, apiGroups, resources (`resource/subresource`, `*`, `*/subresource`)
// and, if any, resourceNames all match; `system:masters` is allowed everything. Nothing denies:
// a request is allowed when any rule allows it. Aggregated ClusterRoles are not evaluated.

export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface ResourceRequest {
  readonly kind: 'resource';
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  /** empty/undefined: cluster scope (or all namespaces) */
  readonly namespace?: string;
  readonly name?: string;
}

export interface NonResourceRequest {
  readonly kind: 'nonResource';
  readonly verb: string;
  readonly path: string;
}

export type AuthorizationRequest = ResourceRequest | NonResourceRequest;

export interface PolicyRule {
  readonly verbs?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface Subject {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface RoleObject {
  readonly metadata: { readonly name?: string; readonly namespace?: string };
  readonly rules?: readonly PolicyRule[];
}

export interface BindingObject {
  readonly metadata: { readonly name?: string; readonly namespace?: string };
  readonly roleRef?: { readonly kind?: string; readonly name?: string };
  readonly subjects?: readonly Subject[];
}

export interface RbacObjects {
  readonly roles: readonly RoleObject[];
  readonly clusterRoles: readonly RoleObject[];
  readonly roleBindings: readonly BindingObject[];
  readonly clusterRoleBindings: readonly BindingObject[];
}

export type Decision = { readonly allowed: true; readonly reason: string } | { readonly allowed: false };

export const serviceAccountPrefix = 'system:serviceaccount:';

/** The identity Kubernetes gives a ServiceAccount's tokens. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: `${serviceAccountPrefix}${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return subject.name !== undefined && user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount subject without a namespace means the binding's namespace.
      const namespace = subject.namespace ?? bindingNamespace ?? '';
      return user.name === `${serviceAccountPrefix}${namespace}:${subject.name ?? ''}`;
    }
    default:
      return false;
  }
}

const has = (list: readonly string[] | undefined, value: string): boolean =>
  (list ?? []).some((entry) => entry === '*' || entry === value);

/** Whether one rule allows the request, by Kubernetes' RBAC rule matching. */
export function ruleAllows(rule: PolicyRule, request: AuthorizationRequest): boolean {
  if (!has(rule.verbs, request.verb)) return false;
  if (request.kind === 'nonResource') {
    return (rule.nonResourceURLs ?? []).some(
      (url) =>
        url === '*' ||
        url === request.path ||
        (url.endsWith('*') && request.path.startsWith(url.slice(0, -1))),
    );
  }
  if (!has(rule.apiGroups, request.group)) return false;
  const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const resourceMatches = (rule.resources ?? []).some(
    (resource) =>
      resource === '*' ||
      resource === combined ||
      (request.subresource !== undefined && resource === `*/${request.subresource}`),
  );
  if (!resourceMatches) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== undefined && names.includes(request.name));
}

/**
 * Allowed when a rule of a role bound to the user (in the request's namespace, or cluster-wide)
 * allows it. `policy` may be a function: it is read only when the user is not in system:masters.
 */
export function authorize(
  user: UserInfo,
  request: AuthorizationRequest,
  policy: RbacObjects | (() => RbacObjects),
): Decision {
  if (user.groups.includes('system:masters')) return { allowed: true, reason: 'system:masters' };
  const objects = typeof policy === 'function' ? policy() : policy;
  const clusterRole = (name: string | undefined): RoleObject | undefined =>
    objects.clusterRoles.find((role) => role.metadata.name === name);
  for (const binding of objects.clusterRoleBindings) {
    if (binding.roleRef?.kind !== 'ClusterRole') continue;
    if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, undefined))) continue;
    const role = clusterRole(binding.roleRef.name);
    if (role?.rules?.some((rule) => ruleAllows(rule, request))) {
      return {
        allowed: true,
        reason: `RBAC: allowed by ClusterRoleBinding "${binding.metadata.name ?? ''}" of ClusterRole "${role.metadata.name ?? ''}" to ${user.name}`,
      };
    }
  }
  const namespace = request.kind === 'resource' ? request.namespace : undefined;
  if (!namespace) return { allowed: false };
  for (const binding of objects.roleBindings) {
    if (binding.metadata.namespace !== namespace) continue;
    if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) continue;
    const role =
      binding.roleRef?.kind === 'ClusterRole'
        ? clusterRole(binding.roleRef.name)
        : binding.roleRef?.kind === 'Role'
          ? objects.roles.find(
              (r) => r.metadata.name === binding.roleRef?.name && r.metadata.namespace === namespace,
            )
          : undefined;
    if (role?.rules?.some((rule) => ruleAllows(rule, request))) {
      return {
        allowed: true,
        reason: `RBAC: allowed by RoleBinding "${binding.metadata.name ?? ''}/${namespace}" of ${binding.roleRef?.kind ?? ''} "${role.metadata.name ?? ''}" to ${user.name}`,
      };
    }
  }
  return { allowed: false };
}

/** The API server's Forbidden message for a denied request (the Status message kubectl prints). */
export function forbiddenMessage(user: UserInfo, request: AuthorizationRequest): string {
  if (request.kind === 'nonResource') {
    return `forbidden: User "${user.name}" cannot ${request.verb} path "${request.path}"`;
  }
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const qualified = request.group ? `${request.resource}.${request.group}` : request.resource;
  const subject = request.name ? `${qualified} "${request.name}"` : qualified;
  const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.name}" cannot ${request.verb} resource "${resource}" in API group "${request.group}" ${scope}`;
}

/** The verb Kubernetes authorizes for an HTTP request on a resource path. */
export function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
