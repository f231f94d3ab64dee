import { canonicalConfig, parseConfigTree, printConfigTree, type ConfigNode } from './config-tree.js';

// `show running-config` of a speaker, as FRR 8.4.4 printed it for a node of the lab.
const RUNNING = `Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults traditional
hostname node1
no ip forwarding
service integrated-vtysh-config
!
router bgp 65100
 no bgp default ipv4-unicast
 neighbor 192.0.2.1 remote-as 65000
 !
 address-family ipv4 unicast
  network 203.0.113.5/32 route-map ferry-c-1
  neighbor 192.0.2.1 activate
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8::5/128 route-map ferry-c-1
 exit-address-family
exit
!
bgp large-community-list standard ferry-c-1 seq 5 permit 4294967295:0:1
!
route-map 192.0.2.1-in deny 20
exit
!
route-map 192.0.2.1-out permit 10
 match large-community ferry-c-1
 set community 65000:100
exit
!
ip nht resolve-via-default
!
bfd
 profile fast
  detect-multiplier 5
 exit
 !
exit
!
end
`;

function lines(nodes: readonly ConfigNode[]): string[] {
  return nodes.map((node) => node.line);
}

describe('parseConfigTree', () => {
  const tree = parseConfigTree(RUNNING);

  test('skips the running-config banner, `!` comments and `end`', () => {
    expect(lines(tree)).toEqual([
      'frr version 8.4.4',
      'frr defaults traditional',
      'hostname node1',
      'no ip forwarding',
      'service integrated-vtysh-config',
      'router bgp 65100',
      'bgp large-community-list standard ferry-c-1 seq 5 permit 4294967295:0:1',
      'route-map 192.0.2.1-in deny 20',
      'route-map 192.0.2.1-out permit 10',
      'ip nht resolve-via-default',
      'bfd',
    ]);
  });

  test('router bgp holds its lines and address families, each family its networks', () => {
    const router = tree.find((n) => n.line === 'router bgp 65100');
    expect(lines(router?.children ?? [])).toEqual([
      'no bgp default ipv4-unicast',
      'neighbor 192.0.2.1 remote-as 65000',
      'address-family ipv4 unicast',
      'address-family ipv6 unicast',
    ]);
    expect(lines(router?.children[2]?.children ?? [])).toEqual([
      'network 203.0.113.5/32 route-map ferry-c-1',
      'neighbor 192.0.2.1 activate',
    ]);
  });

  test('an empty route-map entry is still a context', () => {
    const entry = tree.find((n) => n.line === 'route-map 192.0.2.1-in deny 20');
    expect(entry).toEqual({ line: 'route-map 192.0.2.1-in deny 20', context: true, children: [] });
  });

  test('bfd profiles nest inside bfd', () => {
    const bfd = tree.find((n) => n.line === 'bfd');
    expect(bfd?.children).toEqual([
      {
        line: 'profile fast',
        context: true,
        children: [{ line: 'detect-multiplier 5', context: false, children: [] }],
      },
    ]);
  });

  test('text without `exit` lines is split by indentation', () => {
    const text =
      'route-map A permit 10\n set community 1:1\n!\nroute-map B permit 10\n set community 2:2\nip nht resolve-via-default\n';
    expect(parseConfigTree(text)).toEqual([
      {
        line: 'route-map A permit 10',
        context: true,
        children: [{ line: 'set community 1:1', context: false, children: [] }],
      },
      {
        line: 'route-map B permit 10',
        context: true,
        children: [{ line: 'set community 2:2', context: false, children: [] }],
      },
      { line: 'ip nht resolve-via-default', context: false, children: [] },
    ]);
  });

  test('inner whitespace is collapsed', () => {
    expect(lines(parseConfigTree('log   stdout  informational  \n'))).toEqual(['log stdout informational']);
  });
});

describe('printConfigTree', () => {
  test('printing and parsing again gives the same tree', () => {
    const tree = parseConfigTree(RUNNING);
    expect(parseConfigTree(printConfigTree(tree))).toEqual(tree);
  });
});

describe('canonicalConfig', () => {
  test('the order of blocks and lines does not matter', () => {
    const a =
      'route-map A permit 10\n set community 1:1\n set local-preference 5\nexit\nip nht resolve-via-default\n';
    const b =
      'ip nht resolve-via-default\nroute-map A permit 10\n set local-preference 5\n set community 1:1\nexit\n';
    expect(canonicalConfig(parseConfigTree(a))).toBe(canonicalConfig(parseConfigTree(b)));
  });

  test('a line moved into another context does matter', () => {
    const a = 'route-map A permit 10\n set community 1:1\nexit\nroute-map B permit 10\nexit\n';
    const b = 'route-map A permit 10\nexit\nroute-map B permit 10\n set community 1:1\nexit\n';
    expect(canonicalConfig(parseConfigTree(a))).not.toBe(canonicalConfig(parseConfigTree(b)));
  });
});
