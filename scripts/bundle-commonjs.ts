// Build step: a CommonJS package's modules in one file. Loading a module costs Node a resolution, a
// file read and a compilation however small the module is, and yaml is 72 of them (a quarter of
// `ferry render`'s start); the same code in one file loads in a fifth of that time. The sources are
// kept as they are, each in a function taking CommonJS's module, exports and require: only the
// `require('./…')` calls between the package's own files are answered from the bundle, Node's
// built-in modules are required as usual, and anything else refuses to bundle rather than change
// behaviour (a require of another package, or of a computed name, __dirname or __filename, which
// would name the bundle's location instead of the module's).
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

const REQUIRE_CALL = /\brequire\s*\(/g;
const LITERAL_REQUIRE = /^require\s*\(\s*(['"])([^'"\\]+)\1\s*\)/;
const LOCATION = /\b(__dirname|__filename|require\.resolve)\b/;

/** A module's id in the bundle: its path relative to the package's `root`, with `/`. */
function moduleId(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** The module ids (paths relative to `root`) each relative specifier of `source` names. */
function relativeRequires(root: string, file: string, source: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of source.matchAll(REQUIRE_CALL)) {
    const literal = LITERAL_REQUIRE.exec(source.slice(match.index))?.[2];
    if (literal === undefined) throw new Error(`${file}: require of a computed name cannot be bundled`);
    if (isBuiltin(literal)) continue;
    if (!literal.startsWith('./') && !literal.startsWith('../'))
      throw new Error(
        `${file}: require('${literal}') names another package; bundle only self-contained ones`,
      );
    const target = [join(dirname(file), literal), join(dirname(file), `${literal}.js`)].find(
      (candidate) => candidate.endsWith('.js') && existsSync(candidate),
    );
    if (target === undefined) throw new Error(`${file}: require('${literal}') is not a .js file`);
    found.set(literal, moduleId(root, target));
  }
  return found;
}

/**
 * The source of one CommonJS module exporting `{ version, exports }`: the version of the package in
 * `root` (its directory, with package.json), so a loader can tell a bundle of another version, and
 * what `entry` exports, with every module it requires from `root` inside. `header` is written first,
 * as comment lines.
 */
export function bundleCommonJs(root: string, entry: string, header: readonly string[]): string {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const modules = new Map<string, { source: string; requires: Map<string, string> }>();
  const pending = [moduleId(root, entry)];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (modules.has(id)) continue;
    const file = join(root, id);
    const source = readFileSync(file, 'utf8');
    if (LOCATION.test(source)) throw new Error(`${file}: uses its own location; it cannot be bundled`);
    const requires = relativeRequires(root, file, source);
    modules.set(id, { source, requires });
    pending.push(...requires.values());
  }
  const definitions = [...modules].map(
    ([id, { source, requires }]) =>
      `[${JSON.stringify(id)}, ${JSON.stringify(Object.fromEntries(requires))}, function (exports, require, module) {\n${source}\n}]`,
  );
  return [
    ...header.map((line) => `// ${line}`),
    '// [module id, its relative specifiers → module ids, its code]',
    `const definitions = [\n${definitions.join(',\n')}\n];`,
    'const byId = new Map(definitions.map((definition) => [definition[0], definition]));',
    'const loaded = new Map();',
    'function load(id) {',
    '  const cached = loaded.get(id);',
    '  if (cached !== undefined) return cached.exports;',
    '  const [, requires, code] = byId.get(id);',
    '  const module = { exports: {} };',
    '  loaded.set(id, module);',
    '  const localRequire = (specifier) =>',
    '    Object.hasOwn(requires, specifier) ? load(requires[specifier]) : require(specifier);',
    '  code.call(module.exports, module.exports, localRequire, module);',
    '  return module.exports;',
    '}',
    `module.exports = { version: ${JSON.stringify(version)}, exports: load(${JSON.stringify(moduleId(root, entry))}) };`,
    '',
  ].join('\n');
}
