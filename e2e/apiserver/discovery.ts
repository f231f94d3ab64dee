// Discovery documents (`/api`, `/apis`, `/apis/<group>/<version>`) and the slice of OpenAPI v3
// kubectl reads: that the server validates fields itself (`fieldValidation` on PATCH) and the
// schemas `kubectl explain` prints.
import type { ResourceDefinition } from './resources.js';
import { allVerbs, apiVersionOf } from './resources.js';

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupVersions(definitions: ResourceDefinition[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const d of definitions) {
    if (d.group === '') continue;
    const versions = groups.get(d.group) ?? [];
    for (const v of d.versions) if (!versions.includes(v.name)) versions.push(v.name);
    groups.set(d.group, versions);
  }
  return groups;
}

/** Kubernetes orders versions GA > beta > alpha, higher numbers first; the first is preferred. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = rank(a);
  const [sb, mb, nb] = rank(b);
  return sb - sa || mb - ma || nb - na || a.localeCompare(b);
}

export function apiGroupList(definitions: ResourceDefinition[]): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groupVersions(definitions)].map(([group, versions]) => {
      const sorted = [...versions].sort(compareVersions);
      const entries = sorted.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
      return { name: group, versions: entries, preferredVersion: entries[0] };
    }),
  };
}

export function apiGroup(
  definitions: ResourceDefinition[],
  group: string,
): Record<string, unknown> | undefined {
  const list = apiGroupList(definitions).groups as { name: string }[];
  const found = list.find((g) => g.name === group);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...found } : undefined;
}

export function apiResourceList(
  definitions: ResourceDefinition[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = definitions.filter((d) => d.group === group && d.versions.some((v) => v.name === version));
  if (served.length === 0) return undefined;
  const resources = served.flatMap((d) => {
    const main = {
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs ?? allVerbs,
      ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length > 0 ? { categories: d.categories } : {}),
    };
    const status = {
      name: `${d.plural}/status`,
      singularName: '',
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: ['get', 'patch', 'update'],
    };
    const others = (d.subresources ?? []).map((sub) => ({
      name: `${d.plural}/${sub.name}`,
      singularName: '',
      namespaced: d.namespaced,
      group: sub.group,
      version: sub.version,
      kind: sub.kind,
      verbs: sub.verbs,
    }));
    return [main, ...(d.hasStatus ? [status] : []), ...others];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

function openApiPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiV3Index(definitions: ResourceDefinition[]): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const d of definitions) {
    for (const v of d.versions) {
      const path = openApiPath(d.group, v.name);
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}` };
    }
  }
  return { paths };
}

/** The component name Kubernetes gives a kind's schema: `io.k8s.api.apps.v1.Deployment`, `io.metallb.v1beta1.BGPPeer`. */
export function componentName(definition: ResourceDefinition, version: string): string {
  const { group, kind } = definition;
  if (definition.crdName === undefined) {
    const package_ = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\.authorization$/, '');
    const prefix =
      group === 'apiextensions.k8s.io' ? 'io.k8s.apiextensions-apiserver.pkg.apis' : 'io.k8s.api';
    return `${prefix}.${package_}.${version}.${kind}`;
  }
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/**
 * One PATCH operation per resource, tagged with its group-version-kind and a `fieldValidation`
 * query parameter: exactly what kubectl checks before relying on server-side field validation.
 * The operations declare no request body, so kubectl computes strategic merge patches from its
 * compiled-in types, as the real server's patch metadata would have it. The component schemas
 * (CRD schemas, and the built-in kinds the server validates) are what `kubectl explain` reads.
 */
export function openApiV3GroupVersion(
  definitions: ResourceDefinition[],
  groupVersionPath: string,
): Record<string, unknown> | undefined {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  let served = false;
  for (const d of definitions) {
    for (const v of d.versions) {
      if (openApiPath(d.group, v.name) !== groupVersionPath) continue;
      served = true;
      if (!(d.verbs ?? allVerbs).includes('patch')) continue;
      const gvk = { group: d.group, version: v.name, kind: d.kind };
      const prefix = `/${groupVersionPath}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
      paths[`${prefix}/{name}`] = {
        patch: {
          'x-kubernetes-group-version-kind': gvk,
          parameters: [
            { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          ],
          responses: { '200': { description: 'OK' } },
        },
      };
      if (v.schema)
        schemas[componentName(d, v.name)] = { ...v.schema, 'x-kubernetes-group-version-kind': [gvk] };
    }
  }
  if (!served) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}

/**
 * OpenAPI v2 in JSON: the same operations and schemas as v3, as `definitions`. kubectl asks for v2
 * in protobuf only, and the server answers that with 406, so kubectl goes on with v3 and its
 * compiled-in types (see README).
 */
export function openApiV2(definitions: ResourceDefinition[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const groupVersions = new Set(
    definitions.flatMap((d) => d.versions.map((v) => openApiPath(d.group, v.name))),
  );
  for (const groupVersion of groupVersions) {
    const document = openApiV3GroupVersion(definitions, groupVersion) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    Object.assign(paths, document.paths);
    Object.assign(schemas, document.components.schemas);
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions: schemas };
}
