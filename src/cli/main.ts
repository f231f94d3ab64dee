#!/usr/bin/env node
// ferry's command line: one binary, one subcommand per process (render, explain, speaker, controller, lab).
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { addControllerCommand } from './controller-command.js';
import { addLabCommand } from './lab-command.js';
import { addRenderCommands } from './render-command.js';
import { addSpeakerCommand } from './speaker-command.js';
import { addStatusCommand } from './status-command.js';

const packageJson = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  version: string;
};

const program = new Command('ferry')
  .description('MetalLB-compatible BGP load balancer for bare-metal Kubernetes, driving FRR')
  .version(packageJson.version);

addRenderCommands(program);
addSpeakerCommand(program);
addStatusCommand(program);
addControllerCommand(program);
addLabCommand(program);

await program.parseAsync(process.argv);
