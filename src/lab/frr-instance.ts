// One FRR 8.4 instance per lab namespace, using FRR's pathspaces (`-N NAME`: config in /etc/frr/NAME,
// sockets and pid files in /var/run/frr/NAME). Each instance also gets its own UTS namespace so it
// reports its own hostname; vtysh must then run in that UTS namespace too, or `show running-config`
// prints two hostname lines (docs/design.md §7.4).
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createVtysh, type FrrResult, type Vtysh } from '../frr/vtysh.js';
import { LabCommandError, mustRun, run } from './netns.js';
import { waitUntil } from './wait-until.js';

export type FrrDaemon = 'zebra' | 'bgpd' | 'bfdd' | 'staticd';

export const FRR_CONFIG_ROOT = '/etc/frr';
export const FRR_RUN_ROOT = '/var/run/frr';
const FRRINIT = '/usr/lib/frr/frrinit.sh';

/**
 * watchfrr's defaults kill a boot-time config load after 20 s (`-T`) and restart a daemon at most
 * every 60..600 s: a lab wants large configs to load and killed daemons back within seconds.
 */
export const LAB_WATCHFRR_OPTIONS = '-T 120 -t 120 --min-restart-interval 2 --max-restart-interval 10';

export interface FrrInstanceOptions {
  /** pathspace name; unique per run (it carries the run prefix) */
  readonly name: string;
  /** network namespace the daemons run in */
  readonly namespace: string;
  /** frr.conf text */
  readonly config: string;
  /** kernel hostname in the instance's UTS namespace (what FRR reports); default: `name` */
  readonly hostname?: string;
  /** default: zebra, bgpd, bfdd, staticd */
  readonly daemons?: readonly FrrDaemon[];
  readonly watchfrrOptions?: string;
  /** how long to wait for bgpd to answer with the config loaded; default 30 s */
  readonly readyTimeoutMs?: number;
}

export interface FrrInstance {
  readonly name: string;
  readonly namespace: string;
  readonly hostname: string;
  readonly configDir: string;
  readonly runDir: string;
  /** vtysh for this instance, run in the daemons' UTS namespace */
  readonly vtysh: Vtysh;
}

export function frrConfigDir(name: string): string {
  return join(FRR_CONFIG_ROOT, name);
}

export function frrRunDir(name: string): string {
  return join(FRR_RUN_ROOT, name);
}

/**
 * argv that runs the rest of the command in the UTS namespace of the instance's watchfrr; the pid is
 * read when the command runs, so the prefix survives an FRR restart.
 */
export function utsNamespacePrefix(name: string): string[] {
  return ['sh', '-c', 'exec nsenter -t "$(cat "$0")" -u -- "$@"', join(frrRunDir(name), 'watchfrr.pid')];
}

export function daemonsFile(daemons: readonly FrrDaemon[], watchfrrOptions: string): string {
  const all: FrrDaemon[] = ['zebra', 'bgpd', 'bfdd', 'staticd'];
  return [
    ...all.map((daemon) => `${daemon}=${daemons.includes(daemon) ? 'yes' : 'no'}`),
    'vtysh_enable=yes',
    'zebra_options="-A 127.0.0.1 -s 90000000"',
    'bgpd_options="-A 127.0.0.1"',
    'staticd_options="-A 127.0.0.1"',
    'bfdd_options="-A 127.0.0.1"',
    `watchfrr_options="${watchfrrOptions}"`,
    '',
  ].join('\n');
}

async function writeInstanceFiles(options: FrrInstanceOptions): Promise<void> {
  const configDir = frrConfigDir(options.name);
  const runDir = frrRunDir(options.name);
  await mkdir(configDir, { recursive: true });
  await mkdir(runDir, { recursive: true });
  await writeFile(
    join(configDir, 'daemons'),
    daemonsFile(
      options.daemons ?? ['zebra', 'bgpd', 'bfdd', 'staticd'],
      options.watchfrrOptions ?? LAB_WATCHFRR_OPTIONS,
    ),
  );
  await writeFile(join(configDir, 'vtysh.conf'), 'service integrated-vtysh-config\n');
  await writeFile(join(configDir, 'frr.conf'), options.config);
  await chmod(join(configDir, 'frr.conf'), 0o640);
  await mustRun(undefined, ['chown', '-R', 'frr:frr', configDir, runDir]);
}

/** bgpd answers, and once watchfrr's boot-time `vtysh -b` ran, the config's `router bgp` is there. */
async function waitUntilReady(
  instance: FrrInstance,
  config: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const expectsBgp = /^router bgp /m.test(config);
  const ready = await waitUntil(
    async () => {
      const summary = await instance.vtysh.commands(['show bgp vrf all summary json']);
      if (!summary.ok) return { done: false, why: summary.error.message };
      if (!expectsBgp) return { done: true, value: undefined };
      const running = await instance.vtysh.runningConfig();
      return running.ok && /^router bgp /m.test(running.value)
        ? { done: true, value: undefined }
        : { done: false, why: 'bgpd answers but the config has no router bgp yet' };
    },
    { timeoutMs },
  );
  return ready.ok ? undefined : ready.last;
}

