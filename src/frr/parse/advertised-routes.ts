// What bgpd really sends, after outbound policy: `show bgp ipv4|ipv6 unicast neighbors X
// advertised-routes json` (per peer) and the `advertisedTo` map of `show bgp ipv4|ipv6 unicast P json`
// (per prefix, from bgpd's adj-out). ServiceBGPStatus reports these, not the intent.
import { asObject, numberField, objectEntries, objectField, stringField } from './json-fields.js';
import { compareText } from '../../util/order.js';

export interface AdvertisedRoutes {
  /** prefixes in FRR's text form, e.g. `203.0.113.5/32`, `2001:db8::5/128`, sorted */
  readonly prefixes: readonly string[];
  readonly totalPrefixCounter: number | undefined;
  readonly filteredPrefixCounter: number | undefined;
  /** FRR's explanation when it printed no table (unknown neighbor, family not active) */
  readonly warning: string | undefined;
}

export function parseAdvertisedRoutes(document: unknown): AdvertisedRoutes {
  const top = asObject(document);
  return {
    prefixes: objectEntries(objectField(top, 'advertisedRoutes'))
      .map(([key, route]) => stringField(route, 'network') ?? key)
      .sort(),
    totalPrefixCounter: numberField(top, 'totalPrefixCounter'),
    filteredPrefixCounter: numberField(top, 'filteredPrefixCounter'),
    warning: stringField(top, 'warning'),
  };
}

export interface PrefixAdvertisement {
  /** undefined when bgpd has no such prefix (`{}`) */
  readonly prefix: string | undefined;
  /** peers (addresses or interfaces) the best path is sent to, sorted */
  readonly advertisedTo: readonly string[];
}

/** `show bgp ipv4|ipv6 unicast P json`. */
export function parsePrefixAdvertisement(document: unknown): PrefixAdvertisement {
  const top = asObject(document);
  return {
    prefix: stringField(top, 'prefix'),
    advertisedTo: Object.keys(objectField(top, 'advertisedTo') ?? {}).sort(),
  };
}

/** Inverts per-peer advertised-routes into prefix → peers it is advertised to (both sorted). */
export function peersByAdvertisedPrefix(
  perPeer: readonly { readonly peer: string; readonly routes: AdvertisedRoutes }[],
): Map<string, string[]> {
  const byPrefix = new Map<string, string[]>();
  for (const { peer, routes } of perPeer) {
    for (const prefix of routes.prefixes) {
      const peers = byPrefix.get(prefix) ?? [];
      if (!peers.includes(peer)) peers.push(peer);
      byPrefix.set(prefix, peers);
    }
  }
  for (const peers of byPrefix.values()) peers.sort();
  return new Map([...byPrefix.entries()].sort(([a], [b]) => compareText(a, b)));
}

/** A route's `"network":"P"` in `advertised-routes json` (FRR prints no other `network` key there). */
const NETWORK_FIELD = /"network":\s*"([^"\\]+)"/g;
const TOTAL_FIELD = /"totalPrefixCounter":\s*(\d+)/g;

/**
 * The prefixes of `documents` consecutive `advertised-routes json` outputs, scanned from the text
 * instead of parsed: at 10,000 routes per neighbor JSON.parse builds 100,000+ objects (tens of
 * milliseconds and megabytes of garbage each read) to keep one string per route. Checked, not
 * trusted: each document must end with a line holding only `}` and list exactly its
 * `totalPrefixCounter` routes; otherwise undefined, and the caller parses the JSON.
 */
export function scanAdvertisedPrefixes(text: string, documents: number): string[][] | undefined {
  const found: string[][] = [];
  let start = 0;
  for (let index = 0; index < documents; index++) {
    const close = text.indexOf('\n}', start);
    if (close < 0 || !/\s|$/.test(text.charAt(close + 2))) return undefined;
    const document = text.slice(start, close + 2);
    start = close + 2;
    const prefixes = [...document.matchAll(NETWORK_FIELD)].map((match) => match[1] ?? '');
    const totals = [...document.matchAll(TOTAL_FIELD)];
    if (totals.length === 0) {
      // FRR's warning (unknown neighbor, family not active) instead of a table
      if (prefixes.length > 0 || !document.includes('"warning"')) return undefined;
    } else if (totals.length !== 1 || Number(totals[0]?.[1]) !== prefixes.length) return undefined;
    found.push(prefixes.sort());
  }
  return text.slice(start).trim() === '' ? found : undefined;
}
