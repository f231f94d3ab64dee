// `ferry lab` under the signals a terminal's Ctrl-C or `timeout` sends: they go to the whole process
// group, so the lab process often gets one twice at once. Whatever arrives, nothing of that run may
// stay behind: no namespace, no FRR daemon, no ferry process. Needs root and `npm run build`.
import { dirname } from 'node:path';
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { removeLabRun } from '../../src/lab/lab-run.js';
import { listNamespaces } from '../../src/lab/netns.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { ferryBin } from '../support/ferry-cli.js';

jest.setTimeout(300_000);

const MARKER_DIR = '/run/ferry-lab';
const UP_MESSAGE = 'stop with Ctrl-C or `ferry lab down`';

interface LabProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** the run prefix it claimed, once it has one (remembered: the marker goes with the run) */
  readonly prefix: () => string | undefined;
}

/** `ferry lab up` as a shell starts a job: the leader of its own process group. */
function startLab(): LabProcess {
  const child = spawn(process.execPath, [ferryBin(), 'lab', 'up'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let prefix: string | undefined;
  return { child, output: () => output, exited, prefix: () => (prefix ??= prefixOwnedBy(child.pid ?? 0)) };
}

/** What a terminal does on Ctrl-C and `timeout` on expiry: the signal to every process of the group. */
async function signalGroup(lab: LabProcess, signals: readonly NodeJS.Signals[]): Promise<void> {
  for (const [i, signal] of signals.entries()) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(-(lab.child.pid ?? 0), signal);
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const waited = await waitUntil(
    async () => (condition() ? { done: true, value: undefined } : { done: false, why: what }),
    { timeoutMs, intervalMs: 100 },
  );
  if (!waited.ok) throw new Error(`timed out waiting for ${what}`);
}

/** The run prefix the lab process claimed (its pid in /run/ferry-lab/<prefix>), once it has one. */
function prefixOwnedBy(pid: number): string | undefined {
  const owner = (name: string) => {
    try {
      return readFileSync(`${MARKER_DIR}/${name}`, 'utf8').trim();
    } catch {
      return undefined; // not there (yet), or removed meanwhile
    }
  };
  const entries = existsSync(MARKER_DIR) ? readdirSync(MARKER_DIR) : [];
  return entries.find((name) => /^f[0-9a-f]{4}$/.test(name) && owner(name) === String(pid));
}

/** Live processes (not zombies) whose command line names the run: FRR daemons (`-N <prefix>-…`), speakers. */
function processesOf(prefix: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || entry === String(process.pid)) continue;
    let argv: string[];
    let state: string;
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      continue; // exited meanwhile
    }
    if (state !== 'Z' && argv.some((arg) => arg.startsWith(`${prefix}-`))) {
      found.push(`${entry} ${argv.join(' ').trim()}`);
    }
  }
  return found;
}

function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * `ferry` processes of the run (controller, speakers, the API forwarders): the lab's kubelet gives
 * each pod a kubeconfig under the run's work directory (where the kubeconfig the lab prints lives),
 * so they name it in their command line or their environment.
 */
function ferryProcesses(output: string): { pid: number; cmdline: string }[] {
  const kubeconfig = /kubeconfig (\/\S+\/kubeconfig)/.exec(output)?.[1];
  if (kubeconfig === undefined) return [];
  const workDir = dirname(kubeconfig);
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || entry === String(process.pid)) continue;
    const cmdline = read(`/proc/${entry}/cmdline`);
    const mentions = cmdline.includes(workDir) || read(`/proc/${entry}/environ`).includes(workDir);
    if (mentions && pidAlive(Number(entry)))
      found.push({ pid: Number(entry), cmdline: cmdline.split('\0').join(' ') });
  }
  return found;
}

interface Leftovers {
  namespaces: string[];
  processes: string[];
  ferry: number[];
  marker: boolean;
}

async function leftoversOf(prefix: string, output: string): Promise<Leftovers> {
  return {
    namespaces: (await listNamespaces()).filter((ns) => ns.startsWith(`${prefix}-`)),
    processes: processesOf(prefix),
    ferry: ferryProcesses(output).map((p) => p.pid),
    marker: readdirSync(MARKER_DIR).includes(prefix),
  };
}

const NOTHING: Leftovers = { namespaces: [], processes: [], ferry: [], marker: false };

