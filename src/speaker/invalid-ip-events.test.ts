import { announcementsForNode } from '../announce/announcements.js';
import { endpoint, service, slice, world } from '../../test/support/builders.js';
import { newlyInvalidIngress } from './invalid-ip-events.js';

function announce(ingress: Readonly<Record<string, readonly string[]>>) {
  return announcementsForNode(
    world({
      services: Object.entries(ingress).map(([key, ips]) => service(key, { ingressIPs: ips })),
      endpointSlices: Object.keys(ingress).map((key) => slice(key, [endpoint('n1')])),
    }),
  );
}

describe('Warning Events for Services refused for their ingress', () => {
  test('once per Service when it becomes invalidIP, not again while it stays so, again when the cause changes', () => {
    const first = announce({ 'default/web': ['203.0.113.10'], 'default/host': ['203.0.113.40', ''] });
    const warned = newlyInvalidIngress(undefined, first);
    expect(warned.map((w) => `${w.namespace}/${w.name}`)).toEqual(['default/host']);
    expect(warned[0]?.detail).toMatch(/an entry has no ip \(a hostname only\)/);

    const same = announce({ 'default/web': ['203.0.113.10'], 'default/host': ['203.0.113.40', ''] });
    expect(newlyInvalidIngress(first, same)).toEqual([]);

    const other = announce({ 'default/web': ['203.0.113.10'], 'default/host': ['203.0.113.40', 'x'] });
    expect(newlyInvalidIngress(same, other).map((w) => w.detail)).toEqual([
      expect.stringContaining('"x" is not a valid IP address'),
    ]);
  });

  test('a Service that is fine or refused for another reason gets none', () => {
    const result = announce({
      'default/web': ['203.0.113.10'],
      'default/far': ['198.51.100.7'],
      'default/new': [],
    });
    expect(newlyInvalidIngress(undefined, result)).toEqual([]);
  });
});
