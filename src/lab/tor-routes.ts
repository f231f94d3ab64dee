// What a ToR really forwards for a Service IP: the next hops of its zebra route (`show ip route P
// json`), i.e. which nodes traffic goes to. The lab, the e2e suite and the benchmarks check these.
import type { FrrInstance } from './frr-instance.js';
import { run } from './netns.js';
import { waitUntil, type WaitResult } from './wait-until.js';

interface RouteEntry {
  readonly nexthops?: readonly { readonly ip?: string; readonly fib?: boolean; readonly active?: boolean }[];
}

/** Installed next-hop addresses for `prefix` at `tor`, sorted; [] when there is no route. */
export async function nextHopsAt(tor: FrrInstance, prefix: string): Promise<string[]> {
  const family = prefix.includes(':') ? 'ipv6' : 'ip';
  const result = await tor.vtysh.show(`show ${family} route ${prefix} json`);
  if (!result.ok || typeof result.value !== 'object' || result.value === null) return [];
  const entries = (result.value as Record<string, readonly RouteEntry[] | undefined>)[prefix] ?? [];
  const hops = entries.flatMap((entry) =>
    (entry.nexthops ?? [])
      .filter((hop) => hop.fib === true && hop.ip !== undefined)
      .map((hop) => hop.ip ?? ''),
  );
  return [...new Set(hops)].sort();
}

/** Waits until `tor` forwards `prefix` to exactly `expected` (sorted addresses; [] = no route). */
export function waitForNextHops(
  tor: FrrInstance,
  prefix: string,
  expected: readonly string[],
  timeoutMs = 15_000,
): Promise<WaitResult<string[]>> {
  const wanted = [...expected].sort().join(',');
  return waitUntil(
    async () => {
      const hops = await nextHopsAt(tor, prefix);
      return hops.join(',') === wanted
        ? { done: true, value: hops }
        : { done: false, why: `next hops for ${prefix}: [${hops.join(', ')}], want [${wanted}]` };
    },
    { timeoutMs, intervalMs: 20 },
  );
}

interface KernelRoute {
  readonly gateway?: string;
  readonly nexthops?: readonly { readonly gateway?: string }[];
}

/**
 * The next hops the ToR's kernel forwards `prefix` to (what traffic really uses), read with `ip -j
 * route` in its namespace: a few milliseconds per read, so failover can be timed finely.
 */
export async function kernelNextHops(namespace: string, prefix: string): Promise<string[]> {
  const family = prefix.includes(':') ? '-6' : '-4';
  const result = await run(namespace, ['ip', family, '-j', 'route', 'show', prefix]);
  if (result.exitCode !== 0 || result.stdout.trim() === '') return [];
  const routes = JSON.parse(result.stdout) as KernelRoute[];
  const hops = routes.flatMap((route) =>
    route.nexthops !== undefined ? route.nexthops.map((hop) => hop.gateway ?? '') : [route.gateway ?? ''],
  );
  return [...new Set(hops.filter((hop) => hop !== ''))].sort();
}

/**
 * Milliseconds from `since` (a `performance.now()` taken when the cause happened) until `done(next
 * hops)` holds at the ToR's kernel, polling every ~5 ms; undefined on timeout.
 */
export async function timeUntilKernelRoute(
  namespace: string,
  prefix: string,
  done: (hops: readonly string[]) => boolean,
  since = performance.now(),
  timeoutMs = 30_000,
): Promise<number | undefined> {
  while (performance.now() - since < timeoutMs) {
    if (done(await kernelNextHops(namespace, prefix))) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return undefined;
}
