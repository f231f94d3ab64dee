// IPAddressPool → Pool: addresses parsed (CIDRs masked, ranges summarized), serviceAllocation
// checked, overlaps between pools found.
import type { IPAddressPoolResource } from '../api/metallb.js';
import { type Cidr, cidrsOverlap, parseCidr, parseIp, rangeToCidrs } from '../net/ip.js';
import { duplicateProblems } from './duplicates.js';
import type { Issues } from './issues.js';
import { namespaceNameProblem } from './names.js';
import { parseSelectorList } from './selector.js';
import type { Pool, ServiceAllocation } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';
import type { FieldProblem } from '../util/field-problem.js';

/** A pool and its CIDRs grouped by the `addresses` entry they came from (for aggregation checks). */
export interface BuiltPool {
  readonly pool: Pool;
  readonly ref: ObjectRef;
  readonly addressGroups: readonly { readonly address: string; readonly cidrs: readonly Cidr[] }[];
}

const EDGE_SPACE = /^[ \t]+|[ \t]+$/g;

/** One `addresses` entry: a CIDR or a `start-end` range. */
export function parsePoolAddress(text: string): { cidrs: Cidr[] } | { problem: string } {
  if (!text.includes('-')) {
    const cidr = parseCidr(text);
    if (cidr === undefined)
      return {
        problem: `invalid CIDR ${JSON.stringify(text)}: write a CIDR (192.168.10.0/24, fc00::/124) or a range start-end`,
      };
    return { cidrs: [cidr] };
  }
  const [startText = '', endText = ''] = text.split(/-(.*)/s);
  const start = parseIp(startText.replace(EDGE_SPACE, ''));
  const end = parseIp(endText.replace(EDGE_SPACE, ''));
  if (start === undefined)
    return {
      problem: `invalid IP range ${JSON.stringify(text)}: invalid start IP ${JSON.stringify(startText)}`,
    };
  if (end === undefined)
    return { problem: `invalid IP range ${JSON.stringify(text)}: invalid end IP ${JSON.stringify(endText)}` };
  if (start.family !== end.family)
    return {
      problem: `invalid IP range ${JSON.stringify(text)}: start and end are of different IP families`,
    };
  if (start.value > end.value) {
    return {
      problem: `invalid IP range ${JSON.stringify(text)}: start IP ${start.text} is after the end IP ${end.text}`,
    };
  }
  return { cidrs: rangeToCidrs(start, end) };
}

function serviceAllocationOf(
  resource: IPAddressPoolResource,
  problems: FieldProblem[],
): ServiceAllocation | undefined {
  const allocation = resource.spec.serviceAllocation;
  if (allocation === undefined) return undefined;
  const base = 'spec.serviceAllocation';
  const namespaces = allocation.namespaces ?? [];
  problems.push(...duplicateProblems(namespaces, `${base}.namespaces`, 'namespace'));
  namespaces.forEach((namespace, index) => {
    const problem = namespaceNameProblem(namespace);
    if (problem !== undefined) problems.push({ field: `${base}.namespaces[${index}]`, message: problem });
  });
  const namespaceSelectors = parseSelectorList(allocation.namespaceSelectors, `${base}.namespaceSelectors`);
  const serviceSelectors = parseSelectorList(allocation.serviceSelectors, `${base}.serviceSelectors`);
  problems.push(...namespaceSelectors.problems, ...serviceSelectors.problems);
  const priority = allocation.priority ?? 0;
  if (!Number.isSafeInteger(priority))
    problems.push({ field: `${base}.priority`, message: 'must be an integer' });
  return {
    priority,
    namespaces: [...new Set(namespaces)].sort(),
    namespaceSelectors: namespaceSelectors.selectors,
    serviceSelectors: serviceSelectors.selectors,
  };
}

function buildPool(resource: IPAddressPoolResource, ref: ObjectRef, issues: Issues): BuiltPool | undefined {
  const problems: FieldProblem[] = [];
  const addresses = resource.spec.addresses ?? [];
  if (addresses.length === 0)
    problems.push({ field: 'spec.addresses', message: 'pool has no prefixes defined' });
  const addressGroups: { address: string; cidrs: Cidr[] }[] = [];
  addresses.forEach((address, index) => {
    const parsed = parsePoolAddress(address);
    if ('problem' in parsed) problems.push({ field: `spec.addresses[${index}]`, message: parsed.problem });
    else addressGroups.push({ address, cidrs: parsed.cidrs });
  });
  const cidrs = addressGroups.flatMap((group) => group.cidrs);
  cidrs.forEach((cidr, index) => {
    const earlier = cidrs.slice(0, index).find((other) => cidrsOverlap(cidr, other));
    if (earlier !== undefined) {
      problems.push({
        field: 'spec.addresses',
        message: `CIDR ${cidr.text} overlaps with CIDR ${earlier.text} of the same pool`,
      });
    }
  });
  const serviceAllocation = serviceAllocationOf(resource, problems);
  if (problems.length > 0) {
    issues.problems(ref, problems);
    return undefined;
  }
  return {
    ref,
    addressGroups,
    pool: {
      name: resource.metadata.name,
      labels: resource.metadata.labels,
      cidrs,
      autoAssign: resource.spec.autoAssign ?? true,
      avoidBuggyIPs: resource.spec.avoidBuggyIPs ?? false,
      serviceAllocation,
    },
  };
}

/**
 * Valid pools, sorted by name. Pools whose CIDRs overlap another pool's make the configuration
 * fatal (MetalLB rejects it as a whole: an address must belong to one pool).
 */
export function buildPools(
  resources: readonly { readonly resource: IPAddressPoolResource; readonly ref: ObjectRef }[],
  issues: Issues,
): BuiltPool[] {
  const built = resources.flatMap(({ resource, ref }) => buildPool(resource, ref, issues) ?? []);
  for (const [index, current] of built.entries()) {
    for (const other of built.slice(0, index)) {
      for (const cidr of current.pool.cidrs) {
        const overlapping = other.pool.cidrs.find((candidate) => cidrsOverlap(cidr, candidate));
        if (overlapping !== undefined) {
          issues.error(
            current.ref,
            'spec.addresses',
            `CIDR ${cidr.text} in pool ${current.pool.name} overlaps with CIDR ${overlapping.text} of IPAddressPool ${other.pool.name}`,
            { fatal: true },
          );
        }
      }
    }
  }
  return built;
}
