// OpenAPI schemas for Kubernetes' built-in kinds, made from @kubernetes/client-node's models, which
// are generated from the Kubernetes OpenAPI document: each class's attributeTypeMap gives field
// names and types, its .d.ts says which fields are required. The server validates the built-in
// kinds deploy/ uses with them (unknown fields, wrong types, missing required fields) and serves
// them in /openapi/v3 for `kubectl explain`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { OpenApiSchema } from './schema.js';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

type ModelClass = { attributeTypeMap?: Attribute[] };

const modelsDirectory = join(
  dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node')),
  'gen',
  'models',
);

function modelClass(name: string): ModelClass | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[name];
  return typeof candidate === 'function' && 'attributeTypeMap' in candidate
    ? (candidate as ModelClass)
    : undefined;
}

/** Fields the model's declaration does not mark optional (`'name': string;` vs `'image'?: string;`). */
function requiredFields(name: string): string[] {
  const declaration = readFileSync(join(modelsDirectory, `${name}.d.ts`), 'utf8');
  return [...declaration.matchAll(/^\s+'([A-Za-z0-9_$]+)':/gm)].map((match) => match[1] ?? '');
}

const preserve: OpenApiSchema = { 'x-kubernetes-preserve-unknown-fields': true };

function schemaOfType(type: string, format: string, path: readonly string[]): OpenApiSchema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: schemaOfType(array[1] ?? '', '', path) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: schemaOfType(map[1] ?? '', '', path) };
  switch (type) {
    case 'string':
    case 'Date':
      return { type: 'string' };
    case 'number':
      return { type: format === 'int32' || format === 'int64' ? 'integer' : 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'IntOrString':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
    case 'object':
      return preserve;
  }
  // A model; one already being expanded on this path (recursive types) is left open.
  return path.includes(type) ? preserve : schemaOfModel(type, path);
}

function schemaOfModel(name: string, path: readonly string[] = []): OpenApiSchema {
  const model = modelClass(name);
  if (!model?.attributeTypeMap) throw new Error(`@kubernetes/client-node has no model ${name}`);
  const properties: Record<string, OpenApiSchema> = {};
  for (const attribute of model.attributeTypeMap) {
    properties[attribute.baseName] = schemaOfType(attribute.type, attribute.format, [...path, name]);
  }
  const byName = new Map(model.attributeTypeMap.map((a) => [a.name, a.baseName]));
  const required = requiredFields(name).map((field) => byName.get(field) ?? field);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

const schemas = new Map<string, OpenApiSchema | undefined>();

/** The schema of a built-in kind, e.g. `apps/v1` `Deployment` → model `V1Deployment` (shared: do not modify). */
export function builtinSchema(apiVersion: string, kind: string): OpenApiSchema | undefined {
  const version = apiVersion.includes('/') ? (apiVersion.split('/')[1] ?? '') : apiVersion;
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  if (!schemas.has(name)) schemas.set(name, modelClass(name) ? schemaOfModel(name) : undefined);
  return schemas.get(name);
}
