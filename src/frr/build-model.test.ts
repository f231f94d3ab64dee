import type { PeerAdvertisement } from '../announce/types.js';
import { frrModelForNode } from './build-model.js';
import { defaultFrrRenderer } from './templates.js';
import { bfdProfile, peer } from '../../test/support/builders.js';
import type { Peer } from '../config/types.js';

const render = defaultFrrRenderer();
const COMMUNITY_100 = { kind: 'standard', value: '65000:100' } as const;

function renderFor(peers: Peer[], advertisements: PeerAdvertisement[] = []): string {
  return render(frrModelForNode({ peers, bfdProfiles: [], advertisements }));
}

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trim());
}

describe('neighbor session lines', () => {
  const cases: { name: string; peer: Partial<Peer>; present: string[]; absent?: string[] }[] = [
    {
      name: 'a peer with holdTime 90s and keepalive 30s gets `timers 30 90`',
      peer: { holdTime: 90, keepaliveTime: 30 },
      present: ['neighbor 192.0.2.1 timers 30 90'],
    },
    {
      name: 'zero timers are rendered as `timers 0 0`',
      peer: { holdTime: 0, keepaliveTime: 0 },
      present: ['neighbor 192.0.2.1 timers 0 0'],
    },
    { name: 'no timers line when timers are unset', peer: {}, present: [], absent: ['timers'] },
    { name: 'eBGP multihop', peer: { ebgpMultiHop: true }, present: ['neighbor 192.0.2.1 ebgp-multihop'] },
    { name: 'non-default port', peer: { port: 1179 }, present: ['neighbor 192.0.2.1 port 1179'] },
    { name: 'default port is implicit', peer: { port: 179 }, present: [], absent: [' port '] },
    { name: 'connect time', peer: { connectTime: 5 }, present: ['neighbor 192.0.2.1 timers connect 5'] },
    { name: 'password', peer: { password: 's3cret' }, present: ['neighbor 192.0.2.1 password s3cret'] },
    {
      name: 'source address becomes update-source',
      peer: { sourceAddress: '192.0.2.11' },
      present: ['neighbor 192.0.2.1 update-source 192.0.2.11'],
    },
    {
      name: 'graceful restart',
      peer: { enableGracefulRestart: true },
      present: ['neighbor 192.0.2.1 graceful-restart', 'bgp graceful-restart preserve-fw-state'],
    },
    {
      name: 'localASN',
      peer: { localASN: 65200 },
      present: ['neighbor 192.0.2.1 local-as 65200 no-prepend replace-as'],
    },
    {
      name: 'BFD renders both `bfd` and `bfd profile` so reloads do not flap the session',
      peer: { bfdProfile: 'tor-bfd' },
      present: ['neighbor 192.0.2.1 bfd', 'neighbor 192.0.2.1 bfd profile tor-bfd'],
    },
    {
      name: 'dynamic ASN internal',
      peer: { peerASN: undefined, dynamicASN: 'internal' },
      present: ['neighbor 192.0.2.1 remote-as internal'],
    },
    {
      name: 'dynamic ASN external',
      peer: { peerASN: undefined, dynamicASN: 'external' },
      present: ['neighbor 192.0.2.1 remote-as external'],
    },
    {
      name: 'router id',
      peer: { routerID: '192.0.2.11' },
      present: ['bgp router-id 192.0.2.11'],
    },
    {
      name: 'single-hop eBGP to an IPv6 address disables the connected check',
      peer: { address: '2001:db8:ffff:a::1' },
      present: ['neighbor 2001:db8:ffff:a::1 disable-connected-check', 'address-family ipv6 unicast'],
      absent: ['address-family ipv4 unicast'],
    },
    {
      name: 'iBGP over IPv6 keeps the connected check',
      peer: { address: '2001:db8:ffff:a::1', peerASN: 65100 },
      present: ['neighbor 2001:db8:ffff:a::1 remote-as 65100'],
      absent: ['disable-connected-check'],
    },
    {
      name: 'dual-stack address family activates the neighbor in both families',
      peer: { dualStackAddressFamily: true },
      present: ['address-family ipv4 unicast', 'address-family ipv6 unicast'],
    },
    {
      name: 'unnumbered peers use `interface remote-as` and both families',
      peer: { address: undefined, interface: 'eth0', peerASN: undefined, dynamicASN: 'external' },
      present: [
        'neighbor eth0 interface remote-as external',
        'address-family ipv6 unicast',
        'neighbor eth0 route-map eth0-out out',
      ],
      absent: ['disable-connected-check'],
    },
    {
      name: 'a VRF peer gets its own router and VRF-suffixed route maps',
      peer: { vrf: 'red' },
      present: ['router bgp 65100 vrf red', 'neighbor 192.0.2.1 route-map 192.0.2.1-red-out out'],
    },
  ];
  test.each(cases)('$name', ({ peer: fields, present, absent = [] }) => {
    const text = renderFor([peer('tor1', '192.0.2.1', fields)]);
    const rendered = lines(text);
    for (const line of present) expect(rendered).toContain(line);
    for (const fragment of absent) expect(text).not.toContain(fragment);
  });
});

