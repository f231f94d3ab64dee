// `ferry render` / `ferry explain` start fast because they load only their own modules: the built CLI
// (dist/, `npm run build` first) runs with a module-resolution hook that names every ES module loaded
// and, at exit, every CommonJS module (Node 20's hooks do not see `require`).
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
const REGISTER = `import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});
const cache = createRequire(process.cwd() + '/').cache;
process.on('exit', () => {
  for (const path of Object.keys(cache)) process.stderr.write(${JSON.stringify(MARK)} + pathToFileURL(path).href + '\\n');
});`;

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
  // the build precompiles the templates and bundles yaml: neither handlebars' compiler (nor its
  // modules one by one) nor yaml's modules are loaded
  '/node_modules/handlebars/dist/cjs/',
  '/node_modules/handlebars/lib/',
  '/node_modules/source-map/',
  '/node_modules/yaml/dist/',
];

const examples = join(packageRoot(), 'deploy', 'examples');

describe('ferry render and ferry explain', () => {
  it.each([['render'], ['explain']])(
    "%s loads neither the Kubernetes client nor the speaker, controller or lab, nor handlebars' compiler or yaml's modules one by one",
    async (subcommand) => {
      const run = await ferryLoading(subcommand, '--manifests', examples, '--node', 'node-21');
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(subcommand === 'render' ? /^router bgp 65100$/m : /^default\/web /m);
      expect(run.loaded).toContainEqual(expect.stringMatching(/\/src\/cli\/render-command\.js$/));
      expect(run.loaded).toContainEqual(expect.stringMatching(/\/src\/util\/yaml\.bundle\.cjs$/));
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
