import { applyEdits, deltaConfigText, vtyshCommandsFor, type ConfigEdit } from './config-edit.js';
import { canonicalConfig, parseConfigTree } from './config-tree.js';

const AF = ['router bgp 65100', 'address-family ipv4 unicast'];
const EDITS: ConfigEdit[] = [
  {
    kind: 'add-line',
    path: [],
    line: 'bgp large-community-list standard ferry-c-2 seq 5 permit 4294967295:0:2',
  },
  {
    kind: 'add-context',
    path: [],
    line: 'route-map ferry-c-2 permit 10',
    children: ['set large-community 4294967295:0:2'],
  },
  {
    kind: 'replace-line',
    path: ['route-map t-out permit 10'],
    old: 'match large-community ferry-c-1',
    line: 'match large-community ferry-c-2',
  },
  { kind: 'remove-line', path: ['route-map t-out permit 10'], line: 'set community 65000:1' },
  {
    kind: 'replace-line',
    path: AF,
    old: 'network 203.0.113.5/32 route-map ferry-c-1',
    line: 'network 203.0.113.5/32 route-map ferry-c-2',
  },
  { kind: 'remove-line', path: AF, line: 'network 203.0.113.6/32 route-map ferry-c-1' },
  { kind: 'remove-context', path: [], line: 'route-map ferry-c-1 permit 10' },
];

test('vtysh commands enter and leave each context once, in edit order', () => {
  expect(vtyshCommandsFor(EDITS)).toEqual([
    'configure terminal',
    'bgp large-community-list standard ferry-c-2 seq 5 permit 4294967295:0:2',
    'route-map ferry-c-2 permit 10',
    'set large-community 4294967295:0:2',
    'exit',
    'route-map t-out permit 10',
    'match large-community ferry-c-2',
    'no set community 65000:1',
    'exit',
    'router bgp 65100',
    'address-family ipv4 unicast',
    'network 203.0.113.5/32 route-map ferry-c-2',
    'no network 203.0.113.6/32 route-map ferry-c-1',
    'exit-address-family',
    'exit',
    'no route-map ferry-c-1 permit 10',
    'end',
  ]);
});

test('the delta file is the same commands, indented as FRR config, for `vtysh -C -f`', () => {
  expect(deltaConfigText(EDITS.slice(4, 5))).toBe(
    'router bgp 65100\n address-family ipv4 unicast\n  network 203.0.113.5/32 route-map ferry-c-2\n exit-address-family\nexit\n',
  );
});

test('applying the edits to a running config predicts what FRR prints afterwards', () => {
  const before = `router bgp 65100
 neighbor 192.0.2.1 remote-as 65000
 address-family ipv4 unicast
  network 203.0.113.5/32 route-map ferry-c-1
  network 203.0.113.6/32 route-map ferry-c-1
 exit-address-family
exit
bgp large-community-list standard ferry-c-1 seq 5 permit 4294967295:0:1
route-map ferry-c-1 permit 10
 set large-community 4294967295:0:1
exit
route-map t-out permit 10
 match large-community ferry-c-1
 set community 65000:1
exit
`;
  const after = `bgp large-community-list standard ferry-c-1 seq 5 permit 4294967295:0:1
bgp large-community-list standard ferry-c-2 seq 5 permit 4294967295:0:2
route-map t-out permit 10
 match large-community ferry-c-2
exit
route-map ferry-c-2 permit 10
 set large-community 4294967295:0:2
exit
router bgp 65100
 neighbor 192.0.2.1 remote-as 65000
 address-family ipv4 unicast
  network 203.0.113.5/32 route-map ferry-c-2
 exit-address-family
exit
`;
  expect(canonicalConfig(applyEdits(parseConfigTree(before), EDITS))).toBe(
    canonicalConfig(parseConfigTree(after)),
  );
});
