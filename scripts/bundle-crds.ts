// Build step: deploy/crds as JSON and as compiled validators beside src/api/crd-documents (see there),
// so short commands neither parse the CRDs' YAML nor compile their schemas on every start. Run by `npm run build` after tsc.
import {
  CRD_BUNDLE_PATH,
  CRD_VALIDATORS_PATH,
  writeCrdBundle,
  writeCrdValidators,
} from '../src/api/crd-documents.js';
import { CRD_DIRECTORY, readManifestFiles } from '../src/api/load-directory.js';

const files = readManifestFiles(CRD_DIRECTORY);
writeCrdBundle(files);
writeCrdValidators(files);
process.stdout.write(`bundle-crds: wrote ${CRD_BUNDLE_PATH} and ${CRD_VALIDATORS_PATH}\n`);
