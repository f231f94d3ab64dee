// Structural openAPIV3Schema handling for custom resources, in the order the API server applies it
// on write: drop non-nullable nulls, prune unknown fields, apply defaults, validate.
// CEL rules (x-kubernetes-validations) are not evaluated; see README.
import type { FieldError } from './status.js';
import { deepCopy, isPlainObject } from './object.js';

export interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  format?: string;
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

/** Fields of the root object the schema never prunes: the API server owns them. */
const rootFields = new Set(['apiVersion', 'kind', 'metadata']);

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function childSchema(schema: OpenApiSchema, key: string): OpenApiSchema | undefined {
  const property = schema.properties?.[key];
  if (property) return property;
  return isPlainObject(schema.additionalProperties)
    ? (schema.additionalProperties as OpenApiSchema)
    : undefined;
}

/**
 * Removes fields the schema does not declare (and nulls it does not allow). Returns the pruned
 * paths, e.g. `spec.foo`, so strict field validation can reject them.
 */
export function pruneUnknownFields(value: unknown, schema: OpenApiSchema, path = ''): string[] {
  const pruned: string[] = [];
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => pruned.push(...pruneUnknownFields(item, schema.items ?? {}, `${path}[${i}]`)));
    return pruned;
  }
  if (!isPlainObject(value)) return pruned;
  for (const key of Object.keys(value)) {
    if (path === '' && rootFields.has(key)) continue;
    const child = childSchema(schema, key);
    if (value[key] === null && !child?.nullable && child !== undefined) {
      delete value[key];
      continue;
    }
    if (child) {
      pruned.push(...pruneUnknownFields(value[key], child, join(path, key)));
    } else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) {
      delete value[key];
      pruned.push(join(path, key));
    }
  }
  return pruned;
}

export function applyDefaults(value: unknown, schema: OpenApiSchema): void {
  if (Array.isArray(value) && schema.items) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && property.default !== undefined) value[key] = deepCopy(property.default);
  }
  for (const key of Object.keys(value)) {
    const child = childSchema(schema, key);
    if (child) applyDefaults(value[key], child);
  }
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, schema: OpenApiSchema): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  if (value === null) return schema.nullable === true;
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

/** How the API server quotes a value inside `Invalid value: ...`. */
function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'null');
}

export function validateAgainstSchema(value: unknown, schema: OpenApiSchema, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  const invalid = (detail: string): void => {
    errors.push({ field: path, reason: 'FieldValueInvalid', detail: `Invalid value: ${detail}` });
  };
  if (!typeMatches(value, schema)) {
    const got = jsonTypeName(value);
    const want = schema['x-kubernetes-int-or-string'] ? 'integer,string' : (schema.type ?? 'object');
    errors.push({
      field: path,
      reason: 'FieldValueTypeInvalid',
      detail: `Invalid value: "${got}": ${path} in body must be of type ${want}: "${got}"`,
    });
    return errors;
  }
  if (value === null) return errors;
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    errors.push({
      field: path,
      reason: 'FieldValueNotSupported',
      detail: `Unsupported value: ${quote(value)}: supported values: ${schema.enum.map(quote).join(', ')}`,
    });
  }
  if (typeof value === 'number') {
    if (
      schema.minimum !== undefined &&
      (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)
    ) {
      invalid(
        `${value}: ${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`,
      );
    }
    if (
      schema.maximum !== undefined &&
      (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)
    ) {
      invalid(
        `${value}: ${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`,
      );
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      invalid(`${quote(value)}: ${path} in body should be at least ${schema.minLength} chars long`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      invalid(`${quote(value)}: ${path} in body should be at most ${schema.maxLength} chars long`);
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      invalid(`${quote(value)}: ${path} in body should match '${schema.pattern}'`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      invalid(`${value.length}: ${path} in body should have at least ${schema.minItems} items`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({
        field: path,
        reason: 'FieldValueInvalid',
        detail: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    }
    if (schema.items) {
      value.forEach((item, i) =>
        errors.push(...validateAgainstSchema(item, schema.items ?? {}, `${path}[${i}]`)),
      );
    }
  }
  if (isPlainObject(value)) {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) {
        errors.push({ field: join(path, key), reason: 'FieldValueRequired', detail: 'Required value' });
      }
    }
    const count = Object.keys(value).length;
    if (schema.minProperties !== undefined && count < schema.minProperties) {
      invalid(`${count}: ${path} in body should have at least ${schema.minProperties} properties`);
    }
    if (schema.maxProperties !== undefined && count > schema.maxProperties) {
      invalid(`${count}: ${path} in body should have at most ${schema.maxProperties} properties`);
    }
    for (const [key, child] of Object.entries(value)) {
      if (path === '' && rootFields.has(key)) continue;
      const childSchemaForKey = childSchema(schema, key);
      if (childSchemaForKey) errors.push(...validateAgainstSchema(child, childSchemaForKey, join(path, key)));
    }
  }
  return errors;
}
