// `ferry lab`: the whole system on one machine (root): fabric, FRRs, speakers, controller, an
// operator's checks and the failover drill (docs/design.md §9). `lab up` keeps it running; `lab
// down` removes it.
import type { Command } from 'commander';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ClusterLab } from '../lab/cluster-lab.js';
import { exitCodeForSignal, runInterruptibleLab } from '../lab/interruptible-lab.js';
import { sweepStaleLabRuns } from '../lab/lab-run.js';

// The lab runs the test API server from e2e/, which the container image does not ship: load it only
// when a lab command runs, so `ferry` itself starts without it.
const seedLab = () => import('../lab/seed-lab.js');

/** The `ferry lab` process that currently owns a lab (so `ferry lab down` can stop it). */
const OWNER_FILE = '/run/ferry-lab/lab.pid';

const print = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);

function requireRoot(): boolean {
  if (process.getuid?.() === 0) return true;
  warn('ferry lab: needs root (network namespaces, FRR)');
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

function readOwner(): number | undefined {
  try {
    const pid = Number(readFileSync(OWNER_FILE, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `body` with a lab that is always removed, also after Ctrl-C, SIGTERM or SIGHUP (repeated ones
 * included: see interruptible-lab.ts). Returns the exit code: the body's verdict, 1 when something
 * threw, 128 + the signal's number when a signal cut the run short.
 */
async function withLab(body: (lab: ClusterLab, stopped: Promise<void>) => Promise<boolean>): Promise<number> {
  mkdirSync('/run/ferry-lab', { recursive: true });
  writeFileSync(OWNER_FILE, `${process.pid}\n`);
  try {
    const outcome = await runInterruptibleLab({
      create: async () => (await seedLab()).startSeedLab({ print }),
      body,
      print,
      warn,
    });
    if (outcome.signal !== undefined) return exitCodeForSignal(outcome.signal);
    return outcome.result === true ? 0 : 1;
  } catch (error) {
    warn(`ferry lab: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    // another `ferry lab` may have taken the file over meanwhile
    if (readOwner() === process.pid) rmSync(OWNER_FILE, { force: true });
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
      process.exitCode = await withLab(async (running) => {
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
      // once the lab is up and checked, a signal is how `up` ends: the exit code is the checks' verdict
      let verified: boolean | undefined;
      const code = await withLab(async (running, stopped) => {
        const { verifySeedLab, SERVICE_PREFIX } = await seedLab();
        verified = await verifySeedLab(running, print);
        const { l2LabChecks } = await import('../lab/l2-lab.js');
        const layer2 = await l2LabChecks(running, print, false);
        verified = verified && layer2.ok;
        lookAround(running, SERVICE_PREFIX);
        await stopped;
        return verified;
      });
      process.exitCode = verified === undefined ? code : verified ? 0 : 1;
    });
  lab
    .command('down')
    .description('stop a running `ferry lab up` and remove every namespace and process of ferry labs')
    .action(async () => {
      if (!requireRoot()) return;
      const owner = readOwner();
      if (owner !== undefined && isAlive(owner)) {
        process.kill(owner, 'SIGTERM');
        for (let i = 0; i < 200 && isAlive(owner); i++) await new Promise((r) => setTimeout(r, 100));
        if (isAlive(owner)) process.kill(owner, 'SIGKILL');
      }
      const swept = await sweepStaleLabRuns();
      print(`lab down: ${swept.length === 0 ? 'nothing left to remove' : `removed ${swept.join(', ')}`}`);
    });
}
