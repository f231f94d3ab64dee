import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYaml } from './yaml.js';

const require = createRequire(import.meta.url);
const installed = (require('yaml/package.json') as { version: string }).version;

describe('loadYaml', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-yaml-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** A file holding `text`, as the bundle to load. */
  function bundle(name: string, text: string): string {
    const path = join(directory, name);
    writeFileSync(path, text);
    return path;
  }

  it("takes the build's bundle when it holds the installed version", () => {
    const path = bundle(
      'current.cjs',
      `module.exports = { version: ${JSON.stringify(installed)}, exports: { bundled: true } };`,
    );
    expect(loadYaml(path)).toEqual({ bundled: true });
  });

  it.each([
    ['of another version', `module.exports = { version: "0.0.1", exports: { bundled: true } };`],
    ['damaged', 'module.exports = {'],
  ])('takes the package when the bundle is %s, or missing', (name, text) => {
    const path = bundle(`${name.replaceAll(' ', '-')}.cjs`, text);
    expect(loadYaml(path)).toBe(require('yaml'));
    expect(loadYaml(join(directory, 'missing.cjs'))).toBe(require('yaml'));
  });
});
