// `metallb_allocator_*` gauges (label `pool`), set from the allocator's counts after every change;
// pools that went away lose their series.
import { Gauge, type Registry } from 'prom-client';
import type { PoolStats } from '../ipam/allocator.js';
import { allocatorGauges } from '../ipam/pool-metrics.js';

const HELP: Record<string, string> = {
  metallb_allocator_addresses_total: 'Number of usable IP addresses, per pool',
  metallb_allocator_ipv4_addresses_total: 'Number of usable IPv4 addresses, per pool',
  metallb_allocator_ipv6_addresses_total: 'Number of usable IPv6 addresses, per pool',
  metallb_allocator_addresses_in_use_total: 'Number of IP addresses in use, per pool',
  metallb_allocator_ipv4_addresses_in_use_total: 'Number of IPv4 addresses in use, per pool',
  metallb_allocator_ipv6_addresses_in_use_total: 'Number of IPv6 addresses in use, per pool',
};

export interface AllocatorMetrics {
  update(stats: readonly PoolStats[]): void;
}

/** one set of gauges per Registry: a controller that leads again (a new term) reuses them */
const byRegistry = new WeakMap<Registry, Map<string, Gauge>>();

function gaugesOf(registry: Registry): Map<string, Gauge> {
  const known = byRegistry.get(registry);
  if (known !== undefined) return known;
  const gauges = new Map(
    Object.entries(HELP).map(([name, help]) => [
      name,
      new Gauge({ name, help, labelNames: ['pool'], registers: [registry] }),
    ]),
  );
  byRegistry.set(registry, gauges);
  return gauges;
}

export function allocatorMetrics(registry: Registry): AllocatorMetrics {
  const gauges = gaugesOf(registry);
  // a new term starts from what it allocates, not from the previous term's pools
  for (const gauge of gauges.values()) gauge.reset();
  let pools = new Set<string>();
  return {
    update(stats) {
      const current = new Set(stats.map((pool) => pool.pool));
      for (const gone of pools) {
        if (current.has(gone)) continue;
        for (const gauge of gauges.values()) gauge.remove({ pool: gone });
      }
      pools = current;
      for (const { name, pool, value } of allocatorGauges(stats)) gauges.get(name)?.set({ pool }, value);
    },
  };
}
