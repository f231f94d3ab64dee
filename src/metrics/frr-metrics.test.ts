import { Registry } from 'prom-client';
import { parseBfdCounters } from '../frr/parse/bfd-counters.js';
import { parseBfdPeers } from '../frr/parse/bfd-peers.js';
import { parseBgpNeighborsAllVrfs } from '../frr/parse/bgp-neighbors.js';
import { fixture } from '../frr/parse/testdata/fixtures.js';
import { createFrrMetrics } from './frr-metrics.js';

async function sample(
  registry: Registry,
  name: string,
): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map((v) => ({
    labels: v.labels as Record<string, string | number>,
    value: v.value,
  }));
}

describe("MetalLB's FRR-mode metrics from FRR state", () => {
  test('session up, announced prefixes and message counters per peer ip:port and vrf', async () => {
    const registry = new Registry();
    const metrics = createFrrMetrics(registry);
    metrics.update(
      parseBgpNeighborsAllVrfs(fixture('speaker-show-bgp-vrf-all-neighbors-mixed-states.json')),
      parseBfdPeers(fixture('speaker-show-bfd-peers-mixed-states.json')),
      parseBfdCounters(fixture('speaker-show-bfd-peers-counters-mixed-states.json')),
    );
    const up = await sample(registry, 'metallb_bgp_session_up');
    expect(up).toContainEqual({ labels: { peer: '192.0.2.1:179', vrf: 'default' }, value: 1 });
    expect(up).toContainEqual({ labels: { peer: '198.51.100.1:179', vrf: 'default' }, value: 0 });
    expect(up.find((s) => s.labels['peer'] === '[2001:db8:ffff:a::1]:179')?.value).toBe(0);
    const updates = await sample(registry, 'metallb_bgp_updates_total');
    expect(updates.find((s) => s.labels['peer'] === '192.0.2.1:179')?.value).toBeGreaterThan(0);
    const bfdUp = await sample(registry, 'metallb_bfd_session_up');
    expect(bfdUp).toContainEqual({ labels: { peer: '198.51.100.1', vrf: 'default' }, value: 1 });
    expect(bfdUp).toContainEqual({ labels: { peer: '192.0.2.1', vrf: 'default' }, value: 0 });
  });

  test('counters only grow, and start over when FRR restarted', async () => {
    const registry = new Registry();
    const metrics = createFrrMetrics(registry);
    const states = parseBgpNeighborsAllVrfs(fixture('speaker-show-bgp-vrf-all-neighbors-established.json'));
    const first = states[0]!;
    const withUpdates = (n: number) => [{ ...first, messagesSent: { ...first.messagesSent, updates: n } }];
    metrics.update(withUpdates(10), [], []);
    metrics.update(withUpdates(15), [], []);
    metrics.update(withUpdates(2), [], []); // bgpd restarted: its counter began again
    const [updates] = await sample(registry, 'metallb_bgp_updates_total');
    expect(updates?.value).toBe(17);
  });

  test('a peer FRR no longer reports disappears from the metrics', async () => {
    const registry = new Registry();
    const metrics = createFrrMetrics(registry);
    metrics.update(
      parseBgpNeighborsAllVrfs(fixture('speaker-show-bgp-vrf-all-neighbors-established.json')),
      [],
      [],
    );
    metrics.update([], [], []);
    expect(await sample(registry, 'metallb_bgp_session_up')).toEqual([]);
    expect(await sample(registry, 'metallb_bgp_updates_total')).toEqual([]);
  });
});
