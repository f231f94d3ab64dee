// Errors are values: a problem found in one field, and the ConfigError it becomes once the object it
// belongs to is known. Parsers of sub-structures (selectors, durations) return FieldProblems so they
// need not know which object they are parsing.
import type { ConfigError, ObjectRef } from './types.js';

export interface FieldProblem {
  /** field path, e.g. `spec.nodeSelectors[0].matchLabels` */
  readonly field: string;
  readonly message: string;
}

/** `BGPPeer metallb-system/tor1` */
export function describeObject(object: ObjectRef): string {
  return object.namespace === ''
    ? `${object.kind} ${object.name}`
    : `${object.kind} ${object.namespace}/${object.name}`;
}

/** One line a user can act on: `BGPPeer metallb-system/tor1: spec.holdTime: …`. */
export function formatConfigError(error: ConfigError): string {
  const where =
    error.field === '' ? describeObject(error.object) : `${describeObject(error.object)}: ${error.field}`;
  return `${where}: ${error.message}`;
}

export function toConfigErrors(object: ObjectRef, problems: readonly FieldProblem[]): ConfigError[] {
  return problems.map((problem) => ({ object, field: problem.field, message: problem.message }));
}
