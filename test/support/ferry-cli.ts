// Runs the built `ferry` CLI (dist/) the way users do. The test command builds before running jest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../src/util/package-root.js';

export function ferryBin(): string {
  const bin = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  return bin;
}

/** Runs `ferry ARGS` to completion, behind an optional argv prefix (e.g. a namespace wrapper). */
export async function runFerry(args: readonly string[], prefix: readonly string[] = []) {
  const [file, ...rest] = [...prefix, process.execPath, ferryBin(), ...args];
  return execa(file ?? '', rest, { reject: false, timeout: 60_000 });
}

/** Starts a long-running `ferry ARGS` (speaker, controller); stop it with `.kill()`. */
export function startFerry(args: readonly string[], prefix: readonly string[] = []): ResultPromise {
  const [file, ...rest] = [...prefix, process.execPath, ferryBin(), ...args];
  return execa(file ?? '', rest, { reject: false, buffer: true, all: true });
}
