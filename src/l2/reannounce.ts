// Which still-owned IPs to announce again. A node that could not see this one (its links were cut,
// a partition) elected itself and sent gratuitous ARP / unsolicited NA, so clients moved to its
// MAC. When it becomes a candidate again in this node's view it stops answering, but nothing moves
// the clients back: this node never lost ownership in its own view and so sends nothing. A new
// candidate behind the owner is exactly that case (or a harmless new node): announce again.
import type { L2Decision } from './election.js';

const serviceKey = (decision: L2Decision) => `${decision.namespace}/${decision.name}`;

/** IPs owned both before and now whose decision gained a candidate; sorted, without repeats. */
export function ipsToReannounce(before: readonly L2Decision[], now: readonly L2Decision[]): string[] {
  const previous = new Map(before.filter((d) => d.announced).map((d) => [serviceKey(d), d]));
  const ips = new Set<string>();
  for (const decision of now) {
    if (!decision.announced) continue;
    const earlier = previous.get(serviceKey(decision));
    if (earlier === undefined) continue;
    const known = new Set(earlier.candidates);
    if (decision.candidates.some((node) => !known.has(node))) for (const ip of decision.ips) ips.add(ip);
  }
  return [...ips].sort();
}
