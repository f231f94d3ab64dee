// The grammar of the three lines of ferry's rendered `router bgp` blocks that the apply engine reasons
// about: `router bgp ASN [vrf NAME]`, `address-family ipv4|ipv6 unicast` and
// `network PREFIX [route-map NAME]`. The plan, its network-churn fast path and the applier's choice of
// the bgpd channel all read lines through here, so they agree on what a network line of a unicast
// family of a BGP router is. Lines are taken without indentation, single-spaced as ferry renders them
// (and as config-tree normalizes them); anything else does not parse, and the callers then take the
// general path (tree diff, frr-reload.py). Pure.

export type UnicastFamily = 'ipv4' | 'ipv6';

/** `router bgp ASN` or `router bgp ASN vrf NAME` */
export interface RouterBgpLine {
  readonly asn: number;
  /** undefined for the default VRF */
  readonly vrf: string | undefined;
}

/** `address-family ipv4 unicast` / `address-family ipv6 unicast` */
export interface AddressFamilyLine {
  readonly family: UnicastFamily;
}

/** `network PREFIX` or `network PREFIX route-map NAME` */
export interface NetworkLine {
  /** as written: ferry renders canonical CIDRs */
  readonly prefix: string;
  readonly routeMap: string | undefined;
}

// A 4-byte ASN without leading zeros, so that parsing and printing give the same text back.
const ROUTER_BGP = /^router bgp (0|[1-9]\d{0,9})(?: vrf (\S+))?$/;
const ADDRESS_FAMILY = /^address-family (ipv4|ipv6) unicast$/;
// After the indentation; compiled per depth by `networkPatterns`.
const NETWORK_PREFIX = String.raw`network (\S+)`;
const ROUTE_MAP = String.raw` route-map (\S+)`;
const MAX_ASN = 4294967295;

export function parseRouterBgpLine(line: string): RouterBgpLine | undefined {
  const match = ROUTER_BGP.exec(line);
  if (match === null) return undefined;
  const asn = Number(match[1]);
  return asn > MAX_ASN ? undefined : { asn, vrf: match[2] };
}

export function routerBgpLineText(router: RouterBgpLine): string {
  return router.vrf === undefined ? `router bgp ${router.asn}` : `router bgp ${router.asn} vrf ${router.vrf}`;
}

export function parseAddressFamilyLine(line: string): AddressFamilyLine | undefined {
  const family = ADDRESS_FAMILY.exec(line)?.[1];
  return family === 'ipv4' || family === 'ipv6' ? { family } : undefined;
}

export function addressFamilyLineText(line: AddressFamilyLine): string {
  return `address-family ${line.family} unicast`;
}

/**
 * @param depth the line's indentation in spaces, exactly (rendered text: 2 inside a family); the plan
 *   scans up to 10,000 network lines with this, so the indentation is part of one regular expression
 */
export function parseNetworkLine(line: string, depth = 0): NetworkLine | undefined {
  const match = networkPatterns(depth).any.exec(line);
  return match === null ? undefined : { prefix: match[1] ?? '', routeMap: match[2] };
}

/** A network line that names its route map: the only kind ferry renders. */
export function parseRoutedNetworkLine(
  line: string,
  depth = 0,
): (NetworkLine & { readonly routeMap: string }) | undefined {
  const match = networkPatterns(depth).routed.exec(line);
  return match === null ? undefined : { prefix: match[1] ?? '', routeMap: match[2] ?? '' };
}

/** `parseNetworkLine(line, depth) !== undefined`, without building the result. */
export function isNetworkLine(line: string, depth = 0): boolean {
  return networkPatterns(depth).any.test(line);
}

/** `parseRoutedNetworkLine(line, depth) !== undefined`, without building the result. */
export function isRoutedNetworkLine(line: string, depth = 0): boolean {
  return networkPatterns(depth).routed.test(line);
}

export function networkLineText(network: NetworkLine): string {
  return network.routeMap === undefined
    ? `network ${network.prefix}`
    : `network ${network.prefix} route-map ${network.routeMap}`;
}

/** `line` without its indentation when it is indented by exactly `depth` spaces (rendered text). */
export function atDepth(line: string, depth: number): string | undefined {
  for (let i = 0; i < depth; i++) if (line.charCodeAt(i) !== 32) return undefined;
  return line.charCodeAt(depth) === 32 ? undefined : line.slice(depth);
}

interface NetworkPatterns {
  /** route map optional */
  readonly any: RegExp;
  /** route map required */
  readonly routed: RegExp;
}

const patternsByDepth: NetworkPatterns[] = [];

function networkPatterns(depth: number): NetworkPatterns {
  let patterns = patternsByDepth[depth];
  if (patterns === undefined) {
    const indent = `^ {${depth}}`;
    patterns = {
      any: new RegExp(`${indent}${NETWORK_PREFIX}(?:${ROUTE_MAP})?$`),
      routed: new RegExp(`${indent}${NETWORK_PREFIX}${ROUTE_MAP}$`),
    };
    patternsByDepth[depth] = patterns;
  }
  return patterns;
}
