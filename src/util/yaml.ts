// The yaml library for product code: the build's one-file copy of the installed package (written
// beside this module by scripts/bundle-crds.ts, see scripts/bundle-commonjs.ts) when it is of the
// installed version, else the package itself. Its 72 modules were a quarter of `ferry render`'s
// start; the copy is the same code and loads in a fifth of that time.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Yaml = typeof import('yaml');

const require = createRequire(import.meta.url);

/** Where the build puts the copy: next to this module (dist/src/util in the image). */
export const YAML_BUNDLE_PATH = join(dirname(fileURLToPath(import.meta.url)), 'yaml.bundle.cjs');

/** The bundle at `bundlePath` when it holds the installed yaml's version, else the package. */
export function loadYaml(bundlePath = YAML_BUNDLE_PATH): Yaml {
  const installed = (require('yaml/package.json') as { version: string }).version;
  try {
    const bundle = require(bundlePath) as { version?: unknown; exports?: Yaml };
    if (bundle.version === installed && bundle.exports !== undefined) return bundle.exports;
  } catch {
    // no bundle (sources run by ts-jest) or a damaged one: the package
  }
  return require('yaml') as Yaml;
}

export const yaml: Yaml = loadYaml();
