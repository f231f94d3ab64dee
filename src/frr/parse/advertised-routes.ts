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

const NETWORK_KEY = '"network":';
const TOTAL_KEY = '"totalPrefixCounter":';

/**
 * The string value of each `"network":"P"` in `text` between `from` and `to` (FRR prints no other
 * `network` key in `advertised-routes json`); undefined when one is not a plain string.
 */
function networkValues(text: string, from: number, to: number): string[] | undefined {
  const values: string[] = [];
  for (let at = text.indexOf(NETWORK_KEY, from); at >= 0 && at < to; at = text.indexOf(NETWORK_KEY, at)) {
    let open = at + NETWORK_KEY.length;
    while (/\s/.test(text.charAt(open))) open++;
    const close = text.indexOf('"', open + 1);
    if (text.charAt(open) !== '"' || close < 0 || close > to) return undefined;
    const value = text.slice(open + 1, close);
    if (value === '' || value.includes('\\')) return undefined;
    values.push(value);
    at = close;
  }
  return values;
}

/** The number after the one `"totalPrefixCounter":` between `from` and `to`; null when none. */
function totalPrefixCounter(text: string, from: number, to: number): number | null | undefined {
  const at = text.indexOf(TOTAL_KEY, from);
  if (at < 0 || at > to) return null;
  const again = text.indexOf(TOTAL_KEY, at + 1);
  if (again >= 0 && again < to) return undefined;
  const digits = /^\s*(\d+)/.exec(
    text.slice(at + TOTAL_KEY.length, Math.min(to, at + TOTAL_KEY.length + 24)),
  );
  return digits === null ? undefined : Number(digits[1]);
}

/**
 * The prefixes of `documents` consecutive `advertised-routes json` outputs, in FRR's order, scanned
 * from the text instead of parsed: at 10,000 routes per neighbor JSON.parse builds 100,000+ objects
 * (tens of milliseconds and megabytes of garbage each read) to keep one string per route. Checked,
 * not trusted: each document must end with a line holding only `}` and list exactly its
 * `totalPrefixCounter` routes; otherwise undefined, and the caller parses the JSON.
 */
export function scanAdvertisedPrefixes(text: string, documents: number): string[][] | undefined {
  const found: string[][] = [];
  let start = 0;
  for (let index = 0; index < documents; index++) {
    const close = text.indexOf('\n}', start);
    if (close < 0 || !/\s|$/.test(text.charAt(close + 2))) return undefined;
    const prefixes = networkValues(text, start, close);
    const total = totalPrefixCounter(text, start, close);
    if (prefixes === undefined || total === undefined) return undefined;
    if (total === null) {
      // FRR's warning (unknown neighbor, family not active) instead of a table
      const warning = text.indexOf('"warning"', start);
      if (prefixes.length > 0 || warning < 0 || warning > close) return undefined;
    } else if (total !== prefixes.length) return undefined;
    found.push(prefixes);
    start = close + 2;
  }
  return text.slice(start).trim() === '' ? found : undefined;
}
