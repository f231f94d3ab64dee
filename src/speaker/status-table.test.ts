import { parseBfdPeers } from '../frr/parse/bfd-peers.js';
import { parseBgpNeighborsAllVrfs } from '../frr/parse/bgp-neighbors.js';
import { fixture } from '../frr/parse/testdata/fixtures.js';
import { sessionStatusesFromFrr } from './session-status.js';
import { sessionTable } from './status-table.js';

test('`ferry status` shows every session FRR reports with state, prefixes, BFD and the last error', () => {
  const table = sessionTable(
    sessionStatusesFromFrr(
      'node3',
      parseBgpNeighborsAllVrfs(fixture('speaker-show-bgp-vrf-all-neighbors-mixed-states.json')),
      parseBfdPeers(fixture('speaker-show-bfd-peers-mixed-states.json')),
    ),
  );
  const lines = table.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^PEER\s+VRF\s+BGP\s+UPTIME\s+SENT\s+RECEIVED\s+BFD\s+BFD TIMERS\s+LAST ERROR$/);
  expect(lines).toHaveLength(6);
  expect(table).toMatch(/192\.0\.2\.1\s+default\s+Established\s+\S+s\s+1\s+0\s+down/);
  expect(table).toMatch(
    /198\.51\.100\.1\s+default\s+\S+\s+-\s+0\s+0\s+up\s+300\/300x3\s+OPEN Message Error\/Bad Peer AS/,
  );
  expect(table).toMatch(/198\.51\.100\.9\s+default\s+Idle\s+-.*N\/A/);
});
