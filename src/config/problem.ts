// A FieldProblem becomes a ConfigError once the object it belongs to is known, and a ConfigError a
// line a user can act on.
import type { FieldProblem } from '../util/field-problem.js';
import { describeObject, type ObjectRef } from '../util/object-ref.js';
import type { ConfigError } from './types.js';

/** One line a user can act on: `BGPPeer metallb-system/tor1: spec.holdTime: …`. */
export function formatConfigError(error: ConfigError): string {
  const where =
    error.field === '' ? describeObject(error.object) : `${describeObject(error.object)}: ${error.field}`;
  return `${where}: ${error.message}`;
}

export function toConfigErrors(object: ObjectRef, problems: readonly FieldProblem[]): ConfigError[] {
  return problems.map((problem) => ({ object, field: problem.field, message: problem.message }));
}
