import { parseBgpSummary, parseBgpSummaryAllVrfs, type BgpSummaryPeer } from './bgp-summary.js';
import { fixture, fixtureNames } from './testdata/fixtures.js';

function byPeer(peers: BgpSummaryPeer[]): Map<string, BgpSummaryPeer> {
  return new Map(peers.map((peer) => [peer.peer, peer]));
}

describe('parseBgpSummary (show bgp summary json)', () => {
  it.each(fixtureNames(/-show-bgp-summary-/))('reads every peer of %s with a known state', (name) => {
    const peers = parseBgpSummary(fixture(name));
    expect(peers.length).toBeGreaterThan(0);
    for (const peer of peers) {
      expect(peer.state).not.toBe('unknown');
      expect(peer.vrf).toBe('default');
      expect(Object.keys(peer.prefixes).length).toBeGreaterThan(0);
    }
  });

  it('reports established peers with uptime and prefix counts per family', () => {
    const peers = byPeer(parseBgpSummary(fixture('tor-show-bgp-summary-established.json')));
    expect(peers.get('192.0.2.11')).toMatchObject({
      hostname: 'node1',
      remoteAs: 65100,
      localAs: 65000,
      state: 'Established',
      adminShutdown: false,
      peerState: 'OK',
      uptimeSeconds: 47,
      establishedEpoch: 1795451857,
      prefixes: { ipv4Unicast: { sent: 1, received: 1 } },
    });
    expect(peers.get('2001:db8:ffff:a::11')).toMatchObject({
      address: '2001:db8:ffff:a::11',
      prefixes: { ipv6Unicast: { sent: 1, received: 1 } },
    });
  });

  it('distinguishes Active, Idle and administratively shut down peers', () => {
    const peers = byPeer(parseBgpSummary(fixture('speaker-show-bgp-summary-mixed-states.json')));
    const view = (peer: string) => {
      const p = peers.get(peer);
      return [p?.state, p?.adminShutdown, p?.uptimeSeconds, p?.connectionsEstablished];
    };
    expect(view('192.0.2.1')).toEqual(['Established', false, 19, 3]);
    expect(view('192.0.2.9')).toEqual(['Active', false, undefined, 0]);
    expect(view('198.51.100.1')).toEqual(['Idle', false, undefined, 0]);
    expect(view('198.51.100.9')).toEqual(['Idle', true, undefined, 0]);
    expect(view('2001:db8:ffff:a::1')).toEqual(['Active', false, undefined, 0]);
  });

  it('does not report the time since a session went down as uptime', () => {
    const node2 = byPeer(parseBgpSummary(fixture('tor-show-bgp-summary-after-linkdown-bfd.json'))).get(
      '192.0.2.12',
    );
    expect(node2).toMatchObject({ state: 'Idle', uptimeSeconds: undefined, establishedEpoch: undefined });
  });

  it('merges a peer active in both families into one record', () => {
    const peers = parseBgpSummary({
      ipv4Unicast: {
        vrfName: 'default',
        peers: { '192.0.2.1': { state: 'Established', pfxSnt: 2, pfxRcd: 0 } },
      },
      ipv6Unicast: {
        vrfName: 'default',
        peers: { '192.0.2.1': { state: 'Established', pfxSnt: 3, pfxRcd: 1 } },
      },
    });
    expect(peers).toHaveLength(1);
    expect(peers[0]?.prefixes).toEqual({
      ipv4Unicast: { sent: 2, received: 0 },
      ipv6Unicast: { sent: 3, received: 1 },
    });
  });

  it('identifies unnumbered peers by interface', () => {
    const [peer] = parseBgpSummary({
      ipv4Unicast: { peers: { eth0: { idType: 'interface', state: 'Established', pfxSnt: 1 } } },
    });
    expect(peer).toMatchObject({ peer: 'eth0', interface: 'eth0', address: undefined });
  });
});

describe('parseBgpSummaryAllVrfs (show bgp vrf all summary json)', () => {
  it.each([
    ['speaker-show-bgp-vrf-all-summary-established.json', 'speaker-show-bgp-summary-established.json'],
    ['speaker-show-bgp-vrf-all-summary-mixed-states.json', 'speaker-show-bgp-summary-mixed-states.json'],
    ['tor-show-bgp-vrf-all-summary-established.json', 'tor-show-bgp-summary-established.json'],
  ])('%s unwraps to the same peers as %s', (wrapped, plain) => {
    const view = (peers: BgpSummaryPeer[]) => peers.map((p) => [p.vrf, p.peer, p.state, p.prefixes]);
    expect(view(parseBgpSummaryAllVrfs(fixture(wrapped)))).toEqual(view(parseBgpSummary(fixture(plain))));
  });
});
