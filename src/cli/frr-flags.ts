// How a ferry process reaches its FRR: a pathspace (`vtysh -N`, the lab and hosts running several FRR
// instances) or a vty socket directory (the sidecar, sharing /var/run/frr with the FRR container).
import type { Command } from 'commander';
import { join } from 'node:path';
import { createVtysh, type Vtysh } from '../frr/vtysh.js';

export interface FrrFlags {
  frrPathspace?: string;
  frrSocketDir?: string;
  frrConfigDir?: string;
}

export function addFrrFlags(command: Command): Command {
  return command
    .option(
      '--frr-pathspace <name>',
      'FRR pathspace (vtysh -N): config in /etc/frr/NAME, sockets in /var/run/frr/NAME',
    )
    .option(
      '--frr-socket-dir <dir>',
      "FRR's vty socket directory (vtysh --vty_socket), e.g. the shared /var/run/frr",
    )
    .option('--frr-config-dir <dir>', "directory of FRR's frr.conf (default /etc/frr or /etc/frr/PATHSPACE)");
}

export interface FrrLocation {
  readonly vtysh: Vtysh;
  /** frr.conf FRR boots from: ferry keeps it equal to what runs */
  readonly configFile: string;
  /** vty sockets and pid files: watched to notice FRR restarts */
  readonly runDirectory: string;
}

export function frrLocation(flags: FrrFlags): FrrLocation {
  if (flags.frrPathspace !== undefined && flags.frrSocketDir !== undefined) {
    throw new Error('give --frr-pathspace or --frr-socket-dir, not both');
  }
  const configDir =
    flags.frrConfigDir ??
    (flags.frrPathspace === undefined ? '/etc/frr' : join('/etc/frr', flags.frrPathspace));
  const runDirectory =
    flags.frrSocketDir ??
    (flags.frrPathspace === undefined ? '/var/run/frr' : join('/var/run/frr', flags.frrPathspace));
  return {
    vtysh: createVtysh({
      ...(flags.frrPathspace === undefined ? {} : { pathspace: flags.frrPathspace }),
      ...(flags.frrSocketDir === undefined ? {} : { vtySocketDir: flags.frrSocketDir }),
      configDir,
    }),
    configFile: join(configDir, 'frr.conf'),
    runDirectory,
  };
}
