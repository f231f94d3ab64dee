// `ferry lab`: the whole system on one machine (root): fabric, FRRs, speakers, controller, the seed
// documents' checks and failover drill. `lab up` keeps it running; `lab down` removes it.
import type { Command } from 'commander';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ClusterLab } from '../lab/cluster-lab.js';
import { sweepStaleLabRuns } from '../lab/lab-run.js';

// The lab runs the test API server from e2e/, which the container image does not ship: load it only
// when a lab command runs, so `ferry` itself starts without it.
const seedLab = () => import('../lab/seed-lab.js');

/** The `ferry lab` process that currently owns a lab (so `ferry lab down` can stop it). */
const OWNER_FILE = '/run/ferry-lab/lab.pid';

const print = (line: string) => process.stdout.write(`${line}\n`);

function requireRoot(): boolean {
  if (process.getuid?.() === 0) return true;
  process.stderr.write('ferry lab: needs root (network namespaces, FRR)\n');
  process.exitCode = 2;
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `body` with a lab that is always destroyed, also on Ctrl-C / SIGTERM. */
async function withLab(body: (lab: ClusterLab, stopped: Promise<void>) => Promise<boolean>): Promise<void> {
  mkdirSync('/run/ferry-lab', { recursive: true });
  writeFileSync(OWNER_FILE, `${process.pid}\n`);
  let lab: ClusterLab | undefined;
  let interrupted = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      interrupted = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  try {
    const { startSeedLab } = await seedLab();
    lab = await Promise.race([startSeedLab({ print }), stopped.then(() => undefined)]);
    if (lab !== undefined && !interrupted) process.exitCode = (await body(lab, stopped)) ? 0 : 1;
  } catch (error) {
    process.stderr.write(`ferry lab: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    print('\nremoving the lab (namespaces, FRR instances, processes)');
    const problems = (await lab?.destroy()) ?? [];
    for (const problem of problems) process.stderr.write(`ferry lab: cleanup: ${problem}\n`);
    rmSync(OWNER_FILE, { force: true });
    if (interrupted && process.exitCode === undefined) process.exitCode = 130;
  }
}

function lookAround(lab: ClusterLab, servicePrefix: string): void {
  print(`\nthe lab is up. kubeconfig: ${lab.kubeconfig}`);
  print(
    `  kubectl --kubeconfig ${lab.kubeconfig} get svc,bgpsessionstates,servicebgpstatuses,servicel2statuses -A`,
  );
  for (const tor of lab.tors) print(`  vtysh -N ${tor.name} -c 'show ip route ${servicePrefix}'`);
  for (const node of lab.nodes) print(`  vtysh -N ${node.frr.name} -c 'show bgp summary'   # ${node.name}`);
  if (lab.clientNamespace !== undefined)
    print(
      `  ip netns exec ${lab.clientNamespace} curl http://203.0.113.5/   # BGP; http://192.0.2.202/ for layer 2`,
    );
  print('stop with Ctrl-C or `ferry lab down`');
}

export function addLabCommand(program: Command): void {
  const lab = program.command('lab').description('run the whole system on this machine (root): the seed lab');
  lab
    .command('run', { isDefault: true })
    .description('build the lab, run the seed checks and the failover drill, print timings, remove it')
    .action(async () => {
      if (!requireRoot()) return;
      await withLab(async (running) => {
        const { failoverDrill, verifySeedLab } = await seedLab();
        const verified = await verifySeedLab(running, print);
        const { l2LabChecks } = await import('../lab/l2-lab.js');
        const layer2 = await l2LabChecks(running, print, true);
        const drill = await failoverDrill(running, print);
        const drillOk = [...drill.drainMs, ...drill.hardFailMs].every((ms) => ms !== undefined);
        const ok = verified && layer2.ok && drillOk;
        print(`\n${ok ? 'lab: all checks passed' : 'lab: some checks FAILED'}`);
        return ok;
      });
    });
  lab
    .command('up')
    .description('build the lab, run the seed checks, and keep it running for exploration')
    .action(async () => {
      if (!requireRoot()) return;
      await withLab(async (running, stopped) => {
        const { verifySeedLab, SERVICE_PREFIX } = await seedLab();
        const verified = await verifySeedLab(running, print);
        const { l2LabChecks } = await import('../lab/l2-lab.js');
        const layer2 = await l2LabChecks(running, print, false);
        lookAround(running, SERVICE_PREFIX);
        await stopped;
        return verified && layer2.ok;
      });
    });
  lab
    .command('down')
    .description('stop a running `ferry lab up` and remove every namespace and process of ferry labs')
    .action(async () => {
      if (!requireRoot()) return;
      const owner = Number(readFileSync(OWNER_FILE, 'utf8').trim() || 'NaN');
      if (Number.isInteger(owner) && isAlive(owner)) {
        process.kill(owner, 'SIGTERM');
        for (let i = 0; i < 200 && isAlive(owner); i++) await new Promise((r) => setTimeout(r, 100));
        if (isAlive(owner)) process.kill(owner, 'SIGKILL');
      }
      const swept = await sweepStaleLabRuns();
      print(`lab down: ${swept.length === 0 ? 'nothing left to remove' : `removed ${swept.join(', ')}`}`);
    });
}
