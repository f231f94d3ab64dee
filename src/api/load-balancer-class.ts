// Which Services ferry handles (MetalLB's `filterByLoadBalancerClass`), one setting for the controller
// and every speaker (`--lb-class`): empty, only Services without `spec.loadBalancerClass`; otherwise
// only Services of exactly that class. A Service of another class belongs to another load balancer:
// the controller neither allocates for it nor clears what is written on it, and no speaker announces
// it, whatever its status.loadBalancer.ingress says.
import type { ServiceInfo } from './cluster.js';

export function handlesService(service: Pick<ServiceInfo, 'loadBalancerClass'>, lbClass: string): boolean {
  // As MetalLB compares: an absent class counts as the empty one.
  return (service.loadBalancerClass ?? '') === lbClass;
}

/** The setting in words for messages: `only class "x"`, or `only Services without spec.loadBalancerClass`. */
export function describeLbClass(lbClass: string): string {
  return lbClass === ''
    ? 'only Services without spec.loadBalancerClass'
    : `only class ${JSON.stringify(lbClass)}`;
}
