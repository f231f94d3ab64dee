// The per-Service memo must never hand out a stale decision: the speaker reuses objects across
// reconciles, and any change to the Service's slices, the Config or the Node must be seen.
import { announcementsForNode } from './announcements.js';
import {
  advertisement,
  community,
  config,
  endpoint,
  node,
  service,
  slice,
  world,
} from '../../test/support/builders.js';

const web = service('default/web', { ingressIPs: ['203.0.113.10'], externalTrafficPolicy: 'Local' });

test('a new EndpointSlice for the same Service object is seen', () => {
  const first = announcementsForNode(
    world({ services: [web], endpointSlices: [slice('default/web', [endpoint('n1')])] }),
  );
  expect(first.decisions[0]).toMatchObject({ announced: true });
  const moved = announcementsForNode(
    world({ services: [web], endpointSlices: [slice('default/web', [endpoint('n2')])] }),
  );
  expect(moved.decisions[0]).toMatchObject({ announced: false, reason: 'noLocalEndpoints' });
  expect(moved.advertisements).toEqual([]);
});

test('a new Config object with other attributes is seen for the same Service object', () => {
  const slices = [slice('default/web', [endpoint('n1')])];
  const base = world({ services: [web], endpointSlices: slices });
  expect(announcementsForNode(base).advertisements[0]?.communities).toEqual([]);
  const withCommunity = config({
    advertisements: [advertisement('adv-a', { communities: [community('65000:7')] })],
  });
  const changed = announcementsForNode({ ...base, config: withCommunity });
  expect(changed.advertisements[0]?.communities).toEqual([community('65000:7')]);
});

test('a Node change (NetworkUnavailable) is seen for the same Service and slices', () => {
  const slices = [slice('default/web', [endpoint('n1')])];
  announcementsForNode(world({ services: [web], endpointSlices: slices }));
  const unavailable = announcementsForNode(
    world({ services: [web], endpointSlices: slices, node: node('n1', {}, true) }),
  );
  expect(unavailable.decisions[0]).toMatchObject({ announced: false, reason: 'nodeNetworkUnavailable' });
});

test('the same objects give the same result twice (the memo replays routes too)', () => {
  const input = world({ services: [web], endpointSlices: [slice('default/web', [endpoint('n1')])] });
  const first = announcementsForNode(input);
  expect(announcementsForNode(input)).toEqual(first);
  expect(first.advertisements.map((a) => a.peer)).toEqual(['tor1', 'tor2']);
});
