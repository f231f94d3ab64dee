// Golden scenarios, the test data of src/node-pipeline/goldens.test.ts: one folder per scenario
// under src/node-pipeline/testdata/, YAML manifests in (`input.yaml`), and for every Node in them the
// expected `<node>.frr.conf` and `<node>.explain.txt` out (or `errors.txt` when the input is
// invalid). The test compares; `npm run goldens` rewrites them on purpose (tests never write).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { explainText } from '../../src/announce/index.js';
import { loadManifestDirectory } from '../../src/api/load-directory.js';
import { defaultFrrRenderer } from '../../src/frr/templates.js';
import { packageRoot } from '../../src/util/package-root.js';
import { nodeViewFromManifests } from '../../src/node-pipeline/manifest-view.js';
import { frrConfigForNode } from '../../src/node-pipeline/node-config.js';

export function goldenScenarioDirectory(): string {
  return join(packageRoot(), 'src', 'node-pipeline', 'testdata');
}

export function goldenScenarioNames(): string[] {
  return readdirSync(goldenScenarioDirectory(), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The files a scenario must produce: file name → content. */
export function renderGoldenScenario(name: string): Map<string, string> {
  const directory = join(goldenScenarioDirectory(), name);
  const loaded = loadManifestDirectory(join(directory, 'input.yaml'));
  const nodeNames = loaded.resources.nodes.map((n) => n.name).sort();
  const outputs = new Map<string, string>();
  for (const nodeName of nodeNames.length > 0 ? nodeNames : ['node-1']) {
    const { view, errors } = nodeViewFromManifests(loaded, { namespace: 'metallb-system', nodeName });
    if (view === undefined) {
      outputs.set('errors.txt', errors.map((e) => `${e}\n`).join(''));
      return outputs;
    }
    const rendered = frrConfigForNode(view, defaultFrrRenderer());
    outputs.set(`${nodeName}.frr.conf`, rendered.text);
    outputs.set(`${nodeName}.explain.txt`, explainText(rendered.announce, {}));
  }
  return outputs;
}
