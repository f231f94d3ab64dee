// The directory holding ferry's package.json, found by walking up from this module. Works both from
// compiled output (dist/src/util) and from sources run by ts-jest (src/util), and in the container
// image, where templates/ and deploy/ ship beside dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'ferry'
    ) {
      cached = directory;
      return directory;
    }
    const parent = dirname(directory);
    if (parent === directory)
      throw new Error('cannot find the ferry package root (package.json with name "ferry")');
    directory = parent;
  }
}
