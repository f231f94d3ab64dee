// Test-only access to the FRR 8.4.4 captures in this directory (raw vtysh stdout).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const directory = dirname(fileURLToPath(import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(join(directory, name), 'utf8');
}

export function fixture(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

export function fixtureNames(pattern: RegExp): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json') && pattern.test(name))
    .sort();
}
