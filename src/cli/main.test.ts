// `ferry render` / `ferry explain` start fast because they load only their own modules: the built CLI
// (dist/, `npm run build` first) runs with a module-resolution hook that names every module loaded.
import { join } from 'node:path';
import { execa } from 'execa';
import { ferryBin } from '../../test/support/ferry-cli.js';
import { packageRoot } from '../util/package-root.js';

const MARK = 'ferry-test-loaded ';

// Runs in the loader's thread: reports each module once, as its resolved URL.
const HOOKS = `const seen = new Set();
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!seen.has(resolved.url)) { seen.add(resolved.url); process.stderr.write(${JSON.stringify(MARK)} + resolved.url + '\\n'); }
  return resolved;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

/** Runs the built `ferry ARGS`; its stdout, exit code and the modules it loaded. */
async function ferryLoading(...args: string[]) {
  const result = await execa(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, ferryBin(), ...args],
    { reject: false, timeout: 60_000 },
  );
  const lines = String(result.stderr).split('\n');
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: lines.filter((line) => !line.startsWith(MARK)).join('\n'),
    loaded: lines.filter((line) => line.startsWith(MARK)).map((line) => line.slice(MARK.length)),
  };
}

// What the speaker, controller and lab need, and the offline views do not.
const NOT_FOR_OFFLINE_VIEWS = [
  '/node_modules/@kubernetes/client-node/',
  '/node_modules/prom-client/',
  '/node_modules/winston/',
  '/node_modules/execa/',
  '/node_modules/chokidar/',
  '/src/k8s/',
  '/src/speaker/',
  '/src/controller/',
  '/src/lab/',
  '/src/metrics/',
  '/src/frr/apply/',
];

const examples = join(packageRoot(), 'deploy', 'examples');

describe('ferry render and ferry explain', () => {
  it.each([['render'], ['explain']])(
    '%s loads neither the Kubernetes client nor the speaker, controller or lab',
    async (subcommand) => {
      const run = await ferryLoading(subcommand, '--manifests', examples, '--node', 'node-21');
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(subcommand === 'render' ? /^router bgp 65100$/m : /^default\/web /m);
      expect(run.loaded).toContainEqual(expect.stringMatching(/\/src\/cli\/render-command\.js$/));
      expect(run.loaded.filter((url) => NOT_FOR_OFFLINE_VIEWS.some((part) => url.includes(part)))).toEqual(
        [],
      );
    },
    60_000,
  );
});

describe('ferry --help', () => {
  it('still lists every subcommand', async () => {
    const run = await ferryLoading('--help');
    expect(run.exitCode).toBe(0);
    for (const subcommand of ['render', 'explain', 'speaker', 'status', 'controller', 'lab'])
      expect(run.stdout).toMatch(new RegExp(`^  ${subcommand} `, 'm'));
  }, 60_000);
});
