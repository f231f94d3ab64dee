// Reads the frr.conf templates shipped in the package's `templates/` directory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { createFrrRenderer, type FrrRenderer, type FrrTemplateSources } from './render.js';

export function loadFrrTemplates(directory = join(packageRoot(), 'templates')): FrrTemplateSources {
  const partialsDirectory = join(directory, 'partials');
  const partials: Record<string, string> = {};
  for (const file of readdirSync(partialsDirectory).sort()) {
    if (file.endsWith('.hbs'))
      partials[file.slice(0, -'.hbs'.length)] = readFileSync(join(partialsDirectory, file), 'utf8');
  }
  return { main: readFileSync(join(directory, 'frr.conf.hbs'), 'utf8'), partials };
}

let cached: FrrRenderer | undefined;

/** The renderer over the shipped templates, compiled once per process. */
export function defaultFrrRenderer(): FrrRenderer {
  cached ??= createFrrRenderer(loadFrrTemplates());
  return cached;
}
