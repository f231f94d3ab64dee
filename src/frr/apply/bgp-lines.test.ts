import {
  addressFamilyLineText,
  atDepth,
  isNetworkLine,
  isRoutedNetworkLine,
  networkLineText,
  parseAddressFamilyLine,
  parseNetworkLine,
  parseRoutedNetworkLine,
  parseRouterBgpLine,
  routerBgpLineText,
} from './bgp-lines.js';

describe('router bgp lines', () => {
  test.each([
    ['router bgp 65100', { asn: 65100, vrf: undefined }],
    ['router bgp 64512 vrf red', { asn: 64512, vrf: 'red' }],
    ['router bgp 0', { asn: 0, vrf: undefined }],
    ['router bgp 4294967295', { asn: 4294967295, vrf: undefined }],
  ])('%s parses and prints back the same', (line, parsed) => {
    expect(parseRouterBgpLine(line)).toEqual(parsed);
    expect(routerBgpLineText(parsed)).toBe(line);
  });

  test.each([
    ['another daemon', 'router ospf'],
    ['no ASN', 'router bgp'],
    ['ASN over 32 bits', 'router bgp 4294967296'],
    ['leading zero (would not print back the same)', 'router bgp 065100'],
    ['a view, not a VRF', 'router bgp 65100 view blue'],
    ['vrf without a name', 'router bgp 65100 vrf'],
    ['indented', ' router bgp 65100'],
    ['double space', 'router bgp  65100'],
  ])('%s: %j does not parse', (_why, line) => {
    expect(parseRouterBgpLine(line)).toBeUndefined();
  });
});

describe('address-family lines', () => {
  test.each([
    ['address-family ipv4 unicast', 'ipv4'],
    ['address-family ipv6 unicast', 'ipv6'],
  ] as const)('%s parses and prints back the same', (line, family) => {
    expect(parseAddressFamilyLine(line)).toEqual({ family });
    expect(addressFamilyLineText({ family })).toBe(line);
  });

  test.each([
    'address-family l2vpn evpn',
    'address-family ipv4 multicast',
    'address-family ipv4 vpn',
    'address-family ipv4',
    ' address-family ipv4 unicast',
    'exit-address-family',
  ])('%j does not parse', (line) => {
    expect(parseAddressFamilyLine(line)).toBeUndefined();
  });
});

describe('network lines', () => {
  test.each([
    ['network 203.0.113.5/32 route-map ferry-c-1a2b', { prefix: '203.0.113.5/32', routeMap: 'ferry-c-1a2b' }],
    ['network 2001:db8::5/128 route-map ferry-c-9', { prefix: '2001:db8::5/128', routeMap: 'ferry-c-9' }],
    ['network 203.0.113.0/24', { prefix: '203.0.113.0/24', routeMap: undefined }],
  ])('%s parses and prints back the same', (line, parsed) => {
    expect(parseNetworkLine(line)).toEqual(parsed);
    expect(isNetworkLine(line)).toBe(true);
    expect(networkLineText(parsed)).toBe(line);
  });

  test.each([
    ['no prefix', 'network'],
    ['route-map without a name', 'network 203.0.113.5/32 route-map'],
    ['something after the route map', 'network 203.0.113.5/32 route-map a extra'],
    ['another option', 'network 203.0.113.5/32 backdoor'],
    ['a negation', 'no network 203.0.113.5/32 route-map a'],
    ['another command', 'neighbor 192.0.2.1 remote-as 65000'],
    ['indented', '  network 203.0.113.5/32 route-map a'],
  ])('%s: %j does not parse', (_why, line) => {
    expect(parseNetworkLine(line)).toBeUndefined();
    expect(isNetworkLine(line)).toBe(false);
  });

  test.each([
    ['  network 203.0.113.5/32 route-map a', 2, true],
    ['  network 203.0.113.5/32', 2, false],
    ['   network 203.0.113.5/32 route-map a', 2, false],
    [' network 203.0.113.5/32 route-map a', 2, false],
    ['network 203.0.113.5/32 route-map a', 2, false],
    ['network 203.0.113.5/32 route-map a', 0, true],
  ])('%j at depth %d is a routed network line: %s', (line, depth, routed) => {
    expect(isRoutedNetworkLine(line, depth)).toBe(routed);
    expect(parseRoutedNetworkLine(line, depth) !== undefined).toBe(routed);
  });

  test('the indentation is not part of the parsed line', () => {
    expect(parseNetworkLine('  network 203.0.113.5/32', 2)).toEqual({
      prefix: '203.0.113.5/32',
      routeMap: undefined,
    });
  });

  test('a routed network line must name its route map', () => {
    expect(parseRoutedNetworkLine('network 203.0.113.5/32 route-map a')).toEqual({
      prefix: '203.0.113.5/32',
      routeMap: 'a',
    });
    expect(parseRoutedNetworkLine('network 203.0.113.5/32')).toBeUndefined();
  });
});

describe('indentation', () => {
  test.each([
    ['  network 203.0.113.5/32', 2, 'network 203.0.113.5/32'],
    [' address-family ipv4 unicast', 1, 'address-family ipv4 unicast'],
    ['router bgp 65100', 0, 'router bgp 65100'],
    ['   network 203.0.113.5/32', 2, undefined],
    [' network 203.0.113.5/32', 2, undefined],
    ['', 1, undefined],
    ['\tnetwork 203.0.113.5/32', 1, undefined],
  ])('%j at depth %d → %j', (line, depth, expected) => {
    expect(atDepth(line, depth)).toBe(expected);
  });
});
