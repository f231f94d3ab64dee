// Manifests (YAML text) → typed Resources. Each document is checked like `kubectl apply` would have the
// API server check it: metadata, then the CRD's openAPIV3Schema (with defaults) for metallb.io kinds,
// then the fields ferry reads of core kinds. Invalid objects are reported and left out; others load.
import { yaml } from '../util/yaml.js';
import {
  toEndpointSliceInfo,
  toNamespaceInfo,
  toNodeInfo,
  toSecretInfo,
  toServiceInfo,
  metallbAnnotations,
  type Parsed,
} from './cluster-objects.js';
import type { CrdValidator } from './crd-validator.js';
import type { ManifestError } from './manifest-error.js';
import type {
  BFDProfileResource,
  BGPAdvertisementResource,
  L2AdvertisementResource,
  BGPPeerResource,
  CommunityResource,
  IPAddressPoolResource,
  ObjectMeta,
} from './metallb.js';
import { emptyResources, type MutableResources, type Resources } from './resources.js';
import type { ObjectRef } from '../util/object-ref.js';
import type { FieldProblem } from '../util/field-problem.js';
import { DNS_SUBDOMAIN, labelKeyProblem, labelValueProblem } from '../util/kube-syntax.js';

export interface ManifestFile {
  /** shown in messages */
  readonly path: string;
  readonly text: string;
}

export interface LoadOptions {
  /** namespace for namespaced objects that name none (`kubectl apply -n`); default `default` */
  readonly defaultNamespace?: string;
}

