import fc from 'fast-check';
import { comparePrefixKeys, prefixKey, prefixSortText } from './address-order.js';
import { compareText } from '../util/order.js';

const ipv4Prefix = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
    fc.integer({ min: 0, max: 32 }),
  )
  .map(([octets, length]) => `${octets.join('.')}/${length}`);
const ipv6Prefix = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
    fc.integer({ min: 0, max: 128 }),
  )
  .map(([groups, length]) => `${groups.map((g) => g.toString(16)).join(':')}/${length}`);

describe('prefixSortText', () => {
  test('sorts as the prefix keys do: IPv4 before IPv6, by value, then by length', () => {
    const sorted = [
      '2001:db8::/64',
      '10.0.0.10/32',
      '10.0.0.2/32',
      '10.0.0.2/24',
      '2001:db8::1/128',
      '9.255.255.255/32',
    ]
      .map((prefix) => ({ prefix, key: prefixSortText(prefix) }))
      .sort((a, b) => compareText(a.key, b.key))
      .map(({ prefix }) => prefix);
    expect(sorted).toEqual([
      '9.255.255.255/32',
      '10.0.0.2/24',
      '10.0.0.2/32',
      '10.0.0.10/32',
      '2001:db8::/64',
      '2001:db8::1/128',
    ]);
  });

  test('agrees with comparePrefixKeys on any two prefixes', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4Prefix, ipv6Prefix), fc.oneof(ipv4Prefix, ipv6Prefix), (a, b) => {
        expect(Math.sign(compareText(prefixSortText(a), prefixSortText(b)))).toBe(
          Math.sign(comparePrefixKeys(prefixKey(a), prefixKey(b))),
        );
      }),
      { numRuns: 2000, seed: 20261206 },
    );
  });
});
