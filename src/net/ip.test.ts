import fc from 'fast-check';
import {
  cidrContains,
  cidrFirst,
  cidrLast,
  cidrSize,
  cidrsOverlap,
  formatIp,
  parseCidr,
  parseIp,
  prefixOf,
  rangeToCidrs,
} from './ip.js';
import type { ParsedIp } from './ip.js';

function ip(text: string): ParsedIp {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`test address ${text} does not parse`);
  return parsed;
}

describe('parseIp', () => {
  const valid: [string, string, 'ipv4' | 'ipv6'][] = [
    ['192.0.2.1', '192.0.2.1', 'ipv4'],
    ['0.0.0.0', '0.0.0.0', 'ipv4'],
    ['255.255.255.255', '255.255.255.255', 'ipv4'],
    ['2001:DB8::1', '2001:db8::1', 'ipv6'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', 'ipv6'],
    ['::', '::', 'ipv6'],
    ['::1', '::1', 'ipv6'],
    ['fe80::', 'fe80::', 'ipv6'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 'ipv6'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1', 'ipv6'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1', 'ipv6'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221', 'ipv6'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', 'ipv6'],
  ];
  test.each(valid)('%s → %s', (input, canonical, family) => {
    expect(parseIp(input)).toEqual(expect.objectContaining({ text: canonical, family }));
  });

  const invalid = [
    '',
    ' 192.0.2.1',
    '192.0.2.1 ',
    '192.0.2.01',
    '192.0.2.256',
    '192.0.2',
    '192.0.2.1.5',
    '1e1.0.0.1',
    '0x7f.0.0.1',
    '+1.2.3.4',
    'fe80::1%eth0',
    '::ffff:192.0.2.1',
    '::ffff:c000:201',
    '1::2::3',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7::8',
    '12345::',
    '1.2.3.4::',
    '::1.2.3',
    '::\n',
    '192.0.2.1\u0000',
    '192.0.2.1/32',
    'g::',
  ];
  test.each(invalid)('rejects %j', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  it('round-trips canonical text for any value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        fc.pre(value >> 32n !== 0xffffn);
        const text = formatIp('ipv6', value);
        expect(parseIp(text)).toEqual({ family: 'ipv6', value, text });
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value) => {
        const text = formatIp('ipv4', value);
        expect(parseIp(text)).toEqual({ family: 'ipv4', value, text });
      }),
    );
  });

  it('never accepts text with whitespace or control characters', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseIp(text);
        if (parsed !== undefined) expect(parsed.text).toMatch(/^[0-9a-f.:]+$/);
      }),
    );
  });
});

describe('parseCidr', () => {
  test.each([
    ['203.0.113.0/24', '203.0.113.0/24', 24],
    ['203.0.113.7/24', '203.0.113.0/24', 24],
    ['192.0.2.1/32', '192.0.2.1/32', 32],
    ['0.0.0.0/0', '0.0.0.0/0', 0],
    ['2001:DB8::FF/120', '2001:db8::/120', 120],
    ['fc00::/124', 'fc00::/124', 124],
  ])('%s → %s', (input, text, prefixLength) => {
    expect(parseCidr(input)).toEqual({ family: expect.any(String), text, prefixLength });
  });

  test.each([
    '192.0.2.0/33',
    '192.0.2.0/',
    '192.0.2.0/024',
    '192.0.2.0',
    '::/129',
    '192.0.2.0/24 ',
    '/24',
    'x/1',
  ])('rejects %j', (input) => {
    expect(parseCidr(input)).toBeUndefined();
  });
});

describe('CIDR arithmetic', () => {
  const c = (text: string) => {
    const cidr = parseCidr(text);
    if (cidr === undefined) throw new Error(text);
    return cidr;
  };

  it('computes size, first and last', () => {
    expect(cidrSize(c('203.0.113.0/24'))).toBe(256n);
    expect(cidrFirst(c('203.0.113.0/24'))).toBe(ip('203.0.113.0').value);
    expect(cidrLast(c('203.0.113.0/24'))).toBe(ip('203.0.113.255').value);
    expect(cidrSize(c('::/0'))).toBe(1n << 128n);
  });

  test.each([
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['2001:db8::/120', '2001:db8::ff', true],
    ['0.0.0.0/0', '::', false],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    expect(cidrContains(c(cidr), ip(address))).toBe(expected);
  });

  test.each([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.0.0.0/24', '10.0.1.0/24', false],
    ['10.0.0.0/24', '10.0.0.255/32', true],
    ['::/0', '0.0.0.0/0', false],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(cidrsOverlap(c(a), c(b))).toBe(expected);
    expect(cidrsOverlap(c(b), c(a))).toBe(expected);
  });

  test.each([
    ['192.0.2.1', 24, '192.0.2.0/24'],
    ['192.0.2.1', 32, '192.0.2.1/32'],
    ['2001:db8::1:2', 64, '2001:db8::/64'],
  ] as const)('prefixOf(%s, %d) = %s', (address, length, expected) => {
    expect(prefixOf(ip(address), length).text).toBe(expected);
  });
});

describe('rangeToCidrs', () => {
  test.each([
    ['192.168.10.0', '192.168.10.255', ['192.168.10.0/24']],
    ['192.168.10.1', '192.168.10.1', ['192.168.10.1/32']],
    [
      '192.168.10.1',
      '192.168.10.6',
      ['192.168.10.1/32', '192.168.10.2/31', '192.168.10.4/31', '192.168.10.6/32'],
    ],
    ['0.0.0.0', '255.255.255.255', ['0.0.0.0/0']],
    ['fc00::1', 'fc00::4', ['fc00::1/128', 'fc00::2/127', 'fc00::4/128']],
    ['192.168.10.2', '192.168.10.1', []],
    ['192.168.10.1', 'fc00::1', []],
  ])('%s-%s', (start, end, expected) => {
    expect(rangeToCidrs(ip(start), ip(end)).map((cidr) => cidr.text)).toEqual(expected);
  });

  it('covers exactly the range, without overlap', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 0xffffffffn }),
        fc.bigInt({ min: 0n, max: 0xfffffn }),
        (start, span) => {
          const end = start + span > 0xffffffffn ? 0xffffffffn : start + span;
          const cidrs = rangeToCidrs(ip(formatIp('ipv4', start)), ip(formatIp('ipv4', end)));
          let next = start;
          for (const cidr of cidrs) {
            expect(cidrFirst(cidr)).toBe(next);
            next = cidrLast(cidr) + 1n;
          }
          expect(next).toBe(end + 1n);
          expect(cidrs.length).toBeLessThanOrEqual(62);
        },
      ),
    );
  });
});
