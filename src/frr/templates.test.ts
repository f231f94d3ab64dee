import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifestDirectory } from '../api/load-directory.js';
import { frrConfigForNode } from '../node-pipeline/node-config.js';
import { nodeViewFromManifests } from '../node-pipeline/manifest-view.js';
import { packageRoot } from '../util/package-root.js';
import { createFrrRenderer, MAIN_OPTIONS, PARTIAL_OPTIONS, templateKey } from './render.js';
import { loadFrrTemplates, loadPrecompiledTemplates, writePrecompiledTemplates } from './templates.js';

test("the build's precompiled templates render what compiling the sources renders, for those sources only", () => {
  const sources = loadFrrTemplates();
  // inside the package: the module is loaded with require, like the build's copy in dist/
  const directory = mkdtempSync(join(packageRoot(), '.templates-test-'));
  try {
    const path = join(directory, 'templates.precompiled.cjs');
    writePrecompiledTemplates(sources, path);
    const precompiled = loadPrecompiledTemplates(path);
    // every template is found under the key the renderer looks up, so none is compiled at start
    expect(Object.keys(precompiled).sort()).toEqual(
      [
        ...Object.values(sources.partials).map((source) => templateKey(source, PARTIAL_OPTIONS)),
        templateKey(sources.main, MAIN_OPTIONS),
      ].sort(),
    );
    const loaded = nodeViewFromManifests(loadManifestDirectory(join(packageRoot(), 'deploy', 'examples')), {
      namespace: 'metallb-system',
      nodeName: 'node-21',
      ignoreExcludeLB: false,
      lbClass: '',
    });
    if (loaded.view === undefined) throw new Error(loaded.errors.join('; '));
    const fromBuild = frrConfigForNode(loaded.view, createFrrRenderer(sources, precompiled)).text;
    expect(fromBuild).toBe(frrConfigForNode(loaded.view, createFrrRenderer(sources)).text);
    expect(fromBuild).toMatch(/router bgp 65100/);
    // an edited template is compiled from its source, not taken from the build
    const edited = { ...sources, main: `! edited\n${sources.main}` };
    expect(frrConfigForNode(loaded.view, createFrrRenderer(edited, precompiled)).text).toMatch(/^! edited/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
