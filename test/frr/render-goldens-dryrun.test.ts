// Every golden frr.conf must be accepted by FRR's own parser (`vtysh -C -f`, no daemons needed).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVtysh } from '../../src/frr/vtysh.js';
import { goldenScenarioDirectory, goldenScenarioNames } from '../support/golden-scenarios.js';

const goldens = goldenScenarioNames().flatMap((scenario) =>
  readdirSync(join(goldenScenarioDirectory(), scenario))
    .filter((file) => file.endsWith('.frr.conf'))
    .map((file) => ({ name: `${scenario}/${file}`, path: join(goldenScenarioDirectory(), scenario, file) })),
);

test('there are golden configs to check', () => {
  expect(goldens.length).toBeGreaterThan(15);
});

test.each(goldens)('FRR accepts $name', async ({ path }) => {
  const result = await createVtysh().dryRun(readFileSync(path, 'utf8'));
  expect(result.ok ? 'accepted' : `${result.error.message} (line ${result.error.line})`).toBe('accepted');
});

test('FRR rejects a config with a broken line, so this check can fail', async () => {
  const result = await createVtysh().dryRun('router bgp 65100\n neighbor 192.0.2.1 remote-as abc\nexit\n');
  expect(result.ok).toBe(false);
});
