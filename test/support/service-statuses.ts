// Every Service's ServiceBGPStatus at once, from a whole announce result: the reference the speaker's
// per-Service path (serviceStatusOf, called for the Services that changed) is tested against.
import type { AnnounceResult, ServiceDecision } from '../../src/announce/types.js';
import type { Peer } from '../../src/config/types.js';
import { serviceStatusOf, type IsAdvertised, type ServiceStatus } from '../../src/speaker/service-status.js';
import { compareText } from '../../src/util/order.js';

/**
 * Every Service's status, sorted by `namespace/name`.
 * @param advertised neighbor key (address or interface, `-<vrf>` outside the default VRF) → the
 *   prefixes FRR advertises to it
 */
export function serviceStatuses(input: {
  readonly node: string;
  readonly announce: AnnounceResult;
  readonly peers: readonly Peer[];
  readonly advertised: ReadonlyMap<string, ReadonlySet<string>>;
}): ServiceStatus[] {
  const peerByName = new Map(input.peers.map((p) => [p.name, p]));
  const byService = new Map<string, ServiceDecision[]>();
  for (const decision of input.announce.decisions) {
    const id = `${decision.namespace}/${decision.name}`;
    byService.set(id, [...(byService.get(id) ?? []), decision]);
  }
  const advertised: IsAdvertised = (neighbor, prefix) => input.advertised.get(neighbor)?.has(prefix) === true;
  return [...byService]
    .sort(([a], [b]) => compareText(a, b))
    .flatMap(
      ([, decisions]) => serviceStatusOf({ node: input.node, decisions, peerByName, advertised }) ?? [],
    );
}
