// Structural validation against the openAPIV3Schema of ferry's CRDs (deploy/crds), the way the API
// server does it: types, required fields, enums, minimum/maximum, unknown fields rejected (kubectl's
// default strict field validation), and schema defaults applied. CEL rules
// (x-kubernetes-validations) are not evaluated here; src/config implements the ones that matter.
import { createRequire } from 'node:module';
import type { Ajv, CodeOptions, ErrorObject, ValidateFunction } from 'ajv';
import type { FieldProblem } from '../util/field-problem.js';

// ajv is required only when a schema has to be compiled here: with the build's precompiled
// validators (crd-documents.ts) a short command never loads it.
const require = createRequire(import.meta.url);

/** Validates objects of the kinds and versions the given CRDs serve. */
export interface CrdValidator {
  /** `group/version` + kind served by some CRD */
  serves(apiVersion: string, kind: string): boolean;
  /** kinds any CRD defines, whatever the version */
  knowsKind(kind: string): boolean;
  /**
   * Validates a copy of `object` and returns it with defaults applied. `problems` is empty when the
   * object is valid. Throws when the apiVersion/kind is not served (check `serves` first).
   */
  validate(object: Readonly<Record<string, unknown>>): {
    readonly object: Record<string, unknown>;
    readonly problems: readonly FieldProblem[];
  };
}

const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
];

// RFC 3339 date-time, as metav1.Time serializes it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A structural schema prunes unknown fields; with strict field validation they are errors. Make that
 * explicit for ajv: every object schema that lists its properties gets `additionalProperties: false`.
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!isRecord(schema)) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps field names to schemas: recurse into the schemas, not the map itself.
    copy[key] =
      key === 'properties' && isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([name, child]) => [name, closeObjects(child)]))
        : closeObjects(value);
  }
  if (
    isRecord(copy['properties']) &&
    copy['additionalProperties'] === undefined &&
    copy['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    copy['additionalProperties'] = false;
  }
  return copy;
}

function fieldPath(segments: readonly string[]): string {
  let path = '';
  for (const segment of segments) {
    if (/^[0-9]+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function problemFromAjv(error: ErrorObject, kind: string, version: string): FieldProblem {
  const segments = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        field: fieldPath([...segments, String(params['missingProperty'])]),
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        field: fieldPath([...segments, String(params['additionalProperty'])]),
        message: `is not a field of ${kind} ${version} (unknown field; check its spelling and indentation)`,
      };
    case 'type':
      return {
        field: fieldPath(segments),
        message: `must be of type ${String(params['type'])}, got ${shown(error.data)}`,
      };
    case 'enum':
      return {
        field: fieldPath(segments),
        message: `must be one of ${(params['allowedValues'] as unknown[]).map(shown).join(', ')}, got ${shown(error.data)}`,
      };
    case 'minimum':
      return {
        field: fieldPath(segments),
        message: `must be at least ${String(params['limit'])}, got ${shown(error.data)}`,
      };
    case 'maximum':
      return {
        field: fieldPath(segments),
        message: `must be at most ${String(params['limit'])}, got ${shown(error.data)}`,
      };
    case 'minItems':
      return { field: fieldPath(segments), message: `must have at least ${String(params['limit'])} item(s)` };
    case 'maxLength':
      return {
        field: fieldPath(segments),
        message: `must be at most ${String(params['limit'])} characters long`,
      };
    case 'minLength':
      return {
        field: fieldPath(segments),
        message: `must be at least ${String(params['limit'])} characters long`,
      };
    case 'pattern':
      return {
        field: fieldPath(segments),
        message: `must match ${String(params['pattern'])}, got ${shown(error.data)}`,
      };
    case 'format':
      return {
        field: fieldPath(segments),
        message: `must be a valid ${String(params['format'])}, got ${shown(error.data)}`,
      };
    default:
      return { field: fieldPath(segments), message: error.message ?? `fails schema rule ${error.keyword}` };
  }
}

export interface CompileOptions {
  /**
   * `eager` (default) compiles every served version now and reports schemas that do not compile in
   * `problems`. `on-first-use` compiles a kind's schema when the first object of that kind is
   * validated (ajv's code generation is most of a short command's start time, and a directory
   * usually holds a few of the kinds); a schema that does not compile then throws there.
   */
  readonly compile?: 'eager' | 'on-first-use';
  /**
   * Validators compiled at build time from the same documents (see `crdSchemas`), by key; a key
   * found here is not compiled again.
   */
  readonly precompiled?: Readonly<Record<string, ValidateFunction>>;
}

interface CompiledSchema {
  readonly validate: ValidateFunction;
  readonly kind: string;
  readonly version: string;
}

/** ajv set up to check as the API server does; `code` for generating standalone code. */
export function crdAjv(code?: CodeOptions): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const ajv = new AjvClass({
    useDefaults: true,
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    ...(code === undefined ? {} : { code }),
  });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  // Kubernetes does not enforce integer formats (a uint32 field is declared int32 in some CRDs).
  ajv.addFormat('int32', true);
  ajv.addFormat('int64', true);
  ajv.addFormat('date-time', DATE_TIME);
  return ajv;
}