/** Starts the instance and waits until bgpd answers with its config loaded; throws if it does not. */
export async function startFrrInstance(options: FrrInstanceOptions): Promise<FrrInstance> {
  const hostname = options.hostname ?? options.name;
  const instance: FrrInstance = {
    name: options.name,
    namespace: options.namespace,
    hostname,
    configDir: frrConfigDir(options.name),
    runDir: frrRunDir(options.name),
    vtysh: createVtysh({ pathspace: options.name, commandPrefix: utsNamespacePrefix(options.name) }),
  };
  await writeInstanceFiles(options);
  const started = await run(options.namespace, [
    'unshare',
    '--uts',
    'sh',
    '-c',
    `hostname "$0" && exec ${FRRINIT} start "$1"`,
    hostname,
    options.name,
  ]);
  const problem =
    started.exitCode !== 0
      ? `frrinit.sh start failed: ${started.stderr.trim() || started.stdout.trim()}`
      : await waitUntilReady(instance, options.config, options.readyTimeoutMs ?? 30_000);
  if (problem !== undefined) {
    await stopFrrInstance(instance);
    throw new LabCommandError({ ...started, stderr: `FRR instance ${options.name} not ready: ${problem}` });
  }
  return instance;
}

async function pidFromFile(file: string): Promise<number | undefined> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** FRR processes started for pathspace `name` (`... -N NAME ...` in their argv), found by id via /proc. */
async function pathspaceProcesses(name: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const flag = argv.indexOf('-N');
    if (argv[0]?.startsWith('/usr/lib/frr/') && flag >= 0 && argv[flag + 1] === name)
      found.push(Number(entry));
  }
  return found;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Alive and not a zombie waiting to be reaped. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return stat !== '' && state !== 'Z' && state !== 'X';
}

export interface StopOptions {
  /**
   * `frrinit.sh stop` (SIGINT, daemons say goodbye to their peers; ~5 s per instance) instead of the
   * default SIGKILL, which is what a lab teardown or a node crash needs.
   */
  readonly graceful?: boolean;
}

/**
 * Stops the daemons, kills any survivor of this pathspace (watchfrr first, so it restarts nothing)
 * and removes /etc/frr/NAME and /var/run/frr/NAME. Never throws: returns what could not be done.
 */
export async function stopFrrInstance(
  instance: Pick<FrrInstance, 'name' | 'namespace'>,
  options: StopOptions = {},
): Promise<string[]> {
  const problems: string[] = [];
  const runDir = frrRunDir(instance.name);
  if (options.graceful === true) {
    // frrinit's rc is not checked: whatever it leaves behind is killed below.
    await run(instance.namespace, [FRRINIT, 'stop', instance.name], { timeoutMs: 30_000 });
  }
  const watchfrr = await pidFromFile(join(runDir, 'watchfrr.pid'));
  const survivors = [
    ...new Set([...(watchfrr === undefined ? [] : [watchfrr]), ...(await pathspaceProcesses(instance.name))]),
  ];
  for (const pid of survivors) kill(pid);
  const gone = await waitUntil(
    async () => {
      const running = await Promise.all(survivors.map(isRunning));
      const alive = survivors.filter((_, i) => running[i]);
      return alive.length === 0
        ? { done: true, value: undefined }
        : { done: false, why: `pids ${alive.join(' ')}` };
    },
    { timeoutMs: 5_000, intervalMs: 20 },
  );
  if (!gone.ok) problems.push(`FRR instance ${instance.name} survives SIGKILL: ${gone.last}`);
  for (const directory of [frrConfigDir(instance.name), runDir]) {
    await rm(directory, { recursive: true, force: true }).catch((error: Error) =>
      problems.push(`cannot remove ${directory}: ${error.message}`),
    );
  }
  return problems;
}

/** Pathspaces under /etc/frr or /var/run/frr whose name starts with `prefix`. */
export async function listFrrPathspaces(prefix: string): Promise<string[]> {
  const names = new Set<string>();
  for (const root of [FRR_CONFIG_ROOT, FRR_RUN_ROOT]) {
    for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory() && entry.name.startsWith(prefix)) names.add(entry.name);
    }
  }
  return [...names].sort();
}

/** vtysh `-c` commands in the instance's UTS namespace, e.g. `vtyshIn(tor, ['show bgp summary json'])`. */
export function vtyshIn(
  instance: Pick<FrrInstance, 'vtysh'>,
  commands: readonly string[],
): Promise<FrrResult<string>> {
  return instance.vtysh.commands(commands);
}
