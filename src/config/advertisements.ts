// BGPAdvertisement → BgpAdvertisement: aggregation lengths, local preference, communities (literal or
// Community alias), the pools, nodes, peers and services it applies to; then MetalLB's rules between an
// advertisement and its pools (aggregation, local preference) and BFD echo with IPv6.
import type { NodeInfo } from '../api/cluster.js';
import type { BGPAdvertisementResource } from '../api/metallb.js';
import { advertisedPools } from './advertised-pools.js';
import { compareCommunities, communityText, parseCommunity } from './community.js';
import { duplicateProblems } from './duplicates.js';
import type { Issues } from './issues.js';
import { objectNameProblem } from './names.js';
import type { BuiltPeer } from './peers.js';
import type { BuiltPool } from './pools.js';
import { anySelectorMatches, parseSelectorList } from './selector.js';
import type { BfdProfile, BgpAdvertisement, Community } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';
import type { FieldProblem } from '../util/field-problem.js';

/** FRR mode limit (MetalLB `internal/bgp/frr` validate). */
const MAX_COMMUNITIES = 63;
const MAX_LOCAL_PREF = 4294967295;

export interface AdvertisementContext {
  readonly issues: Issues;
  readonly aliases: ReadonlyMap<string, Community>;
  readonly pools: readonly BuiltPool[];
  readonly peers: readonly BuiltPeer[];
  readonly bfdProfiles: readonly BfdProfile[];
  readonly nodes: readonly NodeInfo[];
}

export interface BuiltAdvertisement {
  readonly advertisement: BgpAdvertisement;
  readonly ref: ObjectRef;
  /** known nodes the advertisement's nodeSelectors select */
  readonly nodes: ReadonlySet<string>;
}

function communitiesOf(
  raw: readonly string[],
  ref: ObjectRef,
  context: AdvertisementContext,
  problems: FieldProblem[],
): { communities: Community[]; missingAlias: boolean } {
  const byText = new Map<string, Community>();
  let missingAlias = false;
  raw.forEach((text, index) => {
    const field = `spec.communities[${index}]`;
    const alias = context.aliases.get(text);
    if (alias !== undefined) {
      byText.set(communityText(alias), alias);
      return;
    }
    const parsed = parseCommunity(text);
    if (parsed.ok) {
      byText.set(communityText(parsed.value), parsed.value);
    } else if (parsed.error.reason === 'format') {
      // Possibly an alias whose Community object is not there yet: keep the last good configuration.
      context.issues.error(ref, field, parsed.error.message, { fatal: true });
      missingAlias = true;
    } else {
      problems.push({ field, message: parsed.error.message });
    }
  });
  const communities = [...byText.values()].sort(compareCommunities);
  if (communities.length > MAX_COMMUNITIES) {
    problems.push({
      field: 'spec.communities',
      message: `max supported communities is ${MAX_COMMUNITIES}, got ${communities.length}`,
    });
  }
  return { communities, missingAlias };
}

function integerIn(value: number, min: number, max: number, field: string, problems: FieldProblem[]): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({ field, message: `must be an integer ${min}-${max}, got ${value}` });
  }
}

export function buildAdvertisement(
  resource: BGPAdvertisementResource,
  ref: ObjectRef,
  context: AdvertisementContext,
): BuiltAdvertisement | undefined {
  const { issues } = context;
  const spec = resource.spec ?? {};
  const problems: FieldProblem[] = [];
  const nameProblem = objectNameProblem(resource.metadata.name);
  if (nameProblem !== undefined) problems.push({ field: 'metadata.name', message: nameProblem });

  problems.push(
    ...duplicateProblems(spec.ipAddressPools, 'spec.ipAddressPools', 'ipAddressPools'),
    ...duplicateProblems(spec.communities, 'spec.communities', 'community'),
    ...duplicateProblems(spec.peers, 'spec.peers', 'peers'),
  );
  // Names of pools and peers end up in the Config (and peer names in frr.conf route maps).
  for (const [list, field] of [
    [spec.ipAddressPools, 'spec.ipAddressPools'],
    [spec.peers, 'spec.peers'],
  ] as const) {
    (list ?? []).forEach((name, index) => {
      const problem = objectNameProblem(name);
      if (problem !== undefined) problems.push({ field: `${field}[${index}]`, message: problem });
    });
  }
  const poolSelectors = parseSelectorList(spec.ipAddressPoolSelectors, 'spec.ipAddressPoolSelectors');
  const nodeSelectors = parseSelectorList(spec.nodeSelectors, 'spec.nodeSelectors');
  const serviceSelectors = parseSelectorList(spec.serviceSelectors, 'spec.serviceSelectors');
  problems.push(...poolSelectors.problems, ...nodeSelectors.problems, ...serviceSelectors.problems);

  const aggregationLength = spec.aggregationLength ?? 32;
  const aggregationLengthV6 = spec.aggregationLengthV6 ?? 128;
  integerIn(aggregationLength, 1, 32, 'spec.aggregationLength', problems);
  integerIn(aggregationLengthV6, 0, 128, 'spec.aggregationLengthV6', problems);
  // The CRD's CEL rule, also in MetalLB's parser.
  if (serviceSelectors.selectors.length > 0 && (aggregationLength !== 32 || aggregationLengthV6 !== 128)) {
    problems.push({
      field: 'spec.serviceSelectors',
      message:
        'serviceSelectors and aggregationLength are mutually exclusive, can only be used together with default aggregationLength (32) and aggregationLengthV6 (128)',
    });
  }
  const localPref = spec.localPref ?? 0;
  integerIn(localPref, 0, MAX_LOCAL_PREF, 'spec.localPref', problems);

  const { communities, missingAlias } = communitiesOf(spec.communities ?? [], ref, context, problems);

  const pools = advertisedPools(
    spec.ipAddressPools,
    poolSelectors.selectors,
    (spec.ipAddressPoolSelectors ?? []).length,
    context.pools,
    ref,
    issues,
  );

  const knownPeers = new Set(context.peers.map((built) => built.peer.name));
  (spec.peers ?? []).forEach((name, index) => {
    if (!knownPeers.has(name)) {
      issues.warning(
        ref,
        `spec.peers[${index}]`,
        `BGPPeer ${JSON.stringify(name)} does not exist or is invalid; nothing is announced to it`,
      );
    }
  });

  issues.problems(ref, problems);
  if (problems.length > 0 || missingAlias) return undefined;
  return {
    ref,
    nodes: new Set(
      context.nodes
        .filter((node) => anySelectorMatches(nodeSelectors.selectors, node.labels))
        .map((node) => node.name),
    ),
    advertisement: {
      name: resource.metadata.name,
      aggregationLength,
      aggregationLengthV6,
      localPref,
      communities,
      pools,
      nodeSelectors: nodeSelectors.selectors,
      peers: [...new Set(spec.peers ?? [])].sort(),
      serviceSelectors: serviceSelectors.selectors,
    },
  };
}

