// What the server knows about each resource: names for discovery, scope, subresources, schema,
// printer columns, selectable fields and strategic-merge keys. Built-ins are listed here; custom
// resources come from CRDs (crd.ts).
import type { OpenApiSchema } from './schema.js';
import type { MergeKeyLookup } from './patch.js';
import type { KubeObject } from './object.js';
import { builtinSchema } from './builtin-schemas.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
  /** A built-in printer's computed cell (`READY 1/2` of a Pod); jsonPath is then only documentation. */
  cell?: (object: KubeObject) => unknown;
}

export interface ResourceVersionInfo {
  name: string;
  schema?: OpenApiSchema;
  /** Columns after Name; undefined means the default (Age). */
  printerColumns?: PrinterColumn[];
  deprecationWarning?: string;
}

export interface ResourceDefinition {
  group: string;
  versions: ResourceVersionInfo[];
  storageVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  hasStatus: boolean;
  /** Field selector paths besides metadata.name and metadata.namespace. */
  selectableFields: string[];
  /** Built-in resources accept strategic merge patch; custom resources answer 415. */
  strategicMergeKeyFor?: MergeKeyLookup;
  /** Built-in defaulting applied on every write (custom resources use schema defaults). */
  defaultObject?: (object: KubeObject) => void;
  /** Set for resources served because of a CustomResourceDefinition. */
  crdName?: string;
  /** Verbs for discovery when not all of them (review resources: create only, nothing stored). */
  verbs?: string[];
  /** Subresources besides status, for discovery (`serviceaccounts/token`). */
  subresources?: { name: string; group: string; version: string; kind: string; verbs: string[] }[];
}

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function resourceId(group: string, plural: string): string {
  return `${group}/${plural}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Merge keys of the built-in lists tests touch (ports by port, containers by name, ...). */
const builtinMergeKeys: Record<string, string> = {
  'metadata.ownerReferences': 'uid',
  'spec.ports': 'port',
  'spec.containers': 'name',
  'spec.initContainers': 'name',
  'spec.containers.ports': 'containerPort',
  'spec.containers.env': 'name',
  'spec.containers.volumeMounts': 'mountPath',
  'spec.volumes': 'name',
  'status.conditions': 'type',
  'status.addresses': 'type',
  'spec.template.spec.containers': 'name',
};

export const builtinMergeKeyFor: MergeKeyLookup = (path) => builtinMergeKeys[path.join('.')];

/**
 * Cluster IPs as kube-apiserver hands them out (the controller ignores Services without them, as
 * MetalLB's does). These addresses are API data only: nothing here ever sends traffic to them.
 */
let nextClusterIp = 1;

function allocateClusterIps(families: readonly string[]): string[] {
  const n = nextClusterIp++;
  return families.map((family) =>
    family === 'IPv6' ? `fd00:10:96::${n.toString(16)}` : `10.96.${Math.floor(n / 256) % 256}.${n % 256}`,
  );
}

function defaultService(service: KubeObject): void {
  const spec = (service.spec ??= {}) as Record<string, unknown>;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  spec.ipFamilyPolicy ??= 'SingleStack';
  spec.ipFamilies ??= spec.ipFamilyPolicy === 'SingleStack' ? ['IPv4'] : ['IPv4', 'IPv6'];
  if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
    if (typeof spec.clusterIP !== 'string' || spec.clusterIP === '') {
      const ips = allocateClusterIps(spec.ipFamilies as string[]);
      spec.clusterIP = ips[0];
      spec.clusterIPs = ips;
    } else spec.clusterIPs ??= [spec.clusterIP];
  }
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports as Record<string, unknown>[]) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
  }
  service.status ??= { loadBalancer: {} };
  // Kubernetes >= 1.30 (LoadBalancerIPMode) fills in ipMode: VIP on every ingress entry with an ip,
  // so a client that compares what it wrote with what it reads back must expect it.
  const loadBalancer = (service.status as { loadBalancer?: { ingress?: unknown } }).loadBalancer;
  if (Array.isArray(loadBalancer?.ingress)) {
    for (const entry of loadBalancer.ingress as Record<string, unknown>[]) {
      if (typeof entry === 'object' && entry !== null && typeof entry.ip === 'string' && entry.ip !== '')
        entry.ipMode ??= 'VIP';
    }
  }
}

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  options: Partial<ResourceDefinition> & { columns?: PrinterColumn[]; validated?: boolean } = {},
): ResourceDefinition {
  const { columns, validated, ...rest } = options;
  const schema = validated ? builtinSchema(apiVersionOf(group, version), kind) : undefined;
  if (validated && !schema) throw new Error(`no schema for built-in ${apiVersionOf(group, version)} ${kind}`);
  return {
    group,
    versions: [
      { name: version, ...(columns ? { printerColumns: columns } : {}), ...(schema ? { schema } : {}) },
    ],
    storageVersion: version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    hasStatus: false,
    selectableFields: [],
    strategicMergeKeyFor: builtinMergeKeyFor,
    ...rest,
  };
}

/** An apps/v1 workload; `columns` are `Header:statusField` (integers), then Age. */
function workload(kind: string, plural: string, shortName: string, columns: string[]): ResourceDefinition {
  return builtin('apps', 'v1', kind, plural, {
    shortNames: [shortName],
    categories: ['all'],
    hasStatus: true,
    validated: true,
    columns: [
      ...columns.map((column) => {
        const [name = '', field = ''] = column.split(':');
        return { name, type: 'integer', jsonPath: `.status.${field}` };
      }),
      age,
    ],
  });
}

interface PodShape {
  spec?: { containers?: unknown[] };
  status?: { containerStatuses?: { ready?: boolean; restartCount?: number }[] };
}

/** `kubectl get pods`: NAME READY STATUS RESTARTS AGE (and NODE with -o wide), as kubectl prints them. */
const podColumns: PrinterColumn[] = [
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.containerStatuses[*].ready',
    cell: (pod) => {
      const { spec, status } = pod as PodShape;
      const ready = (status?.containerStatuses ?? []).filter((c) => c.ready === true).length;
      return `${ready}/${spec?.containers?.length ?? 0}`;
    },
  },
  { name: 'Status', type: 'string', jsonPath: '.status.phase' },
  {
    name: 'Restarts',
    type: 'integer',
    jsonPath: '.status.containerStatuses[*].restartCount',
    cell: (pod) =>
      ((pod as PodShape).status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'IP', type: 'string', jsonPath: '.status.podIP', priority: 1 },
  { name: 'Node', type: 'string', jsonPath: '.spec.nodeName', priority: 1 },
];

export const rbacGroup = 'rbac.authorization.k8s.io';

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function builtinResources(): ResourceDefinition[] {
  const eventFields = [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ];
  return [
    builtin('', 'v1', 'Namespace', 'namespaces', {
      namespaced: false,
      shortNames: ['ns'],
      hasStatus: true,
      selectableFields: ['status.phase'],
      columns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, age],
    }),
    builtin('', 'v1', 'Node', 'nodes', {
      namespaced: false,
      shortNames: ['no'],
      hasStatus: true,
      selectableFields: ['spec.unschedulable'],
      columns: [age, { name: 'Version', type: 'string', jsonPath: '.status.nodeInfo.kubeletVersion' }],
    }),
    builtin('', 'v1', 'Service', 'services', {
      shortNames: ['svc'],
      categories: ['all'],
      hasStatus: true,
      defaultObject: defaultService,
      columns: [
        { name: 'Type', type: 'string', jsonPath: '.spec.type' },
        { name: 'Cluster-IP', type: 'string', jsonPath: '.spec.clusterIP' },
        { name: 'External-IP', type: 'string', jsonPath: '.status.loadBalancer.ingress[*].ip' },
        age,
      ],
    }),
    builtin('', 'v1', 'Endpoints', 'endpoints', { shortNames: ['ep'] }),
    builtin('', 'v1', 'Secret', 'secrets', {
      selectableFields: ['type'],
      defaultObject: (secret) => {
        secret['type'] ??= 'Opaque';
      },
    }),
    builtin('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'], validated: true }),
    builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', {
      shortNames: ['sa'],
      validated: true,
      subresources: [
        {
          name: 'token',
          group: 'authentication.k8s.io',
          version: 'v1',
          kind: 'TokenRequest',
          verbs: ['create'],
        },
      ],
    }),
    builtin('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', {
      namespaced: false,
      verbs: ['create'],
    }),
    workload('Deployment', 'deployments', 'deploy', [
      'Ready:readyReplicas',
      'Up-to-date:updatedReplicas',
      'Available:availableReplicas',
    ]),
    workload('DaemonSet', 'daemonsets', 'ds', [
      'Desired:desiredNumberScheduled',
      'Current:currentNumberScheduled',
      'Ready:numberReady',
      'Up-to-date:updatedNumberScheduled',
      'Available:numberAvailable',
    ]),
    builtin(rbacGroup, 'v1', 'Role', 'roles', { validated: true }),
    builtin(rbacGroup, 'v1', 'ClusterRole', 'clusterroles', { namespaced: false, validated: true }),
    builtin(rbacGroup, 'v1', 'RoleBinding', 'rolebindings', { validated: true }),
    builtin(rbacGroup, 'v1', 'ClusterRoleBinding', 'clusterrolebindings', {
      namespaced: false,
      validated: true,
    }),
    builtin('', 'v1', 'Pod', 'pods', {
      shortNames: ['po'],
      categories: ['all'],
      hasStatus: true,
      selectableFields: ['spec.nodeName', 'spec.serviceAccountName', 'status.phase', 'status.podIP'],
      columns: podColumns,
    }),
    builtin('', 'v1', 'Event', 'events', { shortNames: ['ev'], selectableFields: eventFields }),
    builtin('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', {
      selectableFields: [],
      columns: [{ name: 'AddressType', type: 'string', jsonPath: '.addressType' }, age],
    }),
    builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', {
      columns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }, age],
    }),
    builtin('events.k8s.io', 'v1', 'Event', 'events', {
      shortNames: ['ev'],
      selectableFields: [
        'regarding.kind',
        'regarding.namespace',
        'regarding.name',
        'regarding.uid',
        'reason',
        'type',
      ],
    }),
    builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', {
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      hasStatus: true,
      columns: [{ name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp' }],
    }),
  ];
}
