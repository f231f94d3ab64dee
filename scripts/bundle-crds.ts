// Build step: deploy/crds as JSON and as compiled validators beside src/api/crd-documents (see there),
// the frr.conf templates precompiled beside src/frr/templates, and the yaml library in one file beside
// src/util/yaml, so short commands neither parse the CRDs' YAML nor compile their schemas or templates,
// nor load yaml's modules one by one, on every start. Run by `npm run build` after tsc.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  CRD_BUNDLE_PATH,
  CRD_VALIDATORS_PATH,
  writeCrdBundle,
  writeCrdValidators,
} from '../src/api/crd-documents.js';
import { CRD_DIRECTORY, readManifestFiles } from '../src/api/load-directory.js';
import {
  loadFrrTemplates,
  PRECOMPILED_TEMPLATES_PATH,
  writePrecompiledTemplates,
} from '../src/frr/templates.js';
import { YAML_BUNDLE_PATH } from '../src/util/yaml.js';
import { bundleCommonJs } from './bundle-commonjs.js';

const files = readManifestFiles(CRD_DIRECTORY);
writeCrdBundle(files);
writeCrdValidators(files);
writePrecompiledTemplates(loadFrrTemplates());
const require = createRequire(import.meta.url);
writeFileSync(
  YAML_BUNDLE_PATH,
  bundleCommonJs(dirname(require.resolve('yaml/package.json')), require.resolve('yaml'), [
    "The yaml package's CommonJS modules in one file (ISC license: node_modules/yaml/LICENSE).",
    'Written by scripts/bundle-crds.ts; src/util/yaml.ts loads it.',
  ]),
);
process.stdout.write(
  `bundle-crds: wrote ${CRD_BUNDLE_PATH}, ${CRD_VALIDATORS_PATH}, ${PRECOMPILED_TEMPLATES_PATH} and ${YAML_BUNDLE_PATH}\n`,
);
