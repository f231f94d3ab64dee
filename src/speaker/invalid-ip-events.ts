// The speaker's Warning on a Service it refuses for its ingress (`invalidIP`: an entry with only a
// hostname, or an ip that does not parse): once when the Service becomes refused or the reason's
// sentence changes, not on every reconcile. MetalLB only logs this; an Event puts it where the
// Service's owner looks (`kubectl describe service`).
import type { AnnounceResult } from '../announce/types.js';
import type { ServiceRef } from './node-assigned-events.js';

export interface InvalidIngress extends ServiceRef {
  /** the decision's sentence */
  readonly detail: string;
}

function invalidIngress(result: Pick<AnnounceResult, 'decisions'> | undefined): Map<string, InvalidIngress> {
  const found = new Map<string, InvalidIngress>();
  for (const decision of result?.decisions ?? []) {
    if (decision.reason !== 'invalidIP') continue;
    found.set(`${decision.namespace}/${decision.name}`, {
      namespace: decision.namespace,
      name: decision.name,
      detail: decision.detail,
    });
  }
  return found;
}

/** Services refused for their ingress now that were not before, or with another sentence. */
export function newlyInvalidIngress(
  previous: Pick<AnnounceResult, 'decisions'> | undefined,
  current: Pick<AnnounceResult, 'decisions'>,
): InvalidIngress[] {
  const before = invalidIngress(previous);
  return [...invalidIngress(current).entries()]
    .filter(([key, now]) => before.get(key)?.detail !== now.detail)
    .map(([, now]) => now);
}
