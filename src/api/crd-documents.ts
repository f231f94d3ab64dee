// ferry's CRDs (deploy/crds) as parsed documents and compiled validators. Parsing their ~55 KB of YAML
// and compiling their schemas with ajv were most of a short command's start (`ferry render`), so the
// build (scripts/bundle-crds.ts) writes both beside this module: the documents as JSON
// (`crd-documents.json`) and ajv's standalone code of every served version (`crd-validators.cjs`),
// each with a digest of the YAML it came from. The YAML is still read on every start (a few ms): the
// bundle is used only when its digest matches, so an edited CRD never meets a stale bundle; without a
// match (sources run by ts-jest, or edited files) the YAML is parsed and compiled as before.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { yaml } from '../util/yaml.js';
import type { ValidateFunction } from 'ajv';
import { crdAjv, crdSchemas } from './crd-validator.js';
import type { ManifestFile } from './manifests.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Where the build puts the bundle: next to this module (dist/src/api in the image). */
export const CRD_BUNDLE_PATH = join(HERE, 'crd-documents.json');
/** ajv's standalone code for the same documents, a CommonJS module (ajv generates `require`s). */
export const CRD_VALIDATORS_PATH = join(HERE, 'crd-validators.cjs');

interface CrdBundle {
  /** sha256 of the YAML files the documents came from (names and contents) */
  readonly digest: string;
  readonly documents: readonly unknown[];
}

/** Changes with any file's name or content, or a file added or removed. */
export function crdDigest(files: readonly ManifestFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${basename(file.path)}\0${file.text}\0`);
  return hash.digest('hex');
}

function parseYaml(files: readonly ManifestFile[]): unknown[] {
  return files.flatMap((file) =>
    yaml
      .parseAllDocuments(file.text)
      .flatMap((document) => ('toJS' in document ? [document.toJS() as unknown] : [])),
  );
}

/** The documents of `files` (sorted CRD YAML files): from the bundle when it was built from them. */
export function crdDocuments(files: readonly ManifestFile[], bundlePath = CRD_BUNDLE_PATH): unknown[] {
  if (existsSync(bundlePath)) {
    try {
      const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as CrdBundle;
      if (bundle.digest === crdDigest(files) && Array.isArray(bundle.documents)) return [...bundle.documents];
    } catch {
      // a damaged bundle is no bundle: parse the YAML
    }
  }
  return parseYaml(files);
}

/** Writes the bundle for `files` (the build's step). */
export function writeCrdBundle(files: readonly ManifestFile[], bundlePath = CRD_BUNDLE_PATH): void {
  const bundle: CrdBundle = { digest: crdDigest(files), documents: parseYaml(files) };
  writeFileSync(bundlePath, JSON.stringify(bundle));
}

/**
 * Writes ajv's standalone code validating every served version of the CRDs in `files`, exported by
 * `group/version|kind`, with `digest` (the build's step).
 */
export function writeCrdValidators(
  files: readonly ManifestFile[],
  validatorsPath = CRD_VALIDATORS_PATH,
): void {
  const { schemas, problems } = crdSchemas(parseYaml(files));
  if (problems.length > 0) throw new Error(`deploy/crds is invalid: ${problems.join('; ')}`);
  const ajv = crdAjv({ source: true });
  const exports: Record<string, string> = {};
  schemas.forEach((schema, index) => {
    ajv.addSchema(schema.closed(), `crd${index}`);
    exports[schema.key] = `crd${index}`;
  });
  const standalone = createRequire(import.meta.url)('ajv/dist/standalone') as {
    default: (ajv: unknown, refs: Record<string, string>) => string;
  };
  const code = standalone.default(ajv, exports);
  writeFileSync(validatorsPath, `${code}\nexports.digest = ${JSON.stringify(crdDigest(files))};\n`);
}

/** The build's compiled validators when they were built from `files`, by `group/version|kind`. */
export function precompiledCrdValidators(
  files: readonly ManifestFile[],
  validatorsPath = CRD_VALIDATORS_PATH,
): Readonly<Record<string, ValidateFunction>> | undefined {
  if (!existsSync(validatorsPath)) return undefined;
  try {
    const loaded = createRequire(import.meta.url)(validatorsPath) as Record<string, unknown>;
    if (loaded['digest'] !== crdDigest(files)) return undefined;
    const validators: Record<string, ValidateFunction> = {};
    for (const [key, value] of Object.entries(loaded))
      if (typeof value === 'function') validators[key] = value as ValidateFunction;
    return validators;
  } catch {
    // a damaged module is no module: compile the schemas
    return undefined;
  }
}
