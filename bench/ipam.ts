// Allocator speed: 10,000 Services from an IPv4 /16 and 10,000 from an IPv6 /112, lowest free
// address each, through the same path the controller uses (request parsing + allocation).
// Prints numbers; not a test. Run: npx tsc -p tsconfig.json && node dist/bench/ipam.js
import { performance } from 'node:perf_hooks';
import type { ServiceInfo } from '../src/api/cluster.js';
import type { Pool } from '../src/config/types.js';
import { Allocator } from '../src/ipam/allocator.js';
import { convergeServices } from '../src/ipam/converge.js';
import { parseAllocationRequest, isRequestError, type AllocationRequest } from '../src/ipam/request.js';
import { parseCidr } from '../src/net/ip.js';

const COUNT = 10_000;

function pool(name: string, text: string): Pool {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(text);
  return {
    name,
    labels: {},
    cidrs: [cidr],
    autoAssign: true,
    avoidBuggyIPs: false,
    serviceAllocation: undefined,
  };
}

function services(prefix: string, family: 'IPv4' | 'IPv6'): ServiceInfo[] {
  return Array.from({ length: COUNT }, (_, index) => ({
    namespace: 'bench',
    name: `${prefix}-${index}`,
    uid: `${prefix}-${index}`,
    labels: {},
    annotations: { 'metallb.io/address-pool': prefix },
    type: 'LoadBalancer',
    loadBalancerClass: undefined,
    loadBalancerIP: undefined,
    externalTrafficPolicy: 'Cluster',
    ipFamilies: [family],
    ipFamilyPolicy: 'SingleStack',
    clusterIPs: [family === 'IPv4' ? `10.96.${index >> 8}.${index & 255}` : `fd00::${index.toString(16)}`],
    selector: { app: `${prefix}-${index}` },
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    ingressIPs: [],
  }));
}

function time<T>(label: string, count: number, run: () => T): T {
  const start = performance.now();
  const result = run();
  const total = performance.now() - start;
  console.log(
    `${label.padEnd(58)} ${total.toFixed(1).padStart(8)} ms  ${((total * 1000) / count).toFixed(2).padStart(7)} µs/service`,
  );
  return result;
}

function requestsOf(list: readonly ServiceInfo[]): AllocationRequest[] {
  return list.map((service) => {
    const request = parseAllocationRequest(service);
    if (isRequestError(request)) throw new Error(request.message);
    return request;
  });
}

function assignAll(allocator: Allocator, requests: readonly AllocationRequest[]): void {
  for (const request of requests) {
    const result = allocator.assign(request);
    if (!result.ok) throw new Error(result.message);
  }
}

const pools = [pool('v4', '198.18.0.0/16'), pool('v6', '2001:db8::/112')];
const v4 = services('v4', 'IPv4');
const v6 = services('v6', 'IPv6');

for (const [label, list] of [
  ['IPv4 198.18.0.0/16', v4],
  ['IPv6 2001:db8::/112', v6],
] as const) {
  const allocator = new Allocator(pools);
  const requests = requestsOf(list);
  time(`allocator.assign, ${COUNT} Services, ${label}`, COUNT, () => assignAll(allocator, requests));
  const stats = allocator.poolStats();
  console.log(`  in use: ${stats.map((s) => `${s.pool}=${s.inUse}`).join(' ')}`);
  const everyOther = requests.filter((_, index) => index % 2 === 0);
  time(`release every other + reassign, ${COUNT / 2} Services, ${label}`, COUNT / 2, () => {
    for (const request of everyOther) allocator.release(request.service);
    assignAll(allocator, everyOther);
  });
}

const all = [...v4, ...v6];
const converged = time(`convergeServices (cold start), ${2 * COUNT} Services, both pools`, 2 * COUNT, () =>
  convergeServices(new Allocator(pools), all),
);
const ipsByService = new Map(converged.map((result) => [result.service, result.ips]));
const restarted = all.map((service) => ({
  ...service,
  ingressIPs: ipsByService.get(`${service.namespace}/${service.name}`) ?? [],
}));
time(`convergeServices (restart, re-assert all), ${2 * COUNT} Services`, 2 * COUNT, () =>
  convergeServices(new Allocator(pools), restarted),
);
const big = new Allocator([pool('huge', '2001:db8::/64')]);
const bigRequests = requestsOf(services('huge', 'IPv6'));
time(`allocator.assign, ${COUNT} Services, IPv6 /64`, COUNT, () => assignAll(big, bigRequests));
console.log(`  /64 capacity: ${big.poolStats()[0]?.total ?? 0n} (exact bigint)`);

// Sharing: many Services on one key. Same port → each needs its own address (the key's group is
// skipped by port count); different ports → all share the first address.
for (const [label, portOf] of [
  ['one sharing key, same port (no two can share)', () => 80],
  ['one sharing key, distinct ports (all share one address)', (index: number) => 1 + index],
] as const) {
  const allocator = new Allocator([pool('v4', '198.18.0.0/16')]);
  const requests = requestsOf(
    services('v4', 'IPv4').map((service, index) => ({
      ...service,
      annotations: { 'metallb.io/allow-shared-ip': 'k' },
      ports: [{ name: 'p', protocol: 'TCP' as const, port: portOf(index) }],
    })),
  );
  time(`allocator.assign, ${COUNT} Services, ${label}`, COUNT, () => assignAll(allocator, requests));
  console.log(`  distinct addresses in use: ${allocator.poolStats()[0]?.inUse ?? 0}`);
}
