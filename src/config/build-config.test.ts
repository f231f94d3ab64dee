import fc from 'fast-check';
import type { Resources } from '../api/resources.js';
import { buildConfig } from './build-config.js';
import { formatConfigError } from './problem.js';
import {
  NS,
  advertisement,
  bfdProfile,
  community,
  load,
  node,
  peer,
  pool,
  secret,
  seed,
} from '../../test/support/manifests.js';
import type { ConfigResult } from './types.js';

function loaded(objects: readonly object[]): Resources {
  const result = load(objects);
  expect(result.errors).toEqual([]);
  return result.resources;
}

function build(objects: readonly object[]): ConfigResult {
  return buildConfig(loaded(objects), { namespace: NS });
}

/** The seed with objects of the same kind and name replaced, others added. */
function seedWith(...changes: object[]): object[] {
  const key = (entry: object) => {
    const typed = entry as { kind: string; metadata: { name: string } };
    return `${typed.kind}/${typed.metadata.name}`;
  };
  const replaced = new Set(changes.map(key));
  return [...seed().filter((entry) => !replaced.has(key(entry))), ...changes];
}

describe('buildConfig: the seed configuration', () => {
  const result = build(seed());

  it('is valid', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.fatal).toBe(false);
  });

  it('applies MetalLB defaults', () => {
    expect(result.config.pools).toEqual([
      {
        name: 'prod-pool',
        labels: {},
        cidrs: [{ family: 'ipv4', text: '203.0.113.0/24', prefixLength: 24 }],
        autoAssign: true,
        avoidBuggyIPs: false,
        serviceAllocation: undefined,
      },
    ]);
    expect(result.config.peers[0]).toEqual({
      name: 'tor1',
      myASN: 65100,
      peerASN: 65000,
      dynamicASN: undefined,
      localASN: undefined,
      address: '192.0.2.1',
      interface: undefined,
      sourceAddress: undefined,
      port: 179,
      holdTime: undefined,
      keepaliveTime: undefined,
      connectTime: undefined,
      routerID: undefined,
      nodeSelectors: [],
      password: undefined,
      bfdProfile: 'tor-bfd',
      enableGracefulRestart: false,
      ebgpMultiHop: false,
      vrf: '',
      dualStackAddressFamily: false,
    });
    expect(result.config.advertisements).toEqual([
      {
        name: 'prod-adv',
        aggregationLength: 32,
        aggregationLengthV6: 128,
        localPref: 100,
        communities: [{ kind: 'standard', value: '65000:100' }],
        pools: ['prod-pool'],
        nodeSelectors: [],
        peers: [],
        serviceSelectors: [],
      },
    ]);
    expect(result.config.bfdProfiles).toEqual([
      {
        name: 'tor-bfd',
        receiveInterval: 300,
        transmitInterval: 300,
        detectMultiplier: 3,
        echoInterval: undefined,
        echoMode: undefined,
        passiveMode: undefined,
        minimumTtl: undefined,
      },
    ]);
  });

  it('does not depend on input order', () => {
    const objects = [
      ...seed(),
      pool('b-pool', { addresses: ['10.0.0.0/24'], serviceAllocation: { namespaces: ['b', 'a'] } }),
      pool('a-pool', { addresses: ['10.1.0.0/24'] }),
      peer('a-peer', { peerAddress: '192.0.2.9', peerASN: 65000, myASN: 65100 }),
      advertisement('a-adv', { ipAddressPools: ['a-pool'], communities: ['large:1:2:3', '65000:2', '1:1'] }),
    ];
    const forward = build(objects);
    const backward = build([...objects].reverse());
    expect(forward.errors).toEqual([]);
    expect(backward).toEqual(forward);
    expect(forward.config.pools.map((entry) => entry.name)).toEqual(['a-pool', 'b-pool', 'prod-pool']);
    expect(forward.config.advertisements[0]?.communities).toEqual([
      { kind: 'standard', value: '1:1' },
      { kind: 'standard', value: '65000:2' },
      { kind: 'large', value: '1:2:3' },
    ]);
  });
});

