// `ferry render` and `ferry explain`: the offline views of what a node's speaker would do.
import type { Command } from 'commander';
import { loadManifestDirectory } from '../api/load-directory.js';
import { explainText } from '../announce/index.js';
import { defaultFrrRenderer } from '../frr/templates.js';
import { electL2Owners, explainL2 } from '../l2/election.js';
import { frrConfigForNode } from '../node-pipeline/node-config.js';
import { nodeViewFromManifests, type ManifestView } from '../node-pipeline/manifest-view.js';
import { addLbClassFlag, type LbClassFlag } from './lb-class-flag.js';

interface ViewFlags extends LbClassFlag {
  manifests: string;
  node: string;
  namespace: string;
  ignoreExcludeLb?: boolean;
}

function loadView(flags: ViewFlags): ManifestView {
  return nodeViewFromManifests(loadManifestDirectory(flags.manifests), {
    namespace: flags.namespace,
    nodeName: flags.node,
    ignoreExcludeLB: flags.ignoreExcludeLb === true,
    lbClass: flags.lbClass,
  });
}

/** Problems go to stderr, one per line; returns false when there were errors. */
function reportProblems(view: ManifestView): boolean {
  for (const warning of view.warnings) process.stderr.write(`warning: ${warning}\n`);
  for (const error of view.errors) process.stderr.write(`error: ${error}\n`);
  return view.errors.length === 0;
}

function viewOptions(command: Command): Command {
  return addLbClassFlag(command)
    .requiredOption(
      '--manifests <dir>',
      'directory (or file) of YAML manifests: metallb.io resources, Nodes, Services, EndpointSlices, Secrets',
    )
    .requiredOption('--node <name>', 'the node whose view to compute')
    .option('--namespace <ns>', "ferry's namespace (where the metallb.io resources live)", 'metallb-system')
    .option(
      '--ignore-exclude-lb',
      'announce from nodes labeled node.kubernetes.io/exclude-from-external-load-balancers',
    );
}

export function addRenderCommands(program: Command): void {
  viewOptions(program.command('render'))
    .description(
      "print the frr.conf this node's speaker would apply; exit 1 with the errors on stderr if the input is invalid",
    )
    .option('--log-level <level>', 'FRR log level for `log stdout`', 'informational')
    .action((flags: ViewFlags & { logLevel: string }) => {
      const loaded = loadView(flags);
      if (!reportProblems(loaded) || loaded.view === undefined) {
        process.exitCode = 1;
        return;
      }
      const rendered = frrConfigForNode(
        { ...loaded.view, options: { ...loaded.view.options, logLevel: flags.logLevel } },
        defaultFrrRenderer(),
      );
      process.stdout.write(rendered.text);
    });

  viewOptions(program.command('explain'))
    .description('print, per Service IP and peer, whether this node announces it and why (not)')
    .option('--service <namespace/name>', 'only this Service')
    .option('--output <format>', 'text or json', 'text')
    .action((flags: ViewFlags & { service?: string; output: string }) => {
      const loaded = loadView(flags);
      if (!reportProblems(loaded) || loaded.view === undefined) {
        process.exitCode = 1;
        return;
      }
      const view = loaded.view;
      const { announce } = frrConfigForNode(view, defaultFrrRenderer());
      const layer2 = electL2Owners({
        config: view.config,
        node: view.node.name,
        nodes: view.nodes ?? [view.node],
        alive: undefined,
        services: view.services,
        endpointSlices: view.endpointSlices,
        ignoreExcludeLB: view.options?.ignoreExcludeLB === true,
        lbClass: view.options?.lbClass ?? '',
      });
      const [namespace, name] = flags.service?.split('/') ?? [];
      const filter =
        flags.service === undefined ? undefined : { namespace: namespace ?? '', name: name ?? '' };
      const selected = (d: { namespace: string; name: string }) =>
        filter === undefined || (d.namespace === filter.namespace && d.name === filter.name);
      const l2Decisions = layer2.decisions.filter(selected);
      if (flags.output === 'json') {
        const decisions = announce.decisions.filter(selected);
        process.stdout.write(
          `${JSON.stringify({ node: flags.node, decisions, layer2: l2Decisions }, null, 2)}\n`,
        );
      } else if (flags.output === 'text') {
        process.stdout.write(explainText(announce, filter ?? {}));
        if (l2Decisions.length > 0) process.stdout.write(`${explainL2(l2Decisions)}\n`);
      } else {
        process.stderr.write(`error: --output must be text or json, got ${JSON.stringify(flags.output)}\n`);
        process.exitCode = 2;
      }
    });
}
