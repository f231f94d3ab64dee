// Which IPAddressPool holds a Service's IPs (MetalLB's speaker `poolFor`): the pool that contains
// every one of them. Ranges are computed once per pool rather than per IP.
import type { Pool } from '../config/types.js';
import { cidrFirst, cidrLast, type IpFamily, type ParsedIp } from '../net/ip.js';
import { compareText } from '../util/order.js';

interface Range {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
}

export type PoolLookup = (ips: readonly ParsedIp[]) => Pool | undefined;

/** Pools are tried by name, so even overlapping pools (which validation rejects) give one answer. */
export function poolLookup(pools: readonly Pool[]): PoolLookup {
  const indexed = [...pools]
    .sort((a, b) => compareText(a.name, b.name))
    .map((pool) => ({
      pool,
      ranges: pool.cidrs.map((cidr): Range => ({
        family: cidr.family,
        first: cidrFirst(cidr),
        last: cidrLast(cidr),
      })),
    }));
  return (ips) =>
    indexed.find(({ ranges }) =>
      ips.every((ip) =>
        ranges.some(
          (range) => range.family === ip.family && ip.value >= range.first && ip.value <= range.last,
        ),
      ),
    )?.pool;
}