/** One served version's schema, ready for ajv (objects closed). */
export interface CrdSchema {
  /** `group/version|kind` */
  readonly key: string;
  readonly kind: string;
  readonly version: string;
  /** the openAPIV3Schema with its objects closed (computed when asked: precompiled ones never are) */
  closed(): Record<string, unknown>;
}

/**
 * The schemas of the CRD documents (parsed YAML). Documents that are not CustomResourceDefinitions are
 * skipped; malformed CRDs are reported in `problems` (a bug in deploy/crds, not a user error).
 */
export function crdSchemas(crdDocuments: readonly unknown[]): {
  readonly schemas: readonly CrdSchema[];
  readonly kinds: ReadonlySet<string>;
  readonly problems: readonly string[];
} {
  const schemas: CrdSchema[] = [];
  const kinds = new Set<string>();
  const problems: string[] = [];
  for (const document of crdDocuments) {
    if (!isRecord(document) || document['kind'] !== 'CustomResourceDefinition') continue;
    const spec = document['spec'];
    if (!isRecord(spec) || typeof spec['group'] !== 'string' || !isRecord(spec['names'])) {
      problems.push(
        `CustomResourceDefinition ${shown(document['metadata'])}: missing spec.group or spec.names`,
      );
      continue;
    }
    const group = spec['group'];
    const kind = spec['names']['kind'];
    if (typeof kind !== 'string' || !Array.isArray(spec['versions'])) {
      problems.push(`CustomResourceDefinition for group ${group}: missing spec.names.kind or spec.versions`);
      continue;
    }
    kinds.add(kind);
    for (const version of spec['versions'] as unknown[]) {
      if (!isRecord(version) || typeof version['name'] !== 'string' || version['served'] === false) continue;
      const schema = isRecord(version['schema']) ? version['schema']['openAPIV3Schema'] : undefined;
      const versionName = version['name'];
      if (!isRecord(schema)) {
        problems.push(`${kind} ${group}/${versionName}: no openAPIV3Schema`);
        continue;
      }
      schemas.push({
        key: `${group}/${versionName}|${kind}`,
        kind,
        version: versionName,
        closed: () => closeObjects(schema) as Record<string, unknown>,
      });
    }
  }
  return { schemas, kinds, problems };
}

/**
 * Compiles the CRD documents (parsed YAML). Documents that are not CustomResourceDefinitions are
 * skipped; malformed CRDs are reported in `problems` (a bug in deploy/crds, not a user error).
 */
export function compileCrdValidator(
  crdDocuments: readonly unknown[],
  options: CompileOptions = {},
): {
  readonly validator: CrdValidator;
  readonly problems: readonly string[];
} {
  let ajv: Ajv | undefined;
  const found = crdSchemas(crdDocuments);
  const { kinds } = found;
  const problems = [...found.problems];

  /** per `group/version|kind`: the compiled schema, or how to compile it */
  const validators = new Map<string, CompiledSchema | (() => CompiledSchema)>();
  for (const { key, kind, version, closed } of found.schemas) {
    const ready = options.precompiled?.[key];
    if (ready !== undefined) {
      validators.set(key, { validate: ready, kind, version });
      continue;
    }
    const compile = (): CompiledSchema => {
      ajv ??= crdAjv();
      return { validate: ajv.compile(closed()), kind, version };
    };
    if (options.compile === 'on-first-use') {
      validators.set(key, compile);
      continue;
    }
    try {
      validators.set(key, compile());
    } catch (error) {
      problems.push(`${kind} ${key.split('|')[0] ?? ''}: schema does not compile: ${String(error)}`);
    }
  }

  const compiled = (key: string): CompiledSchema | undefined => {
    const entry = validators.get(key);
    if (typeof entry !== 'function') return entry;
    const schema = entry();
    validators.set(key, schema);
    return schema;
  };

  const validator: CrdValidator = {
    serves: (apiVersion, kind) => validators.has(`${apiVersion}|${kind}`),
    knowsKind: (kind) => kinds.has(kind),
    validate(object) {
      const apiVersion = String(object['apiVersion']);
      const kind = String(object['kind']);
      const entry = compiled(`${apiVersion}|${kind}`);
      if (entry === undefined) throw new Error(`no CRD serves ${apiVersion} ${kind}`);
      const copy = structuredClone(object) as Record<string, unknown>;
      if (entry.validate(copy)) return { object: copy, problems: [] };
      const seen = new Set<string>();
      const found: FieldProblem[] = [];
      for (const error of entry.validate.errors ?? []) {
        const problem = problemFromAjv(error, entry.kind, entry.version);
        const key = `${problem.field}|${problem.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          found.push(problem);
        }
      }
      return { object: copy, problems: found };
    },
  };
  return { validator, problems };
}
