// ARP over Ethernet for IPv4 (RFC 826): parsing requests and building replies and gratuitous
// announcements, on whole Ethernet frames as the packet socket reads and writes them.
import { BROADCAST_MAC, MAC_LENGTH } from './mac.js';

export const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV4 = 0x0800;
const HARDWARE_ETHERNET = 1;
const ETHERNET_HEADER = 14;
const ARP_LENGTH = 28;
/** the shortest Ethernet payload; shorter frames are padded (the kernel pads on send, too) */
const MIN_FRAME = 60;

export type ArpOperation = 'request' | 'reply';

export interface ArpPacket {
  readonly ethernetDestination: Buffer;
  readonly ethernetSource: Buffer;
  readonly operation: ArpOperation;
  readonly senderMac: Buffer;
  /** IPv4 address as a number (0..2^32-1) */
  readonly senderIp: number;
  readonly targetMac: Buffer;
  readonly targetIp: number;
}

/** An Ethernet/IPv4 ARP request or reply; undefined for any other frame. */
export function parseArpFrame(frame: Buffer): ArpPacket | undefined {
  if (frame.length < ETHERNET_HEADER + ARP_LENGTH) return undefined;
  if (frame.readUInt16BE(12) !== ETHERTYPE_ARP) return undefined;
  const arp = frame.subarray(ETHERNET_HEADER);
  if (arp.readUInt16BE(0) !== HARDWARE_ETHERNET || arp.readUInt16BE(2) !== ETHERTYPE_IPV4) return undefined;
  if (arp[4] !== MAC_LENGTH || arp[5] !== 4) return undefined;
  const code = arp.readUInt16BE(6);
  if (code !== 1 && code !== 2) return undefined;
  return {
    ethernetDestination: Buffer.from(frame.subarray(0, 6)),
    ethernetSource: Buffer.from(frame.subarray(6, 12)),
    operation: code === 1 ? 'request' : 'reply',
    senderMac: Buffer.from(arp.subarray(8, 14)),
    senderIp: arp.readUInt32BE(14),
    targetMac: Buffer.from(arp.subarray(18, 24)),
    targetIp: arp.readUInt32BE(24),
  };
}

interface ArpFields {
  readonly ethernetDestination: Uint8Array;
  readonly ethernetSource: Uint8Array;
  readonly operation: ArpOperation;
  readonly senderMac: Uint8Array;
  readonly senderIp: number;
  readonly targetMac: Uint8Array;
  readonly targetIp: number;
}

export function buildArpFrame(fields: ArpFields): Buffer {
  const frame = Buffer.alloc(MIN_FRAME);
  frame.set(fields.ethernetDestination.subarray(0, 6), 0);
  frame.set(fields.ethernetSource.subarray(0, 6), 6);
  frame.writeUInt16BE(ETHERTYPE_ARP, 12);
  const arp = frame.subarray(ETHERNET_HEADER);
  arp.writeUInt16BE(HARDWARE_ETHERNET, 0);
  arp.writeUInt16BE(ETHERTYPE_IPV4, 2);
  arp[4] = MAC_LENGTH;
  arp[5] = 4;
  arp.writeUInt16BE(fields.operation === 'request' ? 1 : 2, 6);
  arp.set(fields.senderMac.subarray(0, 6), 8);
  arp.writeUInt32BE(fields.senderIp >>> 0, 14);
  arp.set(fields.targetMac.subarray(0, 6), 18);
  arp.writeUInt32BE(fields.targetIp >>> 0, 24);
  return frame;
}

/** "targetIp is at ourMac", sent straight back to whoever asked (as MetalLB does: unicast). */
export function buildArpReply(request: ArpPacket, ourMac: Uint8Array): Buffer {
  return buildArpFrame({
    ethernetDestination: request.senderMac,
    ethernetSource: ourMac,
    operation: 'reply',
    senderMac: ourMac,
    senderIp: request.targetIp,
    targetMac: request.senderMac,
    targetIp: request.senderIp,
  });
}

/**
 * Gratuitous ARP for `ip` at `ourMac`, broadcast, as a request and as a reply: some hosts update
 * their caches only from one kind (MetalLB sends both for the same reason).
 */
export function buildGratuitousArp(ip: number, ourMac: Uint8Array): Buffer[] {
  return (['request', 'reply'] as const).map((operation) =>
    buildArpFrame({
      ethernetDestination: BROADCAST_MAC,
      ethernetSource: ourMac,
      operation,
      senderMac: ourMac,
      senderIp: ip,
      targetMac: BROADCAST_MAC,
      targetIp: ip,
    }),
  );
}

/** A who-has request from (mac, ip) for targetIp, broadcast (used by probes and tests). */
export function buildArpRequest(ourMac: Uint8Array, ourIp: number, targetIp: number): Buffer {
  return buildArpFrame({
    ethernetDestination: BROADCAST_MAC,
    ethernetSource: ourMac,
    operation: 'request',
    senderMac: ourMac,
    senderIp: ourIp,
    targetMac: Buffer.alloc(6),
    targetIp,
  });
}
