// `ferry status`: the BGP sessions of a local FRR as FRR reports them, as a table or JSON.
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { parseBfdPeers } from '../frr/parse/bfd-peers.js';
import { parseBgpNeighborsAllVrfs } from '../frr/parse/bgp-neighbors.js';
import { sessionStatusesFromFrr } from '../speaker/session-status.js';
import { sessionTable } from '../speaker/status-table.js';
import { addFrrFlags, frrLocation, type FrrFlags } from './frr-flags.js';

export function addStatusCommand(program: Command): void {
  addFrrFlags(program.command('status'))
    .description('print the BGP sessions FRR runs: peer, state, uptime, prefixes sent/received, BFD')
    .option('--output <format>', 'table or json', 'table')
    .action(async (flags: FrrFlags & { output: string }) => {
      const { vtysh } = frrLocation(flags);
      const result = await vtysh.showAll(['show bgp vrf all neighbors json', 'show bfd peers json']);
      let documents = result.ok ? result.value : undefined;
      if (documents === undefined) {
        // without bfdd the BFD query fails; sessions are still worth showing
        const bgpOnly = await vtysh.show('show bgp vrf all neighbors json');
        if (!bgpOnly.ok) {
          process.stderr.write(`ferry status: cannot read FRR: ${bgpOnly.error.message}\n`);
          process.exitCode = 1;
          return;
        }
        documents = [bgpOnly.value, []];
      }
      const sessions = sessionStatusesFromFrr(
        hostname(),
        parseBgpNeighborsAllVrfs(documents[0]),
        parseBfdPeers(documents[1]),
      );
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
      else process.stdout.write(sessionTable(sessions));
    });
}
