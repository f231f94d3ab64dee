// Reads what FRR really does for this node's peers — sessions, BFD, and the prefixes advertised to
// each neighbor — in one vtysh call. Shell: the parsing is in src/frr/parse.
import type { Peer } from '../config/types.js';
import { familyOfText, type IpFamily } from '../net/ip.js';
import { neighborKey } from '../frr/build-model.js';
import {
  parseAdvertisedRoutes,
  parsePrefixAdvertisement,
  scanAdvertisedPrefixes,
} from '../frr/parse/advertised-routes.js';
import { parseJsonDocuments } from '../frr/parse/json-documents.js';
import { parseBfdCounters, type BfdCounters } from '../frr/parse/bfd-counters.js';
import { parseBfdPeers, type BfdSession } from '../frr/parse/bfd-peers.js';
import { parseBgpNeighborsAllVrfs, type BgpPeerState } from '../frr/parse/bgp-neighbors.js';
import { peerFamilies } from '../announce/peers.js';
import type { FrrError, Vtysh } from '../frr/vtysh.js';
import type { Result } from '../util/result.js';
import type { PrefixAdvertised } from './advertised-index.js';
import { nextTurn } from '../util/next-turn.js';

export interface FrrObservation {
  readonly bgp: readonly BgpPeerState[];
  readonly bfd: readonly BfdSession[];
  readonly bfdCounters: readonly BfdCounters[];
  /**
   * neighbor key → prefixes FRR advertises to it (after the out route map); only when asked for all.
   * Fresh sets of this observation's own: a reader may keep them.
   */
  readonly advertised: Map<string, Set<string>> | undefined;
  /** the prefixes asked for one by one */
  readonly prefixes: readonly PrefixAdvertised[];
}

/**
 * What to read of bgpd's adj-out: `all` is every neighbor's advertised-routes (megabytes at 10,000
 * prefixes: only when anything may have changed), a list is those prefixes alone (`show bgp … P json`,
 * its `advertisedTo`: the cost of the change, not of the table).
 */
export type AdvertisedQuery = 'all' | 'none' | readonly string[];

function vrfPart(vrf: string): string {
  return vrf === '' ? '' : ` vrf ${vrf}`;
}

/** Per prefix and VRF with peers of its family: the command reading it and the neighbors in scope. */
function prefixQueries(peers: readonly Peer[], prefixes: readonly string[]) {
  // the peers grouped once per read, not per prefix (up to 1,000 prefixes a read)
  const scopes = new Map<IpFamily, Map<string, string[]>>();
  for (const peer of peers)
    for (const family of peerFamilies(peer)) {
      const byVrf = scopes.get(family) ?? new Map<string, string[]>();
      scopes.set(family, byVrf.set(peer.vrf, [...(byVrf.get(peer.vrf) ?? []), neighborKey(peer)]));
    }
  return prefixes.flatMap((prefix) => {
    const family = familyOfText(prefix);
    return [...(scopes.get(family) ?? [])].map(([vrf, scope]) => ({
      prefix,
      vrf,
      scope,
      command: `show bgp${vrfPart(vrf)} ${family} unicast ${prefix} json`,
    }));
  });
}

export async function observeFrr(
  vtysh: Vtysh,
  peers: readonly Peer[],
  advertisedQuery: AdvertisedQuery = 'all',
): Promise<Result<FrrObservation, FrrError>> {
  const withAdvertised = advertisedQuery === 'all';
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
  const perPrefix = typeof advertisedQuery === 'string' ? [] : prefixQueries(peers, advertisedQuery);
  const read = (bfd: readonly string[]) =>
    vtysh.showAll(['show bgp vrf all neighbors json', ...bfd, ...perPrefix.map((q) => q.command)]);
  let withBfd = true;
  let result = await read(bfdCommands);
  if (!result.ok && result.error.kind === 'not-running') {
    // bfdd may not run (no BFD in the daemons file): sessions and routes are still worth reporting
    withBfd = false;
    result = await read([]);
  }
  if (!result.ok) return result;
  const advertised = withAdvertised ? await readAdvertised(vtysh, advertisedQueries) : undefined;
  if (advertised !== undefined && !advertised.ok) return advertised;
  const [neighbors, ...rest] = result.value;
  const bfdCount = withBfd ? bfdCommands.length : 0;
  const bfdDocuments = rest.slice(0, bfdCount);
  const prefixDocuments = rest.slice(bfdCount);
  return {
    ok: true,
    value: {
      bgp: parseBgpNeighborsAllVrfs(neighbors),
      bfd: bfdDocuments.filter((_, i) => i % 2 === 0).flatMap((document) => parseBfdPeers(document)),
      bfdCounters: bfdDocuments
        .filter((_, i) => i % 2 === 1)
        .flatMap((document) => parseBfdCounters(document)),
      advertised: advertised?.value,
      prefixes: perPrefix.map((query, index) => {
        const vrfSuffix = query.vrf === '' ? '' : `-${query.vrf}`;
        const { advertisedTo } = parsePrefixAdvertisement(prefixDocuments[index]);
        return {
          prefix: query.prefix,
          scope: query.scope,
          // advertisedTo names a neighbor as its session does: the address, or the interface
          to: new Set(advertisedTo.map((host) => `${host}${vrfSuffix}`)),
        };
      }),
    },
  };
}

/**
 * Every neighbor's advertised routes, in a vtysh call of their own: megabytes at 10,000 prefixes,
 * scanned for the prefixes (see scanAdvertisedPrefixes), parsed as JSON only when the scan is unsure.
 */
async function readAdvertised(
  vtysh: Vtysh,
  queries: readonly { readonly key: string; readonly command: string }[],
): Promise<Result<Map<string, Set<string>>, FrrError>> {
  const advertised = new Map<string, Set<string>>();
  if (queries.length === 0) return { ok: true, value: advertised };
  const output = await vtysh.commands(queries.map((q) => q.command));
  if (!output.ok) return output;
  // megabytes arrived in this turn: the scan, and the sets after it, each in a turn of their own
  await nextTurn();
  let perQuery = scanAdvertisedPrefixes(output.value, queries.length);
  if (perQuery === undefined) {
    const documents = parseJsonDocuments(output.value);
    if (!documents.ok)
      return {
        ok: false,
        error: { kind: 'invalid-output', message: documents.error, line: undefined, output: output.output },
      };
    perQuery = queries.map((_, index) => [...parseAdvertisedRoutes(documents.value[index]).prefixes]);
  }
  await nextTurn();
  queries.forEach((query, index) => {
    const prefixes = advertised.get(query.key) ?? new Set<string>();
    for (const prefix of perQuery[index] ?? []) prefixes.add(prefix);
    advertised.set(query.key, prefixes);
  });
  return { ok: true, value: advertised };
}
