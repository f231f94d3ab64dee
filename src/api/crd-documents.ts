// ferry's CRDs (deploy/crds) as parsed documents. Parsing their ~55 KB of YAML was the largest part of
// a short command's start (`ferry render`: ~40 % of its CPU), so the build also writes them as JSON
// beside this module (`crd-documents.json`, by scripts/bundle-crds.ts) with a digest of the YAML it
// came from. The YAML is still read on every start (a few ms): the JSON is used only when its digest
// matches, so an edited CRD never meets a stale bundle; without a match (sources run by ts-jest, or
// edited files) the YAML is parsed as before.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { ManifestFile } from './manifests.js';

/** Where the build puts the bundle: next to this module (dist/src/api in the image). */
export const CRD_BUNDLE_PATH = join(dirname(fileURLToPath(import.meta.url)), 'crd-documents.json');

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
    parseAllDocuments(file.text).flatMap((document) =>
      'toJS' in document ? [document.toJS() as unknown] : [],
    ),
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
