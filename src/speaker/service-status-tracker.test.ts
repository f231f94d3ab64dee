import type { ServiceDecision } from '../announce/types.js';
import type { ServiceStatus } from './service-status.js';
import { ServiceStatusTracker } from './service-status-tracker.js';

/** A decision routing `prefix` to each peer. */
function routed(service: string, prefix: string, peers: readonly string[]): ServiceDecision {
  const [namespace = '', name = ''] = service.split('/');
  return {
    namespace,
    name,
    ip: prefix.split('/')[0] ?? '',
    announced: peers.length > 0,
    reason: '',
    detail: '',
    peers,
    eligible: true,
    pool: 'p',
    routes: peers.map((peer) => ({ prefix, peer, advertisements: ['a'] })),
    withheld: [],
    sharedWith: [],
  };
}

/** Statuses from a table of what each Service reaches; records which Services were computed. */
function world() {
  const reaches = new Map<string, string[]>();
  const computed: string[] = [];
  const statusOf = (service: string): ServiceStatus | undefined => {
    computed.push(service);
    const peers = reaches.get(service) ?? [];
    const [namespace = '', name = ''] = service.split('/');
    return peers.length === 0 ? undefined : { namespace, name, node: 'n1', peers };
  };
  return { reaches, computed, statusOf };
}

describe('which ServiceBGPStatus may have changed', () => {
  test('only the Services whose decisions or prefixes changed are computed again', () => {
    const tracker = new ServiceStatusTracker();
    const w = world();
    tracker.decisionsChanged('ns/a', [routed('ns/a', '198.18.0.1/32', ['tor1', 'tor2'])]);
    tracker.decisionsChanged('ns/b', [routed('ns/b', '198.18.0.2/32', ['tor1'])]);
    // shares a's IP
    tracker.decisionsChanged('ns/c', [routed('ns/c', '198.18.0.1/32', ['tor1'])]);
    w.reaches.set('ns/a', ['tor1']);
    expect(tracker.complete(w.statusOf).map((s) => s.name)).toEqual(['a']);
    w.computed.length = 0;
    expect(tracker.takeChanges(w.statusOf).size).toBe(0);
    expect(w.computed).toEqual([]);

    // bgpd now advertises the shared prefix to tor1 and tor2: a and c, not b
    w.reaches.set('ns/a', ['tor1', 'tor2']);
    w.reaches.set('ns/c', ['tor1']);
    tracker.prefixesChanged(['198.18.0.1/32']);
    const changes = tracker.takeChanges(w.statusOf);
    expect(w.computed.sort()).toEqual(['ns/a', 'ns/c']);
    expect([...changes.keys()].sort()).toEqual(['ns/a', 'ns/c']);
    expect(changes.get('ns/a')?.peers).toEqual(['tor1', 'tor2']);
  });

  test('a Service moved to another IP leaves its old prefix; one gone is deleted', () => {
    const tracker = new ServiceStatusTracker();
    const w = world();
    tracker.decisionsChanged('ns/a', [routed('ns/a', '198.18.0.1/32', ['tor1'])]);
    w.reaches.set('ns/a', ['tor1']);
    tracker.complete(w.statusOf);
    tracker.decisionsChanged('ns/a', [routed('ns/a', '198.18.0.9/32', ['tor1'])]);
    expect(tracker.routedPrefixes('ns/a')).toEqual(['198.18.0.9/32']);
    expect(tracker.takeChanges(w.statusOf).size).toBe(0);
    w.computed.length = 0;
    tracker.prefixesChanged(['198.18.0.1/32']);
    tracker.takeChanges(w.statusOf);
    expect(w.computed).toEqual([]);

    tracker.decisionsChanged('ns/a', []);
    w.reaches.delete('ns/a');
    const changes = tracker.takeChanges(w.statusOf);
    expect([...changes]).toEqual([['ns/a', undefined]]);
    expect(tracker.complete(w.statusOf)).toEqual([]);
  });

  test('after a failed complete write, the next complete set is computed afresh', () => {
    const tracker = new ServiceStatusTracker();
    const w = world();
    tracker.decisionsChanged('ns/a', [routed('ns/a', '198.18.0.1/32', ['tor1'])]);
    w.reaches.set('ns/a', ['tor1']);
    tracker.complete(w.statusOf);
    tracker.forgetSent();
    tracker.decisionsChanged('ns/a', [routed('ns/a', '198.18.0.1/32', ['tor1'])]);
    // forgotten: handed over again
    expect(tracker.takeChanges(w.statusOf).get('ns/a')?.peers).toEqual(['tor1']);
  });

  test('a burst is taken in slices: each Service once, none lost', () => {
    const tracker = new ServiceStatusTracker();
    const w = world();
    const services = Array.from({ length: 5 }, (_, i) => `ns/s${i}`);
    tracker.complete(w.statusOf);
    for (const [i, service] of services.entries()) {
      tracker.decisionsChanged(service, [routed(service, `198.18.0.${i}/32`, ['tor1'])]);
      w.reaches.set(service, ['tor1']);
    }
    w.computed.length = 0;
    const slices: string[][] = [];
    while (tracker.hasPending()) slices.push([...tracker.takeChanges(w.statusOf, 2).keys()]);
    expect(slices).toEqual([services.slice(0, 2), services.slice(2, 4), services.slice(4)]);
    expect(w.computed).toEqual(services);
  });
});
