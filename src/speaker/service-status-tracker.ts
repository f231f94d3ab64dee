// Which ServiceBGPStatus objects may have changed, so that one Service event, or bgpd advertising a
// few prefixes more or less, recomputes those Services' statuses and nothing else. It keeps the
// reverse index prefix → Services (from each Service's announce decisions), the Services to look at
// again, and what was last handed to the status sink per Service. Pure.
import type { ServiceDecision } from '../announce/types.js';
import { compareText } from '../util/order.js';
import { StringSetMap } from '../util/string-set-map.js';
import type { ServiceStatus } from './service-status.js';

/** How a Service's status is computed (its decisions and what bgpd advertises), by its key. */
export type StatusOf = (service: string) => ServiceStatus | undefined;

export class ServiceStatusTracker {
  /** prefix → the Services whose routes carry it (nearly always one) */
  private readonly servicesOfPrefix = new StringSetMap<string>();
  /** Services whose status may differ from `sent` */
  private readonly dirty = new Set<string>();
  /** per Service, the status last handed over as JSON; absent: none (no object) */
  private readonly sent = new Map<string, string>();
  /** every Service with decisions, with the prefixes of their routes */
  private readonly prefixesOf = new Map<string, readonly string[]>();

  /** A Service's decisions changed (`after` empty: it has none any more). */
  decisionsChanged(service: string, after: readonly ServiceDecision[]): void {
    for (const prefix of this.prefixesOf.get(service) ?? []) this.servicesOfPrefix.delete(prefix, service);
    const prefixes = [...new Set(after.flatMap((decision) => decision.routes.map((route) => route.prefix)))];
    if (after.length === 0) this.prefixesOf.delete(service);
    else this.prefixesOf.set(service, prefixes);
    for (const prefix of prefixes) this.servicesOfPrefix.add(prefix, service);
    this.dirty.add(service);
  }

  /** What bgpd advertises changed for these prefixes: their Services are looked at again. */
  prefixesChanged(prefixes: Iterable<string>): void {
    for (const prefix of prefixes)
      for (const service of this.servicesOfPrefix.members(prefix)) this.dirty.add(service);
  }

  /** The Services whose routes carry the prefix. */
  servicesOf(prefix: string): readonly string[] {
    return this.servicesOfPrefix.members(prefix);
  }

  /** The prefixes of a Service's routes, as of its last decisions. */
  routedPrefixes(service: string): readonly string[] {
    return this.prefixesOf.get(service) ?? [];
  }

  /**
   * Every Service's status, sorted by key, remembered as handed over (the complete set a sink starts
   * from: objects of other Services are removed). O(Services): on start only.
   */
  complete(statusOf: StatusOf): ServiceStatus[] {
    this.dirty.clear();
    this.sent.clear();
    const statuses: ServiceStatus[] = [];
    for (const service of [...this.prefixesOf.keys()].sort(compareText)) {
      const status = statusOf(service);
      if (status === undefined) continue;
      this.sent.set(service, JSON.stringify(status));
      statuses.push(status);
    }
    return statuses;
  }

  /** Forgets what was handed over: the next `complete` starts afresh (its write failed). */
  forgetSent(): void {
    this.sent.clear();
  }

  /** Whether Services are waiting to be looked at again. */
  hasPending(): boolean {
    return this.dirty.size > 0;
  }

  /**
   * The statuses that differ from what was last handed over, for the Services looked at again since
   * the last call (undefined: its object goes away), remembered as handed over. At most `limit`
   * Services are looked at; the rest wait for the next call (a caller slicing a burst).
   */
  takeChanges(statusOf: StatusOf, limit = Infinity): Map<string, ServiceStatus | undefined> {
    const changes = new Map<string, ServiceStatus | undefined>();
    let looked = 0;
    for (const service of this.dirty) {
      if (looked++ === limit) break;
      this.dirty.delete(service);
      const status = statusOf(service);
      const text = status === undefined ? undefined : JSON.stringify(status);
      if (this.sent.get(service) === text) continue;
      if (text === undefined) this.sent.delete(service);
      else this.sent.set(service, text);
      changes.set(service, status);
    }
    return changes;
  }
}
