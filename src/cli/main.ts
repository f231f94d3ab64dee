#!/usr/bin/env node
// ferry's command line: one binary, one subcommand per process (render, explain, speaker, controller, lab).
import { Command } from 'commander';
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('ferry')
  .description('MetalLB-compatible BGP load balancer for bare-metal Kubernetes, driving FRR')
  .version(packageJson.version);

await program.parseAsync(process.argv);
