// Numeric order for addresses and prefixes (IPv4 before IPv6, then by value, then by length), so
// `10.0.0.2` sorts before `10.0.0.10`; text that does not parse sorts last, by code unit. Sorting
// goes through precomputed keys: parsing inside a comparator would parse each address log n times.
import { compareText } from '../util/order.js';
import { parseIp } from './ip.js';

export interface AddressKey {
  /** 0 IPv4, 1 IPv6, 2 not an address */
  readonly rank: number;
  readonly value: bigint;
  readonly text: string;
}

export function addressKey(text: string): AddressKey {
  const ip = parseIp(text);
  if (ip === undefined) return { rank: 2, value: 0n, text };
  return { rank: ip.family === 'ipv4' ? 0 : 1, value: ip.value, text };
}

export function compareAddressKeys(a: AddressKey, b: AddressKey): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === 2) return compareText(a.text, b.text);
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export interface PrefixKey {
  readonly address: AddressKey;
  readonly length: number;
}

/** `address/length` */
export function prefixKey(text: string): PrefixKey {
  const [address = '', length = ''] = text.split('/');
  return { address: addressKey(address), length: Number(length) };
}

export function comparePrefixKeys(a: PrefixKey, b: PrefixKey): number {
  return compareAddressKeys(a.address, b.address) || a.length - b.length;
}

/**
 * A text whose code-unit order is `comparePrefixKeys`'s order (for prefixes of valid addresses with
 * numeric lengths): kept per prefix, a sort of 10,000 network lines compares strings instead of
 * parsing addresses and comparing bigints on every render.
 */
export function prefixSortText(text: string): string {
  const { address, length } = prefixKey(text);
  const paddedLength = String(length).padStart(3, '0');
  if (address.rank === 2) return `c${address.text}\u0000${paddedLength}`;
  const digits = address.rank === 0 ? 8 : 32;
  return `${address.rank === 0 ? 'a' : 'b'}${address.value.toString(16).padStart(digits, '0')}${paddedLength}`;
}
