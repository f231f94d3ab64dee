import { buildConfig } from './build-config.js';
import { formatConfigError } from './problem.js';
import { NS, advertisement, l2Advertisement, load, pool } from '../../test/support/manifests.js';

function build(objects: readonly object[]) {
  const loaded = load(objects);
  expect(loaded.errors).toEqual([]);
  return buildConfig(loaded.resources, { namespace: NS });
}

const pools = [
  pool('l2-pool', { addresses: ['192.0.2.200-192.0.2.220'] }, { labels: { mode: 'l2' } }),
  pool('bgp-pool', { addresses: ['203.0.113.0/24'] }),
];

describe('buildConfig: L2Advertisement', () => {
  it('resolves pools by name and by selector, or every pool when it names none', () => {
    const result = build([
      ...pools,
      l2Advertisement('by-name', { ipAddressPools: ['l2-pool'], interfaces: ['eth1', 'eth0'] }),
      l2Advertisement('by-label', { ipAddressPoolSelectors: [{ matchLabels: { mode: 'l2' } }] }),
      l2Advertisement('all', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-21' } }] }),
    ]);
    expect(result.errors).toEqual([]);
    expect(result.config.l2Advertisements).toEqual([
      {
        name: 'all',
        pools: ['bgp-pool', 'l2-pool'],
        nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-21' }, matchExpressions: [] }],
        interfaces: [],
      },
      { name: 'by-label', pools: ['l2-pool'], nodeSelectors: [], interfaces: [] },
      { name: 'by-name', pools: ['l2-pool'], nodeSelectors: [], interfaces: ['eth0', 'eth1'] },
    ]);
  });

  it('a pool may be advertised by an L2Advertisement and a BGPAdvertisement at once', () => {
    const result = build([
      ...pools,
      advertisement('bgp', { ipAddressPools: ['l2-pool'] }),
      l2Advertisement('l2', { ipAddressPools: ['l2-pool'] }),
    ]);
    expect(result.errors).toEqual([]);
    expect(result.config.advertisements.map((item) => item.pools)).toEqual([['l2-pool']]);
    expect(result.config.l2Advertisements.map((item) => item.pools)).toEqual([['l2-pool']]);
  });

  it('rejects duplicate pools and bad selectors, naming object and field', () => {
    const result = build([
      ...pools,
      l2Advertisement('bad', {
        ipAddressPools: ['l2-pool', 'l2-pool'],
        nodeSelectors: [{ matchExpressions: [{ key: 'k', operator: 'In', values: [] }] }],
      }),
      l2Advertisement('dup-selectors', {
        nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }],
      }),
      l2Advertisement('good', {}),
    ]);
    expect(result.errors.map(formatConfigError)).toEqual([
      'L2Advertisement metallb-system/bad: spec.ipAddressPools[1]: duplicate definition of ipAddressPools "l2-pool"',
      expect.stringMatching(
        /^L2Advertisement metallb-system\/bad: spec\.nodeSelectors\[0\]\.matchExpressions\[0\]\.values: /,
      ),
      'L2Advertisement metallb-system/dup-selectors: spec.nodeSelectors[1]: duplicate definition of nodeSelectors: same as [0]',
    ]);
    expect(result.config.l2Advertisements.map((item) => item.name)).toEqual(['good']);
  });

  it('accepts repeated or impossible interface names as MetalLB does, with a warning', () => {
    const result = build([
      ...pools,
      l2Advertisement('l2', { ipAddressPools: ['l2-pool'], interfaces: ['eth0', 'eth0', 'has space'] }),
    ]);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(formatConfigError)).toEqual([
      'L2Advertisement metallb-system/l2: spec.interfaces[1]: duplicate definition of interfaces "eth0"',
      "L2Advertisement metallb-system/l2: spec.interfaces[2]: \"has space\" is not a valid interface name: use 1-15 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'; no interface matches it",
    ]);
    expect(result.config.l2Advertisements[0]?.interfaces).toEqual(['eth0', 'has space']);
  });

  it('warns about an unknown pool and applies to nothing for it', () => {
    const result = build([...pools, l2Advertisement('l2', { ipAddressPools: ['missing'] })]);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(formatConfigError)).toEqual([
      'L2Advertisement metallb-system/l2: spec.ipAddressPools[0]: IPAddressPool "missing" does not exist or is invalid; nothing is announced for it',
    ]);
    expect(result.config.l2Advertisements[0]?.pools).toEqual([]);
  });

  it('must live in the speaker namespace', () => {
    const result = build([...pools, l2Advertisement('elsewhere', {}, { namespace: 'default' })]);
    expect(result.errors.map(formatConfigError)).toEqual([
      'L2Advertisement default/elsewhere: metadata.namespace: resource must be created in metallb-system namespace',
    ]);
  });
});
