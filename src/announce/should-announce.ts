// The announce predicate for one Service on one node: MetalLB's speaker checks (its
// loadBalancerClass filter, `SetBalancer`'s IP checks, then `ShouldAnnounce`) in MetalLB's order;
// the first failure is the reason.
import type { BgpAdvertisement, Pool } from '../config/types.js';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import { describeLbClass, handlesService } from '../api/load-balancer-class.js';
import { parseIp, type ParsedIp } from '../net/ip.js';
import { advertisementsForNode, advertisementsForService, findLocalPrefConflict } from './advertisements.js';
import { hasServingEndpoint } from './endpoints.js';
import type { PoolLookup } from './pool-lookup.js';
import type { WithdrawReason } from './types.js';
import { addressKey, compareAddressKeys } from '../net/address-order.js';
import { sortByKey } from '../util/order.js';

/** Kubernetes' well-known label (k8s.io/api core/v1 LabelNodeExcludeBalancers); presence counts. */
export const EXCLUDE_BALANCERS_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface AnnounceContext {
  readonly node: NodeInfo;
  readonly poolFor: PoolLookup;
  /** advertisements per pool name, sorted by name */
  readonly advertisementsByPool: ReadonlyMap<string, readonly BgpAdvertisement[]>;
  readonly ignoreExcludeLB: boolean;
  /** `--lb-class`: '' = Services without spec.loadBalancerClass */
  readonly lbClass: string;
}

export type ServiceVerdict =
  | {
      readonly eligible: true;
      readonly pool: Pool;
      /** the advertisements selecting both this node and the Service, sorted by name */
      readonly advertisements: readonly BgpAdvertisement[];
      /** canonical, deduplicated */
      readonly ips: readonly ParsedIp[];
    }
  | {
      readonly eligible: false;
      readonly reason: WithdrawReason;
      readonly detail: string;
      /** '' when no pool holds the IPs */
      readonly pool: string;
      /** canonical where they parse; [''] when the Service has no IP */
      readonly ips: readonly string[];
    };

export function shouldAnnounce(
  service: ServiceInfo,
  slices: readonly EndpointSliceInfo[],
  context: AnnounceContext,
): ServiceVerdict {
  // Sorted so that the result (and its sentences) do not depend on the order of the ingress list.
  const texts = sortByKey(
    [...new Set(service.ingressIPs.map((text) => parseIp(text)?.text ?? text))],
    addressKey,
    compareAddressKeys,
  );
  const refuse = (reason: WithdrawReason, detail: string, pool = ''): ServiceVerdict => ({
    eligible: false,
    reason,
    detail,
    pool,
    ips: texts.length === 0 ? [''] : texts,
  });

  if (!handlesService(service, context.lbClass)) {
    return refuse('otherLoadBalancerClass', otherClassDetail(service, context.lbClass));
  }
  if (texts.length === 0) {
    return refuse('noIPAllocated', 'The Service has no IP in status.loadBalancer.ingress yet.');
  }
  // MetalLB parses every entry's ip: an entry without one (a hostname) or one that does not parse
  // refuses the whole Service, even beside valid IPs.
  const ips: ParsedIp[] = [];
  const unusable: string[] = [];
  for (const text of texts) {
    const ip = parseIp(text);
    if (ip === undefined) unusable.push(text);
    else ips.push(ip);
  }
  if (unusable.length > 0) return refuse('invalidIP', invalidIpDetail(unusable));
  const pool = context.poolFor(ips);
  if (pool === undefined) {
    const detail =
      ips.length === 1
        ? `IP ${texts.join('')} is in no configured IPAddressPool.`
        : `No single IPAddressPool holds all of the Service's IPs (${texts.join(', ')}).`;
    return refuse('ipNotAllowed', detail);
  }

  const node = context.node;
  const poolAds = context.advertisementsByPool.get(pool.name) ?? [];
  const nodeAds = advertisementsForNode(poolAds, node);
  if (nodeAds.length === 0) {
    const detail =
      poolAds.length === 0
        ? `IPAddressPool ${pool.name} has no BGPAdvertisement, so its IPs are never announced over BGP.`
        : `No BGPAdvertisement of IPAddressPool ${pool.name} (${names(poolAds)}) selects node ${node.name} by nodeSelectors.`;
    return refuse('notOwner', detail, pool.name);
  }
  const advertisements = advertisementsForService(nodeAds, service);
  if (advertisements.length === 0) {
    return refuse(
      'noMatchingAdvertisement',
      `BGPAdvertisements ${names(nodeAds)} select node ${node.name}, but none of their serviceSelectors matches the Service's labels.`,
      pool.name,
    );
  }
  const conflict = findLocalPrefConflict(advertisements, pool);
  if (conflict !== undefined) {
    return refuse(
      'conflictingAdvertisements',
      `BGPAdvertisements ${conflict.first.name} and ${conflict.second.name} have conflicting LOCAL_PREF (${conflict.first.localPref} vs ${conflict.second.localPref}) for the same prefix and peer.`,
      pool.name,
    );
  }
  if (node.networkUnavailable) {
    return refuse(
      'nodeNetworkUnavailable',
      `Node ${node.name} has condition NetworkUnavailable=True.`,
      pool.name,
    );
  }
  if (!context.ignoreExcludeLB && Object.hasOwn(node.labels, EXCLUDE_BALANCERS_LABEL)) {
    return refuse(
      'nodeLabeledExcludeBalancers',
      `Node ${node.name} has label ${EXCLUDE_BALANCERS_LABEL} (the speaker's ignoreExcludeLB option is off).`,
      pool.name,
    );
  }
  if (service.externalTrafficPolicy === 'Local' && !hasServingEndpoint(slices, node.name)) {
    return refuse(
      'noLocalEndpoints',
      `externalTrafficPolicy is Local and no endpoint on node ${node.name} is ready or serving.`,
      pool.name,
    );
  }
  if (!hasServingEndpoint(slices)) {
    return refuse('noEndpoints', 'No endpoint of the Service is ready or serving on any node.', pool.name);
  }
  return { eligible: true, pool, advertisements, ips };
}

function otherClassDetail(service: ServiceInfo, lbClass: string): string {
  const owner =
    service.loadBalancerClass === undefined
      ? 'The Service has no spec.loadBalancerClass'
      : `spec.loadBalancerClass is ${JSON.stringify(service.loadBalancerClass)}`;
  return `${owner}: it belongs to another load balancer (--lb-class: ${describeLbClass(lbClass)}).`;
}

function invalidIpDetail(unusable: readonly string[]): string {
  const problems = unusable.map((text) =>
    text === ''
      ? 'an entry has no ip (a hostname only)'
      : `${JSON.stringify(text)} is not a valid IP address`,
  );
  return `status.loadBalancer.ingress: ${problems.join('; ')}. No IP of the Service is announced while any entry is not an IP address.`;
}

function names(advertisements: readonly BgpAdvertisement[]): string {
  return advertisements.map((advertisement) => advertisement.name).join(', ');
}
