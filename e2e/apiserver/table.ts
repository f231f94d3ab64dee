// meta.k8s.io/v1 Table: what `kubectl get` asks for and prints. Columns are Name plus the
// resource's printer columns; cells are computed from a JSONPath subset (`.a.b`, `[n]`, `[*]`).
import type { KubeObject } from './object.js';
import { isPlainObject } from './object.js';
import type { PrinterColumn } from './resources.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: Record<string, unknown>[];
  rows: { cells: unknown[]; object?: unknown }[];
}

/** `.status.loadBalancer.ingress[*].ip` → every value it names, in order. */
export function evaluateJsonPath(object: unknown, jsonPath: string): unknown[] {
  const expression = jsonPath.replace(/^\{(.*)\}$/, '$1');
  const tokens = expression.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [object];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of current) {
      if (token.startsWith('.') && isPlainObject(value)) {
        const child = value[token.slice(1)];
        if (child !== undefined) next.push(child);
      } else if (token === '[*]' && Array.isArray(value)) {
        next.push(...value);
      } else if (token.startsWith('[') && Array.isArray(value)) {
        const index = Number(token.slice(1, -1));
        const item = value[index < 0 ? value.length + index : index];
        if (item !== undefined) next.push(item);
      }
    }
    current = next;
  }
  return current;
}

/** Kubernetes' HumanDuration: `45s`, `3m12s`, `5h`, `2d3h`, `400d`, `3y20d`. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 192) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

function cellFor(column: PrinterColumn, object: unknown, now: number): unknown {
  if (column.cell && isPlainObject(object)) return column.cell(object as KubeObject);
  const results = evaluateJsonPath(object, column.jsonPath);
  if (results.length === 0) return null;
  if (results.length > 1)
    return results.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(',');
  const value = results[0];
  switch (column.type) {
    case 'date':
      return typeof value === 'string' ? humanDuration(now - Date.parse(value)) : null;
    case 'integer':
      return Number.isInteger(value) ? value : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

const defaultColumns: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

export function tableOf(
  objects: KubeObject[],
  columns: PrinterColumn[] | undefined,
  include: IncludeObject,
  resourceVersion: string,
  now: number = Date.now(),
): Table {
  const effective = columns ?? defaultColumns;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      {
        name: 'Name',
        type: 'string',
        format: 'name',
        description: 'Name must be unique within a namespace.',
        priority: 0,
      },
      ...effective.map((c) => ({
        name: c.name,
        type: c.type === 'date' ? 'string' : c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    rows: objects.map((object) => ({
      cells: [object.metadata.name ?? '', ...effective.map((c) => cellFor(c, object, now))],
      ...(include === 'None'
        ? {}
        : {
            object:
              include === 'Object'
                ? object
                : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
          }),
    })),
  };
}
