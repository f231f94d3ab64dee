// All resources → one validated Config (MetalLB's FRR mode: `config.For` + the FRR validator), or the
// errors that name object and field. Invalid objects are left out and reported; conflicts between
// objects, and references to objects not (yet) there, make the result fatal so that callers keep
// their last good Config, as MetalLB keeps its last valid one.
import type { Resources } from '../api/resources.js';
import type { ObjectMeta } from '../api/metallb.js';
import { buildAdvertisement, checkAdvertisements } from './advertisements.js';
import { buildBfdProfile } from './bfd-profiles.js';
import { buildCommunityAliases } from './community-aliases.js';
import { Issues } from './issues.js';
import { buildL2Advertisement } from './l2-advertisements.js';
import { buildPeer, checkPeersOnSameNode } from './peers.js';
import { buildPools } from './pools.js';
import type { ConfigResult } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';

export interface BuildOptions {
  /** ferry's namespace (`metallb-system`): metallb.io objects and password Secrets must live there */
  readonly namespace: string;
}

interface Admitted<T> {
  readonly resource: T;
  readonly ref: ObjectRef;
}

/**
 * The objects of one kind that belong to this configuration, sorted by name so the result does not
 * depend on input order. Objects in other namespaces are rejected (MetalLB's webhook does the same);
 * a name defined twice is fatal, and no copy is used, since which one is meant cannot be known.
 */
function admit<T extends { readonly kind: string; readonly metadata: ObjectMeta }>(
  objects: readonly T[],
  namespace: string,
  issues: Issues,
): Admitted<T>[] {
  const inNamespace: Admitted<T>[] = [];
  for (const resource of objects) {
    const ref: ObjectRef = {
      kind: resource.kind,
      namespace: resource.metadata.namespace,
      name: resource.metadata.name,
    };
    if (resource.metadata.namespace !== namespace) {
      issues.error(ref, 'metadata.namespace', `resource must be created in ${namespace} namespace`);
      continue;
    }
    inNamespace.push({ resource, ref });
  }
  const counts = new Map<string, number>();
  for (const { ref } of inNamespace) counts.set(ref.name, (counts.get(ref.name) ?? 0) + 1);
  return inNamespace
    .filter(({ ref }) => {
      if ((counts.get(ref.name) ?? 0) === 1) return true;
      issues.error(
        ref,
        'metadata.name',
        `${ref.kind} ${ref.name} is defined more than once; keep one definition`,
        { fatal: true },
      );
      return false;
    })
    .sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
}

export function buildConfig(resources: Resources, options: BuildOptions): ConfigResult {
  const issues = new Issues();
  const { namespace } = options;

  const bfdProfiles = admit(resources.bfdProfiles, namespace, issues).flatMap(
    ({ resource, ref }) => buildBfdProfile(resource, ref, issues) ?? [],
  );
  const aliases = buildCommunityAliases(admit(resources.communities, namespace, issues), issues);
  const pools = buildPools(admit(resources.ipAddressPools, namespace, issues), issues);

  const peerContext = {
    namespace,
    secrets: resources.secrets,
    bfdProfiles: new Set(bfdProfiles.map((profile) => profile.name)),
    issues,
  };
  const peers = admit(resources.bgpPeers, namespace, issues).flatMap(
    ({ resource, ref }) => buildPeer(resource, ref, peerContext) ?? [],
  );
  checkPeersOnSameNode(peers, resources.nodes, issues);

  const advertisementContext = { issues, aliases, pools, peers, bfdProfiles, nodes: resources.nodes };
  const advertisements = admit(resources.bgpAdvertisements, namespace, issues).flatMap(
    ({ resource, ref }) => buildAdvertisement(resource, ref, advertisementContext) ?? [],
  );
  checkAdvertisements(advertisements, advertisementContext);
  const l2Advertisements = admit(resources.l2Advertisements, namespace, issues).flatMap(
    ({ resource, ref }) => buildL2Advertisement(resource, ref, { issues, pools }) ?? [],
  );

  return {
    config: {
      pools: pools.map((built) => built.pool),
      peers: peers.map((built) => built.peer),
      advertisements: advertisements.map((built) => built.advertisement),
      l2Advertisements,
      bfdProfiles,
    },
    errors: issues.errors,
    warnings: issues.warnings,
    fatal: issues.fatal,
  };
}
