// Which Services this controller handles (MetalLB's `filterByLoadBalancerClass`): with an empty
// `--lb-class`, only Services without `spec.loadBalancerClass`; otherwise only Services of exactly
// that class. Services of another class belong to another load balancer: ferry neither allocates
// for them nor clears what is written on them.
import type { ServiceInfo } from '../api/cluster.js';

export function handlesService(service: Pick<ServiceInfo, 'loadBalancerClass'>, lbClass: string): boolean {
  if (lbClass === '') return service.loadBalancerClass === undefined;
  return service.loadBalancerClass === lbClass;
}
