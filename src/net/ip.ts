// IP addresses and CIDRs on bigint, from a strict grammar: every address that can reach frr.conf is
// parsed here and re-serialized in canonical form (dotted quad without leading zeros; IPv6 in RFC 5952
// lowercase compressed form). Zones, spaces, control characters and IPv4-mapped IPv6 addresses are
// refused: Go (and so MetalLB) silently treats `::ffff:a.b.c.d` as IPv4, which would make the family
// of a pool depend on spelling.

export type IpFamily = 'ipv4' | 'ipv6';

/** A canonical CIDR: network address re-serialized (IPv6 in RFC 5952 form) + prefix length. */
export interface Cidr {
  readonly family: IpFamily;
  /** canonical text, e.g. `203.0.113.0/24`, `2001:db8::/120` */
  readonly text: string;
  readonly prefixLength: number;
}

export interface ParsedIp {
  readonly family: IpFamily;
  readonly value: bigint;
  /** canonical text */
  readonly text: string;
}

const BITS: Record<IpFamily, number> = { ipv4: 32, ipv6: 128 };

export function familyBits(family: IpFamily): number {
  return BITS[family];
}

/** The family of an address or prefix already in canonical text (no parse: only IPv6 has a colon). */
export function familyOfText(text: string): IpFamily {
  return text.includes(':') ? 'ipv6' : 'ipv4';
}

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIpv4Value(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    // An embedded IPv4 address may only be the last piece.
    if (index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4Value(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else {
      if (!IPV6_GROUP.test(part)) return undefined;
      groups.push(BigInt(parseInt(part, 16)));
    }
  }
  return groups;
}

function parseIpv6Value(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '');
    const tail = parseGroups(halves[1] ?? '');
    if (head === undefined || tail === undefined) return undefined;
    // `::` stands for at least one zero group (RFC 4291 §2.2).
    if (head.length + tail.length > 7) return undefined;
    // An embedded IPv4 address may only end the address, never the head.
    if ((halves[0] ?? '').includes('.')) return undefined;
    groups = [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  } else {
    const all = parseGroups(text);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  let value = 0n;
  for (const group of groups) value = (value << 16n) | group;
  return value;
}

function isIpv4Mapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

// Results are immutable, and the same few thousand addresses are parsed again on every reconcile
// (pools, ingress IPs, prefixes, sort keys): remember them. Bounded, so hostile input cannot grow it.
const parsed = new Map<string, ParsedIp | undefined>();
const PARSED_LIMIT = 200_000;

/** Parses an IPv4 or IPv6 address; undefined for anything not in the strict grammar. */
export function parseIp(text: string): ParsedIp | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const result = parseIpUncached(text);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, result);
  return result;
}

function parseIpUncached(text: string): ParsedIp | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  if (text.includes(':')) {
    const value = parseIpv6Value(text);
    if (value === undefined || isIpv4Mapped(value)) return undefined;
    return { family: 'ipv6', value, text: formatIp('ipv6', value) };
  }
  const value = parseIpv4Value(text);
  if (value === undefined) return undefined;
  return { family: 'ipv4', value, text: formatIp('ipv4', value) };
}

/** Canonical text of an address value. */
export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8;) {
    if (groups[start] !== 0) {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

function mask(family: IpFamily, length: number): bigint {
  const bits = BigInt(BITS[family]);
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(length))) - 1n);
}

function makeCidr(family: IpFamily, value: bigint, prefixLength: number): Cidr {
  const network = value & mask(family, prefixLength);
  return { family, text: `${formatIp(family, network)}/${prefixLength}`, prefixLength };
}

const PREFIX_LENGTH = /^(0|[1-9][0-9]{0,2})$/;

/** Parses `address/length`; host bits are masked off (like Go's net.ParseCIDR network). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (ip === undefined || !PREFIX_LENGTH.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > BITS[ip.family]) return undefined;
  return makeCidr(ip.family, ip.value, length);
}

/** The prefix of the given length that contains `ip` (aggregation). */
export function prefixOf(ip: ParsedIp, length: number): Cidr {
  if (!Number.isInteger(length) || length < 0 || length > BITS[ip.family]) {
    throw new RangeError(`prefix length ${length} out of range for ${ip.family}`);
  }
  return makeCidr(ip.family, ip.value, length);
}

function networkValue(cidr: Cidr): bigint {
  const ip = parseIp(cidr.text.slice(0, cidr.text.indexOf('/')));
  if (ip === undefined) throw new Error(`not a canonical CIDR: ${cidr.text}`);
  return ip.value;
}

/** Number of addresses in the CIDR. */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(BITS[cidr.family] - cidr.prefixLength);
}

export function cidrFirst(cidr: Cidr): bigint {
  return networkValue(cidr);
}

export function cidrLast(cidr: Cidr): bigint {
  return networkValue(cidr) + cidrSize(cidr) - 1n;
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  const first = cidrFirst(cidr);
  return ip.value >= first && ip.value <= first + cidrSize(cidr) - 1n;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return cidrFirst(a) <= cidrLast(b) && cidrFirst(b) <= cidrLast(a);
}

/**
 * The smallest list of CIDRs covering exactly `start..end` (inclusive), lowest first.
 * Empty when the families differ or start is after end: the caller reports that.
 */
export function rangeToCidrs(start: ParsedIp, end: ParsedIp): Cidr[] {
  if (start.family !== end.family || start.value > end.value) return [];
  const bits = BITS[start.family];
  const cidrs: Cidr[] = [];
  let current = start.value;
  while (current <= end.value) {
    // Largest aligned block starting at `current` that does not pass `end`.
    let hostBits = 0;
    while (hostBits < bits) {
      const size = 1n << BigInt(hostBits + 1);
      if (current % size !== 0n || current + size - 1n > end.value) break;
      hostBits += 1;
    }
    cidrs.push(makeCidr(start.family, current, bits - hostBits));
    current += 1n << BigInt(hostBits);
  }
  return cidrs;
}
