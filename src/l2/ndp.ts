// IPv6 Neighbor Discovery (RFC 4861) for the responder: parsing Neighbor Solicitations and building
// Neighbor Advertisements, on whole Ethernet frames. Addresses are 16-byte buffers.
import { MAC_LENGTH } from './mac.js';

export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERNET_HEADER = 14;
const IPV6_HEADER = 40;
const NEXT_HEADER_ICMPV6 = 58;
const TYPE_NEIGHBOR_SOLICITATION = 135;
const TYPE_NEIGHBOR_ADVERTISEMENT = 136;
const OPTION_SOURCE_LINK_LAYER = 1;
const OPTION_TARGET_LINK_LAYER = 2;
/** RFC 4861 §7.1.1: hop limit 255 proves the message was not routed */
const NDP_HOP_LIMIT = 255;

/** ff02::1, all nodes on the link */
export const ALL_NODES = Buffer.from('ff020000000000000000000000000001', 'hex');
const UNSPECIFIED = Buffer.alloc(16);

export interface NeighborSolicitation {
  readonly ethernetSource: Buffer;
  readonly ethernetDestination: Buffer;
  readonly sourceIp: Buffer;
  readonly destinationIp: Buffer;
  readonly target: Buffer;
  /** the source link-layer address option, when present (absent in duplicate address detection) */
  readonly sourceMac: Buffer | undefined;
}

export interface NeighborAdvertisement {
  readonly ethernetSource: Buffer;
  readonly sourceIp: Buffer;
  readonly destinationIp: Buffer;
  readonly target: Buffer;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly targetMac: Buffer | undefined;
}

interface Icmpv6View {
  readonly ethernetDestination: Buffer;
  readonly ethernetSource: Buffer;
  readonly sourceIp: Buffer;
  readonly destinationIp: Buffer;
  readonly message: Buffer;
}

function icmpv6Of(frame: Buffer, type: number): Icmpv6View | undefined {
  if (frame.length < ETHERNET_HEADER + IPV6_HEADER + 24) return undefined;
  if (frame.readUInt16BE(12) !== ETHERTYPE_IPV6) return undefined;
  const ip = frame.subarray(ETHERNET_HEADER);
  if ((ip[0] ?? 0) >> 4 !== 6 || ip[6] !== NEXT_HEADER_ICMPV6 || ip[7] !== NDP_HOP_LIMIT) return undefined;
  const payloadLength = ip.readUInt16BE(4);
  if (IPV6_HEADER + payloadLength > ip.length) return undefined;
  const message = ip.subarray(IPV6_HEADER, IPV6_HEADER + payloadLength);
  if (message[0] !== type || message[1] !== 0) return undefined;
  const sourceIp = Buffer.from(ip.subarray(8, 24));
  const destinationIp = Buffer.from(ip.subarray(24, 40));
  if (icmpv6Checksum(sourceIp, destinationIp, message) !== 0) return undefined;
  return {
    ethernetDestination: Buffer.from(frame.subarray(0, 6)),
    ethernetSource: Buffer.from(frame.subarray(6, 12)),
    sourceIp,
    destinationIp,
    message,
  };
}

/** The link-layer address in option `kind`, scanning the options after `offset`. */
function linkLayerOption(message: Buffer, offset: number, kind: number): Buffer | undefined {
  let at = offset;
  while (at + 2 <= message.length) {
    const units = message[at + 1] ?? 0;
    if (units === 0) return undefined; // RFC 4861 §4.6: length 0 is invalid, drop the rest
    if (message[at] === kind && units === 1 && at + 8 <= message.length)
      return Buffer.from(message.subarray(at + 2, at + 2 + MAC_LENGTH));
    at += units * 8;
  }
  return undefined;
}

/** A valid Neighbor Solicitation (hop limit 255, checksum, not for a multicast target); else undefined. */
export function parseNeighborSolicitation(frame: Buffer): NeighborSolicitation | undefined {
  const view = icmpv6Of(frame, TYPE_NEIGHBOR_SOLICITATION);
  if (view === undefined) return undefined;
  const target = Buffer.from(view.message.subarray(8, 24));
  if (target[0] === 0xff) return undefined;
  const sourceMac = linkLayerOption(view.message, 24, OPTION_SOURCE_LINK_LAYER);
  // RFC 4861 §7.1.1: from the unspecified address (DAD) there must be no source link-layer option.
  if (view.sourceIp.equals(UNSPECIFIED) && sourceMac !== undefined) return undefined;
  return {
    ethernetSource: view.ethernetSource,
    ethernetDestination: view.ethernetDestination,
    sourceIp: view.sourceIp,
    destinationIp: view.destinationIp,
    target,
    sourceMac,
  };
}

/** A valid Neighbor Advertisement (used by probes and tests); else undefined. */
export function parseNeighborAdvertisement(frame: Buffer): NeighborAdvertisement | undefined {
  const view = icmpv6Of(frame, TYPE_NEIGHBOR_ADVERTISEMENT);
  if (view === undefined) return undefined;
  const flags = view.message[4] ?? 0;
  return {
    ethernetSource: view.ethernetSource,
    sourceIp: view.sourceIp,
    destinationIp: view.destinationIp,
    target: Buffer.from(view.message.subarray(8, 24)),
    solicited: (flags & 0x40) !== 0,
    override: (flags & 0x20) !== 0,
    targetMac: linkLayerOption(view.message, 24, OPTION_TARGET_LINK_LAYER),
  };
}

