import { parseBgpNeighbors, parseBgpNeighborsAllVrfs, type BgpPeerState } from './bgp-neighbors.js';
import { fixture, fixtureNames } from './testdata/fixtures.js';

function byPeer(peers: BgpPeerState[]): Map<string, BgpPeerState> {
  return new Map(peers.map((peer) => [peer.peer, peer]));
}

describe('parseBgpNeighbors (show bgp neighbors json)', () => {
  it.each(fixtureNames(/-show-bgp-neighbors-/))('reads every peer of %s with a known state', (name) => {
    const peers = parseBgpNeighbors(fixture(name));
    expect(peers.length).toBeGreaterThan(0);
    for (const peer of peers) {
      expect(peer.vrf).toBe('default');
      expect(peer.state).not.toBe('unknown');
      expect(peer.address).toBe(peer.peer);
      expect(peer.interface).toBeUndefined();
      expect(peer.remoteAs).toEqual(expect.any(Number));
    }
  });

  it('reports an established session with uptime, counters, prefixes and BFD up', () => {
    const tor1 = byPeer(parseBgpNeighbors(fixture('speaker-show-bgp-neighbors-established.json'))).get(
      '192.0.2.1',
    );
    expect(tor1).toMatchObject({
      hostname: 'tor1',
      remoteAs: 65000,
      localAs: 65100,
      state: 'Established',
      adminShutdown: false,
      uptimeSeconds: 46,
      establishedEpoch: 1795451858,
      holdTimeSeconds: 9,
      keepaliveSeconds: 3,
      connectionsEstablished: 2,
      connectionsDropped: 1,
      // the BFD flap every cold start shows (docs/design.md §7.2)
      lastResetDueTo: 'BGP Notification send',
      lastNotification: { reason: 'Cease/BFD Down', code: 6, subcode: 10, hardReset: false },
      prefixes: { ipv4Unicast: { sent: 1, received: 0 } },
      localAddress: '192.0.2.11',
      remotePort: 179,
      bfd: {
        status: 'up',
        type: 'single hop',
        detectMultiplier: 3,
        receiveIntervalMs: 300,
        transmitIntervalMs: 300,
      },
    });
    expect(tor1?.messagesSent).toEqual({
      opens: 2,
      notifications: 1,
      updates: 2,
      keepalives: 17,
      routeRefresh: 0,
      capability: 0,
      total: 22,
    });
    expect(tor1?.messagesReceived).toMatchObject({ opens: 2, notifications: 0, keepalives: 17, total: 21 });
  });

  it('keeps IPv6 sessions apart with their own address family', () => {
    const v6 = byPeer(parseBgpNeighbors(fixture('speaker-show-bgp-neighbors-established.json'))).get(
      '2001:db8:ffff:a::1',
    );
    expect(v6).toMatchObject({ state: 'Established', prefixes: { ipv6Unicast: { sent: 1, received: 0 } } });
  });

  it('tells apart the non-established states of the mixed-states capture', () => {
    const peers = byPeer(parseBgpNeighbors(fixture('speaker-show-bgp-neighbors-mixed-states.json')));
    expect(peers.get('198.51.100.1')).toMatchObject({
      state: 'Idle',
      adminShutdown: false,
      uptimeSeconds: undefined,
      establishedEpoch: undefined,
      lastNotification: { reason: 'OPEN Message Error/Bad Peer AS', code: 2, subcode: 2 },
      bfd: { status: 'up' },
    });
    expect(peers.get('192.0.2.9')).toMatchObject({
      state: 'Active',
      connectionsEstablished: 0,
      lastResetDueTo: 'Waiting for peer OPEN',
      lastNotification: undefined,
      bfd: { status: 'down' },
      prefixes: { ipv4Unicast: { sent: undefined, received: 0 } },
    });
    expect(peers.get('198.51.100.9')).toMatchObject({
      state: 'Idle',
      adminShutdown: true,
      lastResetDueTo: 'Admin. shutdown',
      bfd: undefined,
      localAddress: undefined,
      localPort: undefined,
      remotePort: undefined,
    });
    expect(peers.get('192.0.2.1')).toMatchObject({ state: 'Established', bfd: { status: 'down' } });
  });

  it.each([
    ['tor-show-bgp-neighbors-192.0.2.12-after-linkdown-bfd.json', 'Cease/BFD Down', 6, 10, true],
    ['tor-show-bgp-neighbors-192.0.2.12-after-linkdown-hold9.json', 'Hold Timer Expired', 4, 0, false],
    [
      'tor-show-bgp-neighbors-198.51.100.13-wrong-asn-from-node3.json',
      'OPEN Message Error/Bad Peer AS',
      2,
      2,
      false,
    ],
  ])('decodes the last notification of %s', (name, reason, code, subcode, hardReset) => {
    const [peer] = parseBgpNeighbors(fixture(name));
    expect(peer?.state).toBe('Idle');
    expect(peer?.lastNotification).toEqual({ reason, code, subcode, hardReset });
  });

  it('has no BFD info for a peer configured without bfd', () => {
    const [peer] = parseBgpNeighbors(fixture('tor-show-bgp-neighbors-192.0.2.13-node3-no-bfd.json'));
    expect(peer).toMatchObject({ state: 'Established', bfd: undefined });
  });

  it('reports the peer group of a ToR neighbor', () => {
    const peers = parseBgpNeighbors(fixture('tor-show-bgp-neighbors-established.json'));
    expect(peers.map((peer) => [peer.peer, peer.peerGroup])).toEqual([
      ['192.0.2.11', 'SPEAKERS'],
      ['192.0.2.12', 'SPEAKERS'],
      ['192.0.2.13', 'SPEAKERS'],
      ['2001:db8:ffff:a::11', 'SPEAKERS6'],
    ]);
  });

  it('names the VRF given for a command run in a VRF', () => {
    const peers = parseBgpNeighbors(fixture('speaker-show-bgp-neighbors-192.0.2.1-established.json'), 'red');
    expect(peers.map((peer) => peer.vrf)).toEqual(['red']);
  });

  it('identifies an unnumbered peer by interface and learned address', () => {
    const [peer] = parseBgpNeighbors({
      eth0: { remoteAs: 65000, bgpState: 'Established', bgpNeighborAddr: 'fe80::1', hostForeign: 'fe80::1' },
    });
    expect(peer).toMatchObject({ peer: 'eth0', interface: 'eth0', address: 'fe80::1' });
  });

  it('degrades missing and mistyped fields to undefined', () => {
    const [peer] = parseBgpNeighbors({
      '192.0.2.1': { bgpState: 42, remoteAs: '65000', messageStats: [], peerBfdInfo: { status: 7 } },
    });
    expect(peer).toMatchObject({
      state: 'unknown',
      remoteAs: undefined,
      prefixes: {},
      bfd: { status: 'unknown' },
      lastNotification: undefined,
    });
    expect(parseBgpNeighbors({ bgpNoSuchNeighbor: true })).toEqual([]);
    expect(parseBgpNeighbors('% BGP instance not found')).toEqual([]);
  });
});

