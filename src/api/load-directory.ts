// The shell around loadManifests: reads every *.yaml / *.yml below a directory (recursively, sorted by
// path so the result does not depend on the file system's order) and ferry's CRDs from deploy/crds.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { crdDocuments, precompiledCrdValidators } from './crd-documents.js';
import { compileCrdValidator, type CrdValidator } from './crd-validator.js';
import { loadManifests, type LoadOptions, type LoadResult, type ManifestFile } from './manifests.js';

function yamlFilesBelow(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...yamlFilesBelow(path));
    else if (/\.ya?ml$/i.test(entry.name)) found.push(path);
  }
  return found;
}

/** The files of a directory (or a single file) as ManifestFiles, sorted by path. */
export function readManifestFiles(path: string): ManifestFile[] {
  const paths = statSync(path).isDirectory() ? yamlFilesBelow(path) : [path];
  return paths
    .sort()
    .map((file) => ({ path: relative(process.cwd(), file) || file, text: readFileSync(file, 'utf8') }));
}

/** The directory of ferry's CRDs in the package. */
export const CRD_DIRECTORY = join(packageRoot(), 'deploy', 'crds');

/** The parsed documents of ferry's CRDs (from the build's JSON bundle when it matches the files). */
export function readCrdDocuments(directory = CRD_DIRECTORY): unknown[] {
  return crdDocuments(readManifestFiles(directory));
}

let cachedValidator: CrdValidator | undefined;

/**
 * The validator for ferry's own CRDs; throws if deploy/crds is broken (a packaging bug). Each kind's
 * schema is compiled when first used: manifests.test.ts compiles them all.
 */
export function ferryCrdValidator(): CrdValidator {
  if (cachedValidator !== undefined) return cachedValidator;
  const files = readManifestFiles(CRD_DIRECTORY);
  const precompiled = precompiledCrdValidators(files);
  const { validator, problems } = compileCrdValidator(crdDocuments(files), {
    compile: 'on-first-use',
    ...(precompiled === undefined ? {} : { precompiled }),
  });
  if (problems.length > 0) throw new Error(`deploy/crds is invalid: ${problems.join('; ')}`);
  cachedValidator = validator;
  return validator;
}

/** Reads and validates every manifest below `path` (a directory or one file). */
export function loadManifestDirectory(path: string, options: LoadOptions = {}): LoadResult {
  return loadManifests(readManifestFiles(path), ferryCrdValidator(), options);
}
