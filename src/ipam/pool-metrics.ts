// The allocator's counts as MetalLB publishes them: `metallb_allocator_*` gauges per pool and the
// IPAddressPool status fields. Capacities are exact bigints inside ferry; here they meet int64
// (status) and float64 (Prometheus), so they saturate at 2^63-1 the way MetalLB caps a large
// IPv6 pool, but without MetalLB's overflow when such a pool also has other CIDRs (PR #3140).
import type { PoolStats } from './allocator.js';

const INT64_MAX = (1n << 63n) - 1n;

/** `value` as a number, capped at 2^63-1 (and at 0 from below). */
export function saturatingInt64(value: bigint): number {
  if (value <= 0n) return 0;
  return Number(value > INT64_MAX ? INT64_MAX : value);
}

export interface PoolGauge {
  readonly name: string;
  readonly pool: string;
  readonly value: number;
}

/** One value per metric and pool, MetalLB's metric names, label `pool`. */
export function allocatorGauges(stats: readonly PoolStats[]): PoolGauge[] {
  return stats.flatMap((pool) =>
    (
      [
        ['metallb_allocator_addresses_total', saturatingInt64(pool.total)],
        ['metallb_allocator_ipv4_addresses_total', saturatingInt64(pool.ipv4Total)],
        ['metallb_allocator_ipv6_addresses_total', saturatingInt64(pool.ipv6Total)],
        ['metallb_allocator_addresses_in_use_total', pool.inUse],
        ['metallb_allocator_ipv4_addresses_in_use_total', pool.ipv4InUse],
        ['metallb_allocator_ipv6_addresses_in_use_total', pool.ipv6InUse],
      ] as const
    ).map(([name, value]) => ({ name, pool: pool.pool, value })),
  );
}

/** IPAddressPool `status` (int64 fields in the CRD). */
export interface PoolStatus {
  readonly assignedIPv4: number;
  readonly assignedIPv6: number;
  readonly availableIPv4: number;
  readonly availableIPv6: number;
}

export function poolStatus(stats: PoolStats): PoolStatus {
  return {
    assignedIPv4: stats.ipv4InUse,
    assignedIPv6: stats.ipv6InUse,
    availableIPv4: saturatingInt64(stats.ipv4Total - BigInt(stats.ipv4InUse)),
    availableIPv6: saturatingInt64(stats.ipv6Total - BigInt(stats.ipv6InUse)),
  };
}
