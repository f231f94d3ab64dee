import { parseIp } from '../net/ip.js';
import { buildArpReply, buildArpRequest, buildGratuitousArp, parseArpFrame } from './arp.js';
import { buildUnsolicitedAdvertisement } from './ndp.js';
import { ipv4Number, ipv6Bytes, type OwnedAddress, type OwnedTable } from './owned.js';
import { claimedByOther } from './takeover.js';

const OURS = Buffer.from('020000000001', 'hex');
const OURS_OTHER_LINK = Buffer.from('020000000002', 'hex');
const NEXT_OWNER = Buffer.from('020000000023', 'hex');
const CLIENT = Buffer.from('020000000100', 'hex');
const LINK_LOCAL = Buffer.from('fe800000000000000000000000000023', 'hex');

function ip(text: string) {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(text);
  return parsed;
}
const OWNED: OwnedTable = new Map(
  ['192.0.2.202', '2001:db8::202'].map((text): [string, OwnedAddress] => [
    text,
    { ip: ip(text), interfaces: undefined },
  ]),
);
const v4 = (text: string) => ipv4Number(ip(text));
const request = (mac: Buffer, from: string, target: string) => buildArpRequest(mac, v4(from), v4(target));
const reply = (mac: Buffer, address: string) => {
  const asked = parseArpFrame(request(CLIENT, '192.0.2.100', address));
  if (asked === undefined) throw new Error('request');
  return buildArpReply(asked, mac);
};
const advertisement = (mac: Buffer, target: string) =>
  buildUnsolicitedAdvertisement({ ourMac: mac, sourceIp: LINK_LOCAL, target: ipv6Bytes(ip(target)) });

describe('claimedByOther: the next owner announcing one of our IPs while we hand it over', () => {
  const cases: Array<[string, Buffer, 'arp' | 'ndp', string | undefined]> = [
    [
      'its gratuitous ARP request',
      buildGratuitousArp(v4('192.0.2.202'), NEXT_OWNER)[0] ?? Buffer.alloc(0),
      'arp',
      '192.0.2.202',
    ],
    [
      'its gratuitous ARP reply',
      buildGratuitousArp(v4('192.0.2.202'), NEXT_OWNER)[1] ?? Buffer.alloc(0),
      'arp',
      '192.0.2.202',
    ],
    ['its answer to a client', reply(NEXT_OWNER, '192.0.2.202'), 'arp', '192.0.2.202'],
    [
      'our own gratuitous ARP (another of our links)',
      buildGratuitousArp(v4('192.0.2.202'), OURS_OTHER_LINK)[0] ?? Buffer.alloc(0),
      'arp',
      undefined,
    ],
    ['a client asking for it', request(CLIENT, '192.0.2.100', '192.0.2.202'), 'arp', undefined],
    [
      'a gratuitous ARP for an IP we do not own',
      buildGratuitousArp(v4('192.0.2.203'), NEXT_OWNER)[0] ?? Buffer.alloc(0),
      'arp',
      undefined,
    ],
    [
      'its unsolicited Neighbor Advertisement',
      advertisement(NEXT_OWNER, '2001:db8::202'),
      'ndp',
      '2001:db8::202',
    ],
    ['our own Neighbor Advertisement', advertisement(OURS, '2001:db8::202'), 'ndp', undefined],
    ['an advertisement for another target', advertisement(NEXT_OWNER, '2001:db8::203'), 'ndp', undefined],
    ['an ARP frame on the NDP socket', request(CLIENT, '192.0.2.100', '192.0.2.202'), 'ndp', undefined],
    ['a truncated frame', Buffer.alloc(20), 'arp', undefined],
  ];
  test.each(cases)('%s', (_name, frame, kind, expected) => {
    expect(claimedByOther(frame, kind, [OURS, OURS_OTHER_LINK], OWNED)).toBe(expected);
  });
});
