// BFDProfile → BfdProfile: MetalLB's ranges; unset fields stay unset so FRR's defaults apply.
import type { BFDProfileResource } from '../api/metallb.js';
import type { Issues } from './issues.js';
import { objectNameProblem } from './names.js';
import type { BfdProfile } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';
import type { FieldProblem } from '../util/field-problem.js';

const RANGES = {
  receiveInterval: [10, 60000],
  transmitInterval: [10, 60000],
  detectMultiplier: [2, 255],
  echoInterval: [10, 60000],
  minimumTtl: [1, 254],
} as const;

function bounded(
  value: number | undefined,
  field: keyof typeof RANGES,
  problems: FieldProblem[],
): number | undefined {
  if (value === undefined) return undefined;
  const [min, max] = RANGES[field];
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({
      field: `spec.${field}`,
      message: `invalid value ${value}, must be in ${min}-${max} range`,
    });
  }
  return value;
}

export function buildBfdProfile(
  resource: BFDProfileResource,
  ref: ObjectRef,
  issues: Issues,
): BfdProfile | undefined {
  const problems: FieldProblem[] = [];
  const spec = resource.spec ?? {};
  // FRR limits BFD profile names to 63 characters.
  const nameProblem = objectNameProblem(resource.metadata.name, 63);
  if (nameProblem !== undefined) problems.push({ field: 'metadata.name', message: nameProblem });
  const profile: BfdProfile = {
    name: resource.metadata.name,
    receiveInterval: bounded(spec.receiveInterval, 'receiveInterval', problems),
    transmitInterval: bounded(spec.transmitInterval, 'transmitInterval', problems),
    detectMultiplier: bounded(spec.detectMultiplier, 'detectMultiplier', problems),
    echoInterval: bounded(spec.echoInterval, 'echoInterval', problems),
    echoMode: spec.echoMode,
    passiveMode: spec.passiveMode,
    minimumTtl: bounded(spec.minimumTtl, 'minimumTtl', problems),
  };
  issues.problems(ref, problems);
  return problems.length === 0 ? profile : undefined;
}
