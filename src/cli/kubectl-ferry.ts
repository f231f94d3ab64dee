#!/usr/bin/env node
// `kubectl ferry`: the kubectl plugin (kubectl runs `kubectl-ferry` from PATH). It lists the live
// objects once with the caller's credentials (read access only) and answers with the pure joins of
// src/diagnose: why a Service is pending, who announces it, whether the speakers agree; the
// cluster's sessions and pools; and the offline `render`/`explain --node` fed from the cluster.
//
// Exit codes: 0 all is well; 1 the question could not be answered (unreachable cluster, unknown
// Service, bad flags); 2 answered, and something is wrong (pending, not announced, a disagreement,
// a session down, an invalid configuration).
import { Command, Option } from 'commander';
import { yaml } from '../util/yaml.js';
import { explainText as offlineExplainText } from '../announce/index.js';
import { ferryCrdValidator } from '../api/load-directory.js';
import { clusterStatus, clusterStatusText } from '../diagnose/cluster-status.js';
import { explainText } from '../diagnose/explain-text.js';
import { nodeViewOf } from '../diagnose/node-announcements.js';
import { diagnoseService, pendingServices, type ServiceDiagnosis } from '../diagnose/service-diagnosis.js';
import { snapshotOf, type ClusterSnapshot } from '../diagnose/snapshot.js';
import { ansiColour, noColour, type Paint } from '../diagnose/table.js';
import { defaultFrrRenderer } from '../frr/templates.js';
import { frrConfigForNode, nodeNamed } from '../node-pipeline/node-config.js';
import { connect, readCluster } from './kubectl-ferry/read-cluster.js';

const EXIT_ERROR = 1;
const EXIT_PROBLEM = 2;
const OUTPUTS = ['table', 'wide', 'json', 'yaml'] as const;
type Output = (typeof OUTPUTS)[number];

interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  output: Output;
  ferryNamespace: string;
  lbClass: string;
  ignoreExcludeLb?: boolean;
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org: any non-empty value). */
function paintFor(output: Output): Paint {
  const noColor = (process.env['NO_COLOR'] ?? '') !== '';
  return process.stdout.isTTY === true && !noColor && (output === 'table' || output === 'wide')
    ? ansiColour
    : noColour;
}

async function snapshot(flags: GlobalFlags): Promise<{ snapshot: ClusterSnapshot; namespace: string }> {
  const connection = connect(flags);
  if ('error' in connection) throw new Error(connection.error);
  const read = await readCluster(connection.client, flags.ferryNamespace);
  for (const warning of read.warnings) process.stderr.write(`warning: ${warning}\n`);
  return {
    snapshot: snapshotOf(read.objects, ferryCrdValidator(), {
      namespace: flags.ferryNamespace,
      now: new Date(),
    }),
    namespace: flags.namespace ?? connection.contextNamespace,
  };
}

function serialize(value: unknown, output: Output): string {
  return output === 'yaml' ? yaml.stringify(value) : `${JSON.stringify(value, null, 2)}\n`;
}

