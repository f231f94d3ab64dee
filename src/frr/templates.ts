// Reads the frr.conf templates shipped in the package's `templates/` directory, and the build's
// precompiled versions of them (`templates.precompiled.cjs` beside this module, written by
// scripts/bundle-crds.ts; keyed by source and options, so an edited template is compiled as before).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../util/package-root.js';
import {
  createFrrRenderer,
  MAIN_OPTIONS,
  PARTIAL_OPTIONS,
  templateKey,
  type FrrRenderer,
  type FrrTemplateSources,
  type PrecompiledTemplates,
} from './render.js';

export const PRECOMPILED_TEMPLATES_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  'templates.precompiled.cjs',
);

export function loadFrrTemplates(directory = join(packageRoot(), 'templates')): FrrTemplateSources {
  const partialsDirectory = join(directory, 'partials');
  const partials: Record<string, string> = {};
  for (const file of readdirSync(partialsDirectory).sort()) {
    if (file.endsWith('.hbs'))
      partials[file.slice(0, -'.hbs'.length)] = readFileSync(join(partialsDirectory, file), 'utf8');
  }
  return { main: readFileSync(join(directory, 'frr.conf.hbs'), 'utf8'), partials };
}

/** The build's step: every template precompiled, as a CommonJS module of specs by `templateKey`. */
export function writePrecompiledTemplates(
  sources: FrrTemplateSources,
  path = PRECOMPILED_TEMPLATES_PATH,
): void {
  const handlebars = createRequire(import.meta.url)('handlebars') as typeof import('handlebars');
  const entries = [
    ...Object.values(sources.partials).map((source) => [source, PARTIAL_OPTIONS] as const),
    [sources.main, MAIN_OPTIONS] as const,
  ].map(
    ([source, options]) =>
      `${JSON.stringify(templateKey(source, options))}: ${String(handlebars.precompile(source, { ...options }))}`,
  );
  writeFileSync(path, `"use strict";\nmodule.exports = {\n${entries.join(',\n')}\n};\n`);
}

/** The build's precompiled templates, or none. */
export function loadPrecompiledTemplates(path = PRECOMPILED_TEMPLATES_PATH): PrecompiledTemplates {
  if (!existsSync(path)) return {};
  try {
    return createRequire(import.meta.url)(path) as PrecompiledTemplates;
  } catch {
    return {};
  }
}

let cached: FrrRenderer | undefined;

/** The renderer over the shipped templates, compiled once per process. */
export function defaultFrrRenderer(): FrrRenderer {
  cached ??= createFrrRenderer(loadFrrTemplates(), loadPrecompiledTemplates());
  return cached;
}
