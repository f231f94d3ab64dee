// Rewrites the golden files of src/node-pipeline/testdata from the current code: run on purpose
// (`npm run goldens`), review the diff, commit. Tests never write goldens.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  goldenScenarioDirectory,
  goldenScenarioNames,
  renderGoldenScenario,
} from '../test/support/golden-scenarios.js';

for (const name of goldenScenarioNames()) {
  const directory = join(goldenScenarioDirectory(), name);
  for (const file of readdirSync(directory)) if (file !== 'input.yaml') rmSync(join(directory, file));
  const outputs = renderGoldenScenario(name);
  for (const [file, content] of outputs) writeFileSync(join(directory, file), content);
  console.log(`${name}: ${[...outputs.keys()].join(', ')}`);
}
