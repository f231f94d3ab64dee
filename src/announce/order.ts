// Numeric order for addresses and prefixes (IPv4 before IPv6, then by value, then by length), so
// `10.0.0.2` sorts before `10.0.0.10`; text that does not parse sorts last, by code unit.
import { parseIp } from '../net/ip.js';
import { compareText } from './peers.js';

export function compareAddressText(a: string, b: string): number {
  const left = parseIp(a);
  const right = parseIp(b);
  if (left === undefined || right === undefined) {
    if (left !== undefined) return -1;
    if (right !== undefined) return 1;
    return compareText(a, b);
  }
  if (left.family !== right.family) return left.family === 'ipv4' ? -1 : 1;
  return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
}

/** `address/length` */
export function comparePrefixText(a: string, b: string): number {
  const [addressA = '', lengthA = ''] = a.split('/');
  const [addressB = '', lengthB = ''] = b.split('/');
  return compareAddressText(addressA, addressB) || Number(lengthA) - Number(lengthB) || compareText(a, b);
}
