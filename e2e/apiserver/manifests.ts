// Reads every object from the YAML/JSON files of a directory (multi-document YAML included).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isPlainObject } from './object.js';

export function readManifests(directory: string): Record<string, unknown>[] {
  const files = readdirSync(directory)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(directory, file), 'utf8'))
      .map((document) => document.toJS() as unknown)
      .filter(isPlainObject),
  );
}