describe('buildConfig: fields and defaults', () => {
  const onePeer = (spec: Record<string, unknown>, version?: 'v1beta1' | 'v1beta2') =>
    build([peer('p', { peerAddress: '192.0.2.1', peerASN: 65000, myASN: 65100, ...spec }, { version })]);

  test.each([
    ['holdTime only → keepalive = hold/3', { holdTime: '90s' }, 90, 30],
    ['keepaliveTime only → hold = 3×keepalive', { keepaliveTime: '10s' }, 30, 10],
    ['both', { holdTime: '1m30s', keepaliveTime: '20s' }, 90, 20],
    ['rounded down to seconds', { holdTime: '10.9s' }, 10, 3],
    ['hold 0 disables keepalives', { holdTime: '0s' }, 0, 0],
    ['hours and milliseconds', { holdTime: '0.025h', keepaliveTime: '1500ms' }, 90, 1],
  ])('timers: %s', (_name, spec, hold, keepalive) => {
    const result = onePeer(spec);
    expect(result.errors).toEqual([]);
    expect(result.config.peers[0]).toMatchObject({ holdTime: hold, keepaliveTime: keepalive });
  });

  it('re-serializes addresses canonically', () => {
    const result = onePeer({
      peerAddress: '2001:DB8:0:0::1',
      sourceAddress: '2001:db8::0:2',
      routerID: '10.0.0.1',
    });
    expect(result.errors).toEqual([]);
    expect(result.config.peers[0]).toMatchObject({
      address: '2001:db8::1',
      sourceAddress: '2001:db8::2',
      routerID: '10.0.0.1',
    });
  });

  it('reads every optional peer field', () => {
    const result = build([
      secret('bgp-auth', 'kubernetes.io/basic-auth', { password: 's3cr3t!' }),
      bfdProfile('fast', { receiveInterval: 50 }),
      peer('p', {
        interface: 'eth1',
        dynamicASN: 'external',
        myASN: 65100,
        localASN: 65200,
        peerPort: 1179,
        connectTime: '5s',
        vrf: 'red',
        ebgpMultiHop: true,
        enableGracefulRestart: true,
        dualStackAddressFamily: true,
        passwordSecret: { name: 'bgp-auth' },
        bfdProfile: 'fast',
        nodeSelectors: [{ matchLabels: { rack: 'r1' } }],
      }),
    ]);
    expect(result.errors).toEqual([]);
    expect(result.config.peers[0]).toMatchObject({
      interface: 'eth1',
      address: undefined,
      dynamicASN: 'external',
      peerASN: undefined,
      localASN: 65200,
      port: 1179,
      connectTime: 5,
      vrf: 'red',
      ebgpMultiHop: true,
      enableGracefulRestart: true,
      dualStackAddressFamily: true,
      password: 's3cr3t!',
      bfdProfile: 'fast',
      nodeSelectors: [{ matchLabels: { rack: 'r1' }, matchExpressions: [] }],
    });
  });

  it('accepts v1beta1 BGPPeers with the legacy node selector and warns that the version is deprecated', () => {
    const result = onePeer(
      {
        nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1'] }] }],
        password: 'pw',
      },
      'v1beta1',
    );
    expect(result.errors).toEqual([]);
    expect(result.config.peers[0]).toMatchObject({
      port: 179,
      password: 'pw',
      nodeSelectors: [
        { matchLabels: {}, matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1'] }] },
      ],
    });
    expect(result.warnings).toEqual([
      expect.objectContaining({ object: { kind: 'BGPPeer', namespace: NS, name: 'p' }, field: 'apiVersion' }),
    ]);
  });

  it('warns about disableMP but still validates the peer', () => {
    const result = onePeer({ disableMP: true, holdTime: '1s' });
    expect(result.warnings.map((warning) => warning.field)).toEqual(['spec.disableMP']);
    expect(result.errors.map((error) => error.field)).toEqual(['spec.holdTime']);
  });

  it('summarizes ranges and keeps pool options', () => {
    const result = build([
      pool(
        'p',
        {
          addresses: ['192.168.10.1 - 192.168.10.6', 'fc00::/124'],
          autoAssign: false,
          avoidBuggyIPs: true,
          serviceAllocation: {
            priority: 5,
            namespaces: ['web'],
            namespaceSelectors: [{ matchLabels: { team: 'a' } }],
            serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }],
          },
        },
        { labels: { zone: 'z1' } },
      ),
    ]);
    expect(result.errors).toEqual([]);
    expect(result.config.pools[0]).toEqual({
      name: 'p',
      labels: { zone: 'z1' },
      cidrs: ['192.168.10.1/32', '192.168.10.2/31', '192.168.10.4/31', '192.168.10.6/32', 'fc00::/124'].map(
        (text) => expect.objectContaining({ text }),
      ),
      autoAssign: false,
      avoidBuggyIPs: true,
      serviceAllocation: {
        priority: 5,
        namespaces: ['web'],
        namespaceSelectors: [{ matchLabels: { team: 'a' }, matchExpressions: [] }],
        serviceSelectors: [
          { matchLabels: {}, matchExpressions: [{ key: 'tier', operator: 'Exists', values: [] }] },
        ],
      },
    });
  });

  it('resolves community aliases and pool selectors; no pool list means all pools', () => {
    const result = build([
      pool('a', { addresses: ['10.0.0.0/24'] }, { labels: { tier: 'gold' } }),
      pool('b', { addresses: ['10.0.1.0/24'] }),
      community('aliases', [
        { name: 'no-export', value: '65535:65281' },
        { name: 'big', value: 'large:65000:1:2' },
      ]),
      advertisement('by-selector', {
        ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }],
        communities: ['no-export', 'big'],
      }),
      advertisement('all', {}),
    ]);
    expect(result.errors).toEqual([]);
    const [all, bySelector] = result.config.advertisements;
    expect(all?.pools).toEqual(['a', 'b']);
    expect(bySelector?.pools).toEqual(['a']);
    expect(bySelector?.communities).toEqual([
      { kind: 'standard', value: '65535:65281' },
      { kind: 'large', value: '65000:1:2' },
    ]);
  });

  it('keeps valid objects when another one is invalid', () => {
    const result = build(seedWith(peer('broken', { peerAddress: 'not-an-ip', peerASN: 1, myASN: 65100 })));
    expect(result.fatal).toBe(false);
    expect(result.config.peers.map((entry) => entry.name)).toEqual(['tor1', 'tor2']);
    expect(result.config.pools).toHaveLength(1);
  });
});

