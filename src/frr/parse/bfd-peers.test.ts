import { bfdSessionsWithCounters, parseBfdCounters } from './bfd-counters.js';
import { parseBfdPeers, type BfdSession } from './bfd-peers.js';
import { fixture, fixtureNames } from './testdata/fixtures.js';

function byPeer(sessions: BfdSession[]): Map<string, BfdSession> {
  return new Map(sessions.map((session) => [session.peer, session]));
}

describe('parseBfdPeers (show bfd [vrf NAME] peers json)', () => {
  it.each(fixtureNames(/-show-bfd-(vrf-default-)?peers-(?!counters)/))(
    'reads every session of %s',
    (name) => {
      const sessions = parseBfdPeers(fixture(name));
      expect(sessions.length).toBeGreaterThan(0);
      for (const session of sessions) {
        expect(['up', 'down']).toContain(session.status);
        expect(session.vrf).toBe('default');
        expect(session.configured.detectMultiplier).toBe(3);
      }
    },
  );

  it.each(fixtureNames(/-show-bfd-vrf-all-peers-/))('%s is empty, as FRR 8.4.4 prints it', (name) => {
    expect(parseBfdPeers(fixture(name))).toEqual([]);
  });

  it('reports an up session with configured, remote and negotiated timers', () => {
    const session = byPeer(parseBfdPeers(fixture('speaker-show-bfd-peers-established.json'))).get(
      '198.51.100.1',
    );
    expect(session).toEqual({
      peer: '198.51.100.1',
      local: '198.51.100.11',
      vrf: 'default',
      interface: 'eth-b',
      multihop: false,
      id: 789266014,
      remoteId: 789266014,
      status: 'up',
      diagnostic: 'ok',
      remoteDiagnostic: 'ok',
      uptimeSeconds: 44,
      downtimeSeconds: undefined,
      passive: false,
      configured: {
        receiveMs: 300,
        transmitMs: 300,
        echoReceiveMs: 50,
        echoTransmitMs: 0,
        detectMultiplier: 3,
      },
      remote: {
        receiveMs: 300,
        transmitMs: 300,
        echoReceiveMs: 50,
        echoTransmitMs: undefined,
        detectMultiplier: 3,
      },
      negotiated: { transmitMs: 300, receiveMs: 300, detectionTimeMs: 900 },
    });
  });

  it('reports why a session is down and no negotiated timers', () => {
    const sessions = byPeer(parseBfdPeers(fixture('speaker-show-bfd-peers-mixed-states.json')));
    expect(sessions.get('192.0.2.1')).toMatchObject({
      status: 'down',
      downtimeSeconds: 19,
      uptimeSeconds: undefined,
      diagnostic: 'neighbor signaled session down',
      negotiated: undefined,
    });
    // a peer that never answered: no local address yet, the remote's slow-start defaults
    expect(sessions.get('192.0.2.9')).toMatchObject({
      status: 'down',
      local: undefined,
      remote: { receiveMs: 1000 },
    });
    const linkDown = byPeer(parseBfdPeers(fixture('tor-show-bfd-peers-after-linkdown-bfd.json'))).get(
      '192.0.2.12',
    );
    expect(linkDown).toMatchObject({ status: 'down', diagnostic: 'control detection time expired' });
  });

  it('negotiates the slower of the two ends (RFC 5880)', () => {
    const [session] = parseBfdPeers([
      {
        peer: '192.0.2.1',
        status: 'up',
        'receive-interval': 300,
        'transmit-interval': 200,
        'remote-receive-interval': 500,
        'remote-transmit-interval': 100,
        'remote-detect-multiplier': 5,
      },
    ]);
    expect(session?.negotiated).toEqual({ transmitMs: 500, receiveMs: 300, detectionTimeMs: 1500 });
  });

  it.each([
    ['shutdown', 'admin-down'],
    ['init', 'init'],
    ['up', 'up'],
    ['weird', 'unknown'],
  ])('maps status %s to %s', (status, expected) => {
    expect(parseBfdPeers([{ peer: '192.0.2.1', status }])[0]?.status).toBe(expected);
  });

  it('skips entries without a peer address', () => {
    expect(parseBfdPeers([{ status: 'up' }, 7, null])).toEqual([]);
    expect(parseBfdPeers({ peer: '192.0.2.1' })).toEqual([]);
  });
});

describe('parseBfdCounters (show bfd peers counters json)', () => {
  it('reads the packet and event counters per session', () => {
    const counters = parseBfdCounters(fixture('speaker-show-bfd-peers-counters-established.json'));
    expect(counters.find((entry) => entry.peer === '198.51.100.1')).toEqual({
      peer: '198.51.100.1',
      local: '198.51.100.11',
      vrf: 'default',
      interface: 'eth-b',
      multihop: false,
      controlPacketsIn: 176,
      controlPacketsOut: 176,
      echoPacketsIn: 0,
      echoPacketsOut: 0,
      sessionUpEvents: 1,
      sessionDownEvents: 1,
      zebraNotifications: 2,
    });
  });

  it.each([
    ['speaker-show-bfd-peers-mixed-states.json', 'speaker-show-bfd-peers-counters-mixed-states.json'],
    ['speaker-show-bfd-peers-established.json', 'speaker-show-bfd-peers-counters-established.json'],
    ['tor-show-bfd-peers-established.json', 'tor-show-bfd-peers-counters-established.json'],
  ])('pairs every session of %s with its counters from %s', (peersName, countersName) => {
    const paired = bfdSessionsWithCounters(
      parseBfdPeers(fixture(peersName)),
      parseBfdCounters(fixture(countersName)),
    );
    expect(paired.length).toBeGreaterThan(0);
    for (const { session, counters } of paired) expect(counters?.peer).toBe(session.peer);
  });
});
