import { AddressRange } from './address-range.js';
import { cidr } from '../../test/support/builders.js';
import { parseIp } from '../net/ip.js';

function value(text: string): bigint {
  const ip = parseIp(text);
  if (ip === undefined) throw new Error(text);
  return ip.value;
}

function takeLowest(range: AddressRange): bigint {
  const lowest = range.lowestFree();
  if (lowest === undefined) throw new Error('range full');
  range.take(lowest);
  return lowest;
}

describe('AddressRange', () => {
  it('hands out addresses lowest first and reuses the lowest released one', () => {
    const range = new AddressRange(cidr('192.0.2.0/30'), 'p', false);
    expect([takeLowest(range), takeLowest(range), takeLowest(range)]).toEqual([
      value('192.0.2.0'),
      value('192.0.2.1'),
      value('192.0.2.2'),
    ]);
    range.release(value('192.0.2.1'));
    range.release(value('192.0.2.0'));
    expect(takeLowest(range)).toBe(value('192.0.2.0'));
    expect(takeLowest(range)).toBe(value('192.0.2.1'));
    expect(takeLowest(range)).toBe(value('192.0.2.3'));
    expect(range.lowestFree()).toBeUndefined();
  });

  it('skips addresses taken on request above the cursor', () => {
    const range = new AddressRange(cidr('192.0.2.0/29'), 'p', false);
    range.take(value('192.0.2.1'));
    range.take(value('192.0.2.2'));
    expect(takeLowest(range)).toBe(value('192.0.2.0'));
    expect(takeLowest(range)).toBe(value('192.0.2.3'));
  });

  it('does not hand out a released address that was taken again on request', () => {
    const range = new AddressRange(cidr('192.0.2.0/29'), 'p', false);
    takeLowest(range);
    takeLowest(range);
    range.release(value('192.0.2.0'));
    range.take(value('192.0.2.0'));
    expect(takeLowest(range)).toBe(value('192.0.2.2'));
    range.release(value('192.0.2.0'));
    expect(takeLowest(range)).toBe(value('192.0.2.0'));
  });

  it('skips .0 and .255 with avoidBuggyIPs', () => {
    const range = new AddressRange(cidr('192.0.2.254/31'), 'p', true);
    expect(takeLowest(range)).toBe(value('192.0.2.254'));
    expect(range.lowestFree()).toBeUndefined();
    expect(range.allows(value('192.0.2.255'))).toBe(false);
    const wide = new AddressRange(cidr('198.51.100.0/23'), 'p', true);
    expect(takeLowest(wide)).toBe(value('198.51.100.1'));
  });

  it.each([
    ['198.51.100.0/24', true, 254n],
    ['198.51.100.0/23', true, 508n],
    ['198.51.100.0/25', true, 127n],
    ['198.51.100.128/25', true, 127n],
    ['198.51.100.64/26', true, 64n],
    ['198.51.100.255/32', true, 0n],
    ['198.51.100.0/24', false, 256n],
    ['2001:db8::/64', true, 1n << 64n],
    ['2001:db8::/120', true, 256n],
  ])('capacity of %s (avoidBuggyIPs %s) is %s', (text, avoid, expected) => {
    expect(new AddressRange(cidr(text), 'p', avoid).capacity()).toBe(expected);
  });

  it('works on an IPv6 /64 without enumerating it', () => {
    const range = new AddressRange(cidr('2001:db8::/64'), 'p', false);
    range.take(value('2001:db8::'));
    range.take(value('2001:db8::ffff:ffff:ffff:ffff'));
    expect(takeLowest(range)).toBe(value('2001:db8::1'));
  });
});
