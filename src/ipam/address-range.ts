// One CIDR of a pool with its free set. MetalLB hands out the lowest free address of a CIDR by
// scanning from the first address on every allocation (O(pool) per Service). Here a cursor marks
// where never-used addresses begin and a min-heap holds the addresses released below it, so the
// lowest free address costs O(log n) and the cursor only ever moves forward (amortized O(1) per
// address taken). Nothing here enumerates the CIDR, so an IPv6 /64 costs what a /32 costs.
import { type Cidr, cidrFirst, cidrLast, cidrSize, type IpFamily } from '../net/ip.js';
import { BigintMinHeap } from './min-heap.js';

/** IPv4 addresses ending in .0 or .255 confuse the smurf protection of some CPE firmware. */
export function isBuggyAddress(family: IpFamily, value: bigint): boolean {
  if (family !== 'ipv4') return false;
  const lastOctet = value & 0xffn;
  return lastOctet === 0n || lastOctet === 255n;
}

export class AddressRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** Addresses at or above the cursor have never been handed out, except those taken on request. */
  private cursor: bigint;
  /** Free addresses below the cursor (may hold stale entries that were taken again; skipped lazily). */
  private readonly released = new BigintMinHeap();
  private readonly inReleased = new Set<bigint>();
  private readonly taken = new Set<bigint>();

  constructor(
    readonly cidr: Cidr,
    readonly pool: string,
    readonly avoidBuggyIPs: boolean,
  ) {
    this.family = cidr.family;
    this.first = cidrFirst(cidr);
    this.last = cidrLast(cidr);
    this.cursor = this.first;
  }

  /** Whether `value` belongs to this range and may be handed out at all. */
  allows(value: bigint): boolean {
    if (value < this.first || value > this.last) return false;
    return !(this.avoidBuggyIPs && isBuggyAddress(this.family, value));
  }

  isTaken(value: bigint): boolean {
    return this.taken.has(value);
  }

  get takenCount(): number {
    return this.taken.size;
  }

  /** How many addresses may be handed out (exact, never enumerated). */
  capacity(): bigint {
    const size = cidrSize(this.cidr);
    if (!this.avoidBuggyIPs || this.family !== 'ipv4') return size;
    if (this.cidr.prefixLength <= 24) return size - (size / 256n) * 2n;
    // Inside one /24: only the first (.0) or the last (.255) address can be buggy.
    let buggy = 0n;
    if (isBuggyAddress('ipv4', this.first)) buggy += 1n;
    if (this.last !== this.first && isBuggyAddress('ipv4', this.last)) buggy += 1n;
    return size - buggy;
  }

  /** The lowest address that is free and allowed, or undefined when the range is full. */
  lowestFree(): bigint | undefined {
    for (let top = this.released.peek(); top !== undefined; top = this.released.peek()) {
      if (!this.taken.has(top)) return top;
      this.released.pop();
      this.inReleased.delete(top);
    }
    while (this.cursor <= this.last && (this.taken.has(this.cursor) || !this.allows(this.cursor))) {
      this.cursor += 1n;
    }
    return this.cursor <= this.last ? this.cursor : undefined;
  }

  /** Marks an allowed address as in use (by one or more services). */
  take(value: bigint): void {
    this.taken.add(value);
    if (value === this.cursor) this.cursor += 1n;
  }

  /** Marks an address free again once its last user is gone. */
  release(value: bigint): void {
    if (!this.taken.delete(value)) return;
    if (value < this.cursor && !this.inReleased.has(value)) {
      this.released.push(value);
      this.inReleased.add(value);
    }
  }
}