/** The ones' complement sum over the IPv6 pseudo-header and the message (0 when the checksum holds). */
export function icmpv6Checksum(source: Buffer, destination: Buffer, message: Buffer): number {
  let sum = 0;
  const add = (buffer: Buffer): void => {
    for (let i = 0; i + 1 < buffer.length; i += 2) sum += buffer.readUInt16BE(i);
    if (buffer.length % 2 === 1) sum += (buffer[buffer.length - 1] ?? 0) << 8;
  };
  add(source);
  add(destination);
  sum += message.length >>> 16;
  sum += message.length & 0xffff;
  sum += NEXT_HEADER_ICMPV6;
  add(message);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** ff02::1:ffXX:XXXX, the solicited-node multicast group of `ip` (RFC 4291 §2.7.1). */
export function solicitedNodeGroup(ip: Buffer): Buffer {
  const group = Buffer.from('ff0200000000000000000001ff000000', 'hex');
  ip.copy(group, 13, 13, 16);
  return group;
}

/** 33:33 followed by the group's last four bytes (RFC 2464 §7). */
export function multicastMac(group: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x33, 0x33]), group.subarray(12, 16)]);
}

interface IcmpFrame {
  readonly ethernetDestination: Uint8Array;
  readonly ethernetSource: Uint8Array;
  readonly sourceIp: Buffer;
  readonly destinationIp: Buffer;
  readonly message: Buffer;
}

function buildIcmpv6Frame(fields: IcmpFrame): Buffer {
  const frame = Buffer.alloc(ETHERNET_HEADER + IPV6_HEADER + fields.message.length);
  frame.set(fields.ethernetDestination.subarray(0, 6), 0);
  frame.set(fields.ethernetSource.subarray(0, 6), 6);
  frame.writeUInt16BE(ETHERTYPE_IPV6, 12);
  const ip = frame.subarray(ETHERNET_HEADER);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(fields.message.length, 4);
  ip[6] = NEXT_HEADER_ICMPV6;
  ip[7] = NDP_HOP_LIMIT;
  fields.sourceIp.copy(ip, 8);
  fields.destinationIp.copy(ip, 24);
  const message = ip.subarray(IPV6_HEADER);
  fields.message.copy(message);
  message.writeUInt16BE(0, 2);
  message.writeUInt16BE(icmpv6Checksum(fields.sourceIp, fields.destinationIp, message), 2);
  return frame;
}

function neighborMessage(
  type: number,
  flags: number,
  target: Buffer,
  option: number,
  mac: Uint8Array,
): Buffer {
  const message = Buffer.alloc(32);
  message[0] = type;
  message[4] = flags;
  target.copy(message, 8);
  message[24] = option;
  message[25] = 1;
  message.set(mac.subarray(0, 6), 26);
  return message;
}

export interface AdvertisementFields {
  readonly ourMac: Uint8Array;
  /** the source address: the interface's link-local address (RFC 4861 §7.2.4 allows any of its addresses) */
  readonly sourceIp: Buffer;
  readonly target: Buffer;
}

/**
 * The answer to `solicitation`: solicited, override set (we own the address, as MetalLB's solicited
 * answers do not), back to its sender; to all nodes, not solicited, when it came from `::` (DAD).
 */
export function buildNeighborAdvertisement(
  fields: AdvertisementFields,
  solicitation: NeighborSolicitation,
): Buffer {
  const fromDad = solicitation.sourceIp.equals(UNSPECIFIED);
  const flags = fromDad ? 0x20 : 0x60;
  return buildIcmpv6Frame({
    ethernetDestination: fromDad
      ? multicastMac(ALL_NODES)
      : (solicitation.sourceMac ?? solicitation.ethernetSource),
    ethernetSource: fields.ourMac,
    sourceIp: fields.sourceIp,
    destinationIp: fromDad ? ALL_NODES : solicitation.sourceIp,
    message: neighborMessage(
      TYPE_NEIGHBOR_ADVERTISEMENT,
      flags,
      fields.target,
      OPTION_TARGET_LINK_LAYER,
      fields.ourMac,
    ),
  });
}

/** Unsolicited Neighbor Advertisement with override to all nodes: the IPv6 gratuitous ARP. */
export function buildUnsolicitedAdvertisement(fields: AdvertisementFields): Buffer {
  return buildIcmpv6Frame({
    ethernetDestination: multicastMac(ALL_NODES),
    ethernetSource: fields.ourMac,
    sourceIp: fields.sourceIp,
    destinationIp: ALL_NODES,
    message: neighborMessage(
      TYPE_NEIGHBOR_ADVERTISEMENT,
      0x20,
      fields.target,
      OPTION_TARGET_LINK_LAYER,
      fields.ourMac,
    ),
  });
}

/** A Neighbor Solicitation for `target` to its solicited-node group (used by probes and tests). */
export function buildNeighborSolicitation(ourMac: Uint8Array, sourceIp: Buffer, target: Buffer): Buffer {
  const group = solicitedNodeGroup(target);
  return buildIcmpv6Frame({
    ethernetDestination: multicastMac(group),
    ethernetSource: ourMac,
    sourceIp,
    destinationIp: group,
    message: neighborMessage(TYPE_NEIGHBOR_SOLICITATION, 0, target, OPTION_SOURCE_LINK_LAYER, ourMac),
  });
}
