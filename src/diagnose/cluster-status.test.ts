import { ferryCrdValidator } from '../api/load-directory.js';
import { configurationState, labCluster, NOW, session } from '../../test/support/lab-cluster.js';
import { clusterStatus, clusterStatusText } from './cluster-status.js';
import { snapshotOf, type ClusterObjects } from './snapshot.js';
import { noColour } from './table.js';

function status(objects: ClusterObjects) {
  const shot = snapshotOf(objects, ferryCrdValidator(), { namespace: 'metallb-system', now: NOW });
  return clusterStatus(shot, { lbClass: '' });
}

test('the lab at a glance: every session up, the pool 1/256 used, healthy', () => {
  const result = status(labCluster());
  expect(result.healthy).toBe(true);
  expect(result.pools).toEqual([{ pool: 'prod-pool', autoAssign: true, used: 1, total: '256' }]);
  expect(result.sessions).toHaveLength(6);
});

test('a hard-failed node: its sessions down, a silent speaker, an invalid ConfigurationState (golden table)', () => {
  const lab = labCluster();
  const objects: ClusterObjects = {
    ...lab,
    bgpSessionStates: [
      session('node-21', '192.0.2.1', 'Active', 'BFD down'),
      session('node-21', '198.51.100.1', 'Connect'),
      session('node-22', '192.0.2.1'),
      session('node-22', '198.51.100.1'),
    ],
    configurationStates: [
      configurationState('controller'),
      configurationState('speaker-node-21'),
      configurationState(
        'speaker-node-22',
        'Invalid',
        'BGPPeer metallb-system/tor3: spec.holdTime: invalid hold time 2s',
      ),
    ],
  };
  const result = status(objects);
  expect(result.healthy).toBe(false);
  expect(result.silentNodes).toEqual(['node-23']);
  expect(clusterStatusText(result, { wide: false, paint: noColour })).toBe(
    [
      'NODE     PEER          VRF      BGP          BFD   UPTIME  SENT  RECEIVED  LAST ERROR',
      'node-21  192.0.2.1     default  Active       down  -       0     0         BFD down',
      'node-21  198.51.100.1  default  Connect      down  -       0     0         -',
      'node-22  192.0.2.1     default  Established  up    3m10s   1     0         -',
      'node-22  198.51.100.1  default  Established  up    3m10s   1     0         -',
      '',
      'POOL       AUTOASSIGN  USED  TOTAL',
      'prod-pool  true        1     256',
      '',
      'Controller: ferry-controller-abc leads (Lease ferry-controller renewed 2s ago)',
      '! 2 of 4 BGP sessions not Established',
      '! node-23: its speaker reports nothing (no ConfigurationState speaker-node-23, no BGPSessionState)',
      '! ConfigurationState speaker-node-22: Invalid: BGPPeer metallb-system/tor3: spec.holdTime: invalid hold time 2s',
      '',
    ].join('\n'),
  );
});

test('a NotReady node: not healthy, and its rows are marked possibly stale', () => {
  const lab = labCluster();
  const nodes = lab.nodes.map((node) =>
    node.metadata.name === 'node-23'
      ? {
          ...node,
          status: { conditions: [{ type: 'Ready', status: 'False', message: 'container runtime is down' }] },
        }
      : node,
  );
  const result = status({ ...lab, nodes });
  expect(result.healthy).toBe(false);
  expect(clusterStatusText(result, { wide: false, paint: noColour })).toContain(
    '! node-23 is not Ready (False: container runtime is down): its rows above may be stale\n',
  );
});