describe('announcements', () => {
  const tor1 = peer('tor1', '192.0.2.1');
  const tor2 = peer('tor2', '198.51.100.1');
  const ad = (prefix: string, peer: string, extra: Partial<PeerAdvertisement> = {}): PeerAdvertisement => ({
    prefix,
    family: prefix.includes(':') ? 'ipv6' : 'ipv4',
    peer,
    communities: [],
    localPref: 0,
    ...extra,
  });

  test('every peer denies all received routes and ends its out route map with a deny', () => {
    const rendered = lines(renderFor([tor1]));
    expect(rendered).toContain('route-map 192.0.2.1-in deny 20');
    expect(rendered).toContain('route-map 192.0.2.1-out deny 65535');
  });

  test('a prefix with a community and local-pref is one network line plus a class entry per peer', () => {
    const text = renderFor(
      [tor1],
      [ad('203.0.113.5/32', 'tor1', { communities: [COMMUNITY_100], localPref: 100 })],
    );
    const network = text.match(/network 203\.0\.113\.5\/32 route-map (ferry-c-\d+)/);
    expect(network).not.toBeNull();
    const className = network?.[1] ?? '';
    expect(text).toContain(
      [
        'route-map 192.0.2.1-out permit 10',
        ` match large-community ${className}`,
        ' set community 65000:100',
        ` set large-comm-list ${className} delete`,
        ' set local-preference 100',
      ].join('\n'),
    );
  });

  test('adding one service IP of an existing class changes exactly one line', () => {
    const before = renderFor([tor1, tor2], [ad('203.0.113.5/32', 'tor1'), ad('203.0.113.5/32', 'tor2')]);
    const after = renderFor(
      [tor1, tor2],
      [
        ad('203.0.113.5/32', 'tor1'),
        ad('203.0.113.5/32', 'tor2'),
        ad('203.0.113.6/32', 'tor1'),
        ad('203.0.113.6/32', 'tor2'),
      ],
    );
    const beforeLines = before.split('\n');
    const added = after.split('\n').filter((line) => !beforeLines.includes(line));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^ {2}network 203\.0\.113\.6\/32 route-map ferry-c-\d+$/);
    expect(after.split('\n')).toHaveLength(beforeLines.length + 1);
  });

  test('a prefix limited to one peer only gets an entry in that peer’s out route map', () => {
    const text = renderFor([tor1, tor2], [ad('203.0.113.5/32', 'tor1')]);
    expect(text).toMatch(/route-map 192\.0\.2\.1-out permit 10\n match large-community/);
    expect(text).not.toMatch(/route-map 198\.51\.100\.1-out permit/);
  });

  test('different attributes per peer for the same prefix reach each peer separately', () => {
    const text = renderFor(
      [tor1, tor2],
      [
        ad('203.0.113.5/32', 'tor1', { communities: [COMMUNITY_100] }),
        ad('203.0.113.5/32', 'tor2', { communities: [{ kind: 'large', value: '65000:1:2' }] }),
      ],
    );
    expect(text).toMatch(
      /route-map 192\.0\.2\.1-out permit 10\n match large-community ferry-c-\d+\n set community 65000:100\n/,
    );
    expect(text).toMatch(
      /route-map 198\.51\.100\.1-out permit 10\n match large-community ferry-c-\d+\n set large-comm-list ferry-c-\d+ delete\n set large-community 65000:1:2 additive\n/,
    );
    expect(text.match(/network 203\.0\.113\.5\/32/g)).toHaveLength(1);
  });

  test('an IPv6 prefix is not sent to an IPv4-only neighbor', () => {
    const text = renderFor([tor1], [ad('2001:db8::5/128', 'tor1')]);
    expect(text).not.toContain('2001:db8::5/128');
  });

  test('the same inputs in any order render byte-identical text', () => {
    const ads = [
      ad('203.0.113.9/32', 'tor2'),
      ad('203.0.113.5/32', 'tor1', { communities: [COMMUNITY_100] }),
      ad('203.0.113.5/32', 'tor2'),
      ad('203.0.113.17/32', 'tor1'),
    ];
    const forward = renderFor([tor1, tor2], ads);
    const backward = renderFor([tor2, tor1], [...ads].reverse());
    expect(backward).toBe(forward);
    // prefixes are ordered numerically, not as text
    expect(forward.indexOf('203.0.113.9/32')).toBeLessThan(forward.indexOf('203.0.113.17/32'));
  });
});

