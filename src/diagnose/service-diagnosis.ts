// `kubectl ferry explain svc/NAME`: one Service's whole story — its IP assignment, each node's
// announcement decision, and every disagreement between intent and what the speakers report.
import type { ServiceInfo } from '../api/cluster.js';
import { handlesService } from '../api/load-balancer-class.js';
import { diagnoseAssignment, type AssignmentDiagnosis } from './assignment.js';
import { disagreementsFor, type Disagreement } from './disagreements.js';
import { nodeSections, type NodeSection, type ViewOptions } from './node-announcements.js';
import type { ClusterSnapshot } from './snapshot.js';

export interface ServiceDiagnosis {
  readonly namespace: string;
  readonly name: string;
  readonly assignment: AssignmentDiagnosis;
  /** empty when the Service is not ferry's */
  readonly nodes: readonly NodeSection[];
  readonly disagreements: readonly Disagreement[];
  /** the Service has its IP, is announced from at least one node, and every speaker agrees */
  readonly healthy: boolean;
}

export function diagnoseService(
  snapshot: ClusterSnapshot,
  service: ServiceInfo,
  options: ViewOptions,
): ServiceDiagnosis {
  const assignment = diagnoseAssignment(snapshot, service, options);
  const ours = assignment.verdict !== 'notHandled';
  const nodes = ours ? nodeSections(snapshot, service, options) : [];
  const disagreements = ours ? disagreementsFor(snapshot, service, nodes) : [];
  const announced = nodes.some((section) => section.bgp.routes.length > 0);
  return {
    namespace: service.namespace,
    name: service.name,
    assignment,
    nodes,
    disagreements,
    healthy: assignment.verdict === 'assigned' && announced && disagreements.length === 0,
  };
}

/** LoadBalancer Services ferry handles that show no address, sorted by namespace and name. */
export function pendingServices(
  snapshot: ClusterSnapshot,
  options: { readonly lbClass: string; readonly namespace: string | undefined },
): ServiceInfo[] {
  return snapshot.resources.services
    .filter(
      (s) =>
        s.type === 'LoadBalancer' &&
        handlesService(s, options.lbClass) &&
        s.ingressIPs.length === 0 &&
        (options.namespace === undefined || s.namespace === options.namespace),
    )
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`, 'en'));
}
