// Announce classes: prefixes that go to the same neighbors with the same attributes share a class.
// Each class is one origination route map (`network P route-map ferry-c-<id>`) that tags the prefix
// with a marker large community, and one entry in each of its neighbors' `-out` route maps. Adding or
// removing a Service IP in an existing class is then one `network` line (docs/design.md §5).
import type { Community } from '../config/types.js';
import { compareText } from '../util/order.js';
import { communityText } from '../config/community.js';

/** What one neighbor gets for a prefix. */
export interface NeighborAttributes {
  /** neighbor key: address or interface, plus `-<vrf>` outside the default VRF */
  readonly neighborKey: string;
  /** sorted, deduplicated */
  readonly communities: readonly Community[];
  /** 0 = unset */
  readonly localPref: number;
}

export interface AnnounceClass {
  /** stable for the same content, independent of which other classes exist */
  readonly id: number;
  /** `ferry-c-<id>`: the origination route map and the marker large-community list */
  readonly name: string;
  /** the marker large community, `4294967295:0:<id>` */
  readonly marker: string;
  /** sorted by neighbor key */
  readonly neighbors: readonly NeighborAttributes[];
}

// Global administrator 4294967295 is a reserved ASN (RFC 7300): no real network uses it, so the
// marker can never collide with a user's large community.
const MARKER_ADMIN = '4294967295';

function describeAttributes(attributes: readonly NeighborAttributes[]): string {
  return attributes
    .map((a) => `${a.neighborKey}|${a.communities.map(communityText).join(',')}|${a.localPref}`)
    .join(';');
}

/** FNV-1a, 32 bit: a content hash that keeps class ids stable while other classes come and go. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Assigns a class to every distinct neighbor→attributes mapping. Ids are content hashes; on the
 * (unlikely) collision of two descriptions, the one sorting later is rehashed with a salt, which is
 * deterministic because descriptions are processed in sorted order.
 */
export function announceClasses(
  mappings: readonly (readonly NeighborAttributes[])[],
): Map<string, AnnounceClass> {
  const byDescription = new Map<string, readonly NeighborAttributes[]>();
  for (const mapping of mappings) {
    const sorted = [...mapping].sort((a, b) => compareText(a.neighborKey, b.neighborKey));
    byDescription.set(describeAttributes(sorted), sorted);
  }
  const usedIds = new Set<number>();
  const classes = new Map<string, AnnounceClass>();
  for (const description of [...byDescription.keys()].sort(compareText)) {
    let id = fnv1a32(description);
    for (let salt = 1; usedIds.has(id) || id === 0; salt++) id = fnv1a32(`${salt}#${description}`);
    usedIds.add(id);
    classes.set(description, {
      id,
      name: `ferry-c-${id}`,
      marker: `${MARKER_ADMIN}:0:${id}`,
      neighbors: byDescription.get(description) ?? [],
    });
  }
  return classes;
}

/** The key of a mapping in `announceClasses`' result: equal for mappings that share a class. */
export function mappingDescription(mapping: readonly NeighborAttributes[]): string {
  return describeAttributes([...mapping].sort((a, b) => compareText(a.neighborKey, b.neighborKey)));
}

export function classForMapping(
  classes: ReadonlyMap<string, AnnounceClass>,
  mapping: readonly NeighborAttributes[],
): AnnounceClass {
  const description = mappingDescription(mapping);
  const found = classes.get(description);
  if (found === undefined) throw new Error(`bug: no announce class for ${description}`);
  return found;
}
