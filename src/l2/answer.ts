// What the responder does with one received frame: a reply to send, or why not. Pure, so every
// rule (MetalLB's: requests only, broadcast or to us, owned IP on this interface) is table-tested
// with real captured bytes.
import { buildArpReply, parseArpFrame } from './arp.js';
import { BROADCAST_MAC, sameMac } from './mac.js';
import { buildNeighborAdvertisement, parseNeighborSolicitation } from './ndp.js';
import { ipv4Text, ipv6Text, ownedOn, type OwnedTable } from './owned.js';

export interface ResponderLink {
  readonly name: string;
  readonly mac: Buffer;
  /** the interface's IPv6 link-local address (source of our advertisements), if it has one */
  readonly linkLocal: Buffer | undefined;
}

/** MetalLB's drop reasons, for debug logs. */
export type DropReason = 'malformed' | 'notRequest' | 'ethernetDestination' | 'notOwned';

export type Verdict =
  | { readonly kind: 'reply'; readonly ip: string; readonly frame: Buffer }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly ip?: string };

export function answerArp(frame: Buffer, link: ResponderLink, owned: OwnedTable): Verdict {
  const packet = parseArpFrame(frame);
  if (packet === undefined) return { kind: 'drop', reason: 'malformed' };
  if (packet.operation !== 'request') return { kind: 'drop', reason: 'notRequest' };
  if (!sameMac(packet.ethernetDestination, BROADCAST_MAC) && !sameMac(packet.ethernetDestination, link.mac))
    return { kind: 'drop', reason: 'ethernetDestination' };
  const ip = ipv4Text(packet.targetIp);
  if (!ownedOn(owned, ip, link.name)) return { kind: 'drop', reason: 'notOwned', ip };
  return { kind: 'reply', ip, frame: buildArpReply(packet, link.mac) };
}

export function answerNdp(frame: Buffer, link: ResponderLink, owned: OwnedTable): Verdict {
  const solicitation = parseNeighborSolicitation(frame);
  if (solicitation === undefined) return { kind: 'drop', reason: 'malformed' };
  const ip = ipv6Text(solicitation.target);
  if (!ownedOn(owned, ip, link.name)) return { kind: 'drop', reason: 'notOwned', ip };
  const advertisement = buildNeighborAdvertisement(
    { ourMac: link.mac, sourceIp: link.linkLocal ?? solicitation.target, target: solicitation.target },
    solicitation,
  );
  return { kind: 'reply', ip, frame: advertisement };
}
