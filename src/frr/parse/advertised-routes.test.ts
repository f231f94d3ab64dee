import {
  parseAdvertisedRoutes,
  parsePrefixAdvertisement,
  scanAdvertisedPrefixes,
  peersByAdvertisedPrefix,
} from './advertised-routes.js';
import { fixture, fixtureText } from './testdata/fixtures.js';

describe('parseAdvertisedRoutes (show bgp ipv4|ipv6 unicast neighbors X advertised-routes json)', () => {
  it.each([
    [
      'speaker-show-bgp-ipv4-unicast-neighbors-192.0.2.1-advertised-routes-established.json',
      '203.0.113.5/32',
    ],
    [
      'speaker-show-bgp-ipv6-unicast-neighbors-2001_db8_ffff_a__1-advertised-routes-established.json',
      '2001:db8::5/128',
    ],
  ])('lists what %s says was sent', (name, prefix) => {
    expect(parseAdvertisedRoutes(fixture(name))).toEqual({
      prefixes: [prefix],
      totalPrefixCounter: 1,
      filteredPrefixCounter: 0,
      warning: undefined,
    });
  });

  it('reads an empty or refused table as nothing advertised', () => {
    expect(parseAdvertisedRoutes({}).prefixes).toEqual([]);
    expect(parseAdvertisedRoutes({ warning: 'No such neighbor or address family' })).toMatchObject({
      prefixes: [],
      warning: 'No such neighbor or address family',
    });
  });
});

describe('parsePrefixAdvertisement (show bgp ipv4|ipv6 unicast P json)', () => {
  it.each([
    [
      'speaker-show-bgp-ipv4-unicast-203.0.113.5_32-established.json',
      '203.0.113.5/32',
      ['192.0.2.1', '198.51.100.1'],
    ],
    // node3's session to tor2 is down (wrong ASN): only tor1 gets the prefix
    ['speaker-show-bgp-ipv4-unicast-203.0.113.5_32-mixed-states.json', '203.0.113.5/32', ['192.0.2.1']],
    [
      'speaker-show-bgp-ipv6-unicast-2001_db8__5_128-established.json',
      '2001:db8::5/128',
      ['2001:db8:ffff:a::1'],
    ],
  ])('%s: %s is advertised to %j', (name, prefix, peers) => {
    expect(parsePrefixAdvertisement(fixture(name))).toEqual({ prefix, advertisedTo: peers });
  });

  it('reads an unknown prefix ({}) as advertised to nobody', () => {
    expect(parsePrefixAdvertisement({})).toEqual({ prefix: undefined, advertisedTo: [] });
  });
});

describe('peersByAdvertisedPrefix', () => {
  it('inverts per-peer tables into sorted peers per prefix', () => {
    const routes = (prefixes: string[]) => ({ ...parseAdvertisedRoutes({}), prefixes });
    const byPrefix = peersByAdvertisedPrefix([
      { peer: '198.51.100.1', routes: routes(['203.0.113.5/32', '203.0.113.6/32']) },
      { peer: '192.0.2.1', routes: routes(['203.0.113.5/32']) },
    ]);
    expect([...byPrefix.entries()]).toEqual([
      ['203.0.113.5/32', ['192.0.2.1', '198.51.100.1']],
      ['203.0.113.6/32', ['198.51.100.1']],
    ]);
  });
});

describe('scanAdvertisedPrefixes (the same outputs, scanned instead of parsed)', () => {
  const v4 = fixtureText(
    'speaker-show-bgp-ipv4-unicast-neighbors-192.0.2.1-advertised-routes-established.json',
  );
  const v6 = fixtureText(
    'speaker-show-bgp-ipv6-unicast-neighbors-2001_db8_ffff_a__1-advertised-routes-established.json',
  );

  test("agrees with the JSON parse on FRR's outputs, one list per command", () => {
    const text = `${v4}\n${v6}\n`;
    expect(scanAdvertisedPrefixes(text, 2)?.map((prefixes) => [...prefixes].sort())).toEqual([
      parseAdvertisedRoutes(JSON.parse(v4)).prefixes,
      parseAdvertisedRoutes(JSON.parse(v6)).prefixes,
    ]);
  });

  test('10,000 routes in a pretty document like bgpd prints', () => {
    const routes = Object.fromEntries(
      Array.from({ length: 10_000 }, (_, i) => {
        const prefix = `198.18.${i >> 8}.${i & 255}/32`;
        return [prefix, { addrPrefix: prefix.split('/')[0], prefixLen: 32, network: prefix, weight: 32768 }];
      }),
    );
    const text = JSON.stringify(
      { advertisedRoutes: routes, totalPrefixCounter: 10_000, filteredPrefixCounter: 0 },
      null,
      2,
    );
    const scanned = scanAdvertisedPrefixes(`${text}\n`, 1);
    expect([...(scanned?.[0] ?? [])].sort()).toEqual(parseAdvertisedRoutes(JSON.parse(text)).prefixes);
  });

  test.each([
    [
      'a route count that disagrees with the total',
      v4.replace('"totalPrefixCounter":1', '"totalPrefixCounter":2'),
      1,
    ],
    ['fewer documents than commands', v4, 2],
    ['text after the last document', `${v4}\n% Unknown command`, 1],
    ['a compact document (no closing line)', JSON.stringify(JSON.parse(v4)), 1],
    [
      'two totals in one document',
      v4.replace('"totalPrefixCounter":1', '"totalPrefixCounter":1,"totalPrefixCounter":1'),
      1,
    ],
    ['a network that is not a plain string', v4.replace(/"network":\s*"/, '"network":"\\u0031'), 1],
  ])('leaves %s to the JSON parse', (_, text, documents) => {
    expect(scanAdvertisedPrefixes(text, documents)).toBeUndefined();
  });
});
