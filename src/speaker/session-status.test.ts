import { fixture } from '../frr/parse/testdata/fixtures.js';
import { parseBfdPeers } from '../frr/parse/bfd-peers.js';
import { parseBgpNeighborsAllVrfs } from '../frr/parse/bgp-neighbors.js';
import { peer } from '../../test/support/builders.js';
import { goDuration, sessionStatuses } from './session-status.js';

describe('BGPSessionState from FRR', () => {
  test('established sessions with BFD up report uptime, prefixes and negotiated BFD timers', () => {
    const statuses = sessionStatuses({
      node: 'node1',
      peers: [
        peer('tor1', '192.0.2.1', { bfdProfile: 'fast' }),
        peer('tor2', '198.51.100.1', { bfdProfile: 'fast' }),
      ],
      bgp: parseBgpNeighborsAllVrfs(fixture('speaker-show-bgp-vrf-all-neighbors-established.json')),
      bfd: parseBfdPeers(fixture('speaker-show-bfd-peers-established.json')),
    });
    expect(statuses).toHaveLength(2);
    for (const status of statuses) {
      expect(status).toMatchObject({
        node: 'node1',
        vrf: '',
        bgpStatus: 'Established',
        bfdStatus: 'up',
        prefixesSent: 1,
      });
      expect(status.uptime).toMatch(/^(\d+h)?(\d+m)?\d+s$/);
      expect(status.bfdTimers).toEqual({ receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 });
    }
  });

  test('a wrong peer ASN shows the BGP state and the notification as the last error', () => {
    const statuses = sessionStatuses({
      node: 'node3',
      peers: [peer('tor2', '198.51.100.1', { peerASN: 65001, bfdProfile: 'fast' })],
      bgp: parseBgpNeighborsAllVrfs(fixture('speaker-show-bgp-vrf-all-neighbors-mixed-states.json')),
      bfd: parseBfdPeers(fixture('speaker-show-bfd-peers-mixed-states.json')),
    });
    expect(statuses[0]).toMatchObject({
      peer: '198.51.100.1',
      uptime: '',
      lastError: 'OPEN Message Error/Bad Peer AS',
      bfdStatus: 'up',
    });
    expect(statuses[0]?.bgpStatus).not.toBe('Established');
  });

  test('a peer without BFD reports N/A, one FRR does not know reports Unknown', () => {
    const statuses = sessionStatuses({
      node: 'node1',
      peers: [peer('ghost', '192.0.2.99')],
      bgp: parseBgpNeighborsAllVrfs(fixture('speaker-show-bgp-vrf-all-neighbors-established.json')),
      bfd: [],
    });
    expect(statuses).toEqual([
      expect.objectContaining({
        peer: '192.0.2.99',
        bgpStatus: 'Unknown',
        bfdStatus: 'N/A',
        bfdTimers: undefined,
      }),
    ]);
  });

  test('the session that went down on link loss reports BFD down and the reset reason', () => {
    const statuses = sessionStatuses({
      node: 'node2',
      peers: [peer('tor1', '192.0.2.1', { bfdProfile: 'fast' })],
      bgp: parseBgpNeighborsAllVrfs({
        default: fixture('speaker-show-bgp-neighbors-after-linkdown-bfd.json'),
      }),
      bfd: parseBfdPeers(fixture('speaker-show-bfd-peers-after-linkdown-bfd.json')),
    });
    expect(statuses[0]).toMatchObject({ bgpStatus: 'Idle', bfdStatus: 'down' });
    expect(statuses[0]?.lastError).not.toBe('');
  });
});

test.each([
  [0, '0s'],
  [59, '59s'],
  [61, '1m1s'],
  [3600, '1h0m0s'],
  [3725, '1h2m5s'],
])('goDuration(%i) = %s', (seconds, text) => {
  expect(goDuration(seconds)).toBe(text);
});
