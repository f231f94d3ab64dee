import { parseConfigTree } from './config-tree.js';
import { networkLineDifference, networkLines } from './network-lines.js';

const RENDERED = `router bgp 65100
 no bgp default ipv4-unicast
 neighbor 192.0.2.1 remote-as 65000
 !
 address-family ipv4 unicast
  neighbor 192.0.2.1 activate
  network 203.0.113.5/32 route-map ferry-c-a
  network 203.0.113.6/32 route-map ferry-c-b
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8::5/128 route-map ferry-c-a
 exit-address-family
exit
!
router bgp 65100 vrf red
 address-family ipv4 unicast
  network 203.0.113.5/32 route-map ferry-c-a
 exit-address-family
exit
!
route-map ferry-c-a permit 10
 set community 65000:100
exit
`;

// What FRR prints for the same config: its own order, banner, version lines, defaults.
const PRINTED = `Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults datacenter
hostname node1
!
router bgp 65100 vrf red
 !
 address-family ipv4 unicast
  network 203.0.113.5/32 route-map ferry-c-a
 exit-address-family
exit
!
router bgp 65100
 no bgp default ipv4-unicast
 neighbor 192.0.2.1 remote-as 65000
 !
 address-family ipv6 unicast
  network 2001:db8::5/128 route-map ferry-c-a
 exit-address-family
 !
 address-family ipv4 unicast
  network 203.0.113.6/32 route-map ferry-c-b
  network 203.0.113.5/32 route-map ferry-c-a
  neighbor 192.0.2.1 activate
 exit-address-family
exit
!
route-map ferry-c-a permit 10
 set community 65000:100
exit
!
end
`;

describe('networkLines', () => {
  test('the rendered config and FRR printing it originate the same prefixes', () => {
    expect(networkLines(parseConfigTree(PRINTED))).toEqual(networkLines(parseConfigTree(RENDERED)));
    expect(networkLines(parseConfigTree(RENDERED))).toEqual([
      'router bgp 65100 / address-family ipv4 unicast / network 203.0.113.5/32 route-map ferry-c-a',
      'router bgp 65100 / address-family ipv4 unicast / network 203.0.113.6/32 route-map ferry-c-b',
      'router bgp 65100 / address-family ipv6 unicast / network 2001:db8::5/128 route-map ferry-c-a',
      'router bgp 65100 vrf red / address-family ipv4 unicast / network 203.0.113.5/32 route-map ferry-c-a',
    ]);
  });

  test('a stale line, a missing one, another route map and another VRF all differ', () => {
    const desired = networkLines(parseConfigTree(RENDERED));
    const variants = [
      PRINTED.replace('  network 203.0.113.6/32 route-map ferry-c-b\n', ''),
      PRINTED.replace(
        '  network 203.0.113.6/32',
        '  network 203.0.113.7/32 route-map ferry-c-b\n  network 203.0.113.6/32',
      ),
      PRINTED.replace(
        'network 203.0.113.6/32 route-map ferry-c-b',
        'network 203.0.113.6/32 route-map ferry-c-a',
      ),
      PRINTED.replace('router bgp 65100 vrf red', 'router bgp 65100 vrf blue'),
    ];
    for (const variant of variants) expect(networkLines(parseConfigTree(variant))).not.toEqual(desired);
  });

  test('an FRR that restarted empty originates nothing', () => {
    expect(networkLines(parseConfigTree('frr version 8.4.4\nfrr defaults datacenter\n!\nend\n'))).toEqual([]);
  });
});

describe('networkLineDifference', () => {
  test('names the stale and the missing lines', () => {
    expect(networkLineDifference(['a', 'b', 'c'], ['b', 'c', 'd'])).toEqual({ extra: ['a'], missing: ['d'] });
    expect(networkLineDifference(['a'], ['a'])).toEqual({ extra: [], missing: [] });
  });
});
