#!/usr/bin/env node
// ferry's command line: one binary, one subcommand per process (render, explain, speaker, controller, lab).
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { subcommandToLoad, SUBCOMMANDS } from './subcommands.js';

const packageJson = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  version: string;
};

const program = new Command('ferry')
  .description('MetalLB-compatible BGP load balancer for bare-metal Kubernetes, driving FRR')
  .version(packageJson.version);

// Only the named subcommand's modules are loaded: `ferry render` must not pay for the Kubernetes
// client, metrics and FRR process code the speaker and controller need (start time and memory).
// Help, --version and unknown names load them all, so help lists every subcommand.
const chosen = subcommandToLoad(process.argv.slice(2));
for (const subcommand of chosen === undefined ? SUBCOMMANDS : [chosen]) {
  (await subcommand.load())(program);
}

await program.parseAsync(process.argv);
