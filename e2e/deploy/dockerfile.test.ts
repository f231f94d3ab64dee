// The Dockerfile cannot be built here (no Docker engine). This checks what can be checked without
// building: the lint rules of dockerfile-lint.ts, the runtime stage's contents and entrypoint, the
// FRR series shared with deploy/speaker.yaml, and that .dockerignore lets through what is copied.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instructions, lintDockerfile } from './dockerfile-lint.js';
import { deployDirectory, repository } from './manifests.js';

const dockerfile = readFileSync(join(repository, 'Dockerfile'), 'utf8');
const all = instructions(dockerfile);
const finalStage = all.slice(all.map((i) => i.keyword).lastIndexOf('FROM'));

test('the Dockerfile passes the lint rules', () => {
  expect(lintDockerfile(dockerfile)).toEqual([]);
});

test.each([
  ['FROM node\nUSER 1000\n', 'DL3006'],
  ['FROM node:latest\nUSER 1000\n', 'DL3007'],
  [
    'FROM node:24\nRUN apt-get install -y --no-install-recommends frr && rm -rf /var/lib/apt/lists/*\nUSER 1\n',
    'DL3008',
  ],
  [
    'FROM node:24\nRUN apt-get update && apt-get install -y frr=8.4.* && rm -rf /var/lib/apt/lists/*\nUSER 1\n',
    'DL3015',
  ],
  ['FROM node:24\nRUN apt-get install -y --no-install-recommends frr=8.4.*\nUSER 1\n', 'DL3009'],
  ['FROM node:24\nADD https://example.com/x.tgz /x\nUSER 1\n', 'DL3020'],
  ['FROM node:24\nRUN curl -s x | sh\nUSER 1\n', 'DL4006'],
  ['FROM node:24\n', 'DL3002'],
  ['FROM node:24\nUSER root\n', 'DL3002'],
])('the lint finds %j (%s)', (text, rule) => {
  expect(lintDockerfile(text).map((f) => f.rule)).toContain(rule);
});

test('the runtime stage: production dependencies, dist, templates, CRDs, package.json; ferry as entrypoint', () => {
  const copies = finalStage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  expect(copies).toEqual(
    expect.arrayContaining([
      '--from=deps /app/node_modules /app/node_modules',
      '--from=build /src/dist/src /app/dist/src',
      '--from=build /src/templates /app/templates',
      '--from=build /src/deploy/crds /app/deploy/crds',
      '--from=build /src/package.json /app/package.json',
    ]),
  );
  expect(dockerfile).toMatch(/npm ci --omit=dev/);
  expect(finalStage.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe(
    '["node", "/app/dist/src/cli/main.js"]',
  );
  expect(finalStage.filter((i) => i.keyword === 'USER').pop()?.args).toBe('ferry');
  const base = /^ARG NODE_IMAGE=node:(\d+)\.\d+\.\d+-bookworm-slim$/m.exec(dockerfile);
  expect(base?.[1]).toBe('24');
});

test('vtysh and frr-reload.py come from the FRR series the speaker pod runs', () => {
  const pinned = /'frr=(\d+\.\d+)\.\*'/.exec(dockerfile)?.[1];
  expect(dockerfile).toMatch(/'frr-pythontools=\d+\.\d+\.\*'/);
  const speaker = readFileSync(join(deployDirectory, 'speaker.yaml'), 'utf8');
  const images = [...speaker.matchAll(/image: quay\.io\/frrouting\/frr:(\d+\.\d+)\.\d+/g)].map((m) => m[1]);
  expect(images.length).toBeGreaterThan(0);
  expect(new Set(images)).toEqual(new Set([pinned]));
});

test('the image users match the ids deploy/speaker.yaml runs the ferry container with', () => {
  const speaker = readFileSync(join(deployDirectory, 'speaker.yaml'), 'utf8');
  // uid 0 (Layer 2's packet socket needs NET_RAW, granted only to uid 0) with the frr group; the
  // image's own user (uid 100) is what a BGP-only cluster may set instead
  expect(speaker).toMatch(/runAsUser: 0\n\s+runAsGroup: 101/);
  expect(speaker).toMatch(/may set runAsUser: 100/);
  expect(speaker).toMatch(/supplementalGroups: \[102\]/);
  expect(dockerfile).toMatch(/groupadd --system --gid 101 frr\b/);
  expect(dockerfile).toMatch(/groupadd --system --gid 102 frrvty\b/);
  expect(dockerfile).toMatch(/useradd --system --uid 100 --gid frr --groups frrvty/);
});

test('.dockerignore lets through every path the build stages copy from the context', () => {
  const ignore = readFileSync(join(repository, '.dockerignore'), 'utf8');
  const allowed = [...ignore.matchAll(/^!(\S+)$/gm)].map((m) => (m[1] ?? '').replace(/\/\*\*$/, ''));
  const fromContext = all
    .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
    .map((path) => path.replace(/^\.\//, ''));
  expect(fromContext.filter((path) => !allowed.includes(path))).toEqual([]);
});