describe('BFD profiles', () => {
  test('only the fields that are set are rendered, all fields when all are set', () => {
    const model = frrModelForNode({
      peers: [],
      advertisements: [],
      bfdProfiles: [
        bfdProfile('bare'),
        bfdProfile('full', {
          receiveInterval: 100,
          transmitInterval: 200,
          detectMultiplier: 5,
          echoMode: true,
          echoInterval: 25,
          passiveMode: true,
          minimumTtl: 20,
        }),
      ],
    });
    expect(render(model)).toContain(
      [
        'bfd',
        ' profile bare',
        ' exit',
        ' !',
        ' profile full',
        '  detect-multiplier 5',
        '  receive-interval 100',
        '  transmit-interval 200',
        '  echo-mode',
        '  echo receive-interval 25',
        '  echo transmit-interval 25',
        '  passive-mode',
        '  minimum-ttl 20',
        ' exit',
        ' !',
        'exit',
      ].join('\n'),
    );
  });

  test('no bfd block without profiles', () => {
    expect(renderFor([])).not.toContain('bfd');
  });
});

describe('layer 2 liveness peers', () => {
  const cases: { name: string; shutdown: boolean; bgp: Peer[]; shut: string[]; open: string[] }[] = [
    {
      name: 'running: no shutdown line',
      shutdown: false,
      bgp: [],
      shut: [],
      open: ['192.0.2.12', '192.0.2.13'],
    },
    {
      name: 'handing over: every session administratively down',
      shutdown: true,
      bgp: [],
      shut: ['192.0.2.12', '192.0.2.13'],
      open: [],
    },
    {
      name: 'handing over: a session shared with a BGP neighbor stays up (its BGP session would drop)',
      shutdown: true,
      bgp: [peer('node-13', '192.0.2.13')],
      shut: ['192.0.2.12'],
      open: ['192.0.2.13'],
    },
  ];
  test.each(cases)('$name', ({ shutdown, bgp, shut, open }) => {
    const text = render(
      frrModelForNode({
        peers: bgp,
        bfdProfiles: [],
        advertisements: [],
        livenessPeers: ['192.0.2.13', '192.0.2.12'],
        livenessShutdown: shutdown,
      }),
    );
    const block = (address: string) =>
      [` peer ${address}`, '  detect-multiplier 3', '  receive-interval 100', '  transmit-interval 100'].join(
        '\n',
      );
    for (const address of shut) expect(text).toContain(`${block(address)}\n  shutdown\n exit`);
    for (const address of open) expect(text).toContain(`${block(address)}\n exit`);
  });
});
