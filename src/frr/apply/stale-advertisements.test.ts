import {
  confirmedStale,
  desiredRouters,
  surplusAdvertisements,
  type StaleAdvertisement,
} from './stale-advertisements.js';

const DESIRED = `router bgp 65100
 no bgp default ipv4-unicast
 neighbor 192.0.2.1 remote-as 65000
 !
 address-family ipv4 unicast
  neighbor 192.0.2.1 activate
  network 203.0.113.5/32 route-map ferry-c-a
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8::5/128 route-map ferry-c-a
 exit-address-family
exit
!
router bgp 65100 vrf red
 address-family ipv4 unicast
  network 203.0.113.7/32 route-map ferry-c-a
 exit-address-family
exit
`;

const V4 = { router: 'router bgp 65100', family: 'address-family ipv4 unicast' };
const V6 = { router: 'router bgp 65100', family: 'address-family ipv6 unicast' };
const RED = { router: 'router bgp 65100 vrf red', family: 'address-family ipv4 unicast' };

describe('surplusAdvertisements', () => {
  it.each<[string, Record<string, string[]>, StaleAdvertisement[]]>([
    ['exactly the desired networks', { '': ['203.0.113.5/32', '2001:db8::5/128'] }, []],
    ['fewer than desired (missing is the running-config check)', { '': [] }, []],
    [
      'a host route with no network line (the chaos seed 2026 case)',
      { '': ['203.0.113.5/32', '198.18.0.110/32', '198.18.0.158/32'] },
      [
        { ...V4, prefix: '198.18.0.110/32' },
        { ...V4, prefix: '198.18.0.158/32' },
      ],
    ],
    ['an IPv6 host route', { '': ['2001:db8::9/128'] }, [{ ...V6, prefix: '2001:db8::9/128' }]],
    ['not a host route: ferry never originated it', { '': ['203.0.113.0/24', '2001:db8::/64'] }, []],
    [
      'desired in another VRF only',
      { '': ['203.0.113.7/32'], red: ['203.0.113.5/32'] },
      [
        { ...V4, prefix: '203.0.113.7/32' },
        { ...RED, prefix: '203.0.113.5/32' },
      ],
    ],
    ['a VRF with no router in the desired config', { blue: ['203.0.113.9/32'] }, []],
  ])('%s', (_, advertised, expected) => {
    const byVrf = new Map(Object.entries(advertised).map(([vrf, prefixes]) => [vrf, [new Set(prefixes)]]));
    expect(surplusAdvertisements(desiredRouters(DESIRED), byVrf)).toEqual(expected);
  });
});

test('a prefix advertised to two peers of a VRF is one entry; text that is no address is none', () => {
  const advertised = new Map([
    ['', [new Set(['198.18.0.1/32', 'zz/32']), new Set(['198.18.0.1/32', '::x/128'])]],
  ]);
  expect(surplusAdvertisements(desiredRouters(DESIRED), advertised)).toEqual([
    { ...V4, prefix: '198.18.0.1/32' },
  ]);
});

describe('confirmedStale', () => {
  const a = { ...V4, prefix: '198.18.0.110/32' };
  const b = { ...V4, prefix: '198.18.0.158/32' };
  const aInRed = { ...RED, prefix: '198.18.0.110/32' };
  it.each<[string, StaleAdvertisement[] | undefined, StaleAdvertisement[], boolean, StaleAdvertisement[]]>([
    ['first sighting: wait for a second one', undefined, [a, b], false, []],
    ['seen twice, no apply between: repair', [a, b], [a, b], false, [a, b]],
    ['seen twice but an apply ran between: wait again', [a, b], [a, b], true, []],
    ['only what both saw', [a], [a, b], false, [a]],
    ['gone by itself', [a, b], [], false, []],
    ['same prefix, other VRF: not the same route', [aInRed], [a], false, []],
  ])('%s', (_, previous, current, appliedSince, expected) => {
    expect(confirmedStale(previous, current, appliedSince)).toEqual(expected);
  });
});
