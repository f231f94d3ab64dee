// `npm run e2e:apiserver -- --listen 127.0.0.1:PORT --kubeconfig FILE [--crds DIR]`: runs the test
// API server in the foreground, writes FILE once it listens, stops cleanly on SIGTERM/SIGINT.
import { Command } from 'commander';
import { startApiServer } from './server.js';

const program = new Command()
  .name('e2e-apiserver')
  .description('In-memory Kubernetes API server for ferry tests (test infrastructure, not product)')
  .requiredOption('--listen <host:port>', 'address to listen on, e.g. 127.0.0.1:6443')
  .requiredOption('--kubeconfig <file>', 'where to write the kubeconfig once ready')
  .option('--crds <dir...>', 'directories whose CustomResourceDefinitions are applied at start')
  .option('--plain-http', 'serve plain HTTP instead of HTTPS (kubectl will not send its token)', false)
  .option('--token <token>', 'the admin bearer token (system:masters; random by default)')
  .parse();

const options = program.opts<{
  listen: string;
  kubeconfig: string;
  crds?: string[];
  plainHttp: boolean;
  token?: string;
}>();
const match = /^(.*):(\d+)$/.exec(options.listen);
if (!match) {
  console.error(`--listen: expected host:port, got "${options.listen}"`);
  process.exit(2);
}
const server = await startApiServer({
  host: (match[1] ?? '').replace(/^\[(.*)\]$/, '$1'),
  port: Number(match[2]),
  kubeconfigPath: options.kubeconfig,
  https: !options.plainHttp,
  ...(options.crds ? { crdDirectories: options.crds } : {}),
  ...(options.token ? { token: options.token } : {}),
});
console.log(JSON.stringify({ msg: 'e2e apiserver ready', url: server.url, kubeconfig: options.kubeconfig }));
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
