// Label and field selectors as the Kubernetes API parses them (`a=b,c!=d,e in (x,y),!f`).
import type { KubeObject } from './object.js';

export type LabelRequirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | 'notexists' };

export type Selector<R> = { ok: true; requirements: R[] } | { ok: false; message: string };

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Splits on commas that are not inside parentheses (set-based values contain commas). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const labelKey = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?$/;

export function parseLabelSelector(text: string | undefined): Selector<LabelRequirement> {
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(text ?? '')) {
    const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    const eqMatch = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    let requirement: LabelRequirement;
    if (setMatch) {
      const values = (setMatch[3] ?? '').split(',').map((v) => v.trim());
      requirement = { key: setMatch[1] ?? '', op: setMatch[2] === 'in' ? 'in' : 'notin', values };
    } else if (eqMatch) {
      requirement = {
        key: eqMatch[1] ?? '',
        op: eqMatch[2] === '!=' ? 'notin' : 'in',
        values: [eqMatch[3] ?? ''],
      };
    } else if (part.startsWith('!')) {
      requirement = { key: part.slice(1).trim(), op: 'notexists' };
    } else {
      requirement = { key: part, op: 'exists' };
    }
    if (!labelKey.test(requirement.key)) {
      return { ok: false, message: `unable to parse requirement: invalid label key "${requirement.key}"` };
    }
    requirements.push(requirement);
  }
  return { ok: true, requirements };
}

export function labelsMatch(
  labels: Record<string, string> | undefined,
  requirements: LabelRequirement[],
): boolean {
  return requirements.every((r) => {
    const value = labels?.[r.key];
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case 'notexists':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}

/** `allowed` lists the field paths the resource supports besides metadata.name/namespace. */
export function parseFieldSelector(
  text: string | undefined,
  allowed: readonly string[],
): Selector<FieldRequirement> {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTopLevel(text ?? '')) {
    const match = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) return { ok: false, message: `invalid selector: '${part}'; can't understand '${part}'` };
    const field = match[1] ?? '';
    if (!['metadata.name', 'metadata.namespace', ...allowed].includes(field)) {
      return { ok: false, message: `field label not supported: ${field}` };
    }
    requirements.push({ field, op: match[2] === '!=' ? '!=' : '=', value: match[3] ?? '' });
  }
  return { ok: true, requirements };
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : JSON.stringify(current);
}

export function fieldsMatch(object: KubeObject, requirements: FieldRequirement[]): boolean {
  return requirements.every((r) => (fieldValue(object, r.field) === r.value) === (r.op === '='));
}
