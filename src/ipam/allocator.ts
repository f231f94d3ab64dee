// The controller's address bookkeeping: which Service holds which addresses from which pool, and
// the rules for handing out more (MetalLB's `internal/allocator`). State is explicit and local to
// one instance; nothing here does I/O. A restart builds a new Allocator and re-asserts every
// Service's `status.loadBalancer.ingress` before allocating anything (see converge.ts).
import type { Pool } from '../config/types.js';
import { formatIp, type IpFamily, type ParsedIp, parseIp } from '../net/ip.js';
import { AddressRange } from './address-range.js';
import { AddressUse, ShareableAddresses, type SharingKey } from './address-sharing.js';
import {
  poolOrder,
  poolServes,
  resolvePoolScope,
  type NamespaceLabels,
  type PoolOrder,
  type PoolScope,
} from './pool-scope.js';
import { familyOfAddresses, quoteList, type AllocationRequest, type ServiceFamily } from './request.js';

export interface Assignment {
  /** canonical addresses; a dual-stack pair the allocator chose is IPv4 first, like MetalLB */
  readonly ips: readonly string[];
  readonly pool: string;
}

export type AllocationResult =
  ({ readonly ok: true } & Assignment) | { readonly ok: false; readonly message: string };

/** A Service that lost its addresses because the pools changed; the controller clears and reallocates it. */
export interface ClearedAssignment {
  readonly service: string;
  readonly ips: readonly string[];
  readonly pool: string;
  readonly message: string;
}

/** Counts behind `metallb_allocator_*` and IPAddressPool status; capacities are exact bigints. */
export interface PoolStats {
  readonly pool: string;
  readonly total: bigint;
  readonly ipv4Total: bigint;
  readonly ipv6Total: bigint;
  /** distinct addresses in use (a shared address counts once) */
  readonly inUse: number;
  readonly ipv4InUse: number;
  readonly ipv6InUse: number;
}

