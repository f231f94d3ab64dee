import { Registry } from 'prom-client';
import type { PoolStats } from '../ipam/allocator.js';
import { allocatorMetrics } from './allocator-metrics.js';

const stats = (pool: string, inUse: number): PoolStats => ({
  pool,
  total: 10n,
  ipv4Total: 10n,
  ipv6Total: 0n,
  inUse,
  ipv4InUse: inUse,
  ipv6InUse: 0,
});

async function inUse(registry: Registry): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric('metallb_allocator_addresses_in_use_total');
  const values = (await metric?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [String(v.labels.pool), v.value]));
}

describe('allocator metrics', () => {
  it('a controller leading again in the same process (a new term) reuses the gauges and starts clean', async () => {
    const registry = new Registry();
    allocatorMetrics(registry).update([stats('prod', 3), stats('old', 1)]);
    expect(await inUse(registry)).toEqual({ prod: 3, old: 1 });
    // before: "A metric with the name metallb_allocator_addresses_total has already been registered"
    const second = allocatorMetrics(registry);
    expect(await inUse(registry)).toEqual({});
    second.update([stats('prod', 4)]);
    expect(await inUse(registry)).toEqual({ prod: 4 });
  });

  it('a pool that went away loses its series', async () => {
    const registry = new Registry();
    const metrics = allocatorMetrics(registry);
    metrics.update([stats('prod', 3), stats('old', 1)]);
    metrics.update([stats('prod', 3)]);
    expect(await inUse(registry)).toEqual({ prod: 3 });
  });
});
