// The I/O of `kubectl ferry`: find the cluster the way kubectl does and list, once, every object the
// diagnosis joins. Only GET requests (list and one get): read access is all it needs.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LEASE_NAME } from '../../controller/elected-controller.js';
import type { Resources } from '../../api/resources.js';
import { CONSUMED_TYPES, type ClusterObjects } from '../../diagnose/snapshot.js';
import { getObject, listObjects, loadKubeConfig, type KubeClient } from '../../k8s/client.js';
import { describeKubeError, isNotFound } from '../../k8s/errors.js';
import { createKubeClient } from '../../k8s/http-client.js';
import type { KubeObject } from '../../k8s/kube-object.js';
import { inNamespace, resourceTypes, type ResourceRef, type ResourceType } from '../../k8s/resources.js';

export interface ConnectionFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
}

export interface Connection {
  readonly client: KubeClient;
  /** the context's namespace, else `default` (what kubectl uses without -n) */
  readonly contextNamespace: string;
}

/**
 * kubectl's order: --kubeconfig, KUBECONFIG, ~/.kube/config, then in-cluster; --context picks
 * another context of the file.
 */
export function connect(flags: ConnectionFlags): Connection | { readonly error: string } {
  const homeConfig = join(process.env['HOME'] ?? homedir(), '.kube', 'config');
  const path =
    flags.kubeconfig ??
    (process.env['KUBECONFIG'] === undefined || process.env['KUBECONFIG'] === ''
      ? existsSync(homeConfig)
        ? homeConfig
        : undefined
      : undefined);
  const loaded = loadKubeConfig({
    ...(path === undefined ? {} : { kubeconfigPath: path }),
    ...(flags.context === undefined ? {} : { context: flags.context }),
  });
  if (!loaded.ok) return { error: loaded.error };
  const { access } = loaded.value;
  return {
    client: createKubeClient(access, { userAgent: 'kubectl-ferry', requestTimeoutMs: 20_000 }),
    contextNamespace: access.namespace ?? 'default',
  };
}

/** Every page of a collection. */
async function listAll(client: KubeClient, ref: ResourceRef): Promise<KubeObject[]> {
  const items: KubeObject[] = [];
  let continueToken: string | undefined;
  do {
    const page = await listObjects(client, ref, { limit: 500, ...(continueToken ? { continueToken } : {}) });
    if (!page.ok) {
      const what = ref.namespace
        ? `${ref.plural}.${ref.group || 'core'} in ${ref.namespace}`
        : `${ref.plural}`;
      throw new Error(`cannot list ${what}: ${describeKubeError(page.error)}`);
    }
    items.push(...page.value.items);
    continueToken = page.value.continueToken;
  } while (continueToken !== undefined);
  return items;
}

/** Lists of ferry's own status kinds: empty when the CRD is not installed, with a warning. */
async function listOptional(client: KubeClient, ref: ResourceRef, warnings: string[]): Promise<KubeObject[]> {
  try {
    return await listAll(client, ref);
  } catch (error) {
    if (String(error).includes('http 404')) {
      warnings.push(`${ref.kind} is not served (is its CRD installed?)`);
      return [];
    }
    throw error;
  }
}

export interface ReadResult {
  readonly objects: ClusterObjects;
  readonly warnings: readonly string[];
}

/** Reads the cluster once; throws an Error naming what could not be read. */
export async function readCluster(
  client: KubeClient,
  namespace: string,
  leaseName = DEFAULT_LEASE_NAME,
): Promise<ReadResult> {
  const ours = (type: ResourceType) => inNamespace(type, namespace);
  const warnings: string[] = [];
  // ferry's configuration is read in its namespace, the cluster objects everywhere
  const everywhere = new Set<keyof Resources>(['nodes', 'namespaces', 'services', 'endpointSlices']);
  const consumed = Object.fromEntries(
    (Object.keys(CONSUMED_TYPES) as (keyof Resources)[]).map((list) => {
      const type = CONSUMED_TYPES[list];
      return [list, listAll(client, everywhere.has(list) ? type : ours(type))];
    }),
  ) as Record<keyof Resources, Promise<KubeObject[]>>;
  const lists = {
    ...consumed,
    // BGPPeer passwords come from basic-auth Secrets; without the right to read them the
    // diagnosis goes on (passwords do not change what is announced).
    secrets: consumed.secrets.then(
      (secrets) => secrets.filter((secret) => secret.type === 'kubernetes.io/basic-auth'),
      (error: unknown) => {
        warnings.push(
          `${String(error).replace(/^Error: /, '')}; BGPPeers with passwordSecret may be reported invalid`,
        );
        return [];
      },
    ),
    bgpSessionStates: listOptional(client, ours(resourceTypes.bgpSessionStates), warnings),
    serviceBGPStatuses: listOptional(client, ours(resourceTypes.serviceBGPStatuses), warnings),
    serviceL2Statuses: listOptional(client, ours(resourceTypes.serviceL2Statuses), warnings),
    configurationStates: listOptional(client, ours(resourceTypes.configurationStates), warnings),
  };
  const [lease, ...values] = await Promise.all([
    getObject(client, ours(resourceTypes.leases), leaseName),
    ...Object.values(lists),
  ]);
  if (!lease.ok && !isNotFound(lease.error)) {
    warnings.push(`cannot read Lease ${namespace}/${leaseName}: ${describeKubeError(lease.error)}`);
  }
  const read = Object.fromEntries(Object.keys(lists).map((key, i) => [key, values[i] ?? []])) as Record<
    keyof typeof lists,
    KubeObject[]
  >;
  return { objects: { ...read, controllerLease: lease.ok ? lease.value : undefined }, warnings };
}
