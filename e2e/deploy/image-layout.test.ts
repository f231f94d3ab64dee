// The image's runtime layout without Docker: scripts/check-image-layout.sh performs the Dockerfile's
// final-stage copies (and `npm ci --omit=dev`) into a temporary directory and runs `ferry --version`
// and `ferry render --manifests deploy/examples --node node-21` from there. Needs `npm run build`.
import { join } from 'node:path';
import { execa } from 'execa';
import { repository } from './manifests.js';

test('ferry runs from the image layout: --version and render node-21', async () => {
  const result = await execa(join(repository, 'scripts', 'check-image-layout.sh'), [], {
    reject: false,
    timeout: 110_000,
  });
  if (result.stderr) console.warn(result.stderr);
  expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({
    exitCode: 0,
    stdout: expect.stringMatching(/^image layout ok: ferry \d+\.\d+\.\d+, render node-21 \d+ lines/),
  });
}, 120_000);
