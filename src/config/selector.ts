// Kubernetes label selectors (metav1.LabelSelector semantics): parsing with the apiserver's own
// validation rules (qualified-name keys, label values, operator/values agreement) and matching.
// Every selector ferry reads sits in a MetalLB selector list, so MetalLB's rule for those lists holds
// too: no value twice in one match expression's `values`, no match expression twice in one selector
// (same key, operator and values in any order); the apiserver accepts both, MetalLB rejects them.
// The BGPPeer v1beta1 legacy `nodeSelectors` form ({matchLabels, matchExpressions{key, operator,
// values}}) has the same shape and meaning, so it converts to the same LabelSelector.
import { duplicateProblems } from './duplicates.js';
import type { LabelSelector, LabelSelectorRequirement } from './types.js';
import type { FieldProblem } from '../util/field-problem.js';
import { labelKeyProblem, labelValueProblem } from '../util/kube-syntax.js';

const OPERATORS: readonly LabelSelectorRequirement['operator'][] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type SelectorParse =
  | { readonly ok: true; readonly selector: LabelSelector }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * Parses a metav1.LabelSelector found at `field`. `undefined`/`null` is the empty selector, which
 * matches everything.
 */
export function parseLabelSelector(raw: unknown, field: string): SelectorParse {
  if (raw === undefined || raw === null)
    return { ok: true, selector: { matchLabels: {}, matchExpressions: [] } };
  if (!isRecord(raw))
    return { ok: false, problems: [{ field, message: 'a label selector must be an object' }] };
  const problems: FieldProblem[] = [];
  const matchLabels: Record<string, string> = {};
  const rawLabels = raw['matchLabels'] ?? {};
  if (!isRecord(rawLabels)) {
    problems.push({ field: `${field}.matchLabels`, message: 'matchLabels must be a map of strings' });
  } else {
    for (const key of Object.keys(rawLabels).sort()) {
      const value = rawLabels[key];
      const keyField = `${field}.matchLabels[${JSON.stringify(key)}]`;
      if (typeof value !== 'string') {
        problems.push({ field: keyField, message: 'label values must be strings' });
        continue;
      }
      const problem = labelKeyProblem(key) ?? labelValueProblem(value);
      if (problem !== undefined) problems.push({ field: keyField, message: problem });
      else matchLabels[key] = value;
    }
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  const rawExpressions = raw['matchExpressions'] ?? [];
  if (!Array.isArray(rawExpressions)) {
    problems.push({ field: `${field}.matchExpressions`, message: 'matchExpressions must be a list' });
  } else {
    rawExpressions.forEach((rawExpression: unknown, index) => {
      const parsed = parseRequirement(rawExpression, `${field}.matchExpressions[${index}]`);
      if ('problems' in parsed) problems.push(...parsed.problems);
      else matchExpressions.push(parsed.requirement);
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  // MetalLB: "duplicate definition of match expressions" (values compared in any order).
  const duplicates = duplicateProblems(
    matchExpressions.map(requirementKey),
    `${field}.matchExpressions`,
    'match expressions',
  );
  if (duplicates.length > 0) return { ok: false, problems: duplicates };
  return { ok: true, selector: { matchLabels, matchExpressions } };
}

function requirementKey(requirement: LabelSelectorRequirement): string {
  return `${requirement.key} ${requirement.operator} (${requirement.values.join(',')})`;
}

function parseRequirement(
  raw: unknown,
  field: string,
): { requirement: LabelSelectorRequirement } | { problems: FieldProblem[] } {
  if (!isRecord(raw)) return { problems: [{ field, message: 'a match expression must be an object' }] };
  const problems: FieldProblem[] = [];
  const key = raw['key'];
  const operator = raw['operator'];
  const rawValues = raw['values'] ?? [];
  if (typeof key !== 'string') {
    problems.push({ field: `${field}.key`, message: 'key is required' });
  } else {
    const problem = labelKeyProblem(key);
    if (problem !== undefined) problems.push({ field: `${field}.key`, message: problem });
  }
  const knownOperator = OPERATORS.find((candidate) => candidate === operator);
  if (knownOperator === undefined) {
    problems.push({
      field: `${field}.operator`,
      message: `${JSON.stringify(operator)} is not a valid label selector operator; use one of ${OPERATORS.join(', ')}`,
    });
  }
  const values: string[] = [];
  if (!Array.isArray(rawValues)) {
    problems.push({ field: `${field}.values`, message: 'values must be a list of strings' });
  } else {
    rawValues.forEach((value: unknown, index) => {
      const problem = typeof value === 'string' ? labelValueProblem(value) : 'values must be strings';
      if (problem !== undefined) problems.push({ field: `${field}.values[${index}]`, message: problem });
      else values.push(value as string);
    });
    // MetalLB's rule for its selector lists (the apiserver accepts it); indices hold when all are valid.
    if (values.length === rawValues.length)
      problems.push(
        ...duplicateProblems(values, `${field}.values`, 'match expression value in label selector'),
      );
    if ((knownOperator === 'In' || knownOperator === 'NotIn') && rawValues.length === 0) {
      problems.push({
        field: `${field}.values`,
        message: `values must be non-empty for operator ${knownOperator}`,
      });
    }
    if ((knownOperator === 'Exists' || knownOperator === 'DoesNotExist') && rawValues.length > 0) {
      problems.push({
        field: `${field}.values`,
        message: `values must be empty for operator ${knownOperator}`,
      });
    }
  }
  if (problems.length > 0 || knownOperator === undefined || typeof key !== 'string') return { problems };
  return { requirement: { key, operator: knownOperator, values: values.sort() } };
}

/** Parses the BGPPeer v1beta1 `nodeSelectors[]` entry: the same fields and meaning as a LabelSelector. */
export function parseLegacyNodeSelector(raw: unknown, field: string): SelectorParse {
  return parseLabelSelector(raw, field);
}

/** All matchLabels and all matchExpressions hold; the empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  return selector.matchExpressions.every((requirement) => requirementMatches(requirement, labels));
}

function requirementMatches(
  requirement: LabelSelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = present ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      // Kubernetes: NotIn also matches objects that lack the key.
      return value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
  }
}

/** OR across selectors; an empty list matches everything (MetalLB's "no selectors = all"). */
export function anySelectorMatches(
  selectors: readonly LabelSelector[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return selectors.length === 0 || selectors.some((selector) => selectorMatches(selector, labels));
}

/** A stable text form, used to detect duplicate selectors and to sort. */
export function selectorKey(selector: LabelSelector): string {
  const labels = Object.keys(selector.matchLabels)
    .sort()
    .map((key) => `${key}=${selector.matchLabels[key] ?? ''}`);
  const expressions = selector.matchExpressions.map(requirementKey).sort();
  return [...labels, ...expressions].join(';');
}

/**
 * Parses a list of selectors at `field` (e.g. `spec.nodeSelectors`), rejecting duplicates as MetalLB
 * does ("duplicate definition of nodeSelectors"). Selectors that fail to parse are left out.
 */
export function parseSelectorList(
  raw: readonly unknown[] | undefined,
  field: string,
  parse: (raw: unknown, field: string) => SelectorParse = parseLabelSelector,
): { readonly selectors: LabelSelector[]; readonly problems: FieldProblem[] } {
  const selectors: LabelSelector[] = [];
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  (raw ?? []).forEach((entry, index) => {
    const parsed = parse(entry, `${field}[${index}]`);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      return;
    }
    const key = selectorKey(parsed.selector);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        field: `${field}[${index}]`,
        message: `duplicate definition of ${field.split('.').pop() ?? field}: same as [${first}]`,
      });
      return;
    }
    seen.set(key, index);
    selectors.push(parsed.selector);
  });
  return { selectors, problems };
}
