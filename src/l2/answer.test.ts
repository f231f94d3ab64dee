// Frames captured on a lab segment (a Linux client resolving addresses through its kernel), run
// through the responder's decision.
import { parseIp } from '../net/ip.js';
import { answerArp, answerNdp, type ResponderLink } from './answer.js';
import { parseArpFrame } from './arp.js';
import { formatMac } from './mac.js';
import { icmpv6Checksum, parseNeighborAdvertisement, parseNeighborSolicitation } from './ndp.js';
import type { OwnedAddress, OwnedTable } from './owned.js';

/** who-has 198.51.100.200 tell 198.51.100.100 (1e:ad:75:ea:d7:6e), broadcast, padded to 60 bytes */
const ARP_REQUEST = Buffer.from(
  'ffffffffffff1ead75ead76e080600010800060400011ead75ead76ec6336464000000000000c63364c8' + '00'.repeat(18),
  'hex',
);
/** the kernel's Neighbor Solicitation for 2001:db8:5::201 from 2001:db8:5::100 to ff02::1:ff00:201 */
const NEIGHBOR_SOLICITATION = Buffer.from(
  '3333ff0002011ead75ead76e86dd6000000000203aff20010db8000500000000000000000100ff0200000000000000000001ff000201' +
    '8700ad1a0000000020010db800050000000000000000020101011ead75ead76e',
  'hex',
);

const link: ResponderLink = {
  name: 'eth0',
  mac: Buffer.from('8ad527a555a6', 'hex'),
  linkLocal: Buffer.from('fe8000000000000088d527fffea555a6', 'hex'),
};

function table(...entries: Array<[string, readonly string[] | undefined]>): OwnedTable {
  return new Map(
    entries.map(([text, interfaces]): [string, OwnedAddress] => {
      const ip = parseIp(text);
      if (ip === undefined) throw new Error(text);
      return [ip.text, { ip, interfaces: interfaces === undefined ? undefined : new Set(interfaces) }];
    }),
  );
}

describe('answerArp', () => {
  it('answers an owned IP with our MAC, unicast back to the asker', () => {
    const verdict = answerArp(ARP_REQUEST, link, table(['198.51.100.200', undefined]));
    if (verdict.kind !== 'reply') throw new Error(JSON.stringify(verdict));
    expect(verdict.ip).toBe('198.51.100.200');
    // reply: to 1e:ad:75:ea:d7:6e, from us, "198.51.100.200 is at 8a:d5:27:a5:55:a6", to 198.51.100.100
    expect(verdict.frame.toString('hex')).toBe(
      '1ead75ead76e8ad527a555a6080600010800060400028ad527a555a6c63364c81ead75ead76ec6336464' +
        '00'.repeat(18),
    );
  });

  it.each([
    ['an IP not owned', table(['198.51.100.201', undefined]), 'notOwned'],
    ['an owned IP limited to other interfaces', table(['198.51.100.200', ['eth1']]), 'notOwned'],
  ])('stays silent for %s', (_name, owned, reason) => {
    expect(answerArp(ARP_REQUEST, link, owned)).toEqual({ kind: 'drop', reason, ip: '198.51.100.200' });
  });

  it('answers on an interface the L2Advertisement names', () => {
    expect(answerArp(ARP_REQUEST, link, table(['198.51.100.200', ['eth1', 'eth0']])).kind).toBe('reply');
  });

  it('ignores replies, requests to another MAC, and frames that are not Ethernet/IPv4 ARP', () => {
    const owned = table(['198.51.100.200', undefined]);
    const reply = Buffer.from(ARP_REQUEST);
    reply.writeUInt16BE(2, 20);
    expect(answerArp(reply, link, owned)).toEqual({ kind: 'drop', reason: 'notRequest' });
    const elsewhere = Buffer.from(ARP_REQUEST);
    elsewhere.set([0x02, 0, 0, 0, 0, 1], 0);
    expect(answerArp(elsewhere, link, owned)).toEqual({ kind: 'drop', reason: 'ethernetDestination' });
    const toUs = Buffer.from(ARP_REQUEST);
    link.mac.copy(toUs, 0);
    expect(answerArp(toUs, link, owned).kind).toBe('reply');
    expect(answerArp(ARP_REQUEST.subarray(0, 30), link, owned)).toEqual({
      kind: 'drop',
      reason: 'malformed',
    });
    const notIpv4 = Buffer.from(ARP_REQUEST);
    notIpv4.writeUInt16BE(0x86dd, 16);
    expect(answerArp(notIpv4, link, owned)).toEqual({ kind: 'drop', reason: 'malformed' });
  });

  it('builds a reply the parser reads back as "target is at our MAC"', () => {
    const verdict = answerArp(ARP_REQUEST, link, table(['198.51.100.200', undefined]));
    if (verdict.kind !== 'reply') throw new Error('no reply');
    const parsed = parseArpFrame(verdict.frame);
    expect(parsed?.operation).toBe('reply');
    expect(formatMac(parsed?.senderMac ?? Buffer.alloc(6))).toBe('8a:d5:27:a5:55:a6');
  });
});

