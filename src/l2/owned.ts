// The IPs this node answers for, and on which interfaces: the responder's whole input.
import { parseIp, type ParsedIp } from '../net/ip.js';

export interface OwnedAddress {
  readonly ip: ParsedIp;
  /** the L2Advertisements' `interfaces`; undefined: every suitable interface */
  readonly interfaces: ReadonlySet<string> | undefined;
}

/** Owned addresses by canonical text. */
export type OwnedTable = ReadonlyMap<string, OwnedAddress>;

export function ownedOn(table: OwnedTable, ipText: string, interfaceName: string): boolean {
  const owned = table.get(ipText);
  if (owned === undefined) return false;
  return owned.interfaces === undefined || owned.interfaces.has(interfaceName);
}

export function ipv4Number(ip: ParsedIp): number {
  return Number(ip.value);
}

export function ipv4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => String((value >>> shift) & 0xff)).join('.');
}

export function ipv6Bytes(ip: ParsedIp): Buffer {
  return Buffer.from(ip.value.toString(16).padStart(32, '0'), 'hex');
}

/** 16 bytes → canonical IPv6 text. */
export function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return parseIp(groups.join(':'))?.text ?? '';
}
