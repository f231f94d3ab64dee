// Issue 17: Services of another load balancer (spec.loadBalancerClass) and ingress entries the speaker
// cannot announce are refused per Service, with a sentence saying why; no other Service notices.
import { announcementsForNode } from './announcements.js';
import { explainText } from './explain.js';
import { endpoint, service, slice, world } from '../../test/support/builders.js';
import type { AnnounceOptions } from './types.js';

const slices = ['default/web', 'default/other', 'default/plain', 'default/host', 'default/odd'].map((key) =>
  slice(key, [endpoint('n1')]),
);

/** Five Services side by side on the same pool; only the class setting changes. */
function cluster(options: AnnounceOptions) {
  return announcementsForNode(
    world({
      services: [
        service('default/web', { ingressIPs: ['203.0.113.10'], loadBalancerClass: 'ferry.example/bgp' }),
        // another load balancer wrote an IP of ferry's own pool, and a hostname
        service('default/other', {
          ingressIPs: ['203.0.113.20', ''],
          loadBalancerClass: 'example.com/other',
        }),
        service('default/plain', { ingressIPs: ['203.0.113.30'] }),
        service('default/host', { ingressIPs: ['203.0.113.40', ''] }),
        service('default/odd', { ingressIPs: ['203.0.113.50', 'not-an-ip', ''] }),
      ],
      endpointSlices: slices,
      options,
    }),
  );
}

describe('--lb-class and unusable ingress entries, per Service', () => {
  test('default class: only Services without a class are candidates; bad ingress refuses only its Service', () => {
    const result = cluster({});
    expect(explainText(result)).toBe(
      [
        'default/host 203.0.113.40: not announced (invalidIP). status.loadBalancer.ingress: an entry has no ip (a hostname only). No IP of the Service is announced while any entry is not an IP address.',
        'default/host (no IP): not announced (invalidIP). status.loadBalancer.ingress: an entry has no ip (a hostname only). No IP of the Service is announced while any entry is not an IP address.',
        'default/odd 203.0.113.50: not announced (invalidIP). status.loadBalancer.ingress: an entry has no ip (a hostname only); "not-an-ip" is not a valid IP address. No IP of the Service is announced while any entry is not an IP address.',
        'default/odd (no IP): not announced (invalidIP). status.loadBalancer.ingress: an entry has no ip (a hostname only); "not-an-ip" is not a valid IP address. No IP of the Service is announced while any entry is not an IP address.',
        'default/odd not-an-ip: not announced (invalidIP). status.loadBalancer.ingress: an entry has no ip (a hostname only); "not-an-ip" is not a valid IP address. No IP of the Service is announced while any entry is not an IP address.',
        'default/other 203.0.113.20: not announced (otherLoadBalancerClass). spec.loadBalancerClass is "example.com/other": it belongs to another load balancer (--lb-class: only Services without spec.loadBalancerClass).',
        'default/other (no IP): not announced (otherLoadBalancerClass). spec.loadBalancerClass is "example.com/other": it belongs to another load balancer (--lb-class: only Services without spec.loadBalancerClass).',
        'default/plain 203.0.113.30: announced. Announced as 203.0.113.30/32 to tor1, tor2 (BGPAdvertisements adv-a).',
        '  to tor1: 203.0.113.30/32 (BGPAdvertisement adv-a)',
        '  to tor2: 203.0.113.30/32 (BGPAdvertisement adv-a)',
        'default/web 203.0.113.10: not announced (otherLoadBalancerClass). spec.loadBalancerClass is "ferry.example/bgp": it belongs to another load balancer (--lb-class: only Services without spec.loadBalancerClass).',
        '',
      ].join('\n'),
    );
    expect(result.advertisements.map((ad) => `${ad.prefix} → ${ad.peer}`)).toEqual([
      '203.0.113.30/32 → tor1',
      '203.0.113.30/32 → tor2',
    ]);
  });

  test('--lb-class ferry.example/bgp: only that class is announced; no class now means another load balancer', () => {
    const result = cluster({ lbClass: 'ferry.example/bgp' });
    expect(result.advertisements.map((ad) => ad.prefix)).toEqual(['203.0.113.10/32', '203.0.113.10/32']);
    expect(explainText(result, { namespace: 'default', name: 'plain' })).toBe(
      'default/plain 203.0.113.30: not announced (otherLoadBalancerClass). The Service has no spec.loadBalancerClass: it belongs to another load balancer (--lb-class: only class "ferry.example/bgp").\n',
    );
    // Services of another class are never judged on their ingress: a hostname there is not ferry's business
    expect(
      result.decisions.filter((d) => d.name === 'host' || d.name === 'odd').map((d) => d.reason),
    ).toEqual(Array(5).fill('otherLoadBalancerClass'));
  });

  test('a shared IP stays announced for the Service whose ingress is fine', () => {
    const shared = { annotations: { 'metallb.io/allow-shared-ip': 'k' } };
    const result = announcementsForNode(
      world({
        services: [
          service('default/web', { ingressIPs: ['203.0.113.10'], ...shared }),
          service('default/web-udp', { ingressIPs: ['203.0.113.10', ''], ...shared }),
        ],
        endpointSlices: [slice('default/web', [endpoint('n1')]), slice('default/web-udp', [endpoint('n1')])],
      }),
    );
    expect(result.decisions.map((d) => `${d.name} ${d.ip}: ${d.announced ? 'announced' : d.reason}`)).toEqual(
      ['web 203.0.113.10: announced', 'web-udp 203.0.113.10: invalidIP', 'web-udp : invalidIP'],
    );
    expect(result.advertisements).toHaveLength(2);
  });

  test('changing the class setting is seen for the same Service objects (per-Service memo)', () => {
    const before = cluster({});
    const after = cluster({ lbClass: 'ferry.example/bgp' });
    expect(before.advertisements.map((ad) => ad.prefix)).toContain('203.0.113.30/32');
    expect(after.advertisements.map((ad) => ad.prefix)).not.toContain('203.0.113.30/32');
  });
});
