import { peerFamilies, peersForNode } from './peers.js';
import { config, node, peer, selector } from '../../test/support/builders.js';

describe('peersForNode', () => {
  const peers = [
    peer('tor2', '192.0.2.2'),
    peer('rack2-leaf', '192.0.2.12', { nodeSelectors: [selector({ rack: 'r2' })] }),
    peer('tor1', '192.0.2.1'),
    peer('either', '192.0.2.20', { nodeSelectors: [selector({ rack: 'r9' }), selector({ zone: 'z1' })] }),
  ];
  const cases: { name: string; labels: Record<string, string>; expected: string[] }[] = [
    {
      name: 'no labels: only peers without nodeSelectors, sorted by name',
      labels: {},
      expected: ['tor1', 'tor2'],
    },
    {
      name: 'a matching nodeSelector adds the peer',
      labels: { rack: 'r2' },
      expected: ['rack2-leaf', 'tor1', 'tor2'],
    },
    { name: 'nodeSelectors are ORed', labels: { zone: 'z1' }, expected: ['either', 'tor1', 'tor2'] },
  ];
  test.each(cases)('$name', ({ labels, expected }) => {
    expect(peersForNode(config({ peers }), node('n1', labels)).map((p) => p.name)).toEqual(expected);
  });
});

describe('peerFamilies: which prefixes a session carries (MetalLB FRR mode)', () => {
  const cases = [
    { name: 'IPv4 address', peer: peer('p', '192.0.2.1'), expected: ['ipv4'] },
    { name: 'IPv6 address', peer: peer('p', '2001:db8::1'), expected: ['ipv6'] },
    {
      name: 'IPv4 address, dualStackAddressFamily',
      peer: peer('p', '192.0.2.1', { dualStackAddressFamily: true }),
      expected: ['ipv4', 'ipv6'],
    },
    {
      name: 'IPv6 address, dualStackAddressFamily',
      peer: peer('p', '2001:db8::1', { dualStackAddressFamily: true }),
      expected: ['ipv4', 'ipv6'],
    },
    {
      name: 'unnumbered (interface)',
      peer: peer('p', undefined, { interface: 'eth0' }),
      expected: ['ipv4', 'ipv6'],
    },
    { name: 'neither address nor interface (never valid)', peer: peer('p', undefined), expected: [] },
  ];
  test.each(cases)('$name', ({ peer: p, expected }) => {
    expect(peerFamilies(p)).toEqual(expected);
  });
});
