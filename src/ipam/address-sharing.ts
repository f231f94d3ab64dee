// Who uses one address, and whether one more Service may. MetalLB's rules: Services share an
// address only when both carry the same non-empty `allow-shared-ip` key, the same backend key
// ('' for externalTrafficPolicy Cluster, the pod selector for Local) and no (protocol, port) pair
// in common. Messages are MetalLB's; where MetalLB drops the reason a key does not match, it is
// appended after a colon so the user can see what to change.
import type { ParsedIp } from '../net/ip.js';

export interface SharingKey {
  readonly sharing: string;
  readonly backend: string;
}

/** Why a Service with `incoming` may not join the users of an address holding `existing`. */
export function sharingProblem(existing: SharingKey, incoming: SharingKey): string | undefined {
  if (existing.sharing === '') return 'existing service does not allow sharing';
  if (incoming.sharing === '') return 'new service does not allow sharing';
  if (existing.sharing !== incoming.sharing) {
    return `sharing key ${JSON.stringify(incoming.sharing)} does not match existing sharing key ${JSON.stringify(existing.sharing)}`;
  }
  if (existing.backend !== incoming.backend) {
    return `backend key ${JSON.stringify(incoming.backend)} does not match existing sharing key ${JSON.stringify(existing.backend)}`;
  }
  return undefined;
}

export class AddressUse {
  /** the key of the Service that joined last (all users agree on it unless a sole user changed it) */
  key: SharingKey;
  /** Service key → its ports */
  private readonly users = new Map<string, readonly string[]>();
  /** `PROTOCOL/port` → the Service using it */
  private readonly portOwners = new Map<string, string>();

  constructor(
    readonly ip: ParsedIp,
    key: SharingKey,
  ) {
    this.key = key;
  }

  get userCount(): number {
    return this.users.size;
  }

  /** Why `service` may not use this address with these ports and key, or undefined when it may. */
  conflictFor(service: string, ports: readonly string[], key: SharingKey): string | undefined {
    const problem = sharingProblem(this.key, key);
    if (problem !== undefined) {
      // A sole user may change its own key in place.
      const others = [...this.users.keys()].filter((user) => user !== service).sort();
      if (others.length > 0) {
        return `can't change sharing key for ${JSON.stringify(service)}, address also in use by ${others.join(',')}: ${problem}`;
      }
    }
    for (const port of ports) {
      const owner = this.portOwners.get(port);
      if (owner !== undefined && owner !== service) {
        return `port ${port} is already in use on ${JSON.stringify(this.ip.text)}`;
      }
    }
    return undefined;
  }

  add(service: string, ports: readonly string[], key: SharingKey): void {
    this.remove(service);
    this.key = key;
    this.users.set(service, ports);
    for (const port of ports) this.portOwners.set(port, service);
  }

  remove(service: string): void {
    const ports = this.users.get(service);
    if (ports === undefined) return;
    this.users.delete(service);
    for (const port of ports) {
      if (this.portOwners.get(port) === service) this.portOwners.delete(port);
    }
  }
}

interface ShareableGroup {
  readonly uses: Set<AddressUse>;
  /** `PROTOCOL/port` → on how many of the group's addresses it is taken */
  readonly portCounts: Map<string, number>;
}

function groupKey(key: SharingKey): string {
  return `${key.sharing}\u0000${key.backend}`;
}

/**
 * Addresses whose users carry a non-empty sharing key, grouped by sharing and backend key: the
 * only addresses another Service could join. Port counts let a Service skip a group in O(ports)
 * when one of its ports is taken on every address of it (many identical Services on one key).
 * Updates cost O(ports of the joining or leaving Service), not O(ports on the address).
 */
export class ShareableAddresses {
  private readonly groups = new Map<string, ShareableGroup>();

  /** `ports` were just added to `use` by a Service joining it. */
  join(use: AddressUse, ports: readonly string[]): void {
    if (use.key.sharing === '') return;
    const name = groupKey(use.key);
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { uses: new Set(), portCounts: new Map() };
      this.groups.set(name, group);
    }
    group.uses.add(use);
    for (const port of ports) group.portCounts.set(port, (group.portCounts.get(port) ?? 0) + 1);
  }

  /** A Service holding `ports` just left `use`. */
  leave(use: AddressUse, ports: readonly string[]): void {
    const name = groupKey(use.key);
    const group = this.groups.get(name);
    if (group === undefined || !group.uses.has(use)) return;
    for (const port of ports) {
      const count = (group.portCounts.get(port) ?? 0) - 1;
      if (count > 0) group.portCounts.set(port, count);
      else group.portCounts.delete(port);
    }
    if (use.userCount > 0) return;
    group.uses.delete(use);
    if (group.uses.size === 0) this.groups.delete(name);
  }

  /** The addresses a Service with `key` and `ports` might join (each still to be checked). */
  candidates(key: SharingKey, ports: readonly string[]): Iterable<AddressUse> {
    const group = key.sharing === '' ? undefined : this.groups.get(groupKey(key));
    if (group === undefined) return [];
    if (ports.some((port) => group.portCounts.get(port) === group.uses.size)) return [];
    return group.uses;
  }
}
