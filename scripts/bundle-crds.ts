// Build step: deploy/crds as JSON and as compiled validators beside src/api/crd-documents (see there),
// and the frr.conf templates precompiled beside src/frr/templates, so short commands neither parse the
// CRDs' YAML nor compile their schemas or templates on every start. Run by `npm run build` after tsc.
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

const files = readManifestFiles(CRD_DIRECTORY);
writeCrdBundle(files);
writeCrdValidators(files);
writePrecompiledTemplates(loadFrrTemplates());
process.stdout.write(
  `bundle-crds: wrote ${CRD_BUNDLE_PATH}, ${CRD_VALIDATORS_PATH} and ${PRECOMPILED_TEMPLATES_PATH}\n`,
);
