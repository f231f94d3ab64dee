import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from '../src/util/package-root.js';
import { bundleCommonJs } from './bundle-commonjs.js';

const require = createRequire(import.meta.url);

type Yaml = typeof import('yaml');

/** What ferry reads from a YAML text: each document's value and error messages. */
function documents(library: Yaml, text: string): unknown[] {
  return Array.from(library.parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true }), (d) => ({
    value: d.toJS() as unknown,
    errors: d.errors.map((error) => error.message),
  }));
}

/** A directory with `files` (path → text), removed after `use`. */
function withPackage<T>(files: Record<string, string>, use: (root: string) => T): T {
  const root = mkdtempSync(join(tmpdir(), 'bundle-commonjs-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return use(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Writes the bundle of `root`'s `entry` into `root` and requires it. */
function requireBundle(root: string, entry: string): { version: string; exports: unknown } {
  const path = join(root, 'bundle.cjs');
  writeFileSync(path, bundleCommonJs(root, join(root, entry), ['test bundle']));
  return require(path) as { version: string; exports: unknown };
}

describe('bundleCommonJs', () => {
  it('exports what the entry exports, with cycles, built-ins, `this` and module.exports as in Node', () => {
    const files = {
      'package.json': '{"name":"p","version":"1.2.3"}',
      'lib/index.js': [
        "'use strict';",
        "const a = require('./a.js');",
        "const { sep } = require('node:path');",
        'exports.fromA = a.value;',
        'exports.bSawA = a.bSawA;',
        'exports.sep = sep;',
        'exports.thisIsExports = this === exports;',
      ].join('\n'),
      // a requires b, which requires a back while a is still loading: b sees a's exports so far
      'lib/a.js': [
        "exports.early = 'early';",
        "const b = require('./sub/b.js');",
        'exports.bSawA = b.sawA;',
        'exports.value = b.value + 1;',
      ].join('\n'),
      'lib/sub/b.js': [
        "const a = require('../a.js');",
        'module.exports = { sawA: Object.keys(a).join(","), value: 41 };',
      ].join('\n'),
    };
    withPackage(files, (root) => {
      const bundle = requireBundle(root, 'lib/index.js');
      expect(bundle.version).toBe('1.2.3');
      expect(bundle.exports).toEqual(require(join(root, 'lib/index.js')));
      expect(bundle.exports).toEqual({ fromA: 42, bSawA: 'early', sep: '/', thisIsExports: true });
    });
  });

  it.each([
    ["require('other-package')", /names another package/],
    ['require(name)', /computed name/],
    ['module.exports = __dirname', /its own location/],
    ["require('./missing.js')", /not a \.js file/],
  ])('refuses a module doing %s', (code, error) => {
    withPackage({ 'package.json': '{"version":"1.0.0"}', 'index.js': code }, (root) => {
      expect(() => bundleCommonJs(root, join(root, 'index.js'), [])).toThrow(error);
    });
  });

  it('bundles the installed yaml: the same documents and errors for every YAML file of deploy/', () => {
    const yamlRoot = dirname(require.resolve('yaml/package.json'));
    const directory = mkdtempSync(join(tmpdir(), 'bundle-yaml-'));
    try {
      const path = join(directory, 'yaml.bundle.cjs');
      writeFileSync(path, bundleCommonJs(yamlRoot, require.resolve('yaml'), []));
      const bundle = require(path) as { version: string; exports: Yaml };
      expect(bundle.version).toBe((require('yaml/package.json') as { version: string }).version);
      const deploy = join(packageRoot(), 'deploy');
      const texts = readdirSync(deploy, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.yaml'))
        .map((file) => readFileSync(join(deploy, file), 'utf8'));
      expect(texts.length).toBeGreaterThan(10);
      for (const text of [...texts, 'a: 1\na: 2\n', 'key: [unclosed\n', '']) {
        expect(documents(bundle.exports, text)).toEqual(documents(require('yaml') as Yaml, text));
      }
      expect(bundle.exports.stringify({ a: [1, 'x: y'] })).toBe('a:\n  - 1\n  - "x: y"\n');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
