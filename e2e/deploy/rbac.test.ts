// RBAC against the API calls ferry makes. Each row below is one call: which component, which verb on
// which resource (group, resource[/subresource], namespace), and where in the code it comes from.
// Two checks: every call is allowed by the component's rules (nothing is forgotten), and every
// verb a rule grants is used by some call (least privilege). A change that adds an API call adds a
// row here, and the test says which rule is missing.
//
// The controller rows follow src/controller/controller.ts and the shells it uses (src/k8s:
// Informer = list + watch, StatusWriter = list/get/create/patch/delete + patch status,
// EventRecorder = create + patch, LeaseElector = get/create/update, service-status = patch
// and patch status). The speaker rows follow src/speaker/cluster-inputs.ts (informers),
// kube-status-sink.ts (StatusWriters) and kube-speaker.ts (EventRecorder); its pod's name and uid
// for ownerReferences come from the downward API (POD_NAME, POD_UID), not from the API.
import { join } from 'node:path';
import { resourceTypes } from '../../src/k8s/resources.js';
import { ruleAllows } from '../apiserver/rbac.js';
import type { KubeManifest } from './manifests.js';
import { deployDirectory, readManifestFile } from './manifests.js';

type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

interface ApiCall {
  readonly verb: Verb;
  readonly group: string;
  /** `services` or `services/status` */
  readonly resource: string;
  /** undefined: all namespaces (or a cluster-scoped resource) */
  readonly namespace?: string;
  /** for calls on one named object, when RBAC could restrict by name */
  readonly name?: string;
  readonly why: string;
}

const ns = 'metallb-system';
const informer = (group: string, resource: string, namespace: string | undefined, why: string): ApiCall[] =>
  (['list', 'watch'] as const).map((verb) => ({
    verb,
    group,
    resource,
    ...(namespace ? { namespace } : {}),
    why,
  }));
const statusWriter = (group: string, resource: string, why: string): ApiCall[] => [
  ...(['list', 'get', 'create', 'patch', 'delete'] as const).map((verb) => ({
    verb,
    group,
    resource,
    namespace: ns,
    why,
  })),
  { verb: 'patch', group, resource: `${resource}/status`, namespace: ns, why },
];
const events: ApiCall[] = (['create', 'patch'] as const).map((verb) => ({
  verb,
  group: '',
  resource: 'events',
  why: 'EventRecorder (src/k8s/events.ts): Events on Services in their namespaces',
}));

const calls: Record<'controller' | 'speaker', ApiCall[]> = {
  controller: [
    ...informer('', 'services', undefined, 'Informer services (controller.ts)'),
    {
      verb: 'patch',
      group: '',
      resource: 'services',
      why: 'annotation ip-allocated-from-pool (service-status.ts)',
    },
    {
      verb: 'patch',
      group: '',
      resource: 'services/status',
      why: 'status.loadBalancer.ingress (service-status.ts)',
    },
    ...informer('', 'namespaces', undefined, 'Informer namespaces (namespaceSelectors)'),
    ...informer('metallb.io', 'ipaddresspools', ns, 'Informer ipaddresspools'),
    ...informer('metallb.io', 'communities', ns, 'Informer communities'),
    {
      verb: 'patch',
      group: 'metallb.io',
      resource: 'ipaddresspools/status',
      namespace: ns,
      why: 'pool counts',
    },
    ...statusWriter('metallb.io', 'configurationstates', 'ConfigurationState controller (StatusWriter)'),
    ...events,
    {
      verb: 'create',
      group: 'coordination.k8s.io',
      resource: 'leases',
      namespace: ns,
      why: 'lease.ts: first start',
    },
    ...(['get', 'update'] as const).map((verb) => ({
      verb,
      group: 'coordination.k8s.io',
      resource: 'leases',
      namespace: ns,
      name: 'ferry-controller',
      why: 'lease.ts: renew / take over',
    })),
  ],
  speaker: [
    ...informer('', 'services', undefined, 'Services with assigned IPs'),
    ...informer('discovery.k8s.io', 'endpointslices', undefined, 'local endpoints (ETP Local)'),
    ...informer('', 'nodes', undefined, 'every Node (layer 2 owner election)'),
    ...informer('', 'secrets', ns, 'BGPPeer passwordSecret'),
    ...informer('', 'pods', ns, "the speaker pods' readiness (layer 2 liveness)"),
    ...[
      'bgppeers',
      'bgpadvertisements',
      'l2advertisements',
      'bfdprofiles',
      'communities',
      'ipaddresspools',
    ].flatMap((r) => informer('metallb.io', r, ns, `Informer ${r}`)),
    ...statusWriter('metallb.io', 'servicel2statuses', 'ServiceL2Status per Service owned by this node'),
    ...statusWriter('metallb.io', 'servicebgpstatuses', 'ServiceBGPStatus per Service x node'),
    ...statusWriter('metallb.io', 'configurationstates', 'ConfigurationState speaker-<node>'),
    ...statusWriter('frrk8s.metallb.io', 'bgpsessionstates', 'BGPSessionState per peer x VRF'),
    ...events,
  ],
};

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

