// Build step: deploy/crds as JSON beside src/api/crd-documents (see there), so short commands do not
// parse the CRDs' YAML on every start. Run by `npm run build` after tsc.
import { CRD_BUNDLE_PATH, writeCrdBundle } from '../src/api/crd-documents.js';
import { CRD_DIRECTORY, readManifestFiles } from '../src/api/load-directory.js';

writeCrdBundle(readManifestFiles(CRD_DIRECTORY));
process.stdout.write(`bundle-crds: wrote ${CRD_BUNDLE_PATH}\n`);
