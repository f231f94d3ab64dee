import { torFrrConfig, torFrrConfigForNodes } from './tor-config.js';
import type { NodeHandle, TorHandle } from './fabric.js';

const tor2: TorHandle = {
  role: 'tor2',
  namespace: 'f0000-tor2',
  asn: 65000,
  link: {
    device: 'eth0',
    fabricDevice: 'tor2',
    bridge: 'br-b',
    ipv4: '198.51.100.1',
    ipv6: '2001:db8:ffff:b::1',
  },
};

function node(index: number): NodeHandle {
  return {
    role: `node${index}`,
    index,
    namespace: `f0000-node${index}`,
    linkA: {
      device: 'eth-a',
      fabricDevice: `n${index}a`,
      bridge: 'br-a',
      ipv4: `192.0.2.${10 + index}`,
      ipv6: `2001:db8:ffff:a::${10 + index}`,
    },
    linkB: {
      device: 'eth-b',
      fabricDevice: `n${index}b`,
      bridge: 'br-b',
      ipv4: `198.51.100.${10 + index}`,
      ipv6: `2001:db8:ffff:b::${10 + index}`,
    },
  };
}

describe('torFrrConfig', () => {
  it('peers with every node over eBGP with BFD, ECMP and both families active', () => {
    expect(torFrrConfig({ routerId: '192.0.2.1', asn: 65000, peers: [{ address: '192.0.2.11' }] })).toBe(
      [
        'frr defaults datacenter',
        '!',
        'router bgp 65000',
        ' bgp router-id 192.0.2.1',
        ' no bgp ebgp-requires-policy',
        ' no bgp default ipv4-unicast',
        ' no bgp network import-check',
        ' bgp bestpath as-path multipath-relax',
        ' neighbor 192.0.2.11 remote-as external',
        ' neighbor 192.0.2.11 bfd',
        ' address-family ipv4 unicast',
        '  maximum-paths 8',
        '  maximum-paths ibgp 8',
        '  neighbor 192.0.2.11 activate',
        ' exit-address-family',
        ' address-family ipv6 unicast',
        '  maximum-paths 8',
        '  maximum-paths ibgp 8',
        '  neighbor 192.0.2.11 activate',
        ' exit-address-family',
        'exit',
        '!',
        '',
      ].join('\n'),
    );
  });

  it('uses a BFD profile when timers are given and can leave BFD off per peer', () => {
    const config = torFrrConfig({
      routerId: '192.0.2.1',
      asn: 65000,
      peers: [
        { address: '192.0.2.11', asn: 65100 },
        { address: '192.0.2.12', bfd: false },
      ],
      bfd: { receiveMs: 100, transmitMs: 100, detectMultiplier: 5 },
    });
    expect(config).toContain(
      ' neighbor 192.0.2.11 remote-as 65100\n neighbor 192.0.2.11 bfd\n neighbor 192.0.2.11 bfd profile lab\n',
    );
    expect(config).not.toContain('neighbor 192.0.2.12 bfd');
    expect(config).toContain(
      'bfd\n profile lab\n  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 5\n',
    );
  });
});

describe('torFrrConfigForNodes', () => {
  it('peers tor2 with the nodes eth-b addresses, IPv6 on request', () => {
    const config = torFrrConfigForNodes(tor2, [node(1), node(2)], { ipv6: true });
    const peers = [...config.matchAll(/neighbor (\S+) remote-as/g)].map((m) => m[1]);
    expect(peers).toEqual(['198.51.100.11', '198.51.100.12', '2001:db8:ffff:b::11', '2001:db8:ffff:b::12']);
    expect(config).toContain(' bgp router-id 198.51.100.1\n');
  });
});