interface Grant {
  readonly rule: PolicyRule;
  /** undefined for a ClusterRole bound cluster-wide */
  readonly namespace?: string;
  readonly role: string;
}

function grantsOf(component: 'controller' | 'speaker'): Grant[] {
  const objects: KubeManifest[] = readManifestFile(join(deployDirectory, 'rbac', `${component}.yaml`));
  const account = objects.find((o) => o.kind === 'ServiceAccount');
  expect(account?.metadata).toEqual(expect.objectContaining({ name: `ferry-${component}`, namespace: ns }));
  const grants: Grant[] = [];
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const { roleRef, subjects } = binding as unknown as {
      roleRef: { kind: string; name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    };
    const bound = subjects.some(
      (s) => s.kind === 'ServiceAccount' && s.name === account?.metadata.name && s.namespace === ns,
    );
    if (!bound) continue;
    const role = objects.find((o) => o.kind === roleRef.kind && o.metadata.name === roleRef.name);
    if (!role)
      throw new Error(`${binding.kind} ${binding.metadata.name} refers to a missing ${roleRef.kind}`);
    const scope = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
    for (const rule of (role as unknown as { rules: PolicyRule[] }).rules) {
      grants.push({
        rule,
        role: `${role.kind} ${role.metadata.name}`,
        ...(scope ? { namespace: scope } : {}),
      });
    }
  }
  return grants;
}

/** Kubernetes' rule matching (the in-memory API server's evaluator), within the grant's namespace. */
function allows(grant: Grant, call: ApiCall): boolean {
  if (grant.namespace !== undefined && grant.namespace !== call.namespace) return false;
  const [resource = '', subresource] = call.resource.split('/');
  return ruleAllows(grant.rule, {
    kind: 'resource',
    verb: call.verb,
    group: call.group,
    resource,
    ...(subresource !== undefined ? { subresource } : {}),
    ...(call.namespace !== undefined ? { namespace: call.namespace } : {}),
    ...(call.name !== undefined ? { name: call.name } : {}),
  });
}

const label = (c: ApiCall): string =>
  `${c.verb} ${c.group || 'core'}/${c.resource}${c.namespace ? ` in ${c.namespace}` : ''}${c.name ? ` (${c.name})` : ''}`;

describe.each(['controller', 'speaker'] as const)('RBAC of the %s', (component) => {
  const grants = grantsOf(component);

  test.each(calls[component].map((call) => [label(call), call] as const))('allows %s', (_label, call) => {
    expect(grants.some((grant) => allows(grant, call))).toBe(true);
  });

  test('grants nothing that no call uses (least privilege)', () => {
    const unused: string[] = [];
    for (const grant of grants) {
      for (const group of grant.rule.apiGroups ?? []) {
        for (const resource of grant.rule.resources ?? []) {
          for (const verb of grant.rule.verbs) {
            const used = calls[component].some(
              (call) =>
                call.group === group &&
                call.resource === resource &&
                call.verb === verb &&
                (grant.namespace === undefined || call.namespace === grant.namespace),
            );
            if (!used) unused.push(`${grant.role}: ${verb} ${group || 'core'}/${resource}`);
          }
        }
      }
    }
    expect(unused).toEqual([]);
  });

  test("no wildcard, no escalation verbs, secrets only in ferry's namespace", () => {
    for (const { rule, namespace, role } of grants) {
      const text = `${role}: ${JSON.stringify(rule)}`;
      expect({
        text,
        wildcard: [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs].includes('*'),
      }).toEqual({ text, wildcard: false });
      expect({
        text,
        escalation: rule.verbs.some((v) => ['bind', 'escalate', 'impersonate'].includes(v)),
      }).toEqual({ text, escalation: false });
      if ((rule.resources ?? []).includes('secrets')) expect(namespace).toBe(ns);
    }
  });
});

test('every resource ferry knows (src/k8s/resources.ts) is reached by some call in this table', () => {
  const called = new Set(
    [...calls.controller, ...calls.speaker].map((c) => `${c.group}/${c.resource.split('/')[0] ?? ''}`),
  );
  // Known but never requested: the speaker's ownerReferences use POD_NAME/POD_UID from the pod spec.
  const notRequested = new Set(['/pods']);
  const known = Object.values(resourceTypes).map((t) => `${t.group}/${t.plural}`);
  expect(known.filter((k) => !called.has(k) && !notRequested.has(k))).toEqual([]);
});

test('each rule in deploy/rbac carries a comment saying what it is for', async () => {
  const { readFileSync } = await import('node:fs');
  for (const component of ['controller', 'speaker']) {
    const lines = readFileSync(join(deployDirectory, 'rbac', `${component}.yaml`), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (/^\s+- apiGroups:/.test(line)) {
        expect({
          line: `${component}.yaml:${index + 1}`,
          comment: /^\s+#/.test(lines[index - 1] ?? ''),
        }).toEqual({
          line: `${component}.yaml:${index + 1}`,
          comment: true,
        });
      }
    });
  }
});