/** After a failed assertion too: the lab process and whatever its run left go. */
async function removeEverything(lab: LabProcess): Promise<void> {
  const prefix = lab.prefix();
  if (lab.child.exitCode === null && lab.child.signalCode === null) {
    try {
      process.kill(-(lab.child.pid ?? 0), 'SIGKILL');
    } catch {
      // gone
    }
    await lab.exited;
  }
  if (prefix === undefined) return;
  for (const { pid } of ferryProcesses(lab.output())) process.kill(pid, 'SIGKILL');
  for (const line of processesOf(prefix)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  await removeLabRun(prefix);
}

/** Runs `ferry lab up` for `body`; its process and its run are removed afterwards whatever happens. */
async function withLabUp(body: (lab: LabProcess) => Promise<void>): Promise<void> {
  const lab = startLab();
  try {
    await body(lab);
  } finally {
    await removeEverything(lab);
  }
}

/** Two signals in quick succession; the lab process must remove its whole run and exit by itself. */
async function expectRemovedAfterTwo(lab: LabProcess, signal: NodeJS.Signals): Promise<number | null> {
  await signalGroup(lab, [signal, signal]);
  const exit = await lab.exited;
  expect(exit.signal).toBeNull(); // not killed by a signal's default action
  expect(lab.output().split('removing the lab, please wait')).toHaveLength(2); // said once
  expect(lab.output()).not.toContain('exiting without removing the lab');
  expect(await leftoversOf(lab.prefix() ?? '', lab.output())).toEqual(NOTHING);
  return exit.code;
}

test('two signals while the lab is up: the lab process removes everything of its run and exits', () =>
  withLabUp(async (lab) => {
    await waitFor('the lab to be up', () => lab.output().includes(UP_MESSAGE), 240_000);
    const running = await leftoversOf(lab.prefix() ?? '', lab.output());
    // what must be gone afterwards is really there: 8 namespaces (2 ToRs, 3 nodes, fabric, client,
    // the controller pod's), 5 FRRs, 3 speakers + 1 controller
    expect(running.namespaces).toHaveLength(8);
    expect(running.processes.filter((p) => p.includes('/usr/lib/frr/bgpd'))).toHaveLength(5);
    const ferry = ferryProcesses(lab.output());
    expect(ferry.filter((p) => p.cmdline.includes(' speaker '))).toHaveLength(3);
    expect(ferry.filter((p) => p.cmdline.includes(' controller '))).toHaveLength(1);

    await expectRemovedAfterTwo(lab, 'SIGTERM');
    expect(lab.output()).toContain('removing the lab (namespaces, FRR instances, processes)');
  }));

test('two signals while the lab is being built: it is removed once built, exit code 130', () =>
  withLabUp(async (lab) => {
    await waitFor(
      'the first namespace of the run',
      () => readdirSync('/run/netns').some((ns) => ns.startsWith(`${lab.prefix() ?? '?'}-`)),
      120_000,
    );

    expect(await expectRemovedAfterTwo(lab, 'SIGINT')).toBe(130);
    expect(lab.output()).not.toContain(UP_MESSAGE);
  }));

test('a third signal exits at once, naming what is left and that `ferry lab down` removes it', async () => {
  let prefix: string | undefined;
  let output = '';
  await withLabUp(async (lab) => {
    await waitFor('the lab to be up', () => lab.output().includes(UP_MESSAGE), 240_000);
    prefix = lab.prefix();

    await signalGroup(lab, ['SIGINT', 'SIGINT', 'SIGINT']);
    const exit = await lab.exited;
    output = lab.output();

    expect(exit).toEqual({ code: 130, signal: null });
    const last = output.split('\n').find((line) => line.includes('exiting without removing the lab'));
    expect(last).toMatch(new RegExp(`left: namespaces .*${prefix}-tor1`));
    expect(output).toContain('`ferry lab down` removes it');
    // its speakers and controller die with it; what is left is what the message names
    const left = await leftoversOf(prefix ?? '', output);
    expect(left.processes.filter((p) => p.includes(' speaker '))).toEqual([]);
    expect(left.ferry).toEqual([]);
    expect(left.marker).toBe(true); // the dead owner's marker: what `ferry lab down` sweeps
  });
  expect(await leftoversOf(prefix ?? '', output)).toEqual(NOTHING);
});
