// MetalLB rejects lists that name the same thing twice ("duplicate definition of peers \"tor1\"").
import type { FieldProblem } from '../util/field-problem.js';

export function duplicateProblems(
  list: readonly string[] | undefined,
  field: string,
  what: string,
): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  (list ?? []).forEach((entry, index) => {
    if (seen.has(entry))
      problems.push({
        field: `${field}[${index}]`,
        message: `duplicate definition of ${what} ${JSON.stringify(entry)}`,
      });
    seen.add(entry);
  });
  return problems;
}