describe('parseBgpNeighborsAllVrfs (show bgp vrf all neighbors json)', () => {
  it.each([
    ['speaker-show-bgp-vrf-all-neighbors-established.json', 'speaker-show-bgp-neighbors-established.json'],
    ['speaker-show-bgp-vrf-all-neighbors-mixed-states.json', 'speaker-show-bgp-neighbors-mixed-states.json'],
    ['tor-show-bgp-vrf-all-neighbors-established.json', 'tor-show-bgp-neighbors-established.json'],
  ])('%s: skips the VRF metadata and finds the same peers and states as %s', (wrapped, plain) => {
    const summary = (peers: BgpPeerState[]) => peers.map((p) => [p.vrf, p.peer, p.state, p.bfd?.status]);
    expect(summary(parseBgpNeighborsAllVrfs(fixture(wrapped)))).toEqual(
      summary(parseBgpNeighbors(fixture(plain))),
    );
  });

  it('labels peers with the VRF name', () => {
    const peers = parseBgpNeighborsAllVrfs({
      red: { vrfId: 5, vrfName: 'red', '192.0.2.1': { remoteAs: 65000, bgpState: 'Connect' } },
    });
    expect(peers).toMatchObject([{ vrf: 'red', peer: '192.0.2.1', state: 'Connect' }]);
  });
});
