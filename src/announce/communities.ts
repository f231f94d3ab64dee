// The union of BGP communities, in the order the config layer sorts an advertisement's communities
// in (standard before large, then numerically by each part).
import { compareCommunities, communityText } from '../config/community.js';
import type { Community } from '../config/types.js';

/** Deduplicated and sorted union. */
export function unionCommunities(lists: Iterable<readonly Community[]>): Community[] {
  const byText = new Map<string, Community>();
  for (const list of lists) for (const community of list) byText.set(communityText(community), community);
  return [...byText.values()].sort(compareCommunities);
}