interface RuleCase {
  readonly name: string;
  readonly objects: object[];
  readonly kind: string;
  readonly object: string;
  readonly field: string;
  readonly message: RegExp;
  readonly fatal?: boolean;
}

const p = (spec: Record<string, unknown>, name = 'p', version?: 'v1beta1' | 'v1beta2') =>
  peer(name, { peerAddress: '192.0.2.50', peerASN: 65000, myASN: 65100, ...spec }, { version });

const valueTwice = { matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1', 'r1'] }] };
const expressionTwice = {
  matchExpressions: [
    { key: 'rack', operator: 'NotIn', values: ['r1', 'r2'] },
    { key: 'rack', operator: 'NotIn', values: ['r2', 'r1'] },
  ],
};

const rules: RuleCase[] = [
  // IPAddressPool
  {
    name: 'pool without addresses',
    objects: [pool('x', { addresses: [] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.addresses',
    message: /no prefixes/,
  },
  {
    name: 'invalid CIDR',
    objects: [pool('x', { addresses: ['10.0.0.0/33'] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.addresses[0]',
    message: /invalid CIDR/,
  },
  {
    name: 'bare IP without length',
    objects: [pool('x', { addresses: ['10.0.0.1'] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.addresses[0]',
    message: /invalid CIDR/,
  },
  {
    name: 'range start after end',
    objects: [pool('x', { addresses: ['10.0.0.9-10.0.0.1'] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.addresses[0]',
    message: /start IP 10.0.0.9 is after the end IP 10.0.0.1/,
  },
  {
    name: 'range with bad end',
    objects: [pool('x', { addresses: ['10.0.0.1-10.0.0.x'] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.addresses[0]',
    message: /invalid end IP/,
  },
  {
    name: 'range of mixed families',
    objects: [pool('x', { addresses: ['10.0.0.1-fc00::1'] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.addresses[0]',
    message: /different IP families/,
  },
  {
    name: 'overlap within a pool',
    objects: [pool('x', { addresses: ['10.0.0.0/24', '10.0.0.128/25'] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.addresses',
    message: /overlaps/,
  },
  {
    name: 'overlap between pools',
    objects: [pool('a', { addresses: ['10.0.0.0/16'] }), pool('b', { addresses: ['10.0.5.0-10.0.5.9'] })],
    kind: 'IPAddressPool',
    object: 'b',
    field: 'spec.addresses',
    message: /overlaps with CIDR 10.0.0.0\/16 of IPAddressPool a/,
    fatal: true,
  },
  {
    name: 'duplicate namespace',
    objects: [pool('x', { addresses: ['10.0.0.0/24'], serviceAllocation: { namespaces: ['a', 'a'] } })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.serviceAllocation.namespaces[1]',
    message: /duplicate definition/,
  },
  {
    name: 'bad namespace name',
    objects: [pool('x', { addresses: ['10.0.0.0/24'], serviceAllocation: { namespaces: ['Not_OK'] } })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.serviceAllocation.namespaces[0]',
    message: /not a valid namespace/,
  },
  {
    name: 'duplicate service selectors',
    objects: [
      pool('x', {
        addresses: ['10.0.0.0/24'],
        serviceAllocation: { serviceSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] },
      }),
    ],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.serviceAllocation.serviceSelectors[1]',
    message: /duplicate definition of serviceSelectors/,
  },
  {
    name: 'object outside the namespace',
    objects: [pool('x', { addresses: ['10.0.0.0/24'] }, { namespace: 'default' })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'metadata.namespace',
    message: /must be created in metallb-system namespace/,
  },
  {
    name: 'same pool twice',
    objects: [pool('x', { addresses: ['10.0.0.0/24'] }), pool('x', { addresses: ['10.1.0.0/24'] })],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'metadata.name',
    message: /defined more than once/,
    fatal: true,
  },
  // BGPPeer
  {
    name: 'missing local ASN',
    objects: [p({ myASN: 0 })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.myASN',
    message: /missing local ASN/,
  },
  {
    name: 'missing peer ASN',
    objects: [p({ peerASN: 0 })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.peerASN',
    message: /missing peer ASN and dynamicASN/,
  },
  {
    name: 'peer ASN and dynamicASN',
    objects: [p({ dynamicASN: 'internal' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.dynamicASN',
    message: /both peer ASN and dynamicASN/,
  },
  {
    name: 'ebgpMultiHop on iBGP',
    objects: [p({ peerASN: 65100, ebgpMultiHop: true })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.ebgpMultiHop',
    message: /ibgp peer/,
  },
  {
    name: 'no address or interface',
    objects: [peer('p', { peerASN: 1, myASN: 2 })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.peerAddress',
    message: /no Address or Interface/,
  },
  {
    name: 'address and interface',
    objects: [p({ interface: 'eth0' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.interface',
    message: /both Address and Interface/,
  },
  {
    name: 'bad address',
    objects: [p({ peerAddress: '192.0.2.1 ' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.peerAddress',
    message: /invalid BGPPeer address/,
  },
  {
    name: 'address with zone',
    objects: [p({ peerAddress: 'fe80::1%eth0' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.peerAddress',
    message: /invalid BGPPeer address/,
  },
  {
    name: 'bad source address',
    objects: [p({ sourceAddress: '10.0.0.256' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.sourceAddress',
    message: /invalid source IP/,
  },
  {
    name: 'bad router ID',
    objects: [p({ routerID: 'router-1' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.routerID',
    message: /invalid router ID/,
  },
  {
    name: 'IPv6 router ID',
    objects: [p({ routerID: '2001:db8::1' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.routerID',
    message: /must be an IPv4 address/,
  },
  {
    name: 'hold time below 3s',
    objects: [p({ holdTime: '2s' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.holdTime',
    message: /must be 0 or >=3s/,
  },
  {
    name: 'keepalive only, derived hold below 3s',
    objects: [p({ keepaliveTime: '500ms' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.keepaliveTime',
    message: /must be 0 or >=3s/,
  },
  {
    name: 'keepalive above hold',
    objects: [p({ holdTime: '30s', keepaliveTime: '31s' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.keepaliveTime',
    message: /must be lower than holdTime/,
  },
  {
    name: 'hold time beyond FRR',
    objects: [p({ holdTime: '65536s' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.holdTime',
    message: /at most 65535s/,
  },
  {
    name: 'not a duration',
    objects: [p({ holdTime: '90' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.holdTime',
    message: /not a duration/,
  },
  {
    name: 'negative duration',
    objects: [p({ keepaliveTime: '-1s' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.keepaliveTime',
    message: /negative/,
  },
  {
    name: 'connect time 0',
    objects: [p({ connectTime: '0s' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.connectTime',
    message: /between 1 seconds to 65535/,
  },
  {
    name: 'connect time with fraction',
    objects: [p({ connectTime: '1500ms' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.connectTime',
    message: /whole number of seconds/,
  },
  {
    name: 'password and secret',
    objects: [p({ password: 'a', passwordSecret: { name: 's' } })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.password',
    message: /both password and passwordSecret/,
  },
  {
    name: 'password with a space',
    objects: [p({ password: 'two words' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.password',
    message: /single word/,
  },
  {
    name: 'secret of the wrong type',
    objects: [secret('s', 'Opaque', { password: 'x' }), p({ passwordSecret: { name: 's' } })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.passwordSecret.name',
    message: /kubernetes.io\/basic-auth is expected/,
  },
  {
    name: 'secret without password',
    objects: [
      secret('s', 'kubernetes.io/basic-auth', { username: 'x' }),
      p({ passwordSecret: { name: 's' } }),
    ],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.passwordSecret.name',
    message: /password not specified/,
  },
  {
    name: 'secret in another namespace',
    objects: [p({ passwordSecret: { name: 's', namespace: 'default' } })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.passwordSecret.namespace',
    message: /must be in namespace metallb-system/,
  },
  {
    name: 'missing secret',
    objects: [p({ passwordSecret: { name: 's' } })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.passwordSecret.name',
    message: /not found/,
    fatal: true,
  },
  {
    name: 'missing BFD profile',
    objects: [p({ bfdProfile: 'nope' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.bfdProfile',
    message: /non existing bfd profile/,
    fatal: true,
  },
  {
    name: 'bad interface name',
    objects: [peer('p', { interface: 'eth0 up', peerASN: 1, myASN: 2 })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.interface',
    message: /not a valid interface name/,
  },
  {
    name: 'bad VRF name',
    objects: [p({ vrf: 'red\nrouter bgp 1' })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.vrf',
    message: /not a valid VRF name/,
  },
  {
    name: 'bad node selector',
    objects: [p({ nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }] })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.nodeSelectors[0].matchExpressions[0].operator',
    message: /not a valid label selector operator/,
  },
  {
    name: 'duplicate node selectors',
    objects: [p({ nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.nodeSelectors[1]',
    message: /duplicate definition of nodeSelectors/,
  },
  {
    name: 'peers on a node with different routerIDs',
    objects: [p({ routerID: '10.0.0.1' }, 'a'), p({ peerAddress: '192.0.2.51', routerID: '10.0.0.2' }, 'b')],
    kind: 'BGPPeer',
    object: 'b',
    field: 'spec.routerID',
    message: /same routerID/,
    fatal: true,
  },
  {
    name: 'same neighbor twice on a node',
    objects: [p({}, 'a'), p({ holdTime: '9s' }, 'b')],
    kind: 'BGPPeer',
    object: 'b',
    field: 'spec.peerAddress',
    message: /already exists as BGPPeer a/,
    fatal: true,
  },
  {
    name: 'different myASN in one VRF',
    objects: [p({}, 'a'), p({ peerAddress: '192.0.2.51', myASN: 65101 }, 'b')],
    kind: 'BGPPeer',
    object: 'b',
    field: 'spec.myASN',
    message: /same myASN within the same VRF/,
    fatal: true,
  },
  // BGPAdvertisement
  {
    name: 'aggregation length above 32',
    objects: [advertisement('a', { aggregationLength: 33 })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.aggregationLength',
    message: /1-32/,
  },
  {
    name: 'aggregation length V6 above 128',
    objects: [advertisement('a', { aggregationLengthV6: 129 })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.aggregationLengthV6',
    message: /0-128/,
  },
  {
    name: 'aggregation shorter than the pool',
    objects: [pool('x', { addresses: ['10.0.0.0/26'] }), advertisement('a', { aggregationLength: 24 })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.aggregationLength',
    message: /prefix 26 in IPAddressPool x is more specific/,
    fatal: true,
  },
  {
    name: 'aggregation shorter than a range',
    objects: [
      pool('x', { addresses: ['fc00::1-fc00::4'] }),
      advertisement('a', { aggregationLengthV6: 126 }),
    ],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.aggregationLengthV6',
    message: /more specific/,
    fatal: true,
  },
  {
    name: 'serviceSelectors with aggregation',
    objects: [advertisement('a', { aggregationLength: 24, serviceSelectors: [{ matchLabels: { a: 'b' } }] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.serviceSelectors',
    message: /mutually exclusive/,
  },
  {
    name: 'incompatible local preferences',
    objects: [
      pool('x', { addresses: ['10.0.0.0/24'] }),
      advertisement('a', { localPref: 100 }),
      advertisement('b', { localPref: 200 }),
    ],
    kind: 'BGPAdvertisement',
    object: 'b',
    field: 'spec.localPref',
    message: /already set by BGPAdvertisement a/,
    fatal: true,
  },
  {
    name: 'negative local preference',
    objects: [advertisement('a', { localPref: -1 })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.localPref',
    message: /0-4294967295/,
  },
  {
    name: 'community part too large',
    objects: [advertisement('a', { communities: ['65536:1'] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.communities[0]',
    message: /invalid section "65536"/,
  },
  {
    name: 'large community without marker',
    objects: [advertisement('a', { communities: ['big:1:2:3'] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.communities[0]',
    message: /format large/,
  },
  {
    name: 'unknown community alias',
    objects: [advertisement('a', { communities: ['no-such-alias'] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.communities[0]',
    message: /nor the name of a Community alias/,
    fatal: true,
  },
  {
    name: 'duplicate community',
    objects: [advertisement('a', { communities: ['1:1', '1:1'] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.communities[1]',
    message: /duplicate definition of community/,
  },
  {
    name: 'more than 63 communities',
    objects: [advertisement('a', { communities: Array.from({ length: 64 }, (_, index) => `1:${index}`) })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.communities',
    message: /max supported communities is 63/,
  },
  {
    name: 'duplicate pools',
    objects: [advertisement('a', { ipAddressPools: ['x', 'x'] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.ipAddressPools[1]',
    message: /duplicate definition of ipAddressPools/,
  },
  {
    name: 'duplicate peers',
    objects: [advertisement('a', { peers: ['x', 'x'] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.peers[1]',
    message: /duplicate definition of peers/,
  },
  {
    name: 'echo mode with IPv6 advertisements',
    objects: [
      bfdProfile('echo', { echoMode: true }),
      p({ bfdProfile: 'echo' }),
      pool('x', { addresses: ['fc00::/120'] }),
      advertisement('a', {}),
    ],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.peers',
    message: /echo mode/,
    fatal: true,
  },
  // Community
  {
    name: 'duplicate alias',
    objects: [community('c1', [{ name: 'x', value: '1:1' }]), community('c2', [{ name: 'x', value: '1:2' }])],
    kind: 'Community',
    object: 'c2',
    field: 'spec.communities[0].name',
    message: /duplicate definition of community "x"/,
    fatal: true,
  },
  {
    name: 'bad alias value',
    objects: [community('c1', [{ name: 'x', value: '1:99999' }])],
    kind: 'Community',
    object: 'c1',
    field: 'spec.communities[0].value',
    message: /invalid section/,
  },
  // MetalLB rejects duplicates inside matchExpressions in every selector list
  {
    name: 'a node selector value twice',
    objects: [p({ nodeSelectors: [{}, valueTwice] })],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.nodeSelectors[1].matchExpressions[0].values[1]',
    message: /^duplicate definition of match expression value in label selector "r1"/,
  },
  {
    name: 'a legacy (v1beta1) node selector expression twice',
    objects: [p({ nodeSelectors: [expressionTwice] }, 'p', 'v1beta1')],
    kind: 'BGPPeer',
    object: 'p',
    field: 'spec.nodeSelectors[0].matchExpressions[1]',
    message: /^duplicate definition of match expressions "rack NotIn \(r1,r2\)"/,
  },
  {
    name: 'a pool selector value twice',
    objects: [advertisement('a', { ipAddressPoolSelectors: [valueTwice] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.ipAddressPoolSelectors[0].matchExpressions[0].values[1]',
    message: /^duplicate definition of match expression value in label selector/,
  },
  {
    name: 'an advertisement node selector expression twice',
    objects: [advertisement('a', { nodeSelectors: [expressionTwice] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.nodeSelectors[0].matchExpressions[1]',
    message: /^duplicate definition of match expressions/,
  },
  {
    name: 'an advertisement service selector value twice',
    objects: [advertisement('a', { serviceSelectors: [valueTwice] })],
    kind: 'BGPAdvertisement',
    object: 'a',
    field: 'spec.serviceSelectors[0].matchExpressions[0].values[1]',
    message: /^duplicate definition of match expression value in label selector/,
  },
  {
    name: 'a pool namespace selector value twice',
    objects: [
      pool('x', { addresses: ['10.0.0.0/24'], serviceAllocation: { namespaceSelectors: [valueTwice] } }),
    ],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.serviceAllocation.namespaceSelectors[0].matchExpressions[0].values[1]',
    message: /^duplicate definition of match expression value in label selector/,
  },
  {
    name: 'a pool service selector expression twice',
    objects: [
      pool('x', { addresses: ['10.0.0.0/24'], serviceAllocation: { serviceSelectors: [expressionTwice] } }),
    ],
    kind: 'IPAddressPool',
    object: 'x',
    field: 'spec.serviceAllocation.serviceSelectors[0].matchExpressions[1]',
    message: /^duplicate definition of match expressions/,
  },
];

describe('buildConfig: rejection rules (as MetalLB, docs/metallb-compatibility.md §1)', () => {
  test.each(rules.map((rule) => [rule.name, rule] as const))('%s', (_name, rule) => {
    const result = build(rule.objects);
    const error = result.errors.find(
      (candidate) =>
        candidate.object.kind === rule.kind &&
        candidate.object.name === rule.object &&
        candidate.field === rule.field,
    );
    expect({ errors: result.errors, found: error !== undefined }).toMatchObject({ found: true });
    if (error === undefined) return;
    expect(error.message).toMatch(rule.message);
    expect(formatConfigError(error)).toContain(
      `${rule.kind} ${error.object.namespace}/${rule.object}: ${rule.field}: `,
    );
    expect(result.fatal).toBe(rule.fatal ?? false);
  });
});

describe('buildConfig: rules that need the nodes', () => {
  it('allows different routerIDs for peers that never share a node', () => {
    const result = build([
      node('n1', { rack: 'r1' }),
      node('n2', { rack: 'r2' }),
      p({ routerID: '10.0.0.1', nodeSelectors: [{ matchLabels: { rack: 'r1' } }] }, 'a'),
      p(
        { peerAddress: '192.0.2.51', routerID: '10.0.0.2', nodeSelectors: [{ matchLabels: { rack: 'r2' } }] },
        'b',
      ),
    ]);
    expect(result.errors).toEqual([]);
  });

  it('allows different local preferences from disjoint nodes or to disjoint peers', () => {
    const base = [
      node('n1', { rack: 'r1' }),
      node('n2', { rack: 'r2' }),
      pool('x', { addresses: ['10.0.0.0/24'] }),
    ];
    expect(
      build([
        ...base,
        advertisement('a', { localPref: 100, nodeSelectors: [{ matchLabels: { rack: 'r1' } }] }),
        advertisement('b', { localPref: 200, nodeSelectors: [{ matchLabels: { rack: 'r2' } }] }),
      ]).errors,
    ).toEqual([]);
    expect(
      build([
        ...base,
        advertisement('a', { localPref: 100, peers: ['p1'] }),
        advertisement('b', { localPref: 200, peers: ['p2'] }),
      ]).errors,
    ).toEqual([]);
  });

  it('warns about advertisements naming pools or peers that do not exist', () => {
    const result = build([advertisement('a', { ipAddressPools: ['ghost'], peers: ['nobody'] })]);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((warning) => warning.field)).toEqual([
      'spec.ipAddressPools[0]',
      'spec.peers[0]',
    ]);
  });
});

describe('buildConfig: hostile strings', () => {
  const hostile = fc.oneof(
    fc.string(),
    fc.constantFrom(
      'a\nb',
      'a b',
      'x\u0000',
      '!',
      'a!b',
      '\t',
      ' 10.0.0.1',
      '10.0.0.1\n',
      'x'.repeat(300),
      'large:1:2:3\n',
      '1:1 ',
    ),
  );
  const printable = /^[\x21-\x7e]*$/;

  function allStrings(value: unknown, into: string[] = []): string[] {
    if (typeof value === 'string') into.push(value);
    else if (Array.isArray(value)) value.forEach((entry) => allStrings(entry, into));
    else if (value !== null && typeof value === 'object') {
      for (const [key, entry] of Object.entries(value)) {
        into.push(key);
        allStrings(entry, into);
      }
    }
    return into;
  }

  it('every string in the Config matches a strict grammar, or the object is rejected', () => {
    fc.assert(
      fc.property(hostile, fc.nat(15), (text, slot) => {
        const specs: Record<string, unknown>[] = [
          { peerAddress: text },
          { sourceAddress: text },
          { routerID: text },
          { password: text },
          { vrf: text },
          { interface: text, peerAddress: undefined },
          { holdTime: text },
          { keepaliveTime: text },
          { connectTime: text },
          { bfdProfile: text },
          { nodeSelectors: [{ matchLabels: { [text]: 'x' } }] },
          { nodeSelectors: [{ matchLabels: { a: text } }] },
          { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: [text] }] }] },
        ];
        const objects: object[] = [
          bfdProfile('b', {}),
          p({ ...specs[slot % specs.length] }, 'peer'),
          pool('x', { addresses: [text] }),
          pool('y', { addresses: ['10.9.0.0/24'], serviceAllocation: { namespaces: [text] } }),
          advertisement('a', { communities: [text], peers: [text] }),
          community('c', [{ name: 'alias', value: text }]),
        ];
        const loadedResult = load(objects);
        const result = buildConfig(loadedResult.resources, { namespace: NS });
        for (const entry of allStrings(result.config)) expect(entry).toMatch(printable);
      }),
      { numRuns: 300 },
    );
  });
});
