// Seeing the next owner take an IP over, while this node hands its IPs over before stopping: a
// frame in which another host claims one of our owned IPs — its gratuitous ARP (request or reply
// with that sender IP), its ARP reply, or its Neighbor Advertisement for that target. Pure, so the
// rule is table-tested with built frames.
import { parseArpFrame } from './arp.js';
import { sameMac } from './mac.js';
import { parseNeighborAdvertisement } from './ndp.js';
import { ipv4Text, ipv6Text, type OwnedTable } from './owned.js';

/** The owned IP another host (a MAC not in `ourMacs`) announces in `frame`, if any. */
export function claimedByOther(
  frame: Buffer,
  kind: 'arp' | 'ndp',
  ourMacs: readonly Uint8Array[],
  owned: OwnedTable,
): string | undefined {
  const ours = (mac: Uint8Array) => ourMacs.some((own) => sameMac(own, mac));
  if (kind === 'arp') {
    const packet = parseArpFrame(frame);
    if (packet === undefined || ours(packet.senderMac)) return undefined;
    const ip = ipv4Text(packet.senderIp);
    return owned.has(ip) ? ip : undefined;
  }
  const advertisement = parseNeighborAdvertisement(frame);
  if (advertisement === undefined || ours(advertisement.targetMac ?? advertisement.ethernetSource))
    return undefined;
  const ip = ipv6Text(advertisement.target);
  return owned.has(ip) ? ip : undefined;
}