interface Allocation {
  readonly service: string;
  readonly pool: string;
  readonly ips: readonly ParsedIp[];
  readonly ports: readonly string[];
  readonly key: SharingKey;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The lowest acceptable address of each family in one pool (MetalLB's getFreeIPsFromPool). */
interface PoolCandidates {
  readonly pool: string;
  readonly ipv4: ParsedIp | undefined;
  readonly ipv6: ParsedIp | undefined;
}

type Failure = { readonly ok: false; readonly message: string };

function failure(message: string): Failure {
  return { ok: false, message };
}

function otherFamily(family: IpFamily): IpFamily {
  return family === 'ipv4' ? 'ipv6' : 'ipv4';
}

function keyOf(request: AllocationRequest): SharingKey {
  return { sharing: request.sharingKey, backend: request.backendKey };
}

export class Allocator {
  private scopes = new Map<string, PoolScope>();
  private order: PoolOrder = { pinned: [], generic: [] };
  /** pool name → its ranges, in the order the CIDRs were written */
  private ranges = new Map<string, readonly AddressRange[]>();
  /** every range of one family, sorted by first address, to find an address's range by bisection */
  private sortedRanges: Record<IpFamily, readonly AddressRange[]> = { ipv4: [], ipv6: [] };
  private allocations = new Map<string, Allocation>();
  /** canonical address → its users */
  private uses = new Map<string, AddressUse>();
  private shareable = new ShareableAddresses();
  private namespaceLabels: NamespaceLabels;

  constructor(pools: readonly Pool[], namespaceLabels: NamespaceLabels = new Map()) {
    this.namespaceLabels = namespaceLabels;
    this.setPools(pools);
  }

  /**
   * Replaces the pools (and, optionally, the namespace labels that `namespaceSelectors` resolve
   * against). Every kept assignment stays; an address now in another pool (a renamed or re-cut
   * pool) keeps its Service and takes the new pool's name. Services whose addresses are in no pool
   * any more, or in a pool that no longer serves them, lose them and are returned.
   */
  setPools(
    pools: readonly Pool[],
    namespaceLabels: NamespaceLabels = this.namespaceLabels,
  ): ClearedAssignment[] {
    const previous = [...this.allocations.values()].sort((a, b) => (a.service < b.service ? -1 : 1));
    this.namespaceLabels = namespaceLabels;
    this.scopes = new Map(pools.map((pool) => [pool.name, resolvePoolScope(pool, namespaceLabels)]));
    this.order = poolOrder(this.scopes.values());
    this.ranges = new Map(
      pools.map((pool) => [
        pool.name,
        pool.cidrs.map((cidr) => new AddressRange(cidr, pool.name, pool.avoidBuggyIPs)),
      ]),
    );
    const all = [...this.ranges.values()].flat();
    const sorted = (family: IpFamily): AddressRange[] =>
      all.filter((range) => range.family === family).sort((a, b) => (a.first < b.first ? -1 : 1));
    this.sortedRanges = { ipv4: sorted('ipv4'), ipv6: sorted('ipv6') };
    this.allocations = new Map();
    this.uses = new Map();
    this.shareable = new ShareableAddresses();

    const cleared: ClearedAssignment[] = [];
    for (const allocation of previous) {
      const pool = this.poolOf(allocation.ips);
      const problem =
        pool === undefined
          ? `${quoteList(allocation.ips.map((ip) => ip.text))} is not allowed in config`
          : this.scopeProblem(pool, allocation.namespace, allocation.labels);
      if (pool === undefined || problem !== undefined) {
        const ips = allocation.ips.map((ip) => ip.text);
        cleared.push({ service: allocation.service, ips, pool: allocation.pool, message: problem ?? '' });
        continue;
      }
      // The assignment was consistent before and pools cannot add sharing conflicts: keep it as is.
      this.record({ ...allocation, pool });
    }
    return cleared;
  }

  /** Namespace labels changed: pools with namespaceSelectors may now serve other namespaces. */
  setNamespaceLabels(namespaceLabels: NamespaceLabels): ClearedAssignment[] {
    return this.setPools(
      [...this.scopes.values()].map((scope) => scope.pool),
      namespaceLabels,
    );
  }

  hasPools(): boolean {
    return this.scopes.size > 0;
  }

  assignmentOf(service: string): Assignment | undefined {
    const allocation = this.allocations.get(service);
    if (allocation === undefined) return undefined;
    return { ips: allocation.ips.map((ip) => ip.text), pool: allocation.pool };
  }

  /** Sharing and backend key of the Service's assignment; a change means others may now fit. */
  allocationKey(service: string): string {
    const allocation = this.allocations.get(service);
    return allocation === undefined ? '' : `${allocation.key.backend}${allocation.key.sharing}`;
  }

  /** The pool holding all of `ips` (honouring avoidBuggyIPs), or undefined. */
  poolOfAddresses(ips: readonly string[]): string | undefined {
    const parsed = ips.map((text) => parseIp(text));
    if (parsed.some((ip) => ip === undefined)) return undefined;
    return this.poolOf(parsed as ParsedIp[]);
  }

  /**
   * Gives `ips` to the Service if configuration and sharing rules allow it (MetalLB's Assign).
   * This is how existing assignments are re-asserted after a restart or a change, and how
   * requested addresses are taken. Replaces the Service's previous assignment on success.
   */
  reassert(request: AllocationRequest, ips: readonly string[]): AllocationResult {
    const parsed: ParsedIp[] = [];
    for (const text of ips) {
      const ip = parseIp(text);
      if (ip === undefined) return failure(`${JSON.stringify(text)} is not a valid IP address`);
      parsed.push(ip);
    }
    return this.assignAddresses(request, parsed);
  }

  /**
   * Allocates for a Service that holds nothing yet (MetalLB's allocateIPs): the requested
   * addresses, else the lowest acceptable address(es) of the requested pool, else of the first
   * pool in pinned-then-generic order that fits the Service's families.
   */
  assign(request: AllocationRequest): AllocationResult {
    if (request.ips.length > 0) return this.assignRequestedAddresses(request);
    const existing = this.allocations.get(request.service);
    if (existing !== undefined) return this.reassertExisting(request, existing);
    if (request.pool !== undefined) return this.assignFromPool(request, request.pool);
    const pinned = this.order.pinned.filter((scope) => poolServes(scope, request.namespace, request.labels));
    const fromPinned = this.assignFromPools(request, pinned);
    if (fromPinned.ok) return fromPinned;
    const fromGeneric = this.assignFromPools(request, this.order.generic);
    return fromGeneric.ok ? fromGeneric : failure('no available IPs');
  }

  /**
   * PreferDualStack with one address: adds the missing family from the same pool, keeping the
   * address the Service has (MetalLB's AllocateFromPoolForAdditionalFamily).
   */
  assignAdditionalFamily(request: AllocationRequest): AllocationResult {
    const allocation = this.allocations.get(request.service);
    const existing = allocation?.ips[0];
    if (allocation === undefined || existing === undefined || allocation.ips.length !== 1) {
      return failure(`service ${JSON.stringify(request.service)} does not hold exactly one address`);
    }
    const family = otherFamily(existing.family);
    const candidates = this.candidatesIn(allocation.pool, request);
    if (candidates === undefined) return failure(`unknown pool ${JSON.stringify(allocation.pool)}`);
    const additional = candidates[family];
    if (additional === undefined)
      return failure(`no available IPs in pool ${allocation.pool} for ${family} IPFamily`);
    return this.assignAddresses(request, [existing, additional]);
  }

  /** Frees the Service's addresses; false when it held none. */
  release(service: string): boolean {
    const allocation = this.allocations.get(service);
    if (allocation === undefined) return false;
    this.allocations.delete(service);
    for (const ip of allocation.ips) {
      const use = this.uses.get(ip.text);
      if (use === undefined) continue;
      use.remove(service);
      this.shareable.leave(use, allocation.ports);
      if (use.userCount > 0) continue;
      this.uses.delete(ip.text);
      this.rangeOf(ip)?.release(ip.value);
    }
    return true;
  }

  poolStats(): PoolStats[] {
    return [...this.ranges.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([pool, ranges]) => {
        const total = { ipv4: 0n, ipv6: 0n };
        const inUse = { ipv4: 0, ipv6: 0 };
        for (const range of ranges) {
          total[range.family] += range.capacity();
          inUse[range.family] += range.takenCount;
        }
        return {
          pool,
          total: total.ipv4 + total.ipv6,
          ipv4Total: total.ipv4,
          ipv6Total: total.ipv6,
          inUse: inUse.ipv4 + inUse.ipv6,
          ipv4InUse: inUse.ipv4,
          ipv6InUse: inUse.ipv6,
        };
      });
  }

  private assignRequestedAddresses(request: AllocationRequest): AllocationResult {
    const family = familyOfAddresses(request.ips);
    const texts = quoteList(request.ips.map((ip) => ip.text));
    if (!('family' in family) || family.family !== request.family) {
      return failure(`requested loadBalancer IP(s) ${texts} does not match the ipFamily of the service`);
    }
    const result = this.assignAddresses(request, request.ips);
    if (result.ok && request.pool !== undefined && result.pool !== request.pool) {
      this.release(request.service);
      return failure(
        `requested loadBalancer IP(s) ${texts} is not compatible with requested address pool ${request.pool}`,
      );
    }
    return result;
  }

  private reassertExisting(request: AllocationRequest, existing: Allocation): AllocationResult {
    if (request.pool !== undefined && request.policy !== 'PreferDualStack') {
      const family = familyOfAddresses(existing.ips);
      if (!('family' in family) || family.family !== request.family) {
        const held = 'family' in family ? family.family : 'unknown';
        return failure(`IP for wrong family assigned alloc ${held} service family ${request.family}`);
      }
    }
    return this.assignAddresses(request, existing.ips);
  }

  private assignFromPool(request: AllocationRequest, pool: string): AllocationResult {
    const candidates = this.candidatesIn(pool, request);
    if (candidates === undefined) return failure(`unknown pool ${JSON.stringify(pool)}`);
    if (candidates.ipv4 === undefined && candidates.ipv6 === undefined) {
      return failure(`no available IPs in pool ${pool}`);
    }
    const ips = selectAddresses(candidates, request.family, request.policy);
    if (typeof ips === 'string') return failure(ips);
    return this.assignAddresses(request, ips);
  }

  /** MetalLB's findBestPoolForService + allocateFromPools over pools already in order. */
  private assignFromPools(request: AllocationRequest, scopes: readonly PoolScope[]): AllocationResult {
    const primary = request.primaryFamily;
    const preferDual = request.policy === 'PreferDualStack' && request.family === 'dual';
    let primaryOnly: PoolCandidates | undefined;
    let secondaryOnly: PoolCandidates | undefined;
    let chosen: PoolCandidates | undefined;
    for (const scope of scopes) {
      const candidates = this.candidatesIn(scope.pool.name, request);
      if (candidates === undefined || (candidates.ipv4 === undefined && candidates.ipv6 === undefined))
        continue;
      const hasPrimary = candidates[primary] !== undefined;
      const hasSecondary = candidates[otherFamily(primary)] !== undefined;
      if (request.family !== 'dual' ? candidates[request.family] !== undefined : hasPrimary && hasSecondary) {
        chosen = candidates;
        break;
      }
      if (!preferDual) continue;
      if (hasPrimary) primaryOnly ??= candidates;
      if (hasSecondary) secondaryOnly ??= candidates;
    }
    chosen ??= primaryOnly ?? secondaryOnly;
    if (chosen === undefined) return failure(`no suitable pool for ${request.family} IPFamily`);
    const ips = selectAddresses(chosen, request.family, request.policy);
    if (typeof ips === 'string') return failure(ips);
    return this.assignAddresses(request, ips);
  }

  /** Checks configuration and sharing, then records (MetalLB's Assign). */
  private assignAddresses(request: AllocationRequest, ips: readonly ParsedIp[]): AllocationResult {
    const texts = ips.map((ip) => ip.text);
    const pool = this.poolOf(ips);
    if (pool === undefined) return failure(`${quoteList(texts)} is not allowed in config`);
    const scopeProblem = this.scopeProblem(pool, request.namespace, request.labels);
    if (scopeProblem !== undefined) return failure(scopeProblem);
    if (ips.length > 2) return failure(`more than two addresses ${quoteList(texts)}`);
    const [first, second] = ips;
    if (first !== undefined && second !== undefined && first.family === second.family) {
      return failure(`${JSON.stringify(first.text)} ${JSON.stringify(second.text)} has the same family`);
    }
    const key = keyOf(request);
    const held = this.allocations.get(request.service);
    if (held !== undefined && sameHolding(held, ips, request)) {
      // Re-asserting what the Service already holds: every user of these addresses was checked
      // against exactly this, so only the labels (for the pool's scope) may have changed.
      this.allocations.set(request.service, {
        ...held,
        labels: request.labels,
        namespace: request.namespace,
      });
      return { ok: true, ips: texts, pool };
    }
    for (const ip of ips) {
      const conflict = this.uses.get(ip.text)?.conflictFor(request.service, request.ports, key);
      if (conflict !== undefined) return failure(conflict);
    }
    this.release(request.service);
    this.record({
      service: request.service,
      pool,
      ips,
      ports: request.ports,
      key,
      namespace: request.namespace,
      labels: request.labels,
    });
    return { ok: true, ips: texts, pool };
  }

  private scopeProblem(
    pool: string,
    namespace: string,
    labels: Readonly<Record<string, string>>,
  ): string | undefined {
    const scope = this.scopes.get(pool);
    return scope !== undefined && poolServes(scope, namespace, labels)
      ? undefined
      : `pool ${pool} not compatible for ip assignment`;
  }

  /** Unconditionally records an allocation the caller has checked. */
  private record(allocation: Allocation): void {
    this.allocations.set(allocation.service, allocation);
    for (const ip of allocation.ips) {
      let use = this.uses.get(ip.text);
      if (use === undefined) {
        use = new AddressUse(ip, allocation.key);
        this.uses.set(ip.text, use);
        this.rangeOf(ip)?.take(ip.value);
      }
      // Joining users agree with the address's key (assignAddresses checked), so its group stays.
      use.add(allocation.service, allocation.ports, allocation.key);
      this.shareable.join(use, allocation.ports);
    }
  }

  private rangeOf(ip: ParsedIp): AddressRange | undefined {
    const ranges = this.sortedRanges[ip.family];
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = ranges[middle] as AddressRange;
      if (ip.value < range.first) high = middle - 1;
      else if (ip.value > range.last) low = middle + 1;
      else return range.allows(ip.value) ? range : undefined;
    }
    return undefined;
  }

  private poolOf(ips: readonly ParsedIp[]): string | undefined {
    let pool: string | undefined;
    for (const ip of ips) {
      const range = this.rangeOf(ip);
      if (range === undefined || (pool !== undefined && range.pool !== pool)) return undefined;
      pool = range.pool;
    }
    return pool;
  }

  /** For each family, the first CIDR (as written) with an acceptable address gives its lowest one. */
  private candidatesIn(pool: string, request: AllocationRequest): PoolCandidates | undefined {
    const ranges = this.ranges.get(pool);
    if (ranges === undefined) return undefined;
    const found: Record<IpFamily, ParsedIp | undefined> = { ipv4: undefined, ipv6: undefined };
    for (const range of ranges) {
      if (found[range.family] !== undefined) continue;
      const value = this.lowestAcceptable(range, request);
      if (value !== undefined)
        found[range.family] = { family: range.family, value, text: formatIp(range.family, value) };
    }
    return { pool, ipv4: found.ipv4, ipv6: found.ipv6 };
  }

  /**
   * The lowest address of the range this Service may use: the lowest free one, or a lower one it
   * can share (same key, no port overlap), exactly what MetalLB's first-to-last scan returns.
   */
  private lowestAcceptable(range: AddressRange, request: AllocationRequest): bigint | undefined {
    let best = range.lowestFree();
    const key = keyOf(request);
    for (const use of this.shareable.candidates(key, request.ports)) {
      const value = use.ip.value;
      if (use.ip.family !== range.family || !range.allows(value)) continue;
      if (best !== undefined && value >= best) continue;
      if (use.conflictFor(request.service, request.ports, key) === undefined) best = value;
    }
    return best;
  }
}

function sameHolding(held: Allocation, ips: readonly ParsedIp[], request: AllocationRequest): boolean {
  return (
    held.ips.length === ips.length &&
    held.ips.every((ip, index) => ip.text === ips[index]?.text) &&
    held.key.sharing === request.sharingKey &&
    held.key.backend === request.backendKey &&
    held.ports.length === request.ports.length &&
    held.ports.every((port, index) => port === request.ports[index])
  );
}

/**
 * Which of a pool's candidates the Service gets (MetalLB's selectIPsForFamilyAndPolicy). Like
 * MetalLB, a dual-stack pair is listed IPv4 first whatever the primary family; the primary family
 * only decides which pool a PreferDualStack Service falls back to.
 */
function selectAddresses(
  candidates: PoolCandidates,
  family: ServiceFamily,
  policy: AllocationRequest['policy'],
): ParsedIp[] | string {
  const unavailable = `no available IPs in pool ${candidates.pool} for ${family} IPFamily`;
  if (family !== 'dual') {
    const ip = candidates[family];
    return ip === undefined ? unavailable : [ip];
  }
  const { ipv4, ipv6 } = candidates;
  if (ipv4 !== undefined && ipv6 !== undefined && policy !== 'SingleStack') return [ipv4, ipv6];
  if (policy !== 'PreferDualStack') return unavailable;
  const only = ipv4 ?? ipv6;
  return only === undefined ? unavailable : [only];
}
