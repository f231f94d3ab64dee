import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  goldenScenarioDirectory,
  goldenScenarioNames,
  renderGoldenScenario,
} from '../../test/support/golden-scenarios.js';

// A scenario's folder holds exactly input.yaml plus the files it renders; regenerate with `npm run goldens`.
describe.each(goldenScenarioNames())('golden scenario %s', (name) => {
  const directory = join(goldenScenarioDirectory(), name);
  const rendered = renderGoldenScenario(name);

  test('renders exactly the golden files', () => {
    const goldenFiles = readdirSync(directory)
      .filter((file) => file !== 'input.yaml')
      .sort();
    expect([...rendered.keys()].sort()).toEqual(goldenFiles);
  });

  test.each([...rendered.keys()])('%s matches', (file) => {
    const path = join(directory, file);
    expect(existsSync(path)).toBe(true);
    expect(rendered.get(file)).toBe(readFileSync(path, 'utf8'));
  });
});
