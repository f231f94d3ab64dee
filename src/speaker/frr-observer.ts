// Reads what FRR really does for this node's peers — sessions, BFD, and the prefixes advertised to
// each neighbor — in one vtysh call. Shell: the parsing is in src/frr/parse.
import type { Peer } from '../config/types.js';
import { neighborKey } from '../frr/build-model.js';
import { parseAdvertisedRoutes } from '../frr/parse/advertised-routes.js';
import { parseBfdCounters, type BfdCounters } from '../frr/parse/bfd-counters.js';
import { parseBfdPeers, type BfdSession } from '../frr/parse/bfd-peers.js';
import { parseBgpNeighborsAllVrfs, type BgpPeerState } from '../frr/parse/bgp-neighbors.js';
import { peerFamilies } from '../announce/peers.js';
import type { FrrError, Vtysh } from '../frr/vtysh.js';
import type { Result } from '../util/result.js';

export interface FrrObservation {
  readonly bgp: readonly BgpPeerState[];
  readonly bfd: readonly BfdSession[];
  readonly bfdCounters: readonly BfdCounters[];
  /** neighbor key → prefixes FRR advertises to it (after the out route map) */
  readonly advertised: ReadonlyMap<string, ReadonlySet<string>>;
}

function vrfPart(vrf: string): string {
  return vrf === '' ? '' : ` vrf ${vrf}`;
}

/**
 * @param withAdvertised also read what is advertised to each neighbor: at 10,000 prefixes that output
 *   is megabytes, so callers ask for it only when it can have changed
 */
export async function observeFrr(
  vtysh: Vtysh,
  peers: readonly Peer[],
  withAdvertised = true,
): Promise<
  Result<FrrObservation | (Omit<FrrObservation, 'advertised'> & { advertised: undefined }), FrrError>
> {
  const vrfs = [...new Set(peers.map((p) => p.vrf))].sort();
  // `show bfd vrf all peers json` prints nothing on FRR 8.4.4: ask per VRF.
  const bfdCommands = (vrfs.length > 0 ? vrfs : ['']).flatMap((vrf) => [
    `show bfd${vrfPart(vrf)} peers json`,
    `show bfd${vrfPart(vrf)} peers counters json`,
  ]);
  const advertisedQueries = (withAdvertised ? peers : []).flatMap((peer) =>
    peerFamilies(peer).map((family) => ({
      key: neighborKey(peer),
      command: `show bgp${vrfPart(peer.vrf)} ${family} unicast neighbors ${peer.address ?? peer.interface ?? ''} advertised-routes json`,
    })),
  );
  const result = await vtysh.showAll([
    'show bgp vrf all neighbors json',
    ...bfdCommands,
    ...advertisedQueries.map((q) => q.command),
  ]);
  if (!result.ok) {
    // bfdd may not run (no BFD in the daemons file): sessions are still worth reporting.
    if (result.error.kind !== 'not-running') return result;
    const bgpOnly = await vtysh.show('show bgp vrf all neighbors json');
    if (!bgpOnly.ok) return bgpOnly;
    return {
      ok: true,
      value: {
        bgp: parseBgpNeighborsAllVrfs(bgpOnly.value),
        bfd: [],
        bfdCounters: [],
        advertised: new Map(),
      },
    };
  }
  const [neighbors, ...rest] = result.value;
  const bfdDocuments = rest.slice(0, bfdCommands.length);
  const advertisedDocuments = rest.slice(bfdCommands.length);
  const advertised = new Map<string, Set<string>>();
  advertisedQueries.forEach((query, index) => {
    const prefixes = advertised.get(query.key) ?? new Set<string>();
    for (const prefix of parseAdvertisedRoutes(advertisedDocuments[index]).prefixes) prefixes.add(prefix);
    advertised.set(query.key, prefixes);
  });
  return {
    ok: true,
    value: {
      bgp: parseBgpNeighborsAllVrfs(neighbors),
      bfd: bfdDocuments.filter((_, i) => i % 2 === 0).flatMap((document) => parseBfdPeers(document)),
      bfdCounters: bfdDocuments
        .filter((_, i) => i % 2 === 1)
        .flatMap((document) => parseBfdCounters(document)),
      advertised: withAdvertised ? advertised : undefined,
    },
  };
}
