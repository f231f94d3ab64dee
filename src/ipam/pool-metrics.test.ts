import { Allocator } from './allocator.js';
import { allocatorGauges, poolStatus, saturatingInt64 } from './pool-metrics.js';
import { convergeService } from './converge.js';
import { pool, service } from '../../test/support/builders.js';

describe('pool metrics', () => {
  it('saturates at 2^63-1 instead of overflowing', () => {
    expect(saturatingInt64(5n)).toBe(5);
    expect(saturatingInt64(1n << 64n)).toBe(Number((1n << 63n) - 1n));
    expect(saturatingInt64(-3n)).toBe(0);
  });

  it("publishes MetalLB's gauges for a pool with a /48 and an IPv4 CIDR", () => {
    const allocator = new Allocator([pool('big', ['2001:db8::/48', '192.0.2.0/24'])]);
    const gauges = allocatorGauges(allocator.poolStats());
    expect(gauges.map((gauge) => [gauge.name, gauge.value])).toEqual([
      ['metallb_allocator_addresses_total', Number((1n << 63n) - 1n)],
      ['metallb_allocator_ipv4_addresses_total', 256],
      ['metallb_allocator_ipv6_addresses_total', Number((1n << 63n) - 1n)],
      ['metallb_allocator_addresses_in_use_total', 0],
      ['metallb_allocator_ipv4_addresses_in_use_total', 0],
      ['metallb_allocator_ipv6_addresses_in_use_total', 0],
    ]);
    expect(gauges.every((gauge) => gauge.pool === 'big')).toBe(true);
  });

  it('reports IPAddressPool status as assigned and available per family', () => {
    const allocator = new Allocator([pool('p', ['192.0.2.0/30', '2001:db8::/126'])]);
    convergeService(allocator, service('a'));
    const [stats] = allocator.poolStats();
    expect(stats && poolStatus(stats)).toEqual({
      assignedIPv4: 1,
      assignedIPv6: 0,
      availableIPv4: 3,
      availableIPv6: 4,
    });
  });
});
