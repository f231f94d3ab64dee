import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crdDigest, crdDocuments, writeCrdBundle } from './crd-documents.js';

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
