// Order and union of BGP communities: standard before large, then numerically by each part, the
// order the config layer sorts an advertisement's communities in.
import type { Community } from '../config/types.js';

function parts(community: Community): number[] {
  return community.value.split(':').map(Number);
}

export function compareCommunities(a: Community, b: Community): number {
  if (a.kind !== b.kind) return a.kind === 'standard' ? -1 : 1;
  const left = parts(a);
  const right = parts(b);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Deduplicated and sorted union. */
export function unionCommunities(lists: Iterable<readonly Community[]>): Community[] {
  const byText = new Map<string, Community>();
  for (const list of lists) for (const community of list) byText.set(communityText(community), community);
  return [...byText.values()].sort(compareCommunities);
}

/** `65000:100` or `large:1:2:3`, as written in a BGPAdvertisement. */
export function communityText(community: Community): string {
  return community.kind === 'large' ? `large:${community.value}` : community.value;
}