describe('answerNdp', () => {
  it('parses the kernel solicitation (checksum, source link-layer option)', () => {
    const solicitation = parseNeighborSolicitation(NEIGHBOR_SOLICITATION);
    expect(formatMac(solicitation?.sourceMac ?? Buffer.alloc(6))).toBe('1e:ad:75:ea:d7:6e');
    expect(solicitation?.target.toString('hex')).toBe('20010db8000500000000000000000201');
  });

  it('answers with a solicited, override advertisement from our link-local address to the asker', () => {
    const verdict = answerNdp(NEIGHBOR_SOLICITATION, link, table(['2001:db8:5::201', undefined]));
    if (verdict.kind !== 'reply') throw new Error(JSON.stringify(verdict));
    expect(verdict.ip).toBe('2001:db8:5::201');
    const advertisement = parseNeighborAdvertisement(verdict.frame);
    expect(advertisement).toMatchObject({ solicited: true, override: true });
    expect(advertisement?.destinationIp.toString('hex')).toBe('20010db8000500000000000000000100');
    expect(advertisement?.sourceIp.equals(link.linkLocal ?? Buffer.alloc(0))).toBe(true);
    expect(formatMac(advertisement?.targetMac ?? Buffer.alloc(6))).toBe('8a:d5:27:a5:55:a6');
    expect(verdict.frame.subarray(0, 6).toString('hex')).toBe('1ead75ead76e');
  });

  it('drops a corrupted checksum, a routed (hop limit < 255) solicitation and IPs not owned', () => {
    const owned = table(['2001:db8:5::201', undefined]);
    const corrupt = Buffer.from(NEIGHBOR_SOLICITATION);
    corrupt[57] = (corrupt[57] ?? 0) ^ 1;
    expect(answerNdp(corrupt, link, owned)).toEqual({ kind: 'drop', reason: 'malformed' });
    const routed = Buffer.from(NEIGHBOR_SOLICITATION);
    routed[21] = 64;
    expect(answerNdp(routed, link, owned)).toEqual({ kind: 'drop', reason: 'malformed' });
    expect(answerNdp(NEIGHBOR_SOLICITATION, link, table(['2001:db8:5::200', undefined]))).toEqual({
      kind: 'drop',
      reason: 'notOwned',
      ip: '2001:db8:5::201',
    });
  });

  it('computes the ICMPv6 checksum as RFC 4443 §2.3 defines it (0 over a valid message)', () => {
    const ip = NEIGHBOR_SOLICITATION.subarray(14);
    expect(icmpv6Checksum(ip.subarray(8, 24), ip.subarray(24, 40), ip.subarray(40))).toBe(0);
  });
});
