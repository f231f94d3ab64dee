import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  crdDigest,
  crdDocuments,
  precompiledCrdValidators,
  writeCrdBundle,
  writeCrdValidators,
} from './crd-documents.js';
import { compileCrdValidator } from './crd-validator.js';
import { CRD_DIRECTORY, readManifestFiles } from './load-directory.js';
import { packageRoot } from '../util/package-root.js';

const crd = (kind: string) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  spec: { names: { kind } },
});
const file = (kind: string) => ({
  path: 'deploy/crds/a.yaml',
  text: `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {names: {kind: ${kind}}}\n`,
});

test('the build writes the parsed documents with the digest of their YAML', () => {
  const bundle = join(mkdtempSync(join(tmpdir(), 'ferry-crds-')), 'crd-documents.json');
  writeCrdBundle([file('A')], bundle);
  expect(JSON.parse(readFileSync(bundle, 'utf8'))).toEqual({
    digest: crdDigest([file('A')]),
    documents: [crd('A')],
  });
});

test('the bundle is read only for the YAML it was built from; edited YAML is parsed', () => {
  const bundle = join(mkdtempSync(join(tmpdir(), 'ferry-crds-')), 'crd-documents.json');
  // documents that differ from the YAML show which of the two was read
  writeFileSync(bundle, JSON.stringify({ digest: crdDigest([file('A')]), documents: [crd('FromBundle')] }));
  expect(crdDocuments([file('A')], bundle)).toEqual([crd('FromBundle')]);
  expect(crdDocuments([file('B')], bundle)).toEqual([crd('B')]);
  expect(crdDocuments([{ ...file('A'), path: 'deploy/crds/renamed.yaml' }], bundle)).toEqual([crd('A')]);
  writeFileSync(bundle, '{"digest": ');
  expect(crdDocuments([file('A')], bundle)).toEqual([crd('A')]);
});

test("the build's standalone validators find what compiling the schemas finds, for these CRDs only", () => {
  const files = readManifestFiles(CRD_DIRECTORY);
  // inside the package: the generated code requires ajv's runtime helpers from node_modules
  const directory = mkdtempSync(join(packageRoot(), '.crd-validators-test-'));
  try {
    const path = join(directory, 'crd-validators.cjs');
    writeCrdValidators(files, path);
    const precompiled = precompiledCrdValidators(files, path);
    expect(Object.keys(precompiled ?? {})).toContain('metallb.io/v1beta2|BGPPeer');
    const documents = crdDocuments(files);
    const fromBuild = compileCrdValidator(documents, { precompiled: precompiled ?? {} }).validator;
    const compiled = compileCrdValidator(documents).validator;
    const objects = [
      {
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: { name: 'tor', namespace: 'metallb-system' },
        spec: { myASN: 'x', peerAddress: '192.0.2.1', holdTme: '9s', peerPort: 70000 },
      },
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'pool', namespace: 'metallb-system' },
        spec: { addresses: ['203.0.113.0/24'] },
      },
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: { name: 'adv', namespace: 'metallb-system' },
        spec: { localPref: -1, communities: 7 },
      },
    ];
    for (const object of objects) expect(fromBuild.validate(object)).toEqual(compiled.validate(object));
    expect(fromBuild.validate(objects[0]!).problems).not.toEqual([]);
    // defaults applied the same way
    expect(fromBuild.validate(objects[1]!).object).toEqual(compiled.validate(objects[1]!).object);
    // edited CRDs: the module is not used
    expect(precompiledCrdValidators([{ path: 'x.yaml', text: '' }], path)).toBeUndefined();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
