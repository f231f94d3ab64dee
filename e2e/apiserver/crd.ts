// CustomResourceDefinition (apiextensions.k8s.io/v1) → the resource it defines, plus the status
// conditions the API server reports once the CRD is served.
import type { FieldError } from './status.js';
import type { KubeObject } from './object.js';
import { isPlainObject } from './object.js';
import type { OpenApiSchema } from './schema.js';
import type { PrinterColumn, ResourceDefinition, ResourceVersionInfo } from './resources.js';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: OpenApiSchema };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: {
    plural: string;
    singular?: string;
    kind: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions: CrdVersion[];
}

export type CrdResult = { ok: true; definition: ResourceDefinition } | { ok: false; errors: FieldError[] };

const required = (field: string): FieldError => ({
  field,
  reason: 'FieldValueRequired',
  detail: 'Required value',
});

function invalidValue(field: string, value: unknown, why: string): FieldError {
  return { field, reason: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(value)}: ${why}` };
}

export function definitionFromCrd(crd: KubeObject): CrdResult {
  const errors: FieldError[] = [];
  const spec = crd.spec as Partial<CrdSpec> | undefined;
  if (!isPlainObject(spec)) return { ok: false, errors: [required('spec')] };
  if (!spec.group) errors.push(required('spec.group'));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push({
      field: 'spec.scope',
      reason: 'FieldValueNotSupported',
      detail: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"`,
    });
  }
  const names = spec.names;
  if (!names?.plural) errors.push(required('spec.names.plural'));
  if (!names?.kind) errors.push(required('spec.names.kind'));
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) errors.push(required('spec.versions'));
  const storage = versions.filter((v) => v.storage);
  if (versions.length > 0 && storage.length !== 1) {
    errors.push(
      invalidValue(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  const expectedName = `${names?.plural ?? ''}.${spec.group ?? ''}`;
  if (names?.plural && spec.group && crd.metadata.name !== expectedName) {
    errors.push(invalidValue('metadata.name', crd.metadata.name, `must be spec.names.plural+"."+spec.group`));
  }
  versions.forEach((v, i) => {
    if (!v.schema?.openAPIV3Schema) errors.push(required(`spec.versions[${i}].schema.openAPIV3Schema`));
  });
  if (errors.length > 0 || !names || !spec.group || !spec.scope) return { ok: false, errors };
  const served: ResourceVersionInfo[] = versions
    .filter((v) => v.served)
    .map((v) => ({
      name: v.name,
      ...(v.schema?.openAPIV3Schema ? { schema: v.schema.openAPIV3Schema } : {}),
      ...(v.additionalPrinterColumns ? { printerColumns: v.additionalPrinterColumns } : {}),
      ...(v.deprecated
        ? {
            deprecationWarning: v.deprecationWarning ?? `${spec.group}/${v.name} ${names.kind} is deprecated`,
          }
        : {}),
    }));
  return {
    ok: true,
    definition: {
      group: spec.group,
      versions: served,
      storageVersion: storage[0]?.name ?? '',
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      // The status subresource is per version in the CRD; every ferry CRD enables it on all or none.
      hasStatus: versions.some((v) => v.subresources?.status !== undefined),
      selectableFields: [],
      crdName: crd.metadata.name ?? expectedName,
    },
  };
}

/** The status a served CRD reports: names accepted, Established, storedVersions. */
export function establishedStatus(crd: KubeObject, now: string): Record<string, unknown> {
  const spec = crd.spec as CrdSpec;
  const previous = isPlainObject(crd.status) ? crd.status : {};
  const stored = new Set<string>(
    Array.isArray(previous.storedVersions) ? (previous.storedVersions as string[]) : [],
  );
  for (const v of spec.versions) if (v.storage) stored.add(v.name);
  const condition = (type: string, reason: string, message: string): Record<string, string> => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    acceptedNames: {
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      ...(spec.names.categories ? { categories: spec.names.categories } : {}),
    },
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions: [...stored],
  };
}
