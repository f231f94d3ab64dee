import { announcementsForNode } from './announcements.js';
import { explainText } from './explain.js';
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

const result = announcementsForNode(
  world({
    config: config({
      advertisements: [
        advertisement('adv-a', {
          communities: [community('65000:100'), community('large:1:2:3')],
          localPref: 150,
        }),
        advertisement('adv-b', { peers: ['tor2'], aggregationLength: 24, localPref: 150 }),
      ],
    }),
    services: [
      service('default/web', { ingressIPs: ['203.0.113.10'] }),
      service('shop/cart', { ingressIPs: ['203.0.113.20'], externalTrafficPolicy: 'Local' }),
      service('shop/pending'),
    ],
    endpointSlices: [slice('default/web', [endpoint('n2')]), slice('shop/cart', [endpoint('n2')])],
    node: node('n1'),
  }),
);

describe('ferry explain', () => {
  test('per Service IP: announced or not and why; per peer: the prefix and its attributes', () => {
    expect(explainText(result)).toBe(
      [
        'default/web 203.0.113.10: announced. Announced as 203.0.113.0/24, 203.0.113.10/32 to tor1, tor2 (BGPAdvertisements adv-a, adv-b).',
        '  to tor2: 203.0.113.0/24 local-pref 150 (BGPAdvertisement adv-b)',
        '  to tor1: 203.0.113.10/32 communities 65000:100 large:1:2:3 local-pref 150 (BGPAdvertisement adv-a)',
        '  to tor2: 203.0.113.10/32 communities 65000:100 large:1:2:3 local-pref 150 (BGPAdvertisement adv-a)',
        '  not to tor1: 203.0.113.0/24: not in spec.peers of BGPAdvertisement adv-b',
        'shop/cart 203.0.113.20: not announced (noLocalEndpoints). externalTrafficPolicy is Local and no endpoint on node n1 is ready or serving. The IP stays announced from this node because default/web also announces it.',
        'shop/pending (no IP): not announced (noIPAllocated). The Service has no IP in status.loadBalancer.ingress yet.',
        '',
      ].join('\n'),
    );
  });

  test('filtered by Service and peer', () => {
    expect(explainText(result, { namespace: 'default', name: 'web', peer: 'tor1' })).toBe(
      [
        'default/web 203.0.113.10: announced. Announced as 203.0.113.0/24, 203.0.113.10/32 to tor1, tor2 (BGPAdvertisements adv-a, adv-b).',
        '  to tor1: 203.0.113.10/32 communities 65000:100 large:1:2:3 local-pref 150 (BGPAdvertisement adv-a)',
        '  not to tor1: 203.0.113.0/24: not in spec.peers of BGPAdvertisement adv-b',
        '',
      ].join('\n'),
    );
  });

  test('filtered by IP in any spelling', () => {
    expect(explainText(result, { ip: '203.0.113.020' })).toBe('No LoadBalancer Service IP matches.\n');
    expect(explainText(result, { ip: '203.0.113.20' })).toMatch(/^shop\/cart 203\.0\.113\.20: not announced/);
  });
});