function poolFamilies(pool: BuiltPool): { v4: boolean; v6: boolean } {
  return {
    v4: pool.pool.cidrs.some((cidr) => cidr.family === 'ipv4'),
    v6: pool.pool.cidrs.some((cidr) => cidr.family === 'ipv6'),
  };
}

/** MetalLB's isAggrLengthDifferent: the two advertisements produce different prefixes for this pool. */
function aggregationDiffers(a: BgpAdvertisement, b: BgpAdvertisement, pool: BuiltPool): boolean {
  const { v4, v6 } = poolFamilies(pool);
  if (!v4 && !v6) return true;
  const v4Differs = a.aggregationLength !== b.aggregationLength;
  const v6Differs = a.aggregationLengthV6 !== b.aggregationLengthV6;
  if (v4Differs && !v6) return true;
  if (v6Differs && !v4) return true;
  return v4Differs && v6Differs;
}

/**
 * MetalLB's BGPAdvertisementsHaveCompatibleLocalPref. Without known nodes MetalLB's node sets are empty
 * and never collide; ferry assumes they share a node instead (as MetalLB does for peers), so `ferry
 * render` without Nodes does not accept what the cluster would reject.
 */
function localPrefsCompatible(
  a: BuiltAdvertisement,
  b: BuiltAdvertisement,
  pool: BuiltPool,
  nodesKnown: boolean,
): boolean {
  const x = a.advertisement;
  const y = b.advertisement;
  if (x.localPref === y.localPref || aggregationDiffers(x, y, pool)) return true;
  if (x.peers.length > 0 && y.peers.length > 0 && !x.peers.some((peer) => y.peers.includes(peer)))
    return true;
  return nodesKnown && ![...a.nodes].some((node) => b.nodes.has(node));
}

/** Rules between advertisements and the pools they apply to; violations are fatal, as in MetalLB. */
export function checkAdvertisements(
  advertisements: readonly BuiltAdvertisement[],
  context: AdvertisementContext,
): void {
  const { issues } = context;
  const echoProfiles = new Set(
    context.bfdProfiles.filter((profile) => profile.echoMode === true).map((profile) => profile.name),
  );
  for (const pool of context.pools) {
    const applying = advertisements.filter((built) => built.advertisement.pools.includes(pool.pool.name));
    for (const built of applying) {
      const advertisement = built.advertisement;
      for (const group of pool.addressGroups) {
        const v6 = group.cidrs[0]?.family === 'ipv6';
        const length = v6 ? advertisement.aggregationLengthV6 : advertisement.aggregationLength;
        const lowest = Math.min(...group.cidrs.map((cidr) => cidr.prefixLength));
        if (length < lowest) {
          issues.error(
            built.ref,
            v6 ? 'spec.aggregationLengthV6' : 'spec.aggregationLength',
            `invalid aggregation length ${length}: prefix ${lowest} in IPAddressPool ${pool.pool.name} is more specific than the aggregation length for addresses ${group.address}`,
            { fatal: true },
          );
        }
      }
    }
    const withoutServiceSelectors = applying.filter(
      (built) => built.advertisement.serviceSelectors.length === 0,
    );
    withoutServiceSelectors.forEach((current, index) => {
      for (const other of withoutServiceSelectors.slice(0, index)) {
        if (!localPrefsCompatible(current, other, pool, context.nodes.length > 0)) {
          issues.error(
            current.ref,
            'spec.localPref',
            `invalid local preference ${current.advertisement.localPref}: local preference ${other.advertisement.localPref} was already set by BGPAdvertisement ${other.advertisement.name} for the same prefixes of IPAddressPool ${pool.pool.name} to the same peers from the same nodes`,
            { fatal: true },
          );
        }
      }
    });
    if (!poolFamilies(pool).v6) continue;
    for (const built of applying) {
      const targets =
        built.advertisement.peers.length === 0
          ? context.peers
          : context.peers.filter((peer) => built.advertisement.peers.includes(peer.peer.name));
      for (const target of targets) {
        if (target.peer.bfdProfile !== undefined && echoProfiles.has(target.peer.bfdProfile)) {
          issues.error(
            built.ref,
            'spec.peers',
            `IPAddressPool ${pool.pool.name} has IPv6 addresses advertised to BGPPeer ${target.peer.name}, whose BFDProfile ${target.peer.bfdProfile} enables echo mode, which is not possible with IPv6`,
            { fatal: true },
          );
        }
      }
    }
  }
}