export interface LoadResult {
  readonly resources: Resources;
  readonly errors: readonly ManifestError[];
  readonly warnings: readonly ManifestError[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const CLUSTER_SCOPED = new Set(['v1|Node', 'v1|Namespace']);

/** Reads a core object; `add` puts it (with the checked name and defaulted namespace) into place. */
type CoreReader = (
  object: Record<string, unknown>,
  meta: ObjectMeta,
) => { readonly problems: readonly FieldProblem[]; readonly add: (into: Collected) => void };

function coreReader<T>(
  parse: (object: Record<string, unknown>) => Parsed<T>,
  add: (into: Collected, value: T, meta: ObjectMeta) => void,
): CoreReader {
  return (object, meta) => {
    const parsed = parse(object);
    return { problems: parsed.problems, add: (into) => add(into, parsed.value, meta) };
  };
}

/** Core kinds ferry reads, by `apiVersion|kind`. */
const CORE_KINDS: Record<string, CoreReader> = {
  'v1|Node': coreReader(toNodeInfo, (into, node, meta) =>
    into.nodes.push({ ...node, name: meta.name, labels: meta.labels }),
  ),
  'v1|Namespace': coreReader(toNamespaceInfo, (into, _namespace, meta) =>
    into.namespaces.push({ name: meta.name, labels: meta.labels }),
  ),
  'v1|Service': coreReader(toServiceInfo, (into, service, meta) =>
    into.services.push({
      ...service,
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations: metallbAnnotations(meta.annotations),
    }),
  ),
  'v1|Secret': coreReader(toSecretInfo, (into, secret, meta) =>
    into.secrets.push({ ...secret, name: meta.name, namespace: meta.namespace }),
  ),
  'discovery.k8s.io/v1|EndpointSlice': coreReader(toEndpointSliceInfo, (into, slice, meta) =>
    into.endpointSlices.push({ ...slice, name: meta.name, namespace: meta.namespace }),
  ),
};

/** metallb.io kinds that validate but that ferry does not act on (served so MetalLB manifests apply). */
const IGNORED_KINDS: Record<string, string> = {
  ServiceBGPStatus: 'status objects are written by ferry, not read from manifests; ignored',
  ServiceL2Status: 'status objects are written by ferry, not read from manifests; ignored',
  ConfigurationState: 'status objects are written by ferry, not read from manifests; ignored',
  BGPSessionState: 'status objects are written by ferry, not read from manifests; ignored',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Collected = MutableResources;

/** Checks metadata as the API server would and fills in the namespace. */
function checkMetadata(
  object: Record<string, unknown>,
  namespaced: boolean,
  defaultNamespace: string,
): { readonly meta: ObjectMeta; readonly problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') {
    problems.push({ field: 'metadata.name', message: 'is required' });
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push({
      field: 'metadata.name',
      message: `${JSON.stringify(name)} is not a valid name: use lowercase letters, digits, '-' and '.', at most 253 characters`,
    });
  }
  let namespace = '';
  if (namespaced) {
    const given = metadata['namespace'];
    if (given === undefined || given === null || given === '') namespace = defaultNamespace;
    else if (typeof given !== 'string' || given.length > 63 || !DNS_LABEL.test(given)) {
      problems.push({
        field: 'metadata.namespace',
        message: `${JSON.stringify(given)} is not a valid namespace name`,
      });
    } else namespace = given;
  }
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [mapName, target] of [
    ['labels', labels],
    ['annotations', annotations],
  ] as const) {
    const raw = metadata[mapName];
    if (raw === undefined || raw === null) continue;
    if (!isRecord(raw)) {
      problems.push({ field: `metadata.${mapName}`, message: 'must be a map of strings' });
      continue;
    }
    for (const [key, value] of Object.entries(raw)) {
      const field = `metadata.${mapName}[${JSON.stringify(key)}]`;
      if (typeof value !== 'string') {
        problems.push({ field, message: 'must be a string' });
        continue;
      }
      const problem = labelKeyProblem(key) ?? (mapName === 'labels' ? labelValueProblem(value) : undefined);
      if (problem !== undefined) problems.push({ field, message: problem });
      else target[key] = value;
    }
  }
  const meta: ObjectMeta = {
    name: typeof name === 'string' ? name : '',
    namespace,
    labels,
    annotations,
    ...(typeof metadata['uid'] === 'string' ? { uid: metadata['uid'] } : {}),
    ...(typeof metadata['resourceVersion'] === 'string'
      ? { resourceVersion: metadata['resourceVersion'] }
      : {}),
    ...(typeof metadata['generation'] === 'number' ? { generation: metadata['generation'] } : {}),
  };
  return { meta, problems };
}

/** One Kubernetes object from anywhere (a YAML document, an API server list or watch). */
export interface SourcedObject {
  /** file name or other origin, shown in messages */
  readonly source: string;
  /** where in the source, e.g. `document 3` */
  readonly position: string;
  readonly object: unknown;
}

/**
 * Reads Kubernetes objects (already parsed from YAML or JSON) into typed resources, with the same
 * checks whatever their origin: metadata, CRD schema with defaults, the core kinds' readers.
 */
export function loadObjects(
  objects: readonly SourcedObject[],
  validator: CrdValidator,
  options: LoadOptions = {},
): LoadResult {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const errors: ManifestError[] = [];
  const warnings: ManifestError[] = [];
  const collected: Collected = emptyResources();

  const addObject = (file: string, position: string, object: unknown): void => {
    if (object === null || object === undefined) return;
    if (!isRecord(object)) {
      errors.push({
        file,
        object: undefined,
        field: '',
        message: `${position} is not a Kubernetes object (a YAML map)`,
      });
      return;
    }
    const apiVersion = object['apiVersion'];
    const kind = object['kind'];
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
      errors.push({ file, object: undefined, field: '', message: `${position} has no apiVersion and kind` });
      return;
    }
    // kubectl accepts a v1 List of objects.
    if (apiVersion === 'v1' && kind === 'List') {
      const items = Array.isArray(object['items']) ? object['items'] : [];
      items.forEach((item: unknown, index) => addObject(file, `${position}, item ${index + 1}`, item));
      return;
    }
    const coreKey = `${apiVersion}|${kind}`;
    const readCore = CORE_KINDS[coreKey];
    const isCrd = validator.serves(apiVersion, kind);
    if (readCore === undefined && !isCrd) {
      const message = validator.knowsKind(kind)
        ? `${kind} is not served in version ${apiVersion}`
        : `kind ${kind} (${apiVersion}) is not one ferry reads; ignored`;
      (validator.knowsKind(kind) ? errors : warnings).push({
        file,
        object: undefined,
        field: 'apiVersion',
        message,
      });
      return;
    }
    const { meta, problems } = checkMetadata(object, !CLUSTER_SCOPED.has(coreKey), defaultNamespace);
    const ref: ObjectRef = { kind, namespace: meta.namespace, name: meta.name || `(${position})` };
    const report = (found: readonly FieldProblem[]): boolean => {
      for (const problem of found)
        errors.push({ file, object: ref, field: problem.field, message: problem.message });
      return found.length === 0;
    };
    if (readCore !== undefined) {
      const parsed = readCore(object, meta);
      if (report([...problems, ...parsed.problems])) parsed.add(collected);
      return;
    }
    const validated = validator.validate(object);
    if (!report([...problems, ...validated.problems])) return;
    const typed = { ...validated.object, metadata: meta };
    switch (kind) {
      case 'IPAddressPool':
        collected.ipAddressPools.push(typed as unknown as IPAddressPoolResource);
        return;
      case 'BGPPeer':
        collected.bgpPeers.push(typed as unknown as BGPPeerResource);
        return;
      case 'BGPAdvertisement':
        collected.bgpAdvertisements.push(typed as unknown as BGPAdvertisementResource);
        return;
      case 'L2Advertisement':
        collected.l2Advertisements.push(typed as unknown as L2AdvertisementResource);
        return;
      case 'BFDProfile':
        collected.bfdProfiles.push(typed as unknown as BFDProfileResource);
        return;
      case 'Community':
        collected.communities.push(typed as unknown as CommunityResource);
        return;
      default:
        warnings.push({
          file,
          object: ref,
          field: '',
          message: IGNORED_KINDS[kind] ?? `kind ${kind} is not one ferry reads; ignored`,
        });
    }
  };

  for (const { source, position, object } of objects) addObject(source, position, object);
  return { resources: collected, errors, warnings };
}

/** Parses every YAML document of every file (in the order given) into typed resources. */
export function loadManifests(
  files: readonly ManifestFile[],
  validator: CrdValidator,
  options: LoadOptions = {},
): LoadResult {
  const objects: SourcedObject[] = [];
  const yamlErrors: ManifestError[] = [];
  for (const file of files) {
    const documents = yaml.parseAllDocuments(file.text, { prettyErrors: true, uniqueKeys: true });
    // parseAllDocuments returns an EmptyStream (not an array) for empty text.
    if (!Array.isArray(documents)) continue;
    documents.forEach((document, index) => {
      const position = `document ${index + 1}`;
      if (document.errors.length > 0) {
        for (const error of document.errors) {
          yamlErrors.push({
            file: file.path,
            object: undefined,
            field: '',
            message: `${position}: invalid YAML: ${error.message}`,
          });
        }
        return;
      }
      objects.push({ source: file.path, position, object: document.toJS({ maxAliasCount: 100 }) });
    });
  }
  const loaded = loadObjects(objects, validator, options);
  return { ...loaded, errors: [...yamlErrors, ...loaded.errors] };
}
