// Errors are values: a problem found in one field. Parsers of sub-structures (selectors, durations,
// manifest metadata) return FieldProblems so they need not know which object they are parsing; the
// caller adds the ObjectRef.

export interface FieldProblem {
  /** field path, e.g. `spec.nodeSelectors[0].matchLabels` */
  readonly field: string;
  readonly message: string;
}
