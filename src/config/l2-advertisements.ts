// L2Advertisement → L2Advertisement (MetalLB's `config.For` for layer 2): the pools it applies to
// (ipAddressPools ∪ ipAddressPoolSelectors, or every pool when it names none), the nodes that may
// answer (nodeSelectors) and the interfaces to answer on. Rejections name object and field.
import type { L2AdvertisementResource } from '../api/metallb.js';
import { advertisedPools } from './advertised-pools.js';
import { duplicateProblems } from './duplicates.js';
import type { Issues } from './issues.js';
import { deviceNameProblem, objectNameProblem } from './names.js';
import type { BuiltPool } from './pools.js';
import type { FieldProblem } from '../util/field-problem.js';
import { parseSelectorList } from './selector.js';
import type { L2Advertisement } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';

export interface L2AdvertisementContext {
  readonly issues: Issues;
  readonly pools: readonly BuiltPool[];
}

export function buildL2Advertisement(
  resource: L2AdvertisementResource,
  ref: ObjectRef,
  context: L2AdvertisementContext,
): L2Advertisement | undefined {
  const spec = resource.spec ?? {};
  const problems: FieldProblem[] = [];
  const nameProblem = objectNameProblem(resource.metadata.name);
  if (nameProblem !== undefined) problems.push({ field: 'metadata.name', message: nameProblem });
  problems.push(...duplicateProblems(spec.ipAddressPools, 'spec.ipAddressPools', 'ipAddressPools'));
  (spec.ipAddressPools ?? []).forEach((name, index) => {
    const problem = objectNameProblem(name);
    if (problem !== undefined) problems.push({ field: `spec.ipAddressPools[${index}]`, message: problem });
  });
  // MetalLB accepts any interface list (names are only matched against the node's interfaces, and
  // never reach frr.conf): a repeated or impossible name is a warning, so a MetalLB configuration
  // keeps working unchanged
  for (const problem of duplicateProblems(spec.interfaces, 'spec.interfaces', 'interfaces'))
    context.issues.warning(ref, problem.field, problem.message);
  (spec.interfaces ?? []).forEach((name, index) => {
    const problem = deviceNameProblem(name, 'interface');
    if (problem !== undefined)
      context.issues.warning(ref, `spec.interfaces[${index}]`, `${problem}; no interface matches it`);
  });
  const poolSelectors = parseSelectorList(spec.ipAddressPoolSelectors, 'spec.ipAddressPoolSelectors');
  const nodeSelectors = parseSelectorList(spec.nodeSelectors, 'spec.nodeSelectors');
  problems.push(...poolSelectors.problems, ...nodeSelectors.problems);

  const pools = advertisedPools(
    spec.ipAddressPools,
    poolSelectors.selectors,
    (spec.ipAddressPoolSelectors ?? []).length,
    context.pools,
    ref,
    context.issues,
  );

  context.issues.problems(ref, problems);
  if (problems.length > 0) return undefined;
  return {
    name: resource.metadata.name,
    pools,
    nodeSelectors: nodeSelectors.selectors,
    interfaces: [...new Set(spec.interfaces ?? [])].sort(),
  };
}