/** `svc/web`, `service/web`, `services/web` or `web`. */
function serviceName(target: string): string {
  const match = /^(?:(svc|service|services)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(target);
  if (match === null) throw new Error(`expected svc/NAME, got ${JSON.stringify(target)}`);
  return match[2] ?? '';
}

function viewOptions(flags: GlobalFlags) {
  return { lbClass: flags.lbClass, ignoreExcludeLB: flags.ignoreExcludeLb === true };
}

function printDiagnoses(diagnoses: readonly ServiceDiagnosis[], flags: GlobalFlags): void {
  if (flags.output === 'json' || flags.output === 'yaml') {
    const value = diagnoses.length === 1 ? diagnoses[0] : { items: diagnoses };
    process.stdout.write(serialize(value, flags.output));
    return;
  }
  const paint = paintFor(flags.output);
  process.stdout.write(
    diagnoses.map((d) => explainText(d, { wide: flags.output === 'wide', paint })).join('\n'),
  );
}

async function explainCommand(
  target: string | undefined,
  flags: GlobalFlags & { allPending?: boolean; node?: string; service?: string },
): Promise<number> {
  if (flags.node !== undefined) return explainNode(flags.node, flags);
  if ((target === undefined) === (flags.allPending !== true)) {
    throw new Error('give either svc/NAME or --all-pending (or --node NAME)');
  }
  const { snapshot: shot, namespace } = await snapshot(flags);
  if (flags.allPending === true) {
    const pending = pendingServices(shot, {
      lbClass: flags.lbClass,
      namespace: flags.allNamespaces === true ? undefined : namespace,
    });
    if (pending.length === 0 && (flags.output === 'table' || flags.output === 'wide')) {
      process.stdout.write('No pending LoadBalancer Service.\n');
      return 0;
    }
    printDiagnoses(
      pending.map((service) => diagnoseService(shot, service, viewOptions(flags))),
      flags,
    );
    return pending.length === 0 ? 0 : EXIT_PROBLEM;
  }
  const name = serviceName(target ?? '');
  const service = shot.resources.services.find((s) => s.namespace === namespace && s.name === name);
  if (service === undefined) throw new Error(`services "${name}" not found in namespace ${namespace}`);
  const diagnosis = diagnoseService(shot, service, viewOptions(flags));
  printDiagnoses([diagnosis], flags);
  return diagnosis.healthy ? 0 : EXIT_PROBLEM;
}

/** `ferry explain --node` with the live cluster as input: the same view and the same text. */
async function explainNode(node: string, flags: GlobalFlags & { service?: string }): Promise<number> {
  const { snapshot: shot } = await snapshot(flags);
  const { announce } = nodeFrrConfig(shot, node, flags);
  const [namespace, name] = flags.service?.split('/') ?? [];
  const filter = flags.service === undefined ? {} : { namespace: namespace ?? '', name: name ?? '' };
  if (flags.output === 'json' || flags.output === 'yaml') {
    const decisions = announce.decisions.filter(
      (d) => flags.service === undefined || `${d.namespace}/${d.name}` === flags.service,
    );
    process.stdout.write(serialize({ node, decisions }, flags.output));
  } else {
    process.stdout.write(offlineExplainText(announce, filter));
  }
  return 0;
}

function nodeFrrConfig(shot: ClusterSnapshot, nodeName: string, flags: GlobalFlags & { logLevel?: string }) {
  const { node, found } = nodeNamed(shot.resources.nodes, nodeName);
  if (!found) throw new Error(`nodes "${nodeName}" not found`);
  for (const error of shot.configErrors) process.stderr.write(`warning: ferry rejects ${error}\n`);
  const view = nodeViewOf(shot, node, viewOptions(flags));
  return frrConfigForNode(
    flags.logLevel === undefined ? view : { ...view, options: { ...view.options, logLevel: flags.logLevel } },
    defaultFrrRenderer(),
  );
}

async function renderCommand(flags: GlobalFlags & { node: string; logLevel: string }): Promise<number> {
  const { snapshot: shot } = await snapshot(flags);
  process.stdout.write(nodeFrrConfig(shot, flags.node, flags).text);
  return 0;
}

async function statusOnce(flags: GlobalFlags): Promise<{ text: string; healthy: boolean }> {
  const { snapshot: shot } = await snapshot(flags);
  const status = clusterStatus(shot, { lbClass: flags.lbClass });
  const text =
    flags.output === 'json' || flags.output === 'yaml'
      ? serialize(status, flags.output)
      : clusterStatusText(status, { wide: flags.output === 'wide', paint: paintFor(flags.output) });
  return { text, healthy: status.healthy };
}

async function statusCommand(flags: GlobalFlags & { watch?: boolean; interval: string }): Promise<number> {
  if (flags.watch !== true) {
    const { text, healthy } = await statusOnce(flags);
    process.stdout.write(text);
    return healthy ? 0 : EXIT_PROBLEM;
  }
  const intervalMs = Number.parseFloat(flags.interval) * 1000;
  if (!(intervalMs >= 100))
    throw new Error(`--interval must be at least 0.1 (seconds), got ${flags.interval}`);
  const stop = new AbortController();
  const end = () => stop.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  let shown = '';
  while (!stop.signal.aborted) {
    let text: string;
    try {
      text = (await statusOnce(flags)).text;
    } catch (error) {
      text = `error: ${error instanceof Error ? error.message : String(error)}\n`;
    }
    if (text !== shown) {
      // redraw in place on a terminal; elsewhere (a pipe, a log) one block per change
      process.stdout.write(
        process.stdout.isTTY === true ? `\u001b[H\u001b[2J${text}` : `${shown === '' ? '' : '\n'}${text}`,
      );
      shown = text;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      stop.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return 0;
}

function globalOptions(command: Command): Command {
  return command
    .option(
      '--kubeconfig <file>',
      'path to the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--context <name>', 'the kubeconfig context to use')
    .option('-n, --namespace <ns>', "the Services' namespace (default: the context's, else default)")
    .option('-A, --all-namespaces', 'every namespace (explain --all-pending)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUTS).default('table'))
    .option(
      '--ferry-namespace <ns>',
      "ferry's namespace (metallb.io resources, status objects, the Lease)",
      'metallb-system',
    )
    .option(
      '--lb-class <class>',
      "the controller's --lb-class (empty: Services without a loadBalancerClass)",
      '',
    )
    .option('--ignore-exclude-lb', "as the speakers' --ignore-exclude-lb");
}

function run<A extends unknown[]>(action: (...args: A) => Promise<number>) {
  return async (...args: A): Promise<void> => {
    try {
      process.exitCode = await action(...args);
    } catch (error) {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT_ERROR;
    }
  };
}

const program = new Command('kubectl-ferry')
  .usage('<command> [flags]')
  .description(
    'ferry from the live cluster: why a Service is pending, who announces it, and whether FRR agrees',
  )
  .exitOverride((error) => {
    // commander's own exits (help, version: 0; a bad flag: 1) keep their meaning
    process.exit(error.exitCode === 0 ? 0 : EXIT_ERROR);
  });

globalOptions(program.command('explain'))
  .argument('[svc/NAME]', 'the Service')
  .description(
    "a Service's IP assignment, per node whether it is announced and why not, and where the speakers disagree",
  )
  .option('--all-pending', 'every LoadBalancer Service without an address (in -n, or -A)')
  .option('--node <name>', "`ferry explain` for one node, fed from the cluster: every Service's decision")
  .option('--service <namespace/name>', 'with --node: only this Service')
  .action(
    run((target: string | undefined, flags: GlobalFlags & { allPending?: boolean; node?: string }) =>
      explainCommand(target, flags),
    ),
  );

globalOptions(program.command('status'))
  .description('per node and peer the BGP session, pools used/total, ConfigurationStates that are not Valid')
  .option('-w, --watch', 'redraw on every change (polls the API server)')
  .option('--interval <seconds>', 'with --watch: how often to read', '2')
  .action(run((flags: GlobalFlags & { watch?: boolean; interval: string }) => statusCommand(flags)));

globalOptions(program.command('render'))
  .description("`ferry render` fed from the cluster: the frr.conf this node's speaker applies")
  .requiredOption('--node <name>', 'the node')
  .option('--log-level <level>', 'FRR log level for `log stdout`', 'informational')
  .action(run((flags: GlobalFlags & { node: string; logLevel: string }) => renderCommand(flags)));

await program.parseAsync(process.argv);
