// MetalLB's `nodeAssigned` event: "announcing from node X with protocol bgp", recorded on a Service
// when this node starts announcing it (not on every reconcile; the recorder also rate-limits).
import type { AnnounceResult } from '../announce/types.js';

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

/** Services eligible now that were not before. */
export function newlyAnnounced(
  previous: Pick<AnnounceResult, 'decisions'> | undefined,
  current: Pick<AnnounceResult, 'decisions'>,
): ServiceRef[] {
  const key = (d: ServiceRef) => `${d.namespace}/${d.name}`;
  const before = new Set((previous?.decisions ?? []).filter((d) => d.eligible).map(key));
  const seen = new Set<string>();
  return current.decisions.filter((d) => {
    if (!d.eligible || before.has(key(d)) || seen.has(key(d))) return false;
    seen.add(key(d));
    return true;
  });
}
